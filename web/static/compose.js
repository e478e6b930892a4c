// Composer helpers: hide the date and time unless "At a date and time" is chosen, and show per
// channel how long the text is for that network and what it would object to (debounced checks
// against /api/validate). The form works the same without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("compose");
  if (!form) { return; }
  var later = document.getElementById("when-later");
  var token = document.querySelector('meta[name="csrf-token"]');
  var text = form.elements.namedItem("text");
  var link = form.elements.namedItem("link");
  var DEBOUNCE_MS = 400;
  var pending = null;
  var lastBody = null;

  function syncWhen() {
    var choice = form.querySelector('input[name="when"]:checked');
    if (later) { later.hidden = !choice || choice.value !== "later"; }
  }

  function checked(id) {
    var box = document.getElementById("channel-" + id);
    return box !== null && box.checked;
  }

  function show(result) {
    result.channels.forEach(function (channel) {
      var counter = form.querySelector('[data-counter="' + channel.id + '"]');
      if (counter) {
        counter.textContent = channel.length + " / " + channel.max;
        counter.classList.toggle("over", channel.length > channel.max);
      }
      var list = form.querySelector('[data-problems="' + channel.id + '"]');
      if (!list) { return; }
      var messages = checked(channel.id) ? channel.problems : [];
      var current = Array.prototype.map.call(list.children, function (li) { return li.textContent; });
      if (current.join("\n") === messages.join("\n")) { return; }  // unchanged: do not re-announce
      list.replaceChildren.apply(list, messages.map(function (message) {
        var li = document.createElement("li");
        li.textContent = message;
        return li;
      }));
    });
  }

  function check() {
    var body = JSON.stringify({ text: text ? text.value : "", link: link ? link.value : "" });
    if (body === lastBody) { return; }
    lastBody = body;
    fetch(form.dataset.validateUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": token ? token.content : "" },
      body: body
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) { if (result) { show(result); } }, function () { lastBody = null; });
  }

  function soon() {
    window.clearTimeout(pending);
    pending = window.setTimeout(check, DEBOUNCE_MS);
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "when") { syncWhen(); }
    if (event.target.name === "channels") { lastBody = null; soon(); }
  });
  form.addEventListener("input", function (event) {
    if (event.target === text || event.target === link) { soon(); }
  });
  syncWhen();
  check();
}());
