"""The dashboard's interactive Gantt (render/gantt_html.py): the SVG's geometry, worked by hand.

The campaign below runs 2024-03-01..03-31 (calendar ``none``), as of 2024-03-10. The chart's
window (render.gantt.gantt_model): the dates span 03-01..03-31 (31 days), padding max(2, 31 // 40) = 2
days each side, so it starts on 2024-02-28 and ends before 04-03: 2 + 31 + 2 = 35 days (2024 is a
leap year: 02-28, 02-29, then March). 35 days x 24 px = 840 px <= 1,600: the default zoom is
"day", 24 px a day.

Rows (24 px each), modules in order of first appearance:
    y   0  M1 header        y  72  M2 header
    y  24  a 03-01..03-05   y  96  c 03-11..03-31 (depends on b)
    y  48  b 03-06..03-15   y 120  d 03-20..03-25 (depends on a)
            (depends on a)
A bar's middle is 7 + 10 / 2 = 12 px below its row's top.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from ptrack.core.compute import compute_snapshot
from ptrack.render.gantt import gantt_model
from ptrack.render.gantt_html import (
    ROW_H,
    arrow_path,
    default_zoom,
    dependency_edges,
    gantt_layout,
    render_gantt_section,
)
from tests.helpers import campaign_from_yaml

SVG = "{http://www.w3.org/2000/svg}"
AS_OF = date(2024, 3, 10)
CAMPAIGN = """\
ptrack: 1
campaign: {id: g, name: G, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: en}
tasks:
  - {id: a, name: A, module: M1, planned: {start: 2024-03-01, end: 2024-03-05},
     actual: {start: 2024-03-01, end: 2024-03-05}}
  - {id: b, name: B, module: M1, planned: {start: 2024-03-06, end: 2024-03-15},
     actual: {start: 2024-03-06}, progress: 50, depends_on: [a]}
  - {id: c, name: C, module: M2, planned: {start: 2024-03-11, end: 2024-03-31}, depends_on: [b]}
  - {id: d, name: "D <&>", module: M2, planned: {start: 2024-03-20, end: 2024-03-25}, depends_on: [a]}
"""


@pytest.fixture(scope="module")
def snap():
    return compute_snapshot(campaign_from_yaml(CAMPAIGN), as_of=AS_OF)


@pytest.fixture(scope="module")
def model(snap):
    return gantt_model(snap, "en")


def _plot(html: str) -> ET.Element:
    """The plot <svg> of the section, parsed as XML (it is well-formed on its own)."""
    match = re.search(r'<svg class="gx-plot".*?</svg>', html, re.S)
    assert match, "no plot svg"
    text = match.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return ET.fromstring(text)


def _bars(root: ET.Element) -> dict[str, dict[str, ET.Element]]:
    """Task id -> {class of the rect's role: rect} for every task row of the plot."""
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "gx-t":
            out[g.get("data-t")] = {r.get("class").split()[0]: r for r in g.iter(f"{SVG}rect")}
            out[g.get("data-t")]["_g"] = g
    return out


def test_window_and_default_zoom(model):
    assert model.x_start == date(2024, 2, 28) and model.x_end == date(2024, 4, 3)
    assert default_zoom(35) == "day"  # 35 x 24 = 840 <= 1600
    assert default_zoom(66) == "day" and default_zoom(67) == "week"  # 66 x 24 = 1584; 67 x 24 = 1608
    assert default_zoom(266) == "week" and default_zoom(267) == "month"  # 266 x 6 = 1596; 267 x 6 = 1602


def test_bars_from_dates_at_day_zoom(snap, model):
    html = render_gantt_section(snap, model, "en")
    root = _plot(html)
    assert root.get("width") == "840"  # 35 days x 24
    assert root.get("height") == "144"  # 6 rows x 24
    bars = _bars(root)
    assert list(bars) == ["a", "b", "c", "d"]
    # a: 03-01 is day 2 of the window (02-28 = 0, 02-29 = 1): x = 2 x 24 = 48; 5 days: 120 px
    assert (bars["a"]["gx-b"].get("x"), bars["a"]["gx-b"].get("width")) == ("48", "120")
    # b: 03-06 is day 7: x = 168; 03-06..03-15 = 10 days: 240 px; 50 % done: 120 px inside
    assert (bars["b"]["gx-b"].get("x"), bars["b"]["gx-b"].get("width")) == ("168", "240")
    assert (bars["b"]["gx-p"].get("x"), bars["b"]["gx-p"].get("width")) == ("168", "120")
    # c: 03-11 is day 12: x = 288; 21 days: 504 px; not started: no progress rect
    assert (bars["c"]["gx-b"].get("x"), bars["c"]["gx-b"].get("width")) == ("288", "504")
    assert "gx-p" not in bars["c"]
    # d: 03-20 is day 21: x = 504; 6 days: 144 px
    assert (bars["d"]["gx-b"].get("x"), bars["d"]["gx-b"].get("width")) == ("504", "144")
    # the status is a class of the bar (its colour) and text in the label pane
    assert bars["a"]["gx-b"].get("class") == "gx-b s-done"
    assert bars["b"]["gx-b"].get("class") == "gx-b s-in_progress gx-crit"  # critical: see below
    assert '<span class="gx-s s-in_progress">in progress<span class="gx-pc"> 50.0%</span></span>' in html
    # rows: the tasks' groups sit at (1 + index) x 24 inside their module's group
    assert [bars[k]["_g"].get("transform") for k in "abcd"] == [
        "translate(0,24)", "translate(0,48)", "translate(0,24)", "translate(0,48)"]
    modules = [g for g in root.iter(f"{SVG}g") if g.get("class") == "gx-m"]
    assert [g.get("transform") for g in modules] == ["translate(0,0)", "translate(0,72)"]
    # the as-of line at the end of 03-10: day 12 x 24 = 288
    today = [ln for ln in root.iter(f"{SVG}line") if ln.get("class") == "gx-today"]
    assert [(ln.get("x1"), ln.get("x2")) for ln in today] == [("288", "288")]


def test_bars_at_week_zoom(snap, model):
    root = _plot(render_gantt_section(snap, model, "en", zoom="week"))
    bars = _bars(root)
    assert root.get("width") == "210"  # 35 x 6
    # a: x = 2 x 6 = 12, 5 days x 6 = 30; b's progress: half of 10 x 6 = 30
    assert (bars["a"]["gx-b"].get("x"), bars["a"]["gx-b"].get("width")) == ("12", "30")
    assert bars["b"]["gx-p"].get("width") == "30"


def test_arrows_join_the_bars(snap, model):
    lay = gantt_layout(snap, model, "en")
    # (predecessor, successor, day after the predecessor's end, successor's start day, critical, type)
    assert dependency_edges(lay) == [("a", "b", 7, 7, False, "fs"), ("b", "c", 17, 12, True, "fs"),
                                     ("a", "d", 7, 21, False, "fs")]
    root = _plot(render_gantt_section(snap, model, "en"))
    normal, critical = root.iter(f"{SVG}path")
    # two paths: the other arrows, then the critical ones; data-a lists each one's arrows
    assert (normal.get("class"), normal.get("data-a")) == ("gx-d", "a b 7 7;a d 7 21")
    assert (critical.get("class"), critical.get("data-a")) == ("gx-d gx-dc", "b c 17 12")
    # each arrow is a shaft, then a head: an open chevron 5 px long, 3.5 px each side of the tip
    assert re.findall(r"M[^M]*", normal.get("d")) == [
        # a -> b: from a's end (x 168, y 24 + 12 = 36) to b's start (x 168, y 48 + 12 = 60): b
        # starts right after a, so the arrow steps out 6 px, down to the row boundary (60 - 12 =
        # 48), back to 168 - 6 and into the bar
        "M168,36H174V48H162V60H168", "M163,56.5L168,60L163,63.5",
        # a -> d: d starts at 504, far enough right: out 6 px, straight down to d's row (120 + 12), in
        "M168,36H174V132H504", "M499,128.5L504,132L499,135.5",
    ]
    # b -> c: b ends at (16 + 1) x 24 = 408 (y 60); c starts at 288 (y 96 + 12 = 108), before b
    # ends; both are critical
    assert re.findall(r"M[^M]*", critical.get("d")) == ["M408,60H414V96H282V108H288", "M283,104.5L288,108L283,111.5"]


def test_critical_path_is_outlined_and_written(snap, model):
    # c (21 days) must wait for b, which ends 03-15: it can start 03-16 and end 04-05, 5 days after
    # the campaign's end 03-31 (calendar none: every day counts). So b and c have a float of -5
    # days and are the critical path; d (6 days, after a) has 6 days of float; a is done.
    assert snap.critical_path == ("b", "c")
    assert [(ts.task.id, ts.float_days, ts.critical) for ts in snap.tasks] == [
        ("a", None, False), ("b", -5, True), ("c", -5, True), ("d", 6, False)]
    html = render_gantt_section(snap, model, "en")
    bars = _bars(_plot(html))
    assert [k for k in "abcd" if "gx-crit" in bars[k]["gx-b"].get("class").split()] == ["b", "c"]
    # the label says it in words too, and carries the float for the tooltip
    links = re.findall(r'<a class="gx-task" href="#task-(\w)" data-t="\w"([^>]*)>(.*?)</a>', html)
    assert [(tid, attrs) for tid, attrs, _ in links] == [
        ("a", ""), ("b", ' data-crit="1" data-float="-5"'), ("c", ' data-crit="1" data-float="-5"'),
        ("d", ' data-float="6"')]
    assert [tid for tid, _, inner in links if '<span class="gx-c">critical</span>' in inner] == ["b", "c"]
    assert "critical path (red outline, marked “critical”)" in html  # the legend


def test_arrow_path_upwards():
    # a successor above its predecessor that starts too close: the turn is below its row
    assert arrow_path(100, 60, 100, 12) == f"M100,60H106V{12 + ROW_H // 2}H94V12H100" + "M95,8.5L100,12L95,15.5"


def test_axis_labels_at_day_zoom(snap, model):
    html = render_gantt_section(snap, model, "en")
    day = re.search(r'<g class="gx-zd" data-z="day">(.*?)</g>\n', html, re.S).group(1)
    coarse = re.findall(r'<text class="gx-ct" x="(\d+)" dx="4" y="13">([^<]*)</text>', day)
    # "Feb 2024" has 2 days (48 px) before March: too little for its ~60 px, left out; March at day
    # 2 (48 px); "Apr 2024" has 2 days left in the window, left out too
    assert coarse == [("48", "Mar 2024")]
    fine = re.findall(r'<text class="gx-ft gx-mid" x="([\d.]+)" y="31">(\d+)</text>', day)
    assert fine[:3] == [("12", "28"), ("36", "29"), ("60", "1")]  # each day centred in its 24 px
    assert len(fine) == 35


def test_markup_is_escaped_and_deterministic(snap, model):
    a = render_gantt_section(snap, model, "en")
    assert a == render_gantt_section(snap, model, "en")
    # the full name in the title too: the label pane cuts a long one with an ellipsis (gantt.css)
    assert '<span class="gx-n" title="D &lt;&amp;&gt;">D &lt;&amp;&gt;</span>' in a
    assert '<span class="gx-n" title="M1">M1</span>' in a
    assert "D <&>" not in a
    # every task links to its tracking-table row (works without JavaScript)
    assert re.findall(r'<a class="gx-task" href="#task-([a-z]+)"', a) == ["a", "b", "c", "d"]


def test_chinese_labels(snap, model):
    html = render_gantt_section(snap, gantt_model(snap, "zh-CN"), "zh-CN", zoom="week")
    assert ">2024年3月</text>" in html
    assert '<button type="button" class="btn" data-zoom="month" aria-pressed="false">月</button>' in html
    assert '<span class="gx-s s-done">已完成<span class="gx-pc"> 100.0%</span></span>' in html
