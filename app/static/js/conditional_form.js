/* Forms that show only the fields that apply (app.admin_fields.ReadableFormsMixin.form_conditions).
 *
 * <div id="form-conditions" data-conditions='{"field": {"controller": ["value", ...], ...}}'>:
 * a field's row is shown only while every controller has one of the listed values; a hidden
 * field is disabled, so it is not submitted (the server then sees it empty).
 */
(function () {
  "use strict";
  var holder = document.getElementById("form-conditions");
  if (!holder) { return; }
  var conditions = JSON.parse(holder.getAttribute("data-conditions") || "{}");

  function control(name) { return document.querySelector("form [name='" + name + "']"); }
  function value(name) {
    var input = control(name);
    if (!input) { return null; }
    if (input.type === "checkbox") { return input.checked ? "y" : ""; }
    return input.value;
  }

  function update() {
    Object.keys(conditions).forEach(function (field) {
      var input = control(field);
      if (!input) { return; }
      var rule = conditions[field];
      var shown = Object.keys(rule).every(function (controller) {
        return rule[controller].indexOf(value(controller)) !== -1;
      });
      var row = input.closest("tr") || input.closest(".form-group") || input.parentNode;
      row.style.display = shown ? "" : "none";
      row.classList.toggle("field-not-applicable", !shown);
      Array.prototype.forEach.call(row.querySelectorAll("input, select, textarea"), function (node) {
        node.disabled = !shown;
      });
    });
  }

  var controllers = {};
  Object.keys(conditions).forEach(function (field) {
    Object.keys(conditions[field]).forEach(function (name) { controllers[name] = true; });
  });
  Object.keys(controllers).forEach(function (name) {
    var input = control(name);
    if (!input) { return; }
    input.addEventListener("change", update);
    if (window.jQuery) { window.jQuery(input).on("change", update); }  // Select2 fires jQuery events
  });
  update();
})();
