"""The pipeline behind the commands: load -> validate -> model -> compute -> check.

Functions here take plain values (files, a date, the config) and return report objects; they
never print, read the clock or exit. The CLI picks a reporter for what they return.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Sequence

from ptrack.core.compute import CampaignSnapshot, compute_snapshot
from ptrack.core.config import Config
from ptrack.reporters import CheckReport, FileResult, StatusReport
# load_all and validate_files live in ptrack.core.validate (``ptrack validate`` imports nothing of
# compute); they are part of the pipeline's interface here too.
from ptrack.core.validate import LoadResult, load_all, validate_files  # noqa: F401


def snapshot_of(path: Path, result: LoadResult, as_of: date, *, policy_defaults=None, notes: list[str] | None = None,
                locale: str | None = None, git: bool = True, history=None) -> CampaignSnapshot:
    """The one way every command computes a valid campaign as of D (the honest as-of,
    ``ptrack.core.asof``): with what git says of the file (``ptrack.git.asof``: progress as
    committed by D, stale tasks) when git has it, else from the file. Facts dated after D are
    never used. ``history``: an open ``CampaignHistory`` of the file to use (else one is read;
    ``git=False`` reads none). A notice that progress is the latest recorded goes to ``notes``."""
    campaign = result.campaign
    if not git:
        snapshot = compute_snapshot(campaign, as_of=as_of)
    elif history is not None:
        from ptrack.git.asof import snapshot_as_of

        snapshot = snapshot_as_of(history, campaign, as_of)
    else:
        from ptrack.git.asof import snapshot_as_of
        from ptrack.git.gitio import GitError
        from ptrack.git.history import load_history

        try:
            with load_history(path, policy_defaults=policy_defaults, file=result.file) as opened:
                snapshot = snapshot_as_of(opened, campaign, as_of)
        except GitError as exc:
            if notes is not None:
                notes.append(str(exc))
            snapshot = compute_snapshot(campaign, as_of=as_of)
    if notes is not None:
        notice = progress_notice(snapshot, result.file, locale)
        if notice:
            notes.append(notice)
    return snapshot


def progress_notice(snapshot: CampaignSnapshot, file: str, locale: str | None = None) -> str | None:
    """The one notice of the honest as-of: progress is the file's latest, recorded after D."""
    from ptrack.core.asof import LATEST
    from ptrack.i18n import normalise_locale, t

    if snapshot.progress_source != LATEST:
        return None
    return t(normalise_locale(locale or snapshot.campaign.locale), "asof.latest", file=file,
             date=snapshot.as_of.isoformat())


def snapshots_of(files: Sequence[Path], results: list[LoadResult], as_of: date, *, policy_defaults=None,
                 notes: list[str] | None = None, locale: str | None = None, git: bool = True) -> list[CampaignSnapshot]:
    """``snapshot_of`` for each valid campaign of ``files`` (``results`` in the same order)."""
    return [snapshot_of(path, r, as_of, policy_defaults=policy_defaults, notes=notes, locale=locale, git=git)
            for path, r in zip(files, results) if r.campaign is not None]


def check_files(files: Sequence[Path], config: Config, as_of: date, *, strict: bool = False,
                locale: str | None = None, git: bool = True, baseline: str | None = None,
                notes: list[str] | None = None) -> CheckReport:
    """``git``: run the git-based rules (stale-task; baseline-slip notices with ``baseline``);
    why they could not run goes to ``notes``."""
    from ptrack.core.rules import RULES, run_rules

    from ptrack.core.validate import report_locale

    results = load_all(files, config, locale)
    report = CheckReport([], strict=strict, rules=tuple(r for r in RULES),
                         locale=report_locale(results, config, locale))
    for path, r in zip(files, results):
        diagnostics = list(r.diagnostics)
        if r.campaign is not None:
            if git or baseline:
                snapshot, extra = _with_git_findings(path, r, as_of, config, locale, git, baseline, notes)
            else:
                snapshot, extra = snapshot_of(path, r, as_of, notes=notes, locale=locale, git=False), None
            diagnostics += run_rules(snapshot, locale, extra=extra)
        report.results.append(FileResult(r.file, diagnostics, r.campaign.id if r.campaign else None))
    return report


def _with_git_findings(path: Path, r: LoadResult, as_of: date, config: Config, locale: str | None, git: bool,
                       baseline: str | None, notes: list[str] | None):
    """(the snapshot, the git-based findings) of one campaign for ``check``, from ONE read of its
    history. Without git (or when git fails) the snapshot comes from the file and the findings
    say why they could not run (``git_findings``)."""
    from ptrack.git.gitio import GitError
    from ptrack.git.history import load_history
    from ptrack.git.tracking import git_findings

    try:
        history = load_history(path, policy_defaults=config.policy, file=r.file)
    except GitError:
        snapshot = snapshot_of(path, r, as_of, notes=notes, locale=locale, git=False)
        return snapshot, git_findings(path, r, snapshot, baseline_rev=baseline, policy_defaults=config.policy,
                                      notes=notes)
    with history:
        snapshot = snapshot_of(path, r, as_of, notes=notes, locale=locale, git=git, history=history)
        return snapshot, git_findings(path, r, snapshot, baseline_rev=baseline, policy_defaults=config.policy,
                                      notes=notes, history=history)


def status_of(files: Sequence[Path], config: Config, as_of: date, *, by: str | None = None,
              locale: str | None = None, color: bool = False, baseline: str | None = None,
              notes: list[str] | None = None) -> StatusReport:
    """``baseline``: a revision (or ``first``) to compare each task's dates with (GitError
    when there is none)."""
    results = load_all(files, config, locale)
    diagnostics = [d for r in results for d in r.diagnostics]
    baselines = {}
    if baseline:
        from ptrack.git.baseline import baselines_for

        baselines = baselines_for(zip(files, results), as_of, baseline, policy_defaults=config.policy,
                                  notes=notes)
    snapshots = snapshots_of(files, results, as_of, policy_defaults=config.policy, notes=notes, locale=locale)
    return StatusReport(as_of, snapshots, by=by, locale=locale, color=color,
                        diagnostics=diagnostics, baselines=baselines)
