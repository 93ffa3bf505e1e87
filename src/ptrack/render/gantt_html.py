"""The dashboard's interactive Gantt (issue 10 §3): HTML and SVG markup, written here as text.

``render_gantt_section(snapshot, model, locale)`` returns the inside of the dashboard's Gantt
section; ``assets/gantt.js`` and ``assets/gantt.css`` make it interactive. Without JavaScript the
markup is a complete, readable chart at its default zoom: a label pane (HTML: task names, status
in words, module headers) beside an inline SVG timeline, a sticky date axis with milestones and
the as-of date, dependency arrows and the critical path.

The rows come from the PNG Gantt's model (``gantt_model``: modules in order of first appearance,
tasks in file order, the baseline dates, actual spans), so the two charts always agree.

Geometry, in CSS pixels (``tests/unit/test_gantt_html.py`` works examples by hand):

- time: a day's offset ``d`` counts days from ``model.x_start``; ``x = d * ppd`` with ``ppd`` (pixels
  per day) from ``ZOOM_PPD``; a bar covers its days inclusively: ``x = d(start) * ppd``,
  ``width = (end - start + 1 day) * ppd``. The markup is drawn at the default zoom. Everything
  placed in time sits in one group (``gx-x``) that gantt.js scales horizontally by the ratio of
  two ``ppd`` (one attribute, not one per bar: a zoom stays fast at 1,000 tasks); the date axis
  and grid have a group per zoom, each drawn at its own scale; arrow paths are recomputed from
  their day offsets (``data-a``), as ``arrow_path`` does here;
- rows: ``ROW_H`` px; a module's group is translated to its first row (its header row) and each
  task row inside it to ``(1 + index) * ROW_H``; collapsing a module only moves the groups after it.
  The planned bar's vertical middle, ``ROW_MID``, is where dependency arrows leave and arrive:
  from the predecessor's bar end (finish) to the successor's bar start (finish-to-start).

Output is deterministic: rows in model order, numbers through ``_n``, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ptrack.core.compute import CampaignSnapshot, Status
from ptrack.core.model import SS
from ptrack.i18n import N_, NP_, fmt_points, t

ZOOM_PPD: dict[str, int] = {"day": 24, "week": 6, "month": 2}  # pixels per day
ZOOMS = tuple(ZOOM_PPD)
_ZOOM_KEYS = (N_("html.gantt_day"), N_("html.gantt_week"), N_("html.gantt_month"))  # html.gantt_{zoom}
# The default zoom: the closest one at which the whole window fits this width.
FIT_PX = 1600
ROW_H = 24
BASE_Y, BASE_H = 2, 3  # the baseline bar: thin, above the plan
BAR_Y, BAR_H = 7, 10  # the planned bar
PROG_Y, PROG_H = 9.5, 5  # actual progress, inside the planned bar
SPAN_Y, SPAN_H = 19, 3  # the actual span (start to end, or to the as-of date), under the bar
ROW_MID = BAR_Y + BAR_H / 2
SUM_Y, SUM_H = 8, 8  # a module's summary bar
STUB = 6  # an arrow leaves its predecessor this far to the right before turning
HEAD_W, HEAD_H = 5, 3.5  # an arrow's head: an open chevron this long and half as high
AXIS_ROW = 18  # each text row of the date axis
MS_LANE = 18  # each lane of milestones in the axis
LABEL_PX_PER_EM = 11.5  # width estimate of milestone labels (12px type; CJK counts 1 em)

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _n(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros, never '-0'."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _e(text: str) -> str:
    """Escaped for HTML/SVG text and double-quoted attributes (the templates' bytes)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def _em(text: str) -> float:
    return sum(1.0 if ord(c) >= 0x2E80 else 0.58 for c in text)


def default_zoom(days: int) -> str:
    """The most detailed zoom at which ``days`` fit ``FIT_PX`` pixels (month when none does)."""
    return next((z for z in ZOOMS if days * ZOOM_PPD[z] <= FIT_PX), "month")


def arrow_points(x0: float, y0: float, x1: float, y1: float, ss: bool = False, *, stub: float = STUB,
                 row: float = ROW_H, head: tuple[float, float] = (HEAD_W, HEAD_H)) -> tuple[list, list]:
    """(shaft, head): the polylines of a dependency arrow, as (x, y) points; the same in the
    dashboard's Gantt (``arrow_path``, gantt.js) and in ``gantt.png``/``.svg``.

    Finish-to-start, from (x0, y0), the predecessor's bar end, to (x1, y1), the successor's bar
    start: right by ``stub``, down (or up) to the successor's row, right to its bar. When the
    successor starts too close (or before), the shaft turns back along the row boundary above
    (or below) the successor. Start-to-start (``ss``; x0 is the predecessor's bar start): left to
    ``stub`` before the earlier of the two starts, down to the successor's row and right into its
    bar (the bracket MS Project draws). The head is an open chevron whose tip is (x1, y1)."""
    if ss:
        xs = min(x0, x1) - stub
        shaft = [(x0, y0), (xs, y0), (xs, y1), (x1, y1)]
    elif x1 - x0 >= 2 * stub:
        shaft = [(x0, y0), (x0 + stub, y0), (x0 + stub, y1), (x1, y1)]
    else:
        ym = y1 - row / 2 if y1 > y0 else y1 + row / 2
        shaft = [(x0, y0), (x0 + stub, y0), (x0 + stub, ym), (x1 - stub, ym), (x1 - stub, y1), (x1, y1)]
    w, h = head
    return shaft, [(x1 - w, y1 - h), (x1, y1), (x1 - w, y1 + h)]


def arrow_path(x0: float, y0: float, x1: float, y1: float, ss: bool = False) -> str:
    """``arrow_points`` as an SVG path: the shaft in H and V steps, then the head. gantt.js
    (``arrowPath``) draws the same path."""
    shaft, head = arrow_points(x0, y0, x1, y1, ss)
    out = f"M{_n(shaft[0][0])},{_n(shaft[0][1])}"
    for (xa, ya), (xb, yb) in zip(shaft, shaft[1:]):
        out += f"H{_n(xb)}" if yb == ya else f"V{_n(yb)}"
    (ha, hb), (ta, tb), (ea, eb) = head
    return f"{out}M{_n(ha)},{_n(hb)}L{_n(ta)},{_n(tb)}L{_n(ea)},{_n(eb)}"


# ---------------------------------------------------------------------------------------------
# Layout

@dataclass(frozen=True)
class _TaskRow:
    row: object  # gantt.GanttRow (kind "task")
    name: str
    status: str
    status_label: str
    progress_text: str
    critical: bool
    float_days: float | None
    dependencies: tuple  # model.Dependency: the predecessors' ids, lags and types


@dataclass(frozen=True)
class _Module:
    index: int
    header: object  # gantt.GanttRow (kind "group")
    name: str
    meta: str
    tasks: tuple[_TaskRow, ...]
    top: int  # y of its header row, all modules expanded


@dataclass(frozen=True)
class GanttLayout:
    """Where things go: what ``render_gantt_section`` writes and the unit tests check."""

    x_start: date
    days: int  # days in the window: the plot is days * ppd wide
    zoom: str  # the default zoom
    ppd: int
    modules: tuple[_Module, ...]
    height: int  # plot height, all modules expanded

    @property
    def width(self) -> int:
        return self.days * self.ppd

    def off(self, d: date) -> int:
        return (d - self.x_start).days

    def bar_x(self, start: date, end: date) -> tuple[float, float]:
        """(x, width) of a bar over the days ``start`` to ``end`` inclusive."""
        return self.off(start) * self.ppd, ((end - start).days + 1) * self.ppd

    def row_top(self) -> dict[str, int]:
        """Task id -> y of its row (all modules expanded)."""
        out = {}
        for m in self.modules:
            for i, tr in enumerate(m.tasks):
                out.setdefault(tr.row.key, m.top + (i + 1) * ROW_H)
        return out


def gantt_layout(snapshot: CampaignSnapshot, model, locale: str, *, zoom: str | None = None) -> GanttLayout:
    """The rows of ``model`` (``gantt.gantt_model``) grouped by module, with what the label pane
    says of each task, at ``zoom`` (default: ``default_zoom``)."""
    by_id = {}
    for ts in snapshot.tasks:
        by_id.setdefault(ts.task.id, ts)
    days = max(1, (model.x_end - model.x_start).days)
    zoom = zoom or default_zoom(days)
    modules: list[_Module] = []
    header = None
    tasks: list[_TaskRow] = []
    top = 0

    def close():
        nonlocal top
        if header is not None:
            name = header.key if header.key is not None else t(locale, "none")
            members = [by_id[tr.row.key] for tr in tasks]
            meta = t(locale, NP_("html.gantt_group_meta"), n=len(members), actual=fmt_points(header.progress * 100))
            modules.append(_Module(len(modules), header, name, meta, tuple(tasks), top))
            top += (1 + len(tasks)) * ROW_H

    for row in model.rows:
        if row.kind == "group":
            close()
            header, tasks = row, []
        elif row.kind == "task":
            ts = by_id[row.key]
            float_days = getattr(ts, "float_days", None)
            tasks.append(_TaskRow(
                row=row, name=ts.task.name, status=ts.status.value,
                status_label=t(locale, f"status.{ts.status.value}"),
                progress_text=f"{fmt_points(ts.actual_progress)}%",
                critical=bool(getattr(ts, "critical", False)),
                float_days=float(float_days) if float_days is not None else None,
                dependencies=tuple(ts.task.dependencies)))
    close()
    return GanttLayout(model.x_start, days, zoom, ZOOM_PPD[zoom], tuple(modules), top)


# ---------------------------------------------------------------------------------------------
# The section

def render_gantt_section(snapshot: CampaignSnapshot, model, locale: str, *,
                         png_pages: Sequence[str] = (), svg_file: str | None = None,
                         zoom: str | None = None, update_urls: Mapping[str, str] | None = None) -> str:
    """The markup inside ``<section id="gantt">`` after its heading: toolbar (shown by
    gantt.js), legend, the chart, the tooltip box and links to the static images.
    ``update_urls``: task id -> its update form (``repo_url``): each task's label carries it
    (``data-u``) and the tooltip shows it as a link."""
    lay = gantt_layout(snapshot, model, locale, zoom=zoom)
    axis = _axis_groups(lay, model.x_end, locale)
    heights = axis_heights(model, lay)
    runs = _non_working_runs(snapshot, lay)
    out: list[str] = []
    w = out.append
    tasks = [tr for m in lay.modules for tr in m.tasks]
    today = lay.off(model.today + timedelta(days=1)) if model.today_visible else lay.days // 2
    w(f'<div class="gx" id="gx" data-zoom="{lay.zoom}" data-ppd="{lay.ppd}" data-days="{lay.days}" data-today="{today}" '
      f'data-row="{ROW_H}" data-mid="{_n(ROW_MID)}" data-stub="{STUB}" '
      + " ".join(f'data-ppd-{z}="{p}"' for z, p in ZOOM_PPD.items()) + " "
      + " ".join(f'data-axis-{z}="{h}"' for z, h in heights.items()) + ">\n")
    w(f'<p class="intro">{_e(t(locale, "html.gantt_intro"))}</p>\n')
    _toolbar(w, lay, locale)
    _legend(w, snapshot, model, tasks, bool(runs), locale)
    if not tasks:
        w(f'<p class="empty">{_e(t(locale, "chart.no_tasks"))}</p>\n')
    else:
        w(f'<div class="gx-scroll" role="region" aria-label="{_e(t(locale, "html.gantt_region"))}">\n')
        _head(w, model, lay, axis, heights, locale)
        _body(w, model, lay, axis, runs, locale, update_urls or {})
        w("</div>\n")
        w('<div class="gx-tip" id="gx-tip" role="tooltip" hidden></div>\n')
    links = [f'<a href="{_e(name)}">{_e(name)}</a>' for name in png_pages]
    if svg_file:
        links.append(f'<a href="{_e(svg_file)}">{_e(t(locale, "html.gantt_svg"))}</a>')
    if links:
        w(f'<p class="chart-links">{_e(t(locale, "html.gantt_static"))} {" · ".join(links)}</p>\n')
    w("</div>\n")
    return "".join(out)


def _toolbar(w, lay: GanttLayout, locale: str) -> None:
    w('<div class="gx-tools" hidden>\n')
    w(f'<div class="gx-zoom" role="group" aria-label="{_e(t(locale, "html.gantt_zoom"))}">'
      f'<span class="gx-tl" aria-hidden="true">{_e(t(locale, "html.gantt_zoom"))}</span>')
    for z in ZOOMS:
        w(f'<button type="button" class="btn" data-zoom="{z}" aria-pressed="{"true" if z == lay.zoom else "false"}">'
          f'{_e(t(locale, f"html.gantt_{z}"))}</button>')
    w("</div>\n")
    w(f'<button type="button" class="btn" data-all="collapse">{_e(t(locale, "html.gantt_collapse_all"))}</button>'
      f'<button type="button" class="btn" data-all="expand">{_e(t(locale, "html.gantt_expand_all"))}</button>\n')
    w(f'<p class="gx-help">{_e(t(locale, "html.gantt_help"))}</p>\n')
    w("</div>\n")


def _swatch(inner: str) -> str:
    return (f'<svg class="gx-sw" width="24" height="{ROW_H}" viewBox="0 0 24 {ROW_H}" aria-hidden="true" '
            f'focusable="false">{inner}</svg>')


def _legend(w, snapshot: CampaignSnapshot, model, tasks: Sequence[_TaskRow], non_working: bool,
            locale: str) -> None:
    items: list[tuple[str, str]] = []
    present = {tr.status for tr in tasks}
    for st in Status:
        if st.value in present:
            items.append((_swatch(f'<rect class="gx-b s-{st.value}" x="1" y="{BAR_Y}" width="22" height="{BAR_H}"/>'
                                  f'<rect class="gx-p s-{st.value}" x="1" y="{_n(PROG_Y)}" width="11" '
                                  f'height="{_n(PROG_H)}"/>'),
                          t(locale, f"status.{st.value}")))
    if tasks:
        items.append((_swatch(f'<rect class="gx-b s-in_progress" x="1" y="{BAR_Y}" width="22" height="{BAR_H}"/>'
                              f'<rect class="gx-p s-in_progress" x="1" y="{_n(PROG_Y)}" width="11" '
                              f'height="{_n(PROG_H)}"/>'),
                      t(locale, "chart.plan_bar")))
    kinds = {tr.row.task_kind for tr in tasks}
    for kind in ("timebox", "event"):
        if kind in kinds:
            ev = " gx-ev" if kind == "event" else ""
            items.append((_swatch(f'<rect class="gx-b s-not_started{ev}" x="3" y="{BAR_Y}" width="18" height="{BAR_H}"/>'
                                  + _kind_marks(kind, "not_started", 3, 21)), t(locale, f"kind.{kind}")))
    if any(tr.row.actual_start is not None for tr in tasks):
        items.append((_swatch(f'<rect class="gx-span" x="1" y="{SPAN_Y - 8}" width="22" height="{SPAN_H}"/>'),
                      t(locale, "chart.actual_span")))
    if any(tr.row.baseline_start is not None for tr in tasks):
        items.append((_swatch(f'<rect class="gx-base" x="1" y="{BASE_Y + 8}" width="22" height="{BASE_H}"/>'),
                      t(locale, "chart.baseline")))
    if any(tr.critical for tr in tasks):
        items.append((_swatch(f'<rect class="gx-b s-not_started gx-crit" x="2" y="{BAR_Y}" width="20" '
                              f'height="{BAR_H}"/>'),
                      t(locale, "html.gantt_critical_legend")))
    if any(tr.dependencies for tr in tasks):
        items.append((_swatch(f'<path class="gx-d" d="{arrow_path(1, 12, 20, 12)}"/>'), t(locale, "html.gantt_dependency")))
    if any(d.type == SS for tr in tasks for d in tr.dependencies):
        items.append((_swatch(f'<path class="gx-d" d="{arrow_path(12, 7, 20, 17, True)}"/>'),
                      t(locale, "html.gantt_dependency_ss")))
    for state in sorted({m.state for m in model.milestones}, key=_MS_ORDER.index):
        items.append((_swatch(f'<use href="#gx-dia" class="ms ms-{state}" x="12" y="12"/>'),
                      t(locale, f"milestone.{state}")))
    if model.today_visible:
        items.append((_swatch('<line class="gx-today" x1="12" x2="12" y1="1" y2="23"/>'),
                      t(locale, "chart.today", date=snapshot.as_of.isoformat())))
    if non_working:
        items.append((_swatch('<rect class="gx-off" x="4" y="1" width="16" height="22"/>'),
                      t(locale, "html.gantt_nonworking")))
    w('<ul class="gx-legend">')
    for swatch, label in items:
        w(f"<li>{swatch}{_e(label)}</li>")
    w("</ul>\n")


_MS_ORDER = ["achieved_on_time", "achieved_late", "missed", "upcoming"]
_ZOOM_CLASS = {"day": "gx-zd", "week": "gx-zw", "month": "gx-zm"}


# ---------------------------------------------------------------------------------------------
# The date axis (sticky above the plot): month/day/week labels per zoom, milestones, as-of date

def _month_label(locale: str, d: date, *, year: bool) -> str:
    if locale == "zh-CN":
        return f"{d.year}年{d.month}月" if year else f"{d.month}月"
    return f"{_EN_MONTHS[d.month - 1]} {d.year}" if year else _EN_MONTHS[d.month - 1]


def _month_starts(x_start: date, x_end: date) -> list[date]:
    out = []
    d = date(x_start.year, x_start.month, 1)
    while d < x_end:
        if d > x_start:
            out.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def _coarse(lay: GanttLayout, bounds: list[date], label, ppd: int) -> list[tuple[int, str]]:
    """Labels of the segments between ``bounds`` (the first from the window's start), each at its
    segment's start; a label with no room before the next one is left out."""
    starts = [0] + [lay.off(b) for b in bounds]
    texts = [label(lay.x_start)] + [label(b) for b in bounds]
    out = []
    for i, (s, text) in enumerate(zip(starts, texts)):
        room = ((starts[i + 1] if i + 1 < len(starts) else lay.days) - s) * ppd
        if room >= _em(text) * LABEL_PX_PER_EM + 6:
            out.append((s, text))
    return out


def _axis_groups(lay: GanttLayout, x_end: date, locale: str) -> dict[str, tuple[list, list, list]]:
    """Per zoom: (grid day offsets, coarse labels (offset, text), fine labels (offset, text,
    centred))."""
    months = _month_starts(lay.x_start, x_end)
    years = [d for d in months if d.month == 1]
    all_days = [lay.x_start + timedelta(days=i) for i in range(lay.days)]
    mondays = [d for d in all_days if d.weekday() == 0]
    month_label = lambda d: _month_label(locale, d, year=True)  # noqa: E731
    out = {}
    out["day"] = ([lay.off(d) for d in all_days[1:]],
                  _coarse(lay, months, month_label, ZOOM_PPD["day"]),
                  [(lay.off(d), str(d.day), True) for d in all_days])
    out["week"] = ([lay.off(d) for d in mondays],
                   _coarse(lay, months, month_label, ZOOM_PPD["week"]),
                   [(lay.off(d), f"{d:%m-%d}", False) for d in mondays if lay.days - lay.off(d) >= 6])
    out["month"] = ([lay.off(d) for d in months],
                    _coarse(lay, years, lambda d: str(d.year), ZOOM_PPD["month"]),
                    [(lay.off(d), _month_label(locale, d, year=False), False) for d in months
                     if (lay.days - lay.off(d)) * ZOOM_PPD["month"] >= 24])
    return out


def _milestone_lanes(model, lay: GanttLayout, ppd: int) -> list[tuple[object, int, bool]]:
    """(milestone, lane, label on the left) at ``ppd``: each label in the first lane where it does
    not run into the one before it; a label with no room on the right goes left of its diamond."""
    width = lay.days * ppd
    lanes: list[float] = []
    out = []
    for m in sorted(model.milestones, key=lambda m: (m.date, m.key)):
        x = (lay.off(m.date) + 0.5) * ppd
        label_w = _em(m.label) * LABEL_PX_PER_EM + 10
        left = x + label_w > width and x - label_w >= 0
        begin, end = (x - label_w, x + 7) if left else (x - 7, x + label_w)
        lane = next((i for i, free in enumerate(lanes) if begin >= free), len(lanes))
        if lane == len(lanes):
            lanes.append(-math.inf)
        lanes[lane] = end
        out.append((m, lane, left))
    return out


def axis_heights(model, lay: GanttLayout) -> dict[str, int]:
    """Height of the date axis per zoom: two rows of dates, the milestone lanes, the as-of row."""
    out = {}
    for z, ppd in ZOOM_PPD.items():
        lanes = max((lane for _, lane, _ in _milestone_lanes(model, lay, ppd)), default=-1) + 1
        out[z] = AXIS_ROW * 3 + lanes * MS_LANE
    return out


def _head(w, model, lay: GanttLayout, groups: Mapping[str, tuple], heights: Mapping[str, int], locale: str) -> None:
    """The sticky header: the label pane's column titles and the date axis. Each zoom has its own
    group (dates, milestones in lanes, the as-of date) drawn at its own scale and shown only at
    that zoom, so zooming moves none of it."""
    height = heights[lay.zoom]
    w(f'<div class="gx-head" style="height: {height}px">'
      f'<div class="gx-corner"><span class="gx-n">{_e(t(locale, "col.task"))}</span>'
      f'<span class="gx-s">{_e(t(locale, "html.status"))}</span></div>\n')
    w(f'<svg class="gx-axis" width="{lay.width}" height="{height}" aria-hidden="true" focusable="false">\n')
    w('<defs><path id="gx-dia" d="M0,-6L6,0L0,6L-6,0Z"/>'
      '<pattern id="gx-hatch" patternUnits="userSpaceOnUse" width="6" height="6">'
      '<rect width="6" height="6" class="gx-hatch-bg"/><path d="M-1,1l2,-2M0,6l6,-6M5,7l2,-2" class="gx-hatch-fg"/>'
      "</pattern></defs>\n")
    w(f'<line class="gx-rule" x1="0" x2="100%" y1="{AXIS_ROW}" y2="{AXIS_ROW}"/>'
      f'<line class="gx-rule" x1="0" x2="100%" y1="{AXIS_ROW * 2}" y2="{AXIS_ROW * 2}"/>\n')
    for z, (grid, coarse, fine) in groups.items():
        ppd = ZOOM_PPD[z]
        w(f'<g class="{_ZOOM_CLASS[z]}" data-z="{z}">')
        for d in grid:
            w(f'<line class="gx-tick" x1="{d * ppd}" x2="{d * ppd}" y1="{AXIS_ROW}" y2="{AXIS_ROW * 2}"/>')
        for d, text in coarse:
            w(f'<text class="gx-ct" x="{d * ppd}" dx="4" y="{AXIS_ROW - 5}">{_e(text)}</text>')
        for d, text, centred in fine:
            if centred:
                w(f'<text class="gx-ft gx-mid" x="{_n((d + 0.5) * ppd)}" y="{AXIS_ROW * 2 - 5}">{_e(text)}</text>')
            else:
                w(f'<text class="gx-ft" x="{d * ppd}" dx="3" y="{AXIS_ROW * 2 - 5}">{_e(text)}</text>')
        w("\n")
        for m, lane, left in _milestone_lanes(model, lay, ppd):
            x = (lay.off(m.date) + 0.5) * ppd
            y = AXIS_ROW * 2 + lane * MS_LANE + MS_LANE / 2
            w(f'<g class="ms-{m.state}"><title>{_e(m.label)} · {_e(t(locale, f"milestone.{m.state}"))}</title>'
              f'<use href="#gx-dia" class="ms ms-{m.state}" x="{_n(x)}" y="{_n(y)}"/>'
              f'<text class="msl{" gx-end" if left else ""}" x="{_n(x)}" dx="{-10 if left else 10}" y="{_n(y + 4)}">'
              f"{_e(m.label)}</text></g>\n")
        h = heights[z]
        if model.today_visible:
            x = lay.off(model.today + timedelta(days=1)) * ppd
            w(f'<line class="gx-today" x1="{x}" x2="{x}" y1="{AXIS_ROW * 2}" y2="{h}"/>'
              f'<text class="gx-todayl gx-mid" x="{x}" y="{h - 5}">{_e(model.today_label)}</text>\n')
        else:
            after = model.today >= model.x_end
            x = lay.days * ppd if after else 0
            text = ("→ " if after else "← ") + model.today_label
            w(f'<text class="gx-todayl{" gx-end" if after else ""}" x="{x}" dx="{-4 if after else 4}" y="{h - 5}">'
              f"{_e(text)}</text>\n")
        w("</g>\n")
    w("</svg></div>\n")


# ---------------------------------------------------------------------------------------------
# The label pane and the plot

def _non_working_runs(snapshot: CampaignSnapshot, lay: GanttLayout) -> list[tuple[int, int]]:
    """(first day offset, number of days) of each run of non-working days in the window."""
    campaign = snapshot.campaign
    if campaign.calendar == "none" and not campaign.calendar_overrides.days_off:
        return []
    try:
        cal = campaign.work_calendar
    except Exception:  # noqa: BLE001 - a calendar validation accepted; shading is only decoration
        return []
    runs: list[tuple[int, int]] = []
    for i in range(lay.days):
        if not cal.is_working_day(lay.x_start + timedelta(days=i)):
            if runs and runs[-1][0] + runs[-1][1] == i:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((i, 1))
    return runs


def _body(w, model, lay: GanttLayout, grid: Mapping[str, tuple], runs: Sequence[tuple[int, int]],
          locale: str, update_urls: Mapping[str, str]) -> None:
    ppd = lay.ppd
    crit_tag = _e(t(locale, "html.gantt_critical_tag"))
    # The label pane: module headers (buttons) and tasks (links to their tracking-table row).
    w('<div class="gx-body"><div class="gx-labels">\n')
    for m in lay.modules:
        w(f'<div class="gx-m" data-m="{m.index}"><div class="gx-r gx-g">'
          f'<button type="button" class="gx-tog" aria-expanded="true"><span class="gx-n" title="{_e(m.name)}">'
          f'{_e(m.name)}</span>'
          f'<span class="gx-s">{_e(m.meta)}</span></button></div>\n<ul class="gx-kids">\n')
        for tr in m.tasks:
            tid = _e(tr.row.key)
            attrs = ' data-crit="1"' if tr.critical else ""
            if tr.float_days is not None:
                attrs += f' data-float="{_n(tr.float_days)}"'
            if update_urls.get(tr.row.key):
                attrs += f' data-u="{_e(update_urls[tr.row.key])}"'
            tag = f'<span class="gx-c">{crit_tag}</span>' if tr.critical else ""
            w(f'<li class="gx-r"><a class="gx-task" href="#task-{tid}" data-t="{tid}"{attrs}>'
              f'<span class="gx-n" title="{_e(tr.name)}">{_e(tr.name)}</span>{tag}'
              f'<span class="gx-s s-{tr.status}">{_e(tr.status_label)}<span class="gx-pc"> {tr.progress_text}</span>'
              '</span></a></li>\n')
        w("</ul></div>\n")
    w("</div>\n")

    # The plot. Per zoom, a group of grid lines drawn at that zoom's scale (shown only at it);
    # then everything placed in time, in one group gantt.js scales horizontally (strokes keep
    # their width: vector-effect in gantt.css); arrows, recomputed on a zoom, on top.
    w(f'<svg class="gx-plot" width="{lay.width}" height="{lay.height}" aria-hidden="true" focusable="false">\n')
    for z, cls in _ZOOM_CLASS.items():
        zp = ZOOM_PPD[z]
        w(f'<g class="{cls}" data-z="{z}">')
        for d in grid[z][0]:
            w(f'<line class="gx-grid" x1="{d * zp}" x2="{d * zp}" y1="0" y2="100%"/>')
        w("</g>\n")
    w('<g class="gx-x">\n')
    if runs:
        w('<g class="gx-zd gx-zw">')
        for first, n in runs:
            w(f'<rect class="gx-off" x="{first * ppd}" y="0" width="{n * ppd}" height="100%"/>')
        w("</g>\n")
    for m in model.milestones:
        x = (lay.off(m.date) + 0.5) * ppd
        w(f'<line class="gx-mg ms-{m.state}" x1="{_n(x)}" x2="{_n(x)}" y1="0" y2="100%"/>')
    w("\n")
    for m in lay.modules:
        h = m.header
        w(f'<g class="gx-m" data-m="{m.index}" transform="translate(0,{m.top})">'
          f'<rect class="gx-band" width="{lay.width}" height="{ROW_H}"/>')
        x, width = lay.bar_x(h.start, h.end)
        w(f'<rect class="gx-sum" x="{x}" y="{SUM_Y}" width="{width}" height="{SUM_H}"/>')
        if h.progress > 0:
            w(f'<rect class="gx-sump" x="{x}" y="{SUM_Y + 2}" width="{_n(width * h.progress)}" height="{SUM_H - 4}"/>')
        w('\n<g class="gx-kids">\n')
        for i, tr in enumerate(m.tasks):
            _task_bars(w, lay, tr, (i + 1) * ROW_H)
        w("</g></g>\n")
    if model.today_visible:
        x = lay.off(model.today + timedelta(days=1)) * ppd
        w(f'<line class="gx-today" x1="{x}" x2="{x}" y1="0" y2="100%"/>\n')
    w("</g>\n")
    _arrows(w, lay)
    w(f'<rect class="gx-hl" x="0" y="0" width="100%" height="{ROW_H}" visibility="hidden"/>\n')
    w("</svg></div>\n")


def _task_bars(w, lay: GanttLayout, tr: _TaskRow, y: int) -> None:
    r = tr.row
    w(f'<g class="gx-t" data-t="{_e(r.key)}" transform="translate(0,{y})">')
    if r.baseline_start is not None and r.baseline_end is not None:
        x, width = lay.bar_x(r.baseline_start, r.baseline_end)
        w(f'<rect class="gx-base" x="{x}" y="{BASE_Y}" width="{width}" height="{BASE_H}"/>')
    x, width = lay.bar_x(r.start, r.end)
    crit = " gx-crit" if tr.critical else ""
    ev = " gx-ev" if r.task_kind == "event" else ""
    w(f'<rect class="gx-b s-{tr.status}{crit}{ev}" x="{x}" y="{BAR_Y}" width="{width}" height="{BAR_H}"/>')
    if r.progress > 0:
        w(f'<rect class="gx-p s-{tr.status}" x="{x}" y="{_n(PROG_Y)}" width="{_n(width * r.progress)}" '
          f'height="{_n(PROG_H)}"/>')
    w(_kind_marks(r.task_kind, tr.status, x, x + width))
    if r.actual_start is not None and r.actual_end is not None:
        sx, sw = lay.bar_x(r.actual_start, r.actual_end)
        ongoing = " gx-ongoing" if r.actual_ongoing else ""
        w(f'<rect class="gx-span{ongoing}" x="{sx}" y="{SPAN_Y}" width="{sw}" height="{SPAN_H}"/>')
    w("</g>\n")


def _kind_marks(kind: str, status: str, x0: float, x1: float) -> str:
    """A timebox's end caps (``gx-cap``, |==|) or an event's pins (``gx-pin``: taller and heavier,
    at its start and end), as vertical lines: in the group a zoom scales horizontally, lines
    keep their width (vector-effect), where the PNG's diamonds would be squashed."""
    if kind == "timebox":
        cls, reach = "gx-cap", 3
    elif kind == "event":
        cls, reach = "gx-pin", 5
    else:
        return ""
    y0, y1 = BAR_Y - reach, BAR_Y + BAR_H + reach
    return "".join(f'<line class="{cls} s-{status}" x1="{_n(x)}" x2="{_n(x)}" y1="{y0}" y2="{y1}"/>' for x in (x0, x1))


def dependency_edges(lay: GanttLayout) -> list[tuple[str, str, int, int, bool, str]]:
    """(predecessor, successor, day offset the arrow leaves from, the successor's start offset,
    both critical, type) for every ``depends_on`` between two tasks on the chart, in row order.
    A finish-to-start arrow leaves from the predecessor's end (its end offset + 1), a
    start-to-start one (type ``ss``) from its start."""
    rows: dict[str, _TaskRow] = {}
    for m in lay.modules:
        for tr in m.tasks:
            rows.setdefault(tr.row.key, tr)
    out = []
    for m in lay.modules:
        for tr in m.tasks:
            seen = set()
            for dep in tr.dependencies:
                pred = rows.get(dep.task)
                if pred is None or dep.task == tr.row.key or dep.task in seen:
                    continue
                seen.add(dep.task)
                ss = dep.type == SS
                leaves = lay.off(pred.row.start) if ss else lay.off(pred.row.end) + 1
                out.append((dep.task, tr.row.key, leaves, lay.off(tr.row.start), pred.critical and tr.critical,
                            dep.type))
    return out


def _arrows(w, lay: GanttLayout) -> None:
    """All arrows in two paths (the others, then the critical ones): a zoom or a collapse then
    rewrites two attributes, not one per arrow (a campaign with dense dependencies has
    thousands). ``data-a`` lists each path's arrows, "predecessor successor d0 d1" (and " s" for
    a start-to-start one) separated by ";", in the order their subpaths (shaft, then head)
    appear in ``d``."""
    edges = dependency_edges(lay)
    if not edges:
        return
    tops = lay.row_top()
    ppd = lay.ppd
    w('<g class="gx-deps">\n')
    for crit in (False, True):
        chosen = [e for e in edges if e[4] is crit]
        if not chosen:
            continue
        data = ";".join(f"{_e(pred)} {_e(succ)} {d0} {d1}" + (" s" if kind == SS else "")
                        for pred, succ, d0, d1, _, kind in chosen)
        path = "".join(arrow_path(d0 * ppd, tops[pred] + ROW_MID, d1 * ppd, tops[succ] + ROW_MID, kind == SS)
                       for pred, succ, d0, d1, _, kind in chosen)
        w(f'<path class="gx-d{" gx-dc" if crit else ""}" data-a="{data}" d="{path}"/>\n')
    w("</g>\n")


def gantt_script_labels(locale: str, *, update: bool = False) -> Mapping[str, str]:
    """Strings gantt.js shows (in the page's JSON data block); ``update``: the tooltip's update
    link's label too (with repo_url)."""
    labels = {"critical": t(locale, "html.gantt_critical_tip"), "float": t(locale, NP_("html.gantt_float"), n="{n}"),
              "task_id": t(locale, "html.gantt_task_id", id="{id}")}
    if update:
        labels["update"] = t(locale, "html.update")
    return labels
