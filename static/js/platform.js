// Show the steps for the visitor's phone and fold the other phone's. The page is cached and shared by
// everyone, so the choice is made here: from the visitor's own pick for this visit, else the User-Agent.
// Without this script both versions stay open, each labelled.
(function () {
  "use strict";
  var KEY = "platform";

  function guess() {
    var agent = navigator.userAgent;
    // iPadOS asks for desktop pages as a Mac; a Mac with a touch screen is an iPad.
    if (/iPhone|iPad|iPod/.test(agent) || (/Macintosh/.test(agent) && navigator.maxTouchPoints > 1)) return "iphone";
    if (/Android/.test(agent)) return "android";
    return "";
  }

  function chosen() {
    try { return sessionStorage.getItem(KEY) || ""; } catch (e) { return ""; }
  }

  function show(platform) {
    if (platform) document.documentElement.dataset.platform = platform;
    document.querySelectorAll("[data-platforms]").forEach(function (block) {
      var mine = block.querySelector('.platform[data-platform="' + platform + '"]');
      block.querySelectorAll(".platform").forEach(function (version) {
        version.open = !platform || !mine || version === mine;
      });
      // Yours first in reading order too, not just the only one open.
      if (mine && mine !== block.firstElementChild) block.insertBefore(mine, block.firstElementChild);
      var switcher = block.querySelector(".platform-switch");
      if (!switcher) return;
      switcher.hidden = false;
      switcher.querySelectorAll("[data-choose-platform]").forEach(function (button) {
        button.hidden = button.dataset.choosePlatform === platform;
      });
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-choose-platform]");
    if (!button) return;
    var platform = button.dataset.choosePlatform;
    try { sessionStorage.setItem(KEY, platform); } catch (e) { /* storage blocked: the choice lasts for this page */ }
    show(platform);
    // The button just pressed is now hidden; keep the keyboard focus on this step's phone steps.
    var block = button.closest("[data-platforms]");
    var summary = block && block.querySelector('.platform[data-platform="' + platform + '"] summary');
    if (summary) summary.focus();
  });

  show(chosen() || guess());
})();
