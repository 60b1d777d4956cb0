// ACH matrix: one click (floating picker) or one keystroke sets a cell; arrows move between cells.
// The matrix is an ARIA grid with a roving tabindex: one cell is in the tab order (the last one focused,
// else the first), so Tab enters the grid once and leaves it with the next Tab.
(function () {
  const KEYS = { "1": "CC", C: "CC", "2": "C", c: "C", "3": "N", n: "N", N: "N", "4": "I", i: "I",
    "5": "II", I: "II", "6": "NA", a: "NA", A: "NA", "0": "", Backspace: "", Delete: "" };
  const picker = document.getElementById("cell-picker");
  let pickerCell = null;

  function matrix() { return document.getElementById("matrix"); }
  function editable() { const m = matrix(); return m && m.dataset.editable === "1"; }

  // The roving cell, by coordinates: a swap replaces the element, not the place in the grid.
  let active = null;
  let inGrid = false; // the keyboard user is in the grid (focus last went to a cell, not elsewhere)
  function cellAt(e, h) { return document.querySelector(`#matrix-table td.cell[data-e="${e}"][data-h="${h}"]`); }
  function rove(cell) {
    document.querySelectorAll('#matrix-table td.cell[tabindex="0"]').forEach((other) => {
      if (other !== cell) other.tabIndex = -1;
    });
    cell.tabIndex = 0;
    active = { e: cell.dataset.e, h: cell.dataset.h };
  }
  // Rows arrive with every cell out of the tab order: put the roving cell back after each swap.
  function roveRestore() {
    const table = document.getElementById("matrix-table");
    if (!table) return;
    const kept = table.querySelector('td.cell[tabindex="0"]');
    const cell = (active && cellAt(active.e, active.h)) || kept || table.querySelector("td.cell");
    if (cell && cell !== kept) rove(cell);
    // Swaps overlap on a busy page (the row, the panel, a teammate's new item redrawing the matrix): when
    // one of them took the focused cell away and none gave it back, focus is on the body; return it.
    const lost = !document.activeElement || document.activeElement === document.body;
    if (cell && inGrid && lost) cell.focus({ preventScroll: true });
  }
  document.addEventListener("DOMContentLoaded", roveRestore);
  document.addEventListener("htmx:afterSettle", roveRestore);

  function setCell(cell, value) {
    const m = matrix();
    const values = { evidence: cell.dataset.e, hypothesis: cell.dataset.h, value: value };
    new URLSearchParams(m.dataset.query).forEach((v, k) => { values[k] = v; });
    const focus = { e: cell.dataset.e, h: cell.dataset.h };
    hidePicker();
    // The answer is the cell's row (and the score rows and panel out of band), never the whole matrix.
    htmx.ajax("POST", m.dataset.cellUrl, { target: `#ev-${focus.e}`, swap: "outerHTML", values: values }).then(() => {
      const again = document.querySelector(`td.cell[data-e="${focus.e}"][data-h="${focus.h}"]`);
      if (again) again.focus();
    });
  }

  function move(cell, dRow, dCol, edge) {
    const row = cell.parentElement;
    const cells = Array.from(row.querySelectorAll("td.cell"));
    const col = cells.indexOf(cell);
    let target = null;
    if (edge) target = edge < 0 ? cells[0] : cells[cells.length - 1];
    if (dCol) target = cells[col + dCol];
    if (dRow) {
      let other = dRow > 0 ? row.nextElementSibling : row.previousElementSibling;
      while (other && !other.querySelector("td.cell")) {
        if (other.classList.contains("more")) { loadMore(other, row, col); return; }
        other = dRow > 0 ? other.nextElementSibling : other.previousElementSibling;
      }
      if (other) target = other.querySelectorAll("td.cell")[col];
    }
    if (target) target.focus();
  }

  // The matrix arrives in blocks of rows; the next loads when its placeholder row scrolls into view
  // ("intersect", not "revealed": the rows scroll inside .matrix-wrap). Moving down past the last loaded
  // row loads it (unless scrolling already asked for it) and moves into it once it is in place.
  function loadMore(sentinel, row, col) {
    const arrived = () => {
      const next = row.nextElementSibling;
      if (!next || !next.querySelector("td.cell")) return;
      document.removeEventListener("htmx:afterSettle", arrived);
      next.querySelectorAll("td.cell")[col].focus();
    };
    document.addEventListener("htmx:afterSettle", arrived);
    if (!sentinel.classList.contains("htmx-request")) htmx.trigger(sentinel, "more");
  }

  function showPicker(cell) {
    if (!editable() || !picker) return;
    pickerCell = cell;
    const rect = cell.getBoundingClientRect();
    picker.hidden = false;
    picker.style.position = "absolute";
    picker.style.left = window.scrollX + rect.left + "px";
    picker.style.top = window.scrollY + rect.bottom + "px";
  }
  function hidePicker() { if (picker) picker.hidden = true; pickerCell = null; }

  document.addEventListener("keydown", (evt) => {
    const cell = evt.target.closest && evt.target.closest("td.cell");
    if (!cell) return;
    const arrows = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], Home: [0, 0, -1], End: [0, 0, 1] };
    if (arrows[evt.key]) { evt.preventDefault(); move(cell, ...arrows[evt.key]); return; }
    if (evt.key === "Escape") { hidePicker(); return; }
    if (evt.ctrlKey || evt.metaKey || evt.altKey) return;
    if (editable() && Object.prototype.hasOwnProperty.call(KEYS, evt.key)) { evt.preventDefault(); setCell(cell, KEYS[evt.key]); }
  });
  document.addEventListener("focusin", (evt) => {
    const cell = evt.target.closest && evt.target.closest("td.cell");
    if (cell) { rove(cell); showPicker(cell); }
    inGrid = Boolean(cell);
  });
  // A click outside the grid leaves it even where nothing takes focus.
  document.addEventListener("mousedown", (evt) => {
    if (!(evt.target.closest && evt.target.closest("td.cell, #cell-picker"))) inGrid = false;
  });
  document.addEventListener("click", (evt) => {
    const button = evt.target.closest && evt.target.closest("#cell-picker button");
    if (button && pickerCell) { setCell(pickerCell, button.dataset.v); return; }
    const cell = evt.target.closest && evt.target.closest("td.cell");
    if (cell) { cell.focus(); showPicker(cell); } else if (!evt.target.closest("#cell-picker")) hidePicker();
  });
})();
