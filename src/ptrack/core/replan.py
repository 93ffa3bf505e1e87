"""Re-planning a task and the successors that must move with it (``ptrack update --planned-end D
--cascade``): a pure function from the campaign and the move to the moves it forces.

The rules, as README "Successors that move" tells users:

* The task named gets its new planned dates. ``--planned-end`` alone moves its end (it takes
  longer or shorter); ``--planned-start`` alone moves the whole task, keeping its working days
  (its end follows); both set both.
* A successor moves only when a task that moved forces it: a link lets it start on the working
  day ``lag + 1`` working days after the predecessor's planned end (finish-to-start), or ``lag``
  working days after its planned start (start-to-start), counted as the schedule counts them
  (``ptrack.core.schedule``: ES >= EF + lag, or ES(pred) + lag). When its planned start is
  already that late or later, it does not move: its float absorbs the move. Nothing moves
  earlier: moving a task earlier moves nothing after it.
* A successor that moves keeps its working days (its end is the same number of working days
  after its new start; a task without any working day keeps its calendar days), and starts on
  the first working day its predecessors allow. It then forces its own successors, transitively,
  in one pass in topological order.
* Started and done tasks (an actual start or end on or before D, or recorded progress) do not
  move: each is a conflict, with the start the move asks of it. Fixed-date events
  (``kind: event``) never move: each is an event conflict, which the ``event-at-risk`` check
  reports once the move is made. On-hold tasks do not move either (a conflict); cancelled tasks
  are out of the plan. Nothing moves past a task that does not move.
* Tasks the moved task does not reach are never touched.
* The campaign window does not move (its end is a commitment, not a consequence): the tasks that
  now end after it are listed (``Replan.past_end``), as ``outside-window`` will say.

Without ``cascade`` only the task named moves; its direct successors whose plan it breaks are
still worked out, so that the command can say which ones: those a cascade would move
(``Replan.broken``), and the conflicts (started, events, on hold) that no cascade moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ptrack.core.calendars import WorkCalendar, working_days_between
from ptrack.core.kinds import recorded_progress
from ptrack.core.model import EVENT, SS, Campaign, DeclaredStatus, Dependency, Task
from ptrack.core.schedule import topological_order

# Why a successor that should move does not (``Conflict.why``).
STARTED = "started"  # it has started (or is done): its dates are history, not plan
EVENT_FIXED = "event"  # a fixed-date event: never moved; event-at-risk reports it
ON_HOLD = "on_hold"  # paused by decision: re-planned when it is resumed


@dataclass(frozen=True)
class Move:
    """A task whose planned dates change."""

    task: str
    name: str
    old_start: date
    old_end: date
    new_start: date
    new_end: date
    days: int  # working days its end moved (signed)
    by: str | None = None  # the predecessor that forced it (None: the task named)
    link: Dependency | None = None  # the link through which ``by`` forced it


@dataclass(frozen=True)
class Conflict:
    """A successor the move forces later that does not move (``why``)."""

    task: str
    name: str
    why: str  # STARTED | EVENT_FIXED | ON_HOLD | MOVE
    planned_start: date
    needed: date  # the first day its moved predecessors allow it to start
    days: int  # working days between its planned start and ``needed``
    by: str  # the predecessor that forces it
    link: Dependency


@dataclass(frozen=True)
class Replan:
    root: Move  # the task named (``days`` 0 and equal dates: it already had them)
    moves: tuple[Move, ...]  # the successors moved, in topological order (empty without cascade)
    conflicts: tuple[Conflict, ...]  # successors forced later that do not move, in topological order
    broken: tuple[Conflict, ...]  # without cascade: the successors a cascade would move (why MOVE)
    cascade: bool
    campaign_end: date | None = None

    @property
    def all_moves(self) -> tuple[Move, ...]:
        return ((self.root,) if self.root.old_start != self.root.new_start or self.root.old_end != self.root.new_end
                else ()) + self.moves

    @property
    def past_end(self) -> tuple[Move, ...]:
        """The moves that take a task past the campaign end (it ended on or before it)."""
        end = self.campaign_end
        return () if end is None else tuple(m for m in self.all_moves if m.new_end > end >= m.old_end)


MOVE = "move"  # Conflict.why in ``Replan.broken``: a successor a cascade would move


def started(task: Task, as_of: date) -> bool:
    """Has ``task`` started by the end of D, by what the file records: an actual start or end on
    or before D, or progress."""
    if task.actual_start is not None and task.actual_start <= as_of:
        return True
    if task.actual_end is not None and task.actual_end <= as_of:
        return True
    return (recorded_progress(task) or 0) > 0


def keep_span(cal: WorkCalendar, old_start: date, old_end: date, new_start: date) -> date:
    """The end of a task that moves to ``new_start`` and keeps its working days, counted from
    the first working day on or after ``new_start`` (its calendar days when it has no working
    day)."""
    n = cal.count(old_start, old_end)
    if n == 0:
        return new_start + (old_end - old_start)
    return cal.shift(_working_on_or_after(cal, new_start), n - 1)


def earliest_start(cal: WorkCalendar, dep: Dependency, start: date, end: date) -> date:
    """The first day a link ``dep`` lets its successor start, from its predecessor's planned
    ``start`` and ``end``: the working day numbered W(end) + lag + 1 (finish-to-start) or
    W(first working day from start) + lag (start-to-start), where W counts working days."""
    if dep.type == SS:
        first = _working_on_or_after(cal, start)
        return cal.shift(first, dep.lag)
    last = _working_on_or_before(cal, end)
    return cal.shift(last, dep.lag + 1)


def _working_on_or_after(cal: WorkCalendar, day: date) -> date:
    return day if cal.is_working_day(day) else cal.shift(day, 1)


def _working_on_or_before(cal: WorkCalendar, day: date) -> date:
    return day if cal.is_working_day(day) else cal.shift(day, -1)


def plan_replan(campaign: Campaign, task_id: str, *, start: date | None = None, end: date | None = None,
                as_of: date, cascade: bool = False) -> Replan:
    """What moving ``task_id`` to ``start``/``end`` does (see the module docstring). The task
    must exist (the editor checks it first)."""
    cal = campaign.work_calendar
    by_id = {t.id: t for t in campaign.tasks}
    root = by_id[task_id]
    if start is not None and end is None:
        new_start = start
        new_end = keep_span(cal, root.planned_start, root.planned_end, start)
    else:
        new_start = start if start is not None else root.planned_start
        new_end = end if end is not None else root.planned_end
    root_move = Move(root.id, root.name, root.planned_start, root.planned_end, new_start, new_end,
                     working_days_between(cal, root.planned_end, new_end))
    dates = {root.id: (new_start, new_end)}  # the tasks that moved (and can force others)
    moves: list[Move] = []
    conflicts: list[Conflict] = []
    broken: list[Conflict] = []
    for task in topological_order(campaign.tasks):
        if task.id == root.id or task.status is DeclaredStatus.CANCELLED:
            continue
        needed: date | None = None
        forced_by: Dependency | None = None
        for dep in task.dependencies:
            if dep.task not in dates:
                continue
            allowed = earliest_start(cal, dep, *dates[dep.task])
            if needed is None or allowed > needed:
                needed, forced_by = allowed, dep
        if needed is None or needed <= task.planned_start:
            continue  # not reached, or its float absorbs the move (nothing moves earlier)
        days = cal.count(task.planned_start, needed - timedelta(days=1)) or 1
        why = (EVENT_FIXED if task.kind == EVENT else STARTED if started(task, as_of)
               else ON_HOLD if task.status is DeclaredStatus.ON_HOLD else None)
        if why is not None:
            conflicts.append(Conflict(task.id, task.name, why, task.planned_start, needed, days, forced_by.task, forced_by))
            continue
        if not cascade:  # only the task named moves: say which successors it breaks
            broken.append(Conflict(task.id, task.name, MOVE, task.planned_start, needed, days, forced_by.task, forced_by))
            continue
        finish = keep_span(cal, task.planned_start, task.planned_end, needed)
        moves.append(Move(task.id, task.name, task.planned_start, task.planned_end, needed, finish,
                          working_days_between(cal, task.planned_end, finish), forced_by.task, forced_by))
        dates[task.id] = (needed, finish)
    return Replan(root_move, tuple(moves), tuple(conflicts), tuple(broken), cascade, campaign.end)
