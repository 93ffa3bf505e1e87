/* ptrack status site: sorting and filtering of the tracking table.
 * Plain JavaScript, no dependencies, no network. The table is complete in the HTML; this script
 * only reorders rows and hides the ones that do not match. Data comes from the table's DOM and
 * from the JSON block #ptrack-data (parsed, never evaluated); text is set with textContent only.
 */
(function () {
  "use strict";

  function readData() {
    var el = document.getElementById("ptrack-data");
    if (!el) return { labels: {} };
    try {
      return JSON.parse(el.textContent || "{}");
    } catch (e) {
      return { labels: {} };
    }
  }

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (m, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : m;
    });
  }

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var v = cell.getAttribute("data-sort");
    return v !== null ? v : (cell.textContent || "").trim();
  }

  function makeSortable(table, locale) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    var tbody = table.tBodies[0];
    var collator = (window.Intl && Intl.Collator) ? new Intl.Collator(locale || undefined, { numeric: true, sensitivity: "base" }) : null;
    var state = { index: -1, dir: 1 };

    function compare(type, a, b) {
      var ea = a === "", eb = b === "";
      if (ea || eb) return ea === eb ? 0 : (ea ? 1 : -1); /* empty cells last */
      if (type === "number") return parseFloat(a) - parseFloat(b);
      if (type === "date") return a < b ? -1 : a > b ? 1 : 0;
      return collator ? collator.compare(a, b) : (a < b ? -1 : a > b ? 1 : 0);
    }

    function sortBy(index) {
      var th = headers[index];
      var type = th.getAttribute("data-sort-type") || "text";
      state.dir = state.index === index ? -state.dir : 1;
      state.index = index;
      var rows = Array.prototype.slice.call(tbody.rows);
      var dir = state.dir;
      rows.sort(function (r1, r2) {
        var a = cellValue(r1, index), b = cellValue(r2, index);
        var ea = a === "", eb = b === "";
        var c = (ea || eb) ? compare(type, a, b) : dir * compare(type, a, b);
        if (c === 0) c = parseInt(r1.getAttribute("data-index"), 10) - parseInt(r2.getAttribute("data-index"), 10);
        return c;
      });
      rows.forEach(function (r) { tbody.appendChild(r); });
      for (var i = 0; i < headers.length; i++) {
        if (i === index) headers[i].setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        else headers[i].removeAttribute("aria-sort");
      }
    }

    Array.prototype.forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-btn";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(index); });
    });
  }

  function makeFilterable(table, form, data) {
    var tbody = table.tBodies[0];
    var selects = form.querySelectorAll("select[data-filter]");
    var search = form.querySelector("input[data-search]");
    var focusOnly = form.querySelector("input[data-focus-only]");
    var shown = form.querySelector("[data-shown]");
    var noMatch = table.parentNode.querySelector("[data-no-match]");
    var total = tbody.rows.length;
    var template = (data.labels && data.labels.rows_shown) || "{shown} / {total}";

    function apply() {
      var wanted = [];
      Array.prototype.forEach.call(selects, function (s) {
        if (s.value !== "*") wanted.push([s.getAttribute("data-filter"), s.value]);
      });
      var needle = search ? search.value.trim().toLocaleLowerCase() : "";
      var onlyFocus = focusOnly && focusOnly.checked;
      var count = 0;
      Array.prototype.forEach.call(tbody.rows, function (row) {
        var ok = true;
        for (var i = 0; i < wanted.length && ok; i++) {
          ok = row.getAttribute("data-" + wanted[i][0]) === wanted[i][1];
        }
        if (ok && onlyFocus) ok = row.getAttribute("data-focus") === "1";
        if (ok && needle) ok = (row.textContent || "").toLocaleLowerCase().indexOf(needle) !== -1;
        row.hidden = !ok;
        if (ok) count++;
      });
      if (shown) shown.textContent = format(template, { shown: count, total: total });
      if (noMatch) noMatch.hidden = count !== 0;
    }

    Array.prototype.forEach.call(selects, function (s) { s.addEventListener("change", apply); });
    if (search) search.addEventListener("input", apply);
    if (focusOnly) focusOnly.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.hidden = false;
    apply();
  }

  /* On a phone the tracking table is a list of cards (ptrack.css); this button shows it as the
   * full table instead (it scrolls sideways inside its frame), and back. */
  function makeSwitchable(table) {
    var button = document.querySelector("[data-full-table]");
    if (!button) return;
    var section = table.closest("section");
    button.addEventListener("click", function () {
      var full = table.classList.contains("cards");
      table.classList.toggle("cards", !full);
      if (section) section.classList.toggle("full-table", full);
      button.setAttribute("aria-pressed", full ? "true" : "false");
    });
    button.parentNode.hidden = false;
  }

  function init() {
    var data = readData();
    var table = document.getElementById("tracking-table");
    if (!table) return;
    makeSortable(table, data.locale);
    var form = document.getElementById("tracking-filters");
    if (form) makeFilterable(table, form, data);
    makeSwitchable(table);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
