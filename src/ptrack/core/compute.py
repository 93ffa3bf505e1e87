"""Where a campaign stands as of a date: pure functions, no clock, no I/O.

``compute_snapshot(campaign, as_of=D)`` is the one entry point. D is the end of that day and all
date ranges are inclusive. The arithmetic is the one DESIGN.md §4 gives; README "How ptrack
computes" explains it with worked numbers.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from datetime import date, timedelta
from typing import TYPE_CHECKING, Iterable, Mapping

from ptrack.core import schedule
from ptrack.core.asof import Record, known_on
from ptrack.core.calendars import WorkCalendar
from ptrack.core.kinds import WINDOW, allocation_of, kind_of, recorded_progress, span_share
from ptrack.core.model import Campaign, DeclaredStatus, Goal, Milestone, Policy, Risk, Task
from ptrack.core.schedule import EventClash, TaskState

if TYPE_CHECKING:
    from ptrack.core.workload import Workload

GROUP_DIMENSIONS = ("module", "department", "owner", "channel")
_EPS = 1e-9


class Status(str, enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DELAYED = "delayed"
    CANCELLED = "cancelled"
    ON_HOLD = "on_hold"


class Health(str, enum.Enum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    GREY = "grey"  # on hold or cancelled: paused or dropped by decision, judged no more


# Statuses declared by decision: out of the roll-ups, the focus list, SPI and the network.
_OUT = (Status.CANCELLED, Status.ON_HOLD)


@dataclass(frozen=True)
class EVM:
    """Earned value: BAC budget at completion, PV planned value, EV earned value, AC actual cost."""

    bac: float
    pv: float
    ev: float
    ac: float | None
    spi: float | None
    cpi: float | None
    eac: float | None


@dataclass(frozen=True)
class RiskSnapshot:
    risk: Risk
    state: str  # open | resolved | overdue
    due_soon: bool
    days_overdue: int  # calendar days past due, 0 unless overdue


@dataclass(frozen=True)
class TaskSnapshot:
    task: Task
    planned_progress: float
    actual_progress: float
    deviation: float | None  # actual - planned, points; None for a cancelled task (shown "—")
    status: Status
    health: Health
    days_behind: int  # working days behind the plan (negative: ahead)
    planned_days: int  # working days of the plan (calendar days when it has none)
    weight: float
    forecast_finish: date | None
    evm: EVM | None
    risks: tuple[RiskSnapshot, ...]
    # The forecast schedule (ptrack.schedule): earliest start/finish from the forward pass (the
    # earliest finish is the forecast finish), latest start/finish from the backward pass, total
    # float in working days (None for done, cancelled and on-hold tasks), critical: float <= 0.
    earliest_start: date | None = None
    earliest_finish: date | None = None
    latest_start: date | None = None
    latest_finish: date | None = None
    float_days: int | None = None
    critical: bool = False
    # How forecast_finish was found (ptrack.core.schedule: actual, plan, schedule, pace, window,
    # fixed; None when there is none), and whether the task is stale (in progress, its entry
    # unchanged in git for more than stale_after_days: its forecast is not extrapolated).
    forecast_method: str | None = None
    stale: bool = False
    held_by: str | None = None  # the fixed-date event whose date sets latest_finish (None: the campaign)
    # The weekly-review focus: open (not done, cancelled or on hold), more than deviation_warn
    # points behind and at least min_days_behind working days behind (what deviation-behind reports).
    focus: bool = False
    allocation: float = 100.0  # percent of the owner's working day (its kind's default unless given)


@dataclass(frozen=True)
class GroupSnapshot:
    dimension: str
    key: str | None  # None: tasks with no value for this dimension
    planned_progress: float
    actual_progress: float
    deviation: float
    health: Health
    weight: float
    task_ids: tuple[str, ...]
    status_counts: Mapping[str, int]


@dataclass(frozen=True)
class GoalSnapshot:
    goal: Goal
    latest: float | None
    latest_date: date | None
    achievement: float | None  # % of target reached (direction-aware)
    expected: float | None  # cumulative goals: where the pace says we should be by D
    status: str  # achieved | on_track | behind | no_data
    forecast: float | None  # linear forecast at the due date


@dataclass(frozen=True)
class MilestoneSnapshot:
    milestone: Milestone
    state: str  # achieved_on_time | achieved_late | missed | upcoming
    days_late: int  # calendar days late (achieved late or missed), else 0
    days_until: int  # calendar days until the date (upcoming), else 0


@dataclass(frozen=True)
class CampaignSnapshot:
    campaign: Campaign
    as_of: date
    planned_progress: float
    actual_progress: float
    deviation: float
    status: Status
    health: Health
    days_behind: int
    forecast_finish: date | None
    tasks: tuple[TaskSnapshot, ...]
    groups: Mapping[str, tuple[GroupSnapshot, ...]]
    milestones: tuple[MilestoneSnapshot, ...]
    goals: tuple[GoalSnapshot, ...]
    risks: tuple[RiskSnapshot, ...]  # every risk: campaign-level first, then by task
    evm: EVM | None
    critical_path: tuple[str, ...] = ()  # task ids of the chain that drives forecast_finish, in order
    forecast_driver: str | None = None  # the task whose finish is forecast_finish
    forecast_method: str | None = None  # how that task's finish was found (TaskSnapshot.forecast_method)
    event_clashes: tuple[EventClash, ...] = ()  # predecessors forecast on or after an event's start
    # Where actual progress came from (ptrack.core.asof): "git" (the version committed by D),
    # "file" (the file, nothing in it dated after D) or "latest" (the file's, recorded after D).
    progress_source: str = "file"

    @cached_property
    def workload(self) -> Workload:
        """Per person and ISO week, the working days of their open tasks against their capacity
        (ptrack.core.workload). Computed on first use: the history's many snapshots never ask."""
        from ptrack.core.workload import compute_workload

        c = self.campaign
        return compute_workload(c.people, self.tasks, self.as_of, c.work_calendar,
                                c.policy.collaborator_share)

    def task(self, task_id: str) -> TaskSnapshot:
        for ts in self.tasks:
            if ts.task.id == task_id:
                return ts
        raise KeyError(task_id)


# ---------------------------------------------------------------------------------------------
# Small arithmetic helpers

def round1(x: float) -> float:
    """Round half away from zero to one decimal (what people do by hand; no banker's rounding)."""
    y = math.floor(abs(x) * 10 + 0.5 + _EPS) / 10
    return y if x >= 0 else -y if y else 0.0


def _trunc(x: float) -> int:
    """Whole days toward zero: 2.7 days behind is 2 whole days behind."""
    return int(math.floor(x + _EPS)) if x >= 0 else -int(math.floor(-x + _EPS))


# ---------------------------------------------------------------------------------------------
# Tasks

def planned_days(task: Task, cal: WorkCalendar) -> int:
    n = cal.count(task.planned_start, task.planned_end)
    return n if n else (task.planned_end - task.planned_start).days + 1


def planned_progress(task: Task, as_of: date, cal: WorkCalendar) -> float:
    """100 x NWD(start, min(D, end)) / NWD(start, end); calendar days if the task has no working day."""
    start, end = task.planned_start, task.planned_end
    if as_of < start:
        return 0.0
    if as_of >= end:
        return 100.0
    total = cal.count(start, end)
    if total:
        return 100.0 * cal.count(start, as_of) / total
    return 100.0 * ((as_of - start).days + 1) / ((end - start).days + 1)


def actual_progress(task: Task, as_of: date, cal: WorkCalendar | None = None) -> float:
    """100 when actual.end is set (and reached); else progress; else quantity; else deliverables;
    else, for a timebox or an event, the elapsed working-day share since its actual start (0 not
    started; needs ``cal``); else 0."""
    if task.actual_end is not None and task.actual_end <= as_of:
        return 100.0
    recorded = recorded_progress(task)
    if recorded is not None:
        return recorded
    if cal is not None and kind_of(task).elapsed_progress and task.actual_start is not None \
            and task.actual_start <= as_of:
        return _elapsed_since(task, task.actual_start, as_of, cal)
    return 0.0


def _elapsed_since(task: Task, began: date, as_of: date, cal: WorkCalendar) -> float:
    """100 x NWD(began, D) / planned working days, at most 100 (calendar days for a task with
    no working day): a window that began two working days late is two days short of its plan."""
    if cal.count(task.planned_start, task.planned_end):
        return min(100.0, 100.0 * cal.count(began, as_of) / cal.count(task.planned_start, task.planned_end))
    return span_share(began, began + (task.planned_end - task.planned_start), as_of, cal)


def _started(task: Task, actual: float, as_of: date) -> bool:
    return (task.actual_start is not None and task.actual_start <= as_of) or actual > 0


def task_status(task: Task, actual: float, as_of: date) -> Status:
    if task.status is DeclaredStatus.CANCELLED:
        return Status.CANCELLED
    if task.status is DeclaredStatus.ON_HOLD:
        return Status.ON_HOLD
    if actual >= 100:
        return Status.DONE
    if as_of > task.planned_end:
        return Status.DELAYED
    if _started(task, actual, as_of):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def points_health(deviation: float, days: int, policy: Policy) -> Health:
    """Health by points behind plan: red past ``deviation_fail``, amber past ``deviation_warn``,
    counted only when the task (or campaign) is also at least ``min_days_behind`` working days
    behind by the earned schedule: a short task a day late is many points behind, not red."""
    behind = -deviation
    if behind <= policy.deviation_warn + _EPS or days < policy.min_days_behind:
        return Health.GREEN
    return Health.RED if behind > policy.deviation_fail + _EPS else Health.AMBER


def health_of(status: Status, deviation: float | None, days: int, policy: Policy) -> Health:
    """Grey when cancelled or on hold, green when done, red when delayed; else by points
    (``points_health``)."""
    if status in _OUT:
        return Health.GREY
    if status is Status.DONE:
        return Health.GREEN
    if status is Status.DELAYED:
        return Health.RED
    return points_health(deviation, days, policy)


def days_behind(task: Task, actual: float, status: Status, as_of: date, cal: WorkCalendar) -> int:
    """Earned schedule in working days: the plan reached ``actual`` on working day k of the task
    (k = actual% x planned days); D is working day e; behind = e - k, in whole days."""
    if status in (Status.DONE, Status.CANCELLED):
        return 0
    total = cal.count(task.planned_start, task.planned_end)
    if total:
        elapsed = cal.count(task.planned_start, as_of)
    else:  # a task with no working day: calendar days
        total = (task.planned_end - task.planned_start).days + 1
        elapsed = max(0, (as_of - task.planned_start).days + 1)
    earned = actual / 100.0 * total
    return _trunc(schedule.snap(elapsed - earned, total))  # a day never hangs on the rounding of the shown %


def _evm(task: Task, planned: float, actual: float) -> EVM | None:
    if task.budget is None or task.budget.planned is None:
        return None
    bac = float(task.budget.planned)
    ac = float(task.budget.spent) if task.budget.spent is not None else None
    return _evm_from(bac, bac * planned / 100.0, bac * actual / 100.0, ac)


def _evm_from(bac: float, pv: float, ev: float, ac: float | None, ev_spent: float | None = None) -> EVM:
    """``ev_spent``: the earned value of the work whose cost is reported (default: all of it);
    CPI compares like with like, so tasks that report no spending don't inflate it."""
    spi = ev / pv if pv > _EPS else None
    ev_spent = ev if ev_spent is None else ev_spent
    cpi = ev_spent / ac if ac is not None and ac > _EPS else None
    eac = bac / cpi if cpi is not None and cpi > _EPS else None
    return EVM(bac=round(bac, 2), pv=round(pv, 2), ev=round(ev, 2),
               ac=round(ac, 2) if ac is not None else None,
               spi=round(spi, 3) if spi is not None else None,
               cpi=round(cpi, 3) if cpi is not None else None,
               eac=round(eac, 2) if eac is not None else None)


def _risk_snapshot(risk: Risk, as_of: date, due_soon_days: int) -> RiskSnapshot:
    if not risk.is_open(as_of):
        return RiskSnapshot(risk, "resolved", False, 0)
    if risk.due is not None and as_of > risk.due:
        return RiskSnapshot(risk, "overdue", False, (as_of - risk.due).days)
    soon = risk.due is not None and (risk.due - as_of).days <= due_soon_days
    return RiskSnapshot(risk, "open", soon, 0)


# ---------------------------------------------------------------------------------------------
# Forecasts: the forward pass of the schedule (ptrack.schedule)

def _schedule_state(task: Task, status: Status, actual: float, n: int, policy: Policy | None = None,
                    stale: bool = False, as_of: date | None = None) -> TaskState:
    """How the task takes part in the forecast schedule. Work counts as started once it has
    progress to show; a timebox once it has started (its window runs from its actual start)."""
    mode = kind_of(task).schedule
    if status in _OUT:
        kind = schedule.OUT
    elif status is Status.DONE:
        kind = schedule.DONE
    elif actual > 0 or (mode == WINDOW and as_of is not None and task.actual_start is not None
                        and task.actual_start <= as_of):
        kind = schedule.STARTED
    else:  # not started, or started with nothing to show
        kind = schedule.NOT_STARTED
    pace = policy is not None and policy.forecast == "pace" and not stale
    return TaskState(kind, actual, n, mode, pace)


_topological = schedule.topological_order


# ---------------------------------------------------------------------------------------------
# Roll-ups

def _weighted(items: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(weight, planned, actual) triples -> (total weight, weighted planned, weighted actual)."""
    total = sum(w for w, _, _ in items)
    if total <= 0:
        return 0.0, 0.0, 0.0
    return (total, sum(w * p for w, p, _ in items) / total, sum(w * a for w, _, a in items) / total)


def _groups(task_snaps: list[TaskSnapshot], policy: Policy) -> dict[str, tuple[GroupSnapshot, ...]]:
    """Roll-ups by module, department, owner and channel: cancelled and on-hold tasks left out.
    A group's health is by its points (``deviation_warn``/``deviation_fail``) only when one of its
    tasks is at least ``min_days_behind`` working days behind, and at least amber when one of
    its tasks is amber or red."""
    warn, fail = policy.deviation_warn, policy.deviation_fail
    out: dict[str, tuple[GroupSnapshot, ...]] = {}
    for dimension in GROUP_DIMENSIONS:
        members: dict[str | None, list[TaskSnapshot]] = defaultdict(list)
        for ts in task_snaps:
            if ts.status in _OUT:
                continue
            for key in _keys(ts.task, dimension):
                members[key].append(ts)
        groups = []
        for key in sorted(members, key=lambda k: (k is None, k or "")):
            snaps = members[key]
            weight, planned, actual = _weighted([(s.weight, s.planned_progress, s.actual_progress) for s in snaps])
            planned, actual = round1(planned), round1(actual)
            deviation = round1(actual - planned)
            counts: dict[str, int] = {}
            for s in snaps:
                counts[s.status.value] = counts.get(s.status.value, 0) + 1
            health = Health.GREEN
            if any(s.days_behind >= policy.min_days_behind for s in snaps):
                health = Health.RED if -deviation > fail + _EPS else Health.AMBER if -deviation > warn + _EPS \
                    else Health.GREEN
            if health is Health.GREEN and any(s.health in (Health.RED, Health.AMBER) for s in snaps):
                health = Health.AMBER  # a green average must not hide a red or amber task
            groups.append(GroupSnapshot(dimension, key, planned, actual, deviation, health, round(weight, 3),
                                        tuple(s.task.id for s in snaps), dict(sorted(counts.items()))))
        out[dimension] = tuple(groups)
    return out


def _keys(task: Task, dimension: str) -> tuple[str | None, ...]:
    if dimension == "channel":
        return task.channels or (None,)
    return (getattr(task, dimension),)


def planned_curve(campaign: Campaign, days: Iterable[date] | None = None) -> list[tuple[date, float]]:
    """The campaign's planned S-curve: weighted planned progress on each day of its window (or of
    ``days``), cancelled and on-hold tasks left out (as from the roll-up). O(tasks + days) through
    a difference array of daily rates."""
    cal = campaign.work_calendar
    tasks = [t for t in campaign.tasks if t.status is None]
    if not tasks:
        return []
    first = min(min(t.planned_start for t in tasks), campaign.start)
    last = max(max(t.planned_end for t in tasks), campaign.end)
    span = (last - first).days + 1
    working_rate = [0.0] * (span + 1)  # share per working day (tasks that have working days)
    calendar_rate = [0.0] * (span + 1)  # share per calendar day (tasks that have none)
    total_weight = 0.0
    for t in tasks:
        n = cal.count(t.planned_start, t.planned_end)
        w = t.weight if t.weight is not None else (n or (t.planned_end - t.planned_start).days + 1)
        total_weight += w
        i, j = (t.planned_start - first).days, (t.planned_end - first).days + 1
        if n:
            working_rate[i] += w / n
            working_rate[j] -= w / n
        else:
            d = (t.planned_end - t.planned_start).days + 1
            calendar_rate[i] += w / d
            calendar_rate[j] -= w / d
    curve = []
    rate_w = rate_c = value = 0.0
    for i in range(span):
        day = first + timedelta(days=i)
        rate_w += working_rate[i]
        rate_c += calendar_rate[i]
        value += rate_c + (rate_w if cal.is_working_day(day) else 0.0)
        curve.append((day, min(100.0, 100.0 * value / total_weight)))
    if days is None:
        return curve
    lookup = dict(curve)
    return [(d, lookup.get(d, 0.0 if d < first else 100.0)) for d in days]


def _campaign_days_behind(campaign: Campaign, actual: float, as_of: date, cal: WorkCalendar) -> int:
    """Earned schedule for the whole campaign: the first day the planned S-curve reached the actual
    progress (ES); behind = working days after ES up to D (negative: ahead by the days up to ES).
    With nothing done, ES is the last day the plan still stood at 0: never ahead, and the days
    before the first planned work are not behind."""
    if actual >= 100 - _EPS:
        return 0
    curve = planned_curve(campaign)
    if not curve:
        return 0
    if actual <= _EPS:
        first = next((day for day, value in curve if value > _EPS), None)
        return cal.count(first, as_of) if first is not None else 0
    es = curve[-1][0]
    for day, value in curve:
        if value + _EPS >= actual:
            es = day
            break
    if es <= as_of:
        return cal.count(es + timedelta(days=1), as_of)
    return -cal.count(as_of + timedelta(days=1), es)


# ---------------------------------------------------------------------------------------------
# Goals and milestones

def _goal_snapshot(goal: Goal, as_of: date) -> GoalSnapshot:
    points = [m for m in goal.measurements if m.date <= as_of]
    if not points:
        expected = _expected(goal, as_of)
        return GoalSnapshot(goal, None, None, None, round(expected, 2) if expected is not None else None,
                            "no_data", None)
    latest = points[-1]
    value = latest.value
    increase = goal.direction == "increase"
    if increase:
        achievement = 100.0 * value / goal.target if goal.target else None
        met = value >= goal.target
    else:
        achievement = 100.0 * goal.target / value if value > 0 else (100.0 if goal.target >= 0 else None)
        met = value <= goal.target
    expected = _expected(goal, as_of)
    if met:
        status = "achieved"
    elif goal.kind == "cumulative":
        on_pace = value >= expected if increase else value <= expected
        status = "on_track" if on_pace else "behind"
    else:
        status = "behind"
    return GoalSnapshot(goal, value, latest.date, round1(achievement) if achievement is not None else None,
                        round(expected, 2) if expected is not None else None, status,
                        _forecast_goal(goal, points))


def _expected(goal: Goal, as_of: date) -> float | None:
    """Cumulative goals: target x elapsed share of the goal's window (calendar days, inclusive)."""
    if goal.kind != "cumulative":
        return None
    window = (goal.due - goal.start).days + 1
    elapsed = min(max((as_of - goal.start).days + 1, 0), window)
    return goal.target * elapsed / window


def _forecast_goal(goal: Goal, points) -> float | None:
    """Least-squares line through the measurements (cumulative goals also through zero on the
    day before the goal starts), evaluated at the due date."""
    xs = [(m.date - goal.start).days + 1 for m in points]
    ys = [m.value for m in points]
    if goal.kind == "cumulative":
        xs.append(0)
        ys.append(0.0)
    if len(xs) == 1:
        return round(ys[0], 2)
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return round(my, 2)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    due_x = (goal.due - goal.start).days + 1
    return round(my + slope * (due_x - mx), 2)


def _milestone_snapshot(m: Milestone, as_of: date) -> MilestoneSnapshot:
    if m.achieved is not None and m.achieved <= as_of:
        late = (m.achieved - m.date).days
        return MilestoneSnapshot(m, "achieved_late" if late > 0 else "achieved_on_time", max(0, late), 0)
    if as_of > m.date:
        return MilestoneSnapshot(m, "missed", (as_of - m.date).days, 0)
    return MilestoneSnapshot(m, "upcoming", 0, (m.date - as_of).days)


# ---------------------------------------------------------------------------------------------
# The snapshot

def compute_snapshot(campaign: Campaign, *, as_of: date, record: Record | None = None) -> CampaignSnapshot:
    """Where ``campaign`` stands at the end of ``as_of``. ``record``: what git says of the file as
    of D (``ptrack.git.asof``: the version committed by D, when each task last changed); facts
    dated after D are never used (``ptrack.core.asof.known_on``)."""
    known = known_on(campaign, as_of, record)
    campaign = known.campaign
    cal = campaign.work_calendar
    policy = campaign.policy
    last_changed = record.last_changed if record is not None else {}
    stale_on = policy.rules.get("stale-task") != "off"

    raw: dict[str, dict] = {}
    states: dict[str, TaskState] = {}
    for task in campaign.tasks:
        planned = round1(planned_progress(task, as_of, cal))
        actual = round1(actual_progress(task, as_of, cal))
        status = task_status(task, actual, as_of)
        n = planned_days(task, cal)
        changed = last_changed.get(task.id)
        stale = (stale_on and status is Status.IN_PROGRESS and changed is not None
                 and (as_of - changed).days > policy.stale_after_days)
        raw[task.id] = {"planned": planned, "actual": actual, "status": status, "planned_days": n, "stale": stale}
        states[task.id] = _schedule_state(task, status, actual, n, policy, stale, as_of)
    plan = schedule.compute_schedule(campaign.tasks, states, as_of, cal, campaign.end)

    task_snaps: list[TaskSnapshot] = []
    for task in campaign.tasks:
        r = raw[task.id]
        planned, actual, status, n = r["planned"], r["actual"], r["status"], r["planned_days"]
        deviation = None if status is Status.CANCELLED else round1(actual - planned)
        behind = days_behind(task, actual, status, as_of, cal)
        health = health_of(status, deviation, behind, policy)
        ps = plan.tasks[task.id]
        task_snaps.append(TaskSnapshot(
            task=task,
            planned_progress=planned,
            actual_progress=actual,
            deviation=deviation,
            status=status,
            health=health,
            days_behind=behind,
            planned_days=n,
            weight=float(task.weight) if task.weight is not None else float(n),
            forecast_finish=None if status in _OUT else ps.earliest_finish,
            evm=_evm(task, planned, actual) if status is not Status.CANCELLED else None,
            risks=tuple(_risk_snapshot(rk, as_of, policy.due_soon_days) for rk in task.risks),
            earliest_start=ps.earliest_start,
            earliest_finish=ps.earliest_finish,
            latest_start=ps.latest_start,
            latest_finish=ps.latest_finish,
            float_days=ps.float_days,
            critical=ps.critical,
            forecast_method=None if status in _OUT else ps.method,
            held_by=ps.held_by,
            stale=r["stale"],
            focus=status not in _OUT and status is not Status.DONE
            and points_health(deviation, behind, policy) is not Health.GREEN,
            allocation=allocation_of(task),
        ))

    active = [s for s in task_snaps if s.status not in _OUT]
    _, planned, actual = _weighted([(s.weight, s.planned_progress, s.actual_progress) for s in active])
    planned, actual = round1(planned), round1(actual)
    deviation = round1(actual - planned)

    milestones = tuple(_milestone_snapshot(m, as_of) for m in campaign.milestones)
    goals = tuple(_goal_snapshot(g, as_of) for g in campaign.goals)
    risks = tuple(_risk_snapshot(rk, as_of, policy.due_soon_days) for rk in campaign.risks) + tuple(
        rs for s in task_snaps for rs in s.risks)

    if active and all(s.status is Status.DONE for s in active):
        status = Status.DONE
    elif as_of > campaign.end:
        status = Status.DELAYED
    elif as_of >= campaign.start and any(s.status is not Status.NOT_STARTED for s in active):
        status = Status.IN_PROGRESS
    else:
        status = Status.NOT_STARTED

    behind = _campaign_days_behind(campaign, actual, as_of, cal) if status is not Status.DONE else 0
    health = health_of(status, deviation, behind, policy)
    if health is not Health.RED and any(m.state == "missed" for m in milestones):
        health = Health.RED
    if health is Health.GREEN and (any(s.health is Health.RED for s in active)
                                   or any(r.state == "overdue" for r in risks)):
        health = Health.AMBER

    forecast_dates = [s.forecast_finish for s in active if s.forecast_finish is not None]
    budgeted = [s.evm for s in active if s.evm is not None]
    evm = None
    if budgeted:
        spent = [e.ac for e in budgeted if e.ac is not None]
        evm = _evm_from(sum(e.bac for e in budgeted), sum(e.pv for e in budgeted),
                        sum(e.ev for e in budgeted), sum(spent) if spent else None,
                        sum(e.ev for e in budgeted if e.ac is not None))
    driver = plan.driver
    return CampaignSnapshot(
        campaign=campaign,
        as_of=as_of,
        planned_progress=planned,
        actual_progress=actual,
        deviation=deviation,
        status=status,
        health=health,
        days_behind=behind,
        forecast_finish=max(forecast_dates) if forecast_dates else None,
        tasks=tuple(task_snaps),
        groups=_groups(task_snaps, policy),
        milestones=milestones,
        goals=goals,
        risks=risks,
        evm=evm,
        critical_path=plan.critical_path,
        forecast_driver=driver,
        forecast_method=plan.tasks[driver].method if driver is not None else None,
        event_clashes=plan.clashes,
        progress_source=known.source,
    )
