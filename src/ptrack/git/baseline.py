"""Baselines and slips: the plan as it was at a revision, and how the dates moved since.

The baseline is the version of the campaign file at a revision (``--baseline REV``: a commit, a
branch or a tag) or, by default (``first``), at the first commit that contains the campaign. Per
task it gives the baseline start and end, the slip of the current planned end against the
baseline end in working days of the campaign calendar (positive: later), and every commit after
the baseline that moved the task's planned end later: when, who, from which date to which, and
why (the ``planned.reason`` written with the move by ``ptrack update --reason``). Merges that only combine two sides move nothing (see ``history``); a move made on a branch is
credited to its author, not to whoever merged it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Mapping

from ptrack.core.calendars import WorkCalendar, working_days_between
from ptrack.git.gitio import GitError, UnknownRevision
from ptrack.git.history import CampaignHistory, TaskChange, TaskEntry, load_history
from ptrack.i18n import M_, NP_, Said
from ptrack.core.model import Campaign

FIRST = "first"  # the --baseline value meaning "the first commit that contains the campaign"


@dataclass(frozen=True)
class Slip:
    """One commit that moved a task's planned end later."""

    date: date
    commit: str | None  # None: an uncommitted change in the working tree
    author: str | None
    old_end: date
    new_end: date
    days: int  # working days moved (> 0)
    reason: str | None = None  # planned.reason written with the move (ptrack update --reason)

    def to_dict(self) -> dict:
        return {"date": self.date.isoformat(), "commit": self.commit, "author": self.author,
                "old_end": self.old_end.isoformat(), "new_end": self.new_end.isoformat(), "days": self.days,
                "reason": self.reason}


@dataclass(frozen=True)
class TaskBaseline:
    task_id: str
    start: date | None  # None: the task is not in the baseline (added later)
    end: date | None
    slip_days: int | None  # current planned end vs baseline end, working days; None without baseline
    slips: tuple[Slip, ...]

    def to_dict(self) -> dict:
        return {"baseline_start": self.start.isoformat() if self.start else None,
                "baseline_end": self.end.isoformat() if self.end else None,
                "slip_days": self.slip_days, "slips": [s.to_dict() for s in self.slips]}


@dataclass(frozen=True)
class Baseline:
    rev: str  # as asked (``first`` for the default)
    commit: str
    date: date  # the baseline commit's day
    tasks: Mapping[str, TaskBaseline]

    def to_dict(self) -> dict:
        return {"rev": self.rev, "commit": self.commit, "date": self.date.isoformat()}


def slips_of(changes: list[TaskChange], cal: WorkCalendar, *, after: int | None = None) -> dict[str, list[Slip]]:
    """Task id -> the changes that moved its planned end later, oldest first (only changes
    committed after the timestamp ``after``, when given)."""
    out: dict[str, list[Slip]] = {}
    for c in changes:
        if after is not None and c.commit is not None and c.timestamp <= after:
            continue
        old = c.old.planned_end if c.old else None
        new = c.new.planned_end
        if old is not None and new is not None and new > old:
            out.setdefault(c.task_id, []).append(
                Slip(c.date, c.commit, c.author, old, new, working_days_between(cal, old, new), c.reason))
    return out


def _baseline_table(history: CampaignHistory, rev: str) -> tuple[str, int, date, dict[str, TaskEntry]]:
    """(commit, timestamp, day, task entries) of the baseline version."""
    if not history.in_git:
        raise GitError(M_("git.no_baseline", file=history.file, reason=history.reason or M_("git.no_history")))
    if rev == FIRST:
        for v in history.versions:
            table = history.table(v.blob)
            if v.blob is not None and table is not None:
                return v.commit, v.timestamp, v.day, table
        raise GitError(M_("git.no_readable_baseline", file=history.file))
    repo = history.repo
    commit = repo.commit(rev)
    if commit is None:
        raise UnknownRevision(M_("git.unknown_baseline", rev=rev))
    paths = [history.relpath] + [v.path for v in reversed(history.versions)]
    for path in dict.fromkeys(paths):
        found = repo.blob_at(commit.sha, path)
        if found is not None:
            table = history.table(found[0])
            if table is None:
                raise GitError(M_("git.baseline_unreadable", file=history.file, rev=rev, commit=commit.sha[:7]))
            return commit.sha, commit.timestamp, commit.day, table
    raise GitError(M_("git.baseline_missing", file=history.file, rev=rev, commit=commit.sha[:7]))


def compute_baseline(history: CampaignHistory, campaign: Campaign, as_of: date, rev: str | None = None) -> Baseline:
    """The baseline of ``campaign`` (the current version) from its history. Raises GitError
    (UnknownRevision for a bad ``rev``) when there is no baseline to compare with."""
    rev = rev or FIRST
    sha, stamp, day, table = _baseline_table(history, rev)
    cal = campaign.work_calendar
    changes = [c for c in history.task_changes() if c.date <= as_of] + history.worktree_changes(as_of)
    slips = slips_of(changes, cal, after=stamp)
    tasks: dict[str, TaskBaseline] = {}
    for task in campaign.tasks:
        entry = table.get(task.id)
        start = entry.planned_start if entry else None
        end = entry.planned_end if entry else None
        slip_days = working_days_between(cal, end, task.planned_end) if end else None
        tasks[task.id] = TaskBaseline(task.id, start, end, slip_days, tuple(slips.get(task.id, ())))
    return Baseline(rev, sha, day, tasks)


def baselines_for(loaded, as_of: date, rev: str | None, *, policy_defaults=None,
                  notes: list[str] | None = None) -> dict[str, Baseline]:
    """Campaign id -> baseline, for ``(path, LoadResult)`` pairs of valid campaigns. Raises
    GitError when a campaign has no baseline (outside git, not committed, unknown ``rev``)."""
    out: dict[str, Baseline] = {}
    for path, result in loaded:
        if result.campaign is None:
            continue
        with load_history(path, policy_defaults=policy_defaults, file=result.file) as history:
            if notes is not None and history.in_git:
                notes.extend(history.notes)
            out[result.campaign.id] = compute_baseline(history, result.campaign, as_of, rev)
    return out


def baseline_findings(baseline: Baseline, campaign: Campaign):
    """Notices for ``check --baseline``: a task whose planned end is later than in the baseline."""
    from ptrack.core.diagnostics import Severity

    for task in campaign.tasks:
        b = baseline.tasks.get(task.id)
        if b is None or b.end is None or not b.slip_days or b.slip_days <= 0:
            continue
        who = ", ".join(dict.fromkeys(s.author or "working tree" for s in b.slips)) or "-"
        why = "; ".join(dict.fromkeys(s.reason for s in b.slips if s.reason))
        key = NP_("git.baseline-slip-why") if why else NP_("git.baseline-slip")
        yield ("baseline-slip", (Severity.NOTICE, task.path + ("planned", "end"), task.id, key,
                                 {"name": task.name, "days": b.slip_days, "baseline": b.end.isoformat(),
                                  "end": task.planned_end.isoformat(), "rev": baseline.rev,
                                  "count": len(b.slips), "who": who, "why": why}))


# ---------------------------------------------------------------------------------------------
# Integration: what the Gantt calls

def baseline_dates(path: Path | str, rev: str | None = None, *, notes: list[str] | None = None
                   ) -> dict[str, tuple[date, date]]:
    """Task id -> (baseline start, baseline end) for the Gantt's baseline bars, from the file's
    version at ``rev`` (default: the first commit containing it). Empty, with a note in
    ``notes``, when there is no history (never raises for git problems)."""
    try:
        with load_history(path) as history:
            if not history.in_git:
                if notes is not None:
                    notes.extend(history.notes)
                return {}
            _, _, _, table = _baseline_table(history, rev or FIRST)
    except GitError as exc:
        if notes is not None:
            notes.append(Said(exc.message))
        return {}
    return {tid: (e.planned_start, e.planned_end) for tid, e in sorted(table.items())
            if e.planned_start is not None and e.planned_end is not None}
