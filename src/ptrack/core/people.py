"""Who does what, across the campaigns of a build, as of D: the person pages (我的任务) and each
person's calendar feed. Pure: snapshots in, frozen dataclasses out, no clock.

**People.** Every id under a campaign's ``people:``, and every owner, collaborator, risk owner or
lead written as an id (``[a-z0-9][a-z0-9-]*``) in a campaign without ``people:``; an id is the
same person in every campaign. A free-text name in a campaign without ``people:`` (``王雪``,
``设计部``) gets no page: add a ``people:`` section to give them one. A person's name and
department are those of the first campaign (by id) that lists them, else the id.

**Whose task.** Its owner's and each collaborator's; a task without an owner is its campaign
lead's (as the digests say). **Whose risk.** An open risk is its owner's, else its task's
owner's, else the lead's.

**Weeks** are ISO weeks, Monday to Sunday: "this week" is the one holding D, "next week" the
one after. A calendar's make-up working days (China's 调休 Saturdays) do not move them.

**Sections**, each open task in exactly one, checked in this order:

- ``overdue``: delayed (past its planned end, not done);
- ``due_this_week``: planned end from D to this week's Sunday;
- ``in_progress``: started, or its planned start has passed (``late_start``);
- ``starting_this_week``: planned start after D, by this week's Sunday;
- ``starting_next_week``: planned start in next week;
- ``later``: planned start after next week;

then ``on_hold`` and ``done`` (cancelled tasks are left out). Within a section, by the date the
section is about (end or start), then campaign id, then order in the file.

**Waiting on me**: for each unfinished task I own, its successors (``depends_on``) that are not
done, cancelled or started yet and are owned by someone else (an unowned one by its lead), with
who waits and whether I am late for them: the day the link lets them start (my forecast finish,
or for a start-to-start link my forecast start, moved by its lag in working days) is past their
planned start. A start-to-start successor stops waiting once my task has started.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ptrack.core.compute import CampaignSnapshot, RiskSnapshot, Status, TaskSnapshot
from ptrack.core.model import SS, Dependency

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

SECTIONS = ("overdue", "due_this_week", "in_progress", "starting_this_week", "starting_next_week", "later",
            "on_hold", "done")
# the sections a page shows at once; the others go under "more"
OPEN_SECTIONS = SECTIONS[:5]
# by which date a section's tasks are sorted
_SORT_BY_START = {"starting_this_week", "starting_next_week", "later"}


def week_of(day: date) -> tuple[date, date]:
    """The ISO week (Monday, Sunday) holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True)
class MyTask:
    campaign: CampaignSnapshot
    task: TaskSnapshot
    role: str  # owner | collaborator | lead (a task without an owner)
    section: str
    late_start: bool = False  # in_progress only: not started though its planned start has passed


@dataclass(frozen=True)
class MyRisk:
    campaign: CampaignSnapshot
    risk: RiskSnapshot
    task: TaskSnapshot | None  # None: a campaign-level risk
    role: str  # owner | task_owner | lead


@dataclass(frozen=True)
class Waiting:
    """``waiting`` (someone else's task) waits for ``mine`` to finish."""

    campaign: CampaignSnapshot
    mine: TaskSnapshot
    waiting: TaskSnapshot
    who: str | None  # the person ref of who waits (the successor's owner, else the lead)
    late: bool  # my forecast finish is on or after their planned start


@dataclass(frozen=True)
class PersonWork:
    id: str
    name: str
    department: str | None
    campaigns: tuple[str, ...]  # ids of the campaigns where they have work, sorted
    tasks: tuple[MyTask, ...]  # in SECTIONS order, each section sorted
    risks: tuple[MyRisk, ...]
    waiting: tuple[Waiting, ...]

    def section(self, key: str) -> tuple[MyTask, ...]:
        return tuple(m for m in self.tasks if m.section == key)

    @property
    def open_tasks(self) -> int:
        return sum(1 for m in self.tasks if m.section in SECTIONS[:6])


@dataclass(frozen=True)
class People:
    as_of: date
    week: tuple[date, date]  # this ISO week, Monday to Sunday
    next_week: tuple[date, date]
    people: tuple[PersonWork, ...]  # in person_ids order

    def get(self, person_id: str) -> PersonWork | None:
        return next((p for p in self.people if p.id == person_id), None)


def task_section(ts: TaskSnapshot, as_of: date, week: tuple[date, date], next_week: tuple[date, date]
                 ) -> tuple[str | None, bool]:
    """(the section of a task, late start) as of ``as_of``; section None for a cancelled task."""
    task = ts.task
    if ts.status is Status.CANCELLED:
        return None, False
    if ts.status is Status.DONE:
        return "done", False
    if ts.status is Status.ON_HOLD:
        return "on_hold", False
    if ts.status is Status.DELAYED:
        return "overdue", False
    if as_of <= task.planned_end <= week[1]:
        return "due_this_week", False
    if ts.status is Status.IN_PROGRESS:
        return "in_progress", False
    if task.planned_start <= as_of:
        return "in_progress", True
    if task.planned_start <= week[1]:
        return "starting_this_week", False
    if task.planned_start <= next_week[1]:
        return "starting_next_week", False
    return "later", False


def _refs(s: CampaignSnapshot) -> Iterable[str]:
    c = s.campaign
    if c.lead:
        yield c.lead
    for ts in s.tasks:
        if ts.task.owner:
            yield ts.task.owner
        yield from ts.task.collaborators
    for rs in s.risks:
        if rs.risk.owner:
            yield rs.risk.owner
    for g in c.goals:
        if g.owner:
            yield g.owner


def person_ids(snapshots: Sequence[CampaignSnapshot]) -> list[str]:
    """Who gets a page: the ids under ``people:``, in the order the campaigns (by id) list them,
    then the references that are ids in campaigns without ``people:`` (see the module's
    docstring), sorted."""
    listed: dict[str, None] = {}
    written: set[str] = set()
    for s in sorted(snapshots, key=lambda s: s.campaign.id):
        if s.campaign.people:
            listed.update(dict.fromkeys(s.campaign.people))
        else:
            written.update(ref for ref in _refs(s) if ID.match(ref))
    return list(listed) + sorted(written - set(listed))


def collect_people(snapshots: Sequence[CampaignSnapshot], as_of: date) -> People:
    """Every person's work across ``snapshots`` (all computed as of ``as_of``)."""
    ordered = sorted(snapshots, key=lambda s: s.campaign.id)
    week = week_of(as_of)
    next_week = (week[0] + timedelta(days=7), week[1] + timedelta(days=7))
    ids = person_ids(ordered)
    known = set(ids)
    tasks: dict[str, list[tuple[tuple, MyTask]]] = {pid: [] for pid in ids}
    risks: dict[str, list[tuple[tuple, MyRisk]]] = {pid: [] for pid in ids}
    waiting: dict[str, list[tuple[tuple, Waiting]]] = {pid: [] for pid in ids}
    for s in ordered:
        c = s.campaign
        by_id: dict[str, TaskSnapshot] = {}
        for ts in s.tasks:
            by_id.setdefault(ts.task.id, ts)
        for i, ts in enumerate(s.tasks):
            section, late = task_section(ts, as_of, week, next_week)
            if section is None:
                continue
            task = ts.task
            day = task.planned_start if section in _SORT_BY_START else task.planned_end
            roles = [(task.owner, "owner")] if task.owner else [(c.lead, "lead")]
            roles += [(p, "collaborator") for p in task.collaborators if p != task.owner]
            for person, role in roles:
                if person in known:
                    tasks[person].append(((SECTIONS.index(section), day, c.id, i),
                                          MyTask(s, ts, role, section, late)))
        for j, rs in enumerate(s.risks):
            if rs.state == "resolved":
                continue
            r = rs.risk
            task = by_id.get(r.task_id) if r.task_id else None
            person, role = ((r.owner, "owner") if r.owner
                            else (task.task.owner, "task_owner") if task and task.task.owner else (c.lead, "lead"))
            if person in known:
                key = (rs.state != "overdue", -rs.days_overdue, r.due or date.max, c.id, j)
                risks[person].append((key, MyRisk(s, rs, task, role)))
        successors: dict[str, list[tuple[int, TaskSnapshot, Dependency]]] = {}
        for i, ts in enumerate(s.tasks):
            for dep in ts.task.dependencies:
                successors.setdefault(dep.task, []).append((i, ts, dep))
        cal = c.work_calendar
        for i, mine in enumerate(s.tasks):
            owner = mine.task.owner
            if owner not in known or mine.status in (Status.DONE, Status.CANCELLED):
                continue
            for k, succ, dep in successors.get(mine.task.id, ()):
                if succ.status in (Status.DONE, Status.CANCELLED) or succ.task.actual_start is not None:
                    continue
                if dep.type == SS and mine.task.actual_start is not None and mine.task.actual_start <= as_of:
                    continue  # it waited for my start, which has come
                who = succ.task.owner or c.lead
                if who == owner or who is None:
                    continue
                if dep.type == SS:  # my start lets them start that day, or lag working days later
                    late = cal.shift(mine.earliest_start or mine.task.planned_start, dep.lag) > succ.task.planned_start
                else:  # my finish lets them start the next working day, or lag working days later
                    finish = mine.forecast_finish or mine.task.planned_end
                    late = cal.shift(finish, dep.lag) >= succ.task.planned_start
                waiting[owner].append(((succ.task.planned_start, c.id, i, k),
                                       Waiting(s, mine, succ, who, late)))
    out = []
    for pid in ids:
        name, department = pid, None
        for s in ordered:
            p = s.campaign.people.get(pid)
            if p is not None:
                name, department = p.name, p.department
                break
        mine = [m for _, m in sorted(tasks[pid], key=lambda x: _sortable(x[0]))]
        my_risks = [m for _, m in sorted(risks[pid], key=lambda x: _sortable(x[0]))]
        waits = [w for _, w in sorted(waiting[pid], key=lambda x: _sortable(x[0]))]
        campaigns = sorted({m.campaign.campaign.id for m in mine} | {m.campaign.campaign.id for m in my_risks})
        out.append(PersonWork(pid, name, department, tuple(campaigns), tuple(mine), tuple(my_risks), tuple(waits)))
    return People(as_of, week, next_week, tuple(out))


def _sortable(key: tuple) -> tuple:
    return tuple(x.toordinal() if isinstance(x, date) else x for x in key)
