// Small enhancements; every form works without them.
(function () {
  "use strict";
  // Move focus to the error summary so screen readers hear what needs fixing.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
  // After a button beside a chosen photo reloaded the form: back to the photo it moved (or
  // the next one after a removal); the status region says what happened.
  // After the browser has scrolled to the URL's #fragment, which would leave focus on <body>.
  var arranged = document.querySelector("[data-focus-on-load]");
  if (arranged && !summary) {
    window.addEventListener("load", function () {
      window.setTimeout(function () { arranged.focus(); }, 0);
    });
  }

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

  // Preview several chosen photos, each with a field for its description, sent in the
  // order of the files (the server reads them as photos_alt_text).
  document.querySelectorAll("input[type=file][data-previews]").forEach(function (input) {
    var list = document.getElementById(input.dataset.previews);
    var altLabel = input.dataset.altLabel || "Beskriv bildet for dem som ikke ser det";
    if (!list) { return; }
    input.addEventListener("change", function () {
      list.textContent = "";
      Array.prototype.forEach.call(input.files || [], function (file, index) {
        if (!file.type.startsWith("image/")) {
          // Keeps the descriptions in step with the files; the server names this one.
          var placeholder = document.createElement("input");
          placeholder.type = "hidden";
          placeholder.name = "photos_alt_text";
          list.append(placeholder);
          return;
        }
        var item = document.createElement("li");
        item.className = "chosen-photo__fields";
        var image = document.createElement("img");
        image.className = "chosen-photo__image";
        image.src = URL.createObjectURL(file);
        image.alt = "";
        var field = document.createElement("div");
        field.className = "ds-field";
        var fieldLabel = document.createElement("label");
        fieldLabel.className = "ds-label";
        fieldLabel.htmlFor = input.id + "-alt-" + index;
        fieldLabel.textContent = altLabel + " (" + file.name + ")";
        var text = document.createElement("input");
        text.className = "ds-input";
        text.id = input.id + "-alt-" + index;
        text.name = "photos_alt_text";
        text.maxLength = 300;
        field.append(fieldLabel, text);
        item.append(image, field);
        list.append(item);
      });
      list.hidden = !list.querySelector("li");
    });
  });
})();

// Print buttons (inline handlers would need 'unsafe-inline' in the CSP).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
