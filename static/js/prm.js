/* Behaviour every page shares, kept out of the HTML so the Content-Security-Policy can forbid inline code.
 *
 * - [data-select-on-click]: a read-only field (a new token, a signing secret) selects its text on click.
 * - [data-width], [data-left]: a bar's width or a marker's position in percent, set through the style
 *   object (inline style attributes are refused by the policy).
 * - A field shown with an error (.is-invalid, or aria-invalid="true" as Django marks it) loses the error
 *   once it is changed: its mark and the .invalid-feedback messages of its own group (its fieldset, else
 *   its parent) go, so only what is still wrong stays red. The server checks again on the next submit.
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

  var INVALID = ".is-invalid, [aria-invalid='true']";

  function clearError(field) {
    if (!field.name || !field.matches || !field.matches(INVALID)) {
      return;
    }
    var group = field.closest("fieldset") || field.parentElement;
    if (!group) {
      return;
    }
    var names = {};
    Array.prototype.forEach.call(group.querySelectorAll("input[name], select[name], textarea[name]"), function (el) {
      if (el.type !== "hidden") {
        names[el.name] = true;
      }
      if (el.name === field.name) {
        el.classList.remove("is-invalid");
        el.removeAttribute("aria-invalid");
      }
    });
    // A group holding several fields keeps its messages: they may concern another field.
    if (Object.keys(names).length === 1) {
      Array.prototype.forEach.call(group.querySelectorAll(".invalid-feedback"), function (feedback) {
        feedback.remove();
      });
    }
  }

  ["input", "change"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (event.target instanceof Element) {
        clearError(event.target);
      }
    });
  });

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
