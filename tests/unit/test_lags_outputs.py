"""Dependency lags and types in what ptrack writes: the dashboard's Gantt arrows, gantt.png and
gantt.svg, the tracking sheet (export, import, round trip), the plan diff and the person pages.

The campaign (calendar ``none``, 2024-03-01..03-31, as of 2024-02-28, nothing started):
    shoot  03-01..03-10          (10 days)
    edit   03-04..03-11          start-to-start 3 days after shoot's start: ES 3 -> 03-04
    brief  03-13..03-14          finish-to-start 2 days after edit (EF 11 + 2 = 13 -> 03-14..03-15)
The Gantt window (render.gantt.gantt_model): the dates and the as-of day, 02-28..03-31 (33 days),
padded by max(2, 33 // 40) = 2 days each side: it starts on 02-26 (offset 0; 2024 is a leap year,
02-29 is offset 3), so 03-d is offset d + 3.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest

from ptrack.core.compute import compute_snapshot
from ptrack.git.diff import diff_snapshots
from ptrack.render.gantt import GanttLink, draw_gantt, gantt_model, gantt_svg
from ptrack.render.gantt_html import ROW_H, arrow_path, dependency_edges, gantt_layout, render_gantt_section
from tests.helpers import campaign_from_yaml

SVG = "{http://www.w3.org/2000/svg}"
CAMPAIGN = """\
ptrack: 1
campaign: {id: g, name: G, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: en}
people:
  ann: {name: Ann}
  bob: {name: Bob}
tasks:
  - {id: shoot, name: Shoot, owner: ann, planned: {start: 2024-03-01, end: 2024-03-10}}
  - {id: edit, name: Edit, owner: bob, planned: {start: 2024-03-04, end: 2024-03-11},
     depends_on: [{task: shoot, type: ss, lag: 3}]}
  - {id: brief, name: Brief, owner: bob, planned: {start: 2024-03-13, end: 2024-03-14},
     depends_on: [{task: edit, lag: 2}]}
"""


@pytest.fixture(scope="module")
def snap():
    return compute_snapshot(campaign_from_yaml(CAMPAIGN), as_of=date(2024, 2, 28))


def test_the_schedule_of_this_campaign(snap):
    # brief: ES max(W(3/12) = 12, EF edit 11 + 2 = 13) = 13: 03-14..03-15 (its plan says 03-13: the lag
    # moves it a day)
    assert (snap.task("brief").earliest_start, snap.task("brief").forecast_finish) == (date(2024, 3, 14),
                                                                                      date(2024, 3, 15))


def test_dashboard_arrows_leave_from_the_start_for_start_to_start(snap):
    lay = gantt_layout(snap, gantt_model(snap, "en"), "en")
    # shoot -> edit (ss): leaves from shoot's start, offset 4 (03-01), into edit's start, offset 7 (03-04).
    # edit -> brief (fs): leaves after edit's end, offset 14 + 1 = 15 (03-12), into brief's planned
    # start, 16 (03-13).
    assert [e[:4] + e[5:] for e in dependency_edges(lay)] == [("shoot", "edit", 4, 7, "ss"),
                                                              ("edit", "brief", 15, 16, "fs")]
    html = render_gantt_section(snap, gantt_model(snap, "en"), "en")
    # the start-to-start arrow is marked " s" for gantt.js, which redraws it the same way on zoom
    data = ";".join(re.findall(r'<path class="gx-d[^"]*" data-a="([^"]*)"', html)).split(";")
    assert sorted(data) == ["edit brief 15 16", "shoot edit 4 7 s"]
    assert "dependency (start → start)" in html  # the legend says what the bracket means


def test_start_to_start_arrow_geometry():
    # from (48, 12), a predecessor's start, to (120, 60), its successor's start: left to
    # min(48, 120) - 6 = 42, down to 60, right to 120; the head's tip at (120, 60)
    assert arrow_path(48, 12, 120, 60, True) == "M48,12H42V60H120M115,56.5L120,60L115,63.5"
    # a successor starting before its predecessor (a lead): the bracket goes left of both
    assert arrow_path(120, 12, 48, 60, True) == "M120,12H42V60H48M43,56.5L48,60L43,63.5"
    assert ROW_H == 24


def test_gantt_svg_and_png_draw_the_arrows(snap, tmp_path):
    model = gantt_model(snap, "en")
    assert model.links == (GanttLink("shoot", "edit", "ss"), GanttLink("edit", "brief", "fs"))
    svg = gantt_svg(model)
    root = ET.fromstring(svg.encode("utf-8"))
    [arrows] = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#607d8b"]
    # two arrows, each a shaft and a head: four subpaths
    assert arrows.get("d").count("M") == 4
    assert "stroke=\"#607d8b\"" not in gantt_svg(replace(model, links=()))
    # the PNG: the same page with and without the links differs only where the arrows run, in
    # the plot (right of the label column), not in the labels
    from PIL import Image, ImageChops

    from ptrack.render.fonts import find_cjk_font

    font = find_cjk_font()
    draw_gantt(model, tmp_path / "with", font=font, svg=False)
    draw_gantt(replace(model, links=()), tmp_path / "without", font=font, svg=False)
    a = Image.open(tmp_path / "with" / "gantt.png").convert("RGB")
    b = Image.open(tmp_path / "without" / "gantt.png").convert("RGB")
    # (the pages share a palette taken from the first one, so anti-aliased text may differ by a
    # few levels: only clear differences count)
    box = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 60 else 0).getbbox()
    assert box is not None
    assert box[0] > model.label_width_in * 100  # DPI 100: right of the label column


def test_export_and_import_keep_lags_and_types(tmp_path):
    from ptrack.sheets.importer import import_table
    from ptrack.sheets.tabular import tracking_rows, write_csv

    s = compute_snapshot(campaign_from_yaml(CAMPAIGN), as_of=date(2024, 2, 28))
    headers, rows = tracking_rows(s, locale="zh-CN")
    column = headers.index("前置任务")
    assert [r[column] for r in rows] == [None, "shoot(SS+3)", "edit(FS+2)"]
    write_csv(s, tmp_path / "t.csv", locale="zh-CN")
    result = import_table(tmp_path / "t.csv", output=tmp_path / "g.yaml")
    assert result.ok, result.problems
    assert [t.get("depends_on") for t in result.data["tasks"]] == [
        None, [{"task": "shoot", "lag": 3, "type": "ss"}], [{"task": "edit", "lag": 2}]]


@pytest.mark.parametrize("cell, expected", [
    ("Shoot（ss +3）", [{"task": "shoot", "lag": 3, "type": "ss"}]),  # by name, full-width brackets
    ("shoot(FS)", ["shoot"]),  # finish-to-start without a lag is the plain id
    ("shoot(−2 个工作日), Edit", [{"task": "shoot", "lag": -2}, "edit"]),
])
def test_import_reads_the_link_notation_written_by_hand(tmp_path, cell, expected):
    from ptrack.sheets.importer import import_table

    (tmp_path / "t.csv").write_text(
        "任务编号,任务名称,计划开始时间,计划结束时间,前置任务\n"
        "shoot,Shoot,2024-03-01,2024-03-10,\n"
        "edit,Edit,2024-03-04,2024-03-11,\n"
        f'brief,Brief,2024-03-13,2024-03-14,"{cell}"\n', encoding="utf-8")
    result = import_table(tmp_path / "t.csv", output=tmp_path / "g.yaml")
    assert result.ok, result.problems
    assert result.data["tasks"][2]["depends_on"] == expected


def test_the_plan_diff_names_a_changed_lag():
    base = compute_snapshot(campaign_from_yaml(CAMPAIGN), as_of=date(2024, 2, 28))
    head = compute_snapshot(campaign_from_yaml(CAMPAIGN.replace("{task: edit, lag: 2}", "{task: edit, lag: 3}")),
                            as_of=date(2024, 2, 28))
    [change] = [c for c in diff_snapshots(base, head) if c.kind == "dependencies"]
    assert (change.task, change.old, change.new) == ("brief", ["edit(FS+2)"], ["edit(FS+3)"])
    from ptrack.git.diff import _line

    assert _line(change, "en", {}, {"edit": "Edit"}) == "depends on Edit(FS+2) → Edit(FS+3)"


def test_waiting_on_me_follows_the_link(snap):
    from ptrack.core.people import collect_people

    # as of 2/28, Ann's shoot (not started) holds Bob's edit by its start: shoot's forecast start
    # 03-01 + 3 working days = 03-04, edit's planned start: not late.
    people = collect_people([snap], date(2024, 2, 28))
    [w] = people.get("ann").waiting
    assert (w.waiting.task.id, w.late) == ("edit", False)
    # with a lag of 4, shoot's start lets edit start 03-05 only: late for its planned 03-04
    late = compute_snapshot(campaign_from_yaml(CAMPAIGN.replace("type: ss, lag: 3", "type: ss, lag: 4")),
                            as_of=date(2024, 2, 28))
    [w] = collect_people([late], date(2024, 2, 28)).get("ann").waiting
    assert w.late is True
    # once shoot has started, edit no longer waits for Ann (start-to-start)
    started = compute_snapshot(campaign_from_yaml(CAMPAIGN.replace(
        "end: 2024-03-10}}", "end: 2024-03-10}, actual: {start: 2024-03-01}}")), as_of=date(2024, 3, 1))
    assert collect_people([started], date(2024, 3, 1)).get("ann").waiting == ()


LATE = """\
ptrack: 1
campaign: {id: late, name: Late, start: 2024-03-01, end: 2024-03-12, calendar: none, locale: en}
tasks:
  - {id: a, name: A, planned: {start: 2024-03-01, end: 2024-03-10}}
  - {id: b, name: B, planned: {start: 2024-03-11, end: 2024-03-14}, depends_on: [a]}
  - {id: c, name: C, planned: {start: 2024-03-01, end: 2024-03-02}}
"""


def test_start_by_marks_only_the_days_that_call_for_action():
    from ptrack.render.html import CampaignImages, render_campaign_page
    from ptrack.render.markdown import render_report

    # Calendar none, as of 02-28, nothing started. The forecast finish 03-14 (b) is after the end
    # 03-12, so the backward pass starts from 03-12: b (4 days) must start by 03-09, a (10 days)
    # end by 03-08 and start by 02-28 (2024 is a leap year: 02-28 02-29 03-01 ... 03-08 = 10 days);
    # a and b are forecast to start 03-01 and 03-11: float -2 each. c (2 days) can start by 03-11:
    # float 03-01 -> 03-11 = 10.
    s = compute_snapshot(campaign_from_yaml(LATE), as_of=date(2024, 2, 28))
    page = render_campaign_page(s, locale="en", images=CampaignImages())
    section = page[page.index('<section class="card" id="start-by"'):]
    section = section[:section.index("</section>")]
    cells = re.findall(r'<tr data-task="(\w+)">.*?data-label="Start by">(.*?)</td>\s*<td class="([^"]*)"[^>]*>([^<]*)<',
                       section, re.S)
    # a and b bold and red (negative float); c, with 10 days to spare, plain
    assert cells == [("a", "<strong>2024-02-28</strong>", "num text-bad", "-2"),
                     ("b", "<strong>2024-03-09</strong>", "num text-bad", "-2"),
                     ("c", "2024-03-11", "num", "10")]
    report = render_report(s, locale="en")
    assert "| A | unassigned | 2024-03-01 | **2024-02-28** | -2 |" in report
    assert "| C | unassigned | 2024-03-01 | 2024-03-11 | 10 |" in report
