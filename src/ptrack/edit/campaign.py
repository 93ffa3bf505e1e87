"""Operations that know the campaign format: what ``ptrack update`` does, by task and goal id.

Each one finds its task, goal or risk by id (an EditError with a "did you mean" when there is
none), changes the data through the draft and records a ``Change`` whose ``subject`` and
``label`` a summary shows: ``task a: progress 10 -> 35, actual.start 2024-03-02``. New keys go
where the format's field order puts them; a new date is quoted like the file's neighbouring date.
``summary(result)`` writes that line in the result's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ptrack.edit.draft import Draft
from ptrack.edit.ops import ABSENT, ById, Change, Operation
from ptrack.i18n import N_, t

_QUANTITY_ORDER = ("done", "total", "unit")


def number(value: float) -> int | float:
    """60.0 -> 60: whole numbers are written without a decimal point."""
    return int(value) if float(value).is_integer() else value


def show(value) -> str:
    """A value as a summary shows it."""
    if value is None or value is ABSENT:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(number(value))
    return str(value)


def _task(draft: Draft, task_id: str) -> tuple:
    return ("tasks", draft.index_of(("tasks",), task_id))


def _set(draft: Draft, subject: tuple, path: tuple, label: str, value, *, order=None, like=None) -> None:
    """Set ``path`` to ``value`` and record it, unless it already holds that value."""
    old = draft.get(path)
    if old is not ABSENT and show(old) == show(value):
        return
    draft.set(path, value, order=order, like=like)
    draft.record(Change(path, old, draft.get(path), label, subject, "set" if old is not ABSENT else "add"))


@dataclass(frozen=True)
class SetProgress(Operation):
    """The task's ``progress`` (0-100)."""

    task: str
    value: float

    def apply(self, draft: Draft) -> None:
        at = _task(draft, self.task)
        _set(draft, ("task", self.task), at + ("progress",), "progress", number(self.value))


@dataclass(frozen=True)
class SetActual(Operation):
    """The task's actual start and/or end. A new date is quoted like the planned one. With an
    end, a task that has ``progress`` gets 100 (it is done)."""

    task: str
    start: date | None = None
    end: date | None = None

    def apply(self, draft: Draft) -> None:
        at = _task(draft, self.task)
        subject = ("task", self.task)
        for part, value in (("start", self.start), ("end", self.end)):
            if value is None:
                continue
            like = at + ("actual", part) if draft.exists(at + ("actual", part)) else at + ("planned", part)
            _set(draft, subject, at + ("actual", part), f"actual.{part}", value.isoformat(), like=like)
        if self.end is not None and draft.exists(at + ("progress",)):
            _set(draft, subject, at + ("progress",), "progress", 100)


@dataclass(frozen=True)
class SetPlanned(Operation):
    """The task's planned start and/or end (what a cascade moves)."""

    task: str
    start: date | None = None
    end: date | None = None

    def apply(self, draft: Draft) -> None:
        at = _task(draft, self.task)
        for part, value in (("start", self.start), ("end", self.end)):
            if value is not None:
                _set(draft, ("task", self.task), at + ("planned", part), f"planned.{part}", value.isoformat(),
                     like=at + ("planned", part))


@dataclass(frozen=True)
class SetDone(Operation):
    """The task's ``quantity.done``; EditError when the task counts no quantity."""

    task: str
    value: float

    def apply(self, draft: Draft) -> None:
        at = _task(draft, self.task)
        if not isinstance(draft.get(at + ("quantity",)), dict):
            raise draft.error(N_("edit.no_quantity"), task=self.task)
        _set(draft, ("task", self.task), at + ("quantity", "done"), "quantity.done", number(self.value),
             order=_QUANTITY_ORDER)


@dataclass(frozen=True)
class ResolveRisk(Operation):
    """Mark a risk resolved on ``on``. ``task``: the task whose risk it is (None: a risk of the
    campaign's own list). ``risk``: the risk's id, or its 1-based position in its list (an int,
    or text of digits: the "risk reference" of the update form)."""

    task: str | None
    risk: int | str
    on: date

    def apply(self, draft: Draft) -> None:
        owner = _task(draft, self.task) if self.task is not None else ()
        subject = ("task", self.task) if self.task is not None else ("campaign", str(draft.get(("campaign", "id"))))
        risks = draft.get(owner + ("risks",))
        risks = risks if isinstance(risks, list) else []
        ref = self.risk
        if isinstance(ref, str) and ref.strip().isdigit():
            ref = int(ref.strip())
        if isinstance(ref, int):
            if not 1 <= ref <= len(risks):
                if risks:
                    raise draft.error(N_("edit.risk_range"), owner=self._owner(draft), n=len(risks))
                raise draft.error(N_("edit.no_risks"), owner=self._owner(draft))
            index = ref - 1
        else:
            index = draft.index_of(owner + ("risks",), ById(ref))
        at = owner + ("risks", index)
        like = at + ("resolved",) if draft.exists(at + ("resolved",)) else at + ("due",)
        _set(draft, subject, at + ("resolved",), f"risks[{index + 1}].resolved", self.on.isoformat(), like=like)

    def _owner(self, draft: Draft) -> str:
        if self.task is None:
            return draft.t(N_("edit.owner.campaign"))
        return draft.t(N_("edit.owner.task"), task=self.task)


@dataclass(frozen=True)
class AddNote(Operation):
    """Add a line to the task's ``notes`` (a literal block once it has several lines). With
    ``on``, the note is dated: ``2024-04-16 备选达人已签约`` (the date, a space, the text)."""

    task: str
    text: str
    on: date | None = None

    def apply(self, draft: Draft) -> None:
        note = self.text.strip()
        if not note:
            return
        if self.on is not None:
            note = f"{self.on.isoformat()} {note}"
        at = _task(draft, self.task) + ("notes",)
        old = draft.get(at)
        text = f"{str(old).rstrip()}\n{note}" if old not in (ABSENT, None, "") else note
        draft.set(at, text)
        draft.record(Change(at, old, text, "notes", ("task", self.task), "note"))


@dataclass(frozen=True)
class RecordMeasurement(Operation):
    """A goal's measurement on ``on``: the value of that date is replaced, else a measurement is
    added in date order (its date quoted like its neighbours')."""

    goal: str
    on: date
    value: float

    def apply(self, draft: Draft) -> None:
        at = ("goals", draft.index_of(("goals",), self.goal))
        day = self.on.isoformat()
        value = number(self.value)
        subject = ("goal", self.goal)
        items = draft.get(at + ("measurements",))
        if not isinstance(items, list):
            where = draft.insert(at + ("measurements",), -1, {"date": day, "value": value})
            draft.record(Change(where, ABSENT, value, day, subject, "measurement-added"))
            return
        for i, m in enumerate(items):
            if isinstance(m, dict) and str(m.get("date")) == day:
                old = m.get("value")
                if show(old) != show(value):
                    draft.set(at + ("measurements", i, "value"), value)
                    draft.record(Change(at + ("measurements", i, "value"), old, value, day, subject,
                                        "measurement-replaced"))
                return
        pos = len(items)
        while pos > 0 and isinstance(items[pos - 1], dict) and str(items[pos - 1].get("date")) > day:
            pos -= 1
        last = items[-1] if items else None
        where = draft.insert(at + ("measurements",), pos, {"date": day, "value": value})
        if isinstance(last, dict) and "date" in last:
            draft.likes[(id(draft.get(where)), "date")] = (last, "date")
        draft.record(Change(where, ABSENT, value, day, subject, "measurement-added"))


@dataclass(frozen=True)
class AchieveMilestone(Operation):
    """Mark a milestone achieved on ``on``, with the goal values recorded at it (the seed's
    "里程碑达成数据", e.g. exposure 2,000,000 at 物料定稿): ``results`` is a tuple of (goal id,
    value) pairs, each goal one of the campaign's (an EditError with "did you mean" otherwise); a
    result already recorded for that goal is replaced, the others are kept. ``reviewed_by``: the
    person who reviewed the results (usually the lead). ``on`` None: the results only."""

    milestone: str
    on: date | None = None
    results: tuple[tuple[str, float], ...] = ()
    reviewed_by: str | None = None

    def apply(self, draft: Draft) -> None:
        at = ("milestones", draft.index_of(("milestones",), self.milestone))
        subject = ("milestone", self.milestone)
        if self.on is not None:
            like = at + ("achieved",) if draft.exists(at + ("achieved",)) else at + ("date",)
            _set(draft, subject, at + ("achieved",), "achieved", self.on.isoformat(), like=like)
        for goal, value in self.results:
            draft.index_of(("goals",), goal)  # the goal must exist
            _set(draft, subject, at + ("results", goal), f"results.{goal}", number(value))
        if self.reviewed_by is not None:
            _set(draft, subject, at + ("reviewed_by",), "reviewed_by", self.reviewed_by)


_RISK_ORDER = ("id", "issue", "solution", "owner", "due", "resolved", "severity")


@dataclass(frozen=True)
class AddRisk(Operation):
    """A new open risk (the risk form, 报告风险): under ``task``'s ``risks``, or the campaign's
    own ``risks`` when ``task`` is None; its keys in the format's order, the list created when
    missing. ``due`` is quoted like the file's other dates."""

    task: str | None
    issue: str
    solution: str | None = None
    owner: str | None = None
    due: date | None = None
    id: str | None = None

    def apply(self, draft: Draft) -> None:
        owner = _task(draft, self.task) if self.task is not None else ()
        subject = ("task", self.task) if self.task is not None else ("campaign", str(draft.get(("campaign", "id"))))
        issue = self.issue.strip()
        if not issue:
            raise draft.error(N_("edit.risk_without_issue"))
        risk = {"id": self.id, "issue": issue, "solution": (self.solution or "").strip() or None,
                "owner": self.owner, "due": self.due.isoformat() if self.due else None}
        risk = {k: v for k, v in risk.items() if v is not None}
        where = draft.insert(owner + ("risks",), -1, risk, order=_RISK_ORDER)
        if self.due is not None:
            like = _a_date(draft, owner)
            if like is not None:
                draft.likes[(id(draft.get(where)), "due")] = like
        draft.record(Change(where, ABSENT, issue, "risks", subject, "risk-added"))


def _a_date(draft: Draft, owner: tuple):
    """(container, key) of a date the file already has near ``owner`` (a risk's due date, else
    the task's or the campaign's planned dates): how a new date is quoted."""
    risks = draft.get(owner + ("risks",))
    dues = [owner + ("risks", i, "due") for i in range(len(risks) - 1)] if isinstance(risks, list) else []
    for path in (*dues, owner + ("planned", "end"), ("campaign", "end")):
        if draft.exists(path):
            where = draft.resolve(path)
            return draft.get(where[:-1]), where[-1]
    return None


# ---------------------------------------------------------------------------------------------
# Summaries

_SUBJECTS = {"task": N_("edit.subject.task"), "goal": N_("edit.subject.goal"),
             "campaign": N_("edit.subject.campaign"), "milestone": N_("edit.subject.milestone")}


def describe(change: Change, locale: str) -> str:
    """One change in words: ``progress 10 -> 35``, ``note added``, ``measurement ...``."""
    kind = change.kind
    if kind == "note":
        return t(locale, "edit.change.note")
    if kind == "risk-added":
        return t(locale, "edit.change.risk_added", issue=show(change.new))
    if kind == "measurement-added":
        return t(locale, "edit.change.measurement_added", date=change.label, value=show(change.new))
    if kind == "measurement-replaced":
        return t(locale, "edit.change.measurement_replaced", date=change.label, old=show(change.old),
                 value=show(change.new))
    if kind == "remove":
        return t(locale, "edit.change.remove", label=change.label)
    if kind == "rename":
        return t(locale, "edit.change.rename", label=change.label, new=change.new)
    if change.old is ABSENT or change.old is None:
        return t(locale, "edit.change.add", label=change.label, new=show(change.new))
    return t(locale, "edit.change.set", label=change.label, old=show(change.old), new=show(change.new))


def summary(result) -> str:
    """The line ``ptrack update`` prints: ``c.yaml: task a: progress 10 -> 35, note added``
    (``c.yaml (a link to plans/c.yaml): ...`` for a link, ``new.yaml (from c.yaml): ...`` for a
    new file written from c.yaml), or ``c.yaml: no change``."""
    loc = result.locale
    file = result.file
    if result.linked:
        file = t(loc, "edit.linked", file=result.file, target=result.target)
    elif result.output:
        file = t(loc, "edit.from_source", file=result.file, target=result.target)
    if not result.changed:
        return t(loc, "edit.no_change", file=file)
    groups: dict[tuple, list[str]] = {}
    for change in result.changes:
        groups.setdefault(change.subject, []).append(describe(change, loc))
    sep = t(loc, "punct.comma")
    parts = []
    for subject, texts in groups.items():
        body = sep.join(texts)
        if subject:
            body = t(loc, "edit.subject", subject=t(loc, _SUBJECTS.get(subject[0], subject[0]), id=subject[1]),
                     changes=body)
        parts.append(body)
    return t(loc, "edit.summary", file=file, changes=t(loc, "edit.subjects_sep").join(parts))
