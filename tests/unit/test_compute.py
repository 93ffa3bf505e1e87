"""Compute (DESIGN §4): every expected number is worked by hand in the comment next to it.

Campaigns are written as plain data and go through the real pipeline (YAML text -> validate ->
model); JSON is YAML, so ``json.dumps`` of a dict is a campaign file.
"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pytest

from ptrack.core.compute import Health, Status, compute_snapshot, planned_curve, round1
from ptrack.core.validate import load_campaign
from tests.helpers import campaign_from_yaml

D = date.fromisoformat
ROOT = Path(__file__).resolve().parents[2]


def T(tid: str, start: str, end: str, **fields) -> dict:
    """One task, planned start..end; other fields as in the file."""
    return {"id": tid, "name": fields.pop("name", tid.upper()), "planned": {"start": start, "end": end},
            **fields}


def campaign(*tasks: dict, calendar: str = "none", start: str = "2024-03-01", end: str = "2024-03-31",
             **top):
    doc = {"ptrack": 1,
           "campaign": {"id": "c", "name": "C", "start": start, "end": end, "calendar": calendar},
           "tasks": list(tasks), **top}
    return campaign_from_yaml(json.dumps(doc, ensure_ascii=False))


def snap(c, as_of: str):
    return compute_snapshot(c, as_of=D(as_of))


SEED = T("poster-draft", "2024-03-01", "2024-03-05", name="海报设计初稿",
         actual={"start": "2024-03-01"}, progress=15, budget={"planned": 20000, "spent": 8000})


# -- planned progress ------------------------------------------------------------------------------

def test_seed_row_calendar_none():
    ts = snap(campaign(SEED), "2024-03-01").task("poster-draft")
    assert ts.planned_progress == 20.0  # NWD(3/1, 3/1) / NWD(3/1, 3/5) = 1 / 5
    assert ts.actual_progress == 15.0  # progress: 15
    assert ts.deviation == -5.0  # 15 - 20
    assert ts.status is Status.IN_PROGRESS  # started 3/1, not done, D <= planned end
    assert ts.health is Health.GREEN  # 5 points behind, not past deviation_warn 10
    assert ts.days_behind == 0  # elapsed 1 - earned 0.15 x 5 = 0.75 -> 0.25 -> 0 whole days
    assert ts.planned_days == 5 and ts.weight == 5.0


def test_seed_row_under_weekends():
    ts = snap(campaign(SEED, calendar="weekends"), "2024-03-01").task("poster-draft")
    # Fri 3/1, (Sat, Sun), Mon 3/4, Tue 3/5: NWD = 3; 100 x 1 / 3 = 33.33 -> 33.3
    assert ts.planned_progress == 33.3
    assert ts.deviation == -18.3  # 15 - 33.3
    assert ts.days_behind == 0  # 1 - 0.15 x 3 = 0.55 -> 0
    # 18.3 points behind is past deviation_warn 10, but the task is 0 working days behind, fewer
    # than min_days_behind 2: a 3-day task on its first day is not amber
    assert ts.health is Health.GREEN and not ts.focus
    assert ts.planned_days == 3
    # without the threshold (min_days_behind: 0) the points alone make it amber: past 10, not past 20
    ts = snap(campaign(SEED, calendar="weekends", policy={"min_days_behind": 0}), "2024-03-01").task("poster-draft")
    assert ts.health is Health.AMBER and ts.focus


def test_task_across_spring_festival_2025_under_cn():
    c = campaign(T("a", "2025-01-20", "2025-02-12", actual={"start": "2025-01-20"}, progress=40),
                 calendar="CN", start="2025-01-20", end="2025-02-28")
    # NWD(1/20, 2/12) = 5 (1/20-24) + 1 (Sun 1/26 调休) + 1 (1/27) + 3 (2/5-7) + 1 (Sat 2/8 调休)
    #                   + 3 (2/10-12) = 14
    ts = snap(c, "2025-01-27").task("a")
    assert ts.planned_progress == 50.0  # 7 / 14
    assert ts.planned_days == 14
    # the festival adds nothing: on 2/4 the plan is still 7 / 14
    assert snap(c, "2025-02-04").task("a").planned_progress == 50.0
    ts = snap(c, "2025-02-05").task("a")
    assert ts.planned_progress == 57.1  # 8 / 14 = 57.14
    assert ts.deviation == -17.1  # 40 - 57.1
    assert ts.days_behind == 2  # elapsed 8 - earned 0.40 x 14 = 5.6 -> 2.4 -> 2
    # Sat 2/8 is a working day: 7 + 3 (2/5-7) + 1 = 11 / 14 = 78.57 -> 78.6; Sun 2/9 is not
    assert snap(c, "2025-02-07").task("a").planned_progress == 71.4  # 10 / 14 = 71.43
    assert snap(c, "2025-02-08").task("a").planned_progress == 78.6
    assert snap(c, "2025-02-09").task("a").planned_progress == 78.6


def test_before_start_and_after_end():
    c = campaign(T("a", "2024-03-04", "2024-03-08"))
    assert snap(c, "2024-03-03").task("a").planned_progress == 0.0  # before start
    assert snap(c, "2024-03-04").task("a").planned_progress == 20.0  # first day: 1 / 5
    assert snap(c, "2024-03-08").task("a").planned_progress == 100.0  # D is the end of the last day
    assert snap(c, "2024-03-20").task("a").planned_progress == 100.0  # after end


def test_weekend_only_task_falls_back_to_calendar_days():
    c = campaign(T("a", "2024-03-02", "2024-03-03"), calendar="weekends")  # Sat, Sun
    ts = snap(c, "2024-03-02").task("a")
    assert ts.planned_progress == 50.0  # no working day: 1 calendar day of 2
    assert ts.planned_days == 2  # calendar days
    assert ts.days_behind == 1  # elapsed 1 calendar day - earned 0
    assert snap(c, "2024-03-03").task("a").planned_progress == 100.0


# -- actual progress ----------------------------------------------------------------------------

@pytest.mark.parametrize("fields, actual", [
    # actual.end wins over everything (quantity says 2/10)
    ({"actual": {"start": "2024-03-01", "end": "2024-03-04"}, "quantity": {"done": 2, "total": 10}}, 100.0),
    # progress wins over quantity and deliverables
    ({"progress": 30, "quantity": {"done": 2, "total": 10},
      "deliverables": [{"name": "x", "done": True}]}, 30.0),
    # quantity wins over deliverables: 1 / 4 = 25
    ({"quantity": {"done": 1, "total": 4}, "deliverables": [{"name": "x", "done": True}]}, 25.0),
    # deliverables: 1 of 3 done = 33.33 -> 33.3
    ({"deliverables": [{"name": "x", "done": True}, {"name": "y"}, {"name": "z", "done": False}]}, 33.3),
    # nothing reported: 0
    ({}, 0.0),
    # actual.end after D: not done yet, the next source counts (quantity 3 / 10 = 30)
    ({"actual": {"start": "2024-03-01", "end": "2024-03-09"}, "quantity": {"done": 3, "total": 10}}, 30.0),
])
def test_actual_progress_precedence(fields, actual):
    c = campaign(T("a", "2024-03-01", "2024-03-10", **fields))
    assert snap(c, "2024-03-05").task("a").actual_progress == actual


def test_actual_end_counts_once_reached():
    c = campaign(T("a", "2024-03-01", "2024-03-10", actual={"start": "2024-03-01", "end": "2024-03-09"}))
    assert snap(c, "2024-03-08").task("a").status is Status.IN_PROGRESS  # end 3/9 is after D
    ts = snap(c, "2024-03-09").task("a")
    assert (ts.actual_progress, ts.status) == (100.0, Status.DONE)


# -- status and health ---------------------------------------------------------------------------

def test_each_status():
    c = campaign(
        T("not-started", "2024-03-04", "2024-03-10"),
        T("future-start", "2024-03-01", "2024-03-10", actual={"start": "2024-03-06"}),
        T("started", "2024-03-01", "2024-03-10", actual={"start": "2024-03-01"}),
        T("progress-only", "2024-03-01", "2024-03-10", progress=5),
        T("done", "2024-03-01", "2024-03-10", actual={"start": "2024-03-01", "end": "2024-03-04"}),
        T("done-by-progress", "2024-03-01", "2024-03-10", progress=100),
        T("delayed", "2024-03-01", "2024-03-04", progress=80),
        T("cancelled", "2024-03-01", "2024-03-04", status="cancelled"),
        T("on-hold", "2024-03-01", "2024-03-04", status="on_hold", progress=10),
    )
    s = snap(c, "2024-03-05")
    assert {ts.task.id: ts.status for ts in s.tasks} == {
        "not-started": Status.NOT_STARTED,
        "future-start": Status.NOT_STARTED,  # actual.start 3/6 is after D
        "started": Status.IN_PROGRESS,  # actual.start, progress 0
        "progress-only": Status.IN_PROGRESS,  # no actual.start but progress > 0
        "done": Status.DONE,
        "done-by-progress": Status.DONE,
        "delayed": Status.DELAYED,  # D 3/5 > planned end 3/4, 80 < 100
        "cancelled": Status.CANCELLED,  # declared, although past its end
        "on-hold": Status.ON_HOLD,
    }
    assert s.task("delayed").health is Health.RED  # delayed is red whatever the deviation
    assert s.task("done").health is Health.GREEN
    # cancelled and on hold are decisions: grey, never judged; a cancelled task has no deviation
    assert s.task("cancelled").health is Health.GREY and s.task("cancelled").deviation is None
    assert s.task("on-hold").health is Health.GREY
    assert s.task("on-hold").deviation == -90.0  # 10 - 100: shown, in grey
    # the focus list is the points behind (deviation-behind): "delayed" is 20 points behind but
    # 5 - 0.8 x 4 = 1.2 -> 1 working day, under min_days_behind; it is red and task-overdue says so
    assert not s.task("on-hold").focus and not s.task("delayed").focus


@pytest.mark.parametrize("progress, deviation, behind, health", [
    # a 10-day task as of its 5th day: planned 50 %; behind = 5 - progress% x 10 working days
    (40, -10.0, 1, Health.GREEN),  # 40 - 50: exactly deviation_warn is not past it
    (39, -11.0, 1, Health.GREEN),  # past 10 points, but 5 - 3.9 = 1.1 -> 1 day: under min_days_behind 2
    (30, -20.0, 2, Health.AMBER),  # 2 days behind; exactly deviation_fail is not past it
    (29, -21.0, 2, Health.RED),  # past 20, 5 - 2.9 = 2.1 -> 2 days
    (60, 10.0, -1, Health.GREEN),  # ahead
])
def test_health_thresholds(progress, deviation, behind, health):
    c = campaign(T("a", "2024-03-01", "2024-03-10", progress=progress))
    ts = snap(c, "2024-03-05").task("a")
    assert ts.planned_progress == 50.0  # 5 / 10 days
    assert ts.deviation == deviation
    assert ts.days_behind == behind
    assert ts.health is health
    assert ts.focus is (health is not Health.GREEN)


def test_health_thresholds_follow_the_policy():
    c = campaign(T("a", "2024-03-01", "2024-03-10", progress=44),
                 policy={"deviation_warn": 5, "deviation_fail": 8, "min_days_behind": 0})
    # 44 - 50 = -6: past warn 5, not past fail 8; 5 - 4.4 = 0.6 -> 0 days, and min_days_behind is 0
    assert snap(c, "2024-03-05").task("a").health is Health.AMBER


def test_short_task_threshold():
    # The case: a 6-day task (calendar none, 3/1..3/6) that starts one day late. As of
    # 3/2 it has done 1 day's work of 6 (16.7 %) against 2 days planned (33.3 %): 16.7 - 33.3 =
    # -16.6 points; on 3/3, 2 of 6 (33.3 %) against 3 of 6 (50 %): -16.7 points.
    one_day_late = T("short", "2024-03-01", "2024-03-06", actual={"start": "2024-03-02"})
    for as_of, progress, deviation in (("2024-03-02", 16.7, -16.6), ("2024-03-03", 33.3, -16.7)):
        ts = snap(campaign({**one_day_late, "progress": progress}), as_of).task("short")
        assert ts.deviation == deviation
        assert ts.days_behind == 1  # e.g. 3/3: elapsed 3 - 0.333 x 6 = 3 - 2.0 = 1
        assert ts.health is Health.GREEN and not ts.focus  # 1 day < min_days_behind 2
    # The same -16.7 with deviation_warn 10 on a 6-day task is one day; on a 40-day task a point
    # is 0.4 days: 25 points behind is 10 days (as of its 20th day, planned 50 %, actual 25 %:
    # 20 - 0.25 x 40 = 10): red, past deviation_fail 20 and at least 2 days behind.
    long = T("long", "2024-03-01", "2024-04-09", progress=25)
    ts = snap(campaign(long, end="2024-04-30"), "2024-03-20").task("long")
    assert (ts.planned_progress, ts.deviation, ts.days_behind) == (50.0, -25.0, 10)
    assert ts.health is Health.RED and ts.focus
    # min_days_behind is the policy's: 1 makes the short task amber again (16.7 > 10, not > 20)
    c = campaign({**one_day_late, "progress": 33.3}, policy={"min_days_behind": 1})
    assert snap(c, "2024-03-03").task("short").health is Health.AMBER


# -- earned schedule -------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of, progress, behind", [
    ("2024-03-05", 20, 3),  # elapsed 5 - earned 0.20 x 10 = 2 -> 3
    ("2024-03-05", 50, 0),  # 5 - 5
    ("2024-03-05", 72, -2),  # 5 - 7.2 = -2.2 -> -2 (ahead; whole days toward zero)
    ("2024-03-02", 100 - 1, -7),  # 2 - 9.9 = -7.9 -> -7
    ("2024-03-12", 75, 4),  # after the planned end: elapsed 12 - 7.5 = 4.5 -> 4
    ("2024-02-28", 0, 0),  # before the start: 0 - 0
])
def test_days_behind_calendar_none(as_of, progress, behind):
    c = campaign(T("a", "2024-03-01", "2024-03-10", progress=progress), start="2024-02-01")
    assert snap(c, as_of).task("a").days_behind == behind


def test_days_behind_counts_working_days_after_the_end():
    # Mon 3/4 .. Fri 3/15 under weekends: 10 working days; D Mon 3/18
    c = campaign(T("a", "2024-03-04", "2024-03-15", progress=75), calendar="weekends")
    # elapsed NWD(3/4, 3/18) = 11; earned 0.75 x 10 = 7.5; 11 - 7.5 = 3.5 -> 3
    assert snap(c, "2024-03-18").task("a").days_behind == 3


def test_days_behind_is_zero_when_done():
    c = campaign(T("a", "2024-03-01", "2024-03-10", actual={"start": "2024-03-01", "end": "2024-03-12"}))
    assert snap(c, "2024-03-12").task("a").days_behind == 0


# -- forecast ----------------------------------------------------------------------------------------

FORECAST_TASKS = (
    T("a", "2024-03-01", "2024-03-10", actual={"start": "2024-03-01"}, progress=20),
    T("b", "2024-03-11", "2024-03-15", depends_on=["a"]),
    T("c", "2024-03-20", "2024-03-22"),
    T("d", "2024-03-01", "2024-03-03", actual={"start": "2024-03-01", "end": "2024-03-03"}),
)


def test_forecast_by_earned_schedule_and_pushed_successor():
    s = snap(campaign(*FORECAST_TASKS), "2024-03-04")
    # a (10 days) is 20 % done: the plan reached 20 % on day ES = 0.2 x 10 = 2; the 10 - 2 = 8
    # days left run at the planned pace from D 3/4: 3/5 .. 3/12
    a = s.task("a")
    assert a.forecast_finish == D("2024-03-12") and a.forecast_method == "schedule"
    # b (not started, 5 planned days) cannot start before a finishes: 3/13 .. 3/17
    assert s.task("b").forecast_finish == D("2024-03-17") and s.task("b").forecast_method == "plan"
    # c: not started, nothing in its way: its plan, 3/20 .. 3/22
    assert s.task("c").forecast_finish == D("2024-03-22")
    # d: done on 3/3
    assert s.task("d").forecast_finish == D("2024-03-03") and s.task("d").forecast_method == "actual"
    # the campaign finishes with its latest task, c; its driver and method are named
    assert s.forecast_finish == D("2024-03-22")
    assert (s.forecast_driver, s.forecast_method) == ("c", "plan")


def test_forecast_at_own_pace_with_policy_forecast_pace():
    s = snap(campaign(*FORECAST_TASKS, policy={"forecast": "pace"}), "2024-03-04")
    # a: 20 points in NWD(3/1, 3/4) = 4 days -> 5 points a day; 80 left -> 16 days after 3/4 = 3/20
    assert s.task("a").forecast_finish == D("2024-03-20") and s.task("a").forecast_method == "pace"
    # b cannot start before a finishes: 3/21 + 4 = 3/25, the campaign's forecast, set by b
    assert s.task("b").forecast_finish == D("2024-03-25")
    assert (s.forecast_finish, s.forecast_driver, s.forecast_method) == (D("2024-03-25"), "b", "plan")


def test_forecast_not_started_task_past_its_start_begins_tomorrow():
    c = campaign(T("a", "2024-03-01", "2024-03-03"))  # 3 days, planned start passed
    # start 3/6 (the day after D), 3 days: 3/8
    assert snap(c, "2024-03-05").task("a").forecast_finish == D("2024-03-08")


def test_forecast_on_working_days():
    # under weekends: started Mon 3/4, 30% by Wed 3/6 (3 working days) -> 10 points a day;
    # 70 left -> 7 working days after Wed 3/6: 3/7, 3/8, 3/11, 3/12, 3/13, 3/14, 3/15
    c = campaign(T("a", "2024-03-04", "2024-03-15", actual={"start": "2024-03-04"}, progress=30),
                 calendar="weekends")
    assert snap(c, "2024-03-06").task("a").forecast_finish == D("2024-03-15")


# -- roll-ups -------------------------------------------------------------------------------------------

def test_campaign_rollup_weighted_by_planned_working_days():
    c = campaign(T("a", "2024-03-01", "2024-03-02", progress=50),  # 2 days
                 T("b", "2024-03-01", "2024-03-08"))  # 8 days
    s = snap(c, "2024-03-02")
    assert s.task("a").planned_progress == 100.0 and s.task("b").planned_progress == 25.0  # 2 / 8
    # planned (2 x 100 + 8 x 25) / 10 = 40 (the unweighted mean would be 62.5)
    assert s.planned_progress == 40.0
    # actual (2 x 50 + 8 x 0) / 10 = 10 (unweighted: 25)
    assert s.actual_progress == 10.0
    assert s.deviation == -30.0


def test_campaign_rollup_weighted_by_explicit_weight():
    c = campaign(T("a", "2024-03-01", "2024-03-02", progress=50, weight=8),
                 T("b", "2024-03-01", "2024-03-08", weight=2))
    s = snap(c, "2024-03-02")
    assert s.task("a").weight == 8.0
    assert s.planned_progress == 85.0  # (8 x 100 + 2 x 25) / 10
    assert s.actual_progress == 40.0  # (8 x 50 + 2 x 0) / 10


def test_groups_by_channel_with_two_channels_and_cancelled_left_out():
    c = campaign(
        T("a", "2024-03-01", "2024-03-02", progress=50, channels=["抖音", "小红书"], module="M1"),  # 2 days
        T("b", "2024-03-01", "2024-03-08", channels=["抖音"], module="M1"),  # 8 days
        T("c", "2024-03-01", "2024-03-04", progress=100, module="M2"),  # 4 days, no channel
        T("x", "2024-03-01", "2024-03-02", status="cancelled", channels=["抖音"], module="M1"),
    )
    s = snap(c, "2024-03-02")
    by_key = {g.key: g for g in s.groups["channel"]}
    assert [g.key for g in s.groups["channel"]] == ["小红书", "抖音", None]  # sorted, none last
    douyin = by_key["抖音"]
    assert douyin.task_ids == ("a", "b")  # x is cancelled: left out
    assert douyin.weight == 10.0  # 2 + 8
    assert douyin.planned_progress == 40.0  # (2 x 100 + 8 x 25) / 10
    assert douyin.actual_progress == 10.0  # (2 x 50) / 10
    assert douyin.deviation == -30.0
    assert douyin.health is Health.RED  # 30 behind: past 20
    assert dict(douyin.status_counts) == {"in_progress": 1, "not_started": 1}
    xhs = by_key["小红书"]
    assert (xhs.task_ids, xhs.planned_progress, xhs.actual_progress) == (("a",), 100.0, 50.0)
    # c: planned 2 / 4 = 50, actual 100
    assert (by_key[None].task_ids, by_key[None].planned_progress, by_key[None].actual_progress) == (("c",), 50.0, 100.0)
    m1 = {g.key: g for g in s.groups["module"]}["M1"]
    assert m1.task_ids == ("a", "b")
    # campaign: a, b, c (not x): planned (2 x 100 + 8 x 25 + 4 x 50) / 14 = 600 / 14 = 42.86 -> 42.9
    assert s.planned_progress == 42.9
    # actual (2 x 50 + 4 x 100) / 14 = 500 / 14 = 35.71 -> 35.7
    assert s.actual_progress == 35.7
    assert s.deviation == -7.2  # 35.7 - 42.9
    assert set(s.groups) == {"module", "department", "owner", "channel"}


def test_green_group_average_does_not_hide_a_red_task():
    c = campaign(T("a", "2024-03-01", "2024-03-04", progress=100, module="M"),  # 4 days, ahead
                 T("b", "2024-03-01", "2024-03-02", progress=10, module="M"))  # 2 days, delayed by D
    s = snap(c, "2024-03-03")
    assert s.task("b").health is Health.RED  # delayed
    g = s.groups["module"][0]
    # planned (4 x 75 + 2 x 100) / 6 = 83.3; actual (4 x 100 + 2 x 10) / 6 = 70 -> -13.3 amber
    assert (g.planned_progress, g.actual_progress, g.deviation, g.health) == (83.3, 70.0, -13.3, Health.AMBER)


# -- earned value ------------------------------------------------------------------------------------

def test_evm_for_a_task_and_summed_for_the_campaign():
    c = campaign(SEED, T("b", "2024-03-01", "2024-03-05", progress=30, budget={"planned": 10000, "spent": 2000}),
                 T("nobudget", "2024-03-01", "2024-03-05"))
    s = snap(c, "2024-03-01")
    e = s.task("poster-draft").evm
    assert e.bac == 20000.0  # budget.planned
    assert e.pv == 4000.0  # 20000 x 20%
    assert e.ev == 3000.0  # 20000 x 15%
    assert e.ac == 8000.0  # budget.spent
    assert e.spi == 0.75  # 3000 / 4000
    assert e.cpi == 0.375  # 3000 / 8000
    assert e.eac == 53333.33  # 20000 / 0.375
    b = s.task("b").evm
    # PV 10000 x 20% = 2000, EV 10000 x 30% = 3000, SPI 1.5, CPI 3000 / 2000 = 1.5, EAC 10000 / 1.5
    assert (b.pv, b.ev, b.ac, b.spi, b.cpi, b.eac) == (2000.0, 3000.0, 2000.0, 1.5, 1.5, 6666.67)
    assert s.task("nobudget").evm is None
    e = s.evm
    assert e.bac == 30000.0  # 20000 + 10000
    assert e.pv == 6000.0  # 4000 + 2000
    assert e.ev == 6000.0  # 3000 + 3000
    assert e.ac == 10000.0  # 8000 + 2000
    assert e.spi == 1.0  # 6000 / 6000
    assert e.cpi == 0.6  # 6000 / 10000
    assert e.eac == 50000.0  # 30000 / 0.6


def test_campaign_cpi_leaves_out_tasks_that_report_no_spending():
    c = campaign(SEED, T("nospend", "2024-03-01", "2024-03-05", progress=50, budget={"planned": 10000}))
    e = snap(c, "2024-03-01").evm
    assert e.ev == 8000.0  # 3000 (seed: 20000 x 15%) + 5000 (10000 x 50%)
    assert e.ac == 8000.0  # only the seed task reports spending
    # CPI compares the seed task's EV with its own cost: 3000 / 8000 = 0.375, not 8000 / 8000 = 1
    assert e.cpi == 0.375
    assert e.eac == 80000.0  # BAC 30000 / 0.375


def test_evm_without_spent_or_before_start():
    c = campaign(T("a", "2024-03-04", "2024-03-08", budget={"planned": 5000}))
    e = snap(c, "2024-03-01").task("a").evm
    # PV 0 before the start: no SPI; no spent: no AC, CPI, EAC
    assert (e.bac, e.pv, e.ev, e.ac, e.spi, e.cpi, e.eac) == (5000.0, 0.0, 0.0, None, None, None, None)


# -- goals -------------------------------------------------------------------------------------------

def _goal_campaign(*goals):
    return campaign(T("a", "2024-03-01", "2024-03-31"), goals=list(goals))


def test_cumulative_goal_pace_and_forecast():
    c = _goal_campaign({"id": "g", "name": "G", "kind": "cumulative", "target": 3100, "due": "2024-03-31",
                        "measurements": [{"date": "2024-03-05", "value": 500},
                                         {"date": "2024-03-20", "value": 5000},  # after D: ignored
                                         {"date": "2024-03-10", "value": 900}]})
    g = snap(c, "2024-03-10").goals[0]
    assert g.latest == 900.0 and g.latest_date == D("2024-03-10")  # 3/20 is after D
    # window 3/1 .. 3/31 = 31 days; elapsed 3/1 .. 3/10 = 10 (inclusive): 3100 x 10 / 31 = 1000
    assert g.expected == 1000.0
    assert g.status == "behind"  # 900 < 1000
    assert g.achievement == 29.0  # 900 / 3100 = 29.03%
    # least squares through (0, 0) [the day before the start], (5, 500), (10, 900):
    # mean x 5, mean y 466.67; Sxx = 25 + 0 + 25 = 50; Sxy = (-5)(-466.67) + 0 + 5 x 433.33 = 4500
    # slope 90; at the due date x = 31: 466.67 + 90 x 26 = 2806.67
    assert g.forecast == 2806.67


def test_cumulative_goal_on_track_achieved_and_no_data():
    base = {"id": "g", "name": "G", "kind": "cumulative", "target": 3100, "due": "2024-03-31"}
    g = snap(_goal_campaign({**base, "measurements": [{"date": "2024-03-10", "value": 1000}]}), "2024-03-10").goals[0]
    assert g.status == "on_track"  # exactly the expected 1000
    # one point plus (0, 0): slope 100 a day -> 3100 at x = 31
    assert g.forecast == 3100.0
    g = snap(_goal_campaign({**base, "measurements": [{"date": "2024-03-10", "value": 3200}]}), "2024-03-10").goals[0]
    assert (g.status, g.achievement) == ("achieved", 103.2)  # 3200 / 3100
    g = snap(_goal_campaign({**base, "measurements": [{"date": "2024-03-11", "value": 1}]}), "2024-03-10").goals[0]
    assert (g.status, g.latest, g.expected, g.forecast) == ("no_data", None, 1000.0, None)
    # after the due date the pace expects the whole target
    assert snap(_goal_campaign(base), "2024-04-15").goals[0].expected == 3100.0
    # with its own start 3/11: window 3/11 .. 3/31 = 21 days; by 3/20 10 days: 3100 x 10 / 21 = 1476.19
    g = snap(_goal_campaign({**base, "start": "2024-03-11"}), "2024-03-20").goals[0]
    assert g.expected == 1476.19


def test_level_goal():
    c = _goal_campaign({"id": "cr", "name": "转化率", "kind": "level", "target": 3, "unit": "%", "due": "2024-03-31",
                        "measurements": [{"date": "2024-03-05", "value": 1.8}, {"date": "2024-03-10", "value": 2.4}]})
    g = snap(c, "2024-03-10").goals[0]
    assert g.latest == 2.4
    assert g.achievement == 80.0  # 2.4 / 3
    assert g.expected is None  # a level has no pace
    assert g.status == "behind"
    # line through (5, 1.8), (10, 2.4): slope 0.12 a day; mean (7.5, 2.1); at x = 31: 2.1 + 0.12 x 23.5 = 4.92
    assert g.forecast == 4.92
    g = snap(c, "2024-03-05").goals[0]  # one point: the forecast is that value
    assert (g.latest, g.forecast) == (1.8, 1.8)


def test_goal_direction_decrease():
    c = _goal_campaign({"id": "cpl", "name": "获客成本", "kind": "level", "direction": "decrease", "target": 50,
                        "due": "2024-03-31",
                        "measurements": [{"date": "2024-03-05", "value": 80}, {"date": "2024-03-10", "value": 40}]})
    g = snap(c, "2024-03-05").goals[0]
    assert g.achievement == 62.5  # lower is better: 50 / 80
    assert g.status == "behind"  # 80 > 50
    g = snap(c, "2024-03-10").goals[0]
    assert (g.achievement, g.status) == (125.0, "achieved")  # 50 / 40; 40 <= 50


# -- milestones and risks ------------------------------------------------------------------------------

def test_milestone_states():
    c = campaign(T("a", "2024-03-01", "2024-03-31"), milestones=[
        {"id": "on-time", "name": "A", "date": "2024-03-10", "achieved": "2024-03-10"},
        {"id": "early", "name": "B", "date": "2024-03-10", "achieved": "2024-03-08"},
        {"id": "late", "name": "C", "date": "2024-03-10", "achieved": "2024-03-13"},
        {"id": "missed", "name": "D", "date": "2024-03-10"},
        {"id": "achieved-after-d", "name": "E", "date": "2024-03-10", "achieved": "2024-03-16"},
        {"id": "upcoming", "name": "F", "date": "2024-03-22"},
        {"id": "today", "name": "G", "date": "2024-03-14"},
    ])
    ms = {m.milestone.id: (m.state, m.days_late, m.days_until) for m in snap(c, "2024-03-14").milestones}
    assert ms == {
        "on-time": ("achieved_on_time", 0, 0),
        "early": ("achieved_on_time", 0, 0),
        "late": ("achieved_late", 3, 0),  # 3/13 - 3/10
        "missed": ("missed", 4, 0),  # 3/14 - 3/10, not achieved
        "achieved-after-d": ("missed", 4, 0),  # achieved 3/16 is after D
        "upcoming": ("upcoming", 0, 8),  # 3/22 - 3/14
        "today": ("upcoming", 0, 0),  # D is the end of the day: not missed yet
    }


def test_risk_states():
    risk = {"issue": "r", "due": "2024-03-10"}
    c = campaign(T("a", "2024-03-01", "2024-03-31", risks=[
        {**risk, "id": "overdue"},
        {**risk, "id": "resolved-later", "resolved": "2024-03-15"},
        {**risk, "id": "resolved-before", "resolved": "2024-03-11"},
        {**risk, "id": "resolved-flag", "resolved": True},
        {"issue": "r", "id": "soon", "due": "2024-03-15"},
        {"issue": "r", "id": "not-soon", "due": "2024-03-16"},
        {"issue": "r", "id": "due-today", "due": "2024-03-12"},
        {"issue": "r", "id": "no-due"},
    ]), risks=[{"id": "campaign-level", "issue": "c", "due": "2024-03-11"}])
    s = snap(c, "2024-03-12")
    rs = {r.risk.id: (r.state, r.due_soon, r.days_overdue) for r in s.risks}
    assert rs == {
        "campaign-level": ("overdue", False, 1),  # 3/12 - 3/11
        "overdue": ("overdue", False, 2),  # open and 3/12 > 3/10
        "resolved-later": ("overdue", False, 2),  # resolved 3/15 is after D: still open
        "resolved-before": ("resolved", False, 0),
        "resolved-flag": ("resolved", False, 0),
        "soon": ("open", True, 0),  # 3/15 - 3/12 = 3 <= due_soon_days 3
        "not-soon": ("open", False, 0),  # 4 days
        "due-today": ("open", True, 0),  # due the end of today: not overdue
        "no-due": ("open", False, 0),
    }
    assert [r.risk.id for r in s.risks][0] == "campaign-level"  # campaign-level risks first
    assert len(s.task("a").risks) == 8


# -- the campaign ------------------------------------------------------------------------------------

def _two_tasks(**kw):
    # a: 3/1 .. 3/4 (4 days); b: 3/3 .. 3/8 (6 days); campaign 3/1 .. 3/10; calendar none
    return campaign(T("a", "2024-03-01", "2024-03-04", **kw.pop("a", {})),
                    T("b", "2024-03-03", "2024-03-08", **kw.pop("b", {})), end="2024-03-10", **kw)


def test_planned_curve():
    curve = planned_curve(_two_tasks())
    # weight 10 in all; each day adds 1 per running task (a: 4 / 4 days, b: 6 / 6 days):
    # 3/1: 1 -> 10%; 3/2: 2 -> 20%; 3/3: 2 + 2 = 4 -> 40%; 3/4: 6 -> 60%; 3/5: 7; 3/6: 8; 3/7: 9;
    # 3/8: 10 -> 100%; then flat to the campaign end 3/10
    expected = [10, 20, 40, 60, 70, 80, 90, 100, 100, 100]
    assert [d for d, _ in curve] == [date(2024, 3, i) for i in range(1, 11)]
    assert [v for _, v in curve] == pytest.approx(expected)
    # asked for days outside the window: 0 before, 100 after
    assert planned_curve(_two_tasks(), [D("2024-02-28"), D("2024-03-04"), D("2024-04-01")]) == [
        (D("2024-02-28"), 0.0), (D("2024-03-04"), pytest.approx(60.0)), (D("2024-04-01"), 100.0)]


def test_planned_curve_leaves_out_cancelled_and_uses_weights():
    c = campaign(
        T("a", "2024-03-01", "2024-03-04", weight=6), T("b", "2024-03-03", "2024-03-08", weight=4),
        T("x", "2024-03-01", "2024-03-10", status="cancelled"), end="2024-03-10")
    curve = dict(planned_curve(c))
    # a adds 6 / 4 = 1.5 a day, b 4 / 6 a day; by 3/3: 3 x 1.5 + 0.667 = 5.167 of 10 -> 51.67%
    assert curve[D("2024-03-03")] == pytest.approx(51.6667, abs=1e-3)
    assert curve[D("2024-03-08")] == pytest.approx(100.0)


def test_campaign_status_health_days_behind():
    c = _two_tasks(a={"actual": {"start": "2024-03-01"}, "progress": 50})
    s = snap(c, "2024-03-04")
    # a: planned 100, actual 50; b: planned 2 / 6 = 33.3, actual 0
    # planned (4 x 100 + 6 x 33.3) / 10 = 59.98 -> 60.0; actual (4 x 50) / 10 = 20
    assert (s.planned_progress, s.actual_progress, s.deviation) == (60.0, 20.0, -40.0)
    assert s.status is Status.IN_PROGRESS
    assert s.health is Health.RED  # 40 behind: past 20
    # the S-curve first reached 20% on 3/2; working days after it up to D: 3/3, 3/4 -> 2
    assert s.days_behind == 2


def test_campaign_days_behind_with_nothing_done():
    # campaign 3/1 .. 3/31; its only task 3/10 .. 3/20 (11 days); nothing done
    c = campaign(T("a", "2024-03-10", "2024-03-20"))
    # 3/5: the plan is still at 0 -> not behind (the days before planned work do not count)
    assert (snap(c, "2024-03-05").planned_progress, snap(c, "2024-03-05").days_behind) == (0.0, 0)
    # 3/12: the plan started 3/10: 3/10, 3/11, 3/12 -> 3 behind, as the task says (3 - 0)
    s = snap(c, "2024-03-12")
    assert (s.days_behind, s.task("a").days_behind) == (3, 3)


def test_campaign_days_behind_ahead():
    c = _two_tasks(a={"actual": {"start": "2024-03-01"}, "progress": 100}, b={"progress": 50})
    s = snap(c, "2024-03-02")
    # planned (4 x 50 + 6 x 0) / 10 = 20; actual (4 x 100 + 6 x 50) / 10 = 70
    assert (s.planned_progress, s.actual_progress) == (20.0, 70.0)
    # the S-curve first reaches 70% on 3/5; counted from D: 3/3, 3/4, 3/5 -> 3 ahead
    assert s.days_behind == -3
    assert s.health is Health.GREEN


def test_campaign_status_not_started_done_delayed():
    c = _two_tasks()
    s = snap(c, "2024-02-28")
    # before anything is planned and nothing done: on plan, not "2 days ahead"
    assert (s.status, s.planned_progress, s.days_behind) == (Status.NOT_STARTED, 0.0, 0)
    done = {"actual": {"start": "2024-03-01", "end": "2024-03-08"}}
    s = snap(_two_tasks(a=done, b=done), "2024-03-09")
    assert (s.status, s.health, s.actual_progress, s.days_behind) == (Status.DONE, Health.GREEN, 100.0, 0)
    s = snap(_two_tasks(a=done), "2024-03-11")  # after the campaign end, b not done
    assert (s.status, s.health) == (Status.DELAYED, Health.RED)


def test_campaign_health_raised_by_missed_milestone_red_task_or_overdue_risk():
    ok = {"progress": 100}
    # both tasks on plan as of 3/4 (a planned 100, b planned 33.3) -> the campaign alone is green
    s = snap(_two_tasks(a=ok, b={"progress": 40}), "2024-03-04")
    assert s.health is Health.GREEN
    s = snap(_two_tasks(a=ok, b={"progress": 40},
                        milestones=[{"id": "m", "name": "M", "date": "2024-03-03"}]), "2024-03-04")
    assert s.health is Health.RED  # a missed milestone makes the campaign red
    s = snap(_two_tasks(a=ok, b={"progress": 40}, risks=[{"issue": "r", "due": "2024-03-03"}]), "2024-03-04")
    assert s.health is Health.AMBER  # an overdue risk: at least amber
    # a red task (c: 3/1 .. 3/2, delayed) in a campaign that is ahead on average: amber
    c = campaign(T("a", "2024-03-01", "2024-03-04", progress=100), T("b", "2024-03-03", "2024-03-08", progress=100),
                 T("c", "2024-03-01", "2024-03-02", progress=90), end="2024-03-10")
    s = snap(c, "2024-03-04")
    assert s.task("c").health is Health.RED
    assert s.deviation > 0 and s.health is Health.AMBER


def test_cancelled_tasks_are_left_out_of_the_campaign():
    c = campaign(T("a", "2024-03-01", "2024-03-10", progress=50),
                 T("x", "2024-03-01", "2024-03-10", status="cancelled"))
    s = snap(c, "2024-03-05")
    assert (s.planned_progress, s.actual_progress) == (50.0, 50.0)  # x (actual 0) would halve it


# -- round1 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("x, expected", [
    (0.25, 0.3),  # half away from zero (round() says 0.2)
    (-0.25, -0.3),
    (12.35, 12.4),  # 12.35 is 12.3499999... in binary; people still write 12.4
    (0.15, 0.2),
    (2.675, 2.7),
    (33.333, 33.3),
    (57.142857, 57.1),
    (99.95, 100.0),
    (-1.05, -1.1),
])
def test_round1_half_away_from_zero(x, expected):
    assert round1(x) == expected


def test_round1_never_gives_negative_zero():
    assert math.copysign(1, round1(-0.04)) == 1.0  # 0.0, not -0.0


# -- the bundled example -------------------------------------------------------------------------

def test_example_shows_every_status_and_health():
    result = load_campaign(ROOT / "examples" / "campaign.yaml")
    assert result.campaign is not None, [d.format_text() for d in result.diagnostics]
    s = compute_snapshot(result.campaign, as_of=D("2024-04-15"))
    assert {ts.status for ts in s.tasks} == set(Status)
    assert {ts.health for ts in s.tasks} == set(Health)
    assert s.status is Status.IN_PROGRESS
