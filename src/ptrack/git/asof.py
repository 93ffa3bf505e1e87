"""What git says of a campaign file as of D: the git half of the honest as-of (``ptrack.core.asof``).

``snapshot_as_of(history, campaign, D)`` is how ``status``, ``check``, ``build``, ``notify`` and
``export`` compute a campaign from a file in git (``ptrack.pipeline.snapshot_of`` opens the
history for them):

* ``record_of``: when the file changed after D, its progress as of D is the version committed
  by the end of D on the branch (HEAD's first-parent line, as the trend reads it): that version
  goes to compute as ``Record.campaign``. When git has no version by D, ``Record.later`` says
  the file's progress is the latest recorded (the commands print one notice). When nothing was
  committed after D, the file on disk is the newest record and is used as it is.
* Stale tasks: an in-progress task whose entry has not changed for more than
  ``stale_after_days`` as of D is marked stale in the forecast (never extrapolated from its
  pace). Only the in-progress tasks' last changes are read (``last_changes_of``, newest versions
  first), and the snapshot is computed a second time only when one of them is stale.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from types import MappingProxyType

from ptrack.core.asof import Record
from ptrack.core.compute import CampaignSnapshot, Status, compute_snapshot
from ptrack.core.model import Campaign
from ptrack.git.history import CampaignHistory


def committed_as_of(history: CampaignHistory, day: date) -> Campaign | None:
    """The campaign of the last valid version on the branch committed by the end of ``day``
    (None when there is none)."""
    candidates = [v for v in history.versions if v.blob is not None and v.day <= day]
    newest_first = [v for _, v in sorted(enumerate(candidates), key=lambda iv: (iv[1].timestamp, iv[0]),
                                         reverse=True)]
    for version in newest_first:
        if not history.on_branch(version):
            continue
        result = history.load(version)
        if result is not None and result.ok:
            return result.campaign
    return None


def record_of(history: CampaignHistory, as_of: date) -> Record:
    """The version committed by D when the file changed after D (``Record``)."""
    if not history.in_git:
        return Record()
    if not any(v.blob is not None and v.day > as_of and history.on_branch(v) for v in history.versions):
        return Record()  # nothing committed after D: the file is the newest record
    recorded = committed_as_of(history, as_of)
    return Record(campaign=recorded) if recorded is not None else Record(later=True)


def snapshot_as_of(history: CampaignHistory, campaign: Campaign, as_of: date) -> CampaignSnapshot:
    """``campaign`` (the file's) computed as of D with what git says: its progress as committed
    by D, its stale tasks."""
    record = record_of(history, as_of)
    snapshot = compute_snapshot(campaign, as_of=as_of, record=record)
    policy = snapshot.campaign.policy
    if not history.in_git or policy.rules.get("stale-task") == "off":
        return snapshot
    running = [ts.task.id for ts in snapshot.tasks if ts.status is Status.IN_PROGRESS]
    if not running:
        return snapshot
    changed = {tid: c.date for tid, c in history.last_changes_of(as_of, running).items()}
    if not any((as_of - day).days > policy.stale_after_days for day in changed.values()):
        return snapshot
    return compute_snapshot(campaign, as_of=as_of,
                            record=dataclasses.replace(record, last_changed=MappingProxyType(changed)))
