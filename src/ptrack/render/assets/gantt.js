/* ptrack dashboard: the interactive Gantt. The markup (render/gantt_html.py) is a complete chart
 * at its default zoom; this script adds zoom (day / week / month), collapsible modules, a tooltip
 * with the task's tracking-table columns on hover or focus, keyboard movement between tasks, and
 * a click (or Enter) that scrolls to the task's row in the tracking table.
 *
 * Plain JavaScript, no dependencies, no network; text is set with textContent only. Geometry: the
 * bars, milestones and the as-of line are in one group (g.gx-x) drawn at the default zoom, so a
 * zoom scales that group horizontally (one attribute; strokes keep their width through
 * vector-effect); the axis and grid have a group per zoom (CSS shows the current one); the
 * arrows, two paths, are recomputed from their day offsets (data-a) as gantt_html.arrow_path does.
 * Work is done lazily (on the first zoom, collapse or key press), so opening the page costs a
 * few event listeners.
 */
(function () {
  "use strict";

  function num(el, name) { return parseFloat(el.getAttribute(name)); }

  function readLabels() {
    var el = document.getElementById("ptrack-data");
    try {
      return (JSON.parse(el ? el.textContent || "{}" : "{}").gantt) || {};
    } catch (e) {
      return {};
    }
  }

  function format(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (m, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : m;
    });
  }

  function round2(v) { return Math.round(v * 100) / 100; }

  /* The same path as gantt_html.arrow_path (x0, y0: the predecessor's bar end, or its start for
   * a start-to-start arrow (ss); x1, y1: the successor's bar start): the shaft, then the head, an
   * open chevron with its tip at (x1, y1). */
  function arrowPath(x0, y0, x1, y1, stub, row, ss) {
    var shaft;
    if (ss) {
      var xs = Math.min(x0, x1) - stub;
      shaft = "M" + round2(x0) + "," + round2(y0) + "H" + round2(xs) + "V" + round2(y1) + "H" + round2(x1);
    } else if (x1 - x0 >= 2 * stub) {
      shaft = "M" + round2(x0) + "," + round2(y0) + "H" + round2(x0 + stub) + "V" + round2(y1) + "H" + round2(x1);
    } else {
      var ym = y1 > y0 ? y1 - row / 2 : y1 + row / 2;
      shaft = "M" + round2(x0) + "," + round2(y0) + "H" + round2(x0 + stub) + "V" + round2(ym) +
        "H" + round2(x1 - stub) + "V" + round2(y1) + "H" + round2(x1);
    }
    return shaft + "M" + round2(x1 - 5) + "," + round2(y1 - 3.5) + "L" + round2(x1) + "," + round2(y1) +
      "L" + round2(x1 - 5) + "," + round2(y1 + 3.5);
  }

  function Gantt(root) {
    this.root = root;
    this.scroll = root.querySelector(".gx-scroll");
    this.plot = root.querySelector(".gx-plot");
    this.axis = root.querySelector(".gx-axis");
    this.labels = root.querySelector(".gx-labels");
    this.tip = root.querySelector(".gx-tip");
    this.hl = this.plot.querySelector(".gx-hl");
    this.timeGroup = this.plot.querySelector("g.gx-x");
    this.text = readLabels();
    this.row = num(root, "data-row");
    this.mid = num(root, "data-mid");
    this.stub = num(root, "data-stub");
    this.days = num(root, "data-days");
    this.zoomName = root.getAttribute("data-zoom");
    this.ppd = num(root, "data-ppd");
    this.basePpd = this.ppd;
    this.ppdOf = {};
    var self = this;
    Array.prototype.forEach.call(root.querySelectorAll(".gx-zoom [data-zoom]"), function (b) {
      self.ppdOf[b.getAttribute("data-zoom")] = num(root, "data-ppd-" + b.getAttribute("data-zoom"));
    });
    this.zoomOrder = ["day", "week", "month"];
    this._mods = null; /* modules and rows: built on first use */
    this._arrows = null;
    this._tableRows = null;
    this.current = null; /* the label (link or button) that has the roving tab stop */
    this.tipFor = null;
  }

  /* Modules and task rows, in order: [{plot, label, kids (ul), plotKids, button, tasks: [ids], collapsed, top}] */
  Gantt.prototype.mods = function () {
    if (this._mods) return this._mods;
    var plotMods = this.plot.querySelectorAll("g.gx-m");
    var labelMods = this.labels.querySelectorAll("div.gx-m");
    var mods = [], where = {}, items = [];
    for (var m = 0; m < labelMods.length; m++) {
      var label = labelMods[m], g = plotMods[m];
      var links = label.querySelectorAll("a.gx-task");
      var button = label.querySelector(".gx-tog");
      var mod = { plot: g, label: label, kids: label.querySelector(".gx-kids"), plotKids: g.querySelector(".gx-kids"),
                  button: button, links: links, collapsed: false, top: 0, index: m };
      items.push({ el: button, mod: mod, id: null });
      for (var i = 0; i < links.length; i++) {
        var id = links[i].getAttribute("data-t");
        if (!where[id]) where[id] = { mod: mod, i: i, link: links[i] };
        items.push({ el: links[i], mod: mod, id: id });
      }
      mods.push(mod);
    }
    this._mods = mods;
    this.where = where;
    this.items = items;
    this.layoutRows(false);
    return mods;
  };

  /* Module tops from the collapsed state; moves module groups, sets the plot height. */
  Gantt.prototype.layoutRows = function (apply) {
    var top = 0, row = this.row;
    this._mods.forEach(function (mod) {
      if (apply && mod.top !== top) mod.plot.setAttribute("transform", "translate(0," + top + ")");
      mod.top = top;
      top += row * (1 + (mod.collapsed ? 0 : mod.links.length));
    });
    if (apply) this.plot.setAttribute("height", String(top));
  };

  Gantt.prototype.rowTop = function (id) {
    var w = this.where[id];
    if (!w || w.mod.collapsed) return null;
    return w.mod.top + (w.i + 1) * this.row;
  };

  /* The arrows: two paths (the others, the critical ones), each listing its arrows in data-a
   * ("from to d0 d1;..."), drawn as one subpath pair (shaft, head) each. */
  Gantt.prototype.arrows = function () {
    if (this._arrows) return this._arrows;
    this.mods();
    var out = [];
    Array.prototype.forEach.call(this.plot.querySelectorAll("path.gx-d"), function (p) {
      var list = [];
      (p.getAttribute("data-a") || "").split(";").forEach(function (item) {
        var f = item.split(" ");
        if (f.length >= 4) list.push({ from: f[0], to: f[1], d0: parseFloat(f[2]), d1: parseFloat(f[3]), ss: f[4] === "s" });
      });
      out.push({ el: p, list: list });
    });
    this._arrows = out;
    return out;
  };

  /* Rewrite both paths for the current zoom and collapsed modules: an arrow into or out of a
   * collapsed module is left out. */
  Gantt.prototype.drawArrows = function () {
    var self = this, ppd = this.ppd, mid = this.mid;
    this.arrows().forEach(function (group) {
      var parts = [];
      group.list.forEach(function (a) {
        var y0 = self.rowTop(a.from), y1 = self.rowTop(a.to);
        if (y0 !== null && y1 !== null) parts.push(arrowPath(a.d0 * ppd, y0 + mid, a.d1 * ppd, y1 + mid, self.stub, self.row, a.ss));
      });
      group.el.setAttribute("d", parts.length ? parts.join("") : "M0,0");
    });
  };

  Gantt.prototype.zoom = function (name) {
    var ppd = this.ppdOf[name];
    if (!ppd || name === this.zoomName) return;
    var paneW = this.labels.offsetWidth;
    var visible = Math.max(1, this.scroll.clientWidth - paneW);
    /* keep the day in the middle of the view in the middle; when the whole plan was in view,
     * centre the as-of date */
    var centreDay = this.days * this.ppd <= visible ? num(this.root, "data-today")
      : (this.scroll.scrollLeft + visible / 2) / this.ppd;
    var k = ppd / this.basePpd;
    this.timeGroup.setAttribute("transform", k === 1 ? "matrix(1 0 0 1 0 0)" : "matrix(" + k + " 0 0 1 0 0)");
    var width = String(round2(this.days * ppd));
    this.plot.setAttribute("width", width);
    this.axis.setAttribute("width", width);
    var axisH = this.root.getAttribute("data-axis-" + name);
    if (axisH) {
      this.axis.setAttribute("height", axisH);
      this.axis.parentNode.style.height = axisH + "px";
    }
    this.ppd = ppd;
    this.zoomName = name;
    this.root.setAttribute("data-zoom", name);
    this.root.setAttribute("data-ppd", String(ppd));
    Array.prototype.forEach.call(this.root.querySelectorAll(".gx-zoom [data-zoom]"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-zoom") === name ? "true" : "false");
    });
    this.drawArrows();
    this.scroll.scrollLeft = Math.max(0, centreDay * ppd - visible / 2);
    if (this.tipFor) this.hideTip();
  };

  Gantt.prototype.zoomStep = function (step) {
    var i = this.zoomOrder.indexOf(this.zoomName) + step;
    if (i >= 0 && i < this.zoomOrder.length) this.zoom(this.zoomOrder[i]);
  };

  Gantt.prototype.setCollapsed = function (mod, collapsed) {
    if (mod.collapsed === collapsed) return;
    mod.collapsed = collapsed;
    mod.kids.hidden = collapsed;
    mod.plotKids.style.display = collapsed ? "none" : "";
    mod.button.setAttribute("aria-expanded", collapsed ? "false" : "true");
    mod.label.classList.toggle("gx-closed", collapsed);
  };

  Gantt.prototype.collapse = function (mods, collapsed) {
    var self = this;
    mods.forEach(function (mod) { self.setCollapsed(mod, collapsed); });
    this.layoutRows(true);
    this.drawArrows();
    this.hideTip();
    if (this.current && this.current.mod.collapsed && this.current.id !== null) this.moveTo(this.itemOf(this.current.mod.button), false);
  };

  /* ----- keyboard: one tab stop in the label pane (roving tabindex), arrows move ----- */

  Gantt.prototype.itemOf = function (el) {
    this.mods();
    for (var i = 0; i < this.items.length; i++) if (this.items[i].el === el) return this.items[i];
    return null;
  };

  Gantt.prototype.visibleIndex = function (from, step, count) {
    var items = this.items, i = from, last = from;
    while (count > 0) {
      i += step;
      if (i < 0 || i >= items.length) break;
      if (items[i].id !== null && items[i].mod.collapsed) continue;
      last = i;
      count--;
    }
    return last;
  };

  Gantt.prototype.moveTo = function (item, focus) {
    if (!item) return;
    if (!this.roving) {
      this.items.forEach(function (it) { it.el.setAttribute("tabindex", "-1"); });
      this.roving = true;
    } else if (this.current) {
      this.current.el.setAttribute("tabindex", "-1");
    }
    this.current = item;
    item.el.setAttribute("tabindex", "0");
    if (focus !== false) item.el.focus();
  };

  Gantt.prototype.onKey = function (e) {
    var target = e.target;
    if (!target.closest || !target.closest(".gx-tog, .gx-task")) return;
    var item = this.itemOf(target.closest(".gx-tog, .gx-task"));
    if (!item) return;
    var index = this.items.indexOf(item), next = null;
    switch (e.key) {
      case "ArrowDown": next = this.visibleIndex(index, 1, 1); break;
      case "ArrowUp": next = this.visibleIndex(index, -1, 1); break;
      case "PageDown": next = this.visibleIndex(index, 1, 10); break;
      case "PageUp": next = this.visibleIndex(index, -1, 10); break;
      case "Home": next = 0; break;
      case "End": next = this.visibleIndex(this.items.length, -1, 1); break;
      case "ArrowLeft":
        if (item.id === null) this.collapse([item.mod], true);
        else next = this.items.indexOf(this.itemOf(item.mod.button));
        break;
      case "ArrowRight":
        if (item.id === null && item.mod.collapsed) this.collapse([item.mod], false);
        else if (item.id === null && item.mod.links.length) next = index + 1;
        break;
      case "+": case "=": this.zoomStep(-1); break;
      case "-": case "_": this.zoomStep(1); break;
      case "Escape": this.hideTip(); break;
      default: return;
    }
    e.preventDefault();
    if (next !== null && this.items[next]) this.moveTo(this.items[next], true);
  };

  /* ----- tooltip: the tracking table's 18 columns of the task ----- */

  Gantt.prototype.table = function () {
    if (this._tableRows) return this._tableRows;
    var table = document.getElementById("tracking-table");
    var rows = {}, headers = [];
    if (table) {
      Array.prototype.forEach.call(table.tBodies[0].rows, function (tr) { rows[tr.getAttribute("data-task")] = tr; });
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
        headers.push({ key: th.getAttribute("data-key"), label: (th.textContent || "").trim() });
      });
    }
    this._tableRows = rows;
    this.headers = headers;
    return rows;
  };

  function cellText(cell, key) {
    if (!cell) return "";
    if (key === "name") {
      var v = cell.getAttribute("data-sort");
      if (v !== null) return v;
    }
    return (cell.textContent || "").replace(/\s+/g, " ").trim();
  }

  Gantt.prototype.showTip = function (id, anchor, pointer) {
    var tr = this.table()[id];
    var tip = this.tip;
    if (!tip || !tr) return;
    if (this.tipFor !== id) {
      while (tip.firstChild) tip.removeChild(tip.firstChild);
      var head = document.createElement("p");
      head.className = "gx-tiphead";
      var link = this.where && this.where[id] ? this.where[id].link : this.labels.querySelector('a[data-t="' + id + '"]');
      var parts = [format(this.text.task_id, { id: id })];
      if (link && link.getAttribute("data-crit") === "1") parts.push(this.text.critical || "");
      if (link && link.getAttribute("data-float") !== null) parts.push(format(this.text.float, { n: link.getAttribute("data-float") }));
      head.textContent = parts.join(" · ");
      tip.appendChild(head);
      var dl = document.createElement("dl");
      this.headers.forEach(function (h, i) {
        var dt = document.createElement("dt");
        dt.textContent = h.label;
        var dd = document.createElement("dd");
        dd.textContent = cellText(tr.cells[i], h.key) || "—";
        dd.setAttribute("data-key", h.key || "");
        dl.appendChild(dt);
        dl.appendChild(dd);
      });
      tip.appendChild(dl);
      /* with repo_url: the task's update form, a link the pointer or Tab can reach */
      var url = link ? link.getAttribute("data-u") : null;
      if (url) {
        var act = document.createElement("p");
        act.className = "gx-tipact";
        var a = document.createElement("a");
        a.className = "btn btn-primary";
        a.href = url;
        a.textContent = this.text.update || "Update";
        act.appendChild(a);
        tip.appendChild(act);
      }
      tip.classList.toggle("gx-live", !!url);
      this.tipFor = id;
    }
    tip.hidden = false;
    var box = anchor.getBoundingClientRect();
    var tw = tip.offsetWidth, th = tip.offsetHeight;
    var vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
    var x = pointer ? pointer.x + 14 : box.left;
    var y = pointer ? pointer.y + 18 : box.bottom + 6;
    if (x + tw > vw - 8) x = Math.max(8, vw - tw - 8);
    if (y + th > vh - 8) y = Math.max(8, (pointer ? pointer.y : box.top) - th - 8);
    tip.style.left = Math.round(x) + "px";
    tip.style.top = Math.round(y) + "px";
  };

  Gantt.prototype.hideTip = function () {
    window.clearTimeout(this.switchTimer);
    window.clearTimeout(this.hideTimer);
    if (this.tip) this.tip.hidden = true;
    if (this.hl) this.hl.setAttribute("visibility", "hidden");
    var links = this.labels.querySelectorAll("[aria-describedby=gx-tip]");
    Array.prototype.forEach.call(links, function (l) { l.removeAttribute("aria-describedby"); });
  };

  Gantt.prototype.highlight = function (id) {
    var top = this.rowTop(id);
    if (top === null || !this.hl) return;
    this.hl.setAttribute("y", String(top));
    this.hl.setAttribute("visibility", "visible");
  };

  Gantt.prototype.barOf = function (id) {
    var w = this.where[id];
    if (!w) return null;
    var g = w.mod.plotKids.children[w.i];
    return g ? g.querySelector(".gx-b") : null;
  };

  /* Keep the focused task's bar in view horizontally. */
  Gantt.prototype.reveal = function (id) {
    var bar = this.barOf(id);
    if (!bar) return;
    var k = this.ppd / this.basePpd, x = num(bar, "x") * k, width = num(bar, "width") * k;
    var paneW = this.labels.offsetWidth, visible = this.scroll.clientWidth - paneW, left = this.scroll.scrollLeft;
    if (x < left || x + Math.min(width, visible / 2) > left + visible) this.scroll.scrollLeft = Math.max(0, x - 24);
  };

  /* ----- to the task's row in the tracking table ----- */

  Gantt.prototype.goToRow = function (id) {
    var tr = this.table()[id];
    if (!tr) return;
    this.hideTip();
    var go = function () {
      tr.scrollIntoView({ block: "center" });
      var th = tr.cells[0];
      if (th) {
        th.setAttribute("tabindex", "-1");
        th.focus({ preventScroll: true });
      }
      tr.classList.remove("gx-flash");
      void tr.offsetWidth;
      tr.classList.add("gx-flash");
    };
    if (tr.hidden) {
      var form = document.getElementById("tracking-filters");
      if (form) form.reset(); /* ptrack.js re-applies the (cleared) filters on the next tick */
      window.setTimeout(go, 0);
    } else {
      go();
    }
  };

  Gantt.prototype.attach = function () {
    var self = this, root = this.root;
    var tools = root.querySelector(".gx-tools");
    if (tools) tools.hidden = false;
    root.classList.add("gx-js");
    root.addEventListener("click", function (e) {
      var t = e.target;
      var zoomBtn = t.closest("[data-zoom]");
      if (zoomBtn && zoomBtn.tagName === "BUTTON") { self.zoom(zoomBtn.getAttribute("data-zoom")); return; }
      var all = t.closest("[data-all]");
      if (all) { self.collapse(self.mods(), all.getAttribute("data-all") === "collapse"); return; }
      var tog = t.closest(".gx-tog");
      if (tog) {
        var item = self.itemOf(tog);
        self.collapse([item.mod], !item.mod.collapsed);
        self.moveTo(item, false);
        return;
      }
      var link = t.closest("a.gx-task");
      if (link) {
        e.preventDefault();
        self.goToRow(link.getAttribute("data-t"));
        return;
      }
      var bar = t.closest("g.gx-t");
      if (bar) self.goToRow(bar.getAttribute("data-t"));
    });
    this.labels.addEventListener("keydown", function (e) { self.onKey(e); });
    this.labels.addEventListener("focusin", function (e) {
      var el = e.target.closest && e.target.closest(".gx-tog, .gx-task");
      if (!el) return;
      var item = self.itemOf(el);
      if (item && item !== self.current) self.moveTo(item, false);
      if (item && item.id !== null) {
        self.reveal(item.id);
        self.highlight(item.id);
        el.setAttribute("aria-describedby", "gx-tip");
        self.showTip(item.id, self.barOf(item.id) || el, null);
      } else {
        self.hideTip();
      }
    });
    var inTip = function (el) { return !!(el && self.tip && self.tip.contains(el)); };
    this.labels.addEventListener("focusout", function (e) {
      if (!e.relatedTarget || !(self.labels.contains(e.relatedTarget) || inTip(e.relatedTarget))) self.hideTip();
    });
    /* A tooltip with a link (gx-live) takes the pointer: moving onto it keeps it open, and
     * another task passed on the way there takes over only if the pointer stays on it. */
    var hover = function (e) {
      var el = e.target.closest && e.target.closest("g.gx-t, a.gx-task");
      if (!el) return;
      var id = el.getAttribute("data-t");
      var point = { x: e.clientX, y: e.clientY };
      var show = function () {
        self.mods();
        self.highlight(id);
        self.showTip(id, el, point);
      };
      window.clearTimeout(self.switchTimer);
      window.clearTimeout(self.hideTimer);
      if (self.tip && !self.tip.hidden && self.tip.classList.contains("gx-live") && self.tipFor !== id) {
        self.switchTimer = window.setTimeout(show, 180);
      } else {
        show();
      }
    };
    var leave = function (e) {
      var from = e.target.closest && e.target.closest("g.gx-t, a.gx-task");
      var to = e.relatedTarget && e.relatedTarget.closest ? e.relatedTarget.closest("g.gx-t, a.gx-task") : null;
      if (inTip(e.relatedTarget)) return;
      if (from && from !== to && !(document.activeElement && document.activeElement.closest &&
                                  document.activeElement.closest(".gx-labels"))) {
        /* a live tooltip waits a moment: the pointer may be on its way to its link */
        if (self.tip && self.tip.classList.contains("gx-live")) {
          window.clearTimeout(self.hideTimer);
          self.hideTimer = window.setTimeout(function () { self.hideTip(); }, 400);
        } else {
          self.hideTip();
        }
      }
    };
    if (this.tip) {
      this.tip.addEventListener("mouseenter", function () {
        window.clearTimeout(self.switchTimer);
        window.clearTimeout(self.hideTimer);
      });
      this.tip.addEventListener("mouseleave", function (e) {
        var to = e.relatedTarget && e.relatedTarget.closest ? e.relatedTarget.closest("g.gx-t, a.gx-task") : null;
        if (!to || to.getAttribute("data-t") !== self.tipFor) self.hideTip();
      });
      this.tip.addEventListener("focusout", function (e) {
        if (!e.relatedTarget || !(inTip(e.relatedTarget) || self.labels.contains(e.relatedTarget))) self.hideTip();
      });
    }
    this.plot.addEventListener("mouseover", hover);
    this.labels.addEventListener("mouseover", hover);
    this.plot.addEventListener("mouseout", leave);
    this.labels.addEventListener("mouseout", leave);
    this.scroll.addEventListener("keydown", function (e) {
      if (e.target.closest && e.target.closest(".gx-labels")) return;
      if (e.key === "+" || e.key === "=") { self.zoomStep(-1); e.preventDefault(); }
      else if (e.key === "-" || e.key === "_") { self.zoomStep(1); e.preventDefault(); }
    });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") self.hideTip(); });
  };

  /* On a phone (the page at most 480 px wide) the chart opens at the week zoom, scrolled so that
   * the as-of date stands a third of the way into the visible plot: the last days and the
   * next few weeks, where a person's work is. */
  Gantt.prototype.openOnPhone = function () {
    if (this.zoomName !== "week") this.zoom("week");
    var visible = Math.max(1, this.scroll.clientWidth - this.labels.offsetWidth);
    this.scroll.scrollLeft = Math.max(0, num(this.root, "data-today") * this.ppd - visible / 3);
  };

  function init() {
    var root = document.getElementById("gx");
    if (!root || !root.querySelector(".gx-scroll")) return;
    var gantt = new Gantt(root);
    gantt.attach();
    if (window.matchMedia && window.matchMedia("(max-width: 480px)").matches) gantt.openOnPhone();
    window.ptrackGantt = gantt; /* for the browser tests and benchmarks */
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
