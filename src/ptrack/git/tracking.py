"""What ``ptrack check`` and ``ptrack build`` take from a campaign's git history.

- ``stale_findings(history, snapshot)``: the ``stale-task`` rule's findings (``last_changes_of``
  for the in-progress tasks only).
- ``git_findings(path, ...)``: every git-based finding of ``check`` (stale tasks, baseline slips).
- ``site_history(path, as_of, ...)``: what ``ptrack build`` shows (trend points, each task's last
  update, the baseline), all from one read; ``trend_points`` and ``task_last_updates`` are its
  parts on their own.

Split from ``history`` so that ``history`` (the versions) and ``baseline`` (dates against one
version) do not import each other: this module uses both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterator, Mapping

from ptrack.core.compute import CampaignSnapshot, Status
from ptrack.core.diagnostics import Severity
from ptrack.core.loader import display_path
from ptrack.core.validate import LoadResult
from ptrack.git.asof import snapshot_as_of
from ptrack.git.baseline import baseline_findings, compute_baseline
from ptrack.git.gitio import GitError
from ptrack.git.history import CampaignHistory, Progress, load_history
from ptrack.i18n import M_, N_, Said


# ---------------------------------------------------------------------------------------------
# The stale-task rule

def stale_findings(history: CampaignHistory, snapshot: CampaignSnapshot) -> Iterator[tuple]:
    """``(rule id, raw finding)`` pairs for ``run_rules(extra=...)``: an in-progress task whose
    own entry has not changed for more than ``stale_after_days`` calendar days as of D."""
    if not history.in_git:
        return
    limit = snapshot.campaign.policy.stale_after_days
    running = {ts.task.id for ts in snapshot.tasks if ts.status is Status.IN_PROGRESS}
    if not running:
        return
    # Only the in-progress tasks' last changes, read newest first: the walk stops at the oldest
    # of them instead of parsing every version of the file.
    last = history.last_changes_of(snapshot.as_of, running)
    for ts in snapshot.tasks:
        if ts.status is not Status.IN_PROGRESS:
            continue
        change = last.get(ts.task.id)
        if change is None:
            continue
        days = (snapshot.as_of - change.date).days
        if days > limit:
            yield ("stale-task", (Severity.WARNING, ts.task.path, ts.task.id, N_("git.stale-task"),
                                  {"name": ts.task.name, "days": days, "date": change.date.isoformat(),
                                   "author": change.who, "limit": limit}))


def git_findings(path: Path | str, result: LoadResult, snapshot: CampaignSnapshot, *,
                 baseline_rev: str | None = None, policy_defaults: Mapping[str, object] | None = None,
                 notes: list[str] | None = None, history: CampaignHistory | None = None) -> list[tuple]:
    """The git-based findings of ``ptrack check`` for one valid campaign, as ``run_rules`` extras:
    ``stale-task`` and, with ``baseline_rev``, ``baseline-slip`` notices. Without git (missing,
    not a repository, file not committed) stale-task is skipped with a note; a baseline that
    cannot be had raises GitError (the user asked for it). ``history``: the file's history,
    already open (the caller closes it); else it is read here."""
    notes = notes if notes is not None else []
    stale_on = snapshot.campaign.policy.rules.get("stale-task") != "off"
    if not stale_on and not baseline_rev:
        return []
    if history is None:
        try:
            history = load_history(path, policy_defaults=policy_defaults, file=result.file)
        except GitError as exc:
            if baseline_rev:
                raise
            notes.append(Said(M_("git.stale_skipped_for", file=result.file, reason=exc.message)))
            return []
        with history:
            return _git_findings(history, snapshot, baseline_rev, notes, stale_on)
    return _git_findings(history, snapshot, baseline_rev, notes, stale_on)


def _git_findings(history: CampaignHistory, snapshot: CampaignSnapshot, baseline_rev: str | None,
                  notes: list[str], stale_on: bool) -> list[tuple]:
    if not history.in_git:
        if baseline_rev:
            raise GitError(M_("git.no_baseline", file=history.file, reason=history.reason))
        if history.missing == "git-missing":  # outside git or not committed: nothing to say
            notes.append(Said(M_("git.stale_skipped")))
        return []
    notes.extend(history.notes)
    out: list[tuple] = []
    if stale_on:
        out += stale_findings(history, snapshot)
    if baseline_rev:
        baseline = compute_baseline(history, snapshot.campaign, snapshot.as_of, baseline_rev)
        out += baseline_findings(baseline, snapshot.campaign)
    return out


# ---------------------------------------------------------------------------------------------
# Integration: what the site and charts call

def trend_points(path: Path | str, as_of: date, *, policy_defaults: Mapping[str, object] | None = None,
                 notes: list[str] | None = None) -> list[tuple[date, float]]:
    """``[(day, actual_progress), ...]`` for the trend chart, oldest first, days up to ``as_of``.
    Never raises: git problems leave a note in ``notes`` (when given) and what is there."""
    try:
        with load_history(path, policy_defaults=policy_defaults) as history:
            points = history.points(as_of)
            if notes is not None:
                notes.extend(history.notes)
    except GitError as exc:
        if notes is not None:
            notes.append(Said(exc.message))
        return []
    return [(p.date, p.actual_progress) for p in points]


def task_last_updates(path: Path | str, as_of: date, *,
                      notes: list[str] | None = None) -> dict[str, tuple[date, str]]:
    """Task id -> (day of the last change of its entry, who) as of ``as_of``: the HTML table's
    "last updated N days ago by X". Empty when git knows nothing of the file."""
    try:
        with load_history(path) as history:
            if notes is not None:
                notes.extend(history.notes)
            if not history.in_git:
                return {}
            return {tid: (c.date, c.who) for tid, c in sorted(history.last_changes(as_of).items())}
    except GitError as exc:
        if notes is not None:
            notes.append(Said(exc.message))
        return {}


@dataclass
class SiteHistory:
    """What ``ptrack build`` shows from git for one campaign, all from ONE read of its history
    (``site_history``): the trend's actual progress by day, each task's last update and the
    baseline. ``trend_points``, ``task_last_updates`` and ``baseline.baseline_dates`` answer
    the same questions one at a time (each reads the history again)."""

    file: str
    in_git: bool = False
    missing: str | None = None  # why git knows no version: see CampaignHistory.missing; "git-error"
    reason: str | None = None  # the same in words
    shallow: bool = False  # the repository is a shallow clone: older versions are missing
    first_day: date | None = None  # day of the first committed version
    trend: list[tuple[date, float]] = field(default_factory=list)  # committed day points only
    last_updates: dict[str, tuple[date, str]] = field(default_factory=dict)  # as task_last_updates
    baseline: object | None = None  # ptrack.git.baseline.Baseline, when one was asked for and found
    notes: list[str] = field(default_factory=list)
    # the campaign as of D with what git says (ptrack.git.asof.snapshot_as_of: progress as
    # committed by D, stale tasks), when site_history was given the campaign and could read git
    snapshot: CampaignSnapshot | None = None

    @property
    def baseline_dates(self) -> dict[str, tuple[date, date]]:
        """Task id -> (baseline start, baseline end) for the Gantt's baseline bars (the tasks of
        the current plan that the baseline holds)."""
        if self.baseline is None:
            return {}
        return {tid: (b.start, b.end) for tid, b in sorted(self.baseline.tasks.items())
                if b.start is not None and b.end is not None}


def site_history(path: Path | str, as_of: date, *, campaign=None, baseline_rev: str | None = None,
                 baseline_required: bool = False, policy_defaults: Mapping[str, object] | None = None,
                 file: str | None = None, progress: Progress | None = None) -> SiteHistory:
    """Trend points, last updates, (with the current ``campaign``) its snapshot as of D with what
    git says (``ptrack.git.asof``) and (with ``baseline_rev`` too) the baseline of one campaign
    file, from one ``load_history``: one ``git log``, one ``git cat-file --batch`` and one ``git
    rev-list``, each blob parsed once for all of them.

    ``trend`` holds committed versions only (one point per day with commits up to ``as_of``,
    as ``trend_points`` in git); outside git it is empty and ``missing``/``reason`` say why.
    Git problems never raise, they become ``notes`` -- except, with ``baseline_required``, a
    baseline that cannot be had (outside git, not committed, unknown revision): GitError, as
    ``status --baseline`` does."""
    out = SiteHistory(file or display_path(path))
    try:
        history = load_history(path, policy_defaults=policy_defaults, file=out.file, progress=progress)
    except GitError as exc:
        if baseline_required and baseline_rev:
            raise
        out.missing, out.reason = "git-error", exc.message
        out.notes.append(Said(exc.message))
        return out
    extra: list[str] = []
    with history:
        out.in_git, out.missing, out.reason = history.in_git, history.missing, history.reason
        if campaign is not None:
            try:
                out.snapshot = snapshot_as_of(history, campaign, as_of)
            except GitError as exc:
                extra.append(exc.message)
        if not history.in_git:
            if baseline_required and baseline_rev:
                raise GitError(M_("git.no_baseline", file=out.file, reason=history.reason))
            out.notes = list(history.notes + extra)
            return out
        out.shallow = bool(history.repo and history.repo.shallow)
        out.first_day = history.versions[0].day
        try:
            out.trend = [(p.date, p.actual_progress) for p in history.points(as_of)]
            out.last_updates = {tid: (c.date, c.who) for tid, c in sorted(history.last_changes(as_of).items())}
            if baseline_rev and campaign is not None:
                try:
                    out.baseline = compute_baseline(history, campaign, as_of, baseline_rev)
                except GitError as exc:
                    if baseline_required:
                        raise
                    extra.append(exc.message)
        except GitError as exc:
            if baseline_required and baseline_rev:
                raise
            extra.append(exc.message)
        out.notes = list(dict.fromkeys(history.notes + extra))
    return out
