"""The campaign model: frozen dataclasses built from data that passed validation.

Raw dictionaries stop at the validator; everything after it works on these types. Each object
keeps its JSON path so that checks can point diagnostics at the YAML node it came from.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from collections.abc import Mapping, Sequence

from ptrack.core.calendars import NO_OVERRIDES, CalendarOverrides, WorkCalendar, build_overrides, get_calendar
from ptrack.core.diagnostics import JsonPath, Location
from ptrack.core.loader import SourceMap

RULE_IDS = (
    "risk-overdue",
    "deviation-behind",
    "milestone-missed",
    "task-overdue",
    "late-start",
    "stale-task",
    "goal-behind-pace",
    "dependency-order",
    "critical-slip",
    "overallocated",
    "event-at-risk",
    "on-hold",
    "calendar-estimated",
)

# Task kinds (``tasks[].kind``): how a task's progress is measured and its finish forecast. What
# each kind does is ``ptrack.core.kinds.KINDS``.
WORK = "work"  # deliverable work: the remaining work at the planned pace
TIMEBOX = "timebox"  # runs for its window: ad flights, monitoring, on-duty, routines
EVENT = "event"  # happens on fixed dates: launch event, livestream, pop-up store


# Dependency types (``depends_on`` items' ``type``): when the predecessor lets the task start.
FS = "fs"  # finish-to-start (the default): once the predecessor has finished, plus the lag
SS = "ss"  # start-to-start: once the predecessor has started, plus the lag
DEPENDENCY_TYPES = (FS, SS)


@dataclass(frozen=True)
class Dependency:
    """One ``depends_on`` item: the predecessor ``task``, the ``lag`` in working days of the
    campaign calendar (negative: a lead) and the ``type`` (FS or SS). A plain id in the file is
    ``Dependency(id)``: finish-to-start, no lag."""

    task: str
    lag: int = 0
    type: str = FS

    @property
    def plain(self) -> bool:
        """Finish-to-start without a lag: what a plain id in the file says."""
        return self.lag == 0 and self.type == FS


def dependency_of(item) -> Dependency:
    """The ``Dependency`` a ``depends_on`` item of valid data says (an id, or a mapping)."""
    if isinstance(item, str):
        return Dependency(item)
    return Dependency(item["task"], int(item.get("lag", 0)), item.get("type", FS))


def dependency_id(item) -> str | None:
    """The predecessor's id of a ``depends_on`` item as written (None when it names none)."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and isinstance(item.get("task"), str):
        return item["task"]
    return None


def dependency_text(dep: Dependency, name: str | None = None) -> str:
    """A link as a sheet cell writes it (MS Project's notation after the id, or ``name``):
    ``kv-design`` (finish-to-start, no lag), ``kv-design(FS+2)``, ``shooting(SS)``,
    ``shooting(SS+3)``, ``brief(FS-1)``."""
    ref = name if name is not None else dep.task
    if dep.plain:
        return ref
    return f"{ref}({dep.type.upper()}{f'{dep.lag:+d}' if dep.lag else ''})"


_LINK_TEXT = re.compile(
    r"^(?P<ref>.*?)\s*\(\s*(?P<type>fs|ss|finish-to-start|start-to-start|完成-开始|开始-开始|完成-開始|開始-開始)?"
    r"\s*(?P<lag>[+\-\u2212]\s*\d{1,3})?\s*(?:d|days?|wd|天|个?工作日|個?工作日)?\s*\)\s*$", re.IGNORECASE)


def parse_dependency_text(text: str) -> tuple[str, str, int] | None:
    """(what names the predecessor, type, lag) of a cell's ``ref(FS+2)``, ``ref（SS）``,
    ``ref (ss -1 天)``, ``ref(+2)`` (full-width forms too); None when ``text`` has no such
    suffix (it is then an id or a name as it stands)."""
    import unicodedata

    match = _LINK_TEXT.match(unicodedata.normalize("NFKC", text).strip())
    if match is None or not (match.group("type") or match.group("lag")) or not match.group("ref").strip():
        return None
    kind = (match.group("type") or "fs").casefold()
    kind = SS if kind in ("ss", "start-to-start", "开始-开始", "開始-開始") else FS
    lag = int(re.sub(r"\s", "", match.group("lag") or "0").replace("\u2212", "-"))
    return match.group("ref").strip(), kind, lag


class DeclaredStatus(str, enum.Enum):
    CANCELLED = "cancelled"
    ON_HOLD = "on_hold"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    department: str | None = None
    role: str | None = None
    email: str | None = None
    capacity: float = 5.0  # working days a week this person gives the campaign
    # chat handles for ``ptrack notify`` (people.<id> in the file); None when not given
    feishu: str | None = None  # 飞书 open_id (ou_...) or user_id
    dingtalk_mobile: str | None = None
    dingtalk_userid: str | None = None
    wecom_userid: str | None = None
    wecom_mobile: str | None = None
    slack: str | None = None  # Slack member id (U...)
    # forge logins: who may submit this person's update forms (ptrack.forge.intake)
    github: str | None = None
    gitlab: str | None = None

    @property
    def handles(self) -> dict[str, str]:
        """The handles given, by name (``PERSON_HANDLES`` order)."""
        return {k: getattr(self, k) for k in PERSON_HANDLES if getattr(self, k)}


# people.<id> fields that reach a person on a platform (ptrack notify)
PERSON_HANDLES = ("feishu", "dingtalk_mobile", "dingtalk_userid", "wecom_userid", "wecom_mobile", "slack", "email")
# people.<id> fields that name a person's account on a forge (the update forms' authorisation)
PERSON_LOGINS = ("github", "gitlab")


@dataclass(frozen=True)
class Risk:
    issue: str
    path: JsonPath
    task_id: str | None = None  # None for a campaign-level risk
    id: str | None = None
    solution: str | None = None
    owner: str | None = None
    due: date | None = None
    resolved: bool = False
    resolved_on: date | None = None
    severity: str | None = None

    def is_open(self, as_of: date) -> bool:
        if self.resolved_on is not None:
            return self.resolved_on > as_of
        return not self.resolved


@dataclass(frozen=True)
class Deliverable:
    name: str
    done: bool = False
    link: str | None = None


@dataclass(frozen=True)
class Quantity:
    done: float
    total: float
    unit: str | None = None


@dataclass(frozen=True)
class Budget:
    planned: float | None = None
    spent: float | None = None


@dataclass(frozen=True)
class Task:
    id: str
    name: str
    path: JsonPath
    planned_start: date
    planned_end: date
    description: str | None = None
    module: str | None = None
    owner: str | None = None
    collaborators: tuple[str, ...] = ()
    department: str | None = None
    channels: tuple[str, ...] = ()
    actual_start: date | None = None
    actual_end: date | None = None
    progress: float | None = None
    quantity: Quantity | None = None
    deliverables: tuple[Deliverable, ...] = ()
    dependencies: tuple[Dependency, ...] = ()  # ``depends_on``, in file order
    weight: float | None = None
    budget: Budget | None = None
    status: DeclaredStatus | None = None
    risks: tuple[Risk, ...] = ()
    notes: str | None = None
    kind: str = WORK  # work | timebox | event
    allocation: float | None = None  # percent of the owner's working day; None: the kind's default
    planned_reason: str | None = None  # planned.reason: why the planned dates last changed

    @property
    def depends_on(self) -> tuple[str, ...]:
        """The predecessors' ids, in file order (their lags and types: ``dependencies``)."""
        return tuple(d.task for d in self.dependencies)


@dataclass(frozen=True)
class Measurement:
    date: date
    value: float
    note: str | None = None
    source: str | None = None
    index: int = 0  # position in the file's list (the model sorts by date)


@dataclass(frozen=True)
class Goal:
    id: str
    name: str
    path: JsonPath
    kind: str  # cumulative | level
    target: float
    due: date
    start: date
    direction: str = "increase"  # increase | decrease
    unit: str | None = None
    description: str | None = None
    owner: str | None = None
    measurements: tuple[Measurement, ...] = ()  # sorted by date


@dataclass(frozen=True)
class Milestone:
    id: str
    name: str
    path: JsonPath
    date: date
    achieved: date | None = None
    results: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    tasks: tuple[str, ...] = ()
    reviewed_by: str | None = None
    description: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Policy:
    deviation_warn: float = 10.0
    deviation_fail: float = 20.0
    stale_after_days: int = 7
    due_soon_days: int = 3
    collaborator_share: float = 0.5  # workload: a collaborator's share of the task's allocation
    min_days_behind: int = 2  # points behind count for health only this many working days behind
    forecast: str = "schedule"  # started work: schedule (earned schedule) | pace (its own pace)
    rules: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Retro:
    """The team's own lessons (the optional ``retro:`` section): 高效环节 / 问题环节 / 改进措施."""

    summary: str | None = None
    went_well: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    improvements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    file: str
    start: date
    end: date
    calendar: str = "weekends"
    locale: str = "zh-CN"
    lead: str | None = None
    calendar_overrides: CalendarOverrides = NO_OVERRIDES  # the file's own days off and working days
    description: str | None = None
    policy: Policy = field(default_factory=Policy)
    people: Mapping[str, Person] = field(default_factory=lambda: MappingProxyType({}))
    goals: tuple[Goal, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    tasks: tuple[Task, ...] = ()
    risks: tuple[Risk, ...] = ()  # campaign-level risks
    retro: Retro | None = None
    source: SourceMap | None = field(default=None, compare=False, repr=False)

    def locate(self, path: JsonPath, *, key: bool = False) -> Location:
        if self.source is None:
            return Location(self.file, 1, 1, tuple(path))
        return self.source.locate(path, key=key)

    @property
    def work_calendar(self) -> WorkCalendar:
        """The campaign's working days: its calendar with its own overrides (shared, cached)."""
        return get_calendar(self.calendar, self.calendar_overrides)

    def person_name(self, ref: str | None) -> str | None:
        if ref is None:
            return None
        person = self.people.get(ref)
        return person.name if person else ref

    def all_risks(self) -> tuple[Risk, ...]:
        return self.risks + tuple(r for t in self.tasks for r in t.risks)


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def _risk(data: dict, path: JsonPath, task_id: str | None) -> Risk:
    resolved = data.get("resolved", False)
    resolved_on = _d(resolved) if isinstance(resolved, str) else None
    return Risk(
        issue=data["issue"],
        path=path,
        task_id=task_id,
        id=data.get("id"),
        solution=data.get("solution"),
        owner=data.get("owner"),
        due=_d(data.get("due")),
        resolved=bool(resolved),
        resolved_on=resolved_on,
        severity=data.get("severity"),
    )


def _task(data: dict, index: int) -> Task:
    path = ("tasks", index)
    planned = data["planned"]
    actual = data.get("actual") or {}
    quantity = data.get("quantity")
    budget = data.get("budget")
    status = data.get("status")
    return Task(
        id=data["id"],
        name=data["name"],
        path=path,
        planned_start=_d(planned["start"]),
        planned_end=_d(planned["end"]),
        description=data.get("description"),
        module=data.get("module"),
        owner=data.get("owner"),
        collaborators=tuple(data.get("collaborators") or ()),
        department=data.get("department"),
        channels=tuple(data.get("channels") or ()),
        actual_start=_d(actual.get("start")),
        actual_end=_d(actual.get("end")),
        progress=float(data["progress"]) if data.get("progress") is not None else None,
        quantity=Quantity(float(quantity["done"]), float(quantity["total"]), quantity.get("unit"))
        if quantity
        else None,
        deliverables=tuple(
            Deliverable(d["name"], bool(d.get("done", False)), d.get("link"))
            for d in data.get("deliverables") or ()
        ),
        dependencies=tuple(dependency_of(d) for d in data.get("depends_on") or ()),
        weight=float(data["weight"]) if data.get("weight") is not None else None,
        budget=Budget(budget.get("planned"), budget.get("spent")) if budget else None,
        status=DeclaredStatus(status) if status else None,
        risks=tuple(
            _risk(r, path + ("risks", i), data["id"]) for i, r in enumerate(data.get("risks") or ())
        ),
        notes=data.get("notes"),
        kind=data.get("kind", WORK),
        allocation=float(data["allocation"]) if data.get("allocation") is not None else None,
        planned_reason=planned.get("reason"),
    )


def _goal(data: dict, index: int, campaign_start: date) -> Goal:
    measurements = sorted(
        (
            Measurement(_d(m["date"]), float(m["value"]), m.get("note"), m.get("source"), i)
            for i, m in enumerate(data.get("measurements") or ())
        ),
        key=lambda m: (m.date, m.index),
    )
    return Goal(
        id=data["id"],
        name=data["name"],
        path=("goals", index),
        kind=data["kind"],
        target=float(data["target"]),
        due=_d(data["due"]),
        start=_d(data.get("start")) or campaign_start,
        direction=data.get("direction", "increase"),
        unit=data.get("unit"),
        description=data.get("description"),
        owner=data.get("owner"),
        measurements=tuple(measurements),
    )


def _milestone(data: dict, index: int) -> Milestone:
    return Milestone(
        id=data["id"],
        name=data["name"],
        path=("milestones", index),
        date=_d(data["date"]),
        achieved=_d(data.get("achieved")),
        results=MappingProxyType({k: float(v) for k, v in (data.get("results") or {}).items()}),
        tasks=tuple(data.get("tasks") or ()),
        reviewed_by=data.get("reviewed_by"),
        description=data.get("description"),
        notes=data.get("notes"),
    )


def build_task(data: dict, index: int) -> Task:
    """The model of ``tasks[index]`` (valid), as ``build_campaign`` builds it."""
    return _task(data, index)


def build_policy(data: dict, defaults: Mapping[str, object] | None = None) -> Policy:
    """The campaign's policy: ``defaults`` (ptrack.yaml's) under the file's own ``policy``."""
    policy_data = {**(defaults or {}), **(data.get("policy") or {})}
    rules = {**((defaults or {}).get("rules") or {}), **((data.get("policy") or {}).get("rules") or {})}
    return Policy(
        deviation_warn=float(policy_data.get("deviation_warn", 10)),
        deviation_fail=float(policy_data.get("deviation_fail", 20)),
        stale_after_days=int(policy_data.get("stale_after_days", 7)),
        due_soon_days=int(policy_data.get("due_soon_days", 3)),
        collaborator_share=float(policy_data.get("collaborator_share", 0.5)),
        min_days_behind=int(policy_data.get("min_days_behind", 2)),
        forecast=str(policy_data.get("forecast", "schedule")),
        rules=MappingProxyType(dict(rules)),
    )


def build_campaign(data: dict, file: str, source: SourceMap | None = None,
                   defaults: Mapping[str, object] | None = None,
                   tasks: Sequence[Task] | None = None) -> Campaign:
    """Build the model from a document that passed ``validate_document`` without errors.

    ``defaults`` holds policy defaults from ``ptrack.yaml``; the campaign's own policy wins.
    ``tasks``: ``build_task(t, i)`` for each item of ``data["tasks"]``, already built (a file's
    versions share most of their tasks); None builds them here."""
    c = data["campaign"]
    start = _d(c["start"])
    policy = build_policy(data, defaults)
    people = {
        pid: Person(pid, p["name"], p.get("department"), p.get("role"), p.get("email"),
                    float(p.get("capacity", 5)),
                    **{k: p[k] for k in PERSON_HANDLES + PERSON_LOGINS if k != "email" and p.get(k)})
        for pid, p in (data.get("people") or {}).items()
    }
    return Campaign(
        id=c["id"],
        name=c["name"],
        file=file,
        start=start,
        end=_d(c["end"]),
        calendar=c.get("calendar", "weekends"),
        locale=c.get("locale", "zh-CN"),
        lead=c.get("lead"),
        calendar_overrides=build_overrides(c.get("calendar_overrides")),
        description=c.get("description"),
        policy=policy,
        people=MappingProxyType(people),
        goals=tuple(_goal(g, i, start) for i, g in enumerate(data.get("goals") or ())),
        milestones=tuple(_milestone(m, i) for i, m in enumerate(data.get("milestones") or ())),
        tasks=tuple(tasks) if tasks is not None
        else tuple(_task(t, i) for i, t in enumerate(data.get("tasks") or ())),
        risks=tuple(_risk(r, ("risks", i), None) for i, r in enumerate(data.get("risks") or ())),
        retro=Retro(retro.get("summary"), tuple(retro.get("went_well") or ()), tuple(retro.get("problems") or ()),
                    tuple(retro.get("improvements") or ())) if (retro := data.get("retro")) is not None else None,
        source=source,
    )
