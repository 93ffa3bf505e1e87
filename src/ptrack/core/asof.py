"""An honest as-of: as of D, every fact dated after D is not yet known. One rule, in one place.

``known_on(campaign, D, record)`` is the campaign as it could be known at the end of D, and
``compute_snapshot`` computes from nothing else, so ``status``, ``check``, ``build``, ``notify``,
``export``, ``history`` and ``retro`` agree by construction. Pure: no clock, no I/O. What git
says (the version committed by D, when each task last changed) comes in as a ``Record``, which
``ptrack.git.asof`` reads; without one the file is all there is.

* Dated facts after D are dropped: actual starts and ends, milestone achievements (with the
  results recorded at them), risk resolutions and goal measurements.
* Progress (``progress``, ``quantity``, ``deliverables``) and a declared ``status`` carry no
  date. When the file changed after D and git has the version committed by D, they are that
  version's (a task that version does not have has nothing recorded). Otherwise they are the
  file's -- the latest recorded -- with two corrections that the dated facts force: a task whose
  actual start is after D had not started (nothing recorded yet), and a task whose actual end is
  after D was not done: it stands at the elapsed working-day share of its actual span (start to
  end), at most its recorded progress.
* ``Known.source`` says where progress came from: ``git`` (the version committed by D), ``file``
  (the file, and nothing in it is dated after D) or ``latest`` (the file's progress, recorded
  after D: the commands print one notice saying so).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Mapping

from ptrack.core.calendars import WorkCalendar
from ptrack.core.kinds import recorded_progress, span_share
from ptrack.core.model import Campaign, Deliverable, Risk, Task

GIT = "git"  # progress from the version committed by D
FILE = "file"  # progress from the file, which holds nothing dated after D
LATEST = "latest"  # the file's progress, recorded after D (no version by D to read it from)


@dataclass(frozen=True)
class Record:
    """What the repository says of a campaign file as of D (``ptrack.git.asof.record_of``).

    ``campaign``: the version committed by the end of D, when the file changed after D (None when
    the file is that version, or git has none by D). ``later``: the file changed after D and git
    has no version by D. ``last_changed``: task id -> the day its entry last changed by D (the
    tasks asked about; see ``ptrack.git.asof``)."""

    campaign: Campaign | None = None
    later: bool = False
    last_changed: Mapping[str, date] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Known:
    campaign: Campaign  # as it could be known at the end of D
    source: str  # GIT | FILE | LATEST: where progress came from


def known_on(campaign: Campaign, as_of: date, record: Record | None = None) -> Known:
    """The campaign as known at the end of ``as_of`` (the same object when nothing changes)."""
    recorded = record.campaign if record is not None else None
    cal = campaign.work_calendar
    later = False  # the file holds a fact dated after D
    recorded_tasks = {t.id: t for t in recorded.tasks} if recorded is not None else None
    tasks = []
    for task in campaign.tasks:
        new, after = _task_known(task, as_of, cal, recorded_tasks)
        later = later or after
        tasks.append(new)
    milestones = []
    for m in campaign.milestones:
        if m.achieved is not None and m.achieved > as_of:
            later = True
            m = dataclasses.replace(m, achieved=None, results=MappingProxyType({}))
        milestones.append(m)
    goals = []
    for g in campaign.goals:
        kept = tuple(x for x in g.measurements if x.date <= as_of)
        if len(kept) != len(g.measurements):
            later = True
            g = dataclasses.replace(g, measurements=kept)
        goals.append(g)
    risks, after = _risks_known(campaign.risks, as_of)
    later = later or after
    if recorded is not None:
        source = GIT
    elif later or (record is not None and record.later):
        source = LATEST
    else:
        source = FILE
    changed = (any(a is not b for a, b in zip(tasks, campaign.tasks))
               or any(a is not b for a, b in zip(milestones, campaign.milestones))
               or any(a is not b for a, b in zip(goals, campaign.goals)) or risks is not campaign.risks)
    if not changed:
        return Known(campaign, source)
    return Known(dataclasses.replace(campaign, tasks=tuple(tasks), milestones=tuple(milestones),
                                     goals=tuple(goals), risks=risks), source)


def _risks_known(risks: tuple[Risk, ...], as_of: date) -> tuple[tuple[Risk, ...], bool]:
    if not any(r.resolved_on is not None and r.resolved_on > as_of for r in risks):
        return risks, False
    return tuple(dataclasses.replace(r, resolved=False, resolved_on=None)
                 if r.resolved_on is not None and r.resolved_on > as_of else r for r in risks), True


def _nothing_recorded(task: Task) -> dict:
    """Progress fields as they stand before anything is recorded: no progress, nothing done."""
    return {"progress": None,
            "quantity": dataclasses.replace(task.quantity, done=0.0) if task.quantity is not None else None,
            "deliverables": tuple(Deliverable(d.name, False, d.link) for d in task.deliverables)}


def _task_known(task: Task, as_of: date, cal: WorkCalendar,
                recorded: Mapping[str, Task] | None) -> tuple[Task, bool]:
    """(the task as known at the end of D, whether the file records a fact about it after D)."""
    changes: dict = {}
    start_after = task.actual_start is not None and task.actual_start > as_of
    end_after = task.actual_end is not None and task.actual_end > as_of
    later = start_after or end_after
    if recorded is not None:
        old = recorded.get(task.id)
        if old is None:
            changes.update(_nothing_recorded(task))
        else:
            changes.update(progress=old.progress, quantity=old.quantity, deliverables=old.deliverables,
                           status=old.status)
    elif start_after:
        changes.update(_nothing_recorded(task))
    elif end_after:
        changes.update(progress=_share_of_actual_span(task, as_of, cal), quantity=task.quantity,
                       deliverables=task.deliverables)
    if start_after:
        changes["actual_start"] = None
    if end_after:
        changes["actual_end"] = None
    risks, risks_after = _risks_known(task.risks, as_of)
    if risks_after:
        changes["risks"] = risks
    later = later or risks_after
    if not changes or all(getattr(task, k) == v for k, v in changes.items()):
        return task, later
    return dataclasses.replace(task, **changes), later


def _share_of_actual_span(task: Task, as_of: date, cal: WorkCalendar) -> float:
    """A task that ended after D, as of D: the elapsed working-day share of its actual span
    (its actual start, else its planned start, to its actual end), at most its recorded progress
    (100 when it records none: it was all done by its end). Calendar days when the span has no
    working day."""
    recorded = recorded_progress(task)
    share = span_share(task.actual_start or task.planned_start, task.actual_end, as_of, cal)
    return round(min(share, 100.0 if recorded is None else recorded), 6)


__all__ = ["Record", "Known", "known_on", "GIT", "FILE", "LATEST"]
