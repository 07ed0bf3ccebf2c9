/* The settings editors: an action row shows only the fields of its action, a rule shows only
   its trigger's settings, and a long list of checkboxes gets a filter box. Without this
   script every field is shown and the server ignores those an action does not use. */
(function () {
  "use strict";

  function toggle(part, on) {
    part.hidden = !on;
    part.querySelectorAll("input, select, textarea").forEach(function (control) {
      control.disabled = !on;
    });
    if (part.matches("input, select, textarea")) { part.disabled = !on; }
  }

  function showAction(row) {
    var kind = row.querySelector("[data-action-kind]").value;
    var status = row.querySelector("[data-action-status]");
    row.querySelectorAll("[data-kinds]").forEach(function (part) {
      var on = kind !== "" && part.dataset.kinds.split(" ").indexOf(kind) >= 0;
      // a field of one status only ("On hold for, hours"): shown when that status is chosen
      if (part.dataset.status && status) { on = on && status.value === part.dataset.status; }
      toggle(part, on);
    });
  }

  function showTrigger(form, select) {
    form.querySelectorAll("[data-triggers]").forEach(function (part) {
      toggle(part, part.dataset.triggers.split(" ").indexOf(select.value) >= 0);
    });
  }

  function addFilter(list) {
    var options = list.querySelectorAll(".options > label");
    if (options.length < 5 || list.dataset.nofilter) { return; }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "filter";
    box.placeholder = list.dataset.filter || "";
    box.setAttribute("aria-label", list.dataset.filter || "");
    box.addEventListener("input", function () {
      var wanted = box.value.trim().toLocaleLowerCase();
      options.forEach(function (option) {
        option.hidden = wanted !== "" &&
          option.textContent.toLocaleLowerCase().indexOf(wanted) < 0;
      });
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // not a submit
    });
    list.querySelector(".options").before(box);
  }

  document.querySelectorAll("fieldset.action").forEach(function (row) {
    var kind = row.querySelector("[data-action-kind]");
    if (!kind) { return; }
    showAction(row);
    kind.addEventListener("change", function () { showAction(row); });
    var status = row.querySelector("[data-action-status]");
    if (status) { status.addEventListener("change", function () { showAction(row); }); }
  });
  document.querySelectorAll("[data-trigger]").forEach(function (select) {
    var form = select.form;
    showTrigger(form, select);
    select.addEventListener("change", function () { showTrigger(form, select); });
  });
  document.querySelectorAll(".checklist").forEach(addFilter);
})();
