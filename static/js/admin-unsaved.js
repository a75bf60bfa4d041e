// Ask before leaving an admin form with unsaved changes: a typed explanation is an editor's work.
// Nothing is asked once the form is being submitted, or when nothing was typed or picked.
(function () {
  "use strict";
  var changed = false;
  function watch(form) {
    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("change", function () { changed = true; });
    form.addEventListener("submit", function () { changed = false; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("#content-main form[method=post], #content-main form[method=POST]");
    Array.prototype.forEach.call(forms, watch);
  });
  window.addEventListener("beforeunload", function (event) {
    if (!changed) { return; }
    event.preventDefault();
    event.returnValue = "";  // older browsers ask only when this is set
  });
}());
