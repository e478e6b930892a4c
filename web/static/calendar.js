// Calendar: drag a delivery onto another day (and hour, in the week view); this fills in and submits
// the entry's own "Move" form, so the server checks it exactly like a typed move.
(function () {
  "use strict";
  var dragged = null;

  function cellOf(node) {
    return node && node.closest ? node.closest("td[data-date]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var entry = event.target.closest ? event.target.closest("[data-delivery]") : null;
    if (!entry) { return; }
    dragged = entry;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", entry.dataset.delivery);
    entry.classList.add("cal-dragging");
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("cal-dragging"); }
    dragged = null;
    document.querySelectorAll(".cal-drop").forEach(function (cell) { cell.classList.remove("cal-drop"); });
  });

  document.addEventListener("dragover", function (event) {
    var cell = cellOf(event.target);
    if (!dragged || !cell) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    cell.classList.add("cal-drop");
  });

  document.addEventListener("dragleave", function (event) {
    var cell = cellOf(event.target);
    if (cell && !cell.contains(event.relatedTarget)) { cell.classList.remove("cal-drop"); }
  });

  document.addEventListener("drop", function (event) {
    var cell = cellOf(event.target);
    if (!dragged || !cell) { return; }
    event.preventDefault();
    var form = dragged.querySelector("form");
    var date = form.querySelector("input[name=date]");
    var time = form.querySelector("input[name=time]");
    date.value = cell.dataset.date;
    if (cell.dataset.hour !== undefined) {
      // Keep the minutes; the row says the hour.
      var minutes = (time.value.split(":")[1] || "00");
      time.value = ("0" + cell.dataset.hour).slice(-2) + ":" + minutes;
    }
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
}());
