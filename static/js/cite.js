/* The 引用 (cite) dialog on a report page: for the report, or for one paragraph from the small
   button placed after each paragraph number. It fetches every format from the citation API and
   offers each to copy or download. Without JavaScript the 引用 link opens the GB/T 7714 text. */
(function () {
  "use strict";

  function init() {
    var opener = document.querySelector("a.cite-open[data-cite-url]");
    var dialog = document.querySelector("dialog.cite-dialog");
    if (!opener || !dialog || typeof dialog.showModal !== "function") return;
    var baseUrl = opener.getAttribute("data-cite-url");
    var scope = dialog.querySelector(".cite-scope");
    var status = dialog.querySelector(".cite-status");
    var paragraphLabel = dialog.getAttribute("data-paragraph-label");

    function open(paragraph) {
      var query = paragraph ? "?paragraph=" + paragraph : "";
      scope.textContent = paragraph ? " · ¶" + paragraph : "";
      status.textContent = "…";
      Array.prototype.forEach.call(dialog.querySelectorAll("textarea[data-style]"), function (area) {
        area.value = "";
      });
      Array.prototype.forEach.call(dialog.querySelectorAll("a.cite-download"), function (link) {
        var style = link.getAttribute("data-style");
        link.href = baseUrl + "?style=" + style + (paragraph ? "&paragraph=" + paragraph : "");
      });
      dialog.showModal();
      fetch(baseUrl + query, { headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (formats) {
          Array.prototype.forEach.call(dialog.querySelectorAll("textarea[data-style]"), function (area) {
            area.value = formats[area.getAttribute("data-style").replace("-", "_")] || "";
          });
          status.textContent = "";
        })
        .catch(function (error) { status.textContent = error.message; });
    }

    opener.addEventListener("click", function (event) {
      event.preventDefault();
      open(null);
    });

    Array.prototype.forEach.call(document.querySelectorAll(".doc-body p[id^='p'] > a.pnum"), function (number) {
      var paragraph = number.parentNode.id.slice(1);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "cite-paragraph";
      button.textContent = "❝";
      button.setAttribute("aria-label", paragraphLabel.replace("N", paragraph));
      button.title = button.getAttribute("aria-label");
      button.addEventListener("click", function () { open(paragraph); });
      number.insertAdjacentElement("afterend", button);
    });

    dialog.addEventListener("click", function (event) {
      var copy = event.target.closest("button.cite-copy");
      if (!copy) return;
      var area = document.getElementById(copy.getAttribute("data-target"));
      area.select();
      var done = function () { copy.setAttribute("data-copied", "1"); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(area.value).then(done, done);
      else { document.execCommand("copy"); done(); }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
