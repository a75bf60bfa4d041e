// The article's small helpers; it works without them.
(function () {
  "use strict";
  // Remember checklist ticks in this browser.
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

  // The FAQ answers are folded; a link to one (search results point at #faq-...) opens it.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") target.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
