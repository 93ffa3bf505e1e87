"""Successors that move: ``ptrack update PATH TASK --planned-end D [--cascade]`` (ptrack.core.replan,
the editor operation ptrack.edit.replan.Replan, and the command), across National Day 2024.

Calendar CN, autumn 2024 (holidays package 0.109: National Day 10/1..10/7 off; Sunday 9/29 and
Saturday 10/12 are make-up working days). Working days from Monday 9/23:
    9/23 9/24 9/25 9/26 9/27 | 9/29 9/30 | 10/8 10/9 10/10 10/11 10/12 | 10/14 10/15 10/16 10/17 10/18 | 10/21 ...
A link lets its successor start on the working day lag + 1 after the predecessor's end
(finish-to-start), or lag working days after its start (start-to-start).

The plan, as of 9/25 (only ``translate`` has started, early):
    kv         9/23..9/27   5 days
    brief      10/8..10/9   2 days   kv + 2 (lag): 9/29, 9/30 are the lag, 10/8 the first day: no float
    shoot      10/8..10/11  4 days   after kv: could start 9/29, 2 working days of float (9/29, 9/30)
    edit       10/10..10/15 5 days   shoot start-to-start + 2: 10/8 + 2 = 10/10 (10/10 11 12 14 15)
    translate  9/30..10/10           after kv; started 9/24 (early), 10 % done
    launch     10/18        event    after edit and brief
    recap      10/21..10/22          after launch
    other      9/23..10/15           no links: never touched
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from ptrack.core.calendars import get_calendar
from ptrack.core.compute import compute_snapshot
from ptrack.core.replan import EVENT_FIXED, MOVE, STARTED, plan_replan
from ptrack.core.rules import run_rules
from ptrack.edit.engine import edit_file, edit_text
from ptrack.edit.replan import Replan
from tests.helpers import campaign_from_yaml

D = date.fromisoformat
AS_OF = D("2024-09-25")

PLAN = """\
# yaml-language-server: $schema=../schema/campaign.schema.json
ptrack: 1
campaign:
  id: autumn
  name: 秋季上新   # 国庆前后
  start: 2024-09-23
  end: 2024-10-31
  calendar: CN
  locale: en

tasks:
  # ---- creative ----
  - id: kv
    name: Key visual
    planned: {start: 2024-09-23, end: 2024-09-27}   # the client reviews on Friday
    actual: {start: 2024-09-23}

  - id: brief
    name: KOL brief
    planned:
      start: 2024-10-08    # after the holiday
      end: 2024-10-09
    depends_on: [{task: kv, lag: 2}]   # two days to print

  - id: shoot
    name: Shoot
    planned: {start: '2024-10-08', end: '2024-10-11'}
    depends_on: [kv]

  - id: edit
    name: Edit
    planned: {start: 2024-10-10, end: 2024-10-15}
    depends_on:
      - {task: shoot, type: ss, lag: 2}

  - id: translate
    name: Translate
    planned: {start: 2024-09-30, end: 2024-10-10}
    actual: {start: 2024-09-24}
    progress: 10
    depends_on: [kv]

  # ---- launch ----
  - id: launch
    name: Launch
    kind: event
    planned: {start: 2024-10-18, end: 2024-10-18}
    depends_on: [edit, brief]

  - id: recap
    name: Recap
    planned: {start: 2024-10-21, end: 2024-10-22}
    depends_on: [launch]

  - id: other
    name: Other
    planned: {start: 2024-09-23, end: 2024-10-15}
"""


def moves(plan) -> list[tuple]:
    return [(m.task, m.new_start.isoformat(), m.new_end.isoformat(), m.days, m.by) for m in plan.moves]


def test_the_calendar_these_tests_count_on():
    cal = get_calendar("CN")
    assert [d for d in (D("2024-09-29"), D("2024-10-12")) if cal.is_working_day(d)] == [D("2024-09-29"),
                                                                                      D("2024-10-12")]
    assert cal.count(D("2024-09-23"), D("2024-10-18")) == 5 + 2 + 5 + 5


def test_a_cascade_across_national_day():
    c = campaign_from_yaml(PLAN)
    plan = plan_replan(c, "kv", end=D("2024-10-10"), as_of=AS_OF, cascade=True)
    # kv ends 10/10 instead of 9/27: 9/29, 9/30, 10/8, 10/9, 10/10 = 5 working days later
    assert (plan.root.new_start, plan.root.new_end, plan.root.days) == (D("2024-09-23"), D("2024-10-10"), 5)
    assert moves(plan) == [
        # brief: kv + 2: 10/11 and 10/12 (Saturday, make-up) are the lag, so 10/14..10/15;
        # its end moves from 10/9 by 10/10 10/11 10/12 10/14 10/15 = 5
        ("brief", "2024-10-14", "2024-10-15", 5, "kv"),
        # shoot: after kv, 10/11; its 2 days of float absorb 2 of the 5: 10/11 12 14 15, +3
        ("shoot", "2024-10-11", "2024-10-15", 3, "kv"),
        # edit: shoot's new start 10/11 + 2 = 10/14 (10/12, 10/14): 10/14 15 16 17 18, +3
        ("edit", "2024-10-14", "2024-10-18", 3, "shoot"),
    ]
    assert plan.moves[2].link.type == "ss" and plan.moves[0].link.lag == 2
    # the launch would have to start after edit's 10/18: 10/21, one working day (10/18) late:
    # an event does not move. translate has started (9/24): it stays, and needed 10/11 instead of
    # 9/30 (9/30 10/8 10/9 10/10 = 4 working days). recap follows the launch, which did not move.
    assert [(x.task, x.why, x.needed.isoformat(), x.days, x.by) for x in plan.conflicts] == [
        ("translate", STARTED, "2024-10-11", 4, "kv"),
        ("launch", EVENT_FIXED, "2024-10-21", 1, "edit"),
    ]
    assert plan.broken == ()


def test_written_in_one_edit_with_comments_and_layout_kept_and_then_checked():
    result = edit_text(PLAN, [Replan("kv", AS_OF, end=D("2024-10-10"), cascade=True, reason="客户返稿，主视觉延期")],
                       file="c.yaml")
    assert not result.refused
    # every line but the planned dates of the four tasks that moved is the same, byte for byte:
    # comments, blank lines, flow and block style, the quoting of shoot's dates
    expected = PLAN
    for old, new in [
        ("planned: {start: 2024-09-23, end: 2024-09-27}",
         "planned: {start: 2024-09-23, end: 2024-10-10, reason: 客户返稿，主视觉延期}"),
        ("      start: 2024-10-08    # after the holiday\n      end: 2024-10-09\n",
         "      start: 2024-10-14    # after the holiday\n      end: 2024-10-15\n      reason: 客户返稿，主视觉延期\n"),
        ("planned: {start: '2024-10-08', end: '2024-10-11'}",
         "planned: {start: '2024-10-11', end: '2024-10-15', reason: 客户返稿，主视觉延期}"),
        ("planned: {start: 2024-10-10, end: 2024-10-15}",
         "planned: {start: 2024-10-14, end: 2024-10-18, reason: 客户返稿，主视觉延期}"),
    ]:
        assert expected.count(old) == 1
        expected = expected.replace(old, new)
    assert result.text == expected
    # what check says of the new plan as of 9/20, before anything started (the forecasts are
    # the plan): edit is planned to finish 10/18, the launch's day: event-at-risk, a clash of 1
    # working day; the launch kept its date
    after = compute_snapshot(campaign_from_yaml(result.text), as_of=D("2024-09-20"))
    assert after.task("launch").task.planned_start == D("2024-10-18")
    [clash] = after.event_clashes
    assert (clash.event, clash.predecessor, clash.days) == ("launch", "edit", 1)
    assert [d.code for d in run_rules(after) if d.severity.value == "error"] == ["event-at-risk"]


def test_float_is_consumed_and_nothing_moves_earlier():
    c = campaign_from_yaml(PLAN)
    # kv two days later (9/30): brief, with no float, moves 2 (10/10..10/11); shoot's 2 days of
    # float absorb it all; the rest does not move
    plan = plan_replan(c, "kv", end=D("2024-09-30"), as_of=AS_OF, cascade=True)
    assert moves(plan) == [("brief", "2024-10-10", "2024-10-11", 2, "kv")]
    # translate (started) needed 10/8 instead of 9/30: 1 working day (9/30)
    assert [(x.task, x.days) for x in plan.conflicts] == [("translate", 1)]
    # kv a day earlier: nobody moves, earlier or later
    plan = plan_replan(c, "kv", end=D("2024-09-26"), as_of=AS_OF, cascade=True)
    assert (plan.moves, plan.conflicts, plan.root.days) == ((), (), -1)


def test_planned_start_alone_moves_the_whole_task_keeping_its_working_days():
    c = campaign_from_yaml(PLAN)
    # kv from 9/24: its 5 working days are 9/24 25 26 27 29 (Sunday, make-up)
    plan = plan_replan(c, "kv", start=D("2024-09-24"), as_of=AS_OF, cascade=True)
    assert (plan.root.new_start, plan.root.new_end) == (D("2024-09-24"), D("2024-09-29"))
    # starting on a holiday counts from the first working day after it: 10/8 9 10 11 12
    plan = plan_replan(c, "kv", start=D("2024-10-03"), as_of=AS_OF)
    assert (plan.root.new_start, plan.root.new_end) == (D("2024-10-03"), D("2024-10-12"))


def test_without_cascade_only_the_task_moves_and_the_broken_successors_are_named():
    c = campaign_from_yaml(PLAN)
    plan = plan_replan(c, "kv", end=D("2024-10-10"), as_of=AS_OF)
    assert plan.moves == ()
    # its direct successors: brief needs 10/14 (planned 10/8: 10/8 9 10 11 12 = 5 days late),
    # shoot 10/11 (10/8 9 10 = 3); translate has started: a conflict no cascade changes
    assert [(x.task, x.why, x.needed.isoformat(), x.days) for x in plan.broken] == [
        ("brief", MOVE, "2024-10-14", 5), ("shoot", MOVE, "2024-10-11", 3)]
    assert [x.task for x in plan.conflicts] == ["translate"]
    result = edit_text(PLAN, [Replan("kv", AS_OF, end=D("2024-10-10"))], file="c.yaml")
    assert result.text == PLAN.replace("end: 2024-09-27}", "end: 2024-10-10}")


def test_tasks_pushed_past_the_campaign_end_are_named_and_the_window_stays(run_cli, plan_file, monkeypatch):
    c = campaign_from_yaml(PLAN)
    # the launch (an event, moved on purpose) to Wednesday 10/30: recap (2 working days, after the
    # launch) starts Thursday 10/31 and ends Friday 11/1, a day after the campaign end 10/31
    plan = plan_replan(c, "launch", start=D("2024-10-30"), as_of=AS_OF, cascade=True)
    assert moves(plan) == [("recap", "2024-10-31", "2024-11-01", 8, "launch")]  # 10/23 .. 11/1: +8
    assert [m.task for m in plan.past_end] == ["recap"] and plan.campaign_end == D("2024-10-31")
    # to 10/29: recap 10/30..10/31 keeps the end; nothing past it
    assert plan_replan(c, "launch", start=D("2024-10-29"), as_of=AS_OF, cascade=True).past_end == ()
    monkeypatch.setenv("PTRACK_AS_OF", "2024-09-25")
    code, out, err = run_cli("update", "autumn.yaml", "launch", "--planned-start", "2024-10-30", "--cascade",
                             "--lang", "zh-CN")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == ("1 个任务改期后晚于活动结束日 2024-10-31：Recap（recap）2024-11-01 结束。"
                                    "请修改 campaign.end，或把进度赶回来（check 会报告 outside-window）。")
    text = plan_file.read_text("utf-8")
    assert "  end: 2024-10-31\n" in text and "planned: {start: 2024-10-31, end: 2024-11-01}" in text


def test_a_replan_without_a_reason_removes_the_old_one():
    first = edit_text(PLAN, [Replan("shoot", AS_OF, end=D("2024-10-12"), reason="场地")], file="c.yaml").text
    assert "planned: {start: '2024-10-08', end: '2024-10-12', reason: 场地}" in first
    again = edit_text(first, [Replan("shoot", AS_OF, end=D("2024-10-14"))], file="c.yaml")
    assert "planned: {start: '2024-10-08', end: '2024-10-14'}" in again.text
    assert [(c.label, c.kind) for c in again.changes] == [("planned.end", "set"), ("planned.reason", "remove")]


def test_an_unknown_task_and_an_impossible_move_write_nothing(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(PLAN, encoding="utf-8")
    with pytest.raises(Exception, match='no task "sheot".*did you mean "shoot"'):
        edit_file(path, [Replan("sheot", AS_OF, end=D("2024-10-12"))])
    result = edit_file(path, [Replan("shoot", AS_OF, end=D("2024-10-01"))])  # before its start
    assert result.refused and not result.written
    assert [d.code for d in result.diagnostics] == ["date-order"]
    assert path.read_text("utf-8") == PLAN


# -- the command ----------------------------------------------------------------------------------------

@pytest.fixture
def plan_file(write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return write("autumn.yaml", PLAN)


def test_cli_dry_run_prints_the_moves_and_writes_nothing(run_cli, plan_file, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", "2024-09-25")
    code, out, err = run_cli("update", "autumn.yaml", "kv", "--planned-end", "2024-10-10", "--cascade",
                             "--reason", "客户返稿", "--dry-run")
    assert (code, err) == (0, "")
    assert plan_file.read_text("utf-8") == PLAN
    assert out.splitlines()[:3] == [
        "autumn.yaml (dry run, nothing written): would re-plan Key visual (kv): planned start 2024-09-23, "
        "planned end 2024-09-27 → 2024-10-10 (+5 working days)",
        "reason: 客户返稿",
        "3 successors move with it:"]
    lines = out.splitlines()
    rows = [re.split(r"\s{2,}", line) for line in lines[5:8]]
    assert rows == [
        ["KOL brief (brief)", "2024-10-08 → 2024-10-14", "2024-10-09 → 2024-10-15", "+5 working days",
         "Key visual (finish-to-start +2 working days)"],
        ["Shoot (shoot)", "2024-10-08 → 2024-10-11", "2024-10-11 → 2024-10-15", "+3 working days", "Key visual"],
        ["Edit (edit)", "2024-10-10 → 2024-10-14", "2024-10-15 → 2024-10-18", "+3 working days",
         "Shoot (start-to-start +2 working days)"],
    ]
    assert lines[8:] == [
        "2 conflicts (not moved):",
        "- Translate (translate) has started: the new plan needs it to start on or after 2024-10-11 (planned "
        "2024-09-30, 4 working days later)",
        "- Launch (launch) is a fixed-date event on 2024-10-18 and does not move: the new plan lets it start "
        "2024-10-21 at the earliest, 1 working day late. Catch up, or re-plan the event itself; check reports "
        "event-at-risk from the forecasts",
    ]


def test_cli_without_cascade_names_the_broken_successors_and_the_command(run_cli, plan_file, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", "2024-09-25")
    code, out, err = run_cli("update", "autumn.yaml", "kv", "--planned-end", "2024-10-10", "--lang", "zh-CN")
    assert (code, err) == (0, "")
    assert plan_file.read_text("utf-8") == PLAN.replace("end: 2024-09-27}", "end: 2024-10-10}")
    assert out.splitlines() == [
        "autumn.yaml：已改期 Key visual（kv）：计划开始 2024-09-23，计划结束 2024-09-27 → 2024-10-10（+5 个工作日）",
        "1 个冲突（未移动）：",
        "- Translate（translate）已开始：按新计划应在 2024-10-11 或之后开始（计划 2024-09-30，晚 4 个工作日）",
        "这次改期打乱了 2 个后续任务的计划：",
        "- KOL brief（brief）计划 2024-10-08 开始，但最早只能 2024-10-14 开始（晚 5 个工作日）",
        "- Shoot（shoot）计划 2024-10-08 开始，但最早只能 2024-10-11 开始（晚 3 个工作日）",
        "一并顺延它们（及其后续任务）：ptrack update autumn.yaml kv --planned-end 2024-10-10 --cascade"
        "（加 --dry-run 可先只看不写）",
    ]
    # the command it names does the rest: kv already ends 10/10, its successors move now
    code, out, _ = run_cli("update", "autumn.yaml", "kv", "--planned-end", "2024-10-10", "--cascade")
    assert code == 0 and out.splitlines()[:2] == [
        "autumn.yaml: re-planned Key visual (kv): planned start 2024-09-23, planned end 2024-10-10 (dates as they were)",
        "3 successors move with it:"]
    text = plan_file.read_text("utf-8")
    assert "planned: {start: 2024-10-14, end: 2024-10-18}" in text  # edit


@pytest.mark.parametrize("args, message", [
    (("--cascade",), "--cascade and --reason go with --planned-start or --planned-end"),
    (("--planned-end", "2024-10-10", "--progress", "20"), "re-plan a task (--planned-start, --planned-end) in an update"),
    (("--planned-end", "2024-10-32"), '--planned-end: "2024-10-32" is not a date; write YYYY-MM-DD'),
])
def test_cli_usage_errors(run_cli, plan_file, args, message):
    code, out, err = run_cli("update", "autumn.yaml", "kv", *args)
    assert code == 2 and message in err and plan_file.read_text("utf-8") == PLAN


def test_status_json_of_the_new_plan_has_the_reason(run_cli, plan_file, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", "2024-09-25")
    run_cli("update", "autumn.yaml", "shoot", "--planned-end", "2024-10-12", "--reason", "场地")
    code, out, _ = run_cli("status", "autumn.yaml", "--format", "json")
    shoot = next(t for t in json.loads(out)["campaigns"][0]["tasks"] if t["id"] == "shoot")
    assert (shoot["planned_end"], shoot["planned_reason"]) == ("2024-10-12", "场地")


def test_cli_dry_run_of_any_update(run_cli, plan_file):
    code, out, err = run_cli("update", "autumn.yaml", "shoot", "--progress", "30", "--dry-run")
    assert (code, err) == (0, "")
    assert out == "autumn.yaml: task shoot: progress 30\n(dry run: nothing written)\n"
    assert plan_file.read_text("utf-8") == PLAN


def test_cli_a_date_past_what_a_calendar_counts_is_an_error_not_a_traceback(run_cli, plan_file, monkeypatch):
    # kv's successors start working days after its end: after 9999-12-31, Python's last date
    monkeypatch.setenv("PTRACK_AS_OF", "2024-09-25")
    beyond = ("calendar CN: the working days to count run before the year 1 or after 9999; is a date far in the "
              "past or the future (9999-12-31)?")
    for cascade in ((), ("--cascade",)):
        code, out, err = run_cli("update", "autumn.yaml", "kv", "--planned-end", "9999-12-31", *cascade)
        assert (code, out, err) == (1, "", f"ptrack: error: autumn.yaml: {beyond}\n")
    assert plan_file.read_text("utf-8") == PLAN
    # the same date written in the file: check and status say so instead of crashing
    plan_file.write_text(PLAN.replace("end: 2024-09-27}", "end: 9999-12-31}"), encoding="utf-8")
    for command in ("check", "status"):
        code, out, err = run_cli(command, "autumn.yaml")
        assert (code, out, err) == (1, "", f"ptrack: error: {beyond}\n")
