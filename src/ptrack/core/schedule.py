"""The forecast schedule of a campaign: forward and backward pass, total float, critical path.

Pure functions, no clock. ``compute_schedule`` works in working days of the campaign calendar
(a day is turned into its working-day ordinal once, then everything is integer arithmetic) and
visits every task and every ``depends_on`` edge a fixed number of times: O(V + E) after one
topological sort (Kahn's algorithm).

The model, as README "How ptrack computes" tells users:

* Forward pass (earliest start and finish) = the forecast. A task not started yet (nothing to
  show) runs its planned working days from the latest of its planned start, the day after D
  (when its start has passed) and the day after each predecessor's earliest finish. A task in
  progress started on its actual start and finishes at its own pace since then (DESIGN §4); its
  predecessors no longer hold it back (progress overrides logic). A done task sits on its actual
  dates. Cancelled and on-hold tasks are out of the network: no forecast, no float, and they hold
  nothing back.
* The campaign's forecast finish F is the latest earliest finish; the chain that drives it is the
  critical path.
* Backward pass (latest start and finish) from the anchor A = the earlier of the campaign end and
  F. Latest finish = min(A, the latest start of each successor not started yet); latest start =
  latest finish - the task's working days.
* Total float = latest finish - earliest finish, in working days. On plan or ahead (F <= end) the
  driving chain has float 0 and the others what they can slip before F moves. Forecast late
  (F > end), float is negative on every chain that ends past the campaign end: -3 means three
  working days must be won back on it to finish by the end. A task past its planned end is no
  exception: its float is measured from its forecast finish, not from its plan.
* Critical = float <= 0. Done, cancelled and on-hold tasks are never critical and have no float
  (``None``): nothing is left to slip.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Mapping, Sequence

from ptrack.core.calendars import WorkCalendar

_ONE = timedelta(days=1)
_EPS = 1e-9

# How a task takes part in the network (``TaskState.kind``).
NOT_STARTED = "not_started"  # open, nothing to show yet: its planned working days from its earliest start
STARTED = "started"  # open, actual progress > 0: at its own pace since its actual start
DONE = "done"  # fixed on its actual dates
OUT = "out"  # cancelled or on hold: no forecast


@dataclass(frozen=True)
class TaskState:
    """What the schedule needs to know of a task as of D (from compute)."""

    kind: str
    actual: float  # actual progress, %
    planned_days: int  # working days of the plan (calendar days when it has none)


@dataclass(frozen=True)
class TaskSchedule:
    earliest_start: date | None
    earliest_finish: date | None  # the task's forecast finish
    latest_start: date | None
    latest_finish: date | None
    float_days: int | None  # total float in working days; None for done, cancelled, on hold
    critical: bool


@dataclass(frozen=True)
class Schedule:
    tasks: Mapping[str, TaskSchedule]
    critical_path: tuple[str, ...]  # task ids from first to last
    finish: date | None  # the campaign's forecast finish F
    anchor: date | None  # where the backward pass starts: min(campaign end, F)


_NOTHING = TaskSchedule(None, None, None, None, None, False)


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
    dates: dict[str, tuple[date, date]] = {}  # (earliest start, earliest finish) as days
    fixed: dict[str, TaskSchedule] = {}  # done and out-of-network tasks
    successors: dict[str, list[str]] = defaultdict(list)  # edges that bind: into tasks not started
    done_finishes: list[date] = []

    for task in order:
        state = states[task.id]
        kind = state.kind
        if kind == OUT:
            start, finish = task.actual_start, task.actual_end
            fixed[task.id] = TaskSchedule(start, finish, None, None, None, False)
            continue
        if kind == DONE:
            finish = task.actual_end if task.actual_end is not None and task.actual_end <= as_of else as_of
            start = task.actual_start if task.actual_start is not None and task.actual_start <= finish \
                else min(task.planned_start, finish)
            ef[task.id] = w.of(finish)
            fixed[task.id] = TaskSchedule(start, finish, None, None, None, False)
            done_finishes.append(finish)
            continue
        if kind == STARTED:
            began = task.actual_start if task.actual_start and task.actual_start <= as_of \
                else min(task.planned_start, as_of)
            before = w.of(began - _ONE)
            elapsed = max(1, today - before)  # NWD(began, D)
            pace = state.actual / elapsed  # points per working day
            remaining = math.ceil((100.0 - state.actual) / pace - _EPS)
            es[task.id] = before
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
        for dep in task.depends_on:
            if dep in ef:  # done or open predecessors; cancelled and on-hold ones hold nothing back
                start = max(start, ef[dep])
                if dep not in fixed:
                    successors[dep].append(task.id)
        es[task.id] = start
        ef[task.id] = start + max(1, state.planned_days)
        dates[task.id] = (w.day(start + 1), w.day(ef[task.id]))

    # F: the latest forecast finish of an open task or actual end of a done one (what compute
    # reports as the campaign's forecast finish).
    finish_day = max([f for _, f in dates.values()] + done_finishes, default=None)
    if finish_day is None:
        return Schedule({t.id: fixed.get(t.id, _NOTHING) for t in tasks}, (), None, None)
    anchor = min(end, finish_day)
    a = w.of(anchor)

    lf: dict[str, int] = {}
    ls: dict[str, int] = {}
    for task in reversed(order):
        tid = task.id
        if tid not in dates:
            continue
        latest = a
        for nxt in successors.get(tid, ()):
            if ls[nxt] < latest:
                latest = ls[nxt]
        lf[tid] = latest
        ls[tid] = latest - (ef[tid] - es[tid])

    out: dict[str, TaskSchedule] = {}
    for task in tasks:
        tid = task.id
        if tid not in dates:
            out[tid] = fixed.get(tid, _NOTHING)
            continue
        slack = lf[tid] - ef[tid]
        start, finish = dates[tid]
        out[tid] = TaskSchedule(start, finish, w.day(ls[tid] + 1), w.day(lf[tid]), slack, slack <= 0)
    return Schedule(out, _critical_path(tasks, dates, es, ef, lf, states), finish_day, anchor)


def _critical_path(tasks: Sequence, dates, es, ef, lf, states) -> tuple[str, ...]:
    """The chain that drives the forecast finish: from the first open task with the latest
    earliest finish (file order breaks ties), back through the predecessor that holds it back
    (its earliest finish is the task's earliest start; the first in ``depends_on`` on a tie)."""
    by_id = {t.id: t for t in tasks}
    open_ids = [t.id for t in tasks if t.id in dates]
    if not open_ids:
        return ()
    last = max(ef[tid] for tid in open_ids)
    tid = next(tid for tid in open_ids if ef[tid] == last)
    slack = lf[tid] - ef[tid]
    chain = [tid]
    seen = {tid}
    while states[tid].kind == NOT_STARTED:
        driver = None
        for dep in by_id[tid].depends_on:
            if dep in dates and dep not in seen and ef[dep] == es[tid] and lf[dep] - ef[dep] == slack:
                driver = dep
                break
        if driver is None:
            break
        chain.append(driver)
        seen.add(driver)
        tid = driver
    return tuple(reversed(chain))
