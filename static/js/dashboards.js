/* Dashboards: draw plotly figures embedded as JSON, and keep the period bar tidy.
 *
 * Each chart is a <div class="plotly-chart" data-figure="ID"> next to
 * <script type="application/json" id="ID">{figure}</script>. No network calls.
 */
(function () {
  "use strict";

  var CONFIG = {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };

  function draw(el) {
    if (el.dataset.drawn || typeof Plotly === "undefined") {
      return;
    }
    var source = document.getElementById(el.dataset.figure);
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    el.dataset.drawn = "1";
    Plotly.newPlot(el, figure.data || [], figure.layout || {}, CONFIG);
  }

  function drawVisible(root) {
    (root || document).querySelectorAll(".plotly-chart[data-figure]").forEach(function (el) {
      if (el.offsetParent !== null) {
        draw(el);
      }
    });
  }

  function resizeIn(root) {
    root.querySelectorAll(".plotly-chart[data-drawn]").forEach(function (el) {
      Plotly.Plots.resize(el);
    });
  }

  // Custom range fields only matter for "Custom range"; the month field for the others.
  function syncPeriodFields(form) {
    var select = form.querySelector("select[name=period]");
    if (!select) {
      return;
    }
    var custom = select.value === "custom";
    form.querySelectorAll("[data-period-field]").forEach(function (box) {
      var wanted = box.dataset.periodField === (custom ? "custom" : "anchor");
      box.hidden = !wanted;
      box.querySelectorAll("input").forEach(function (input) {
        input.disabled = !wanted;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawVisible(document);

    // Charts inside tabs are drawn when their tab is first shown (plotly needs a visible box to size).
    document.querySelectorAll('[data-bs-toggle="tab"]').forEach(function (tab) {
      tab.addEventListener("shown.bs.tab", function () {
        var pane = document.querySelector(tab.dataset.bsTarget);
        if (pane) {
          drawVisible(pane);
          resizeIn(pane);
        }
      });
    });

    document.querySelectorAll("form.dashboard-filters").forEach(function (form) {
      var select = form.querySelector("select[name=period]");
      syncPeriodFields(form);
      if (select) {
        select.addEventListener("change", function () {
          syncPeriodFields(form);
        });
      }
    });
  });
})();
