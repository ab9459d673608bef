// Registration form: add product lines, show the list price as a hint, hide the new-customer fields when an
// existing customer is chosen. Without JavaScript the form still works (one line, all fields visible).
(function () {
  "use strict";
  var form = document.getElementById("deal-form");
  if (!form) { return; }
  var prices = JSON.parse(document.getElementById("list-prices").textContent || "{}");
  var total = form.querySelector("#id_lines-TOTAL_FORMS");
  var max = form.querySelector("#id_lines-MAX_NUM_FORMS");
  var body = document.getElementById("lines-body");
  var template = document.getElementById("empty-line");

  function hintPrice(select) {
    var row = select.closest("tr");
    var price = row && row.querySelector("input[name$='-unit_price']");
    if (price) { price.placeholder = prices[select.value] ? "List price " + prices[select.value] : ""; }
  }

  function renumber() {
    body.querySelectorAll("tr.line-row .line-number").forEach(function (cell, index) {
      cell.textContent = index + 1;
    });
  }

  document.getElementById("add-line").addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) { return; }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    renumber();
    var rows = body.querySelectorAll("tr.line-row");
    var select = rows[rows.length - 1].querySelector("select");
    if (select) { select.focus(); }
  });

  body.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='-product']")) { hintPrice(event.target); }
  });
  body.querySelectorAll("select[name$='-product']").forEach(hintPrice);

  var customer = document.getElementById("id_customer");
  var fresh = document.getElementById("new-customer");
  function toggleCustomer() {
    var hide = customer && customer.value !== "";
    if (fresh) { fresh.hidden = hide; }
  }
  if (customer) { customer.addEventListener("change", toggleCustomer); toggleCustomer(); }
})();
