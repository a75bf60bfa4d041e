// Remember checklist ticks in this browser. The checklist works without it.
(function () {
  "use strict";
  document.querySelectorAll("ol[data-checklist]").forEach(function (list) {
    var key = "checklist:" + list.dataset.checklist;
    var done;
    try { done = JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { done = []; }
    list.querySelectorAll('input[type="checkbox"]').forEach(function (box) {
      box.checked = done.indexOf(box.value) !== -1;
      box.closest("li").classList.toggle("done", box.checked);
      box.addEventListener("change", function () {
        var ticked = Array.prototype.filter.call(
          list.querySelectorAll('input[type="checkbox"]'), function (b) { return b.checked; }
        ).map(function (b) { return b.value; });
        box.closest("li").classList.toggle("done", box.checked);
        try { localStorage.setItem(key, JSON.stringify(ticked)); } catch (e) { /* storage full or blocked */ }
      });
    });
  });
})();
