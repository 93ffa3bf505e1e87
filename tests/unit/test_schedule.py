"""The forecast schedule (ptrack.schedule): forward and backward pass, total float, critical path.

Every expected date and float is worked by hand in the comment next to it. With calendar
``none`` every day is a working day, so in March 2024 the working-day ordinal of a day is its
day of the month (W(3/d) = d, W(2/29) = 0) and a task planned s..e takes e - s + 1 days.
Forward: ES = max(W(planned start - 1), W(D) once the start has passed, EF of predecessors);
EF = ES + days. Backward from the anchor a = W(min(campaign end, F)): LF = min(a, LS of successors
not started), LS = LF - days, float = LF - EF.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from ptrack.core.calendars import get_calendar
from ptrack.core.compute import compute_snapshot
from ptrack.reporters import status_document
from tests.helpers import campaign_from_yaml

D = date.fromisoformat


def T(tid: str, start: str, end: str, *deps: str, **fields) -> dict:
    return {"id": tid, "name": fields.pop("name", tid.upper()), "planned": {"start": start, "end": end},
            **({"depends_on": list(deps)} if deps else {}), **fields}


def campaign(*tasks: dict, calendar: str = "none", start: str = "2024-03-01", end: str = "2024-03-31", **top):
    doc = {"ptrack": 1, "campaign": {"id": "c", "name": "C", "start": start, "end": end, "calendar": calendar},
           "tasks": list(tasks), **top}
    return campaign_from_yaml(json.dumps(doc, ensure_ascii=False))


def snap(c, as_of: str):
    return compute_snapshot(c, as_of=D(as_of))


def row(s, tid: str) -> tuple:
    ts = s.task(tid)
    return (ts.earliest_start, ts.earliest_finish, ts.latest_start, ts.latest_finish, ts.float_days, ts.critical)


# -- a diamond: A -> B -> D and A -> C -> D -------------------------------------------------------------

DIAMOND = (T("a", "2024-03-01", "2024-03-03"),  # 3 days
           T("b", "2024-03-04", "2024-03-08", "a"),  # 5 days
           T("c", "2024-03-04", "2024-03-05", "a"),  # 2 days
           T("d", "2024-03-09", "2024-03-12", "b", "c"))  # 4 days


def test_diamond_before_anything_started():
    s = snap(campaign(*DIAMOND), "2024-02-28")
    # Forward: A: ES 0, EF 3 (3/3). B: ES max(3, EF A 3) = 3, EF 8 (3/8). C: ES 3, EF 5 (3/5).
    #          D: ES max(W(3/8) = 8, EF B 8, EF C 5) = 8, EF 12 (3/12). F = 3/12.
    # Anchor: min(end 3/31, F 3/12) = 3/12, a = 12.
    # Backward: D: LF 12, LS 8. B: LF = LS D = 8, LS 3. C: LF 8, LS 6. A: LF min(LS B 3, LS C 6) = 3, LS 0.
    assert row(s, "a") == (D("2024-03-01"), D("2024-03-03"), D("2024-03-01"), D("2024-03-03"), 0, True)
    assert row(s, "b") == (D("2024-03-04"), D("2024-03-08"), D("2024-03-04"), D("2024-03-08"), 0, True)
    # C: float = LF 8 - EF 5 = 3; latest start day 7 (3/7), latest finish day 8 (3/8)
    assert row(s, "c") == (D("2024-03-04"), D("2024-03-05"), D("2024-03-07"), D("2024-03-08"), 3, False)
    assert row(s, "d") == (D("2024-03-09"), D("2024-03-12"), D("2024-03-09"), D("2024-03-12"), 0, True)
    assert s.critical_path == ("a", "b", "d")
    assert s.forecast_finish == D("2024-03-12") == s.task("d").forecast_finish


def test_diamond_with_the_long_branch_ahead_moves_the_critical_path_to_the_other_branch():
    c = campaign(T("a", "2024-03-01", "2024-03-03", actual={"start": "2024-03-01", "end": "2024-03-03"}),
                 T("b", "2024-03-04", "2024-03-08", "a", actual={"start": "2024-03-04"}, progress=80),
                 T("c", "2024-03-04", "2024-03-05", "a"),
                 T("d", "2024-03-09", "2024-03-12", "b", "c"))
    s = snap(c, "2024-03-05")
    # A done 3/1..3/3: on its actual dates, no float, never critical.
    assert row(s, "a") == (D("2024-03-01"), D("2024-03-03"), None, None, None, False)
    # B started 3/4, 80 % in 2 days = 40 points a day: 20 left = 1 day -> EF 3/6 (W 6).
    # C not started, its start 3/4 has passed: ES = W(D 3/5) = 5, EF 7 (3/7).
    # D: ES max(W(3/8) = 8, EF B 6, EF C 7) = 8 (its own planned start), EF 12. F = 3/12, a = 12.
    # Backward: D LF 12, LS 8. C LF 8, float 8 - 7 = 1. B: LF 8, float 8 - 6 = 2,
    # LS = LF 8 - (EF 6 - ES 3) = 5: the latest start is working day 6, 3/6.
    assert row(s, "b")[1:] == (D("2024-03-06"), D("2024-03-06"), D("2024-03-08"), 2, False)
    assert row(s, "c") == (D("2024-03-06"), D("2024-03-07"), D("2024-03-07"), D("2024-03-08"), 1, False)
    assert row(s, "d")[4:] == (0, True)
    # D starts on its own planned start, not held back by B or C: the chain is D alone
    assert s.critical_path == ("d",)


# -- parallel chains -----------------------------------------------------------------------------------

CHAINS = (T("x1", "2024-03-01", "2024-03-06"),  # 6 days
          T("x2", "2024-03-07", "2024-03-12", "x1"),  # 6 days
          T("y1", "2024-03-01", "2024-03-04"),  # 4 days
          T("y2", "2024-03-05", "2024-03-11", "y1"),  # 7 days
          T("z1", "2024-03-01", "2024-03-08"))  # 8 days


def test_parallel_chains_on_plan():
    s = snap(campaign(*CHAINS), "2024-02-29")
    # EF: x1 6, x2 12, y1 4, y2 11, z1 8. F = 3/12; anchor min(3/31, 3/12) = 3/12, a = 12.
    # x2: LF 12, float 0; x1: LF = LS x2 = 12 - 6 = 6, float 0.
    # y2: LF 12, float 12 - 11 = 1, LS 5; y1: LF 5, float 5 - 4 = 1.
    # z1: LF 12, float 12 - 8 = 4.
    assert {tid: s.task(tid).float_days for tid in ("x1", "x2", "y1", "y2", "z1")} == \
        {"x1": 0, "x2": 0, "y1": 1, "y2": 1, "z1": 4}
    assert [ts.task.id for ts in s.tasks if ts.critical] == ["x1", "x2"]
    assert s.critical_path == ("x1", "x2")


def test_parallel_chains_forecast_past_the_campaign_end_have_negative_float():
    s = snap(campaign(*CHAINS, end="2024-03-10"), "2024-02-29")
    # F = 3/12 is past the end 3/10: the anchor is the end, a = 10.
    # x2: LF 10, float 10 - 12 = -2, LS 10 - 6 = 4; x1: LF 4, float 4 - 6 = -2, LS 4 - 6 = -2.
    # y2: LF 10, float 10 - 11 = -1, LS 3; y1: LF 3, float 3 - 4 = -1.
    # z1: LF 10, float 10 - 8 = 2.
    assert {tid: s.task(tid).float_days for tid in ("x1", "x2", "y1", "y2", "z1")} == \
        {"x1": -2, "x2": -2, "y1": -1, "y2": -1, "z1": 2}
    # both late chains are critical; the critical path is the one that sets the forecast finish
    assert [ts.task.id for ts in s.tasks if ts.critical] == ["x1", "x2", "y1", "y2"]
    assert s.critical_path == ("x1", "x2")
    # x1's latest start: LS ordinal -2, so it had to start on working day -1, the 2nd day back
    # from 2/29: 2/28 (2/28, 2/29, 3/1 .. 3/4 are its 6 days, ending on LF 3/4)
    assert row(s, "x1")[2:4] == (D("2024-02-28"), D("2024-03-04"))


# -- a chain across 调休 (CN calendar 2024: May 1-5 off; Sun 4/28 and Sat 5/11 are working days) -----

def test_chain_across_the_may_day_holiday_on_the_cn_calendar():
    cal = get_calendar("CN")
    assert cal.is_working_day(D("2024-04-28")) and cal.is_working_day(D("2024-05-11"))
    assert not any(cal.is_working_day(D(f"2024-05-0{d}")) for d in range(1, 6))
    c = campaign(T("p", "2024-04-25", "2024-04-30"),  # Thu 4/25, Fri 4/26, Sun 4/28, Mon 4/29, Tue 4/30: 5
                 T("q", "2024-05-06", "2024-05-13", "p"),  # 5/6-5/10, Sat 5/11, Mon 5/13: 7
                 calendar="CN", start="2024-04-22", end="2024-05-13")
    s = snap(c, "2024-04-25")
    # P has not started on its start day: it begins tomorrow, Fri 4/26, and runs 5 working days:
    # 4/26, 4/28 (Sunday, 调休), 4/29, 4/30, then May 1-5 off, 5/6 -> EF Mon 5/6.
    # Q waits for P: from 5/7, 7 working days: 5/7, 5/8, 5/9, 5/10, 5/11 (Saturday, 调休), 5/13, 5/14.
    # F = Tue 5/14, past the end 5/13: anchor 5/13. Q: LF 5/13, float -NWD(5/14, 5/14) = -1;
    # LS = 7 working days back from 5/13: 5/13, 5/11, 5/10, 5/9, 5/8, 5/7, 5/6 -> 5/6.
    # P: LF = the working day before 5/6 = 4/30, float -1 (it finishes 5/6, one working day later);
    # LS = 5 working days back from 4/30: 4/30, 4/29, 4/28, 4/26, 4/25 -> 4/25.
    assert row(s, "p") == (D("2024-04-26"), D("2024-05-06"), D("2024-04-25"), D("2024-04-30"), -1, True)
    assert row(s, "q") == (D("2024-05-07"), D("2024-05-14"), D("2024-05-06"), D("2024-05-13"), -1, True)
    assert s.critical_path == ("p", "q")
    assert s.forecast_finish == D("2024-05-14")


# -- done, started, cancelled and on-hold tasks ----------------------------------------------------------

def test_done_predecessor_counts_with_its_actual_dates():
    c = campaign(T("a", "2024-03-01", "2024-03-04", actual={"start": "2024-03-02", "end": "2024-03-05"}),
                 T("b", "2024-03-05", "2024-03-08", "a"))
    s = snap(c, "2024-03-05")
    # A finished 3/5, a day late: on its actual dates, no float, not critical.
    assert row(s, "a") == (D("2024-03-02"), D("2024-03-05"), None, None, None, False)
    # B: start passed (3/5 <= D) and A finished 3/5 -> ES = 5, starts 3/6; 4 days -> EF 3/9.
    # F = 3/9, anchor 3/9: B float 0. The done task is not on the critical path.
    assert row(s, "b") == (D("2024-03-06"), D("2024-03-09"), D("2024-03-06"), D("2024-03-09"), 0, True)
    assert s.critical_path == ("b",)


def test_started_task_is_not_held_back_by_its_predecessor_and_does_not_hold_it():
    c = campaign(T("p", "2024-03-01", "2024-03-10"),
                 T("s", "2024-03-01", "2024-03-10", "p", actual={"start": "2024-03-01"}, progress=20))
    s = snap(c, "2024-03-02")
    # P not started, start passed: from 3/3, 10 days -> EF 3/12 (W 12). F = 3/12, a = 12.
    # S started 3/1: 20 points in 2 days = 10 a day, 80 left = 8 days after D -> EF 3/10 (W 10).
    # S started already, so P's finish no longer constrains it (and S puts no LF on P):
    # P float 12 - 12 = 0; S float 12 - 10 = 2, LS = 12 - (10 - W(2/29) 0) = 2 -> 3/3.
    assert row(s, "p")[4:] == (0, True)
    assert row(s, "s") == (D("2024-03-01"), D("2024-03-10"), D("2024-03-03"), D("2024-03-12"), 2, False)
    assert s.critical_path == ("p",)


def test_cancelled_and_on_hold_tasks_hold_nothing_back():
    c = campaign(T("a", "2024-03-01", "2024-03-02"),
                 T("x", "2024-03-03", "2024-03-20", "a", status="cancelled",
                   actual={"start": "2024-03-03", "end": "2024-03-04"}),
                 T("h", "2024-03-03", "2024-03-25", "a", status="on_hold"),
                 T("c", "2024-03-03", "2024-03-05", "x", "h"))
    s = snap(c, "2024-02-29")
    # X (cancelled) has no dates as of 2/29: its actual dates 3/3, 3/4 were not known then;
    # H (on hold) has none either; neither has float.
    assert row(s, "x") == (None, None, None, None, None, False)
    assert row(s, "h") == (None, None, None, None, None, False)
    # as of 3/5 X shows its actual dates
    assert row(snap(c, "2024-03-05"), "x") == (D("2024-03-03"), D("2024-03-04"), None, None, None, False)
    # C is not held back by X (3/20) nor H (3/25): its own plan 3/3..3/5. F = 3/5, a = 5.
    # C: float 0. A has no successor in the network: LF 5, EF 2, float 3.
    assert row(s, "c") == (D("2024-03-03"), D("2024-03-05"), D("2024-03-03"), D("2024-03-05"), 0, True)
    assert row(s, "a")[4:] == (3, False)
    assert s.critical_path == ("c",)
    assert s.task("x").forecast_finish is None and s.task("h").forecast_finish is None


def test_all_done_has_no_critical_path():
    c = campaign(T("a", "2024-03-01", "2024-03-02", actual={"start": "2024-03-01", "end": "2024-03-02"}))
    s = snap(c, "2024-03-10")
    assert s.critical_path == () and s.task("a").float_days is None and not s.task("a").critical
    assert s.forecast_finish == D("2024-03-02")


def test_task_past_its_planned_end_floats_from_its_forecast():
    # A planned 3/1..3/5 (5 days), started 3/1, 50 % by D = 3/8: earned 2.5 of 5 days, 2.5 left
    # at the planned pace -> 3 whole days after 3/8 -> EF 3/11.
    # B (independent) planned 3/1..3/20 (20 days), 40 %: 12 days left -> EF 3/20 = F; anchor 3/20.
    # A is past its planned end (delayed) but its forecast leaves it 20 - 11 = 9 days of float.
    tasks = (T("a", "2024-03-01", "2024-03-05", actual={"start": "2024-03-01"}, progress=50),
             T("b", "2024-03-01", "2024-03-20", actual={"start": "2024-03-01"}, progress=40))
    s = snap(campaign(*tasks), "2024-03-08")
    assert s.task("a").status.value == "delayed"
    assert row(s, "a")[1] == D("2024-03-11") and row(s, "a")[4:] == (9, False)
    assert row(s, "b")[1] == D("2024-03-20") and row(s, "b")[4:] == (0, True)
    # at its own pace (policy.forecast: pace) A's 50 in 8 days is 6.25 a day: 50 left -> 8 days
    # -> EF 3/16, float 4; B's 40 in 8 days is 5 a day: 60 left -> 12 days -> EF 3/20 as before
    s = snap(campaign(*tasks, policy={"forecast": "pace"}), "2024-03-08")
    assert row(s, "a")[1] == D("2024-03-16") and row(s, "a")[4:] == (4, False)
    assert row(s, "b")[1] == D("2024-03-20") and row(s, "b")[4:] == (0, True)


@pytest.mark.parametrize("as_of", ["2024-03-01", "2024-03-20", "2024-04-15", "2024-05-20", "2024-06-10"])
def test_forecast_finish_follows_the_critical_path_on_the_example(example, as_of):
    s = compute_snapshot(example.campaign, as_of=D(as_of))
    assert s.critical_path
    last = s.task(s.critical_path[-1])
    assert last.forecast_finish == s.forecast_finish
    floats = [ts.float_days for ts in s.tasks if ts.float_days is not None]
    for tid in s.critical_path:  # the driving chain carries the smallest float, and it is <= 0
        assert s.task(tid).critical and s.task(tid).float_days == min(floats) <= 0


# -- the status JSON ---------------------------------------------------------------------------------

def test_status_json_has_float_critical_and_the_critical_path():
    s = snap(campaign(*DIAMOND), "2024-02-28")
    doc = status_document([s], D("2024-02-28"))
    camp = doc["campaigns"][0]
    assert camp["critical_path"] == ["a", "b", "d"]
    c = camp["tasks"][2]
    assert {k: c[k] for k in ("id", "earliest_start", "earliest_finish", "latest_start", "latest_finish",
                              "float_days", "critical", "forecast_finish")} == {
        "id": "c", "earliest_start": "2024-03-04", "earliest_finish": "2024-03-05",
        "latest_start": "2024-03-07", "latest_finish": "2024-03-08", "float_days": 3, "critical": False,
        "forecast_finish": "2024-03-05"}
    done = status_document([snap(campaign(T("a", "2024-03-01", "2024-03-02", progress=100)), "2024-03-05")],
                           D("2024-03-05"))["campaigns"][0]
    assert (done["tasks"][0]["float_days"], done["tasks"][0]["critical"], done["critical_path"]) == (None, False, [])


# -- the calendar helper ------------------------------------------------------------------------------

def test_nth_working_day_back_on_the_cn_calendar():
    cal = get_calendar("CN")
    # back from Mon 5/6: 5/6 (1), May 1-5 off, 4/30 (2), 4/29 (3), Sun 4/28 调休 (4), 4/26 (5)
    assert cal.nth_working_day_back(D("2024-05-06"), 1) == D("2024-05-06")
    assert cal.nth_working_day_back(D("2024-05-05"), 1) == D("2024-04-30")
    assert cal.nth_working_day_back(D("2024-05-06"), 4) == D("2024-04-28")
    assert cal.nth_working_day_back(D("2024-05-06"), 5) == D("2024-04-26")
    # across the start of the table's years (built from 2024 on): extends into 2023
    assert cal.nth_working_day_back(D("2024-01-02"), 2) == D("2023-12-29")
