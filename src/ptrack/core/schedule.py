"""The forecast schedule of a campaign: forward and backward pass, total float, critical path.

Pure functions, no clock. ``compute_schedule`` works in working days of the campaign calendar
(a day is turned into its working-day ordinal once, then everything is integer arithmetic) and
visits every task and every ``depends_on`` edge a fixed number of times: O(V + E) after one
topological sort (Kahn's algorithm).

The model, as README "How ptrack computes" tells users. How an open task is placed depends on
its kind (``ptrack.core.kinds``: ``TaskState.mode``) and on whether it has started:

* Not started yet (nothing to show), work or timebox: its planned working days from the latest
  of its planned start, the day after D (when its start has passed) and what each predecessor
  allows (``depends_on``, ``model.Dependency``): finish-to-start with a lag of L working days,
  the (L + 1)-th working day after the predecessor's earliest finish; start-to-start, the L-th
  working day after its earliest start (the same day for L = 0); a negative L is a lead. In
  ordinals (below): ES(task) >= EF(pred) + L, or ES(pred) + L for start-to-start. Method ``plan``.
* Started work (``REMAINING``): it started on its actual start and its predecessors no longer
  hold it back (progress overrides logic). By default (``policy.forecast: schedule``) the
  remaining work runs at the planned pace from D: the earned schedule ES = actual% x planned
  working days, finish = D + ceil(planned working days - ES) working days (method ``schedule``;
  MS Project's rescheduling from a status date). With ``policy.forecast: pace`` it runs at its
  own pace since its actual start (method ``pace``), unless it is stale (``TaskState.stale``: no
  change in git for ``stale_after_days``): then ``schedule``, and the snapshot marks it stale.
* Started timebox (``WINDOW``): its planned window moved by its start slip, the working days
  between its planned and its actual start (method ``window``); never extrapolated from a pace.
  A window that has passed with the task still open ends the next working day after D.
* Event (``FIXED``), open: its planned dates, always (method ``fixed``). It is never pushed by
  its predecessors and so never pushes its successors or the campaign forecast. While its first
  day is still after D, a predecessor that lets it start only after that day (its earliest finish
  on or after it, or later with the link's lag and type, as above) is an ``EventClash``, which
  the ``event-at-risk`` rule reports, and in the backward pass the event's latest start is at
  most its fixed start, so such a predecessor has negative float. Once the
  event's day has come it binds nothing: it happened, or is late (``task-overdue`` says so).
* A done task sits on its actual dates (method ``actual``). Cancelled and on-hold tasks are out
  of the network: no forecast, no float, and they hold nothing back.
* The campaign's forecast finish F is the latest finish; the task that has it is the ``driver``
  (the first in file order on a tie; an open task before a done one), and the chain that leads
  to it is the critical path.
* Backward pass (latest start and finish) from the anchor A = the earlier of the campaign end and
  F. Latest finish = min(A, what each successor not started yet allows: its latest start - L for
  a finish-to-start link with lag L, its latest start - L + the task's own working days for a
  start-to-start one); latest start = latest finish - the task's working days (for an event, at
  most its fixed start). A link's lag and type thus bind the same way in both passes.
* Total float = latest finish - earliest finish, in working days. On plan or ahead (F <= end) the
  driving chain has float 0 and the others what they can slip before F moves. Forecast late
  (F > end), float is negative on every chain that ends past the campaign end: -3 means three
  working days must be won back on it to finish by the end. A task past its planned end is no
  exception: its float is measured from its forecast finish, not from its plan.
* Critical = float <= 0. Done, cancelled and on-hold tasks and events are never critical and have
  no float (``None``): nothing is left to slip, or nothing can. A task whose latest finish is set
  by an event's date (``held_by``) is measured against that date, not the campaign end.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Mapping, Sequence

from ptrack.core import kinds
from ptrack.core.calendars import WorkCalendar
from ptrack.core.model import FS, SS, Dependency

_ONE = timedelta(days=1)
_EPS = 1e-9

# How a task takes part in the network (``TaskState.kind``).
NOT_STARTED = "not_started"  # open, nothing to show yet: its planned working days from its earliest start
STARTED = "started"  # open, started: placed by its mode
DONE = "done"  # fixed on its actual dates
OUT = "out"  # cancelled or on hold: no forecast

# How a task's forecast finish was found (``TaskSchedule.method``, the snapshot's forecast_method).
ACTUAL = "actual"  # done: its actual end
PLAN = "plan"  # not started: its planned working days from its earliest start
SCHEDULE = "schedule"  # started work: the remaining work at the planned pace (earned schedule)
PACE = "pace"  # started work: its own pace (policy.forecast: pace)
WINDOW = "window"  # started timebox: its planned window moved by its start slip
FIXED = "fixed"  # event: its planned dates


@dataclass(frozen=True)
class TaskState:
    """What the schedule needs to know of a task as of D (from compute)."""

    kind: str  # NOT_STARTED | STARTED | DONE | OUT
    actual: float  # actual progress, %
    planned_days: int  # working days of the plan (calendar days when it has none)
    mode: str = kinds.REMAINING  # how it runs once started: its kind's ``Kind.schedule``
    pace: bool = False  # started work: at its own pace (policy.forecast: pace and not stale)


@dataclass(frozen=True)
class TaskSchedule:
    earliest_start: date | None
    earliest_finish: date | None  # the task's forecast finish
    latest_start: date | None
    latest_finish: date | None
    float_days: int | None  # total float in working days; None for done, cancelled, on hold
    critical: bool
    method: str | None = None  # how earliest_finish was found (ACTUAL, PLAN, ...); None when out
    held_by: str | None = None  # the fixed-date event whose date sets latest_finish (None: the anchor)


@dataclass(frozen=True)
class EventClash:
    """An open predecessor that, as forecast, lets a fixed-date event start only after its first
    day: it finishes on or after that day (finish-to-start, no lag), or later with the link's lag
    and type (``lag``, ``type``)."""

    event: str  # the event's task id
    predecessor: str  # the predecessor's task id
    finish: date  # the predecessor's forecast finish
    days: int  # working days of the clash: how many working days too late the event could start, at least 1
    lag: int = 0  # the link's lag in working days
    type: str = FS  # the link's type: FS or SS
    start: date | None = None  # the predecessor's forecast start (what a start-to-start link counts from)


@dataclass(frozen=True)
class Schedule:
    tasks: Mapping[str, TaskSchedule]
    critical_path: tuple[str, ...]  # task ids from first to last
    finish: date | None  # the campaign's forecast finish F
    anchor: date | None  # where the backward pass starts: min(campaign end, F)
    driver: str | None = None  # the task whose finish is F
    clashes: tuple[EventClash, ...] = ()  # in file order of the events, then of their depends_on


_NOTHING = TaskSchedule(None, None, None, None, None, False)

# Which task is the driver when several finish on F: deliverable work (what is left to do sets
# the date), then an event (the campaign ends with it), then a timebox (its window just ends there).
_DRIVER_RANK = {kinds.REMAINING: 0, kinds.FIXED: 1, kinds.WINDOW: 2}

# Percentages are shown (and judged) to one decimal. In working days of a task of n days, that
# rounding is worth at most n x 0.0005: ``snap`` takes it off before whole days are counted.
ROUNDING = 0.0005


def snap(days: float, n: int) -> float:
    """``days`` (worked out from a percentage shown to one decimal, of a task of ``n`` working
    days) set to the whole number it differs from by no more than that rounding: a flight at
    1/21 = 4.76 %, shown 4.8 %, has earned 4.8 % x 21 = 1.008 days, which is 1 day."""
    whole = round(days)
    return float(whole) if abs(days - whole) <= n * ROUNDING + _EPS else days


def topological_order(tasks: Iterable) -> list:
    """Tasks with predecessors first (Kahn); input order breaks ties. Validation rejects cycles."""
    tasks = list(tasks)
    by_id = {t.id: t for t in tasks}
    indegree: dict[str, int] = {}
    successors: dict[str, list[str]] = defaultdict(list)
    for t in tasks:
        n = 0
        for d in t.depends_on:
            if d in by_id:
                successors[d].append(t.id)
                n += 1
        indegree[t.id] = n
    ready = [t.id for t in tasks if indegree[t.id] == 0]
    out = []
    i = 0
    while i < len(ready):
        tid = ready[i]
        i += 1
        out.append(by_id[tid])
        for nxt in successors.get(tid, ()):
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    if len(out) < len(tasks):  # a cycle slipped through: keep the rest in file order
        seen = {t.id for t in out}
        out.extend(t for t in tasks if t.id not in seen)
    return out


class _Ordinals:
    """Days as working-day ordinals from an origin: W(d) = NWD(origin, d), negative before the
    origin, so that W(b) - W(a) = NWD(a + 1, b) for any a <= b. A task that starts on day s and
    finishes on day f has started after W(s - 1) working days and is done after W(f).

    Reads the calendar's running count directly (one list index per day, one bisect per ordinal)
    over the years of the campaign; a day outside them extends the table and reads it again."""

    def __init__(self, cal: WorkCalendar, origin: date, last: date):
        self.cal = cal
        self.origin = origin
        self._days: dict[int, date] = {}  # tasks share their dates: each ordinal is looked up once
        self._load(origin - _ONE, last)

    def _load(self, first: date, last: date) -> None:
        base, cum = self.cal.table(first, last)
        self._base = base.toordinal()
        self._cum = cum
        i = self.origin.toordinal() - self._base
        self._zero = cum[i - 1] if i > 0 else 0  # the running count on the day before the origin

    def of(self, day: date) -> int:
        i = day.toordinal() - self._base
        if 0 <= i < len(self._cum):
            return self._cum[i] - self._zero
        if day >= self.origin:
            self._load(self.origin - _ONE, day)
            return self.of(day)
        return -self.cal.count(day + _ONE, self.origin - _ONE)

    def day(self, k: int) -> date:
        """The working day on which W reaches k (the k-th working day from the origin)."""
        found = self._days.get(k)
        if found is None:
            found = self._days[k] = self._day(k)
        return found

    def _day(self, k: int) -> date:
        cum = self._cum
        target = k + self._zero
        if 0 < target <= cum[-1]:
            return date.fromordinal(self._base + bisect_left(cum, target))
        if k >= 1:
            found = self.cal.nth_working_day(self.origin, k)
            self._load(self.origin - _ONE, found)
            return found
        return self.cal.nth_working_day_back(self.origin - _ONE, 1 - k)


def compute_schedule(tasks: Sequence, states: Mapping[str, TaskState], as_of: date, cal: WorkCalendar,
                     end: date, origin: date | None = None) -> Schedule:
    """Forward pass, backward pass, float and critical path of ``tasks`` (``model.Task``) as of D.

    ``states[task.id]`` says how each task stands; ``end`` is the campaign's planned end."""
    order = topological_order(tasks)
    first = origin or min((t.planned_start for t in tasks), default=as_of)
    w = _Ordinals(cal, first, max(end, as_of, max((t.planned_end for t in tasks), default=as_of)))
    today = w.of(as_of)
    es: dict[str, int] = {}  # earliest start: working days done before the task starts
    ef: dict[str, int] = {}  # earliest finish: working days done when it finishes

    def allows(dep: Dependency) -> int | None:
        """What ES of a successor must be at least, by its link ``dep``; None when the
        predecessor holds nothing back (cancelled, on hold)."""
        if dep.task not in ef:
            return None
        return (es[dep.task] if dep.type == SS else ef[dep.task]) + dep.lag

    dates: dict[str, tuple[date, date]] = {}  # (earliest start, earliest finish) of open tasks, as days
    methods: dict[str, str] = {}
    fixed: dict[str, TaskSchedule] = {}  # done and out-of-network tasks
    # edges that bind (into tasks not started, events to come): predecessor -> [(successor, link)]
    successors: dict[str, list[tuple[str, Dependency]]] = defaultdict(list)
    done_finishes: dict[str, date] = {}
    events: list = []  # open events, for their clashes once every predecessor is placed

    for task in order:
        state = states[task.id]
        kind = state.kind
        if kind == OUT:
            fixed[task.id] = TaskSchedule(task.actual_start, task.actual_end, None, None, None, False)
            continue
        if kind == DONE:
            finish = task.actual_end if task.actual_end is not None and task.actual_end <= as_of else as_of
            start = task.actual_start if task.actual_start is not None and task.actual_start <= finish \
                else min(task.planned_start, finish)
            es[task.id] = w.of(start - _ONE)
            ef[task.id] = w.of(finish)
            fixed[task.id] = TaskSchedule(start, finish, None, None, None, False, ACTUAL)
            done_finishes[task.id] = finish
            continue
        if state.mode == kinds.FIXED:
            # An event: its planned dates, whatever its predecessors do (they are checked below).
            es[task.id] = w.of(task.planned_start - _ONE)
            ef[task.id] = max(es[task.id], w.of(task.planned_end))
            dates[task.id] = (task.planned_start, task.planned_end)
            methods[task.id] = FIXED
            if task.planned_start > as_of:  # still ahead: its predecessors must be done in time
                for dep in task.dependencies:
                    if dep.task in ef and dep.task not in fixed:
                        successors[dep.task].append((task.id, dep))
                events.append(task)
            continue
        if kind == STARTED:
            began = task.actual_start if task.actual_start and task.actual_start <= as_of \
                else min(task.planned_start, as_of)
            before = w.of(began - _ONE)
            es[task.id] = before
            if state.mode == kinds.WINDOW:
                # its planned end moved by its start slip (the working days between its planned and
                # actual start; negative when it started early); a window that has passed with the
                # task still open ends the next working day after D
                finish = max(w.of(task.planned_end) + before - w.of(task.planned_start - _ONE), today + 1)
                ef[task.id] = finish
                dates[task.id] = (began, _window_day(task, began, finish, w, cal))
                methods[task.id] = WINDOW
                continue
            if state.pace:
                elapsed = max(1, today - before)  # NWD(began, D)
                rate = state.actual / elapsed  # points per working day
                remaining = math.ceil((100.0 - state.actual) / rate - _EPS)
                methods[task.id] = PACE
            else:  # the earned schedule: the work left at the planned pace, in whole working
                # days; the actual % is shown to one decimal, and what that rounding adds
                # (at most 0.05 points of the work) never costs a day
                n = max(1, state.planned_days)
                remaining = math.ceil(snap(n * (100.0 - state.actual) / 100.0, n) - _EPS)
                methods[task.id] = SCHEDULE
            if remaining > 0:
                ef[task.id] = today + remaining
                dates[task.id] = (began, w.day(today + remaining))
            else:
                ef[task.id] = today
                dates[task.id] = (began, as_of)
            continue
        # Not started, or started with nothing to show: the whole planned duration from the
        # earliest day it can run.
        start = w.of(task.planned_start - _ONE)
        if task.planned_start <= as_of:
            start = max(start, today)
        for dep in task.dependencies:
            bound = allows(dep)  # done or open predecessors; cancelled and on-hold ones hold nothing back
            if bound is not None:
                start = max(start, bound)
                if dep.task not in fixed:
                    successors[dep.task].append((task.id, dep))
        es[task.id] = start
        ef[task.id] = start + max(1, state.planned_days)
        dates[task.id] = (w.day(start + 1), w.day(ef[task.id]))
        methods[task.id] = PLAN

    position = {t.id: i for i, t in enumerate(tasks)} if events else {}
    clashes = tuple(EventClash(ev.id, dep.task, dates[dep.task][1], allows(dep) - es[ev.id], dep.lag, dep.type,
                               dates[dep.task][0])
                    for ev in sorted(events, key=lambda t: position[t.id])
                    for dep in ev.dependencies if dep.task in dates and allows(dep) > es[ev.id])

    # F: the latest forecast finish of an open task or actual end of a done one (what compute
    # reports as the campaign's forecast finish).
    finish_day = max([f for _, f in dates.values()] + list(done_finishes.values()), default=None)
    if finish_day is None:
        return Schedule({t.id: fixed.get(t.id, _NOTHING) for t in tasks}, (), None, None)
    driver = min((t for t in tasks if t.id in dates and dates[t.id][1] == finish_day),
                 key=lambda t: _DRIVER_RANK[states[t.id].mode], default=None)
    driver = driver.id if driver is not None else next(t.id for t in tasks if done_finishes.get(t.id) == finish_day)
    anchor = min(end, finish_day)
    a = w.of(anchor)

    lf: dict[str, int] = {}
    ls: dict[str, int] = {}
    held: dict[str, str | None] = {}  # the event whose date bounds the latest finish, if any
    for task in reversed(order):
        tid = task.id
        if tid not in dates:
            continue
        latest = a
        held[tid] = None
        length = ef[tid] - es[tid]
        for nxt, dep in successors.get(tid, ()):
            bound = ls[nxt] - dep.lag + (length if dep.type == SS else 0)
            if bound < latest:
                latest = bound
                held[tid] = nxt if methods[nxt] == FIXED else held[nxt]
        lf[tid] = latest
        ls[tid] = latest - length
        if methods[tid] == FIXED:  # an event cannot start later than its date
            ls[tid] = min(ls[tid], es[tid])

    out: dict[str, TaskSchedule] = {}
    for task in tasks:
        tid = task.id
        if tid not in dates:
            out[tid] = fixed.get(tid, _NOTHING)
            continue
        start, finish = dates[tid]
        if methods[tid] == FIXED:  # an event cannot slip at all: its dates, no float
            out[tid] = TaskSchedule(start, finish, start, finish, None, False, FIXED)
            continue
        slack = lf[tid] - ef[tid]
        out[tid] = TaskSchedule(start, finish, w.day(ls[tid] + 1), w.day(lf[tid]), slack, slack <= 0, methods[tid],
                                held[tid])
    path = _critical_path(tasks, driver, dates, es, lf, states, ef, allows) if driver in dates else ()
    return Schedule(out, path, finish_day, anchor, driver, clashes)


def _window_day(task, began: date, finish: int, w: _Ordinals, cal: WorkCalendar) -> date:
    """The day of a started timebox's earliest finish. A window with no working day at all (a
    weekend flight) moves by calendar days instead."""
    if cal.count(task.planned_start, task.planned_end):
        return w.day(finish)
    return max(task.planned_end + (began - task.planned_start), began)


def _critical_path(tasks: Sequence, driver: str, dates, es, lf, states, ef, allows) -> tuple[str, ...]:
    """The chain that drives the forecast finish: from the ``driver`` (the open task that
    finishes last), back through the predecessor that holds it back (what its link allows is
    the task's earliest start, with the same float; the first in ``depends_on`` on a tie)."""
    by_id = {t.id: t for t in tasks}
    tid = driver
    slack = lf[tid] - ef[tid]
    chain = [tid]
    seen = {tid}
    while states[tid].kind == NOT_STARTED and states[tid].mode != kinds.FIXED:
        driver = None
        for dep in by_id[tid].dependencies:
            pred = dep.task
            if pred in dates and pred not in seen and allows(dep) == es[tid] and lf[pred] - ef[pred] == slack:
                driver = pred
                break
        if driver is None:
            break
        chain.append(driver)
        seen.add(driver)
        tid = driver
    return tuple(reversed(chain))
