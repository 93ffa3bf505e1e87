"""``ptrack clone SOURCE.yaml -o NEW.yaml --to D``: last year's campaign as this year's, as one
editor operation (``Clone``) applied to the source and written to a new file
(``edit_file(source, [Clone(...)], output=new)``): ids, structure, comments and order kept, only
the values that change rewritten, the result validated before it is written.

How dates move, from the anchor A (a milestone's date, a task's planned start, a date; default
the campaign start) to the target day T (``--to``):

* **Working days.** A date of a ``work`` or ``timebox`` task (its planned start and end, its
  risks' deadlines) keeps its signed working-day offset from the anchor: counted with the source
  calendar around A, laid out with the target calendar around T (``WorkCalendar.offset`` and
  ``shift``). The anchor is offset 0; "T-10 working days" stays T-10 across Spring Festival,
  May Day, Dragon Boat and National Day and their make-up days.
* **Non-working dates of such a task.** ptrack counts a task's working days only (planned
  progress, forecasts, float), and the clone keeps exactly those: a planned start on a day off
  moves to the task's first working day, a planned end (or a risk's deadline) on a day off to
  its last working day before it, and those are what keep their offsets. A task with no working
  day at all keeps its calendar days, like an event.
* **Calendar days.** ``event`` tasks, milestones, goals' start and due dates and the campaign
  window keep their calendar-day offset from the anchor: a launch 3 days after A is 3 days after T.
* **Cleared:** actual dates, progress, quantities done (0), deliverables done (false), risk
  resolutions, milestone achievements and results, goal measurements, budgets spent, an on-hold
  status (last year's pause) and the ``retro`` section (last year's lessons stay in the source).
  A ``cancelled`` task stays cancelled (a decision about scope; the table says so).
* **Kept:** everything else, byte for byte: ids, names, descriptions, notes, structure, comments,
  blank lines and order. ``campaign.id`` and ``name`` are the new ones; ``--calendar`` sets the
  target calendar.
* **People** (``persons``: OLD -> NEW): every reference moves (lead, owners, collaborators,
  risk owners, goal owners, milestone reviewers). NEW one of the people already: OLD's entry stays.
  NEW a new id: OLD's entry is renamed NEW and takes NEW's name (``OLD=NEW:NAME``); it keeps the
  department, role and capacity and drops OLD's own chat handles and forge logins (they reach
  OLD). Without a ``people`` section owners are free text, replaced as written.

What moved is left in ``Draft.notes`` as a ``CloneReport`` for the command's table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ptrack.edit.draft import Draft
from ptrack.edit.ops import ABSENT, Change, EditError, Operation, path_text
from ptrack.i18n import N_, NP_

WORKING = "working"  # Move.rule: the working-day offset kept
CALENDAR = "calendar"  # the calendar-day offset kept
# what a person keeps when renamed to someone new: what the role is, not how to reach OLD
_PERSON_KEEPS = ("name", "department", "role", "capacity")


@dataclass(frozen=True)
class Move:
    """A date the clone moved."""

    subject: str  # campaign | task | milestone | goal | risk
    id: str  # the campaign's, task's, milestone's or goal's id (a risk: its task's id, or the campaign's)
    name: str
    field: str  # planned.start, date, due, start, end, risks[2].due ...
    old: date
    new: date
    rule: str  # WORKING | CALENDAR
    offset: int  # working days (WORKING) or calendar days (CALENDAR) from the anchor
    snapped: date | None = None  # a day off of a work task: the working day that kept its offset
    day_off: bool = False  # a working day in the source, a day off in the new calendar (CALENDAR; WORKING:
    # offset 0, when --to is a day off)
    widened: str | None = None  # the campaign window: the task it was widened to hold


@dataclass
class CloneReport:
    """What ``Clone`` did: the anchor, the moves in file order, and what it cleared or noted."""

    anchor: date
    to: date
    anchor_label: str  # what the anchor is: a milestone's or task's name, or the date
    source_calendar: str
    target_calendar: str
    moves: list[Move] = field(default_factory=list)
    cleared: dict[str, int] = field(default_factory=dict)  # what -> how many values
    cancelled: list[str] = field(default_factory=list)  # names of the tasks that stay cancelled
    people: list[tuple[str, str]] = field(default_factory=list)  # (old, new) people remapped
    texts: list[tuple] = field(default_factory=list)  # (path, ids on it): free text that mentions a date


@dataclass(frozen=True)
class Clone(Operation):
    """Turn the campaign into its next edition (see the module docstring). ``anchor``: a
    milestone id, a task id or a YYYY-MM-DD date in the source (None: the campaign start);
    ``to``: its new date. ``persons``: (old, new, name or None) triples."""

    to: date
    campaign_id: str
    anchor: str | None = None
    name: str | None = None
    persons: tuple[tuple[str, str, str | None], ...] = ()
    calendar: str | None = None

    def apply(self, draft: Draft) -> None:
        from ptrack.core.calendars import BeyondCalendar

        try:
            self._apply(draft)
        except BeyondCalendar as exc:  # --to 9999-12-01: the dates after it cannot be written
            raise EditError(draft.t("config.at", where=draft.file, problem=exc.text(draft.locale))) from None

    def _apply(self, draft: Draft) -> None:
        from ptrack.core.calendars import UnknownCalendar, build_overrides, get_calendar

        data = draft.data
        camp = data["campaign"]
        source_code = camp.get("calendar", "weekends")
        target_code = self.calendar or source_code
        anchor, label = self._anchor(draft)
        report = CloneReport(anchor, self.to, label, source_code, target_code)
        # the source's own days off and working days count for its offsets, and for the target's
        # (one calendar when --calendar keeps the code); the new file keeps those in the new
        # window's years only (last year's schedule stays in the source)
        source_overrides = build_overrides(camp.get("calendar_overrides"))
        try:
            source = get_calendar(source_code, source_overrides)
            target = get_calendar(target_code, source_overrides)
        except UnknownCalendar as exc:
            raise EditError(exc.text(draft.locale)) from None
        dates = _Dates(anchor, self.to, source, target)
        first, last = (dates.calendar(date.fromisoformat(camp[part]))[0] for part in ("start", "end"))
        _keep_overrides(draft, report, range(first.year, last.year + 1))

        # the campaign: id, name, calendar (its window once the tasks have moved)
        new_name = self.name or renamed(str(camp["name"]), anchor.year, self.to.year)
        _put(draft, ("campaign", "id"), self.campaign_id, "campaign.id", ("campaign", str(camp["id"])))
        _put(draft, ("campaign", "name"), new_name, "campaign.name", ("campaign", str(camp["id"])))
        if self.calendar and self.calendar != source_code:
            _put(draft, ("campaign", "calendar"), self.calendar, "campaign.calendar", ("campaign", self.campaign_id))
        report.texts = _texts_with_dates(data)

        for i, goal in enumerate(list(data.get("goals") or ())):
            at = ("goals", i)
            for part in ("start", "due"):
                if part in goal:
                    self._move_calendar(draft, report, at + (part,), "goal", goal["id"], goal["name"], part, dates)
            _clear(draft, report, at + ("measurements",), NP_("clone.cleared.measurements"))

        for i, ms in enumerate(list(data.get("milestones") or ())):
            at = ("milestones", i)
            self._move_calendar(draft, report, at + ("date",), "milestone", ms["id"], ms["name"], "date", dates)
            _clear(draft, report, at + ("achieved",), NP_("clone.cleared.achieved"))
            _clear(draft, report, at + ("results",), NP_("clone.cleared.results"))

        for i, task in enumerate(list(data.get("tasks") or ())):
            self._task(draft, report, ("tasks", i), task, dates)

        for j, risk in enumerate(list(data.get("risks") or ())):
            self._risk(draft, report, ("risks", j), risk, "campaign", self.campaign_id, new_name, dates, fixed=False)

        # the window keeps its calendar-day offset, widened where a task's working-day offset
        # took it outside (a Monday start after a Tuesday anchor): the campaign holds its tasks
        tasks = [(t["name"], date.fromisoformat(t["planned"]["start"]), date.fromisoformat(t["planned"]["end"]))
                 for t in draft.data.get("tasks") or ()]
        for part in ("start", "end"):
            move = self._move_calendar(draft, report, ("campaign", part), "campaign", self.campaign_id, new_name,
                                       part, dates)
            days = [(start if part == "start" else end, name) for name, start, end in tasks]
            beyond = [(day, name) for day, name in days if (day < move.new if part == "start" else day > move.new)]
            if beyond:  # the farthest day, the first task in the file that has it
                far = min(d for d, _ in beyond) if part == "start" else max(d for d, _ in beyond)
                day, name = next((d, n) for d, n in beyond if d == far)
                _put(draft, ("campaign", part), day.isoformat(), part, ("campaign", self.campaign_id))
                report.moves[-1] = Move(move.subject, move.id, move.name, move.field, move.old, day, CALENDAR,
                                        (day - anchor).days, widened=name)

        if "retro" in data:
            draft.delete(("retro",))
            report.cleared[NP_("clone.cleared.retro")] = 1
        self._people(draft, report)
        draft.notes.append(report)

    # -- the anchor --------------------------------------------------------------------------

    def _anchor(self, draft: Draft) -> tuple[date, str]:
        data = draft.data
        ref = self.anchor
        if ref is None:
            return date.fromisoformat(data["campaign"]["start"]), data["campaign"]["name"]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", ref):
            try:
                return date.fromisoformat(ref), ref
            except ValueError:
                raise draft.error(N_("clone.bad_anchor"), anchor=ref) from None
        for kind in ("milestones", "tasks"):
            for item in data.get(kind) or ():
                if item.get("id") == ref:
                    day = item["date"] if kind == "milestones" else item["planned"]["start"]
                    return date.fromisoformat(day), item["name"]
        ids = [str(item.get("id")) for kind in ("milestones", "tasks") for item in data.get(kind) or ()]
        import difflib

        match = difflib.get_close_matches(ref, ids, n=1, cutoff=0.6)
        raise draft.error(N_("clone.unknown_anchor"), anchor=ref,
                          more=draft.t(N_("edit.did_you_mean"), match=match[0]) if match else "")

    # -- dates -------------------------------------------------------------------------------

    def _move_calendar(self, draft, report, path, subject, sid, name, fld, dates) -> Move:
        old = date.fromisoformat(draft.get(path))
        new, offset = dates.calendar(old)
        _put(draft, path, new.isoformat(), fld, (subject, sid))
        day_off = dates.source.is_working_day(old) and not dates.target.is_working_day(new)
        move = Move(subject, sid, name, fld, old, new, CALENDAR, offset, day_off=day_off)
        report.moves.append(move)
        return move

    def _move_working(self, draft, report, path, subject, sid, name, fld, dates, *, end: bool) -> None:
        old = date.fromisoformat(draft.get(path))
        new, offset, snapped = dates.working(old, end=end)
        _put(draft, path, new.isoformat(), fld, (subject, sid))
        day_off = not dates.target.is_working_day(new)  # only at the anchor: --to is a day off
        report.moves.append(Move(subject, sid, name, fld, old, new, WORKING, offset, snapped, day_off=day_off))

    def _task(self, draft, report, at, task, dates) -> None:
        tid, name = task["id"], task["name"]
        planned = task["planned"]
        start, end = date.fromisoformat(planned["start"]), date.fromisoformat(planned["end"])
        fixed = task.get("kind") == "event" or dates.source.count(start, end) == 0
        for part in ("start", "end"):
            if fixed:
                self._move_calendar(draft, report, at + ("planned", part), "task", tid, name, f"planned.{part}", dates)
            else:
                self._move_working(draft, report, at + ("planned", part), "task", tid, name, f"planned.{part}", dates,
                                   end=part == "end")
        _clear(draft, report, at + ("planned", "reason"), NP_("clone.cleared.reason"))
        _clear(draft, report, at + ("actual",), NP_("clone.cleared.actual"))
        _clear(draft, report, at + ("progress",), NP_("clone.cleared.progress"))
        quantity = task.get("quantity")
        if isinstance(quantity, dict) and quantity.get("done"):
            _put(draft, at + ("quantity", "done"), 0, "quantity.done", ("task", tid))
            report.cleared[NP_("clone.cleared.quantity")] = report.cleared.get(NP_("clone.cleared.quantity"), 0) + 1
        for k, item in enumerate(task.get("deliverables") or ()):
            if isinstance(item, dict) and item.get("done") is True:
                _put(draft, at + ("deliverables", k, "done"), False, f"deliverables[{k + 1}].done", ("task", tid))
                key = NP_("clone.cleared.deliverables")
                report.cleared[key] = report.cleared.get(key, 0) + 1
        budget = task.get("budget")
        if isinstance(budget, dict) and "spent" in budget:
            _clear(draft, report, at + ("budget", "spent"), NP_("clone.cleared.spent"))
        if task.get("status") == "on_hold":
            _clear(draft, report, at + ("status",), NP_("clone.cleared.on_hold"))
        elif task.get("status") == "cancelled":
            report.cancelled.append(name)
        for j, risk in enumerate(list(task.get("risks") or ())):
            self._risk(draft, report, at + ("risks", j), risk, "task", tid, name, dates, fixed=fixed)

    def _risk(self, draft, report, at, risk, subject, sid, name, dates, *, fixed: bool) -> None:
        k = at[-1] + 1
        if "due" in risk:
            if fixed:
                self._move_calendar(draft, report, at + ("due",), subject, sid, name, f"risks[{k}].due", dates)
            else:
                self._move_working(draft, report, at + ("due",), subject, sid, name, f"risks[{k}].due", dates, end=True)
        _clear(draft, report, at + ("resolved",), NP_("clone.cleared.resolved"))

    # -- people ------------------------------------------------------------------------------

    def _people(self, draft: Draft, report: CloneReport) -> None:
        if not self.persons:
            return
        data = draft.data
        people = data.get("people")
        mapping = {old: new for old, new, _ in self.persons}
        if len(mapping) != len(self.persons):  # OLD=A OLD=B: whose work goes where?
            olds = [old for old, _, _ in self.persons]
            raise draft.error(N_("clone.person_old_twice"), person=next(o for o in olds if olds.count(o) > 1))
        if len(set(mapping.values())) != len(mapping) and people is not None:
            raise draft.error(N_("clone.person_twice"))
        refs = list(_person_refs(data))
        known = set(people) if isinstance(people, dict) else {value for _, value in refs}
        for old, new, name in self.persons:
            if old not in known:
                import difflib

                match = difflib.get_close_matches(old, sorted(known), n=1, cutoff=0.6)
                raise draft.error(N_("clone.unknown_person"), person=old,
                                  more=draft.t(N_("edit.did_you_mean"), match=match[0]) if match else "")
            if isinstance(people, dict) and new not in people and not name:
                raise draft.error(N_("clone.person_needs_name"), old=old, new=new)
        for path, value in refs:
            if value in mapping:
                _put(draft, path, mapping[value], path_text(path), ("person", value))
        if isinstance(people, dict):
            for old, new, name in self.persons:
                if new in people:
                    continue
                where = ("people", old)
                draft.rename(where, new)
                draft.record(Change(("people", new), old, new, f"people.{old}", ("person", old), "rename"))
                entry = draft.get(("people", new))
                for key in [k for k in entry if k not in _PERSON_KEEPS]:
                    draft.delete(("people", new, key))
                    draft.record(Change(("people", new, key), entry[key], ABSENT, key, ("person", new), "remove"))
                _put(draft, ("people", new, "name"), name, "name", ("person", new))
        report.people = [(old, new) for old, new, _ in self.persons]


@dataclass(frozen=True)
class _Dates:
    anchor: date
    to: date
    source: object  # WorkCalendar of the source
    target: object  # WorkCalendar of the new file

    def calendar(self, day: date) -> tuple[date, int]:
        from ptrack.core.calendars import BeyondCalendar

        try:
            return dates_of(self.to, self.anchor, day), (day - self.anchor).days
        except (ValueError, OverflowError):  # before the year 1 or after 9999
            raise BeyondCalendar(self.target.code) from None

    def working(self, day: date, *, end: bool) -> tuple[date, int, date | None]:
        """(new day, working-day offset, the working day that kept it when ``day`` is a day off)."""
        snapped = None
        if not self.source.is_working_day(day):
            snapped = self.source.shift(day, -1 if end else 1)
        offset = self.source.offset(self.anchor, snapped or day)
        return self.target.shift(self.to, offset), offset, snapped


_DATE_TEXT = re.compile(r"(?<![\d/])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}|\d{1,2}月\d{1,2}日)(?![\d/])")


def _texts_with_dates(data: dict) -> list[tuple]:
    """Where the campaign's free text (names, descriptions, notes) mentions a date, which a clone
    cannot move: (path, the ids on it) for ``describe_path``: "campaign.description", "tasks[popup-store].name"
    (任务 popup-store 的 name), ..."""
    from ptrack.core.diagnostics import item_names

    out = []

    def look(at: tuple, item: dict) -> None:
        for key in ("name", "description", "notes"):
            if isinstance(item.get(key), str) and _DATE_TEXT.search(item[key]):
                out.append((at + (key,), item_names(data, at + (key,))))

    look(("campaign",), data.get("campaign") or {})
    for kind in ("goals", "milestones", "tasks"):
        for i, item in enumerate(data.get(kind) or ()):
            if isinstance(item, dict):
                look((kind, i), item)
    return out


def renamed(name: str, old_year: int, new_year: int) -> str:
    """The campaign's name with the anchor's year (a 4-digit number on its own) as the new year:
    "2024 双11全渠道大促" -> "2025 双11全渠道大促"."""
    return re.sub(rf"(?<!\d){old_year}(?!\d)", str(new_year), name)


def dates_of(to: date, anchor: date, day: date) -> date:
    """``day`` at its calendar-day offset from ``anchor``, around ``to``."""
    return date.fromordinal(to.toordinal() + (day - anchor).days)


def _keep_overrides(draft: Draft, report: CloneReport, years: range) -> None:
    """Remove the entries of ``campaign.calendar_overrides`` without a day in ``years`` (the
    new window's), and the lists (the section) they leave empty."""
    from ptrack.core.calendars import override_days

    where = ("campaign", "calendar_overrides")
    overrides = draft.get(where)
    if not isinstance(overrides, dict):
        return
    for key in ("days_off", "working_days"):
        items = overrides.get(key)
        if not isinstance(items, list):
            continue
        for i in reversed(range(len(items))):
            if not any(day.year in years for day in override_days(items[i])):
                _clear(draft, report, where + (key, i), NP_("clone.cleared.overrides"))
        if not draft.get(where + (key,)):
            draft.delete(where + (key,))
    if not draft.get(where):
        draft.delete(where)


def _put(draft: Draft, path: tuple, value, label: str, subject: tuple) -> None:
    old = draft.get(path)
    if old == value:
        return
    draft.set(path, value)
    draft.record(Change(path, old, value, label, subject, "set"))


def _clear(draft: Draft, report: CloneReport, path: tuple, what: str) -> None:
    """Remove ``path`` when it is there, counting it under ``what``."""
    if not draft.exists(path):
        return
    old = draft.delete(draft.resolve(path))
    draft.record(Change(path, old, ABSENT, path[-1], (), "remove"))
    report.cleared[what] = report.cleared.get(what, 0) + 1


def _person_refs(data: dict):
    """(path, person id) of every person reference in the data, in file order."""
    camp = data.get("campaign") or {}
    if isinstance(camp.get("lead"), str):
        yield ("campaign", "lead"), camp["lead"]
    for i, g in enumerate(data.get("goals") or ()):
        if isinstance(g.get("owner"), str):
            yield ("goals", i, "owner"), g["owner"]
    for i, m in enumerate(data.get("milestones") or ()):
        if isinstance(m.get("reviewed_by"), str):
            yield ("milestones", i, "reviewed_by"), m["reviewed_by"]
    for i, t in enumerate(data.get("tasks") or ()):
        if isinstance(t.get("owner"), str):
            yield ("tasks", i, "owner"), t["owner"]
        for k, ref in enumerate(t.get("collaborators") or ()):
            yield ("tasks", i, "collaborators", k), ref
        for j, r in enumerate(t.get("risks") or ()):
            if isinstance(r.get("owner"), str):
                yield ("tasks", i, "risks", j, "owner"), r["owner"]
    for j, r in enumerate(data.get("risks") or ()):
        if isinstance(r.get("owner"), str):
            yield ("risks", j, "owner"), r["owner"]


def parse_person(text: str) -> tuple[str, str, str | None]:
    """``OLD=NEW`` or ``OLD=NEW:NAME`` -> (old, new, name or None); ValueError otherwise."""
    old, sep, rest = text.partition("=")
    new, _, name = rest.partition(":")
    old, new, name = old.strip(), new.strip(), name.strip() or None
    if not sep or not old or not new:
        raise ValueError(text)
    return old, new, name


# ---------------------------------------------------------------------------------------------
# What the command prints

_SUBJECTS = {"campaign": N_("clone.subject.campaign"), "task": N_("clone.subject.task"),
             "milestone": N_("clone.subject.milestone"), "goal": N_("clone.subject.goal")}


def clone_text(result, report: CloneReport, *, source: str, dry_run: bool = False) -> str:
    """What ``ptrack clone`` prints: the anchor and calendars, a table of every date that moved
    (what, id, field, old -> new, the offset it kept), what was cleared, the tasks that stay
    cancelled and the people remapped."""
    from ptrack.i18n import NP_, t
    from ptrack.reporters import render_table

    loc = result.locale
    lines = [t(loc, N_("clone.dry_run") if dry_run else N_("clone.wrote"), file=result.target, source=source,
               anchor=report.anchor_label, old=report.anchor.isoformat(), new=report.to.isoformat(),
               source_calendar=report.source_calendar, target_calendar=report.target_calendar,
               n=len(report.moves))]
    rows = []
    for m in report.moves:
        rule = _offset_text(loc, m)
        if m.snapped is not None:
            rule += t(loc, "clone.snapped", day=m.old.isoformat(), working=m.snapped.isoformat())
        if m.day_off:
            rule += t(loc, "clone.day_off", day=m.new.isoformat())
        if m.widened is not None:
            rule = t(loc, "clone.widened", task=m.widened)
        rows.append([t(loc, _SUBJECTS.get(m.subject, N_("clone.subject.campaign"))), m.id, m.name, m.field,
                     m.old.isoformat(), m.new.isoformat(), rule])
    lines.append(render_table([t(loc, k) for k in (N_("clone.col.what"), N_("clone.col.id"), N_("clone.col.name"),
                                                   N_("clone.col.field"), N_("clone.col.old"), N_("clone.col.new"),
                                                   N_("clone.col.offset"))], rows, max_width=100))
    if report.cleared:
        sep = t(loc, "punct.comma")
        lines.append(t(loc, "clone.cleared", what=sep.join(t(loc, NP_(key), n=n) for key, n in report.cleared.items())))
    if report.cancelled:
        lines.append(t(loc, "clone.cancelled", names=t(loc, "punct.list").join(report.cancelled)))
    if report.texts:
        from ptrack.core.diagnostics import describe_path

        lines.append(t(loc, "clone.texts", where=t(loc, "punct.comma").join(describe_path(path, names, loc)
                                                                             for path, names in report.texts)))
    if report.people:
        lines.append(t(loc, "clone.people", people=t(loc, "punct.comma").join(f"{a} → {b}" for a, b in report.people)))
    lines += [d.format_text() for d in calendar_notices(result)]
    return "\n".join(lines) + "\n"


def calendar_notices(result) -> list:
    """``check``'s ``calendar-estimated`` finding on the new file (its text, at its path), in the
    command's language: its calendar is the holidays package's estimate in the new years."""
    from ptrack.core.compute import compute_snapshot
    from ptrack.core.rules import run_rules
    from ptrack.core.validate import load_campaign_bytes

    loaded = load_campaign_bytes(result.text.encode("utf-8"), result.target, locale=result.locale)
    if loaded.campaign is None:
        return []
    snapshot = compute_snapshot(loaded.campaign, as_of=loaded.campaign.start)
    return run_rules(snapshot, result.locale, only={"calendar-estimated"})


def _offset_text(loc: str, m: Move) -> str:
    from ptrack.i18n import NP_, t

    if m.offset == 0:
        return "T"
    signed = f"+{m.offset}" if m.offset > 0 else f"\u2212{-m.offset}"
    key = NP_("clone.working") if m.rule == WORKING else NP_("clone.calendar")
    return t(loc, key, offset=signed, n=abs(m.offset))
