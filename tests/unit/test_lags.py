"""Dependency lags and types (``depends_on: [{task, lag, type: fs|ss}]``) in the schedule and the
rules: forward and backward pass, float, critical path, forecast, event-at-risk, dependency-order,
and what validation says about them.

Calendar ``none`` (March 2024): the working-day ordinal of 3/d is d and a task planned s..e takes
e - s + 1 days. A link lets the successor start after ES >= EF(pred) + lag (finish-to-start) or
ES(pred) + lag (start-to-start); backward, LF(pred) <= LS(succ) - lag (+ the predecessor's own
days for start-to-start). Calendar ``CN`` around National Day 2024 (holidays 10/1..10/7, make-up
working days Sunday 9/29 and Saturday 10/12): the working days from 9/26 are 9/26, 9/27, 9/29,
9/30, 10/8, 10/9, 10/10, 10/11, 10/12, 10/14, 10/15, ...
"""

from __future__ import annotations

import json
from datetime import date

from ptrack.core.calendars import get_calendar
from ptrack.core.compute import compute_snapshot
from ptrack.core.loader import parse_yaml
from ptrack.core.rules import run_rules
from ptrack.core.validate import validate_document
from ptrack.reporters import status_document
from tests.helpers import campaign_from_yaml

D = date.fromisoformat


def T(tid: str, start: str, end: str, *deps, **fields) -> dict:
    return {"id": tid, "name": fields.pop("name", tid.upper()), "planned": {"start": start, "end": end},
            **({"depends_on": list(deps)} if deps else {}), **fields}


def doc(*tasks: dict, calendar: str = "none", start: str = "2024-03-01", end: str = "2024-03-31") -> dict:
    return {"ptrack": 1, "campaign": {"id": "c", "name": "C", "start": start, "end": end, "calendar": calendar,
                                      "locale": "en"}, "tasks": list(tasks)}


def campaign(*tasks: dict, **top):
    return campaign_from_yaml(json.dumps(doc(*tasks, **top), ensure_ascii=False))


def snap(c, as_of: str):
    return compute_snapshot(c, as_of=D(as_of))


def row(s, tid: str) -> tuple:
    ts = s.task(tid)
    return (ts.earliest_start, ts.earliest_finish, ts.latest_start, ts.latest_finish, ts.float_days, ts.critical)


def test_the_national_day_calendar_these_tests_count_on():
    cal = get_calendar("CN")
    # Sunday 9/29 and Saturday 10/12 are make-up working days; 10/1..10/7 are off
    assert cal.is_working_day(D("2024-09-29")) and cal.is_working_day(D("2024-10-12"))
    assert not any(cal.is_working_day(D(f"2024-10-0{d}")) for d in range(1, 8))
    # shift: the 2nd working day after Friday 9/27 is Monday 9/30 (9/29 is the 1st); the 3rd, 10/8
    assert cal.shift(D("2024-09-27"), 2) == D("2024-09-30") and cal.shift(D("2024-09-27"), 3) == D("2024-10-08")
    assert cal.shift(D("2024-10-08"), -2) == D("2024-09-29") and cal.shift(D("2024-10-05"), 0) == D("2024-10-05")
    # offset is its inverse on working days: 10/8 is T+3 from 9/27; from a holiday, the day before
    # 10/8 counts (9/30 is T-1 of 10/5, 10/8 is T+1)
    assert cal.offset(D("2024-09-27"), D("2024-10-08")) == 3 and cal.offset(D("2024-10-08"), D("2024-09-27")) == -3
    assert cal.offset(D("2024-10-05"), D("2024-09-30")) == -1 and cal.offset(D("2024-10-05"), D("2024-10-08")) == 1


# -- lags and types, forward and backward ---------------------------------------------------------------

LAGGED = (T("a", "2024-03-01", "2024-03-03"),  # 3 days
          T("b", "2024-03-04", "2024-03-08", {"task": "a", "lag": 2}),  # 5 days, 2 days after a
          T("c", "2024-03-01", "2024-03-02", {"task": "a", "type": "ss", "lag": 1}),  # 2 days, a day after a starts
          T("d", "2024-03-09", "2024-03-12", "b", {"task": "c", "lag": -1}))  # 4 days; may overlap c by a day


def test_lags_and_start_to_start_in_both_passes():
    s = snap(campaign(*LAGGED), "2024-02-28")
    # Forward. a: ES 0, EF 3 (3/1..3/3).
    # b: ES max(W(3/3) = 3, EF a 3 + lag 2 = 5) = 5 -> 3/6..3/10 (EF 10): the lag pushes it 2 days.
    # c: ES max(W(2/29) = 0, ES a 0 + 1) = 1 -> 3/2..3/3 (EF 3).
    # d: ES max(W(3/8) = 8, EF b 10, EF c 3 - 1 = 2) = 10 -> 3/11..3/14 (EF 14). F = 3/14.
    # Backward from min(3/31, 3/14) = 14. d: LF 14, LS 10. b (fs, lag 0 into d): LF 10, LS 5: float 0.
    # c (fs, lag -1 into d): LF = LS d 10 - (-1) = 11, LS 9: float 11 - 3 = 8 -> latest 3/10..3/11.
    # a: into b (fs, lag 2): LS b 5 - 2 = 3; into c (ss, lag 1): LS c 9 - 1 + a's 3 days = 11.
    #    LF = min(14, 3, 11) = 3, LS 0: float 0.
    assert row(s, "a") == (D("2024-03-01"), D("2024-03-03"), D("2024-03-01"), D("2024-03-03"), 0, True)
    assert row(s, "b") == (D("2024-03-06"), D("2024-03-10"), D("2024-03-06"), D("2024-03-10"), 0, True)
    assert row(s, "c") == (D("2024-03-02"), D("2024-03-03"), D("2024-03-10"), D("2024-03-11"), 8, False)
    assert row(s, "d") == (D("2024-03-11"), D("2024-03-14"), D("2024-03-11"), D("2024-03-14"), 0, True)
    # the chain walks back through the links that bind: d <- b (EF 10 = ES d) <- a (EF 3 + 2 = ES b)
    assert s.critical_path == ("a", "b", "d")
    assert (s.forecast_finish, s.forecast_driver) == (D("2024-03-14"), "d")


def test_start_to_start_chain_is_critical_through_the_start():
    c = campaign(T("shoot", "2024-03-01", "2024-03-10"),  # 10 days
                 T("edit", "2024-03-04", "2024-03-11", {"task": "shoot", "type": "ss", "lag": 3}))  # 8 days
    s = snap(c, "2024-02-28")
    # edit: ES max(W(3/3) = 3, ES shoot 0 + 3) = 3 -> 3/4..3/11 (EF 11); shoot EF 10. F = 3/11, driver edit.
    # Backward from 11: edit LF 11, LS 3, float 0. shoot: LF = min(11, LS edit 3 - 3 + 10) = 10: float 0.
    assert row(s, "edit")[4:] == (0, True) and row(s, "shoot")[4:] == (0, True)
    assert s.critical_path == ("shoot", "edit")
    # shoot finishing later than edit would not matter through the start: as of 3/1 with shoot
    # started on time and 10 % done (ES 1 of 10 days, 9 left -> 3/10), edit is still held by its
    # start, 3 days after shoot's actual start 3/1: ES max(3, 0 + 3) = 3 -> 3/4..3/11
    c = campaign(T("shoot", "2024-03-01", "2024-03-10", actual={"start": "2024-03-01"}, progress=10),
                 T("edit", "2024-03-04", "2024-03-11", {"task": "shoot", "type": "ss", "lag": 3}))
    s = snap(c, "2024-03-01")
    assert (s.task("edit").earliest_start, s.task("edit").forecast_finish) == (D("2024-03-04"), D("2024-03-11"))


def test_a_late_start_to_start_predecessor_pushes_the_successor_by_its_start():
    # shoot has not started as of 3/5 (planned 3/1): ES = W(D) = 5 -> 3/6..3/15. edit (ss, lag 3):
    # ES max(3, 5 + 3) = 8 -> 3/9..3/16. The whole slip of shoot's start reaches edit's forecast.
    c = campaign(T("shoot", "2024-03-01", "2024-03-10"),
                 T("edit", "2024-03-04", "2024-03-11", {"task": "shoot", "type": "ss", "lag": 3}))
    s = snap(c, "2024-03-05")
    assert (s.task("shoot").earliest_start, s.task("shoot").forecast_finish) == (D("2024-03-06"), D("2024-03-15"))
    assert (s.task("edit").earliest_start, s.task("edit").forecast_finish) == (D("2024-03-09"), D("2024-03-16"))
    assert s.critical_path == ("shoot", "edit")


def test_a_lagged_chain_across_national_day():
    c = campaign(T("design", "2024-09-23", "2024-09-27", actual={"start": "2024-09-23"}, progress=20),
                 T("review", "2024-10-08", "2024-10-09", {"task": "design", "lag": 2}),
                 T("launch", "2024-10-14", "2024-10-14", {"task": "review", "lag": 1}, kind="event"),
                 calendar="CN", start="2024-09-23", end="2024-10-31")
    # As of Thursday 9/26 design (5 working days 9/23..9/27) is 20 % done: ES 1 day, 4 left after
    # 9/26: 9/27, 9/29 (Sunday, make-up), 9/30, 10/8 -> design finishes 10/8.
    s = snap(c, "2024-09-26")
    assert s.task("design").forecast_finish == D("2024-10-08")
    # review waits 2 working days after it: 10/9 and 10/10 are the lag; it runs its 2 days on
    # 10/11 and Saturday 10/12 (make-up) instead of 10/8..10/9.
    assert (s.task("review").earliest_start, s.task("review").forecast_finish) == (D("2024-10-11"), D("2024-10-12"))
    # the launch (Monday 10/14) needs a working day after review (lag 1): review finishing 10/12
    # would let it start on the 2nd working day after 10/12, 10/15: one working day too late.
    [clash] = s.event_clashes
    assert (clash.event, clash.predecessor, clash.finish, clash.days, clash.lag, clash.type, clash.start) == (
        "launch", "review", D("2024-10-12"), 1, 1, "fs", D("2024-10-11"))
    [d] = [d for d in run_rules(s) if d.code == "event-at-risk"]
    assert d.message == ('fixed-date event "LAUNCH" starts 2024-10-14, but its predecessor "REVIEW" '
                         "(finish-to-start +1 working day; forecast 2024-10-11 to 2024-10-12) lets it start "
                         "1 working day later at the earliest. The event will not move; the preparation has "
                         "to catch up")
    zh = [d for d in run_rules(s, "zh-CN") if d.code == "event-at-risk"][0]
    assert zh.message == ('固定日期活动"LAUNCH"于 2024-10-14 开始，但前置任务"REVIEW"（完成-开始 +1 个工作日；预计 '
                          "2024-10-11 至 2024-10-12）最早只能让它晚 1 个工作日开始：活动不会顺延，准备工作必须赶上")
    # backward: the launch bounds review: LF(review) = LS(launch) - 1, the working day before
    # Saturday 10/12 (10/14 is the launch, 10/12 the lag): 10/11. Forecast 10/12: float -1.
    assert (s.task("review").latest_finish, s.task("review").float_days, s.task("review").held_by) == (
        D("2024-10-11"), -1, "launch")
    # design: review's latest finish 10/11, its 2 days 10/10..10/11, so its latest start is 10/10;
    # the 2 working days of lag before it are 10/9 and 10/8 -> design's latest finish is the
    # working day before them, Monday 9/30. Its forecast is 10/8: float -1.
    assert (s.task("design").latest_finish, s.task("design").float_days) == (D("2024-09-30"), -1)
    # the status JSON carries the links and the clash's lag and type
    data = status_document([s], D("2024-09-26"))["campaigns"][0]
    review = next(t for t in data["tasks"] if t["id"] == "review")
    assert (review["depends_on"], review["dependencies"]) == (["design"], [{"task": "design", "lag": 2, "type": "fs"}])
    assert data["event_clashes"] == [{"event": "launch", "predecessor": "review", "finish": "2024-10-12", "days": 1,
                                      "lag": 1, "type": "fs"}]


# -- dependency-order -----------------------------------------------------------------------------------

def _order(c, as_of: str, locale: str = "en") -> list[str]:
    return [d.message for d in run_rules(snap(c, as_of), locale) if d.code == "dependency-order"]


def test_dependency_order_counts_the_lag_from_the_actual_finish():
    # a finished Tuesday 10/8; with a lag of 2, b may start on 10/10 (the day a finishes is
    # tolerated, as without a lag: 10/8 + 2 working days = 10/10)
    def c(b_start):
        return campaign(T("a", "2024-09-26", "2024-10-08", actual={"start": "2024-09-26", "end": "2024-10-08"}),
                        T("b", "2024-10-10", "2024-10-15", {"task": "a", "lag": 2}, actual={"start": b_start}),
                        calendar="CN", start="2024-09-23", end="2024-10-31")
    assert _order(c("2024-10-10"), "2024-10-15") == []
    assert _order(c("2024-10-09"), "2024-10-15") == [
        'task "B" started 2024-10-09, before 2024-10-10, the earliest its predecessor "A" '
        "(finish-to-start +2 working days) allows"]
    assert _order(c("2024-10-09"), "2024-10-15", "zh-CN") == [
        '任务"B"于 2024-10-09 开始，早于前置任务"A"（完成-开始 +2 个工作日）允许的最早日期 2024-10-10']


def test_dependency_order_start_to_start():
    def c(a_actual, b_start, lag=0):
        return campaign(T("a", "2024-03-04", "2024-03-15", **({"actual": a_actual} if a_actual else {})),
                        T("b", "2024-03-05", "2024-03-08", {"task": "a", "type": "ss", "lag": lag},
                          actual={"start": b_start}))
    # b may start once a has started: a started 3/4, b 3/5: fine, although a is far from finished
    assert _order(c({"start": "2024-03-04"}, "2024-03-05"), "2024-03-06") == []
    # a has not started: b started too early, whatever a's finish
    assert _order(c(None, "2024-03-05"), "2024-03-06") == [
        'task "B" started 2024-03-05 before its predecessor "A" (start-to-start) started']
    # a lag of 2 after a's start on 3/4: b may start 3/6 (calendar none), not 3/5
    assert _order(c({"start": "2024-03-04"}, "2024-03-05", lag=2), "2024-03-06") == [
        'task "B" started 2024-03-05, before 2024-03-06, the earliest its predecessor "A" '
        "(start-to-start +2 working days) allows"]


def test_dependency_order_with_a_lead_counts_from_the_forecast_finish():
    # a: 3/1..3/10 (10 days), started 3/1, 80 % done as of 3/9: ES 8, 2 days left -> forecast 3/11.
    # b may start 2 days before a finishes (lag -2): 3/11 - 2 working days = 3/9.
    def c(b_start):
        return campaign(T("a", "2024-03-01", "2024-03-10", actual={"start": "2024-03-01"}, progress=80),
                        T("b", "2024-03-09", "2024-03-12", {"task": "a", "lag": -2}, actual={"start": b_start}))
    assert snap(c("2024-03-09"), "2024-03-09").task("a").forecast_finish == D("2024-03-11")
    assert _order(c("2024-03-09"), "2024-03-09") == []
    assert _order(c("2024-03-08"), "2024-03-09") == [
        'task "B" started 2024-03-08, before 2024-03-09, the earliest its predecessor "A" '
        "(finish-to-start \u22122 working days) allows"]


# -- validation -----------------------------------------------------------------------------------------

def _problems(*tasks, locale: str | None = None) -> list[str]:
    text = json.dumps(doc(*tasks), ensure_ascii=False)
    d = parse_yaml(text, "c.yaml")
    return [p.format_text().split(": ", 1)[1] for p in validate_document(d.data, d.source, locale)]


def test_validation_of_links():
    a = T("a", "2024-03-01", "2024-03-03")
    assert _problems(a, T("b", "2024-03-04", "2024-03-05", "a", {"task": "a", "lag": 1})) == [
        'error [duplicate-dependency] task "b" depends on "a" twice; keep one entry (with its lag and type)']
    assert _problems(a, T("b", "2024-03-04", "2024-03-05", {"task": "x", "type": "ss"})) == [
        'error [unknown-task] tasks[b].depends_on: "x" is not a task id']
    assert _problems(T("a", "2024-03-01", "2024-03-03", {"task": "b", "type": "ss"}),
                     T("b", "2024-03-04", "2024-03-05", {"task": "a", "lag": -3})) == [
        "error [dependency-cycle] dependency cycle: a -> b -> a (each depends on the next)"]
    assert _problems(a, T("b", "2024-03-04", "2024-03-05", {"task": "a", "lag": 2.5}, {"task": "a", "type": "ff"})) == [
        "error [schema] tasks[b].depends_on[0].lag: expected a whole number, got a number 2.5",
        'error [schema] tasks[b].depends_on[1].type: "ff" is not one of "fs", "ss"']
    assert _problems(a, T("b", "2024-03-04", "2024-03-05", {"lag": 2}, 7)) == [
        'error [schema] tasks[b].depends_on[0]: missing required key "task"',
        "error [schema] tasks[b].depends_on[1]: write a task id, or {task: ID, lag: N, type: fs|ss}"]
    assert _problems(a, T("b", "2024-03-04", "2024-03-05", {"task": "a", "lag": 1000})) == [
        "error [schema] tasks[b].depends_on[0].lag: 1000 is too large; it must be at most 999"]
    # in Chinese, the task named by its id
    assert _problems(a, T("b", "2024-03-04", "2024-03-05", "a", {"task": "a", "lag": 1}), locale="zh-CN") == [
        "错误 [duplicate-dependency] 任务“b”两次依赖“a”：只保留一项（连同它的间隔和类型）"]
    assert _problems(a, T("b", "2024-03-04", "2024-03-05", {"lag": 2}, 7), locale="zh-CN") == [
        "错误 [schema] 任务 b 的 depends_on[0]：缺少必填的键“task”",
        "错误 [schema] 任务 b 的 depends_on[1]：请写任务编号，或写成 {task: ID, lag: N, type: fs|ss}"]
    assert _problems(a, T("b", "2024-03-04", "2024-03-05", {"task": "a", "type": "ff"}), locale="zh-TW") == [
        "錯誤 [schema] 任務 b 的 depends_on[0].type：“ff”不是 “fs”、“ss” 之一"]


def test_an_unknown_task_in_a_link_points_at_its_task_key():
    text = ("ptrack: 1\ncampaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31}\ntasks:\n"
            "  - {id: a, name: A, planned: {start: 2024-03-01, end: 2024-03-02}}\n"
            "  - id: b\n    name: B\n    planned: {start: 2024-03-03, end: 2024-03-04}\n"
            "    depends_on:\n      - {task: aa, lag: 1}\n")
    d = parse_yaml(text, "c.yaml")
    [p] = validate_document(d.data, d.source)
    # line 9, column 16: the value of "task" in the mapping (a campaign without a locale: zh-CN)
    assert p.format_text() == "c.yaml:9:16: 错误 [unknown-task] 任务 b 的 depends_on：“aa”不是任务编号（是不是“a”？）"
    [p] = validate_document(d.data, d.source, "en")
    assert p.format_text() == ('c.yaml:9:16: error [unknown-task] tasks[b].depends_on: "aa" is not a task id '
                               '(did you mean "a"?)')
