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
