// Tasks page: "Copy text" puts the ready post on the clipboard (the text can also be selected by hand).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var id = event.target.dataset ? event.target.dataset.copy : undefined;
    if (!id) { return; }
    var area = document.getElementById(id);
    area.select();
    if (navigator.clipboard) {
      navigator.clipboard.writeText(area.value).catch(function () { document.execCommand("copy"); });
    } else {
      document.execCommand("copy");
    }
  });
}());
