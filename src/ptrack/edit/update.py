"""``ptrack update``: the daily update ("每日下班前更新实际进度") as editor operations.

The command's options become operations of ``ptrack.edit.campaign``, in the order the command
has always applied them (progress, actual start, actual end, quantity done, risk, note), and go
through ``ptrack.edit.edit_file`` like every other change to a campaign file.
"""

from __future__ import annotations

from datetime import date

from ptrack.edit.campaign import AddNote, RecordMeasurement, ResolveRisk, SetActual, SetDone, SetProgress
from ptrack.edit.ops import Operation
from ptrack.errors import UsageError


def task_operations(task_id: str, *, on: date, progress: float | None = None, start: date | None = None,
                    end: date | None = None, done: float | None = None, resolve_risk: int | str | None = None,
                    note: str | None = None) -> list[Operation]:
    """The operations of ``ptrack update PATH TASK_ID [options]``; ``on``: the day a risk is
    resolved on."""
    ops: list[Operation] = []
    if progress is not None:
        ops.append(SetProgress(task_id, progress))
    if start is not None or end is not None:
        ops.append(SetActual(task_id, start=start, end=end))
    if done is not None:
        ops.append(SetDone(task_id, done))
    if resolve_risk is not None:
        ops.append(ResolveRisk(task_id, resolve_risk, on))
    if note is not None and note.strip():
        ops.append(AddNote(task_id, note))
    return ops


def goal_operations(goal_id: str, value: float, on: date) -> list[Operation]:
    """The operations of ``ptrack update PATH --goal ID --value V [--date D]``."""
    return [RecordMeasurement(goal_id, on, value)]


def parse_number(text: str, option: str) -> int | float:
    """``--value 2,000,000`` -> 2000000; ``60.0`` -> 60."""
    cleaned = str(text).strip().replace(",", "").replace("_", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise UsageError(f'{option}: "{text}" is not a number') from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f'{option}: "{text}" is not a number')
    return int(value) if value.is_integer() else value
