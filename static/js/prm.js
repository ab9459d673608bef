/* Behaviour every page shares, kept out of the HTML so the Content-Security-Policy can forbid inline code.
 *
 * - [data-select-on-click]: a read-only field (a new token, a signing secret) selects its text on click.
 * - [data-width], [data-left]: a bar's width or a marker's position in percent, set through the style
 *   object (inline style attributes are refused by the policy).
 */
(function () {
  "use strict";

  function percent(value) {
    var number = parseFloat(value);
    return isFinite(number) ? Math.max(0, Math.min(100, number)) + "%" : null;
  }

  function apply(root) {
    var selector = "[data-width], [data-left]";
    var elements = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) {
      elements.push(root);
    }
    elements.forEach(function (el) {
      var width = percent(el.dataset.width);
      var left = percent(el.dataset.left);
      if (width !== null) {
        el.style.width = width;
      }
      if (left !== null) {
        el.style.left = left;
      }
    });
  }

  document.addEventListener("click", function (event) {
    var field = event.target.closest && event.target.closest("[data-select-on-click]");
    if (field) {
      field.select();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    apply(document);
  });
  // Content htmx swaps in (e.g. an import's progress) carries bars too.
  document.addEventListener("htmx:load", function (event) {
    apply(event.target);
  });
})();
