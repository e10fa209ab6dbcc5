// The header's "Meny" is a popover and works without this script. The script states
// aria-expanded on the button outright, and closes the menu when the screen grows wide
// enough to show it in the header.
(function () {
  "use strict";
  var menu = document.getElementById("site-menu");
  var button = document.querySelector(".site-menu-button");
  if (!menu || !button) { return; }
  if (!HTMLElement.prototype.hasOwnProperty("popover")) {
    // Without popovers the menu's content is simply shown; the button would do nothing.
    button.hidden = true;
    return;
  }
  button.setAttribute("aria-controls", "site-menu");
  button.setAttribute("aria-expanded", "false");
  menu.addEventListener("toggle", function (event) {
    button.setAttribute("aria-expanded", event.newState === "open" ? "true" : "false");
  });
  var wide = window.matchMedia("(min-width: 64rem)");
  wide.addEventListener("change", function () {
    if (wide.matches && menu.matches(":popover-open")) { menu.hidePopover(); }
  });
})();
