"""Charts (DESIGN §7): tested through their data models first, then the files they write.

The example campaign as of 2024-04-15 (see ``ptrack status examples/campaign.yaml --as-of
2024-04-15``) has 27 tasks in four modules, every status, five milestones and four goals.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import math
import subprocess
import sys
import textwrap
import warnings
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest

from ptrack.core.compute import Status, compute_snapshot, planned_curve
from ptrack.render import chrome, gantt
from ptrack.render.charts import goals_model, render_goals_chart, render_trend_chart, trend_model
from ptrack.render.chrome import GOAL_COLOURS, MILESTONE_STYLE, STATUS_COLOURS
from ptrack.render.gantt import MAX_PIXELS, ROWS_PER_PAGE, gantt_model, gantt_png_sizes, gantt_svg, render_gantt
from ptrack.render.fonts import FontChoice, find_cjk_font
from ptrack.core.validate import load_campaign
from tests.helpers import campaign_from_yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "campaign.yaml"
AS_OF = date(2024, 4, 15)
FONT = find_cjk_font()
NO_FONT = FontChoice(None, None, "no CJK font")
needs_cjk = pytest.mark.skipif(FONT.path is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)")
SVG = "{http://www.w3.org/2000/svg}"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def snap():
    return compute_snapshot(load_campaign(EXAMPLE).campaign, as_of=AS_OF)


@pytest.fixture(scope="module")
def model(snap):
    return gantt_model(snap, "zh-CN")


@pytest.fixture(scope="module")
def big_snap():
    """1,000 tasks from the benchmark generator (seeded), as of its mid-year date."""
    spec = importlib.util.spec_from_file_location("bench_core", REPO / "benchmarks" / "bench_core.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return compute_snapshot(campaign_from_yaml(bench.generate_campaign(1000)), as_of=bench.AS_OF)


def _snap_of(text: str, as_of: date = date(2024, 3, 10)):
    return compute_snapshot(campaign_from_yaml(text), as_of=as_of)


SMALL = """\
    ptrack: 1
    campaign: {id: small, name: Small, start: 2024-03-01, end: 2024-03-29, calendar: none, locale: en}
    tasks:
      - {id: a, name: "A <b>&\\"quoted\\"", planned: {start: 2024-03-01, end: 2024-03-10}, progress: 50}
      - {id: b, name: B, module: M, owner: ann, planned: {start: 2024-03-05, end: 2024-03-20}}
"""


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_MAGIC
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


# -- Gantt model -----------------------------------------------------------------------------------

def test_rows_are_grouped_by_module_in_file_order(snap, model):
    groups = [r.key for r in model.rows if r.kind == "group"]
    assert groups == ["内容营销", "渠道推广", "活动落地", "数据监测"]  # first appearance, not code point order
    tasks = [r.key for r in model.rows if r.kind == "task"]
    assert len(tasks) == 27 and sorted(tasks) == sorted(ts.task.id for ts in snap.tasks)
    # each header is followed by its own tasks, in file order
    current = None
    for r in model.rows:
        if r.kind == "group":
            current = r.key
        else:
            assert snap.task(r.key).task.module == current
    assert tasks[:7] == ["key-messages", "poster-draft", "poster-final", "video-scripts", "video-production",
                         "xhs-notes", "wechat-articles"]


def test_bars_carry_planned_dates_progress_and_status_colours(snap, model):
    rows = {r.key: r for r in model.rows if r.kind == "task"}
    for ts in snap.tasks:
        r = rows[ts.task.id]
        assert (r.start, r.end) == (ts.task.planned_start, ts.task.planned_end)
        assert r.status == ts.status.value
        assert (r.colour, r.light) == STATUS_COLOURS[ts.status.value]
        assert r.progress == pytest.approx(ts.actual_progress / 100)
    assert rows["xhs-notes"].progress == 0.5 and rows["xhs-notes"].status == "in_progress"
    assert rows["kol-seeding"].status == "delayed" and rows["kol-seeding"].colour == "#c62828"
    assert rows["campus-popup"].status == "on_hold"
    assert rows["user-research"].status == "cancelled"
    assert rows["dealer-training"].progress == 0.0 and rows["dealer-training"].status == "not_started"
    assert rows["key-messages"].status_label == "已完成"
    # every status has its own colour pair
    assert len(set(STATUS_COLOURS.values())) == len(Status)
    assert set(STATUS_COLOURS) == {s.value for s in Status}


def test_task_labels_name_the_owner(model):
    labels = {r.key: r.label for r in model.rows if r.kind == "task"}
    assert labels["poster-draft"] == "海报设计初稿 · 赵明轩"  # the person's name, not the id


def test_actual_span_only_where_it_differs_from_the_plan(model):
    rows = {r.key: r for r in model.rows if r.kind == "task"}
    # poster-final: planned 03-06..03-11, actually 03-07..03-12
    r = rows["poster-final"]
    assert (r.actual_start, r.actual_end, r.actual_ongoing) == (date(2024, 3, 7), date(2024, 3, 12), False)
    # kol-seeding started on plan but runs past its planned end 04-12: an open span up to D
    r = rows["kol-seeding"]
    assert (r.actual_start, r.actual_end, r.actual_ongoing) == (date(2024, 3, 18), AS_OF, True)
    # key-messages ran exactly to plan; video-production has no actual dates: no span
    assert rows["key-messages"].actual_start is None and rows["video-production"].actual_start is None


def test_module_header_rows_summarise_their_tasks(snap, model):
    header = next(r for r in model.rows if r.kind == "group" and r.key == "活动落地")
    stats = next(g for g in snap.groups["module"] if g.key == "活动落地")
    assert header.progress == pytest.approx(stats.actual_progress / 100)
    assert (header.start, header.end) == (date(2024, 3, 13), date(2024, 5, 6))
    # 6 tasks on the chart; the roll-up leaves campus-popup (on hold) out: weights launch-event 15,
    # expo-prep 11, expo-event 10 (all done), store-launch 14 (planned 71.4, actual 46.7),
    # may-day-promo 9 (0, 0): planned (1500 + 1100 + 1000 + 999.6) / 59 = 78.0,
    # actual (3600 + 653.8) / 59 = 72.1
    assert header.label == "活动落地（6 项，实际 72.1% / 计划 78.0%）"


def test_milestones_are_diamonds_filled_when_achieved(model):
    got = {m.key: (m.state, m.filled, m.colour) for m in model.milestones}
    assert got == {
        "assets-final": ("achieved_late", True, MILESTONE_STYLE["achieved_late"][0]),
        "first-wave-live": ("achieved_on_time", True, MILESTONE_STYLE["achieved_on_time"][0]),
        "mid-review": ("upcoming", False, MILESTONE_STYLE["upcoming"][0]),
        "may-day-wrap": ("upcoming", False, MILESTONE_STYLE["upcoming"][0]),
        "campaign-close": ("upcoming", False, MILESTONE_STYLE["upcoming"][0]),
    }
    assert [m.date for m in model.milestones] == sorted(m.date for m in model.milestones)
    assert model.milestone_lanes == 1
    close = model.milestones[-1]
    assert close.label == "活动总结归档 05-31" and close.label_left  # no room right of the last one


def test_milestones_that_would_collide_get_their_own_lane():
    s = _snap_of(SMALL + """\
    milestones:
      - {id: m1, name: First milestone with a long name, date: 2024-03-10}
      - {id: m2, name: Second, date: 2024-03-11}
      - {id: m3, name: Third, date: 2024-03-25}
    """)
    lanes = {m.key: m.lane for m in gantt_model(s, "en").milestones}
    assert lanes["m1"] == 0 and lanes["m2"] == 1


def test_today_line_axis_and_legend(model):
    assert model.today == AS_OF and model.today_visible
    assert model.today_label == "截至 2024-04-15"
    assert model.x_start <= date(2024, 3, 1) and model.x_end > date(2024, 5, 31)
    assert all(d.weekday() == 0 for d in model.week_ticks)  # week ticks on Mondays
    assert set(model.label_ticks) <= set(model.week_ticks)
    assert all(b - a == timedelta(days=7) for a, b in zip(model.week_ticks, model.week_ticks[1:]))
    labels = [e.label for e in model.legend]
    # every status named in words, in a fixed order; milestone states; the as-of line
    assert labels[:6] == ["已完成", "进行中", "未开始", "延期", "暂停", "已取消"]
    assert [e.colour for e in model.legend[:6]] == [STATUS_COLOURS[s][0] for s in chrome.STATUS_ORDER]
    assert {"按时达成", "延迟达成", "待达成", "截至 2024-04-15", "实际起止"} <= set(labels)
    assert "未达成" not in labels  # no milestone was missed


def test_english_labels(snap):
    m = gantt_model(snap, "en")
    assert m.title == "新品上市综合营销推广: Gantt as of 2024-04-15"
    assert [e.label for e in m.legend[:6]] == ["done", "in progress", "not started", "delayed", "on hold",
                                               "cancelled"]
    assert m.today_label == "as of 2024-04-15"


def test_as_of_far_outside_the_plan_is_not_squeezed_in(snap):
    late = compute_snapshot(snap.campaign, as_of=date(2026, 1, 1))
    m = gantt_model(late, "zh-CN")
    assert not m.today_visible and m.x_end < date(2024, 7, 1)
    # spans still running at D are cut at the edge of the window
    assert all(r.actual_end < m.x_end for r in m.rows if r.actual_end is not None)
    assert any(r.actual_ongoing for r in m.rows)


def test_tasks_without_a_module_come_last_and_long_labels_are_shortened():
    s = _snap_of(SMALL.replace("name: B,", "name: " + "很长的任务名称" * 6 + ","))
    m = gantt_model(s, "zh-CN")
    assert [r.key for r in m.rows if r.kind == "group"] == ["M", None]
    assert m.rows[-2].label.startswith("（未填写）")
    long_label = m.rows[1].label
    assert long_label.endswith("…") and chrome.text_em(long_label) <= gantt.MAX_LABEL_EM


def test_a_small_plan_is_one_page(model):
    assert [p.filename for p in model.pages] == ["gantt.png"]
    assert model.pages[0].rows == model.rows and model.pages[0].summary == ()
    assert model.page_label == ("",)


def test_a_thousand_tasks_split_into_pages_with_every_task_on_exactly_one(big_snap):
    m = gantt_model(big_snap, "zh-CN")
    n = len(m.pages)
    assert n == 18
    assert [p.filename for p in m.pages] == ["gantt.png"] + [f"gantt-{i}.png" for i in range(2, n + 1)]
    seen = [r.key for p in m.pages for r in p.rows if r.kind == "task"]
    assert len(seen) == 1000 and sorted(seen) == sorted(ts.task.id for ts in big_snap.tasks)
    # page 1 makes room for the summary (a caption, a line a module, a gap: 1.6 + modules rows)
    modules = len(m.pages[0].summary)
    assert modules == 4 and gantt.first_page_rows(modules, ROWS_PER_PAGE) == ROWS_PER_PAGE - 6
    assert len(m.pages[0].rows) <= ROWS_PER_PAGE - 6
    for p in m.pages:
        assert len(p.rows) <= ROWS_PER_PAGE
        assert p.rows[-1].kind == "task"  # a module header never ends a page
        if p.number > 1:
            first = p.rows[0]
            assert first.kind == "group"  # every page starts with its module's header ...
            last_task = [r for r in m.pages[p.number - 2].rows if r.kind == "task"][-1]
            continues = big_snap.task(last_task.key).task.module == first.key
            assert first.continued == continues  # ... marked "continued" when repeated
            assert first.label.endswith("（续）") == continues
    # page 1 starts with the summary: one line per module
    assert [r.key for r in m.pages[0].summary] == ["内容营销", "渠道推广", "活动落地", "数据监测"]
    assert all(r.kind == "summary" for r in m.pages[0].summary)
    assert m.page_label[0] == "第 1/18 页" and m.page_label[-1] == "第 18/18 页"


def test_rows_per_page_and_continued_headers():
    s = _snap_of(SMALL)  # rows: M, b, (none), a
    m = gantt_model(s, "en", rows_per_page=2)
    assert [[r.key for r in p.rows] for p in m.pages] == [["M", "b"], [None, "a"]]
    s = _snap_of(SMALL.replace('name: "A <b>', 'module: M, name: "A <b>'))  # rows: M, a, b
    m = gantt_model(s, "en", rows_per_page=2)
    assert [[(r.key, r.continued) for r in p.rows] for p in m.pages] == [
        [("M", False), ("a", False)], [("M", True), ("b", False)]]
    assert m.pages[1].rows[0].label == "M (continued)"


# -- Gantt files -----------------------------------------------------------------------------------

def test_render_gantt_writes_a_png_and_an_svg(snap, tmp_path):
    import matplotlib.image

    written = render_gantt(snap, tmp_path, locale="zh-CN", font=FONT)
    assert written == ["gantt.png", "gantt.svg"]
    width, height = _png_size(tmp_path / "gantt.png")
    assert width == 1400 and 600 < height < 1200
    assert matplotlib.image.imread(tmp_path / "gantt.png").shape[:2] == (height, width)
    svg = ET.parse(tmp_path / "gantt.svg").getroot()
    texts = {"".join(t.itertext()) for t in svg.iter(f"{SVG}text")}
    assert {"海报设计初稿 · 赵明轩", "截至 2024-04-15", "已完成", "物料定稿 03-11"} <= texts


def test_thousand_task_gantt_pages_stay_within_pixel_limits(big_snap, tmp_path):
    written = render_gantt(big_snap, tmp_path, locale="zh-CN", font=FONT)
    assert written == ["gantt.png"] + [f"gantt-{i}.png" for i in range(2, 19)] + ["gantt.svg"]
    sizes = [_png_size(tmp_path / f) for f in written[:-1]]
    assert all(w == 1400 and h <= 2000 for w, h in sizes)
    # every page has the same size, page 1 too (it holds fewer rows, making room for the
    # summary) and the last one (padded): one chrome is drawn for all of them
    assert len(set(sizes)) == 1
    # the site lays the page out before the Gantt is drawn: the predicted sizes are the real ones
    assert gantt_png_sizes(gantt_model(big_snap, "zh-CN")) == [(f, *size) for f, size in zip(written, sizes)]
    svg = ET.parse(tmp_path / "gantt.svg").getroot()
    assert sum(1 for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "end") >= 1000


def _close(pixel, colour: str, tolerance: int = 6) -> bool:
    """A pixel of a palette PNG (RGB) is ``colour`` give or take the palette mapping's rounding."""
    want = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, want))


@needs_cjk
def test_gantt_page_pixels_put_bars_at_their_dates_and_rows(snap, model, tmp_path):
    """The PNG read back: bars where their dates and rows are, in their status colours, the
    module band behind them and the dashed as-of line over them."""
    from PIL import Image

    render_gantt(snap, tmp_path, locale="zh-CN", font=FONT)
    im = Image.open(tmp_path / "gantt.png").convert("RGB")
    dpi = chrome.DPI
    # The plot starts below the title, the legend (6 entries a row) and the date labels:
    # 0.42 in + 0.24 in per legend row + 0.3 in, and right of the label column.
    top = (0.42 + 0.24 * math.ceil(len(model.legend) / 6) + 0.3) * dpi
    left = model.label_width_in * dpi
    day = model.plot_width_in * dpi / (model.x_end - model.x_start).days  # px per day
    row = gantt.ROW_IN * dpi  # 24 px
    first = model.milestone_lanes + 0.4  # the milestone lane, then 0.4 row of space
    index = {(r.kind, r.key): i for i, r in enumerate(model.rows)}

    def at(kind, key, when: date, frac_of_row: float = 0.5):
        x = left + ((when - model.x_start).days + 0.5) * day  # the middle of that day
        y = top + (first + index[(kind, key)] + frac_of_row) * row
        return im.getpixel((int(x), int(y)))

    # xhs-notes: in progress, 50% of 2024-03-18..2024-04-26 (40 days): the first half is dark
    # (progress), the second half light (plan), in the in-progress pair.
    dark, light = STATUS_COLOURS["in_progress"]
    assert _close(at("task", "xhs-notes", date(2024, 3, 25)), dark)
    assert _close(at("task", "xhs-notes", date(2024, 4, 20)), light)
    # dealer-training: not started, the plan bar alone
    r = model.rows[index[("task", "dealer-training")]]
    assert _close(at("task", "dealer-training", r.start + (r.end - r.start) / 2), STATUS_COLOURS["not_started"][1])
    # the 活动落地 header row: its band above its bar (a Wednesday, off the Monday grid)
    assert _close(at("group", "活动落地", date(2024, 3, 6), 0.15), "#eceff1")
    # the as-of line: the column right after 2024-04-15 is dashed dark from top to bottom
    x = int(left + ((AS_OF - model.x_start).days + 1) * day)
    ys = range(int(top), int(top + len(model.rows) * row))
    dark_share = sum(any(_close(im.getpixel((xx, y)), chrome.TODAY_COLOUR, 40) for xx in (x - 1, x, x + 1))
                     for y in ys) / len(ys)
    assert 0.5 < dark_share < 0.9  # dashes 4 on, 2 off: about two thirds


def test_page_palette_holds_every_flat_colour():
    """The palette comes from the first page, yet colours only later pages use (the statuses'
    colours, which a first page may lack) are in it and map back (near) to themselves."""
    from PIL import Image

    flat = [gantt._rgb(c) for c in gantt._FLAT_COLOURS]
    first_page = Image.new("RGB", (200, 100), "#ffffff")
    first_page.paste((30, 30, 30), (0, 0, 100, 100))  # nothing but white and a dark grey
    palette = gantt._page_palette(first_page)
    colours = palette.getpalette()
    assert len(colours) <= 3 * 256
    assert set(flat) <= set(zip(colours[0::3], colours[1::3], colours[2::3]))
    later_page = Image.new("RGB", (len(flat), 1))
    for x, c in enumerate(flat):
        later_page.putpixel((x, 0), c)
    mapped = later_page.quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB")
    for x, c in enumerate(flat):
        assert _close(mapped.getpixel((x, 0)), "#%02x%02x%02x" % c), (c, mapped.getpixel((x, 0)))


@needs_cjk
def test_text_layer_sets_labels_where_pillow_would(model):
    """Labels built from cached glyphs land where Pillow's own text layout puts them: the same
    ink box, regular and bold; labels that need shaping are handed to Pillow whole."""
    from PIL import Image, ImageChops, ImageDraw

    layer = gantt._TextLayer.create(FONT, chrome.DPI)
    assert layer is not None and layer.covers("模块", bold=True)
    for bold in (False, True):
        face = layer._faces[bold]
        for text in ["海报设计初稿 · 赵明轩", "KOL 种草（第12批）", "Q3 review: 1.5% AV"]:
            theirs = Image.new("L", (420, 40), 255)
            ours = theirs.copy()
            ImageDraw.Draw(theirs).text((400, 20), text, font=face.font, fill=0, anchor="rm")
            face.draw(ours, 400, 20, text, 0)
            ink = lambda im: ImageChops.invert(im).getbbox()  # noqa: E731
            assert ink(ours) == pytest.approx(ink(theirs), abs=1), (bold, text)
            assert ImageChops.difference(ours, theirs).histogram()[0] > 420 * 40 * 0.97  # 97% identical pixels
    simple = layer._faces[False]._is_simple
    assert all(simple(c) for c in "中（A1 ·%")
    assert not any(simple(c) for c in ("\u0301", "\u200d", "\u05d0", "\u0627", "\u1100"))


def test_huge_figures_lower_their_dpi_rather_than_exceed_agg_limits():
    assert gantt._gantt_figure(700).dpi * 700 <= MAX_PIXELS
    assert gantt._gantt_figure(10).dpi == chrome.DPI


def test_predicted_page_sizes_match_the_example_gantt(snap, tmp_path):
    written = render_gantt(snap, tmp_path, locale="zh-CN", font=FONT)
    assert gantt_png_sizes(gantt_model(snap, "zh-CN")) == [("gantt.png", *_png_size(tmp_path / "gantt.png"))]
    assert written == ["gantt.png", "gantt.svg"]


def test_svg_escapes_user_strings():
    s = _snap_of(SMALL.replace("name: B,", 'name: "</text><script>alert(1)</script>",'))
    doc = gantt_svg(gantt_model(s, "en"))
    root = ET.fromstring(doc.encode())  # well-formed
    assert not list(root.iter(f"{SVG}script")) and "<script>" not in doc
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    assert "</text><script>alert(1)</script> · ann" in texts
    assert 'A <b>&"quoted"' in texts


# -- Goals -----------------------------------------------------------------------------------------

def test_goals_model(snap):
    g = goals_model(snap, "zh-CN")
    bars = {b.key: b for b in g.bars}
    assert list(bars) == ["exposure", "conversion", "dealers", "sales"]
    exposure = bars["exposure"]
    # 7,800,000 of 15,000,000 = 52%; the pace: 46 of 92 days of the window elapsed = 50%
    assert exposure.achievement == 52.0 and exposure.expected == 50.0
    assert exposure.status == "on_track" and exposure.colour == GOAL_COLOURS["on_track"]
    assert exposure.value_label == "7,800,000 次 / 15,000,000 次 · 52.0% · 符合进度"
    assert bars["conversion"].expected is None  # a level goal has no pace
    assert bars["dealers"].value_label.startswith("78 家 / 200 家")
    assert bars["dealers"].colour == GOAL_COLOURS["behind"]
    assert g.x_max == 110
    assert [e.label for e in g.legend] == ["符合进度", "落后", "截至 2024-04-15 按进度应达", "目标（100%）"]


def test_goals_without_data_and_far_beyond_target():
    s = _snap_of(SMALL + """\
    goals:
      - {id: leads, name: Leads, kind: cumulative, target: 100, unit: leads, due: 2024-03-29}
      - {id: reach, name: Reach, kind: cumulative, target: 10, due: 2024-03-29,
         measurements: [{date: 2024-03-05, value: 35}]}
    """)
    g = goals_model(s, "en")
    leads, reach = g.bars
    assert leads.achievement is None and leads.status == "no_data" and leads.colour == GOAL_COLOURS["no_data"]
    assert leads.value_label == "- / 100 leads · no data"
    assert reach.achievement == 350.0 and g.x_max == 200  # the axis stops at 200%; the label says 350%
    assert reach.value_label == "35 / 10 · 350.0% · achieved"


def test_goals_chart_file(snap, tmp_path):
    render_goals_chart(snap, tmp_path / "goals.png", locale="zh-CN", font=FONT)
    width, height = _png_size(tmp_path / "goals.png")
    assert width == 1100 and height < 600


def test_no_goals_gives_a_placeholder(tmp_path):
    s = _snap_of(SMALL)
    assert goals_model(s, "en").bars == () and goals_model(s, "en").empty_label == "No goals defined"
    render_goals_chart(s, tmp_path / "goals.png", locale="en", font=FONT)
    assert _png_size(tmp_path / "goals.png")[0] == 1100


# -- Trend -----------------------------------------------------------------------------------------

def test_trend_model(snap):
    history = [(date(2024, 4, 7), 38.0), (date(2024, 3, 10), 5.0)]
    t = trend_model(snap, "zh-CN", history)
    assert t.planned == tuple((d, round(v, 3)) for d, v in planned_curve(snap.campaign))
    assert t.planned[0][0] == date(2024, 3, 1) and t.planned[-1] == (date(2024, 5, 31), 100.0)
    assert t.history == ((date(2024, 3, 10), 5.0), (date(2024, 4, 7), 38.0))  # sorted
    assert (t.as_of, t.actual, t.planned_now) == (AS_OF, 48.2, 53.6)
    assert t.actual_label == "实际 48.2%（计划 53.6%）"
    assert [e.label for e in t.legend] == ["计划进度", "实际进度（历史）", "截至 2024-04-15"]
    assert [e.label for e in trend_model(snap, "zh-CN").legend] == ["计划进度", "截至 2024-04-15"]


def test_trend_chart_file(snap, tmp_path):
    render_trend_chart(snap, tmp_path / "trend.png", locale="zh-CN", font=FONT,
                       history=[(date(2024, 3, 31), 25.0), (date(2024, 4, 7), 38.0)])
    assert _png_size(tmp_path / "trend.png") == (1100, 480)


# -- Chinese glyphs --------------------------------------------------------------------------------

@needs_cjk
def test_chinese_renders_without_missing_glyph_warnings(snap, tmp_path, monkeypatch, caplog):
    """Every chart, and every Gantt label drawn by matplotlib itself (the Pillow text layer
    switched off), with the CJK font found on this machine: no missing glyph, no font not found."""
    monkeypatch.setattr(gantt._TextLayer, "create", classmethod(lambda cls, font, dpi: None))
    caplog.set_level(logging.DEBUG, logger="matplotlib")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_gantt(snap, tmp_path, locale="zh-CN", font=FONT)
        render_goals_chart(snap, tmp_path / "goals.png", locale="zh-CN", font=FONT)
        render_trend_chart(snap, tmp_path / "trend.png", locale="zh-CN", font=FONT)
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [m for m in messages if "missing from font" in m or "Glyph" in m or "findfont" in m], messages


def test_the_glyph_check_is_not_vacuous(snap, tmp_path):
    """The same check with a Latin-only font does see missing glyphs."""
    import matplotlib

    dejavu = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_goals_chart(snap, tmp_path / "goals.png", locale="zh-CN", font=FontChoice(dejavu, "DejaVu Sans"))
    assert any("missing from font" in str(w.message) for w in caught)


@needs_cjk
def test_the_text_layer_has_every_glyph_of_the_example(model):
    layer = gantt._TextLayer.create(FONT, chrome.DPI)
    assert layer is not None
    assert all(layer.covers(r.label) for r in model.rows)
    assert not layer.covers("\U0001F600 emoji")  # such labels go to matplotlib, which falls back


def test_without_a_cjk_font_charts_still_render_and_stay_quiet(snap, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert render_gantt(snap, tmp_path, locale="zh-CN", font=NO_FONT) == ["gantt.png", "gantt.svg"]
    # the caller printed FontChoice.warning once; matplotlib's per-glyph warnings are muted
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert _png_size(tmp_path / "gantt.png")[0] == 1400


# -- Determinism -----------------------------------------------------------------------------------

_RENDER_ALL = textwrap.dedent("""
    import sys
    from datetime import date
    from pathlib import Path
    from ptrack.core.compute import compute_snapshot
    from ptrack.render import charts, chrome, gantt
    from ptrack.render.fonts import find_cjk_font
    from ptrack.core.validate import load_campaign
    out = Path(sys.argv[1])
    gantt.ROWS_PER_PAGE = 12  # exercise the paged path on the example too
    snap = compute_snapshot(load_campaign(sys.argv[2]).campaign, as_of=date(2024, 4, 15))
    font = find_cjk_font()
    gantt.render_gantt(snap, out, locale="zh-CN", font=font)
    charts.render_goals_chart(snap, out / "goals.png", locale="zh-CN", font=font)
    charts.render_trend_chart(snap, out / "trend.png", locale="zh-CN", font=font,
                              history=[(date(2024, 3, 31), 25.0)])
""")


def test_same_inputs_give_byte_identical_files_across_processes(tmp_path):
    digests = []
    for run in ("one", "two"):
        out = tmp_path / run
        out.mkdir()
        subprocess.run([sys.executable, "-c", _RENDER_ALL, str(out), str(EXAMPLE)], check=True, cwd=REPO)
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())})
    assert digests[0] == digests[1]
    assert {"gantt.png", "gantt-2.png", "gantt-3.png", "gantt.svg", "goals.png", "trend.png"} <= set(digests[0])
    png = (tmp_path / "one" / "gantt.png").read_bytes()
    assert b"tIME" not in png and b"Software" not in png and b"matplotlib" not in png
    svg = (tmp_path / "one" / "gantt.svg").read_text("utf-8")
    assert "matplotlib" not in svg
