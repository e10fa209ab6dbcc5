// Small enhancements; every form works without them.
(function () {
  "use strict";
  // Move focus to the error summary so screen readers hear what needs fixing.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }

  // Preview a chosen photo before it is uploaded.
  document.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
    input.addEventListener("change", function () {
      var preview = document.getElementById(input.dataset.preview);
      var file = input.files && input.files[0];
      if (!preview) { return; }
      if (!file || !file.type.startsWith("image/")) { preview.hidden = true; return; }
      preview.src = URL.createObjectURL(file);
      preview.alt = "Forhåndsvisning av " + file.name;
      preview.hidden = false;
    });
  });
})();

// Print buttons (inline handlers would need 'unsafe-inline' in the CSP).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
