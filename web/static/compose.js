// Composer helpers: hide the date and time unless "At a date and time" is chosen, and show per
// channel how long the text is for that network and what it would object to (debounced checks
// against /api/validate). Images are uploaded as soon as they are chosen (/api/media), so they
// are kept and checked per channel before the post is saved. The form works the same without
// JavaScript: then the images travel with the form.
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

  function ownTexts() {
    var texts = {};
    Array.prototype.forEach.call(form.querySelectorAll("textarea[data-network]"), function (area) {
      if (area.value.trim()) { texts[area.dataset.network] = area.value; }
    });
    return texts;
  }

  function showPreviews(result) {
    var box = document.getElementById("previews");
    if (!box) { return; }
    var cards = result.channels.filter(function (channel) { return checked(channel.id); }).map(function (channel) {
      var label = document.querySelector('label[for="channel-' + channel.id + '"]');
      var card = document.createElement("article");
      card.className = "preview";
      var title = document.createElement("h3");
      title.textContent = label ? label.firstChild.textContent.trim() : String(channel.id);
      var body = document.createElement("p");
      body.className = "preview-text";
      body.textContent = channel.preview.visible;
      if (channel.preview.folded) {
        var more = document.createElement("span");
        more.className = "muted";
        more.textContent = " " + (box.dataset.moreLabel || "… more");
        body.appendChild(more);
      }
      card.append(title, body);
      if (channel.preview.images) {
        var images = document.createElement("p");
        images.className = "muted";
        images.textContent = channel.preview.images + " " + (box.dataset.imagesLabel || "images");
        card.appendChild(images);
      }
      return card;
    });
    box.replaceChildren.apply(box, cards);
    var empty = document.getElementById("previews-empty");
    if (empty) { empty.hidden = cards.length > 0; }
  }

  function show(result) {
    showPreviews(result);
    result.channels.forEach(function (channel) {
      var counter = form.querySelector('[data-counter="' + channel.id + '"]');
      if (counter) {
        counter.textContent = channel.length + " / " + channel.max;
        counter.classList.toggle("over", channel.length > channel.max);
      }
      var list = form.querySelector('[data-problems="' + channel.id + '"]');
      if (!list) { return; }
      var messages = checked(channel.id) ? channel.problems.concat(channel.warnings || []) : [];
      var current = Array.prototype.map.call(list.children, function (li) { return li.textContent; });
      if (current.join("\n") === messages.join("\n")) { return; }  // unchanged: do not re-announce
      list.replaceChildren.apply(list, messages.map(function (message) {
        var li = document.createElement("li");
        li.textContent = message;
        return li;
      }));
    });
  }

  function mediaIds() {
    return Array.prototype.map.call(form.querySelectorAll('input[name="media_ids"]'),
                                    function (input) { return input.value; });
  }

  function mediaProblems(messages) {
    var fieldset = document.getElementById("media");
    var list = document.getElementById("media-problems");
    if (!list) {
      list = document.createElement("ul");
      list.className = "problems";
      list.id = "media-problems";
      list.setAttribute("aria-live", "polite");
      fieldset.appendChild(list);
    }
    list.replaceChildren.apply(list, messages.map(function (message) {
      var li = document.createElement("li");
      li.textContent = message;
      return li;
    }));
    fieldset.classList.toggle("has-problem", messages.length > 0);
  }

  function addMedia(item) {
    var li = document.createElement("li");
    li.className = "media-item";
    li.dataset.mediaId = item.id;
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "media_ids"; hidden.value = item.id;
    var img = document.createElement("img");
    img.src = item.preview; img.alt = ""; img.width = 96;
    var info = document.createElement("span");
    info.className = "muted";
    info.textContent = item.filename + " · " + item.width + "×" + item.height;
    var label = document.createElement("label");
    label.htmlFor = "alt-" + item.id;
    label.textContent = form.dataset.altLabel || "Description";
    var alt = document.createElement("input");
    alt.type = "text"; alt.name = "alt-" + item.id; alt.id = "alt-" + item.id; alt.maxLength = 1000;
    alt.value = item.alt_text || "";
    var captionLabel = document.createElement("label");
    captionLabel.htmlFor = "caption-" + item.id;
    captionLabel.textContent = form.dataset.captionLabel || "Caption";
    var caption = document.createElement("textarea");
    caption.name = "caption-" + item.id; caption.id = "caption-" + item.id; caption.rows = 2;
    caption.maxLength = 10000; caption.value = item.caption || "";
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "link"; remove.dataset.removeMedia = item.id;
    remove.textContent = form.dataset.removeLabel || "Remove";
    var consentBox = document.createElement("span");
    consentBox.className = "choice";
    var consent = document.createElement("input");
    consent.type = "checkbox"; consent.name = "consent-" + item.id; consent.id = "consent-" + item.id;
    consent.value = "yes"; consent.checked = Boolean(item.consent);
    var consentLabel = document.createElement("label");
    consentLabel.htmlFor = consent.id;
    consentLabel.textContent = form.dataset.consentLabel || "Consent";
    consentBox.append(consent, consentLabel);
    li.append(hidden, img, info, label, alt, captionLabel, caption, consentBox, remove);
    document.getElementById("media-list").appendChild(li);
  }

  function upload(input) {
    if (!input.files || input.files.length === 0) { return; }
    var data = new FormData();
    Array.prototype.forEach.call(input.files, function (file) { data.append("images", file); });
    fetch(form.dataset.uploadUrl, {
      method: "POST", credentials: "same-origin", body: data,
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.content : "" }
    }).then(function (response) { return response.json(); })
      .then(function (result) {
        (result.media || []).forEach(addMedia);
        mediaProblems(result.problems || []);
        input.value = "";  // uploaded: do not send the files a second time with the form
        lastBody = null; check();
      }, function () { /* keep the files in the input: they go with the form instead */ });
  }

  function check() {
    var kind = form.elements.namedItem("kind");
    var vacancy = form.elements.namedItem("vacancy_id");
    var body = JSON.stringify({ text: text ? text.value : "", link: link ? link.value : "", media: mediaIds(),
                                texts: ownTexts(), kind: kind ? kind.value : "",
                                vacancy: vacancy ? parseInt(vacancy.value, 10) : null });
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

  form.addEventListener("click", function (event) {
    var id = event.target.dataset ? event.target.dataset.removeMedia : undefined;
    if (!id) { return; }
    var item = form.querySelector('[data-media-id="' + id + '"]');
    if (item) { item.remove(); }
    lastBody = null; check();
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "when") { syncWhen(); }
    if (event.target.name === "images") { upload(event.target); }
    if (event.target.name === "channels" || event.target.name === "kind") { lastBody = null; soon(); }
  });
  form.addEventListener("input", function (event) {
    if (event.target === text || event.target === link || event.target.dataset.network) { soon(); }
  });
  syncWhen();
  check();
}());
