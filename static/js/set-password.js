// Set-password form, progressively enhanced: a "show passwords" switch, and a mismatch between
// the two fields is caught before sending, so nobody has to type both passwords again for a
// typo in the repeat. The texts come from the form's data attributes (translated server-side).
(function () {
  "use strict";
  var form = document.querySelector("form[data-password-form]");
  if (!form) { return; }
  var first = form.querySelector("#id_new_password1");
  var repeat = form.querySelector("#id_new_password2");
  if (!first || !repeat) { return; }

  var toggleId = "wachtwoord-tonen";
  var wrapper = document.createElement("div");
  wrapper.className = "radio";
  var toggle = document.createElement("input");
  toggle.type = "checkbox";
  toggle.id = toggleId;
  var label = document.createElement("label");
  label.htmlFor = toggleId;
  label.textContent = form.getAttribute("data-show-label");
  wrapper.appendChild(toggle);
  wrapper.appendChild(label);
  repeat.closest(".field").after(wrapper);
  toggle.addEventListener("change", function () {
    var type = toggle.checked ? "text" : "password";
    first.type = type;
    repeat.type = type;
  });

  // A live indication of strength while typing (ASVS 2.1.8). The register decides on submit
  // (length, common and breached lists, zxcvbn); this only counts length and character kinds.
  var meter = document.getElementById("password-strength");
  if (meter) {
    first.addEventListener("input", function () {
      var value = first.value;
      if (!value) { meter.textContent = ""; return; }
      if (value.length < 12) {
        meter.textContent = meter.getAttribute("data-short").replace("{n}", String(12 - value.length));
        return;
      }
      var pool = 0;
      if (/[a-z]/.test(value)) { pool += 26; }
      if (/[A-Z]/.test(value)) { pool += 26; }
      if (/[0-9]/.test(value)) { pool += 10; }
      if (/[^A-Za-z0-9]/.test(value)) { pool += 33; }
      var distinct = new Set(value.split("")).size;
      var bits = Math.min(value.length, distinct * 2) * Math.log2(Math.max(pool, 2));
      var word = bits < 50 ? "data-weak" : (bits < 75 ? "data-fair" : "data-strong");
      meter.textContent = meter.getAttribute(word);
    });
  }

  var errorId = "id_new_password2_mismatch";
  form.addEventListener("submit", function (event) {
    var old = document.getElementById(errorId);
    if (old) { old.remove(); }
    var field = repeat.closest(".field");
    if (!first.value || !repeat.value || first.value === repeat.value) {
      field.classList.remove("field-invalid");
      return;
    }
    event.preventDefault();
    var error = document.createElement("p");
    error.className = "field-error";
    error.id = errorId;
    error.setAttribute("role", "alert");
    error.textContent = form.getAttribute("data-mismatch");
    field.classList.add("field-invalid");
    repeat.before(error);
    repeat.setAttribute("aria-describedby", errorId);
    repeat.focus();
    repeat.select();
  });
})();
