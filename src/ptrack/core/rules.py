"""Checks over a snapshot: a registry of rules, each a generator of raw findings.

A rule yields ``(severity, path, task_id, message_key, values)``; ``run_rules`` applies the
policy's severity overrides (``policy.rules``), localises the message and locates it on the YAML
node. Adding a rule is one decorated function. ``values["subject"]``, when a rule gives it, names
what the finding is about inside its task or campaign (a risk, a milestone, a goal, a person):
``Diagnostic.subject``, which identifies the finding across runs (not a message value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from ptrack.core.calendars import estimate_values, years_spanned, years_text
from ptrack.core.compute import CampaignSnapshot, Status
from ptrack.core.diagnostics import Diagnostic, Severity
from ptrack.core.model import FS, SS
from ptrack.i18n import N_, NP_, fmt_number, fmt_points, link_text, t

RawFinding = tuple  # (Severity, json path, task id | None, message key, values dict)


@dataclass(frozen=True)
class Rule:
    id: str
    default: Severity
    summary: str
    check: Callable[[CampaignSnapshot], Iterator[RawFinding]]


RULES: dict[str, Rule] = {}


def rule(rule_id: str, default: Severity, summary: str):
    def register(fn):
        RULES[rule_id] = Rule(rule_id, default, summary, fn)
        return fn

    return register


def _owner(snapshot: CampaignSnapshot, ref: str | None, locale: str) -> str:
    return snapshot.campaign.person_name(ref) or t(locale, "unassigned")


@rule("risk-overdue", Severity.ERROR, "an open risk is past its deadline (解决时限)")
def _risk_overdue(s: CampaignSnapshot):
    for rs in s.risks:
        if rs.state == "overdue":
            yield (Severity.ERROR, rs.risk.path + ("due",), rs.risk.task_id, NP_("rule.risk-overdue"),
                   {"issue": rs.risk.issue, "days": rs.days_overdue, "due": rs.risk.due.isoformat(),
                    "owner_ref": rs.risk.owner, "subject": rs.risk.id or rs.risk.issue})


def _progress_path(task) -> tuple:
    for key in ("progress", "quantity", "deliverables"):
        if getattr(task, key) not in (None, ()):  # progress: 0 is a value too
            return task.path + (key,)
    return task.path


@rule("deviation-behind", Severity.WARNING,
      "a task is behind plan by more than deviation_warn points (error past deviation_fail)")
def _deviation_behind(s: CampaignSnapshot):
    policy = s.campaign.policy
    for ts in s.tasks:
        # the focus list: open (on hold is a decision someone took), past deviation_warn points and
        # at least min_days_behind working days behind
        if ts.focus:
            behind = -ts.deviation
            severity = Severity.ERROR if behind > policy.deviation_fail + 1e-9 else Severity.WARNING
            yield (severity, _progress_path(ts.task), ts.task.id, NP_("rule.deviation-behind"),
                   {"name": ts.task.name, "points": fmt_points(behind),
                    "planned": fmt_points(ts.planned_progress), "actual": fmt_points(ts.actual_progress),
                    "days": max(ts.days_behind, 0)})


@rule("milestone-missed", Severity.ERROR, "a milestone's date has passed and it is not achieved")
def _milestone_missed(s: CampaignSnapshot):
    for ms in s.milestones:
        if ms.state == "missed":
            yield (Severity.ERROR, ms.milestone.path + ("date",), None, NP_("rule.milestone-missed"),
                   {"name": ms.milestone.name, "date": ms.milestone.date.isoformat(), "days": ms.days_late,
                    "subject": ms.milestone.id})


@rule("task-overdue", Severity.WARNING, "a task is past its planned end and not done (延期)")
def _task_overdue(s: CampaignSnapshot):
    for ts in s.tasks:
        if ts.status is Status.DELAYED:
            yield (Severity.WARNING, ts.task.path + ("planned", "end"), ts.task.id, N_("rule.task-overdue"),
                   {"name": ts.task.name, "end": ts.task.planned_end.isoformat(),
                    "actual": fmt_points(ts.actual_progress)})


@rule("late-start", Severity.WARNING, "a task's planned start has passed and it has not started")
def _late_start(s: CampaignSnapshot):
    for ts in s.tasks:
        if ts.status is Status.NOT_STARTED and s.as_of > ts.task.planned_start:
            yield (Severity.WARNING, ts.task.path + ("planned", "start"), ts.task.id, N_("rule.late-start"),
                   {"name": ts.task.name, "start": ts.task.planned_start.isoformat()})


@rule("goal-behind-pace", Severity.WARNING,
      "a cumulative goal is behind the pace its target needs, or a goal missed its target at the due date")
def _goal_behind(s: CampaignSnapshot):
    for gs in s.goals:
        goal = gs.goal
        if gs.latest is None or gs.status != "behind":
            continue
        # the latest measurement as of D (measurements after D are ignored), at its own line
        latest = [m for m in goal.measurements if m.date <= s.as_of][-1]
        path = goal.path + ("measurements", latest.index)
        values = {"name": goal.name, "latest": fmt_number(gs.latest, goal.unit),
                  "target": fmt_number(goal.target, goal.unit), "due": goal.due.isoformat(),
                  "as_of": s.as_of.isoformat(), "expected": fmt_number(gs.expected, goal.unit),
                  "subject": goal.id}
        if goal.kind == "cumulative":
            yield (Severity.WARNING, path, None, N_("rule.goal-behind-pace"), values)
        elif s.as_of > goal.due:
            yield (Severity.WARNING, path, None, N_("rule.goal-below-target"), values)


@rule("dependency-order", Severity.WARNING,
      "a task started before a predecessor finished (or, for a start-to-start link, started), lag included")
def _dependency_order(s: CampaignSnapshot):
    """Starting on the day the predecessor finishes is tolerated (a hand-over within a day), so
    a link allows the task to start from the predecessor's finish (start-to-start: its start)
    shifted by the lag in working days. A predecessor that has not finished (started) yet allows
    nothing, unless the lag is a lead: then it is counted from its forecast finish (start)."""
    by_id = {ts.task.id: ts for ts in s.tasks}
    cal = None
    for ts in s.tasks:
        start = ts.task.actual_start
        if start is None or start > s.as_of:
            continue
        for dep in ts.task.dependencies:
            pred = by_id.get(dep.task)
            if pred is None or pred.status is Status.CANCELLED:
                continue
            ss = dep.type == SS
            known = pred.task.actual_start if ss else pred.task.actual_end
            known = known if known is not None and known <= s.as_of else None
            if known is None and (pred.status is Status.DONE or (ss and pred.actual_progress > 0)):
                continue  # done (started) without a recorded date: nothing to compare
            values = {"name": ts.task.name, "start": start.isoformat(), "pred": pred.task.name}
            if known is None and dep.lag >= 0:
                yield (Severity.WARNING, ts.task.path + ("actual", "start"), ts.task.id,
                       N_("rule.dependency-order-ss") if ss else N_("rule.dependency-order"), values)
                continue
            base = known if known is not None else (pred.earliest_start if ss else pred.forecast_finish)
            if base is None:
                continue
            if dep.plain:
                earliest = base
            else:
                cal = cal or s.campaign.work_calendar
                earliest = cal.shift(base, dep.lag)
            if start < earliest:
                if dep.plain:
                    yield (Severity.WARNING, ts.task.path + ("actual", "start"), ts.task.id,
                           N_("rule.dependency-order"), values)
                else:
                    yield (Severity.WARNING, ts.task.path + ("actual", "start"), ts.task.id,
                           N_("rule.dependency-order-link"),
                           {**values, "earliest": earliest.isoformat(), "link_ref": (dep.type, dep.lag)})


@rule("critical-slip", Severity.WARNING,
      "a task on the critical path (float <= 0) is behind plan: any day lost there moves the end date")
def _critical_slip(s: CampaignSnapshot):
    for ts in s.tasks:
        if not ts.critical or ts.days_behind <= 0 or ts.status in (Status.DONE, Status.CANCELLED, Status.ON_HOLD):
            continue
        if ts.held_by is not None:
            continue  # its float is to a fixed-date event, not to the end date: event-at-risk says it
        if s.as_of <= ts.task.planned_start:
            continue  # its first day is not a slip yet (as for late-start)
        yield (Severity.WARNING, _progress_path(ts.task), ts.task.id, NP_("rule.critical-slip"),
               {"name": ts.task.name, "days": ts.days_behind, "float": ts.float_days,
                "forecast": ts.forecast_finish.isoformat() if ts.forecast_finish else "-",
                "end": s.campaign.end.isoformat()})


@rule("overallocated", Severity.NOTICE,
      "a person's planned work in some week exceeds their capacity (people.<id>.capacity, default 5 days)")
def _overallocated(s: CampaignSnapshot):
    workload = s.workload
    campaign = s.campaign
    tasks = {t.id: t for t in campaign.tasks}
    for person in workload.overallocated:
        # the week most over capacity (in working days); the earliest on a tie
        worst = max(person.over, key=lambda k: (person.load[k] - person.available[k], -k))
        ids = person.over[worst]
        names = [tasks[tid].name for tid in ids]
        if person.person in campaign.people:
            path = ("people", person.person)
        else:  # owners are free text: point at the person's first task that week
            first = tasks[ids[0]]
            path = first.path + (("owner",) if first.owner == person.person
                                 else ("collaborators", first.collaborators.index(person.person)))
        yield (Severity.NOTICE, path, None, NP_("rule.overallocated"),
               {"person_ref": person.person, "n": len(person.over), "week": workload.weeks[worst].label,
                "load": fmt_number(person.load[worst]), "available": fmt_number(person.available[worst]),
                "capacity": fmt_number(person.capacity),
                "tasks": ", ".join(names[:5]) + (", …" if len(names) > 5 else ""), "subject": person.person})


@rule("event-at-risk", Severity.ERROR,
      "a predecessor of a fixed-date event (kind: event) is forecast to finish on or after the event's start")
def _event_at_risk(s: CampaignSnapshot):
    tasks = {ts.task.id: ts.task for ts in s.tasks}
    for clash in s.event_clashes:
        event, pred = tasks[clash.event], tasks[clash.predecessor]
        values = {"name": event.name, "start": event.planned_start.isoformat(), "pred": pred.name,
                  "finish": clash.finish.isoformat(), "days": clash.days}
        if clash.lag or clash.type != FS:
            values.update(link_ref=(clash.type, clash.lag), pred_start=clash.start.isoformat())
        yield (Severity.ERROR, event.path + ("depends_on", event.depends_on.index(pred.id)), event.id,
               NP_("rule.event-at-risk-link") if "link_ref" in values else NP_("rule.event-at-risk"), values)


@rule("on-hold", Severity.NOTICE, "a task on hold is past its planned end: resume it, re-plan it or cancel it")
def _on_hold(s: CampaignSnapshot):
    for ts in s.tasks:
        if ts.status is Status.ON_HOLD and s.as_of > ts.task.planned_end:
            yield (Severity.NOTICE, ts.task.path + ("status",), ts.task.id, NP_("rule.on-hold"),
                   {"name": ts.task.name, "end": ts.task.planned_end.isoformat(),
                    "days": (s.as_of - ts.task.planned_end).days})


@rule("calendar-estimated", Severity.NOTICE,
      "the campaign's calendar is the holidays package's estimate in some year (no published 放假安排 with make-up days "
      "yet): write the schedule under campaign.calendar_overrides, or upgrade holidays")
def _calendar_estimated(s: CampaignSnapshot):
    c = s.campaign
    days = [c.start, c.end] + [d for t in c.tasks for d in (t.planned_start, t.planned_end)]
    values = estimate_values(c.work_calendar, years_spanned(days))
    if values is not None:
        yield (Severity.NOTICE, ("campaign", "calendar"), None, N_("rule.calendar-estimated"), values)


def effective_severity(rule_id: str, severity: Severity, overrides) -> Severity | None:
    """The severity after ``policy.rules``; None when the rule is switched off."""
    override = overrides.get(rule_id)
    if override is None:
        return severity
    if override == "off":
        return None
    return Severity(override)


def run_rules(snapshot: CampaignSnapshot, locale: str | None = None,
              extra: Iterator[RawFinding] | None = None, only: set[str] | None = None) -> list[Diagnostic]:
    """Every finding of every rule (and of ``extra`` raw findings, e.g. git-based ones), sorted."""
    campaign = snapshot.campaign
    locale = locale or campaign.locale
    overrides = campaign.policy.rules
    out: list[Diagnostic] = []

    def emit(rule_id: str, raw: RawFinding) -> None:
        severity, path, task_id, key, values = raw
        severity = effective_severity(rule_id, severity, overrides)
        if severity is None:
            return
        subject = str(values.get("subject") or "")
        if "owner_ref" in values:
            values = {**values, "owner": _owner(snapshot, values["owner_ref"], locale)}
        if "link_ref" in values:
            values = {**values, "link": link_text(locale, *values["link_ref"])}
        if "years_ref" in values:
            values = {**values, "years": years_text(locale, values["years_ref"])}
        if "person_ref" in values:
            values = {**values, "person": _owner(snapshot, values["person_ref"], locale)}
            if locale == "zh-CN":
                values["tasks"] = values["tasks"].replace(", ", "、")
        out.append(Diagnostic(rule_id, severity, t(locale, key, **values), campaign.locate(path),
                              campaign.id, task_id, subject, locale=locale))

    for rule_id, r in RULES.items():
        if only is not None and rule_id not in only:
            continue
        if overrides.get(rule_id) == "off":
            continue
        for raw in r.check(snapshot):
            emit(rule_id, raw)
    for rule_id, raw in extra or ():
        emit(rule_id, raw)
    return sorted(out, key=Diagnostic.sort_key)
