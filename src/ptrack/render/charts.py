"""The small charts of the site: goals (KPIs against target and pace) and trend (planned S-curve
against actual progress over time), PNG. Like the Gantt, each is a pure model first
(``goals_model``, ``trend_model``), then drawn with matplotlib, imported lazily."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ptrack.core.compute import CampaignSnapshot, planned_curve
from ptrack.i18n import fmt_number, fmt_points, t
from ptrack.render.fonts import FontChoice
from ptrack.render.chrome import (
    ACTUAL_COLOUR, DPI, FONT_SIZE, GOAL_COLOURS, LegendEntry, PLANNED_CURVE_COLOUR, TODAY_COLOUR, agg_canvas,
    axes_data_transform, draw_legend, mpl_context, png_pixels, save_png, shorten, date_ticks,
)


@dataclass(frozen=True)
class GoalBar:
    key: str
    label: str
    status: str  # achieved | on_track | behind | no_data
    colour: str
    achievement: float | None  # % of target reached
    expected: float | None  # % of target the pace expects by D (cumulative goals)
    value_label: str


@dataclass(frozen=True)
class GoalsModel:
    title: str
    bars: tuple[GoalBar, ...]
    x_max: float  # % shown on the axis; longer bars are cut there, their label says the value
    axis_label: str
    legend: tuple[LegendEntry, ...]
    empty_label: str


def goals_model(snapshot: CampaignSnapshot, locale: str) -> GoalsModel:
    bars = []
    for gs in snapshot.goals:
        g = gs.goal
        expected = None
        if gs.expected is not None and g.target and g.direction == "increase":
            expected = round(100.0 * gs.expected / g.target, 1)
        status = t(locale, f"goal.{gs.status}")
        if gs.latest is None:
            value = f"- / {fmt_number(g.target, g.unit)} · {status}"
        else:
            pct = f" · {fmt_points(gs.achievement)}%" if gs.achievement is not None else ""
            value = f"{fmt_number(gs.latest, g.unit)} / {fmt_number(g.target, g.unit)}{pct} · {status}"
        bars.append(GoalBar(g.id, shorten(g.name, 18), gs.status, GOAL_COLOURS[gs.status], gs.achievement,
                            expected, value))
    top = max([100.0] + [b.achievement or 0 for b in bars] + [b.expected or 0 for b in bars])
    x_max = min(200.0, math.ceil(top * 1.08 / 10) * 10)
    legend = [LegendEntry("bar", t(locale, f"goal.{s}"), c, c) for s, c in GOAL_COLOURS.items()
              if any(b.status == s for b in bars)]
    if any(b.expected is not None for b in bars):
        legend.append(LegendEntry("marker", t(locale, "chart.expected_pace", date=snapshot.as_of.isoformat()),
                                  "#111111"))
    if bars:
        legend.append(LegendEntry("line", t(locale, "chart.target_line"), "#2e7d32"))
    return GoalsModel(
        title=t(locale, "chart.goals_title", name=snapshot.campaign.name, as_of=snapshot.as_of.isoformat()),
        bars=tuple(bars),
        x_max=x_max,
        axis_label=t(locale, "chart.achievement_axis"),
        legend=tuple(legend),
        empty_label=t(locale, "chart.no_goals"),
    )


def _goals_figure_in(model: GoalsModel) -> tuple[float, float, float]:
    """(width, height, top margin) of goals.png, in inches."""
    legend_rows = math.ceil(len(model.legend) / 4) if model.legend else 0
    top_in = 0.45 + 0.24 * legend_rows + 0.1
    return 11.0, top_in + max(len(model.bars), 1) * 0.5 + 0.55, top_in


def goals_png_size(model: GoalsModel) -> tuple[int, int]:
    """(width, height) in pixels of the goals.png ``draw_goals_chart`` writes for ``model``,
    without drawing it (the page is laid out while the charts are drawn)."""
    width_in, height_in, _ = _goals_figure_in(model)
    return png_pixels(width_in, height_in, DPI)


def render_goals_chart(snapshot: CampaignSnapshot, path: Path, *, locale: str, font: FontChoice) -> None:
    """goals.png: each goal's achievement (% of target) as a bar, the expected pace as a marker,
    the value with its unit as text; a placeholder when the campaign has no goals."""
    draw_goals_chart(goals_model(snapshot, locale), path, font=font)


def draw_goals_chart(model: GoalsModel, path: Path, *, font: FontChoice) -> None:
    """goals.png from its model (``render_goals_chart``)."""
    with mpl_context(font):
        from matplotlib.figure import Figure

        n = len(model.bars)
        width_in, height_in, top_in = _goals_figure_in(model)
        fig = Figure(figsize=(width_in, height_in), dpi=DPI)
        agg_canvas(fig)
        left_in, right_in = 2.3, 3.6
        ax = fig.add_axes((left_in / width_in, 0.5 / height_in, 1 - (left_in + right_in) / width_in,
                           (height_in - top_in - 0.55) / height_in))
        ax.set_xlim(0, model.x_max)
        ax.set_ylim(max(n, 1) - 0.5, -0.5)
        ax.set_yticks([])
        for side in ("right", "top"):
            ax.spines[side].set_visible(False)
        if not model.bars:
            ax.set_xticks([])
            ax.spines["bottom"].set_visible(False)
            ax.spines["left"].set_visible(False)
            ax.text(0.5, 0.5, model.empty_label, transform=ax.transAxes, ha="center", va="center",
                    fontsize=13, color="#546e7a")
        else:
            ys = list(range(n))
            widths = [min(b.achievement or 0.0, model.x_max) for b in model.bars]
            ax.barh(ys, widths, height=0.56, color=[b.colour for b in model.bars], zorder=2)
            ax.axvline(100, color="#2e7d32", linewidth=1.2, linestyle=(0, (4, 2)), zorder=3)
            paced = [(b.expected, y) for b, y in zip(model.bars, ys) if b.expected is not None]
            if paced:
                ax.scatter([min(p, model.x_max) for p, _ in paced], [y for _, y in paced], marker="|", s=420,
                           linewidths=2.4, color="#111111", zorder=4)
            for b, y in zip(model.bars, ys):
                ax.text(-0.02, y, b.label, transform=axes_data_transform(ax), ha="right", va="center", fontsize=FONT_SIZE + 1)
                ax.text(1.01, y, b.value_label, transform=axes_data_transform(ax), ha="left", va="center", fontsize=FONT_SIZE,
                        color=b.colour)
            step = 25 if model.x_max <= 150 else 50
            ax.set_xticks(range(0, int(model.x_max) + 1, step))
            ax.tick_params(axis="x", labelsize=FONT_SIZE)
            ax.set_xlabel(model.axis_label, fontsize=FONT_SIZE)
            ax.grid(axis="x", color="#e0e0e0", linewidth=0.6, zorder=0)
        fig.text(0.01, 1 - 0.1 / height_in, model.title, ha="left", va="top", fontsize=12, fontweight="bold")
        if model.legend:
            draw_legend(fig, model.legend, y_top=1 - 0.48 / height_in, ncols=min(4, len(model.legend)))
        save_png(fig, Path(path), dpi=DPI)


@dataclass(frozen=True)
class TrendModel:
    title: str
    planned: tuple[tuple[date, float], ...]  # the planned S-curve, one point a day
    history: tuple[tuple[date, float], ...]  # actual progress over time, by date
    as_of: date
    actual: float  # actual progress as of D
    planned_now: float  # planned progress as of D
    x_start: date
    x_end: date
    label_ticks: tuple[date, ...]
    legend: tuple[LegendEntry, ...]
    axis_label: str
    today_label: str
    actual_label: str


def trend_model(snapshot: CampaignSnapshot, locale: str,
                history: Iterable[tuple[date, float]] | None = None) -> TrendModel:
    curve = tuple((d, round(v, 3)) for d, v in planned_curve(snapshot.campaign))
    hist = tuple(sorted((d, float(v)) for d, v in (history or ())))
    days = [snapshot.campaign.start, snapshot.campaign.end, snapshot.as_of] + [d for d, _ in curve[:1] + curve[-1:]]
    days += [d for d, _ in hist]
    x_start, x_end = min(days), max(days) + timedelta(days=1)
    _, label_ticks = date_ticks(x_start, x_end, 9.9)
    legend = [LegendEntry("curve", t(locale, "chart.planned_curve"), PLANNED_CURVE_COLOUR)]
    if hist:
        legend.append(LegendEntry("curve", t(locale, "chart.actual_history"), ACTUAL_COLOUR))
    legend.append(LegendEntry("line", t(locale, "chart.today", date=snapshot.as_of.isoformat()), TODAY_COLOUR))
    return TrendModel(
        title=t(locale, "chart.trend_title", name=snapshot.campaign.name),
        planned=curve,
        history=hist,
        as_of=snapshot.as_of,
        actual=snapshot.actual_progress,
        planned_now=snapshot.planned_progress,
        x_start=x_start,
        x_end=x_end,
        label_ticks=label_ticks,
        legend=tuple(legend),
        axis_label=t(locale, "chart.progress_axis"),
        today_label=t(locale, "chart.today", date=snapshot.as_of.isoformat()),
        actual_label=t(locale, "chart.actual_now", actual=fmt_points(snapshot.actual_progress),
                       planned=fmt_points(snapshot.planned_progress)),
    )


TREND_FIGURE_IN = (11.0, 4.8)  # width, height of trend.png in inches


def trend_png_size(model: TrendModel) -> tuple[int, int]:
    """(width, height) in pixels of the trend.png ``draw_trend_chart`` writes (``goals_png_size``)."""
    return png_pixels(*TREND_FIGURE_IN, DPI)


def render_trend_chart(snapshot: CampaignSnapshot, path: Path, *, locale: str, font: FontChoice,
                       history: Iterable[tuple[date, float]] | None = None) -> None:
    """trend.png: the planned S-curve over the campaign window, the as-of line, the actual
    progress as of D, and ``history`` ((date, actual progress) points) as a line of actuals."""
    draw_trend_chart(trend_model(snapshot, locale, history), path, font=font)


def draw_trend_chart(model: TrendModel, path: Path, *, font: FontChoice) -> None:
    """trend.png from its model (``render_trend_chart``)."""
    with mpl_context(font):
        from matplotlib.figure import Figure

        width_in, height_in = TREND_FIGURE_IN
        fig = Figure(figsize=(width_in, height_in), dpi=DPI)
        agg_canvas(fig)
        ax = fig.add_axes((0.8 / width_in, 0.55 / height_in, 1 - 1.1 / width_in, 1 - 1.45 / height_in))
        x0 = model.x_start

        def dx(d: date) -> float:
            return (d - x0).days + 1.0  # each point is the end of its day

        ax.set_xlim(0, (model.x_end - x0).days + 1)
        ax.set_ylim(0, 105)
        for side in ("right", "top"):
            ax.spines[side].set_visible(False)
        ax.grid(color="#e6e9eb", linewidth=0.6, zorder=0)
        if model.planned:
            ax.plot([dx(d) for d, _ in model.planned], [v for _, v in model.planned], color=PLANNED_CURVE_COLOUR,
                    linewidth=2.2, zorder=2)
        if model.history:
            ax.plot([dx(d) for d, _ in model.history], [v for _, v in model.history], color=ACTUAL_COLOUR,
                    linewidth=2.0, marker="o", markersize=3.5, zorder=3)
        x = dx(model.as_of)
        ax.axvline(x, color=TODAY_COLOUR, linewidth=1.2, linestyle=(0, (4, 2)), zorder=4)
        ax.plot([x], [model.planned_now], marker="o", markersize=6, color=PLANNED_CURVE_COLOUR, zorder=5,
                markeredgecolor="#ffffff")
        ax.plot([x], [model.actual], marker="o", markersize=8, color=ACTUAL_COLOUR, zorder=6,
                markeredgecolor="#ffffff")
        right = x > 0.7 * ((model.x_end - x0).days + 1)
        ax.annotate(model.actual_label, (x, model.actual), xytext=(-10 if right else 10, -14),
                    textcoords="offset points", ha="right" if right else "left", va="top", fontsize=FONT_SIZE + 0.5,
                    color=ACTUAL_COLOUR, zorder=7,
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": "#ffffff", "edgecolor": "none", "alpha": 0.85})
        ax.set_xticks([dx(d) - 1 for d in model.label_ticks], [f"{d:%m-%d}" for d in model.label_ticks])
        ax.set_yticks(range(0, 101, 20))
        ax.tick_params(labelsize=FONT_SIZE)
        ax.set_ylabel(model.axis_label, fontsize=FONT_SIZE)
        fig.text(0.01, 1 - 0.1 / height_in, model.title, ha="left", va="top", fontsize=12, fontweight="bold")
        draw_legend(fig, model.legend, y_top=1 - 0.48 / height_in, ncols=len(model.legend))
        save_png(fig, Path(path), dpi=DPI)
