/* Pickers that search: every <select data-search-url> becomes a Tom Select that asks the server.
 *
 * The server renders only the chosen option(s) (core.widgets.SearchSelect); opening the picker shows the
 * first results of the lookup, typing searches it (debounced, from data-search-min characters). The lookup
 * is the judge of what matches (it searches names, SKUs, domains), so the picker shows what it answered
 * and filters nothing itself. Rows added later (a new deal line from its <template>) are set up as they
 * appear. Without JavaScript, or without Tom Select, the select stays a plain select with its value.
 */
(function () {
  "use strict";

  var SELECTOR = "select[data-search-url]";

  function lookupUrl(base, query) {
    return base + (base.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
  }

  function setUp(select) {
    if (select.tomselect || typeof TomSelect === "undefined") {
      return;
    }
    var base = select.dataset.searchUrl;
    var min = parseInt(select.dataset.searchMin || "1", 10);
    var latest = 0;
    var settings = {
      valueField: "id",
      labelField: "text",
      searchField: ["text"],
      maxOptions: null,
      preload: "focus",
      loadThrottle: 250,
      allowEmptyOption: true,
      placeholder: select.dataset.placeholder || "",
      // The lookup already matched; show what it answered, in its order.
      score: function () {
        return function () {
          return 1;
        };
      },
      shouldLoad: function (query) {
        return query.length === 0 || query.length >= min;
      },
      load: function (query, callback) {
        var self = this;
        var ticket = ++latest;
        fetch(lookupUrl(base, query), {
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" }
        })
          .then(function (response) {
            if (!response.ok) {
              throw new Error("lookup answered " + response.status);
            }
            return response.json();
          })
          .then(function (data) {
            if (ticket !== latest) {
              callback();
              return;
            }
            // Drop the previous answer's rows (the chosen ones stay), so the list is this answer only.
            self.clearOptions();
            callback(data.results || []);
          })
          .catch(function () {
            callback();
          });
      },
      render: {
        not_loading: function () {
          return '<div class="no-results">Type ' + min + " or more characters…</div>";
        },
        no_results: function () {
          return '<div class="no-results">No match.</div>';
        },
        loading: function () {
          return '<div class="spinner-border spinner-border-sm m-2" role="status"><span class="visually-hidden">Searching…</span></div>';
        }
      }
    };
    if (select.multiple) {
      settings.plugins = ["remove_button"];
    }
    var hadFocus = document.activeElement === select; // e.g. a new deal line, focused as it was added
    var picker = new TomSelect(select, settings);
    // Tom Select refreshes its list 300 ms after typing and opens it, which focuses it again: if the user
    // has moved on to another field by then, that would pull the focus back. Open only while focused.
    var open = picker.open.bind(picker);
    picker.open = function () {
      if (picker.wrapper.contains(document.activeElement)) {
        open();
      }
    };
    if (hadFocus) {
      picker.focus();
    }
  }

  function setUpIn(root) {
    if (root.matches && root.matches(SELECTOR)) {
      setUp(root);
    }
    if (root.querySelectorAll) {
      root.querySelectorAll(SELECTOR).forEach(setUp);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpIn(document);
    // Rows inserted later (deal lines, htmx swaps): nodes inside a <template> are not in the document, so
    // only rows really added are set up.
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) {
          if (node.nodeType === 1 && !node.classList.contains("ts-wrapper")) {
            setUpIn(node);
          }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
