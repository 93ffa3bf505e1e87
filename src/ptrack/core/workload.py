"""Workload: per person and ISO week, the working days of their open tasks against their capacity.

Pure functions, no clock. The model, as README "How ptrack computes" tells users:

* An open task (not started, in progress or delayed; not done, cancelled or on hold) takes its
  owner its ``allocation`` of each working day it is scheduled on (percent of a working day; by
  default 100 for work and events, 25 for a timebox: ``ptrack.core.kinds``), and each
  collaborator ``policy.collaborator_share`` of that (default 0.5). The days it is scheduled on
  are its forecast window from the schedule (earliest start to earliest finish; for a task on
  plan that is its planned window), from the day after D on: work already done is not load.
* A person's capacity is ``people.<id>.capacity`` working days a week (default 5, full time). A
  week has capacity x NWD(week) / 5: a week with a public holiday has less, a week with a make-up
  working day (调休) more, and the week of D counts only the days after D. So a full-time person
  carries one full-day task, or four timeboxes, on each working day.
* Over-allocated: load > capacity of that week.

Counting uses the calendar's running count: O(task-weeks) list lookups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Mapping

from ptrack.core.calendars import WorkCalendar

_EPS = 1e-9
_OPEN = ("not_started", "in_progress", "delayed")


@dataclass(frozen=True)
class Week:
    label: str  # ISO week, e.g. 2024-W18
    start: date  # its Monday
    working_days: int  # working days counted in it (the week of D: only the days after D)


@dataclass(frozen=True)
class PersonLoad:
    person: str  # a person id, or an owner's free text when the campaign has no people list
    capacity: float  # working days a full week
    load: tuple[float, ...]  # working days planned, per week
    available: tuple[float, ...]  # capacity x working days of the week / 5, per week
    over: Mapping[int, tuple[str, ...]]  # week index -> ids of the tasks counted that week, when over

    @property
    def total(self) -> float:
        return round(sum(self.load), 2)


@dataclass(frozen=True)
class Workload:
    weeks: tuple[Week, ...]
    people: tuple[PersonLoad, ...]
    collaborator_share: float

    @property
    def overallocated(self) -> tuple[PersonLoad, ...]:
        return tuple(p for p in self.people if p.over)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def compute_workload(people: Mapping, tasks: Iterable, as_of: date, cal: WorkCalendar,
                     share: float = 0.5) -> Workload:
    """``people``: the campaign's people (id -> ``model.Person``); ``tasks``: task snapshots
    (``compute.TaskSnapshot``, with their schedule)."""
    tomorrow = as_of + timedelta(days=1)
    spans: list[tuple[str, date, date, float, str]] = []  # (person, first, last, share of a day, task id)
    for ts in tasks:
        if ts.status.value not in _OPEN or ts.earliest_finish is None:
            continue
        first = max(ts.earliest_start or tomorrow, tomorrow)
        last = ts.earliest_finish
        if last < first:
            continue
        task = ts.task
        per_day = ts.allocation / 100.0
        if task.owner:
            spans.append((task.owner, first, last, per_day, task.id))
        for ref in dict.fromkeys(task.collaborators):
            if ref != task.owner:
                spans.append((ref, first, last, per_day * share, task.id))

    order = list(people)
    order += sorted({s[0] for s in spans} - set(order))
    if not spans:
        return Workload((), tuple(PersonLoad(pid, _capacity(people, pid), (), (), {}) for pid in order), share)

    first_day = min(s[1] for s in spans)
    last_day = max(s[2] for s in spans)
    monday0 = first_day - timedelta(days=first_day.weekday())
    n_weeks = (last_day - monday0).days // 7 + 1
    base, cum = cal.table(monday0 - timedelta(days=1), monday0 + timedelta(days=7 * n_weeks))
    b = base.toordinal()
    m0 = monday0.toordinal()

    weeks = []
    for k in range(n_weeks):
        mon = m0 + 7 * k
        lo = max(mon, tomorrow.toordinal())
        weeks.append(Week(iso_week(date.fromordinal(mon)), date.fromordinal(mon),
                          cum[mon + 6 - b] - cum[lo - 1 - b]))

    # working days x share of a day; the sums are rounded once, at the end (shares are
    # percents: at most a few decimals, so no drift reaches the second decimal)
    load = {pid: [0.0] * n_weeks for pid in order}
    cell_tasks: dict[str, dict[int, list[str]]] = {pid: {} for pid in order}
    for ref, first, last, per_day, tid in spans:
        days = load[ref]
        cells = cell_tasks[ref]
        lo, hi = first.toordinal(), last.toordinal()
        k = (lo - m0) // 7
        mon = m0 + 7 * k
        while mon <= hi:
            n = cum[min(hi, mon + 6) - b] - cum[max(lo, mon) - 1 - b]
            if n:
                days[k] += n * per_day
                if per_day > 0:
                    cells.setdefault(k, []).append(tid)
            k += 1
            mon += 7

    rows = []
    for pid in order:
        capacity = _capacity(people, pid)
        planned = [round(x, 6) for x in load[pid]]
        over = {k: tuple(dict.fromkeys(cell_tasks[pid][k])) for k in range(n_weeks)
                if planned[k] > capacity * weeks[k].working_days / 5 + _EPS}
        rows.append(PersonLoad(
            pid, capacity,
            tuple(round(x, 2) for x in planned),
            tuple(round(capacity * w.working_days / 5, 2) for w in weeks),
            over))
    return Workload(tuple(weeks), tuple(rows), share)


def _capacity(people: Mapping, pid: str) -> float:
    person = people.get(pid)
    return float(person.capacity) if person is not None else 5.0
