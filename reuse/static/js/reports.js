// A print button where JavaScript runs; without it the page says to use the browser's print.
// The report's filter opened on wide screens.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-print-hint]").forEach(function (hint) { hint.hidden = true; });
  // The filter folds away on phones only: where there is room, it stays open.
  if (window.matchMedia("(min-width: 40rem)").matches) {
    document.querySelectorAll("[data-report-filter]").forEach(function (details) { details.open = true; });
  }
})();
