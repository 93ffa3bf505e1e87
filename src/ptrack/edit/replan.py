"""``ptrack update PATH TASK --planned-start D / --planned-end D [--cascade] [--reason TEXT]``:
re-planning a task, and the successors that must move with it, as one editor operation.

``Replan`` works out the moves with ``ptrack.core.replan.plan_replan`` from the file as it is
under the lock (so what is written is what was planned against), sets each moved task's
``planned`` dates like ``SetPlanned``, writes ``planned.reason`` on each (or removes an old one
when no reason is given: it no longer explains the dates), and leaves the plan itself in
``Draft.notes`` for the command to print (``ptrack.reporters.replan_text``). One transaction:
one atomic write, comments and layout kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ptrack.edit.campaign import SetPlanned, _set
from ptrack.edit.draft import Draft
from ptrack.edit.ops import ABSENT, Change, EditError, Operation
from ptrack.i18n import N_


@dataclass(frozen=True)
class Replan(Operation):
    """Move ``task`` to ``start``/``end`` (see ``ptrack.core.replan``); with ``cascade``, its
    not-started successors as far as their links force them. ``as_of``: the day whose facts
    say what has started. ``reason``: why (改期原因), written to ``planned.reason`` of every
    task that moves."""

    task: str
    as_of: date
    start: date | None = None
    end: date | None = None
    cascade: bool = False
    reason: str | None = None

    def apply(self, draft: Draft) -> None:
        from ptrack.core.calendars import BeyondCalendar
        from ptrack.core.model import build_campaign
        from ptrack.core.replan import plan_replan

        draft.index_of(("tasks",), self.task)  # an unknown task: "did you mean"
        campaign = build_campaign(draft.data, draft.file)
        try:
            plan = plan_replan(campaign, self.task, start=self.start, end=self.end, as_of=self.as_of,
                               cascade=self.cascade)
        except BeyondCalendar as exc:  # --planned-end 9999-12-31: its successors cannot be placed
            raise EditError(draft.t("config.at", where=draft.file, problem=exc.text(draft.locale))) from None
        reason = (self.reason or "").strip() or None
        for move in plan.all_moves:
            SetPlanned(move.task, start=move.new_start, end=move.new_end).apply(draft)
            at = ("tasks", draft.index_of(("tasks",), move.task), "planned")
            if reason is not None:
                _set(draft, ("task", move.task), at + ("reason",), "planned.reason", reason, order=_PLANNED_ORDER)
            elif draft.exists(at + ("reason",)):
                old = draft.delete(at + ("reason",))
                draft.record(Change(at + ("reason",), old, ABSENT, "planned.reason", ("task", move.task), "remove"))
        draft.notes.append(plan)


_PLANNED_ORDER = ("start", "end", "reason")


# ---------------------------------------------------------------------------------------------
# What the command prints

def replan_text(result, plan, *, dry_run: bool = False, rerun: str | None = None, reason: str | None = None) -> str:
    """What ``ptrack update --planned-*`` prints: the task moved, the successors moved with it
    (a table: task, planned start and end before -> after, working days, forced by which link),
    the conflicts (started, events, on hold) and, without ``--cascade``, the successors the move
    breaks and the command that moves them (``rerun``)."""
    from ptrack.core.replan import EVENT_FIXED, ON_HOLD, STARTED
    from ptrack.i18n import NP_, link_suffix, t
    from ptrack.reporters import render_table

    loc = result.locale
    lines = []
    root = plan.root
    head = N_("replan.dry_run") if dry_run else N_("replan.done")
    lines.append(t(loc, head, file=result.file, task=root.name, id=root.task,
                   start=_arrow(root.old_start, root.new_start), end=_arrow(root.old_end, root.new_end),
                   days=_signed_days(loc, root.days) if plan.all_moves[:1] == (root,) else t(loc, "replan.unchanged")))
    if reason and reason.strip():
        lines.append(t(loc, "replan.reason", reason=reason.strip()))
    if plan.moves:
        lines.append(t(loc, NP_("replan.moved"), n=len(plan.moves)))
        rows = [[m.name + t(loc, "punct.paren", text=m.task), _arrow(m.old_start, m.new_start), _arrow(m.old_end, m.new_end),
                 _signed_days(loc, m.days), _by(plan, m.by) + link_suffix(loc, m.link.type, m.link.lag)]
                for m in plan.moves]
        lines.append(render_table([t(loc, "replan.col.task"), t(loc, "replan.col.start"), t(loc, "replan.col.end"),
                                   t(loc, "replan.col.days"), t(loc, "replan.col.by")], rows, max_width=60))
    elif plan.cascade and not plan.conflicts:
        lines.append(t(loc, "replan.none_moved"))
    keys = {STARTED: NP_("replan.conflict.started"), EVENT_FIXED: NP_("replan.conflict.event"),
            ON_HOLD: NP_("replan.conflict.on_hold")}
    if plan.conflicts:
        lines.append(t(loc, NP_("replan.conflicts"), n=len(plan.conflicts)))
        lines += ["- " + t(loc, keys[c.why], task=c.name, id=c.task, start=c.planned_start.isoformat(),
                           needed=c.needed.isoformat(), days=c.days, by=_by(plan, c.by))
                  for c in plan.conflicts]
    if plan.past_end:
        lines.append(t(loc, NP_("replan.past_end"), n=len(plan.past_end), end=plan.campaign_end.isoformat(),
                       tasks=t(loc, "punct.comma").join(t(loc, "replan.past_end_item", task=m.name, id=m.task,
                                                         end=m.new_end.isoformat()) for m in plan.past_end)))
    if plan.broken:
        lines.append(t(loc, NP_("replan.broken"), n=len(plan.broken)))
        lines += ["- " + t(loc, NP_("replan.broken_item"), task=c.name, id=c.task, start=c.planned_start.isoformat(),
                           needed=c.needed.isoformat(), days=c.days)
                  for c in plan.broken]
        if rerun:
            lines.append(t(loc, "replan.how_to_cascade", command=rerun))
    return "\n".join(lines) + "\n"


def _arrow(old: date, new: date) -> str:
    return old.isoformat() if old == new else f"{old.isoformat()} → {new.isoformat()}"


def _signed_days(loc: str, days: int) -> str:
    from ptrack.i18n import NP_, t

    return t(loc, NP_("replan.days"), n=abs(days), days=f"+{days}" if days > 0 else f"\u2212{-days}" if days < 0 else "0")


def _by(plan, task_id: str | None) -> str:
    names = {m.task: m.name for m in (plan.root, *plan.moves)}
    return names.get(task_id, task_id or "")
