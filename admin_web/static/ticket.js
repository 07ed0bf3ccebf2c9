// The ticket page: Insert puts the chosen canned answer into the reply at the cursor (or
// after the draft), in place, so nothing the agent typed is lost; pictures that cannot be
// shown leave just their file name.
"use strict";
(function () {
  const text = document.getElementById("reply-text");
  const select = document.getElementById("canned-select");
  const insert = document.getElementById("insert-canned");
  let touched = false;  // the agent has put the cursor somewhere in the text
  if (text) {
    text.addEventListener("focus", function () { touched = true; });
  }
  if (text && select && insert) {
    insert.addEventListener("click", function (event) {
      event.preventDefault();
      const option = select.options[select.selectedIndex];
      if (!option) { return; }
      const canned = option.dataset.text || "";
      const end = touched ? text.selectionEnd : text.value.length;
      const start = touched ? text.selectionStart : end;
      const before = text.value.slice(0, start);
      const gap = before && !/\s$/.test(before) ? "\n" : "";
      text.setRangeText(gap + canned, start, end, "end");
      text.focus();
      text.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }
  function hideBroken(img) {
    if (img.complete && img.naturalWidth === 0) { img.parentElement.hidden = true; }
  }
  document.querySelectorAll("a.preview img").forEach(function (img) {
    img.addEventListener("error", function () { img.parentElement.hidden = true; });
    hideBroken(img);
  });
}());
