"""What the charts share: the look (status and milestone colours, sizes, DPI) and the
matplotlib plumbing (rcParams with the CJK font, the Agg canvas, legends, saving PNGs without
metadata). matplotlib is imported lazily, inside the functions that draw."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ptrack.core.compute import Status
from ptrack.render.fonts import FontChoice, font_rc


# status -> (dark: progress and outline, light: planned bar). Colour-blind-safe enough that the
# legend plus the text of the site carry the meaning; never colour alone.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    Status.DONE.value: ("#2e7d32", "#c8e6c9"),
    Status.IN_PROGRESS.value: ("#1565c0", "#bbdefb"),
    Status.NOT_STARTED.value: ("#616161", "#e0e0e0"),
    Status.DELAYED.value: ("#c62828", "#ffcdd2"),
    Status.ON_HOLD.value: ("#78909c", "#eceff1"),  # grey: paused by decision, not a problem
    Status.CANCELLED.value: ("#6d4c41", "#efebe9"),
}
STATUS_ORDER = tuple(STATUS_COLOURS)
GROUP_COLOURS = ("#37474f", "#cfd8dc")
# milestone state -> (colour, filled)
MILESTONE_STYLE: dict[str, tuple[str, bool]] = {
    "achieved_on_time": ("#2e7d32", True),
    "achieved_late": ("#e65100", True),
    "missed": ("#c62828", False),
    "upcoming": ("#37474f", False),
}
GOAL_COLOURS = {"achieved": "#2e7d32", "on_track": "#1565c0", "behind": "#c62828", "no_data": "#9e9e9e"}
TODAY_COLOUR = "#111111"
ACTUAL_SPAN_COLOUR = "#263238"
PLANNED_CURVE_COLOUR = "#90a4ae"
ACTUAL_COLOUR = "#1565c0"
BASELINE_COLOUR = "#9e9e9e"
SPAN_ONGOING_COLOUR = "#78909c"  # an actual span still running at the as-of date
GROUP_BAND_COLOUR = "#eceff1"  # behind module rows
STRIPE_COLOUR = "#fafafa"  # every other task row
GRID_COLOUR = "#dfe3e6"
RULE_COLOUR = "#90a4ae"  # axis, ticks, the line under the module summary
LANE_COLOUR = "#f5f7f8"  # behind the milestone lane
LABEL_COLOUR = "#212121"
GROUP_LABEL_COLOUR = "#263238"
ARROW_COLOUR = "#607d8b"  # dependency arrows in gantt.png and gantt.svg
DPI = 100
FONT_SIZE = 8.5
PNG_METADATA = {"Software": None}


@dataclass(frozen=True)
class LegendEntry:
    kind: str  # bar | diamond | span | line (dashed) | curve (solid) | marker | window | event
    label: str
    colour: str
    light: str | None = None
    filled: bool = True


def text_em(text: str) -> float:
    """Rough width of ``text`` in ems: wide (CJK) characters 1, others 0.58."""
    return sum(1.0 if ord(c) >= 0x2E80 else 0.58 for c in text)


def shorten(text: str, max_em: float) -> str:
    if text_em(text) <= max_em:
        return text
    out, width = [], 0.0
    for c in text:
        width += 1.0 if ord(c) >= 0x2E80 else 0.58
        if width > max_em - 1:
            break
        out.append(c)
    return "".join(out).rstrip() + "…"


def date_ticks(x_start: date, x_end: date, plot_width_in: float) -> tuple[tuple[date, ...], tuple[date, ...]]:
    """Mondays in the window, and every k-th of them labelled so labels stay ~0.7 in apart."""
    monday = x_start + timedelta(days=(7 - x_start.weekday()) % 7)
    weeks = []
    while monday < x_end:
        weeks.append(monday)
        monday += timedelta(days=7)
    total_days = max(1, (x_end - x_start).days)
    inch_per_week = plot_width_in * 7 / total_days
    step = max(1, math.ceil(0.7 / inch_per_week))
    return tuple(weeks), tuple(weeks[::step])


def rect(x0: float, x1: float, y0: float, y1: float) -> list[tuple[float, float]]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def draw_legend(fig, entries: Sequence[LegendEntry], *, y_top: float, ncols: int) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from matplotlib.legend_handler import HandlerLine2D

    handles = []
    handler_map = {}
    for e in entries:
        if e.kind == "window":  # a timebox: a line between two end caps, |--|
            handle = Line2D([], [], color=e.colour, linewidth=1.2, marker="|", markersize=9, markeredgewidth=2,
                            label=e.label)
            handler_map[handle] = HandlerLine2D(numpoints=2)
            handles.append(handle)
        elif e.kind == "event":  # a fixed-date event: a bar pinned by a diamond, -<>-
            handle = Line2D([], [], color=e.colour, linewidth=2.4, marker="D", markersize=6,
                            markerfacecolor=e.colour, markeredgecolor=e.colour, label=e.label)
            handler_map[handle] = HandlerLine2D(numpoints=1)
            handles.append(handle)
        elif e.kind == "bar":
            handles.append(Patch(facecolor=e.light or e.colour, edgecolor=e.colour, linewidth=1.2,
                                 label=e.label, hatch="////" if e.colour == STATUS_COLOURS["cancelled"][0] else None))
        elif e.kind == "span":
            handles.append(Line2D([], [], color=e.colour, linewidth=3, label=e.label))
        elif e.kind == "diamond":
            handles.append(Line2D([], [], marker="D", linestyle="none", markersize=6.5, markeredgewidth=1.3,
                                  markerfacecolor=e.colour if e.filled else "#ffffff", markeredgecolor=e.colour,
                                  label=e.label))
        elif e.kind == "curve":
            handles.append(Line2D([], [], color=e.colour, linewidth=2.2, label=e.label))
        elif e.kind == "marker":
            handles.append(Line2D([], [], marker="|", linestyle="none", markersize=12, markeredgewidth=2.2,
                                  color=e.colour, label=e.label))
        else:
            handles.append(Line2D([], [], color=e.colour, linewidth=1.2, linestyle=(0, (4, 2)), label=e.label))
    fig.legend(handles=handles, handler_map=handler_map, loc="upper left", bbox_to_anchor=(0.01, y_top), ncols=ncols,
               frameon=False,
               fontsize=FONT_SIZE, handlelength=1.8, columnspacing=1.6, borderaxespad=0, borderpad=0,
               handletextpad=0.5, labelspacing=0.3)


@contextlib.contextmanager
def mpl_context(font: FontChoice):
    """rcParams for the charts (font, colours) applied only while drawing. Without a CJK font
    (or with a --font lacking Chinese) the caller has already printed ``font.warning`` once:
    matplotlib's per-glyph warnings are muted then."""
    import matplotlib

    rc = {**font_rc(font), "path.simplify": True,
          "font.size": FONT_SIZE, "axes.linewidth": 0.8, "axes.edgecolor": "#90a4ae",
          "xtick.color": "#37474f", "ytick.color": "#37474f", "text.color": "#212121",
          "hatch.linewidth": 0.6, "hatch.color": STATUS_COLOURS[Status.CANCELLED.value][0]}
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        if font.path is None or font.warning:
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        yield


def preload() -> None:
    """Import what drawing a chart needs: matplotlib's Figure, Agg canvas and collections, and
    Pillow. The build's chart process (``ptrack.render.worker``) calls it as soon as it is
    forked, while the build's own process loads the campaigns (~0.4 s)."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.collections  # noqa: F401
    import matplotlib.figure  # noqa: F401
    from PIL import Image, ImageChops, ImageColor, ImageDraw, ImageFont, PngImagePlugin  # noqa: F401


def png_pixels(width_in: float, height_in: float, dpi: float) -> tuple[int, int]:
    """The pixel size of a PNG that ``save_png`` writes for a figure of that size, computed as
    matplotlib's canvas does (``FigureCanvasBase.get_width_height``: truncated, but a size within
    1e-8 of the next pixel counts as that pixel, so 18.31 in at 100 DPI is 1831 px, not 1830),
    without importing matplotlib. A build checks the prediction against the PNGs it gets."""
    return int(width_in * dpi + 1e-8), int(height_in * dpi + 1e-8)


def agg_canvas(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return FigureCanvasAgg(fig)


def axes_data_transform(ax):
    from matplotlib.transforms import blended_transform_factory

    return blended_transform_factory(ax.transAxes, ax.transData)


def save_png(fig, path: Path, *, dpi: float) -> None:
    fig.savefig(path, format="png", dpi=dpi, metadata=PNG_METADATA, facecolor="#ffffff")
