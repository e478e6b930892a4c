// Keep the delivery list current without reloading: poll /api/deliveries with the last ETag and
// replace only rows whose version changed. Without JavaScript the page still works (reload).
(function () {
  "use strict";
  var region = document.getElementById("deliveries");
  if (!region || !window.fetch) { return; }
  var url = region.dataset.pollUrl;
  var etag = region.dataset.etag ? '"' + region.dataset.etag + '"' : null;
  var tbody = region.querySelector("tbody");
  var empty = region.querySelector(".empty");
  var status = document.getElementById("poll-status");
  var INTERVAL_MS = 2500;
  var timer = null;

  function fromHtml(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  // A row the person is using (focus inside, or an open "Mark as published" form) is left alone
  // until they are done; the next poll brings it up to date.
  function busy(row) {
    return row.contains(document.activeElement) || row.querySelector("details[open]") !== null;
  }

  function apply(data) {
    var existing = {};
    Array.prototype.forEach.call(tbody.children, function (row) { existing[row.dataset.id] = row; });
    var previous = null;
    data.rows.forEach(function (item) {
      var key = String(item.id);
      var row = existing[key];
      delete existing[key];
      if (row && row.dataset.version !== item.version && !busy(row)) {
        var fresh = fromHtml(item.html);
        row.replaceWith(fresh);
        row = fresh;
      } else if (!row) {
        row = fromHtml(item.html);
      }
      var wanted = previous ? previous.nextElementSibling : tbody.firstElementChild;
      if (wanted !== row && !busy(row)) { tbody.insertBefore(row, wanted); }
      previous = row;
    });
    Object.keys(existing).forEach(function (key) {
      if (!busy(existing[key])) { existing[key].remove(); }
    });
    Object.keys(data.counts).forEach(function (group) {
      var count = document.querySelector('[data-count="' + group + '"]');
      if (count) { count.textContent = data.counts[group]; }
    });
    if (empty) { empty.hidden = tbody.children.length > 0; }
  }

  function schedule() {
    timer = window.setTimeout(poll, INTERVAL_MS);
  }

  function poll() {
    if (document.hidden) { schedule(); return; }
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) {
          if (status) { status.textContent = region.dataset.sessionEnded; }
          return "stop";
        }
        if (response.status === 304 || !response.ok) { return null; }
        etag = response.headers.get("ETag");
        return response.json().then(apply);
      })
      .then(function (outcome) { if (outcome !== "stop") { schedule(); } },
            function () { schedule(); });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { window.clearTimeout(timer); poll(); }
  });
  schedule();
}());
