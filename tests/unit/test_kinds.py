"""Kinds of work (ptrack.core.kinds): work, timebox and event across the 2024 National Day holiday.

Calendar CN, autumn 2024: National Day 10/1..10/7 is off; Sunday 9/29 and Saturday 10/12 are
make-up working days (调休). The working days from Thursday 9/26 on, numbered:

    1 Thu 9/26   2 Fri 9/27   3 Sun 9/29 (调休)   4 Mon 9/30   | 10/1..10/7 off |
    5 Tue 10/8   6 Wed 10/9   7 Thu 10/10   8 Fri 10/11   9 Sat 10/12 (调休)
   10 Mon 10/14 11 Tue 10/15 12 Wed 10/16 13 Thu 10/17 14 Fri 10/18 15 Mon 10/21 ...

Every expected number is worked by hand in the comment next to it.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from ptrack.core.calendars import get_calendar
from ptrack.core.compute import Health, Status, compute_snapshot
from ptrack.core.rules import run_rules
from ptrack.reporters import status_document
from tests.helpers import campaign_from_yaml

D = date.fromisoformat


def T(tid: str, start: str, end: str, **fields) -> dict:
    return {"id": tid, "name": fields.pop("name", tid.capitalize()), "planned": {"start": start, "end": end},
            **fields}


def campaign(*tasks: dict, **top):
    doc = {"ptrack": 1, "campaign": {"id": "n", "name": "国庆", "start": "2024-09-23", "end": "2024-10-31",
                                     "calendar": "CN", "locale": "en"},
           "tasks": list(tasks), **top}
    return campaign_from_yaml(json.dumps(doc, ensure_ascii=False))


def snap(c, as_of: str):
    return compute_snapshot(c, as_of=D(as_of))


def test_the_calendar_these_tests_count_on():
    cal = get_calendar("CN")
    assert cal.is_working_day(D("2024-09-29")) and cal.is_working_day(D("2024-10-12"))
    assert not any(cal.is_working_day(D(f"2024-10-0{d}")) for d in range(1, 8))
    assert cal.count(D("2024-09-26"), D("2024-10-15")) == 11


# -- timebox: planned 9/26 .. 10/15, 11 working days (1 .. 11) -------------------------------------

FLIGHT = dict(kind="timebox")


def test_timebox_started_on_time_is_on_plan_without_any_progress_typed():
    c = campaign(T("ads", "2024-09-26", "2024-10-15", actual={"start": "2024-09-26"}, **FLIGHT))
    ts = snap(c, "2024-10-08").task("ads")
    # planned: working days 1..5 of 11 = 45.45 -> 45.5; actual: elapsed since its actual start,
    # the same 5 of 11 -> 45.5; no progress was typed
    assert (ts.planned_progress, ts.actual_progress, ts.deviation, ts.days_behind) == (45.5, 45.5, 0.0, 0)
    assert ts.status is Status.IN_PROGRESS and ts.health is Health.GREEN
    # its forecast is its window: planned end 10/15, no start slip
    assert (ts.forecast_finish, ts.forecast_method) == (D("2024-10-15"), "window")
    # during the holiday nothing moves: as of 10/5 both still stand at 4 of 11 = 36.4
    ts = snap(c, "2024-10-05").task("ads")
    assert (ts.planned_progress, ts.actual_progress) == (36.4, 36.4)


def test_timebox_that_started_two_working_days_late_is_two_days_behind():
    # started Sunday 9/29 (the 调休 day, working day 3) instead of Thursday 9/26 (day 1)
    c = campaign(T("ads", "2024-09-26", "2024-10-15", actual={"start": "2024-09-29"}, **FLIGHT))
    ts = snap(c, "2024-10-08").task("ads")
    # elapsed since 9/29: days 3, 4, 5 = 3 of 11 = 27.27 -> 27.3; planned 45.5; 27.3 - 45.5 = -18.2
    assert (ts.actual_progress, ts.deviation) == (27.3, -18.2)
    # earned 27.3 % x 11 = 3.003 -> 3 days (the rounding of the shown % is not a day); 5 - 3 = 2
    assert ts.days_behind == 2
    # 18.2 points past deviation_warn 10 (not past 20), and 2 working days behind: amber
    assert ts.health is Health.AMBER and ts.focus
    # the window moves by the start slip, 2 working days: 10/15 -> 10/16, 10/17
    assert (ts.forecast_finish, ts.forecast_method) == (D("2024-10-17"), "window")


def test_timebox_with_a_quantity_counts_the_quantity_but_never_extrapolates_it():
    # a routine: 11 daily reports, 5 published by 10/8 (on plan); started two days late
    c = campaign(T("daily", "2024-09-26", "2024-10-15", actual={"start": "2024-09-29"},
                   quantity={"done": 5, "total": 11, "unit": "份"}, **FLIGHT))
    ts = snap(c, "2024-10-08").task("daily")
    assert (ts.actual_progress, ts.deviation, ts.days_behind) == (45.5, 0.0, 0)  # 5 / 11: the quantity wins
    # 5 done in 3 working days would extrapolate to 10/12; a timebox keeps its window (moved by
    # its start slip of 2 days): 10/17
    assert ts.forecast_finish == D("2024-10-17")


def test_timebox_not_started_is_at_zero_and_starts_tomorrow():
    c = campaign(T("ads", "2024-09-26", "2024-10-15", **FLIGHT))
    ts = snap(c, "2024-10-08").task("ads")
    # nothing recorded, no actual start: 0 against 45.5, 5 days behind: a late start, red
    assert (ts.actual_progress, ts.days_behind, ts.status, ts.health) == (0.0, 5, Status.NOT_STARTED, Health.RED)
    # 11 working days from 10/9: 10/9, 10, 11, 12, 14, 15, 16, 17, 18, 21, 22 -> 10/22
    # (the planned end 10/15 moved by the 5 working days of its late start)
    assert (ts.forecast_finish, ts.forecast_method) == (D("2024-10-22"), "plan")


def test_timebox_whose_window_has_passed_without_its_quantity_closes_tomorrow():
    c = campaign(T("daily", "2024-09-26", "2024-10-15", actual={"start": "2024-09-26"},
                   quantity={"done": 9, "total": 11}, **FLIGHT))
    ts = snap(c, "2024-10-16").task("daily")
    assert ts.status is Status.DELAYED and ts.health is Health.RED  # 81.8 %, past its planned end
    assert ts.forecast_finish == D("2024-10-17")  # the next working day after D 10/16


# -- work: the same window, deliverable work ------------------------------------------------------

def test_work_forecast_earned_schedule_against_pace():
    work = T("brief", "2024-09-26", "2024-10-15", actual={"start": "2024-09-26"}, progress=30)
    s = snap(campaign(work), "2024-10-08")
    ts = s.task("brief")
    # planned 45.5, actual 30: -15.5 points; earned 0.3 x 11 = 3.3 days, 5 - 3.3 = 1.7 -> 1 day:
    # under min_days_behind 2, so green although past deviation_warn
    assert (ts.deviation, ts.days_behind, ts.health) == (-15.5, 1, Health.GREEN)
    # earned schedule: 11 - 3.3 = 7.7 -> 8 working days after 10/8: 10/9, 10, 11, 12 (Sat 调休), 14,
    # 15, 16, 17 -> 10/17
    assert (ts.forecast_finish, ts.forecast_method) == (D("2024-10-17"), "schedule")
    # its own pace: 30 % in 5 working days = 6 a day, 70 left = 11.67 -> 12 days: ... 10/17, 18,
    # 21, 22, 23 -> 10/23
    ts = snap(campaign(work, policy={"forecast": "pace"}), "2024-10-08").task("brief")
    assert (ts.forecast_finish, ts.forecast_method) == (D("2024-10-23"), "pace")


def test_work_without_progress_is_zero_even_when_started():
    ts = snap(campaign(T("brief", "2024-09-26", "2024-10-15", actual={"start": "2024-09-26"})), "2024-10-08").task("brief")
    assert ts.actual_progress == 0.0 and ts.days_behind == 5  # deliverable work counts what is recorded


# -- event: fixed dates, never pushed ------------------------------------------------------------------

def _launch(prep_progress: float) -> list[dict]:
    # prep 9/26 .. 10/11: working days 1..8 (8 days); the launch on Saturday 10/12 (day 9, 调休);
    # the recap 10/14 .. 10/15 after the launch
    return [T("prep", "2024-09-26", "2024-10-11", actual={"start": "2024-09-26"}, progress=prep_progress),
            T("launch", "2024-10-12", "2024-10-12", kind="event", depends_on=["prep"]),
            T("recap", "2024-10-14", "2024-10-15", depends_on=["launch"])]


def test_event_whose_predecessor_slips_is_at_risk_and_not_pushed():
    s = snap(campaign(*_launch(25)), "2024-09-30")
    prep = s.task("prep")
    # prep: planned 4 of 8 = 50, actual 25: -25 points, earned 2 days, 4 - 2 = 2 days behind: red
    assert (prep.deviation, prep.days_behind, prep.health) == (-25.0, 2, Health.RED)
    # 8 - 2 = 6 days left after 9/30: 10/8, 9, 10, 11, 12, 14 -> 10/14
    assert prep.forecast_finish == D("2024-10-14")
    launch = s.task("launch")
    # the launch keeps its date; it has no float: it cannot move
    assert (launch.earliest_start, launch.forecast_finish, launch.forecast_method) == (
        D("2024-10-12"), D("2024-10-12"), "fixed")
    assert (launch.float_days, launch.critical) == (None, False)
    # the clash: prep is forecast to finish 10/14, the launch is 10/12: NWD(10/12, 10/14) = 2
    [clash] = s.event_clashes
    assert (clash.event, clash.predecessor, clash.finish, clash.days) == ("launch", "prep", D("2024-10-14"), 2)
    # the recap follows the launch as planned, not prep's slip: 10/14 .. 10/15; the campaign's
    # forecast is not pushed past the event by prep
    assert s.task("recap").forecast_finish == D("2024-10-15")
    assert s.forecast_finish == D("2024-10-15")
    # prep's latest finish is the day before the launch: 10/11 (day 8); it finishes day 10: float -2
    assert (prep.latest_finish, prep.float_days, prep.critical, prep.held_by) == (D("2024-10-11"), -2, True, "launch")
    [d] = [d for d in run_rules(s) if d.code == "event-at-risk"]
    assert d.severity.value == "error" and d.task == "launch"
    assert d.message == ('fixed-date event "Launch" starts 2024-10-12, but its predecessor "Prep" is forecast to '
                         "finish 2024-10-14: a clash of 2 working days. The event will not move; the "
                         "preparation has to catch up")
    # at the predecessor's entry in the event's depends_on
    assert d.location.path == ("tasks", 1, "depends_on", 0)
    # critical-slip does not claim the campaign's end moves: prep's float is to the launch
    assert not [d for d in run_rules(s) if d.code == "critical-slip"]


def test_an_event_whose_day_has_come_is_no_longer_at_risk_but_late():
    # as of Monday 10/14 the launch (10/12) is past and nothing records it; prep is still open
    s = snap(campaign(*_launch(25)), "2024-10-14")
    assert s.event_clashes == ()  # nothing left to protect: it happened or it is late
    launch = s.task("launch")
    assert (launch.status, launch.health, launch.forecast_finish) == (Status.DELAYED, Health.RED, D("2024-10-12"))
    codes = {d.code for d in run_rules(s) if d.task == "launch"}
    assert "task-overdue" in codes and "event-at-risk" not in codes
    assert s.task("prep").held_by is None  # its float is to the campaign end again


def test_event_on_plan_has_no_clash():
    s = snap(campaign(*_launch(50)), "2024-09-30")
    # prep on plan: 4 days left after 9/30: 10/8, 9, 10, 11 -> 10/11, the day before the launch
    assert s.task("prep").forecast_finish == D("2024-10-11")
    assert s.event_clashes == ()
    assert s.task("prep").float_days == 0 and s.task("prep").held_by == "launch"
    assert not [d for d in run_rules(s) if d.code == "event-at-risk"]


def test_event_progress_is_elapsed_like_a_timebox():
    # a pop-up store Fri 10/11 .. Mon 10/14: working days 10/11, 10/12 (调休), 10/14 = 3
    popup = T("popup", "2024-10-11", "2024-10-14", kind="event", actual={"start": "2024-10-11"})
    ts = snap(campaign(popup), "2024-10-12").task("popup")
    assert (ts.planned_progress, ts.actual_progress) == (66.7, 66.7)  # 2 of 3, both
    assert ts.forecast_finish == D("2024-10-14")
    ts = snap(campaign(popup), "2024-10-14").task("popup")
    assert ts.status is Status.DONE  # its window ran: 3 of 3


# -- the campaign forecast names its driver and its method ---------------------------------------------

def test_campaign_forecast_names_the_driving_task_and_method():
    c = campaign(T("monitor", "2024-09-23", "2024-10-31", kind="timebox", actual={"start": "2024-09-23"}),
                 T("retro", "2024-10-25", "2024-10-31"))
    s = snap(c, "2024-10-08")
    # both end 10/31: the deliverable work is the driver, not the monitoring window
    assert (s.forecast_finish, s.forecast_driver, s.forecast_method) == (D("2024-10-31"), "retro", "plan")
    doc = status_document([s], D("2024-10-08"))["campaigns"][0]
    assert (doc["forecast_driver"], doc["forecast_method"]) == ("retro", "plan")
    tasks = {t["id"]: t for t in doc["tasks"]}
    assert (tasks["monitor"]["kind"], tasks["monitor"]["forecast_method"], tasks["monitor"]["allocation"]) == (
        "timebox", "window", 25.0)


def test_the_issue_monitoring_task_does_not_cry_wolf():
    # "竞品价格与声量监测" 9/23 .. 11/11 (33 working days), 10 % typed by hand on day 14 (10/15).
    # As work at its own pace: 10 % in 14 days, 90 left = 126 working days -> April 2025.
    typed = dict(actual={"start": "2024-09-23"}, progress=10)
    pace = {"forecast": "pace"}
    ts = snap(campaign(T("monitor", "2024-09-23", "2024-11-11", **typed), policy=pace), "2024-10-15").task("monitor")
    assert ts.forecast_finish > D("2025-04-01")
    # as a timebox it ends with its window, whatever the policy
    ts = snap(campaign(T("monitor", "2024-09-23", "2024-11-11", kind="timebox", **typed), policy=pace),
              "2024-10-15").task("monitor")
    assert ts.planned_days == 33 and ts.planned_progress == 42.4  # 14 / 33
    assert ts.forecast_finish == D("2024-11-11")
    # without the typed 10 %, the elapsed share: 14 / 33, on plan
    ts = snap(campaign(T("monitor", "2024-09-23", "2024-11-11", kind="timebox", actual={"start": "2024-09-23"})),
              "2024-10-15").task("monitor")
    assert (ts.actual_progress, ts.deviation, ts.health) == (42.4, 0.0, Health.GREEN)


@pytest.mark.parametrize("kind, allocation", [("work", 100.0), ("timebox", 25.0), ("event", 100.0)])
def test_default_allocation_by_kind(kind, allocation):
    s = snap(campaign(T("a", "2024-09-26", "2024-10-15", kind=kind)), "2024-09-25")
    assert s.task("a").allocation == allocation
    s = snap(campaign(T("a", "2024-09-26", "2024-10-15", kind=kind, allocation=40)), "2024-09-25")
    assert s.task("a").allocation == 40.0
