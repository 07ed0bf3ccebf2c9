// Small conveniences on top of pages that work without script: a select marked
// data-autosubmit sends its form when changed (its button is then hidden), and a
// checkbox marked data-select-all="NAME" ticks every NAME checkbox of its form.
"use strict";
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  for (const all of document.querySelectorAll("input[data-select-all]")) {
    const form = all.getAttribute("form");
    const boxes = () => document.querySelectorAll(
      `input[type=checkbox][name="${all.dataset.selectAll}"][form="${form}"]`);
    all.hidden = false;
    all.addEventListener("change", () => {
      for (const box of boxes()) box.checked = all.checked;
    });
  }
});
