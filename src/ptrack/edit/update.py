"""``ptrack update``: the daily update ("每日下班前更新实际进度") as editor operations.

The command's options become operations of ``ptrack.edit.campaign``, in the order the command
has always applied them (progress, actual start, actual end, quantity done, risk, note), and go
through ``ptrack.edit.edit_file`` like every other change to a campaign file. The update form
applied by a workflow (``ptrack.forge.intake``) makes its operations here too: one meaning for
"progress 60, resolve risk 2" however it arrives.
"""

from __future__ import annotations

from datetime import date

from ptrack.edit.campaign import (AchieveMilestone, AddNote, RecordMeasurement, ResolveRisk, SetActual, SetDone,
                                  SetProgress)
from ptrack.edit.ops import Operation
from ptrack.errors import UsageError
from ptrack.i18n import M_, said_in


def task_operations(task_id: str, *, on: date, progress: float | None = None, start: date | None = None,
                    end: date | None = None, done: float | None = None, resolve_risk: int | str | None = None,
                    note: str | None = None) -> list[Operation]:
    """The operations of ``ptrack update PATH TASK_ID [options]``; ``on``: the day a risk is
    resolved on and the note's date. ``resolve_risk``: a risk reference (its id, or its 1-based
    position in the task's list)."""
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
        ops.append(AddNote(task_id, note, on))
    return ops


def campaign_risk_operations(resolve_risk: int | str, on: date) -> list[Operation]:
    """``ptrack update PATH --resolve-risk REF``: a risk of the campaign's own list."""
    return [ResolveRisk(None, resolve_risk, on)]


def milestone_operations(milestone_id: str, *, achieved: date | None = None,
                         results: tuple[tuple[str, float], ...] = (),
                         reviewed_by: str | None = None) -> list[Operation]:
    """``ptrack update PATH --milestone ID [--achieved D] [--result GOAL=VALUE ...]``."""
    return [AchieveMilestone(milestone_id, achieved, tuple(results), reviewed_by)]


def goal_operations(goal_id: str, value: float, on: date) -> list[Operation]:
    """The operations of ``ptrack update PATH --goal ID --value V [--date D]``."""
    return [RecordMeasurement(goal_id, on, value)]


def parse_result(text: str, option: str = "--result", *, locale: str | None = None) -> tuple[str, int | float]:
    """``--result exposure=2,000,000`` -> ("exposure", 2000000). Errors are said in the command's
    language when printed (``locale`` given: in that language now)."""
    goal, sep, value = str(text).partition("=")
    if not sep or not goal.strip() or not value.strip():
        raise UsageError(said_in(M_("update.result_format", option=option, text=text), locale))
    return goal.strip(), parse_number(value, option)


def parse_risk_ref(text: str, option: str = "--resolve-risk", *, locale: str | None = None) -> int | str:
    """A risk reference: a risk's id, or its 1-based position in its list (``2``)."""
    import re

    ref = str(text).strip()
    if (ref.isdigit() and int(ref) < 1) or not (ref.isdigit() or re.fullmatch(r"[a-z0-9][a-z0-9-]*", ref)):
        raise UsageError(said_in(M_("update.risk_ref", option=option, text=text), locale))
    return int(ref) if ref.isdigit() else ref


def _not_a_number(option: str, text: str):
    """``--value: "60%" is not a number; write 60, without the % sign`` (a hint for a value typed
    the way a Chinese keyboard types it)."""
    from ptrack.core.hints import number_hint

    message = M_("update.usage.not_a_number", option=option, value=str(text))
    hint = number_hint(str(text))
    return M_("hint.join", message=message, hint=hint) if hint is not None else message


def parse_number(text: str, option: str) -> int | float:
    """``--value 2,000,000`` -> 2000000; ``60.0`` -> 60."""
    cleaned = str(text).strip().replace(",", "").replace("_", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise UsageError(_not_a_number(option, text)) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(_not_a_number(option, text))
    return int(value) if value.is_integer() else value
