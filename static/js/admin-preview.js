// Inline rows added with "Add another" are cloned after htmx has scanned the page: let it see them.
document.addEventListener("formset:added", function (event) {
  if (window.htmx) { window.htmx.process(event.target); }
});
