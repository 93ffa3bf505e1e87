"""``ptrack clone``: last year's campaign into this year's, every working-day offset exact.

The calendar facts these tests count on (CN, the holidays package; test_the_calendar_facts
checks each one against it):

* 2024: May Day 5/1..5/5 off, make-up working days Sunday 4/28 and Saturday 5/11; Dragon Boat
  6/8..6/10 (Sat..Mon) off; National Day 10/1..10/7 off, make-up Sunday 9/29 and Saturday 10/12.
* 2025: May Day 5/1..5/5 off, make-up Sunday 4/27 (and no Saturday 5/10 or 5/11: 2024's 5/11 has
  no twin); Dragon Boat 5/31..6/2 (Sat..Mon) off; National Day 10/1..10/8 off, make-up Sunday 9/28
  and Saturday 10/11 (10/12 is an ordinary Sunday).

618, 2024 (Tuesday 6/18, the anchor, T) -> 2025 (Wednesday 6/18). Working days before T:
    2024: 6/17 -1 | 6/14 -2, 6/13 -3, 6/12 -4, 6/11 -5 (6/8..6/10 Dragon Boat) | 6/7 -6 .. 6/3 -10 |
          5/31 -11 .. 5/27 -15 | 5/24 -16 .. 5/20 -20 | 5/17 -21 .. 5/13 -25 | Sat 5/11 -26 (make-up) |
          5/10 -27, 5/9 -28, 5/8 -29, 5/7 -30, 5/6 -31 (5/1..5/5 May Day) | 4/30 -32, 4/29 -33, Sun 4/28 -34
    2025: 6/17 -1, 6/16 -2 | 6/13 -3 .. 6/9 -7 | 6/6 -8, 6/5 -9, 6/4 -10, 6/3 -11 (5/31..6/2 Dragon Boat) |
          5/30 -12 .. 5/26 -16 | 5/23 -17 .. 5/19 -21 | 5/16 -22 .. 5/12 -26 | 5/9 -27, 5/8 -28, 5/7 -29,
          5/6 -30 (5/1..5/5 May Day) | 4/30 -31, 4/29 -32, 4/28 -33, Sun 4/27 -34 (make-up)
    and after T: 2024 6/19 +1, 6/20 +2, 6/21 +3; 2025 6/19 +1, 6/20 +2, 6/23 +3.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ptrack.core.calendars import get_calendar
from ptrack.core.loader import parse_yaml
from ptrack.edit.clone import Clone, CloneReport, renamed
from ptrack.edit.engine import edit_file, edit_text
from ptrack.edit.ops import EditError

D = date.fromisoformat
ROOT = Path(__file__).resolve().parents[2]


def test_the_calendar_facts():
    cn = get_calendar("CN")
    working = cn.is_working_day
    # make-up days: Sunday 2024-04-28, Saturday 2024-05-11, Sunday 2025-04-27 (Saturday 2025-05-10 is not one)
    assert all(map(working, [D("2024-04-28"), D("2024-05-11"), D("2025-04-27")]))
    assert not working(D("2025-05-10")) and not working(D("2025-05-11"))
    assert D("2024-04-28").weekday() == 6 and D("2024-05-11").weekday() == 5 and D("2025-04-27").weekday() == 6
    # Dragon Boat: 2024-06-08..10 and 2025-05-31..06-02 off (6/10/2024 and 6/2/2025 are Mondays)
    assert not any(map(working, [D("2024-06-08"), D("2024-06-09"), D("2024-06-10")]))
    assert not any(map(working, [D("2025-05-31"), D("2025-06-01"), D("2025-06-02")]))
    assert working(D("2024-06-11")) and working(D("2025-06-03"))
    # National Day: 2024-10-01..07 off, make-up 2024-09-29 (Sun) and 2024-10-12 (Sat); 2025-10-01..08
    # off, make-up 2025-09-28 (Sun) and 2025-10-11 (Sat); 2025-10-12 is an ordinary Sunday
    assert not any(working(D(f"2024-10-0{d}")) for d in range(1, 8))
    assert not any(working(D(f"2025-10-0{d}")) for d in range(1, 9))
    assert all(map(working, [D("2024-09-29"), D("2024-10-12"), D("2025-09-28"), D("2025-10-11")]))
    assert not working(D("2025-10-12"))
    # the offsets in the docstring above, counted
    assert [cn.offset(D("2024-06-18"), D(d)) for d in ("2024-06-03", "2024-05-11", "2024-04-28")] == [-10, -26, -34]
    assert [cn.shift(D("2025-06-18"), k) for k in (-10, -26, -34, 3)] == [
        D("2025-06-04"), D("2025-05-12"), D("2025-04-27"), D("2025-06-23")]


SOURCE_618 = """\
# 2024 618 大促 —— 去年的计划
ptrack: 1
campaign:
  id: y618-2024
  name: 2024年618大促
  lead: wang-xue
  start: 2024-04-22
  end: 2024-06-30
  calendar: CN
  locale: zh-CN

people:
  wang-xue: {name: 王雪, department: 市场部, feishu: ou_abc123}
  zhou: {name: 周婷, department: 市场部}

goals:
  - id: gmv
    name: GMV 5000万
    kind: cumulative
    target: 50000000
    due: 2024-06-20
    measurements:
      - {date: 2024-06-18, value: 38000000}

milestones:
  - id: presale
    name: 预售开启
    date: 2024-05-20
    achieved: 2024-05-21      # 晚一天
    results: {gmv: 5000000}
  - id: day618
    name: 618当天
    date: 2024-06-18

tasks:
  # 五一前后：主视觉（调休的周日开工）
  - id: kv
    name: 主视觉
    owner: wang-xue
    planned: {start: 2024-04-28, end: 2024-05-08}   # T-34 .. T-29
    actual: {start: 2024-04-28, end: 2024-05-09}
    progress: 100
    deliverables:
      - {name: 主KV, done: true}

  - id: poster
    name: 海报
    owner: zhou
    collaborators: [wang-xue]
    planned: {start: 2024-05-09, end: 2024-05-11}   # ends on the make-up Saturday
    quantity: {done: 3, total: 5, unit: 张}
    budget: {planned: 10000, spent: 4000}

  - id: page
    name: 会场页面
    owner: zhou
    planned: {start: 2024-06-03, end: 2024-06-07}   # T-10 .. T-6
    status: on_hold
    depends_on: [{task: kv, lag: 2}]
    risks:
      - {issue: 页面审核慢, owner: wang-xue, due: 2024-06-09, resolved: 2024-06-05}

  - id: prep
    name: 直播预热
    owner: zhou
    planned: {start: 2024-06-08, end: 2024-06-12, reason: 端午调整}   # starts on Dragon Boat
    notes: 端午节后开工

  - id: flight
    name: 信息流投放
    kind: timebox
    owner: zhou
    planned: {start: 2024-06-01, end: 2024-06-18}   # a Saturday start

  - id: live
    name: 618直播
    kind: event
    owner: zhou
    planned: {start: 2024-06-18, end: 2024-06-18}

  - id: recap
    name: 复盘
    owner: wang-xue
    planned: {start: 2024-06-19, end: 2024-06-21}

retro:
  summary: 去年的经验
"""


def clone_618(**options) -> tuple[str, CloneReport]:
    op = Clone(D("2025-06-18"), "y618-2025", **{"anchor": "day618", **options})
    result = edit_text(SOURCE_618, [op], file="y618-2024.yaml")
    assert not result.refused, [d.format_text() for d in result.diagnostics]
    return result.text, result.notes[0]


def test_618_from_2024_into_2025_every_offset_by_hand():
    text, report = clone_618()
    expected = SOURCE_618
    for old, new in [
        ("  id: y618-2024\n  name: 2024年618大促\n", "  id: y618-2025\n  name: 2025年618大促\n"),
        # the window keeps its calendar days: 4/22 and 6/30, T-57 and T+12 (kv's 2025-04-27 is inside)
        ("  start: 2024-04-22\n  end: 2024-06-30\n", "  start: 2025-04-22\n  end: 2025-06-30\n"),
        # goal due and milestones: calendar days (T+2, T-29, T); facts cleared
        ("    due: 2024-06-20\n    measurements:\n      - {date: 2024-06-18, value: 38000000}\n",
         "    due: 2025-06-20\n"),
        ("    date: 2024-05-20\n    achieved: 2024-05-21      # 晚一天\n    results: {gmv: 5000000}\n",
         "    date: 2025-05-20\n"),
        ("    date: 2024-06-18\n", "    date: 2025-06-18\n"),
        # kv: Sunday make-up 4/28 (T-34) -> Sunday make-up 4/27; 5/8 (T-29) -> 5/7
        ("planned: {start: 2024-04-28, end: 2024-05-08}   # T-34 .. T-29\n"
         "    actual: {start: 2024-04-28, end: 2024-05-09}\n    progress: 100\n",
         "planned: {start: 2025-04-27, end: 2025-05-07}   # T-34 .. T-29\n"),
        ("      - {name: 主KV, done: true}", "      - {name: 主KV, done: false}"),
        # poster: 5/9 (T-28) -> 5/8; the make-up Saturday 5/11 (T-26) -> Monday 5/12 (no make-up day in 2025)
        ("planned: {start: 2024-05-09, end: 2024-05-11}", "planned: {start: 2025-05-08, end: 2025-05-12}"),
        ("quantity: {done: 3, total: 5, unit: 张}\n    budget: {planned: 10000, spent: 4000}",
         "quantity: {done: 0, total: 5, unit: 张}\n    budget: {planned: 10000}"),
        # page: T-10 .. T-6: 6/4 .. 6/10 (Dragon Boat is before it in 2025); on hold cleared; the
        # risk's Sunday deadline 6/9 counts from Friday 6/7 (T-6) -> 6/10; its resolution cleared
        ("planned: {start: 2024-06-03, end: 2024-06-07}   # T-10 .. T-6\n    status: on_hold\n",
         "planned: {start: 2025-06-04, end: 2025-06-10}   # T-10 .. T-6\n"),
        ("due: 2024-06-09, resolved: 2024-06-05}", "due: 2025-06-10}"),
        # prep starts on Saturday 6/8 (Dragon Boat): counted from its first working day 6/11 (T-5)
        # -> 6/11; 6/12 (T-4) -> 6/12; last year's reason goes
        ("planned: {start: 2024-06-08, end: 2024-06-12, reason: 端午调整}",
         "planned: {start: 2025-06-11, end: 2025-06-12}"),
        # flight (timebox) starts on Saturday 6/1: from Monday 6/3 (T-10) -> 6/4; ends on T
        ("planned: {start: 2024-06-01, end: 2024-06-18}   # a Saturday start",
         "planned: {start: 2025-06-04, end: 2025-06-18}   # a Saturday start"),
        # the live event: calendar days, T
        ("planned: {start: 2024-06-18, end: 2024-06-18}", "planned: {start: 2025-06-18, end: 2025-06-18}"),
        # recap: T+1 .. T+3 -> Thursday 6/19 .. Monday 6/23
        ("planned: {start: 2024-06-19, end: 2024-06-21}", "planned: {start: 2025-06-19, end: 2025-06-23}"),
        ("\nretro:\n  summary: 去年的经验\n", "\n"),
    ]:
        assert expected.count(old) == 1, old
        expected = expected.replace(old, new)
    # everything else is the source's, byte for byte: comments, blank lines, flow and block style
    assert text == expected
    assert (report.anchor, report.to, report.anchor_label) == (D("2024-06-18"), D("2025-06-18"), "618当天")
    moves = {(m.id, m.field): (m.new.isoformat(), m.rule, m.offset, m.snapped) for m in report.moves}
    assert moves[("kv", "planned.start")] == ("2025-04-27", "working", -34, None)
    assert moves[("prep", "planned.start")] == ("2025-06-11", "working", -5, D("2024-06-11"))
    assert moves[("page", "risks[1].due")] == ("2025-06-10", "working", -6, D("2024-06-07"))
    assert moves[("presale", "date")] == ("2025-05-20", "calendar", -29, None)
    assert report.cleared == {"clone.cleared.measurements": 1, "clone.cleared.achieved": 1, "clone.cleared.results": 1,
                              "clone.cleared.actual": 1, "clone.cleared.progress": 1, "clone.cleared.deliverables": 1,
                              "clone.cleared.quantity": 1, "clone.cleared.spent": 1, "clone.cleared.on_hold": 1,
                              "clone.cleared.resolved": 1, "clone.cleared.reason": 1, "clone.cleared.retro": 1}


def test_a_task_keeps_its_working_days():
    text, _ = clone_618()
    cn = get_calendar("CN")
    old = {t["id"]: t["planned"] for t in parse_yaml(SOURCE_618).data["tasks"]}
    new = {t["id"]: t["planned"] for t in parse_yaml(text).data["tasks"]}
    for tid in ("kv", "poster", "page", "prep", "flight", "recap"):
        assert cn.count(D(old[tid]["start"]), D(old[tid]["end"])) == cn.count(D(new[tid]["start"]), D(new[tid]["end"]))
    # kv: 4/28 4/29 4/30 5/6 5/7 5/8 (6) -> 4/27 4/28 4/29 4/30 5/6 5/7 (6)
    assert cn.count(D("2025-04-27"), D("2025-05-07")) == 6


def test_people_move_to_someone_new_or_to_someone_there():
    text, report = clone_618(persons=(("wang-xue", "li-na", "李娜"),))
    data = parse_yaml(text).data
    # the entry is renamed and keeps the department, not 王雪's feishu id (it would reach 王雪)
    assert "people:\n  li-na: {name: 李娜, department: 市场部}\n  zhou:" in text
    assert data["campaign"]["lead"] == "li-na"
    assert [t.get("owner") for t in data["tasks"]] == ["li-na", "zhou", "zhou", "zhou", "zhou", "zhou", "li-na"]
    assert data["tasks"][1]["collaborators"] == ["li-na"] and data["tasks"][2]["risks"][0]["owner"] == "li-na"
    assert report.people == [("wang-xue", "li-na")]
    # to someone already there: the references move, both entries stay
    text, _ = clone_618(persons=(("wang-xue", "zhou", None),))
    data = parse_yaml(text).data
    assert set(data["people"]) == {"wang-xue", "zhou"} and data["campaign"]["lead"] == "zhou"
    # (messages in the campaign's language, zh-CN)
    with pytest.raises(EditError, match="li-na 不在人员列表中；请同时写上姓名：--person wang-xue=li-na:姓名"):
        clone_618(persons=(("wang-xue", "li-na", None),))
    with pytest.raises(EditError, match="--person wang-xeu：没有这个人员.*wang-xue"):
        clone_618(persons=(("wang-xeu", "li-na", "李娜"),))


def test_an_anchor_moved_to_a_day_off_is_flagged_for_every_date_on_it():
    # 618 on Sunday 2025-06-22 (as in 2023 and 2028): what was on T stays on T, a day off now; the
    # flight (a timebox) ends there as the live event does, and the table says so for both
    op = Clone(D("2025-06-22"), "y618-2025", anchor="day618")
    report = edit_text(SOURCE_618, [op], file="y618-2024.yaml").notes[0]
    # (the presale, T-29 calendar days, and the window's start, T-57, fall on Saturdays too)
    assert [(m.id, m.field, m.new.isoformat(), m.rule) for m in report.moves if m.day_off] == [
        ("presale", "date", "2025-05-24", "calendar"), ("day618", "date", "2025-06-22", "calendar"),
        ("flight", "planned.end", "2025-06-22", "working"), ("live", "planned.start", "2025-06-22", "calendar"),
        ("live", "planned.end", "2025-06-22", "calendar"), ("y618-2025", "start", "2025-04-26", "calendar")]
    # the working days around it are counted from it: T-10 is Monday 6/9 (6/20 6/19 6/18 6/17 6/16
    # 6/13 6/12 6/11 6/10 6/9), T+1 Monday 6/23
    moves = {(m.id, m.field): m.new.isoformat() for m in report.moves}
    assert (moves[("flight", "planned.start")], moves[("recap", "planned.start")]) == ("2025-06-09", "2025-06-23")


def test_anchors_and_names():
    # a task's planned start, a date, the campaign start: 618 moved by a plain date gives the same file
    by_task, _ = clone_618(anchor="live")
    by_date, _ = clone_618(anchor="2024-06-18")
    by_milestone, _ = clone_618()
    assert by_task == by_date == by_milestone
    with pytest.raises(EditError, match="--anchor day681 既不是里程碑或任务 ID.*day618"):
        clone_618(anchor="day681")
    assert renamed("2024 双11全渠道大促", 2024, 2025) == "2025 双11全渠道大促"
    assert renamed("双11 12024 campaign", 2024, 2025) == "双11 12024 campaign"
    text, _ = clone_618(name="今年的618")
    assert "  name: 今年的618\n" in text


def test_a_new_calendar_counts_the_offsets_in_it():
    # weekends -> CN: the anchor 6/18 is T in both; recap's T+3 under CN in 2025 is Monday 6/23
    source = SOURCE_618.replace("calendar: CN", "calendar: weekends")
    result = edit_text(source, [Clone(D("2025-06-18"), "y618-2025", anchor="day618", calendar="CN")], file="s.yaml")
    data = parse_yaml(result.text).data
    assert data["campaign"]["calendar"] == "CN"
    # under weekends 2024 has no May Day: kv 4/28 is a Sunday (a day off): from Monday 4/29, which
    # is 36 weekdays before 6/18 (7 weeks of 5 = 35 from 4/30, 4/29 the 36th): 2025 CN T-36 is 4/24
    assert data["tasks"][0]["planned"]["start"] == "2025-04-24"


def test_clone_writes_a_new_file_and_never_the_source(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "y618-2024.yaml"
    source.write_text(SOURCE_618, encoding="utf-8")
    result = edit_file(source, [Clone(D("2025-06-18"), "y618-2025", anchor="day618")], output=tmp_path / "new.yaml")
    assert result.written and source.read_text("utf-8") == SOURCE_618
    assert (tmp_path / "new.yaml").read_text("utf-8") == result.text


# -- 双11 across National Day: the example, 2024 into 2025 --------------------------------------------------

def test_double11_across_national_day():
    """Anchor: the milestone peak, 双11 (Monday 2024-11-11 -> Tuesday 2025-11-11). Working days
    before T:
        2024: 11/8 -1 .. 11/4 -5 | 11/1 -6 .. 10/28 -10 | 10/25 -11 .. 10/21 -15 | 10/18 -16 .. 10/14 -20 |
              Sat 10/12 -21 (make-up), 10/11 -22, 10/10 -23, 10/9 -24, 10/8 -25 (10/1..10/7 off) |
              9/30 -26, Sun 9/29 -27 (make-up), 9/27 -28 .. 9/23 -32
        2025: 11/10 -1 | 11/7 -2 .. 11/3 -6 | 10/31 -7 .. 10/27 -11 | 10/24 -12 .. 10/20 -16 |
              10/17 -17 .. 10/13 -21 | Sat 10/11 -22 (make-up), 10/10 -23, 10/9 -24 (10/1..10/8 off) |
              9/30 -25, 9/29 -26, Sun 9/28 -27 (make-up), 9/26 -28 .. 9/22 -32
    """
    text = (ROOT / "examples" / "double11.yaml").read_text("utf-8")
    result = edit_text(text, [Clone(D("2025-11-11"), "double11-2025", anchor="peak")], file="double11.yaml")
    assert not result.refused
    tasks = {t["id"]: t for t in parse_yaml(result.text).data["tasks"]}

    def planned(tid):
        return tasks[tid]["planned"]["start"], tasks[tid]["planned"]["end"]

    # kv-design 10/8 (T-25, the first day after the holiday) .. 10/18 (T-16): in 2025 T-25 is 9/30,
    # before a holiday a day longer, and T-16 is 10/20
    assert planned("kv-design") == ("2025-09-30", "2025-10-20")
    # live-room-setup ends on the make-up Saturday 10/12/2024 (T-21); 10/12/2025 is an ordinary
    # Sunday, and T-21 is Monday 10/13
    assert planned("live-room-setup") == ("2025-09-30", "2025-10-13")
    # video-content starts on the make-up Sunday 9/29/2024 (T-27): T-27 in 2025 is the make-up
    # Sunday 9/28; it ends 10/25 (T-11) -> 10/27
    assert planned("video-content") == ("2025-09-28", "2025-10-27")
    # strategy 9/23..9/27 (T-32..T-28) -> 9/22..9/26; the campaign window (calendar days: 9/23) is
    # widened to hold it
    assert planned("strategy") == ("2025-09-22", "2025-09-26")
    assert parse_yaml(result.text).data["campaign"]["start"] == "2025-09-22"
    # events and milestones keep their calendar days: the launch 10/22, the pop-up 11/1..11/10
    assert planned("launch-event") == ("2025-10-22", "2025-10-22")
    assert planned("popup-store") == ("2025-11-01", "2025-11-10")
    # a timebox after T: cs-duty ends 11/12 (T+1) -> Wednesday 11/12
    assert planned("cs-duty") == ("2025-10-21", "2025-11-12")
    # the facts are gone; the cancelled task stays cancelled; the notes stay
    assert not any("actual" in t or "progress" in t for t in tasks.values())
    assert tasks["elevator-ads"]["status"] == "cancelled" and "status" not in tasks["store-linkage"]
    report = result.notes[0]
    assert report.cancelled == ["写字楼电梯广告"]
    day_off = [(m.id, m.new.isoformat()) for m in report.moves if m.day_off]
    # Friday 2024-09-27 and Friday 2024-11-01 become a Saturday in 2025: said, not changed
    assert day_off == [("plan-approved", "2025-09-27"), ("popup-store", "2025-11-01")]
    # the text that mentions a date, named by the task's id: 上海快闪店（11/1–11/10）
    from ptrack.core.diagnostics import describe_path

    assert [describe_path(p, n, "zh-CN") for p, n in report.texts][:6] == [
        "campaign.description", "任务 elevator-ads 的 notes", "任务 star-live 的 description",
        "任务 live-1111 的 description", "任务 launch-event 的 description", "任务 popup-store 的 name"]
    assert describe_path(*report.texts[5], "en") == "tasks[popup-store].name"


# -- the command ----------------------------------------------------------------------------------------

@pytest.fixture
def source_618(write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return write("y618-2024.yaml", SOURCE_618)


def test_cli_clone_prints_what_moved_and_writes_a_valid_file(run_cli, source_618, tmp_path):
    code, out, err = run_cli("clone", "y618-2024.yaml", "-o", "y618-2025.yaml", "--to", "2025-06-18",
                             "--anchor", "day618", "--person", "wang-xue=li-na:李娜", "--lang", "en")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == ("y618-2025.yaml (from y618-2024.yaml): anchor 618当天 2024-06-18 → 2025-06-18, "
                        "calendar CN → CN; 20 dates moved:")
    rows = {tuple(line.split()[1:4]): line.split(maxsplit=6)[4:] for line in lines[3:23]}
    assert rows[("kv", "主视觉", "planned.start")] == ["2024-04-28", "2025-04-27", "T−34 working days"]
    assert rows[("poster", "海报", "planned.end")] == ["2024-05-11", "2025-05-12", "T−26 working days"]
    assert rows[("prep", "直播预热", "planned.start")] == [
        "2024-06-08", "2025-06-11", "T−5 working days (2024-06-08 is a day off: counted from 2024-06-11)"]
    assert rows[("live", "618直播", "planned.start")] == ["2024-06-18", "2025-06-18", "T"]
    assert rows[("presale", "预售开启", "date")] == ["2024-05-20", "2025-05-20", "T−29 days"]
    assert lines[23:] == [
        "Cleared: the measurements of 1 goal, the achievement of 1 milestone, the results of 1 milestone, "
        "the actual dates of 1 task, the progress of 1 task, 1 deliverable done (now not done), the quantity done of "
        "1 task (now 0), the money spent on 1 task, the on-hold status of 1 task, 1 risk resolution, 1 re-plan reason, "
        "the retro (last year's lessons stay in the source)",
        "People: wang-xue → li-na"]
    code, out, err = run_cli("validate", "y618-2025.yaml")
    assert code == 0 and (tmp_path / "y618-2024.yaml").read_text("utf-8") == SOURCE_618


def test_cli_clone_dry_run_and_refusals(run_cli, source_618, tmp_path):
    code, out, _ = run_cli("clone", "y618-2024.yaml", "-o", "y618-2025.yaml", "--to", "2025-06-18", "--dry-run")
    assert code == 0 and "（由 y618-2024.yaml 克隆，试运行：未写入）" in out.splitlines()[0]
    assert not (tmp_path / "y618-2025.yaml").exists()
    (tmp_path / "y618-2025.yaml").write_text("x", encoding="utf-8")
    # usage errors (exit 2) in the command's language: the campaign's (zh-CN), else --lang
    for args, message in [
        (("--to", "2025-06-18"), "y618-2025.yaml 已存在；请指定一个新文件，或加上 --force 覆盖它"),
        (("--to", "2025-06-31"), "--to：“2025-06-31”不是日期；日期写成 YYYY-MM-DD"),
        (("--to", "2025-06-18", "--force", "--person", "wang-xue"),
         "--person：“wang-xue”的写法不对，应写成 OLD=NEW 或 OLD=NEW:NAME"),
        (("--to", "2025-06-18", "--force", "--calendar", "cn"),
         "--calendar：“cn”不是工作日历：可用 none、weekends 或国家代码（如 CN）"),
        (("--to", "2025-06-18", "--force", "--id", "Y618"),
         "--id：“Y618”不是有效的编号；只能用小写字母、数字和“-”（例如 spring-launch-2024）"),
        (("--to", "2025-06-18", "--force", "--person", "wang-xue", "--lang", "en"),
         '--person: "wang-xue" is not OLD=NEW or OLD=NEW:NAME'),
        (("--to", "2025-06-18", "--lang", "zh-TW"), "y618-2025.yaml 已存在；請指定一個新檔案，或加上 --force 覆蓋它"),
    ]:
        code, out, err = run_cli("clone", "y618-2024.yaml", "-o", "y618-2025.yaml", *args)
        prefix = "ptrack: error: " if "en" in args else "ptrack：錯誤：" if "zh-TW" in args else "ptrack：错误："
        assert (code, out, err) == (2, "", prefix + message + "\n")
    code, _, err = run_cli("clone", "y618-2024.yaml", "-o", "y618-2024.yaml", "--to", "2025-06-18")
    assert (code, err) == (2, "ptrack：错误：-o：新文件不能就是源文件\n")
    code, _, err = run_cli("clone", "y618-2024.yaml", "-o", "Y 2025.yaml", "--to", "2025-06-18")
    assert (code, err) == (2, "ptrack：错误：输出文件名“Y 2025.yaml”不是有效的编号（只能用小写字母、数字和“-”）；"
                              "请用 --id ID 指定活动编号\n")
    assert (tmp_path / "y618-2025.yaml").read_text("utf-8") == "x"
    # an anchor that is not there: exit 1, the message in the campaign's language, nothing written
    code, _, err = run_cli("clone", "y618-2024.yaml", "-o", "y618-2025.yaml", "--to", "2025-06-18", "--force",
                           "--anchor", "nope")
    assert (code, err) == (1, "ptrack：错误：y618-2024.yaml：--anchor nope 既不是里程碑或任务 ID，也不是日期（YYYY-MM-DD）\n")
    assert (tmp_path / "y618-2025.yaml").read_text("utf-8") == "x"


def test_cli_clone_one_person_handed_to_two_and_dates_past_9999_are_errors_not_tracebacks(run_cli, source_618,
                                                                                         tmp_path):
    code, out, err = run_cli("clone", "y618-2024.yaml", "-o", "y618-2025.yaml", "--to", "2025-06-18",
                             "--person", "wang-xue=li-na:李娜", "--person", "wang-xue=liu:刘洋")
    assert (code, out, err) == (1, "", "ptrack：错误：y618-2024.yaml：--person 中 wang-xue 出现了两次：每个人只写一个 OLD=NEW\n")
    # the campaign's dates after --to 9999-12-01, or before --to 0001-01-02 when it is the
    # campaign's end, are not dates Python can hold
    beyond = ("ptrack: error: y618-2024.yaml: calendar CN: the working days to count run before the year 1 or "
              "after 9999; is a date far in the past or the future (9999-12-31)?\n")
    for to in (("9999-12-01",), ("0001-01-02", "--anchor", "2024-06-30")):
        code, out, err = run_cli("clone", "y618-2024.yaml", "-o", "y618-2025.yaml", "--to", *to, "--lang", "en")
        assert (code, out, err) == (1, "", beyond)
    assert not (tmp_path / "y618-2025.yaml").exists()


def test_cli_clone_of_an_invalid_source_and_into_a_new_folder(run_cli, source_618, tmp_path):
    (tmp_path / "bad.yaml").write_text(SOURCE_618.replace("  end: 2024-06-30\n", "  end: 2024-13-30\n"), "utf-8")
    code, out, err = run_cli("clone", "bad.yaml", "-o", "new.yaml", "--to", "2025-06-18")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "bad.yaml:8:8: 错误 [schema] campaign.end：“2024-13-30”不是日期；日期写成 YYYY-MM-DD，例如 2024-03-01",
        "ptrack：bad.yaml 不是有效的活动文件：未克隆"]
    code, out, err = run_cli("clone", "bad.yaml", "-o", "new.yaml", "--to", "2025-06-18", "--lang", "en")
    assert (code, out) == (1, "") and err.splitlines() == [
        'bad.yaml:8:8: error [schema] campaign.end: "2024-13-30" is not a date; write YYYY-MM-DD, e.g. 2024-03-01',
        "ptrack: bad.yaml is not a valid campaign: nothing cloned"]
    assert not (tmp_path / "new.yaml").exists()
    # a folder not there yet is made (ptrack.fsutil.atomic_write), as for campaigns/ in README
    code, _, err = run_cli("clone", "y618-2024.yaml", "-o", "new/folder/y618-2025.yaml", "--to", "2025-06-18")
    assert (code, err) == (0, "") and (tmp_path / "new" / "folder" / "y618-2025.yaml").is_file()
