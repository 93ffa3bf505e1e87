"""What a change does to the plan: ``ptrack diff`` between two versions of the campaign files.

Both versions are computed as of the same day D, so the diff shows what the change itself does,
not what the passing of time did. Base default: in a GitLab merge-request pipeline the merge
request's diff base (``$CI_MERGE_REQUEST_DIFF_BASE_SHA``, else the merge base with
``$CI_MERGE_REQUEST_TARGET_BRANCH_NAME``); else the merge base of HEAD with the pull request's
target branch (``origin/$GITHUB_BASE_REF``, else ``$GITHUB_BASE_REF``) when that variable is set;
else ``HEAD~1``; head default: the working tree. The JSON names commits by their full id
(``head`` is null for the working tree).

Each change is ``{"campaign", "task", "kind", "field", "old", "new", "delta_days"}``:

| kind | task | field | old -> new | delta_days |
|---|---|---|---|---|
| campaign-added / campaign-removed | null | null | name | |
| task-added / task-removed | id | null | name | |
| dates-moved | id (null: the campaign) | planned.start, planned.end (campaign.start, campaign.end) | dates | working days, signed; a task's also has "reason": its planned.reason (why), or null |
| actual-dates | id | actual.start, actual.end | dates or null | |
| progress | id (null: the campaign) | actual_progress (campaign: also planned_progress) | percent | |
| status, health | id (null: the campaign) | status, health | values | |
| owner-reassigned | id | owner | person ids | |
| renamed | id (null: the campaign) | name | names | |
| regrouped | id | module, department | names or null | |
| collaborators | id | collaborators | lists of person ids | |
| dependencies | id | depends_on | lists of task ids (a link with a type or lag as `id(FS+2)`, `id(SS)`) | |
| budget | id | budget.planned, budget.spent | amounts or null | |
| weight | id | weight | numbers or null (null: weighted by duration) | |
| risk-opened, risk-resolved, risk-overdue, risk-removed | id of its task or null | the risk's issue | state: open, overdue, resolved, null | |
| milestone-achieved | null | milestone id | null -> achieved date | working days late (signed) |
| milestone-moved | null | milestone id | dates | working days, signed |
| milestone-added / milestone-removed | null | milestone id | name | |
| goal-measurement | null | goal id | {date, value} (old: the value it replaced, else null) | |

Unchanged tasks are not listed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ptrack.core.calendars import working_days_between
from ptrack.core.compute import CampaignSnapshot, compute_snapshot
from ptrack.core.model import Dependency, dependency_text, parse_dependency_text
from ptrack.errors import UsageError
from ptrack.git.gitio import GitError, Repository, UnknownRevision
from ptrack.i18n import M_, N_, NP_, Said, fmt_number, fmt_points, normalise_locale, say, t
from ptrack.core.loader import YamlProblem, display_path, read_bytes_limited
from ptrack.core.validate import LoadResult, load_campaign_bytes

WORKING_TREE = None


@dataclass(frozen=True)
class Change:
    campaign: str
    task: str | None
    kind: str
    field: str | None
    old: object
    new: object
    delta_days: int | None = None
    label: str | None = None  # the name people know it by (not in the JSON)
    reason: str | None = None  # dates-moved of a task: its planned.reason in the new version

    def to_dict(self) -> dict:
        out = {"campaign": self.campaign, "task": self.task, "kind": self.kind, "field": self.field,
               "old": self.old, "new": self.new, "delta_days": self.delta_days}
        if self.kind == "dates-moved" and self.task is not None:
            out["reason"] = self.reason
        return out


@dataclass
class CampaignDiff:
    file: str
    campaign_id: str
    name: str
    locale: str
    changes: list[Change]
    people: Mapping[str, str] = field(default_factory=dict)  # id -> name, for owners and collaborators
    task_names: Mapping[str, str] = field(default_factory=dict)  # id -> name (both versions), for dependencies


@dataclass
class DiffReport:
    base: str | None  # full commit id
    head: str | None  # full commit id; None: the working tree
    as_of: date
    campaigns: list[CampaignDiff] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # files whose head version is not valid
    locale: str | None = None

    @property
    def changes(self) -> list[Change]:
        return [c for d in self.campaigns for c in d.changes]


# ---------------------------------------------------------------------------------------------
# Comparing two snapshots

def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _risk_key(rs) -> tuple:
    r = rs.risk
    return (r.task_id, r.id or r.issue)


def diff_snapshots(base: CampaignSnapshot | None, head: CampaignSnapshot | None) -> list[Change]:
    """The changes from ``base`` to ``head`` (snapshots of two versions as of the same day)."""
    if base is None and head is None:
        return []
    if base is None:
        return [Change(head.campaign.id, None, "campaign-added", None, None, head.campaign.name)]
    if head is None:
        return [Change(base.campaign.id, None, "campaign-removed", None, base.campaign.name, None)]
    cb, ch = base.campaign, head.campaign
    cid = ch.id
    cal = ch.work_calendar
    out: list[Change] = []

    def moved(task, label, fld, old: date | None, new: date | None, reason: str | None = None) -> None:
        if old != new and old is not None and new is not None:
            out.append(Change(cid, task, "dates-moved", fld, old.isoformat(), new.isoformat(),
                              working_days_between(cal, old, new), label, reason))

    # The campaign as a whole
    if cb.name != ch.name:
        out.append(Change(cid, None, "renamed", "name", cb.name, ch.name, None, ch.name))
    moved(None, ch.name, "campaign.start", cb.start, ch.start)
    moved(None, ch.name, "campaign.end", cb.end, ch.end)
    for fld in ("planned_progress", "actual_progress"):
        if getattr(base, fld) != getattr(head, fld):
            out.append(Change(cid, None, "progress", fld, getattr(base, fld), getattr(head, fld), None, ch.name))
    for fld in ("status", "health"):
        old, new = getattr(base, fld).value, getattr(head, fld).value
        if old != new:
            out.append(Change(cid, None, fld, fld, old, new, None, ch.name))

    # Tasks, in the head's order, then the removed ones in the base's order
    base_tasks = {ts.task.id: ts for ts in base.tasks}
    head_ids = {ts.task.id for ts in head.tasks}
    base_risks = {_risk_key(rs): rs for rs in base.risks}
    for ts in head.tasks:
        task = ts.task
        old = base_tasks.get(task.id)
        if old is None:
            out.append(Change(cid, task.id, "task-added", None, None, task.name, None, task.name))
            continue
        ot = old.task
        if ot.name != task.name:
            out.append(Change(cid, task.id, "renamed", "name", ot.name, task.name, None, task.name))
        moved(task.id, task.name, "planned.start", ot.planned_start, task.planned_start, task.planned_reason)
        moved(task.id, task.name, "planned.end", ot.planned_end, task.planned_end, task.planned_reason)
        for fld, a, b in (("actual.start", ot.actual_start, task.actual_start),
                          ("actual.end", ot.actual_end, task.actual_end)):
            if a != b:
                out.append(Change(cid, task.id, "actual-dates", fld, _iso(a), _iso(b), None, task.name))
        if ot.owner != task.owner:
            out.append(Change(cid, task.id, "owner-reassigned", "owner", ot.owner, task.owner, None, task.name))
        out.extend(_task_setup_changes(cid, ot, task))
        if old.actual_progress != ts.actual_progress:
            out.append(Change(cid, task.id, "progress", "actual_progress", old.actual_progress,
                              ts.actual_progress, None, task.name))
        if old.status != ts.status:
            out.append(Change(cid, task.id, "status", "status", old.status.value, ts.status.value, None, task.name))
        if old.health != ts.health:
            out.append(Change(cid, task.id, "health", "health", old.health.value, ts.health.value, None, task.name))
    for ts in base.tasks:
        if ts.task.id not in head_ids:
            out.append(Change(cid, ts.task.id, "task-removed", None, ts.task.name, None, None, ts.task.name))

    # Risks (campaign-level and per task), matched by id, else by issue text
    head_risks = {_risk_key(rs): rs for rs in head.risks}
    for key, rs in head_risks.items():
        before = base_risks.get(key)
        old_state = before.state if before else None
        new_state = rs.state
        kind = None
        if new_state in ("open", "overdue") and old_state in (None, "resolved"):
            kind = "risk-opened"
        elif new_state == "resolved" and old_state != "resolved":
            kind = "risk-resolved"
        elif new_state == "overdue" and old_state == "open":
            kind = "risk-overdue"
        if kind:
            out.append(Change(cid, rs.risk.task_id, kind, rs.risk.issue, old_state, new_state, None, rs.risk.issue))
    for key, rs in base_risks.items():
        if key not in head_risks and (rs.risk.task_id is None or rs.risk.task_id in head_ids):
            out.append(Change(cid, rs.risk.task_id, "risk-removed", rs.risk.issue, rs.state, None, None, rs.risk.issue))

    # Milestones
    base_ms = {m.milestone.id: m for m in base.milestones}
    head_ms = {m.milestone.id for m in head.milestones}
    for ms in head.milestones:
        m = ms.milestone
        before = base_ms.get(m.id)
        if before is None:
            out.append(Change(cid, None, "milestone-added", m.id, None, m.name, None, m.name))
            continue
        bm = before.milestone
        if bm.date != m.date:
            out.append(Change(cid, None, "milestone-moved", m.id, bm.date.isoformat(), m.date.isoformat(),
                              working_days_between(cal, bm.date, m.date), m.name))
        if m.achieved is not None and bm.achieved is None:
            out.append(Change(cid, None, "milestone-achieved", m.id, None, m.achieved.isoformat(),
                              working_days_between(cal, m.date, m.achieved), m.name))
    for ms in base.milestones:
        if ms.milestone.id not in head_ms:
            out.append(Change(cid, None, "milestone-removed", ms.milestone.id, ms.milestone.name, None, None,
                              ms.milestone.name))

    # Goal measurements
    base_goals = {g.goal.id: g.goal for g in base.goals}
    for gs in head.goals:
        g = gs.goal
        before = {m.date: m.value for m in base_goals[g.id].measurements} if g.id in base_goals else {}
        for m in g.measurements:
            if m.date in before and before[m.date] == m.value:
                continue
            old = {"date": m.date.isoformat(), "value": before[m.date]} if m.date in before else None
            out.append(Change(cid, None, "goal-measurement", g.id, old, {"date": m.date.isoformat(), "value": m.value},
                              None, g.name))
    return out


def _task_setup_changes(cid: str, ot, task) -> list[Change]:
    """How a task is set up, beyond dates, owner and progress: module, department, collaborators,
    dependencies, budget and weight."""
    out = []
    for fld in ("module", "department"):
        a, b = getattr(ot, fld), getattr(task, fld)
        if a != b:
            out.append(Change(cid, task.id, "regrouped", fld, a, b, None, task.name))
    for kind, fld, a, b in (("collaborators", "collaborators", ot.collaborators, task.collaborators),
                            ("dependencies", "depends_on", tuple(map(dependency_text, ot.dependencies)),
                             tuple(map(dependency_text, task.dependencies)))):
        if a != b:
            out.append(Change(cid, task.id, kind, fld, list(a), list(b), None, task.name))
    for fld in ("planned", "spent"):
        a = getattr(ot.budget, fld) if ot.budget else None
        b = getattr(task.budget, fld) if task.budget else None
        if a != b:
            out.append(Change(cid, task.id, "budget", f"budget.{fld}", a, b, None, task.name))
    if ot.weight != task.weight:
        out.append(Change(cid, task.id, "weight", "weight", ot.weight, task.weight, None, task.name))
    return out


# ---------------------------------------------------------------------------------------------
# Reading the two versions

def default_base(repo: Repository, env: Mapping[str, str] | None = None) -> str:
    """Where the change under review left its target: in a GitLab merge-request pipeline the
    merge request's diff base (``CI_MERGE_REQUEST_DIFF_BASE_SHA``), else the merge base with its
    target branch (``CI_MERGE_REQUEST_TARGET_BRANCH_NAME``); under GitHub Actions the merge base
    with the pull request's target (``GITHUB_BASE_REF``); else HEAD~1."""
    env = os.environ if env is None else env
    diff_base = (env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA") or "").strip()
    if diff_base and repo.commit(diff_base) is not None:
        return diff_base
    for variable, advice in (("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", M_("diff.advice_gitlab")),
                             ("GITHUB_BASE_REF", M_("diff.advice_github"))):
        target = (env.get(variable) or "").strip()
        if target:
            break
    else:
        return "HEAD~1"
    for candidate in (f"origin/{target}", target):
        if repo.commit(candidate) is not None:
            base = repo.merge_base("HEAD", candidate)
            if base:
                return base
    raise GitError(M_("diff.no_merge_base", target=target, variable=variable, advice=advice))


def _version_at(repo: Repository, commit: str, relpath: str) -> bytes | None:
    found = repo.blob_at(commit, relpath)
    if found is not None:
        return found[1]
    # Renamed since? Look for the paths the file had (one git log, only in this case).
    try:
        versions = repo.file_log(relpath)
    except GitError:
        return None
    for path in dict.fromkeys(v.path for v in reversed(versions)):
        found = repo.blob_at(commit, path)
        if found is not None:
            return found[1]
    return None


def _snapshot(raw: bytes | None, file: str, as_of: date, policy_defaults, where: str,
              report: DiffReport) -> tuple[CampaignSnapshot | None, bool]:
    """(snapshot, ok): ok is False when the version exists but is not a valid campaign."""
    if raw is None:
        return None, True
    result: LoadResult = load_campaign_bytes(raw, file, policy_defaults)
    if not result.ok:
        errors = [d for d in result.diagnostics if d.severity.value == "error"]
        report.notes.append(Said(M_(NP_("diff.version_invalid"), file=file, where=where, n=len(errors))))
        return None, False
    return compute_snapshot(result.campaign, as_of=as_of), True


def diff_files(files: Sequence[Path], as_of: date, *, base: str | None = None, head: str | None = None,
               policy_defaults: Mapping[str, object] | None = None, env: Mapping[str, str] | None = None,
               locale: str | None = None) -> DiffReport:
    """Compare each file between ``base`` and ``head`` (None: the working tree). Raises GitError
    (NotAGitRepository, GitUnavailable, UnknownRevision) when there is nothing to compare."""
    if not files:
        raise GitError(M_("diff.no_files"))
    with Repository.discover(files[0]) as repo:
        base_rev = base or default_base(repo, env)
        base_commit = repo.commit(base_rev)
        if base_commit is None:
            key = N_("diff.unknown_base_single") if base is None else N_("diff.unknown_base")
            raise UnknownRevision(M_(key, rev=base_rev))
        head_commit = None
        if head is not None:
            head_commit = repo.commit(head)
            if head_commit is None:
                raise UnknownRevision(M_("diff.unknown_head", rev=head))
        report = DiffReport(base_commit.sha, head_commit.sha if head_commit else None, as_of, locale=locale)
        if repo.shallow:
            report.notes.append(Said(repo.shallow_note))
        for path in files:
            file = display_path(path)
            rel = repo.relpath(path)
            old_raw = _version_at(repo, base_commit.sha, rel)
            if head_commit is None:
                try:  # a FIFO or a device is refused (exit 2); a missing file was deleted
                    new_raw = read_bytes_limited(path, file) if os.path.lexists(path) else None
                except YamlProblem as problem:
                    raise UsageError(M_("config.at", where=f"{file}:{problem.line}:{problem.column}",
                                        problem=problem.message)) from None
            else:
                new_raw = _version_at(repo, head_commit.sha, rel)
            old, ok_old = _snapshot(old_raw, file, as_of, policy_defaults, base_commit.sha[:7], report)
            new, ok_new = _snapshot(new_raw, file, as_of, policy_defaults,
                                    head_commit.sha[:7] if head_commit else M_("diff.working_tree"), report)
            if not (ok_old and ok_new):
                if not ok_new:
                    report.invalid.append(file)
                continue
            changes = diff_snapshots(old, new)
            current = new or old
            if current is None:
                continue
            c = current.campaign
            task_names = {ts.task.id: ts.task.name for snap in (old, new) if snap for ts in snap.tasks}
            report.campaigns.append(CampaignDiff(file, c.id, c.name, c.locale, changes,
                                                 {pid: p.name for pid, p in c.people.items()}, task_names))
    return report


# ---------------------------------------------------------------------------------------------
# Formats

def diff_json(report: DiffReport) -> str:
    from ptrack.reporters import dump_json

    return dump_json({"base": report.base, "head": report.head, "changes": [c.to_dict() for c in report.changes]})


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def _value(loc: str, fld: str | None, value) -> str:
    if value is None:
        return "—"
    if fld in ("status",):
        return t(loc, f"status.{value}")
    if fld == "health":
        return t(loc, f"health.{value}")
    if isinstance(value, float):
        return fmt_points(value) + "%"
    return str(value)


def _names(ids, names: Mapping[str, str]) -> str:
    """Ids as names people know (a dependency's ``id(FS+2)`` as ``name(FS+2)``)."""
    from ptrack.reporters import md_cell

    def name(ref: str) -> str:
        link = parse_dependency_text(ref) if ref not in names else None
        if link is not None and link[0] in names:
            return dependency_text(Dependency(link[0], link[2], link[1]), names[link[0]])
        return names.get(ref, ref)

    return md_cell(", ".join(name(i) for i in ids)) if ids else "—"


# The keys _line builds from a change's kind and field (diff.{kind}, diff.{field}, diff.field.{field})
_LINE_KEYS = (
    N_("diff.module"), N_("diff.department"), N_("diff.budget.planned"), N_("diff.budget.spent"), N_("diff.weight"),
    N_("diff.field.planned.start"), N_("diff.field.planned.end"), N_("diff.field.campaign.start"),
    N_("diff.field.campaign.end"), N_("diff.field.actual.start"), N_("diff.field.actual.end"),
    N_("diff.actual_progress"), N_("diff.planned_progress"), N_("diff.status"), N_("diff.health"),
    N_("diff.risk-opened"), N_("diff.risk-resolved"), N_("diff.risk-overdue"), N_("diff.risk-removed"),
    N_("diff.milestone-added"), N_("diff.milestone-removed"),
    N_("diff.task-added"), N_("diff.task-removed"), N_("diff.campaign-added"), N_("diff.campaign-removed"),
)


def _line(c: Change, loc: str, people: Mapping[str, str], task_names: Mapping[str, str] | None = None) -> str:
    from ptrack.reporters import md_cell

    name = md_cell(c.label or "")
    kind = c.kind
    if kind == "renamed":
        return t(loc, "diff.renamed", old=md_cell(c.old), new=md_cell(c.new))
    if kind == "regrouped":
        return t(loc, f"diff.{c.field}", old=md_cell(c.old) if c.old else "—", new=md_cell(c.new) if c.new else "—")
    if kind == "collaborators":
        return t(loc, "diff.collaborators", old=_names(c.old, people), new=_names(c.new, people))
    if kind == "dependencies":
        return t(loc, "diff.depends_on", old=_names(c.old, task_names or {}), new=_names(c.new, task_names or {}))
    if kind in ("budget", "weight"):
        return t(loc, f"diff.{c.field}", old=fmt_number(c.old) if c.old is not None else "—",
                 new=fmt_number(c.new) if c.new is not None else "—")
    if kind == "dates-moved":
        text = t(loc, "diff.moved", field=t(loc, f"diff.field.{c.field}"), old=c.old, new=c.new,
                 delta=_signed(c.delta_days or 0))
        return text + (t(loc, "diff.reason", reason=md_cell(c.reason)) if c.reason else "")
    if kind == "actual-dates":
        key = N_("diff.recorded") if c.old is None else N_("diff.cleared") if c.new is None else N_("diff.changed")
        return t(loc, key, field=t(loc, f"diff.field.{c.field}"), old=c.old, new=c.new)
    if kind == "progress":
        return t(loc, f"diff.{c.field}", old=_value(loc, c.field, c.old), new=_value(loc, c.field, c.new))
    if kind in ("status", "health"):
        return t(loc, f"diff.{kind}", old=_value(loc, kind, c.old), new=_value(loc, kind, c.new))
    if kind == "owner-reassigned":
        return t(loc, "diff.owner", old=md_cell(people.get(c.old, c.old) if c.old else "—"),
                 new=md_cell(people.get(c.new, c.new) if c.new else "—"))
    if kind.startswith("risk-"):
        key = N_("diff.risk-opened-overdue") if kind == "risk-opened" and c.new == "overdue" else f"diff.{kind}"
        return t(loc, key, issue=name)
    if kind == "milestone-achieved":
        late = c.delta_days or 0
        when = t(loc, NP_("diff.late"), n=late) if late > 0 else t(loc, NP_("diff.early"), n=-late) if late < 0 \
            else t(loc, "diff.on_time")
        return t(loc, "diff.milestone-achieved", name=name, date=c.new, when=when)
    if kind == "milestone-moved":
        return t(loc, "diff.milestone-moved", name=name, old=c.old, new=c.new, delta=_signed(c.delta_days or 0))
    if kind in ("milestone-added", "milestone-removed"):
        return t(loc, f"diff.{kind}", name=name)
    if kind == "goal-measurement":
        return t(loc, "diff.goal-measurement", name=name, date=c.new["date"], value=fmt_number(c.new["value"]),
                 old=fmt_number(c.old["value"]) if c.old else "")
    if kind in ("task-added", "task-removed", "campaign-added", "campaign-removed"):
        return t(loc, f"diff.{kind}", name=name)
    return f"{kind} {c.field}: {c.old} → {c.new}"  # pragma: no cover - every kind is handled


def _campaign_markdown(d: CampaignDiff, report: DiffReport) -> list[str]:
    from ptrack.reporters import md_cell

    loc = normalise_locale(report.locale or d.locale)
    head = t(loc, "diff.working_tree") if report.head is None else f"`{report.head[:7]}`"
    lines = [f"### {md_cell(d.name)} (`{d.campaign_id}`)", "",
             t(loc, "diff.compared", file=f"`{d.file}`", base=f"`{(report.base or '')[:7]}`", head=head,
               as_of=report.as_of.isoformat()), ""]
    if not d.changes:
        return lines + [t(loc, "diff.none"), ""]
    campaign_level = [c for c in d.changes if c.task is None and not c.kind.startswith(("milestone", "goal", "risk"))]
    if campaign_level:
        lines.append(f"- **{t(loc, 'diff.campaign')}**")
        lines += [f"  - {_line(c, loc, d.people, d.task_names)}" for c in campaign_level]
    by_task: dict[str, list[Change]] = {}
    for c in d.changes:
        if c.task is not None:
            by_task.setdefault(c.task, []).append(c)
    for tid, changes in by_task.items():
        label = next((c.label for c in changes if c.kind.startswith("task-")), None) or \
            next((c.label for c in changes if not c.kind.startswith("risk-")), None) or tid
        lines.append(f"- **{md_cell(label)}** (`{tid}`)")
        lines += [f"  - {_line(c, loc, d.people, d.task_names)}" for c in changes]
    others = [c for c in d.changes if c.task is None and c.kind.startswith(("milestone", "goal", "risk"))]
    lines += [f"- {_line(c, loc, d.people, d.task_names)}" for c in others]
    return lines + [""]


def diff_markdown(report: DiffReport) -> str:
    loc = normalise_locale(report.locale or (report.campaigns[0].locale if report.campaigns else None))
    lines = [f"## {t(loc, 'diff.title')}", ""]
    if not report.campaigns:
        lines += [t(loc, "diff.none"), ""]
    for d in report.campaigns:
        lines += _campaign_markdown(d, report)
    return "\n".join(lines).rstrip("\n") + "\n"


DIFF_REPORTERS: dict[str, Callable[[DiffReport], str]] = {"markdown": diff_markdown, "json": diff_json}


def pull_request_summary(files: Sequence[Path], as_of: date, *, policy_defaults=None,
                         locale: str | None = None, notes: list[str] | None = None,
                         env: Mapping[str, str] | None = None) -> str | None:
    """The Markdown ``ptrack check`` appends to the step summary of a pull request
    (``GITHUB_BASE_REF`` set); None outside a pull request or when the diff cannot be made (the
    reason goes to ``notes``). Never raises: a diff must not fail the check."""
    env = os.environ if env is None else env
    if not env.get("GITHUB_BASE_REF"):
        return None
    try:
        report = diff_files(files, as_of, policy_defaults=policy_defaults, env=env, locale=locale)
    except Exception as exc:  # noqa: BLE001 - reported as a note; the check goes on
        if notes is not None:
            notes.append(Said(M_("diff.no_step_summary", reason=say(getattr(exc, "message", None) or str(exc), locale))))
        return None
    if notes is not None:
        notes.extend(report.notes)
    return diff_markdown(report)
