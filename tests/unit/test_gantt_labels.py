"""Long labels in the Gantt stay inside the label column: a module name of 60 characters (or 40
Chinese ones) used to run off the left edge of gantt.png. Now it is cut short with "…", measured
with the font the page is drawn in, the row's figures kept; the full name is in gantt.svg's row
<title> and in the dashboard's ``title`` attribute.

The pixel tests read the PNG back: in every row, the strip left of the label column's own
margin must be background (white), and the label must still be there (dark pixels right of it)."""

from __future__ import annotations

import math
import textwrap
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from ptrack.core.compute import compute_snapshot
from ptrack.render import chrome, gantt
from ptrack.render.fonts import find_cjk_font
from ptrack.render.gantt import fitted_label, gantt_model, gantt_svg, render_gantt
from tests.helpers import campaign_from_yaml

FONT = find_cjk_font()
needs_cjk = pytest.mark.skipif(FONT.path is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)")
SVG = "{http://www.w3.org/2000/svg}"
LONG_LATIN = "Omnichannel Brand Awareness Wave With Key Opinion Leaders Worldwide"  # 66 characters
LONG_CJK = "全渠道品牌知名度提升与关键意见领袖深度合作及线下门店联动推广专项工作组第二阶段"  # 39


def _campaign_text(module_a: str, module_b: str) -> str:
    return textwrap.dedent(f"""\
        ptrack: 1
        campaign: {{id: labels, name: Labels, start: 2024-03-01, end: 2024-03-29, calendar: none, locale: en}}
        tasks:
          - {{id: a, name: Kick-off, module: "{module_a}", planned: {{start: 2024-03-01, end: 2024-03-10}}, progress: 50}}
          - {{id: b, name: Posters, module: "{module_b}", planned: {{start: 2024-03-05, end: 2024-03-20}}}}
          - {{id: c, name: Short, module: Web, planned: {{start: 2024-03-05, end: 2024-03-12}}}}
        """)


def _snapshot(module_a: str, module_b: str):
    return compute_snapshot(campaign_from_yaml(_campaign_text(module_a, module_b)), as_of=date(2024, 3, 10))


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    out = tmp_path_factory.mktemp("gantt-labels")
    snapshot = _snapshot(LONG_LATIN, LONG_CJK)
    render_gantt(snapshot, out, locale="en", font=FONT)
    return gantt_model(snapshot, "en"), out


def _row_box(model, index: int) -> tuple[int, int]:
    """Top and bottom pixel rows of row ``index`` (gantt.png page 1, no milestones)."""
    top = (0.42 + 0.24 * math.ceil(len(model.legend) / 6) + 0.3) * chrome.DPI
    row = gantt.ROW_IN * chrome.DPI
    first = model.milestone_lanes + (0.4 if model.milestone_lanes else 0)
    return int(top + (first + index) * row) + 2, int(top + (first + index + 1) * row) - 2


@needs_cjk
def test_long_module_names_stay_inside_the_png(drawn):
    from PIL import Image

    model, out = drawn
    image = Image.open(out / "gantt.png").convert("L")
    left = model.label_width_in * chrome.DPI  # where the label column ends (the plot begins)
    margin = int(0.01 * image.width)  # the page's own left margin (the title starts there)
    for index, row in enumerate(model.rows):
        top, bottom = _row_box(model, index)
        outside = [image.getpixel((x, y)) for x in range(0, margin) for y in range(top, bottom)]
        assert min(outside) > 235, f"row {index} ({row.label[:20]}…) is drawn left of the page margin"
        inside = [image.getpixel((x, y)) for x in range(margin, int(left)) for y in range(top, bottom)]
        assert min(inside) < 120, f"row {index} has no label"


def test_a_module_row_keeps_its_figures_and_cuts_the_name():
    """Measured by a stand-in: every character 1 unit, room for 30."""
    fits = lambda text: len(text) <= 30  # noqa: E731
    # the name is cut to what leaves room for "…" and the figures: 20 + 1 + 9 = 30
    assert fitted_label(f"{LONG_LATIN} (1 task)", LONG_LATIN, fits) == "Omnichannel Brand Aw… (1 task)"
    # a label that fits is left alone
    assert fitted_label("Omnichannel Brand (1 task)", "Omnichannel Brand", fits) == "Omnichannel Brand (1 task)"
    # figures too long to keep even with the name gone: the label is cut at its end (29 + "…")
    label = f"{LONG_LATIN} (1 task, actual 50.0% / plan 100.0%)"
    assert fitted_label(label, LONG_LATIN, fits) == "Omnichannel Brand Awareness W…"
    # a task row (no name to cut first): cut at its end
    assert fitted_label("A" * 40, None, lambda text: len(text) <= 10) == "A" * 9 + "…"


def test_the_svg_cuts_the_name_and_keeps_the_full_label_in_its_title(drawn):
    model, _ = drawn
    root = ET.fromstring(gantt_svg(model))
    rows = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}title") is not None and g.find(f"{SVG}rect") is not None
            and g.find(f"{SVG}text") is not None]
    shown = {g.find(f"{SVG}title").text: g.find(f"{SVG}text").text for g in rows}
    for row in (r for r in model.rows if r.key in (LONG_LATIN, LONG_CJK)):
        [(tip, text)] = [(tip, text) for tip, text in shown.items() if tip.startswith(row.label + ": ")]
        start, figures = text.split("…", 1)
        assert row.key.startswith(start) and len(start) >= 3  # the name, cut
        assert row.label == row.key + figures  # the figures, whole
    assert shown[next(t for t in shown if t.startswith("Web ("))] == next(r.label for r in model.rows if r.key == "Web")
    # and every label is clipped to its column, whatever font the viewer draws it in
    assert root.find(f"{SVG}defs/{SVG}clipPath").get("id") == "gantt-labels"
    assert all(g.find(f"{SVG}text").get("clip-path") == "url(#gantt-labels)" for g in rows)
