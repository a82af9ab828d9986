// "Copy IRI": the Clipboard API where the page may use it, else a selected text field and execCommand.
(function () {
  "use strict";
  function fallback(text) {
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.opacity = "0";
    document.body.appendChild(field);
    field.select();
    var ok = document.execCommand("copy");
    document.body.removeChild(field);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var status = button.parentNode.querySelector(".copied");
    button.addEventListener("click", function () {
      var text = button.dataset.copy;
      var copy = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(text).catch(function () { return fallback(text); })
        : fallback(text);
      copy.then(function () { status.textContent = "IRI copied"; },
                function () { status.textContent = "Copy failed: select the IRI above"; });
    });
  });
})();
