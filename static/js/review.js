// The review screen: turn a selection in the report's text into body offsets for the tagging
// form, link marked passages and their rows both ways, and set a whole section's decision at once.
// Every paragraph carries data-offset (its first character's offset in the body) and its
// textContent is exactly that paragraph of the body, so offsets survive the <mark> elements.
(function () {
  "use strict";
  const text = document.getElementById("review-text");
  if (!text) return;

  function bodyOffset(node, offset) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const paragraph = element && element.closest("p[data-offset]");
    if (!paragraph || !text.contains(paragraph)) return null;
    const range = document.createRange();
    range.setStart(paragraph, 0);
    range.setEnd(node, offset);
    return Number(paragraph.dataset.offset) + range.toString().length;
  }

  const start = document.getElementById("id_tag-start");
  const end = document.getElementById("id_tag-end");
  const preview = document.getElementById("tag-selection");

  function takeSelection() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !start || !end) return;
    const a = bodyOffset(selection.anchorNode, selection.anchorOffset);
    const b = bodyOffset(selection.focusNode, selection.focusOffset);
    if (a === null || b === null || a === b) return;
    start.value = Math.min(a, b);
    end.value = Math.max(a, b);
    preview.textContent = selection.toString();
    preview.classList.add("review-selected");
    document.getElementById("tag").classList.add("review-flash");
    setTimeout(() => document.getElementById("tag").classList.remove("review-flash"), 800);
  }
  text.addEventListener("mouseup", takeSelection);
  text.addEventListener("keyup", takeSelection);

  function flash(element) {
    if (!element) return;
    element.scrollIntoView({ block: "center", behavior: "smooth" });
    element.classList.add("review-flash");
    setTimeout(() => element.classList.remove("review-flash"), 1200);
  }

  text.addEventListener("click", (event) => {
    const mark = event.target.closest("mark[data-mention]");
    if (mark && window.getSelection().isCollapsed) flash(document.getElementById("mention-" + mark.dataset.mention));
  });
  document.querySelectorAll("a[data-jump]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const mark = text.querySelector('mark[data-mention="' + link.dataset.jump + '"]');
      if (mark) {
        event.preventDefault();
        flash(mark);
      }
    });
  });

  document.querySelectorAll("button[data-set-all]").forEach((button) => {
    button.addEventListener("click", () => {
      const section = document.getElementById(button.dataset.setAll);
      section.querySelectorAll('input[type=radio][value="' + button.dataset.decision + '"]').forEach((radio) => {
        radio.checked = true;
      });
    });
  });
  text.dataset.ready = "1"; // for tests: the handlers above are in place
})();
