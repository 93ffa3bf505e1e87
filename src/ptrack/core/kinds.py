"""Kinds of work (``tasks[].kind``): what each kind changes in the arithmetic, in one registry.

A marketing campaign is not all deliverable work. An ad flight or a monitoring task runs for its
window whatever anyone types as progress; a launch event happens on its date or not at all. The
three kinds, as README "How ptrack computes" tells users:

* ``work`` (the default): deliverable work. Actual progress is what is recorded (progress,
  quantity, deliverables; else 0). A started task's forecast is the remaining work at the planned
  pace (the earned schedule; ``policy.forecast: pace`` extrapolates its own pace instead).
* ``timebox``: runs for its window (ad flights, monitoring, community operations, on-duty shifts,
  daily reports; routines such as daily livestreams are a timebox with a ``quantity`` of
  occurrences). Without anything recorded its actual progress is the elapsed working-day share
  since its actual start: a flight that started two days late is two days behind, one not
  started is at 0. Its forecast finish is its planned end moved by its start slip; never
  extrapolated from its pace.
* ``event``: happens on fixed dates (launch event, livestream, pop-up store, trade fair). Its
  actual progress is taken as a timebox's; its forecast is its planned dates, never moved and
  never pushing its successors; a predecessor forecast to finish on or after its start is the
  ``event-at-risk`` finding.

``allocation`` (percent of the owner's working day) defaults by kind: the workload counts a
full day for work and events, a quarter of one for a timebox (watching a flight, reading the
data). Adding a kind is one entry here and its enum value in the schema.
"""

from __future__ import annotations

from dataclasses import dataclass

from ptrack.core.model import EVENT, TIMEBOX, WORK

# How the forecast schedule places an open task once it has started (``Kind.schedule``).
REMAINING = "remaining"  # the remaining work from D (earned schedule, or its own pace)
WINDOW = "window"  # its planned window moved by its start slip
FIXED = "fixed"  # its planned dates, whatever happens before it


@dataclass(frozen=True)
class Kind:
    id: str
    allocation: float  # default share of the owner's working day, percent
    elapsed_progress: bool  # nothing recorded: actual % = elapsed working-day share since its actual start
    schedule: str  # REMAINING | WINDOW | FIXED


KINDS: dict[str, Kind] = {
    WORK: Kind(WORK, 100.0, False, REMAINING),
    TIMEBOX: Kind(TIMEBOX, 25.0, True, WINDOW),
    EVENT: Kind(EVENT, 100.0, True, FIXED),
}


def kind_of(task) -> Kind:
    return KINDS[task.kind]


def allocation_of(task) -> float:
    """The task's share of its owner's working day, percent: ``allocation``, else its kind's default."""
    return task.allocation if task.allocation is not None else KINDS[task.kind].allocation


def recorded_progress(task) -> float | None:
    """What the file records of a task's progress: ``progress``; else ``quantity`` done / total;
    else the share of ``deliverables`` done; None when it records none of them."""
    if task.progress is not None:
        return float(task.progress)
    if task.quantity is not None:
        return min(100.0, 100.0 * task.quantity.done / task.quantity.total)
    if task.deliverables:
        done = sum(1 for d in task.deliverables if d.done)
        return 100.0 * done / len(task.deliverables)
    return None


def span_share(start, end, upto, cal) -> float:
    """100 x NWD(start, upto) / NWD(start, end), 0 before the start, at most 100; calendar days
    when [start, end] has no working day."""
    if upto < start:
        return 0.0
    total = cal.count(start, end)
    if total:
        return min(100.0, 100.0 * cal.count(start, upto) / total)
    return min(100.0, 100.0 * ((upto - start).days + 1) / ((end - start).days + 1))
