"""The Gantt of the site (DESIGN §7): PNG pages and one SVG. Goals and trend: ``charts``;
the colours and matplotlib plumbing they share: ``chrome``.

Each chart is built in two steps. A pure function turns the snapshot into a plain data model
(``gantt_model``, ``goals_model``, ``trend_model``: frozen dataclasses of dates, fractions,
colours and labels, no matplotlib), which tests assert on; then the model is drawn. PNGs are
drawn with matplotlib's object API (``Figure`` + Agg canvas, never pyplot), imported lazily.

Designed for 1,000 tasks (a naive one-``barh``-per-task Gantt took ~10 s, half of it saving one
22,200-px PNG):
- a plan taller than ``ROWS_PER_PAGE`` rows is split into pages: ``gantt.png`` holds the module
  summary and the first rows, ``gantt-2.png``, ``gantt-3.png``... the rest (every page < 2,000 px);
- matplotlib draws the page chrome (title, legend, date axis, milestones, week grid) once per
  page height; each page's rows are then painted onto it with Pillow: bars are axis-aligned
  rectangles, and labels are set from glyphs rasterised once (matplotlib spends ~2 ms a label in
  FreeType layout, Pillow ~0.2 ms, the glyph cache ~0.04 ms); PNGs are encoded in a worker
  thread while the next page is drawn;
- fixed layout in inches: no tight_layout, no ``bbox_inches="tight"`` (both draw twice);
- ``gantt.svg`` is the whole plan in one image, written from the model as text (searchable,
  escaped, ~20 ms for 1,000 rows), not through matplotlib's SVG backend.

Output is deterministic: inputs in campaign-file order, no dates or versions in any file.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from ptrack.core.compute import CampaignSnapshot, Status
from ptrack.i18n import NP_, fmt_points, t
from ptrack.render.fonts import FontChoice
from ptrack.render.chrome import (
    ACTUAL_SPAN_COLOUR, ARROW_COLOUR, BASELINE_COLOUR, DPI, FONT_SIZE, GRID_COLOUR, GROUP_BAND_COLOUR, GROUP_COLOURS,
    GROUP_LABEL_COLOUR, LABEL_COLOUR, LANE_COLOUR, LegendEntry, MILESTONE_STYLE, RULE_COLOUR,
    SPAN_ONGOING_COLOUR, STATUS_COLOURS, STATUS_ORDER, STRIPE_COLOUR, TODAY_COLOUR, agg_canvas,
    axes_data_transform, draw_legend, mpl_context, png_pixels, rect, shorten, text_em, date_ticks,
)


ROWS_PER_PAGE = 60  # task and module rows per Gantt image; more rows go to gantt-2.png, ...
MAX_PIXELS = 65_000  # Agg cannot draw more than 65,536 px a side
ROW_IN = 0.24  # height of one Gantt row, inches
FIG_WIDTH_IN = 14.0
MAX_LABEL_EM = 24  # longer task labels are shortened with "…"


# ---------------------------------------------------------------------------------------------
# The Gantt data model

@dataclass(frozen=True)
class GanttRow:
    """One row of the Gantt: a task, a module header (``group``) or a module line of the summary
    on page 1 (``summary``). Dates are inclusive; ``progress`` is a fraction 0..1."""

    kind: str  # task | group | summary
    key: str | None  # task id, or module name (None: tasks without a module)
    label: str
    start: date  # planned start
    end: date  # planned end (inclusive)
    progress: float  # actual progress as a fraction of the bar
    colour: str  # dark: progress fill and outline
    light: str  # light: the planned bar
    status: str | None = None  # task status (Status value); None for module rows
    actual_start: date | None = None  # set when the actual span differs from the plan
    actual_end: date | None = None  # actual end, or the as-of date while it runs
    actual_ongoing: bool = False  # actual_end is the as-of date, not a finish
    continued: bool = False  # a module header repeated at the top of a page
    status_label: str | None = None  # the status in words (tasks)
    baseline_start: date | None = None  # the task's planned dates in the baseline (--baseline)
    baseline_end: date | None = None
    task_kind: str = "work"  # work | timebox (drawn between end caps) | event (pinned by diamonds)


@dataclass(frozen=True)
class GanttMilestone:
    key: str
    label: str
    date: date
    state: str  # achieved_on_time | achieved_late | missed | upcoming
    filled: bool  # achieved
    colour: str
    lane: int  # milestone row, 0 at the top (labels that would overlap go to the next lane)
    label_left: bool = False  # the label is drawn left of the diamond (no room on the right)


@dataclass(frozen=True)
class GanttLink:
    """A ``depends_on`` link between two task rows: an arrow from the predecessor's end
    (``type`` ss: its start) to the successor's start."""

    pred: str
    succ: str
    type: str = "fs"  # fs | ss


@dataclass(frozen=True)
class GanttPage:
    number: int  # 1-based
    filename: str  # gantt.png, gantt-2.png, ...
    rows: tuple[GanttRow, ...]
    summary: tuple[GanttRow, ...] = ()  # the module summary (page 1 of a paged chart only)


@dataclass(frozen=True)
class GanttModel:
    title: str
    x_start: date  # first day shown
    x_end: date  # day after the last day shown
    week_ticks: tuple[date, ...]  # Mondays: grid lines
    label_ticks: tuple[date, ...]  # the labelled ones among them
    today: date
    today_label: str
    today_visible: bool
    milestones: tuple[GanttMilestone, ...]
    milestone_lanes: int
    milestones_label: str
    rows: tuple[GanttRow, ...]  # the whole plan: module headers and tasks, in order
    pages: tuple[GanttPage, ...]
    legend: tuple[LegendEntry, ...]
    label_width_in: float  # width of the label column
    plot_width_in: float
    summary_label: str
    page_label: tuple[str, ...]  # "page i of n" per page ("" when there is one page)
    empty_label: str
    baseline_label: str = ""
    links: tuple[GanttLink, ...] = ()  # in row order of the successors, then their depends_on


def gantt_model(snapshot: CampaignSnapshot, locale: str, *, rows_per_page: int | None = None,
                baseline: Mapping[str, tuple[date, date]] | None = None) -> GanttModel:
    """The Gantt of ``snapshot`` as data: rows grouped by module (modules in order of first
    appearance, tasks in file order), milestones in lanes, the as-of line, pages (of
    ``rows_per_page`` rows, default ``ROWS_PER_PAGE``), legend. ``baseline``: task id ->
    (start, end) in the baseline (``ptrack.git.baseline``), drawn as a thin grey bar behind each
    task's current plan."""
    baseline = baseline or {}
    rows_per_page = rows_per_page or ROWS_PER_PAGE
    campaign = snapshot.campaign
    as_of = snapshot.as_of

    # Rows, grouped by module.
    modules: dict[str | None, list] = {}
    for ts in snapshot.tasks:
        modules.setdefault(ts.task.module, []).append(ts)
    if None in modules:  # tasks without a module go last
        modules[None] = modules.pop(None)
    group_stats = {g.key: g for g in snapshot.groups.get("module", ())}

    rows: list[GanttRow] = []
    summary: list[GanttRow] = []
    for module, members in modules.items():
        header = _group_row(module, members, group_stats.get(module), locale)
        rows.append(header)
        summary.append(replace(header, kind="summary"))
        rows.extend(_task_row(ts, snapshot, as_of, locale, baseline.get(ts.task.id)) for ts in members)

    # The time axis: the plan, actual dates, milestones; D when it is near (an ongoing actual
    # span ends at D, so it is left out here and cut at the window's edge below).
    days = [campaign.start, campaign.end]
    for r in rows:
        days += [r.start, r.end]
        days += [d for d in (r.baseline_start, r.baseline_end) if d is not None]
        days += [d for d in (r.actual_start, None if r.actual_ongoing else r.actual_end) if d is not None]
    days += [m.date for m in campaign.milestones]
    days += [m.achieved for m in campaign.milestones if m.achieved is not None]
    first, last = min(days), max(days)
    span = (last - first).days + 1
    slack = max(14, span // 4)
    today_visible = first - timedelta(days=slack) <= as_of <= last + timedelta(days=slack)
    if today_visible:
        first, last = min(first, as_of), max(last, as_of)
    pad = max(2, ((last - first).days + 1) // 40)
    x_start = first - timedelta(days=pad)
    x_end = last + timedelta(days=pad + 1)
    if not today_visible:
        rows = [replace(r, actual_end=min(r.actual_end, x_end - timedelta(days=1)))
                if r.actual_ongoing and r.actual_end is not None else r for r in rows]

    labels = [r.label for r in rows]
    label_width_in = min(MAX_LABEL_EM, max([text_em(s) for s in labels] + [8])) * FONT_SIZE / 72 + 0.25
    plot_width_in = FIG_WIDTH_IN - label_width_in - 0.35
    week_ticks, label_ticks = date_ticks(x_start, x_end, plot_width_in)

    milestones, lanes = _milestones(snapshot, x_start, x_end, plot_width_in)
    shown = {r.key for r in rows if r.kind == "task"}
    links = tuple(dict.fromkeys(GanttLink(d.task, r.key, d.type) for r in rows if r.kind == "task"
                                for d in snapshot.task(r.key).task.dependencies if d.task in shown and d.task != r.key))
    pages = _pages(rows, summary, rows_per_page, locale)
    n = len(pages)
    legend = _gantt_legend(rows, milestones, today_visible, as_of, locale)
    return GanttModel(
        title=t(locale, "chart.gantt_title", name=campaign.name, as_of=as_of.isoformat()),
        x_start=x_start,
        x_end=x_end,
        week_ticks=week_ticks,
        label_ticks=label_ticks,
        today=as_of,
        today_label=t(locale, "chart.today", date=as_of.isoformat()),
        today_visible=today_visible,
        milestones=milestones,
        milestone_lanes=lanes,
        milestones_label=t(locale, "chart.milestones"),
        rows=tuple(rows),
        pages=pages,
        legend=legend,
        label_width_in=round(label_width_in, 3),
        plot_width_in=round(plot_width_in, 3),
        summary_label=t(locale, "chart.summary"),
        page_label=tuple(t(locale, "chart.page", page=p.number, pages=n) if n > 1 else "" for p in pages),
        empty_label=t(locale, "chart.no_tasks"),
        baseline_label=t(locale, "chart.baseline"),
        links=links,
    )


def _group_row(module: str | None, members, stats, locale: str) -> GanttRow:
    name = module if module is not None else t(locale, "none")
    active = [ts for ts in members if ts.status is not Status.CANCELLED] or members
    actual = stats.actual_progress if stats is not None else 0.0
    planned = stats.planned_progress if stats is not None else 0.0
    label = t(locale, NP_("chart.group"), module=name, n=len(members), actual=fmt_points(actual),
              planned=fmt_points(planned))
    return GanttRow(
        kind="group",
        key=module,
        label=label,
        start=min(ts.task.planned_start for ts in active),
        end=max(ts.task.planned_end for ts in active),
        progress=_fraction(actual),
        colour=GROUP_COLOURS[0],
        light=GROUP_COLOURS[1],
    )


def _task_row(ts, snapshot: CampaignSnapshot, as_of: date, locale: str,
              baseline: tuple[date, date] | None = None) -> GanttRow:
    task = ts.task
    dark, light = STATUS_COLOURS[ts.status.value]
    owner = snapshot.campaign.person_name(task.owner)
    label = shorten(f"{task.name} · {owner}" if owner else task.name, MAX_LABEL_EM)
    # The actual span, drawn under the bar when it differs from the plan.
    a_start = task.actual_start if task.actual_start is not None and task.actual_start <= as_of else None
    a_end = task.actual_end if task.actual_end is not None and task.actual_end <= as_of else None
    span_start = span_end = None
    ongoing = False
    if a_start is not None or a_end is not None:
        begin = a_start or task.planned_start
        if a_end is not None:
            finish = a_end
        else:
            finish, ongoing = as_of, True
        differs = begin != task.planned_start or (a_end is not None and a_end != task.planned_end) or (
            ongoing and as_of > task.planned_end)
        if differs and finish >= begin:
            span_start, span_end = begin, finish
        else:
            ongoing = False
    return GanttRow(
        kind="task",
        key=task.id,
        label=label,
        start=task.planned_start,
        end=task.planned_end,
        progress=_fraction(ts.actual_progress),
        colour=dark,
        light=light,
        status=ts.status.value,
        status_label=t(locale, f"status.{ts.status.value}"),
        actual_start=span_start,
        actual_end=span_end,
        actual_ongoing=ongoing,
        baseline_start=baseline[0] if baseline and baseline[0] <= baseline[1] else None,
        baseline_end=baseline[1] if baseline and baseline[0] <= baseline[1] else None,
        task_kind=task.kind,
    )


def _fraction(percent: float) -> float:
    return min(1.0, max(0.0, percent / 100.0))


def _milestones(snapshot: CampaignSnapshot, x_start: date, x_end: date,
                plot_width_in: float) -> tuple[tuple[GanttMilestone, ...], int]:
    """Milestones by date, each in the first lane where its label does not run into the label
    before it (a label starts at its diamond and runs to the right)."""
    days_per_in = max(1, (x_end - x_start).days) / plot_width_in
    em_days = FONT_SIZE / 72 * days_per_in
    x_max = (x_end - x_start).days
    lane_free: list[float] = []  # per lane: the first day after its last label
    out = []
    ordered = sorted(snapshot.milestones, key=lambda ms: (ms.milestone.date, ms.milestone.id))
    for ms in ordered:
        m = ms.milestone
        colour, filled = MILESTONE_STYLE[ms.state]
        label = f"{m.name} {m.date:%m-%d}"
        x = (m.date - x_start).days + 0.5
        width = (text_em(label) + 1.2) * em_days
        left = x + width > x_max  # no room on the right: the label goes left of the diamond
        begin, finish = (x - width, x + em_days) if left else (x - em_days, x + width)
        lane = next((i for i, free in enumerate(lane_free) if begin >= free), len(lane_free))
        if lane == len(lane_free):
            lane_free.append(-math.inf)
        lane_free[lane] = finish
        out.append(GanttMilestone(m.id, label, m.date, ms.state, filled, colour, lane, left))
    return tuple(out), len(lane_free)


SUMMARY_EXTRA_UNITS = 1.6  # the summary's caption line and the gap under it, in rows


def first_page_rows(summary_rows: int, per_page: int) -> int:
    """How many plan rows page 1 holds when the plan is paged: fewer than the others by the
    room the module summary takes, so that every page has the same size (one chrome is drawn
    for all of them, and the pages line up in a report); at least half a page, however many
    modules there are (page 1 is then taller), and never fewer than two."""
    if not summary_rows:
        return per_page
    return min(per_page, max(per_page - math.ceil(summary_rows + SUMMARY_EXTRA_UNITS), per_page // 2, 2))


def _pages(rows: list[GanttRow], summary: list[GanttRow], per_page: int, locale: str) -> tuple[GanttPage, ...]:
    """One page when the plan fits; else pages of ``per_page`` rows, page 1 fewer
    (``first_page_rows``). A page that starts inside a module repeats its header (marked
    ``continued``); a header never ends a page alone."""
    if len(rows) <= per_page:
        return (GanttPage(1, "gantt.png", tuple(rows)),)
    pages: list[list[GanttRow]] = []
    current: list[GanttRow] = []
    header: GanttRow | None = None
    first = first_page_rows(len(summary), per_page)
    for row in rows:
        if row.kind == "group":
            header = row
        room = first if not pages else per_page
        if len(current) >= room or (row.kind == "group" and len(current) >= room - 1):
            pages.append(current)
            current = []
            if row.kind != "group" and header is not None:
                name = header.key if header.key is not None else t(locale, "none")
                current.append(replace(header, continued=True, label=t(locale, "chart.continued", module=name)))
        current.append(row)
    if current:
        pages.append(current)
    return tuple(GanttPage(i + 1, "gantt.png" if i == 0 else f"gantt-{i + 1}.png", tuple(p),
                           tuple(summary) if i == 0 else ())
                 for i, p in enumerate(pages))


def _gantt_legend(rows: Sequence[GanttRow], milestones: Sequence[GanttMilestone], today_visible: bool,
                  as_of: date, locale: str) -> tuple[LegendEntry, ...]:
    present = {r.status for r in rows if r.kind == "task"}
    entries = [LegendEntry("bar", t(locale, f"status.{s}"), *STATUS_COLOURS[s]) for s in STATUS_ORDER
               if s in present]
    if any(r.kind == "task" for r in rows):
        entries.append(LegendEntry("bar", t(locale, "chart.plan_bar"), *STATUS_COLOURS[Status.IN_PROGRESS.value]))
    kinds = {r.task_kind for r in rows if r.kind == "task"}
    for kind, shape in (("timebox", "window"), ("event", "event")):
        if kind in kinds:
            entries.append(LegendEntry(shape, t(locale, f"kind.{kind}"), GROUP_COLOURS[0]))
    if any(r.actual_start is not None for r in rows):
        entries.append(LegendEntry("span", t(locale, "chart.actual_span"), ACTUAL_SPAN_COLOUR))
    if any(r.baseline_start is not None for r in rows):
        entries.append(LegendEntry("span", t(locale, "chart.baseline"), BASELINE_COLOUR))
    states = {m.state for m in milestones}
    for state, (colour, filled) in MILESTONE_STYLE.items():
        if state in states:
            entries.append(LegendEntry("diamond", t(locale, f"milestone.{state}"), colour, None, filled))
    if today_visible:
        entries.append(LegendEntry("line", t(locale, "chart.today", date=as_of.isoformat()), TODAY_COLOUR))
    return tuple(entries)


# ---------------------------------------------------------------------------------------------
# Drawing the Gantt
#
# A page is drawn in two layers. The chrome (title, legend, date axis, milestone lane, the as-of
# label) is the same on every page of the same height: it is drawn once, kept as a pixel
# buffer, and restored for each page. Then only that page's rows are drawn on top (a few
# collections), task labels are set with Pillow (FreeType without matplotlib's per-string
# overhead: ~0.2 ms a label instead of ~2 ms), and the PNG is encoded in a worker thread (Pillow
# releases the GIL) while the next page is drawn. Module headers, labels with a glyph the CJK
# font lacks, and every label when no CJK font was found go through matplotlib, which falls back
# glyph by glyph.


PNG_COMPRESS_LEVEL = 3  # zlib level of the palette pages: half the time of level 6 for ~20% more bytes (1,000 tasks: 2.4 MB instead of 2.0)


@dataclass(frozen=True)
class _Layout:
    y_rows: tuple[tuple[float, GanttRow], ...]  # top y of each row, in row units
    summary_top: float | None  # y of the "summary by module" caption
    body_top: float
    n_units: float  # height of the plot in row units


def render_gantt(snapshot: CampaignSnapshot, out_dir: Path, *, locale: str, font: FontChoice,
                 baseline: Mapping[str, tuple[date, date]] | None = None) -> list[str]:
    """Write ``gantt.png`` (plus ``gantt-2.png``, ... for a plan taller than ``ROWS_PER_PAGE``
    rows) and ``gantt.svg`` (the whole plan) into ``out_dir``; return the file names written,
    PNG pages in order, then the SVG. ``baseline``: see ``gantt_model``."""
    return draw_gantt(gantt_model(snapshot, locale, baseline=baseline), out_dir, font=font)


def draw_gantt(model: GanttModel, out_dir: Path, *, font: FontChoice, svg: bool = True,
               encoder: PageEncoder | None = None) -> list[str]:
    """``render_gantt`` from the model: the PNG pages, and ``gantt.svg`` unless ``svg`` is
    false (a build writes the SVG itself while its child draws the pages). ``encoder``: the
    ``PageEncoder`` to encode the pages with; the caller closes it (waiting for the pages) when
    it has drawn what else it draws. By default this call uses one of its own."""
    if encoder is None:
        with PageEncoder() as own:
            return draw_gantt(model, out_dir, font=font, svg=svg, encoder=own)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with mpl_context(font):
        _render_gantt_pages(model, out_dir, font, encoder)
    written = [page.filename for page in model.pages]
    if svg:
        (out_dir / "gantt.svg").write_text(gantt_svg(model), encoding="utf-8", newline="\n")
        written.append("gantt.svg")
    return written


class PageEncoder:
    """Encodes PNG pages in two threads (Pillow releases the GIL while it maps colours and
    compresses) while the caller draws on. ``close`` (or leaving the ``with`` block) waits for
    every page and raises the first encoding error."""

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=2)
        self._jobs: list = []

    def submit(self, fn, *args) -> None:
        self._jobs.append(self._pool.submit(fn, *args))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        jobs, self._jobs = self._jobs, []
        for job in jobs:
            job.result()  # re-raise an encoding error

    def __enter__(self) -> PageEncoder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _layout(model: GanttModel, rows: Sequence[GanttRow], summary: Sequence[GanttRow],
            pad_to: float | None = None) -> _Layout:
    """The rows' positions on a page; ``pad_to``: the page's height in row units at least."""
    lanes = model.milestone_lanes
    y_rows: list[tuple[float, GanttRow]] = []
    y = lanes + (0.4 if lanes else 0)
    summary_top = None
    if summary:
        summary_top = y
        y += 1  # the caption
        for r in summary:
            y_rows.append((y, r))
            y += 1
        y += SUMMARY_EXTRA_UNITS - 1
    body_top = y
    for r in rows:
        y_rows.append((y, r))
        y += 1
    if pad_to is not None:
        y = max(y, pad_to)
    return _Layout(tuple(y_rows), summary_top, body_top, max(y, 3))


def _page_layouts(model: GanttModel) -> list[tuple[object, str, _Layout]]:
    """(page, page label, layout) of every PNG page, in order."""
    layouts = [_layout(model, page.rows, page.summary) for page in model.pages]
    if len(layouts) > 1:
        # Every page is padded to the height of the tallest but page 1 (the last page is
        # shorter; page 1 holds fewer rows, to make room for the summary), so they all share one
        # chrome; page 1 only when it is not taller (a summary of very many modules).
        height = max(layout.n_units for layout in layouts[1:])
        layouts = [_layout(model, page.rows, page.summary, height) if i or layout.n_units <= height else layout
                   for i, (page, layout) in enumerate(zip(model.pages, layouts))]
    return list(zip(model.pages, model.page_label, layouts))


def _figure_height_in(model: GanttModel, layout: _Layout) -> tuple[float, float, float]:
    """(height, top margin, bottom margin) of a page's figure, in inches."""
    legend_rows = math.ceil(len(model.legend) / 6) if model.legend else 0
    top_in = 0.42 + 0.24 * legend_rows + 0.3
    bottom_in = 0.55
    return top_in + layout.n_units * ROW_IN + bottom_in, top_in, bottom_in


def _page_dpi(height_in: float) -> int:
    """The DPI of a page: ``DPI``, lowered when a side would exceed what Agg can draw."""
    return min(DPI, math.floor(MAX_PIXELS / max(FIG_WIDTH_IN, height_in)))


def _gantt_figure(height_in: float):
    """A page's empty figure (``_page_dpi``). The one place a Gantt figure is made, so that
    ``gantt_png_sizes`` and the renderer agree to the pixel."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(FIG_WIDTH_IN, height_in), dpi=DPI)
    fig.set_dpi(_page_dpi(height_in))
    return fig


def gantt_png_sizes(model: GanttModel) -> list[tuple[str, int, int]]:
    """(file name, width px, height px) of the PNG pages ``render_gantt`` writes for ``model``,
    without drawing them or importing matplotlib: the page can be laid out while the charts
    render."""
    out = []
    for page, _, layout in _page_layouts(model):
        height_in = _figure_height_in(model, layout)[0]
        out.append((page.filename, *png_pixels(FIG_WIDTH_IN, height_in, _page_dpi(height_in))))
    return out


def _render_gantt_pages(model: GanttModel, out_dir: Path, font: FontChoice, encoder: PageEncoder) -> None:
    """Draw every PNG page, handing each to ``encoder``.

    matplotlib draws what pages share once per page height (title, legend, date axis, milestone
    lane, week grid, milestone guides); each page then gets its rows painted with Pillow: bands,
    bars and labels are axis-aligned rectangles and text, which Pillow sets ~10x faster than
    matplotlib artists (1,000 tasks: 17 pages)."""
    by_height: dict[float, list] = {}
    for page, page_label, layout in _page_layouts(model):
        by_height.setdefault(layout.n_units, []).append((page, page_label, layout))
    text_layer = palette = None
    for items in by_height.values():
        fig, ax, overlay = _gantt_chrome(model, items[0][2])
        canvas = fig.canvas
        canvas.draw()
        # The grid and the milestone guides lie under every page's bars: part of the background.
        for key in ("grid", "guides"):
            if key in overlay:
                overlay[key].set_visible(True)
                fig.draw_artist(overlay[key])
        background = canvas.copy_from_bbox(fig.bbox)
        base = _agg_image(canvas)  # the chrome as RGB, once: each page starts from a copy
        today = _overlay_layer(canvas, overlay.get("today"))  # over the bars: pasted after them
        box = _PlotBox.of(fig, ax, model, items[0][2])
        if text_layer is None:
            text_layer = _TextLayer.create(font, fig.dpi)
        for page, page_label, layout in items:
            image = base.copy()
            image_labels = _draw_row_texts(model, fig, ax, layout, text_layer, page_label, box, background, image)
            _paint_rows(image, layout, box, model, today)
            if text_layer is not None:
                text_layer.draw(image, image_labels)
            if palette is None:
                palette = _page_palette(image)
            # A copy each: Pillow fills a palette's colour lookup cache while it maps, with the
            # GIL released, so two encoding threads must not share one.
            encoder.submit(_save_image, image, out_dir / page.filename, palette.copy())


def _gantt_chrome(model: GanttModel, layout: _Layout):
    """The figure with everything but the rows: title, legend, date axis, milestone lane, as-of
    label. Returns (figure, axes, overlay): the overlay artists (week grid, milestone guides,
    as-of line) are hidden here; ``_render_gantt_pages`` draws them in their place among the rows."""
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.transforms import blended_transform_factory

    lanes = model.milestone_lanes
    n_units = layout.n_units
    height_in, top_in, bottom_in = _figure_height_in(model, layout)
    fig = _gantt_figure(height_in)
    agg_canvas(fig)
    ax = fig.add_axes((model.label_width_in / FIG_WIDTH_IN, bottom_in / height_in,
                       model.plot_width_in / FIG_WIDTH_IN, n_units * ROW_IN / height_in))
    xmax = (model.x_end - model.x_start).days
    ax.set_xlim(0, xmax)
    ax.set_ylim(n_units, 0)
    ax.set_yticks([])
    for side in ("left", "right"):
        ax.spines[side].set_visible(False)
    dx = _day_x(model)
    label_tf = blended_transform_factory(ax.transAxes, ax.transData)

    overlay = {"grid": LineCollection([[(dx(w), 0), (dx(w), n_units)] for w in model.week_ticks],
                                      colors=GRID_COLOUR, linewidths=0.6, zorder=0.5)}
    ticks = [dx(d) for d in model.label_ticks]
    ax.set_xticks(ticks, [f"{d:%m-%d}" for d in model.label_ticks])
    ax.tick_params(axis="x", labelsize=FONT_SIZE - 0.5, top=True, labeltop=True, length=3, color=RULE_COLOUR)

    if lanes:
        ax.add_collection(PolyCollection([rect(0, xmax, 0, lanes + 0.4)], facecolors=LANE_COLOUR,
                                         edgecolors="none", zorder=0), autolim=False)
        ax.text(-0.006, lanes / 2 + 0.2, model.milestones_label, transform=label_tf, ha="right", va="center",
                fontsize=FONT_SIZE, fontweight="bold", color=GROUP_LABEL_COLOUR)
        xs = [dx(m.date) + 0.5 for m in model.milestones]
        ys = [m.lane + 0.7 for m in model.milestones]
        ax.scatter(xs, ys, marker="D", s=42, zorder=5, linewidths=1.3,
                   facecolors=[m.colour if m.filled else "#ffffff" for m in model.milestones],
                   edgecolors=[m.colour for m in model.milestones])
        for m, x, yy in zip(model.milestones, xs, ys):
            ax.annotate(m.label, (x, yy), xytext=(-8 if m.label_left else 8, 0), textcoords="offset points",
                        va="center", ha="right" if m.label_left else "left", fontsize=FONT_SIZE - 0.5,
                        color=m.colour, zorder=5)
        # Dotted guides from each diamond down through the rows: one-pixel dots every 4 pixels,
        # snapped to the pixel grid, so the rows of every guide repeat every 4 pixels and zlib
        # finds them (150 milestones: 4.7 MB of PNG pages instead of 9.7, encoded 3x faster).
        overlay["guides"] = LineCollection([[(x, yy + 0.3), (x, n_units)] for x, yy in zip(xs, ys)],
                                           colors=[m.colour for m in model.milestones], linewidths=GUIDE_WIDTH,
                                           linestyles=_guide_dots(fig.dpi), zorder=1, snap=True)

    if model.today_visible:
        x = dx(model.today) + 1  # D is the end of that day
        overlay["today"] = ax.axvline(x, color=TODAY_COLOUR, linewidth=1.2, linestyle=(0, (4, 2)), zorder=6)
        ax.annotate(model.today_label, (x, 0), xycoords=blended_transform_factory(ax.transData, ax.transAxes),
                    xytext=(0, -17), textcoords="offset points", ha="center", va="top", fontsize=FONT_SIZE,
                    color="#ffffff", zorder=7, annotation_clip=False,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": TODAY_COLOUR, "edgecolor": "none"})
    else:
        ax.text(1.0, 1.0, "→ " + model.today_label, transform=ax.transAxes, ha="right", va="bottom",
                fontsize=FONT_SIZE, color=TODAY_COLOUR)
    for artist in overlay.values():
        if artist.axes is None:
            ax.add_collection(artist, autolim=False)
        artist.set_visible(False)

    fig.text(0.01, 1 - 0.12 / height_in, model.title, ha="left", va="top", fontsize=12, fontweight="bold")
    if model.legend:
        draw_legend(fig, model.legend, y_top=1 - 0.5 / height_in, ncols=min(6, len(model.legend)))
    return fig, ax, overlay


GUIDE_WIDTH = 0.7  # points: the milestone guides


def _guide_dots(dpi: float) -> tuple[float, tuple[float, float]]:
    """The milestone guides' dash pattern: (offset, (on, off)) in matplotlib's units (points,
    scaled by the line width) for a 1-pixel dot every 4 pixels at ``dpi``, the offset of half
    a pixel moving each dot from the snapped line's start (a pixel centre) onto whole pixels."""
    px = 72 / dpi / GUIDE_WIDTH  # one pixel
    return 0.5 * px, (1 * px, 3 * px)


def _day_x(model: GanttModel):
    x0 = model.x_start
    return lambda d: float((d - x0).days)


@dataclass(frozen=True)
class _PlotBox:
    """The plot area of a page in image pixels (origin top left), and the data units it spans:
    days along x (0 .. ``xmax``), rows down y (0 .. ``n_units``)."""

    left: float
    top: float
    width: float
    height: float
    xmax: int
    n_units: float

    @classmethod
    def of(cls, fig, ax, model: GanttModel, layout: _Layout) -> _PlotBox:
        x0, y0 = ax.transData.transform((0, 0))  # display pixels, origin bottom left
        xmax = (model.x_end - model.x_start).days
        x1, y1 = ax.transData.transform((xmax, layout.n_units))
        height_px = fig.bbox.height
        return cls(float(x0), float(height_px - y0), float(x1 - x0), float(y0 - y1), xmax, layout.n_units)

    def x(self, day: float) -> float:
        return self.left + day * self.width / self.xmax

    def y(self, unit: float) -> float:
        return self.top + unit * self.height / self.n_units

    def rect(self, x0: float, x1: float, y0: float, y1: float) -> tuple[int, int, int, int]:
        """Data rectangle -> Pillow's inclusive pixel box, snapped to whole pixels (at least one)."""
        left, top = round(self.x(x0)), round(self.y(y0))
        return left, top, max(left, round(self.x(x1)) - 1), max(top, round(self.y(y1)) - 1)


def _overlay_layer(canvas, artist):
    """``artist`` drawn alone on a transparent canvas: (box, RGB image, alpha mask) of the pixels
    it covers, to paste over Pillow's drawing; None without an artist. Leaves the canvas cleared
    (the caller restores its background)."""
    if artist is None:
        return None
    from PIL import Image

    canvas.get_renderer().clear()
    artist.set_visible(True)
    canvas.figure.draw_artist(artist)
    width, height = canvas.get_width_height(physical=True)
    rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    box = rgba.getchannel("A").getbbox()
    if box is None:
        return None
    part = rgba.crop(box)
    return box, part.convert("RGB"), part.getchannel("A")


def fitted_label(label: str, name: str | None, fits: Callable[[str], bool]) -> str:
    """``label`` as it fits (``fits``: measured in the font it is drawn in): whole; else with
    ``name`` (the module name inside a module row's label) cut short with "…" and the rest (the
    row's figures) kept; else cut at its end with "…"."""
    if fits(label):
        return label

    def longest(n: int, ok: Callable[[int], bool]) -> int | None:
        """The largest k in [0, n] with ok(k) (ok holds up to some k, then fails), or None."""
        if not ok(0):
            return None
        low, high = 0, n
        while low < high:
            mid = (low + high + 1) // 2
            if ok(mid):
                low = mid
            else:
                high = mid - 1
        return low

    if name and name in label:
        def cut_name(k: int) -> str:
            return label.replace(name, name[:k].rstrip() + "…", 1)

        k = longest(len(name) - 1, lambda k: fits(cut_name(k)))
        if k is not None and k > 0:
            return cut_name(k)

    def cut(k: int) -> str:
        return label[:k].rstrip() + "…"

    return cut(longest(len(label) - 1, lambda k: fits(cut(k))) or 0)


def _module_name(row: GanttRow) -> str | None:
    """The module name inside a module row's label (the part to cut short first)."""
    return row.key if row.kind != "task" else None


def _draw_row_texts(model: GanttModel, fig, ax, layout: _Layout, text_layer: _TextLayer | None,
                    page_label: str, box: _PlotBox, background, image) -> list[tuple[float, float, str, str, bool]]:
    """Draw with matplotlib the page's texts the text layer does not set (the summary caption,
    the page number, labels with glyphs the layer's font lacks) onto the chrome (``background``,
    restored on the canvas), and copy the pixels they cover into ``image``, the page (a copy of
    the chrome as RGB); then take them out of the figure again. The row labels the layer sets
    are returned as (x px, y px from the top, text, colour, bold)."""
    label_tf = axes_data_transform(ax)
    texts = []
    image_labels = []
    x_px = ax.transAxes.transform((-0.006, 0))[0]
    room = x_px - 0.01 * fig.bbox.width  # a label ends at x_px and starts no further left than the title
    renderer = None
    for yy, r in layout.y_rows:
        bold = r.kind != "task"
        colour = GROUP_LABEL_COLOUR if bold else LABEL_COLOUR
        if text_layer is not None and text_layer.covers(r.label, bold=bold):
            label = fitted_label(r.label, _module_name(r), lambda text: text_layer.width(text, bold=bold) <= room)
            image_labels.append((x_px, box.y(yy + 0.5), label, colour, bold))
            continue
        artist = ax.text(-0.006, yy + 0.5, r.label, transform=label_tf, ha="right", va="center", clip_on=False,
                         fontsize=FONT_SIZE, fontweight="bold" if bold else "normal", color=colour)
        renderer = renderer or fig.canvas.get_renderer()

        def fits(text: str, artist=artist) -> bool:
            artist.set_text(text)
            return artist.get_window_extent(renderer).width <= room

        artist.set_text(fitted_label(r.label, _module_name(r), fits))
        texts.append(artist)
    if layout.summary_top is not None:
        texts.append(ax.text(-0.006, layout.summary_top + 0.5, model.summary_label, transform=label_tf,
                             ha="right", va="center", fontsize=FONT_SIZE + 0.5, fontweight="bold",
                             color="#000000"))
    if not layout.y_rows:
        texts.append(ax.text(0.5, 0.5, model.empty_label, transform=ax.transAxes, ha="center", va="center",
                             fontsize=12))
    if page_label:
        texts.append(fig.text(0.99, 1 - 0.12 / fig.get_size_inches()[1], page_label, ha="right", va="top",
                              fontsize=FONT_SIZE + 0.5, color="#546e7a"))
    if texts:
        canvas = fig.canvas
        canvas.restore_region(background)
        renderer = canvas.get_renderer()
        for artist in texts:
            fig.draw_artist(artist)
        _copy_canvas_region(canvas, image, [artist.get_window_extent(renderer) for artist in texts])
    for artist in texts:
        artist.remove()
    return image_labels


def _copy_canvas_region(canvas, image, extents) -> None:
    """Copy into ``image`` (RGB, the canvas's size) the canvas pixels inside the union of
    ``extents`` (display boxes, origin bottom left), widened by 2 px for anti-aliasing: only
    the part of the page matplotlib drew on is converted, not the whole page."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    x0 = max(0, math.floor(min(e.x0 for e in extents)) - 2)
    x1 = min(width, math.ceil(max(e.x1 for e in extents)) + 2)
    top = max(0, height - math.ceil(max(e.y1 for e in extents)) - 2)
    bottom = min(height, height - math.floor(min(e.y0 for e in extents)) + 2)
    if x1 <= x0 or bottom <= top:
        return
    rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image.paste(rgba.crop((x0, top, x1, bottom)).convert("RGB"), (x0, top))


def _paint_rows(image, layout: _Layout, box: _PlotBox, model: GanttModel, today) -> None:
    """Paint the rows of ``layout`` onto the page ``image`` (RGB, the chrome already in it):
    row bands under the week grid, then baseline, plan, progress and actual bars, then the
    as-of line (``today``, from ``_overlay_layer``) over them."""
    from PIL import ImageChops, ImageDraw

    draw = ImageDraw.Draw(image)
    rgb = _rgb
    xmax = box.xmax
    dx = _day_x(model)

    # Bands: zebra stripes and module rows, blended "darker" so the grid and guides stay on top.
    for yy, colour in _bands(layout):
        left, top, right, bottom = box.rect(0, xmax, yy, yy + 1)
        region = (left, top, right + 1, bottom + 1)
        image.paste(ImageChops.darker(image.crop(region), _solid(image.mode, region, rgb(colour))), region[:2])
    if layout.summary_top is not None:  # the line under the module summary
        y = round(box.y(layout.body_top - 0.3))
        draw.line((round(box.x(0)), y, round(box.x(xmax)) - 1, y), fill=rgb(RULE_COLOUR), width=1)

    # Dependency arrows, behind the bars (as in the SVG and the dashboard).
    row_px = box.height / box.n_units
    for shaft, head in _arrows(model, layout, lambda d: box.x(dx(d)), box.y, row_px):
        colour = rgb(ARROW_COLOUR)
        draw.line([(round(px), round(py)) for px, py in shaft], fill=colour, width=1)
        draw.line([(round(px), round(py)) for px, py in head], fill=colour, width=1)

    cancelled_dark, cancelled_light = STATUS_COLOURS[Status.CANCELLED.value]
    # Baselines first, behind every plan bar: a thin bar along the plan bar's top edge, showing
    # where the baseline reaches beyond the current plan.
    for yy, r in layout.y_rows:
        if r.baseline_start is not None and r.baseline_end is not None:
            h = 0.28 if r.kind == "task" else 0.16
            mid = yy + 0.5
            draw.rectangle(box.rect(dx(r.baseline_start), dx(r.baseline_end) + 1, mid - h - 0.15, mid - h + 0.05),
                           fill=rgb(BASELINE_COLOUR))
    for yy, r in layout.y_rows:
        a, b = dx(r.start), dx(r.end) + 1
        mid = yy + 0.5
        h = 0.28 if r.kind == "task" else 0.16
        plan = box.rect(a, b, mid - h, mid + h)
        if r.status == Status.CANCELLED.value:
            draw.rectangle(plan, fill=rgb(cancelled_light), outline=rgb(cancelled_dark), width=1)
            _hatch(draw, plan, rgb(cancelled_dark))
        else:
            draw.rectangle(plan, fill=rgb(r.light), outline=rgb(r.colour), width=1)
        if r.progress > 0:
            ih = h * 0.55
            draw.rectangle(box.rect(a, a + (b - a) * r.progress, mid - ih, mid + ih), fill=rgb(r.colour))
        if r.task_kind != "work":
            _paint_kind(draw, plan, r.task_kind, rgb(r.colour))
        if r.actual_start is not None and r.actual_end is not None:
            draw.rectangle(box.rect(dx(r.actual_start), dx(r.actual_end) + 1, mid + h + 0.05, mid + h + 0.16),
                           fill=rgb(SPAN_ONGOING_COLOUR if r.actual_ongoing else ACTUAL_SPAN_COLOUR))
    if today is not None:
        (left, top, right, bottom), pixels, alpha = today
        image.paste(pixels, (left, top), alpha)


def _arrows(model: GanttModel, layout: _Layout, x: Callable[[date], float], y: Callable[[float], float],
            row_px: float) -> list[tuple[list, list]]:
    """The dependency arrows between the task rows of ``layout`` (a PNG page leaves out the
    arrows to rows on other pages), as (shaft, head) polylines in pixels (``x``: a day's left
    edge, ``y``: a row unit's top), shaped like the dashboard's (``gantt_html.arrow_points``)."""
    from ptrack.render.gantt_html import arrow_points

    if not model.links:
        return []
    where = {r.key: (yy, r) for yy, r in layout.y_rows if r.kind == "task"}
    out = []
    for link in model.links:
        if link.pred not in where or link.succ not in where:
            continue
        (yp, pred), (ys, succ) = where[link.pred], where[link.succ]
        ss = link.type == "ss"
        out.append(arrow_points(x(pred.start if ss else pred.end + timedelta(days=1)), y(yp + 0.5), x(succ.start),
                                y(ys + 0.5), ss, stub=0.25 * row_px, row=row_px, head=(0.2 * row_px, 0.14 * row_px)))
    return out


def kind_marks(left: float, top: float, right: float, bottom: float, kind: str) -> list[tuple]:
    """What marks a timebox or an event on its plan bar (pixel box ``left, top, right, bottom``),
    the same in the PNG, the SVG and the dashboard's Gantt: a timebox runs for its window, drawn
    as two end caps 2 px wide reaching 3 px beyond the bar (|==|); an event is pinned to its
    dates by a diamond 3 px taller than the bar at its start, and at its end when the bar is
    wide enough for two (<>==<>). ``("rect", x0, y0, x1, y1)`` and ``("diamond", x, y, r)``."""
    if kind == "timebox":
        return [("rect", left, top - 3, left + 2, bottom + 3), ("rect", right - 2, top - 3, right, bottom + 3)]
    if kind == "event":
        r = (bottom - top) / 2 + 3
        y = (top + bottom) / 2
        marks = [("diamond", left, y, r)]
        if right - left > 3 * r:
            marks.append(("diamond", right, y, r))
        return marks
    return []


def _paint_kind(draw, plan: tuple[int, int, int, int], kind: str, colour) -> None:
    left, top, right, bottom = plan
    for mark in kind_marks(left, top, right + 1, bottom, kind):
        if mark[0] == "rect":
            _, x0, y0, x1, y1 = mark
            draw.rectangle((round(x0), round(y0), round(x1) - 1, round(y1)), fill=colour)
        else:
            _, x, y, r = mark
            draw.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=colour)


def _bands(layout: _Layout) -> list[tuple[float, str]]:
    """(top y, colour) of the row bands behind the bars: every module row, and every other task
    row after it (zebra stripes restart under each module header). PNG and SVG alike."""
    out = []
    stripe = 0
    for yy, r in layout.y_rows:
        if r.kind != "task":
            out.append((yy, GROUP_BAND_COLOUR))
            stripe = 0
        else:
            stripe += 1
            if stripe % 2 == 0:
                out.append((yy, STRIPE_COLOUR))
    return out


@functools.lru_cache(maxsize=256)
def _rgb(colour: str) -> tuple[int, int, int]:
    from PIL import ImageColor

    return ImageColor.getrgb(colour)[:3]


def _solid(mode: str, region: tuple[int, int, int, int], colour):
    from PIL import Image

    return Image.new(mode, (region[2] - region[0], region[3] - region[1]), colour)


def _hatch(draw, box: tuple[int, int, int, int], colour, spacing: int = 5) -> None:
    """Diagonal lines (like matplotlib's "////") inside a bar: a cancelled task."""
    left, top, right, bottom = box
    height = bottom - top
    for x in range(left - height, right + 1, spacing):
        # the segment from (x, bottom) up to (x + height, top), clipped to the box
        x0, y0 = x, bottom
        if x0 < left:
            y0 -= left - x0
            x0 = left
        x1, y1 = x + height, top
        if x1 > right:
            y1 += x1 - right
            x1 = right
        if x0 <= x1:
            draw.line((x0, y0, x1, y1), fill=colour, width=1)


class _TextLayer:
    """Row labels set with Pillow straight into the page image, in the font file and face
    matplotlib uses (regular for tasks, the family's bold face for module rows) at the same size,
    for the labels whose every glyph the font has.

    Each glyph is rasterised once and kept; a label is its glyphs pasted along the advance
    widths, so a 1,000-task Gantt rasterises a few hundred glyphs instead of 15,000. A label
    needing shaping (marks, joining or right-to-left scripts, format characters) is set whole
    by Pillow's own layout instead."""

    def __init__(self, regular: _GlyphFont, bold: _GlyphFont | None):
        self._faces = {False: regular, True: bold}

    @classmethod
    def create(cls, choice: FontChoice, dpi: float) -> _TextLayer | None:
        if choice.path is None:
            return None
        from ptrack.render.fonts import bold_face, font_face_index

        size = FONT_SIZE * dpi / 72
        regular = _GlyphFont.load(choice.path, font_face_index(choice), size)
        if regular is None:
            return None  # matplotlib draws every label
        bold = bold_face(choice)
        return cls(regular, _GlyphFont.load(*bold, size) if bold else None)

    def covers(self, text: str, *, bold: bool = False) -> bool:
        face = self._faces[bold]
        return face is not None and face.covers(text)

    def width(self, text: str, *, bold: bool = False) -> float:
        """Pixels ``text`` takes when set (the sum of its glyphs' advances, as ``draw`` sets them)."""
        return self._faces[bold].font.getlength(text)

    def draw(self, image, labels: Iterable[tuple[float, float, str, str, bool]]) -> None:
        """Set each (x, y, text, colour, bold) label right-aligned at x, centred on y."""
        for x, y, text, colour, bold in labels:
            self._faces[bold].draw(image, x, y, text, _rgb(colour))


class _GlyphFont:
    """One face at one size, with the glyphs it has rasterised so far."""

    def __init__(self, font, ft_font):
        from PIL import ImageDraw

        self.font = font
        self._ft = ft_font
        self._has: dict[str, bool] = {}
        self._simple: dict[str, bool] = {}
        self._glyphs: dict[str, tuple[object, int, int, float]] = {}
        # Pillow's "m" anchor: the baseline lies this far below the middle of ascender and descender.
        self._mid_to_baseline = font.getbbox("x", anchor="lm")[1] - font.getbbox("x", anchor="ls")[1]
        self._draw = ImageDraw.Draw  # bound once: used for the shaped fallback

    @classmethod
    def load(cls, path: str, index: int, size: float) -> _GlyphFont | None:
        try:
            from matplotlib import ft2font
            from PIL import ImageFont

            try:
                font = ImageFont.truetype(path, size=size, index=index)
            except TypeError:  # Pillow < 10.1 takes whole pixels only
                font = ImageFont.truetype(path, size=round(size), index=index)
            return cls(font, ft2font.FT2Font(path, face_index=index))
        except (OSError, ValueError, RuntimeError):
            return None

    def covers(self, text: str) -> bool:
        for c in text:
            ok = self._has.get(c)
            if ok is None:
                ok = self._has[c] = bool(self._ft.get_char_index(ord(c)))
            if not ok:
                return False
        return True

    def _is_simple(self, c: str) -> bool:
        """Whether ``c`` is set on its own, left to right, whatever surrounds it."""
        ok = self._simple.get(c)
        if ok is None:
            import unicodedata

            ok = self._simple[c] = (unicodedata.category(c)[0] not in "MC"
                                    and unicodedata.bidirectional(c) not in ("R", "AL", "AN")
                                    and not ("\u1100" <= c <= "\u11ff" or "\ua960" <= c <= "\ua97f"
                                             or "\ud7b0" <= c <= "\ud7ff"))  # conjoining jamo
        return ok

    def _glyph(self, c: str) -> tuple[object, int, int, int, int, float]:
        """(coverage mask's pixel core or None, width, height, left, top relative to the pen on
        the baseline, advance)."""
        glyph = self._glyphs.get(c)
        if glyph is None:
            from PIL import Image, ImageDraw

            left, top, right, bottom = self.font.getbbox(c, anchor="ls")
            core = None
            if right > left and bottom > top:
                mask = Image.new("L", (right - left, bottom - top), 0)
                ImageDraw.Draw(mask).text((-left, -top), c, font=self.font, fill=255, anchor="ls")
                mask.load()
                core = mask.im
            glyph = self._glyphs[c] = (core, right - left, bottom - top, left, top, self.font.getlength(c))
        return glyph

    def draw(self, image, x: float, y: float, text: str, colour: tuple[int, int, int]) -> None:
        if not all(self._is_simple(c) for c in text):
            self._draw(image).text((round(x), round(y)), text, font=self.font, fill=colour, anchor="rm")
            return
        glyphs = [self._glyph(c) for c in text]
        pen = round(x) - sum(g[5] for g in glyphs)
        baseline = round(y) + self._mid_to_baseline
        # Straight into the image's pixel core: Image.paste's checks cost 4x the paste itself,
        # 15,000 times for 1,000 labels. The image is an RGB copy of this process's own.
        image.load()
        core = image.im
        for mask, width, height, left, top, advance in glyphs:
            if mask is not None:
                x0, y0 = round(pen) + left, baseline + top
                core.paste(colour, (x0, y0, x0 + width, y0 + height), mask)
            pen += advance


def _agg_image(canvas):
    """The canvas pixels as an RGB Pillow image (a copy: the canvas is drawn over next)."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    return Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")


# The colours painted flat: each keeps its exact value in the pages' palette.
_FLAT_COLOURS = tuple(sorted({c for pair in STATUS_COLOURS.values() for c in pair} | {
    "#ffffff", GROUP_BAND_COLOUR, STRIPE_COLOUR, GRID_COLOUR, RULE_COLOUR, LANE_COLOUR, LABEL_COLOUR,
    GROUP_LABEL_COLOUR, BASELINE_COLOUR, ACTUAL_SPAN_COLOUR, ARROW_COLOUR, SPAN_ONGOING_COLOUR, TODAY_COLOUR,
    *(colour for colour, _ in MILESTONE_STYLE.values())}))


def _page_palette(image):
    """The 256 colours every page of a Gantt is mapped to: the flat colours (so a colour that
    first appears on a later page, such as a cancelled task's, is there), the rest (anti-aliased
    text and edges) from the fast octree of ``image``, the first page. Mapping a page to one
    shared palette is ~7x faster than quantising each page on its own, and as close on average
    (Pillow maps through a 4-level colour grid, so a flat colour may come out up to ~3 levels a
    channel off, as with the octree)."""
    from PIL import Image

    exact = [_rgb(c) for c in _FLAT_COLOURS]
    octree = image.quantize(colors=256 - len(exact), method=Image.Quantize.FASTOCTREE).getpalette()
    rest = [c for c in zip(octree[0::3], octree[1::3], octree[2::3]) if c not in exact]
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for c in (exact + rest)[:256] for v in c])
    palette.load()
    return palette


def _save_image(image, path: Path, palette) -> None:
    """A page as a 256-colour palette PNG (``_page_palette``): a chart is flat colours plus
    anti-aliased text, so it looks the same, encodes faster and is a third of the size (1,000
    tasks: 17 pages of ~130 KB instead of ~380 KB). Deterministic for the same pixels."""
    from PIL import Image

    paletted = image.quantize(palette=palette, dither=Image.Dither.NONE)
    paletted.save(path, format="png", compress_level=PNG_COMPRESS_LEVEL)


# ---------------------------------------------------------------------------------------------
# The Gantt as SVG: the whole plan in one vector image, written from the model directly. Text
# stays text (searchable, selectable, set in the viewer's CJK font), every user string is
# escaped, and the bytes depend on the model only: ~100x faster than matplotlib's SVG backend
# for 1,000 rows, where each label costs a FreeType layout.

SVG_FONTS = ("'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
             "'WenQuanYi Micro Hei', 'Noto Sans SC', 'Heiti SC', SimHei, 'Arial Unicode MS', sans-serif")


def gantt_svg(model: GanttModel) -> str:
    """The whole plan (every row, no pages, no summary block) as an SVG document."""
    px = DPI / 72  # px per point
    fs = round(FONT_SIZE * px, 2)
    rows = model.rows
    layout = _layout(model, rows, ())
    legend_rows = math.ceil(len(model.legend) / 6) if model.legend else 0
    top = (0.42 + 0.24 * legend_rows + 0.3) * DPI
    left = model.label_width_in * DPI
    plot_w = model.plot_width_in * DPI
    row_h = ROW_IN * DPI
    plot_h = layout.n_units * row_h
    width = FIG_WIDTH_IN * DPI
    height = top + plot_h + 0.55 * DPI
    xmax = max(1, (model.x_end - model.x_start).days)

    def X(d: date) -> float:
        return left + (d - model.x_start).days * plot_w / xmax

    def Y(u: float) -> float:
        return top + u * row_h

    out: list[str] = []
    w = out.append
    w('<?xml version="1.0" encoding="utf-8"?>\n')
    w(f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
      f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{_x(SVG_FONTS)}" font-size="{fs}" '
      f'role="img" aria-label="{_x(model.title)}">\n')
    w(f"<title>{_x(model.title)}</title>\n")
    dark, light = STATUS_COLOURS[Status.CANCELLED.value]
    w('<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6">'
      f'<rect width="6" height="6" fill="{light}"/><path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" '
      f'stroke="{dark}" stroke-width="0.8"/></pattern>'
      # row labels never leave their column, whatever font the viewer draws them in
      f'<clipPath id="gantt-labels"><rect x="0" y="0" width="{_n(left - 4)}" height="{_n(height)}"/></clipPath>'
      '</defs>\n')
    label_room = left - 10  # the label ends 8 px left of the plot; it may start at the image's edge
    w(f'<rect width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>\n')
    w(f'<text x="10" y="{_n(0.12 * DPI + 12 * px)}" font-size="{_n(12 * px)}" font-weight="bold">'
      f"{_x(model.title)}</text>\n")
    _svg_legend(w, model.legend, x0=10, y0=0.5 * DPI, fs=fs)

    # Plot background, milestone band, row bands, week grid.
    w('<g shape-rendering="crispEdges">\n')
    lanes = model.milestone_lanes
    if lanes:
        w(f'<rect x="{_n(left)}" y="{_n(Y(0))}" width="{_n(plot_w)}" height="{_n((lanes + 0.4) * row_h)}" '
          f'fill="{LANE_COLOUR}"/>\n')
    for yy, fill in _bands(layout):
        w(f'<rect x="{_n(left)}" y="{_n(Y(yy))}" width="{_n(plot_w)}" height="{_n(row_h)}" fill="{fill}"/>\n')
    for d in model.week_ticks:
        w(f'<line x1="{_n(X(d))}" y1="{_n(Y(0))}" x2="{_n(X(d))}" y2="{_n(Y(layout.n_units))}" '
          f'stroke="{GRID_COLOUR}" stroke-width="0.8"/>\n')
    for y in (Y(0), Y(layout.n_units)):
        w(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" stroke="{RULE_COLOUR}"/>\n')
    w("</g>\n")
    tick_fs = _n((FONT_SIZE - 0.5) * px)
    w(f'<g font-size="{tick_fs}" fill="#37474f" text-anchor="middle">\n')
    for d in model.label_ticks:
        w(f'<text x="{_n(X(d))}" y="{_n(Y(0) - 6)}">{d:%m-%d}</text>'
          f'<text x="{_n(X(d))}" y="{_n(Y(layout.n_units) + 6 + fs)}">{d:%m-%d}</text>\n')
    w("</g>\n")

    # Milestones: guides, diamonds, labels.
    if lanes:
        w(f'<text x="{_n(left - 8)}" y="{_n(Y(lanes / 2 + 0.2))}" text-anchor="end" dominant-baseline="central" '
          f'font-weight="bold" fill="{GROUP_LABEL_COLOUR}">{_x(model.milestones_label)}</text>\n')
        for m in model.milestones:
            x = X(m.date) + 0.5 * plot_w / xmax
            y = Y(m.lane + 0.7)
            r = 6
            w(f'<g><title>{_x(m.label)}</title>'
              f'<line x1="{_n(x)}" y1="{_n(y + r)}" x2="{_n(x)}" y2="{_n(Y(layout.n_units))}" stroke="{m.colour}" '
              f'stroke-width="0.8" stroke-dasharray="1 3"/>'
              f'<path d="M{_n(x)},{_n(y - r)} L{_n(x + r)},{_n(y)} L{_n(x)},{_n(y + r)} L{_n(x - r)},{_n(y)} Z" '
              f'fill="{m.colour if m.filled else "#ffffff"}" stroke="{m.colour}" stroke-width="1.6"/>'
              f'<text x="{_n(x - 11 if m.label_left else x + 11)}" y="{_n(y)}" dominant-baseline="central" '
              f'text-anchor="{"end" if m.label_left else "start"}" font-size="{tick_fs}" fill="{m.colour}">'
              f"{_x(m.label)}</text></g>\n")

    # Dependency arrows, behind the bars: from a predecessor's end (start-to-start: its start)
    # to its successor's start, as in the dashboard's Gantt.
    arrows = _arrows(model, layout, X, Y, row_h)
    if arrows:
        d = "".join("M" + "L".join(f"{_n(x)},{_n(y)}" for x, y in shaft) + "M" + "L".join(f"{_n(x)},{_n(y)}" for x, y in head)
                    for shaft, head in arrows)
        w(f'<path d="{d}" fill="none" stroke="{ARROW_COLOUR}" stroke-width="1"/>\n')

    # Rows: bar, progress, actual span, label; a tooltip on each.
    for yy, r in layout.y_rows:
        mid = Y(yy + 0.5)
        h = (0.28 if r.kind == "task" else 0.16) * row_h
        a, b = X(r.start), X(r.end + timedelta(days=1))
        tip = f"{r.label}: {r.start.isoformat()} – {r.end.isoformat()}, {fmt_points(r.progress * 100)}%"
        if r.status_label:
            tip += f", {r.status_label}"
        if r.baseline_start is not None and r.baseline_end is not None:
            tip += f"; {model.baseline_label} {r.baseline_start.isoformat()} – {r.baseline_end.isoformat()}"
        w(f"<g><title>{_x(tip)}</title>")
        if r.baseline_start is not None and r.baseline_end is not None:
            ba, bb = X(r.baseline_start), X(r.baseline_end + timedelta(days=1))
            w(f'<rect x="{_n(ba)}" y="{_n(mid - h - 0.15 * row_h)}" width="{_n(bb - ba)}" '
              f'height="{_n(0.2 * row_h)}" fill="{BASELINE_COLOUR}"/>')
        fill = "url(#hatch)" if r.status == Status.CANCELLED.value else r.light
        w(f'<rect x="{_n(a)}" y="{_n(mid - h)}" width="{_n(b - a)}" height="{_n(2 * h)}" fill="{fill}" '
          f'stroke="{r.colour}" stroke-width="0.8"/>')
        if r.progress > 0:
            ih = h * 0.55
            w(f'<rect x="{_n(a)}" y="{_n(mid - ih)}" width="{_n((b - a) * r.progress)}" height="{_n(2 * ih)}" '
              f'fill="{r.colour}"/>')
        for mark in kind_marks(a, mid - h, b, mid + h, r.task_kind) if r.kind == "task" else ():
            if mark[0] == "rect":
                _, x0, y0, x1, y1 = mark
                w(f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(x1 - x0)}" height="{_n(y1 - y0)}" fill="{r.colour}"/>')
            else:
                _, x, y, rr = mark
                w(f'<path d="M{_n(x)},{_n(y - rr)} L{_n(x + rr)},{_n(y)} L{_n(x)},{_n(y + rr)} L{_n(x - rr)},{_n(y)} Z" '
                  f'fill="{r.colour}"/>')
        if r.actual_start is not None and r.actual_end is not None:
            sa, sb = X(r.actual_start), X(r.actual_end + timedelta(days=1))
            w(f'<rect x="{_n(sa)}" y="{_n(mid + h + 0.05 * row_h)}" width="{_n(sb - sa)}" '
              f'height="{_n(0.11 * row_h)}" fill="{SPAN_ONGOING_COLOUR if r.actual_ongoing else ACTUAL_SPAN_COLOUR}"/>')
        weight = f' font-weight="bold" fill="{GROUP_LABEL_COLOUR}"' if r.kind != "task" else f' fill="{LABEL_COLOUR}"'
        # the viewer's font is not known here: its width estimated as the column was sized
        # (text_em), the clip catches what the estimate misses; the full label is in the row's <title>
        label = fitted_label(r.label, _module_name(r), lambda text: text_em(text) * fs <= label_room)
        w(f'<text x="{_n(left - 8)}" y="{_n(mid)}" text-anchor="end" dominant-baseline="central" '
          f'clip-path="url(#gantt-labels)"{weight}>{_x(label)}</text></g>\n')
    if not rows:
        w(f'<text x="{_n(left + plot_w / 2)}" y="{_n(Y(layout.n_units / 2))}" text-anchor="middle" '
          f'font-size="{_n(12 * px)}">{_x(model.empty_label)}</text>\n')

    # The as-of line and its label.
    if model.today_visible:
        x = X(model.today + timedelta(days=1))
        w(f'<line x1="{_n(x)}" y1="{_n(Y(0))}" x2="{_n(x)}" y2="{_n(Y(layout.n_units))}" stroke="{TODAY_COLOUR}" '
          f'stroke-width="1.6" stroke-dasharray="5 3"/>\n')
        label_w = (text_em(model.today_label) + 0.8) * fs
        y = Y(layout.n_units) + 20
        w(f'<rect x="{_n(x - label_w / 2)}" y="{_n(y)}" width="{_n(label_w)}" height="{_n(fs + 6)}" rx="3" '
          f'fill="{TODAY_COLOUR}"/><text x="{_n(x)}" y="{_n(y + 3 + fs / 2)}" text-anchor="middle" '
          f'dominant-baseline="central" fill="#ffffff">{_x(model.today_label)}</text>\n')
    else:
        w(f'<text x="{_n(left + plot_w)}" y="{_n(Y(0) - 20)}" text-anchor="end" fill="{TODAY_COLOUR}">'
          f"{_x('→ ' + model.today_label)}</text>\n")
    w("</svg>\n")
    return "".join(out)


def _svg_legend(w, entries: Sequence[LegendEntry], *, x0: float, y0: float, fs: float) -> None:
    """Legend entries in rows of six, each column as wide as its widest label."""
    ncols = min(6, len(entries)) or 1
    columns = [entries[i::ncols] for i in range(ncols)]
    x = x0
    for col in columns:
        col_w = max(text_em(e.label) for e in col) * fs + 34
        for j, e in enumerate(col):
            y = y0 + j * 0.24 * DPI + fs / 2
            if e.kind == "bar":
                fill = "url(#hatch)" if e.colour == STATUS_COLOURS[Status.CANCELLED.value][0] else (e.light or e.colour)
                w(f'<rect x="{_n(x)}" y="{_n(y - 5)}" width="22" height="10" fill="{fill}" stroke="{e.colour}" '
                  f'stroke-width="1.4"/>')
            elif e.kind == "span":
                w(f'<rect x="{_n(x)}" y="{_n(y - 2)}" width="22" height="4" fill="{e.colour}"/>')
            elif e.kind == "diamond":
                w(f'<path d="M{_n(x + 11)},{_n(y - 6)} l6,6 l-6,6 l-6,-6 Z" fill="{e.colour if e.filled else "#ffffff"}" '
                  f'stroke="{e.colour}" stroke-width="1.6"/>')
            elif e.kind == "window":  # |--|
                w(f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 22)}" y2="{_n(y)}" stroke="{e.colour}" stroke-width="1.2"/>'
                  f'<rect x="{_n(x)}" y="{_n(y - 5)}" width="2" height="10" fill="{e.colour}"/>'
                  f'<rect x="{_n(x + 20)}" y="{_n(y - 5)}" width="2" height="10" fill="{e.colour}"/>')
            elif e.kind == "event":  # -<>-
                w(f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 22)}" y2="{_n(y)}" stroke="{e.colour}" stroke-width="2.4"/>'
                  f'<path d="M{_n(x + 11)},{_n(y - 5)} l5,5 l-5,5 l-5,-5 Z" fill="{e.colour}"/>')
            else:
                dash = ' stroke-dasharray="5 3"' if e.kind == "line" else ""
                w(f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 22)}" y2="{_n(y)}" stroke="{e.colour}" '
                  f'stroke-width="1.6"{dash}/>')
            w(f'<text x="{_n(x + 28)}" y="{_n(y)}" dominant-baseline="central">{_x(e.label)}</text>\n')
        x += col_w


def _n(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros, never '-0'."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_XML_INVALID = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _x(text: str) -> str:
    """Text escaped for XML content and double-quoted attributes; characters XML 1.0 forbids
    (C0 controls other than tab and newline) are dropped. (What ``xml.sax.saxutils.escape``
    with ``{'"': "&quot;"}`` does, without importing it: it imports urllib.request, and with it
    http.client, ssl and email, ~40 ms of a build.)"""
    return (text.translate(_XML_INVALID).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))
