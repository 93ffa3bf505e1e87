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


def snapshots_of(results: list[LoadResult], as_of: date) -> list[CampaignSnapshot]:
    return [compute_snapshot(r.campaign, as_of=as_of) for r in results if r.campaign is not None]


def check_files(files: Sequence[Path], config: Config, as_of: date, *, strict: bool = False,
                locale: str | None = None, git: bool = True, baseline: str | None = None,
                notes: list[str] | None = None) -> CheckReport:
    """``git``: run the git-based rules (stale-task; baseline-slip notices with ``baseline``);
    why they could not run goes to ``notes``."""
    from ptrack.core.rules import RULES, run_rules

    report = CheckReport([], strict=strict, rules=tuple(r for r in RULES))
    for path, r in zip(files, load_all(files, config)):
        diagnostics = list(r.diagnostics)
        if r.campaign is not None:
            snapshot = compute_snapshot(r.campaign, as_of=as_of)
            extra = None
            if git or baseline:
                from ptrack.git.tracking import git_findings

                extra = git_findings(path, r, snapshot, baseline_rev=baseline, policy_defaults=config.policy,
                                     notes=notes)
            diagnostics += run_rules(snapshot, locale, extra=extra)
        report.results.append(FileResult(r.file, diagnostics, r.campaign.id if r.campaign else None))
    return report


def status_of(files: Sequence[Path], config: Config, as_of: date, *, by: str | None = None,
              locale: str | None = None, color: bool = False, baseline: str | None = None,
              notes: list[str] | None = None) -> StatusReport:
    """``baseline``: a revision (or ``first``) to compare each task's dates with (GitError
    when there is none)."""
    results = load_all(files, config)
    diagnostics = [d for r in results for d in r.diagnostics]
    baselines = {}
    if baseline:
        from ptrack.git.baseline import baselines_for

        baselines = baselines_for(zip(files, results), as_of, baseline, policy_defaults=config.policy,
                                  notes=notes)
    return StatusReport(as_of, snapshots_of(results, as_of), by=by, locale=locale, color=color,
                        diagnostics=diagnostics, baselines=baselines)
