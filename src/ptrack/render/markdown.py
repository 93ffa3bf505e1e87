"""The weekly report (周报) in GitHub-flavoured Markdown, and the Gantt as Mermaid.

``render_report(snapshot, locale=...)`` is a pure function of the snapshot: no clock, sorted
data, so the same inputs and as-of date give the same bytes. Every user string goes through
``_cell`` (Markdown table cell / inline text) or ``mermaid_label`` (Mermaid statement text).

Sections: summary, weekly-review focus list, fixed-date events (when there are), critical path,
risks, milestones, goals, roll-up by module, workload (people x the next weeks), the Gantt (a
```mermaid block GitHub renders) and the seed's 18-column tracking table.
"""

from __future__ import annotations


from ptrack.core.compute import CampaignSnapshot, Health, RiskSnapshot, Status, TaskSnapshot
from ptrack.i18n import N_, NP_, days_text, fmt_deviation, fmt_number, fmt_points, normalise_locale, t
from ptrack.render.mermaid import mermaid_gantt, mermaid_id, mermaid_label
from ptrack.reporters import event_clash_text, forecast_basis, group_label, md_cell

def critical_intro_key(n: int) -> str:
    """The critical path's introduction: its own text for one task ("follows this task"; Chinese
    words that differently too, which one plural form cannot say)."""
    return N_("report.critical_intro_one") if n == 1 else N_("report.critical_intro")


HEALTH_EMOJI = {Health.GREEN: "🟢", Health.AMBER: "🟡", Health.RED: "🔴", Health.GREY: "⚪"}
SEED_COLUMNS = 18


# ---------------------------------------------------------------------------------------------
# Escaping

def _cell(text) -> str:
    """One Markdown table cell or piece of inline text. ``md_cell`` turns LF into a space; a lone
    CR is a line ending in CommonMark too, so it goes the same way."""
    s = "" if text is None else str(text)
    return md_cell(s.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n"))


def _lines_cell(text: str | None) -> str:
    """A cell holding several lines (one risk per line): each line escaped, joined by <br>."""
    if not text:
        return ""
    return "<br>".join(_cell(line) for line in str(text).split("\n"))


def _row(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> list[str]:
    lines = [_row(_cell(h) for h in headers),
             "|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|"]
    lines += [_row(r) for r in rows]
    return lines


# ---------------------------------------------------------------------------------------------
# Report sections

def health_text(health: Health, locale: str) -> str:
    """``🟡 预警``: the emoji for the eye, the word for everyone (never colour alone)."""
    return f"{HEALTH_EMOJI[health]} {t(locale, f'health.{health.value}')}"


_signed = fmt_deviation


def focus_tasks(snapshot: CampaignSnapshot) -> list[TaskSnapshot]:
    """The weekly-review focus list (``TaskSnapshot.focus``: open tasks more than
    ``policy.deviation_warn`` points and ``min_days_behind`` working days behind); most behind
    first, then file order."""
    found = [(ts.deviation, i, ts) for i, ts in enumerate(snapshot.tasks) if ts.focus]
    return [ts for _, _, ts in sorted(found, key=lambda x: (x[0], x[1]))]


def start_by_tasks(snapshot: CampaignSnapshot) -> list[TaskSnapshot]:
    """Backward planning: each task not started yet (work and timeboxes; not events, cancelled or
    on-hold tasks) with its latest start (``TaskSnapshot.latest_start``, the backward pass: the
    last day it can start and still keep the campaign end, or the fixed-date event after it),
    soonest first, then file order."""
    found = [(ts.latest_start, i, ts) for i, ts in enumerate(snapshot.tasks)
             if ts.status is Status.NOT_STARTED and ts.task.kind != "event" and ts.latest_start is not None]
    return [ts for _, _, ts in sorted(found, key=lambda x: (x[0], x[1]))]


START_BY_ROWS = 30  # rows of the weekly report's start-by table (the dashboard shows them all)


def sorted_open_risks(snapshot: CampaignSnapshot) -> list[RiskSnapshot]:
    """Open risks: overdue first (longest overdue first), then due soon, then the other open ones
    (by deadline, none last); ties in file order."""
    def key(item):
        i, rs = item
        group = 0 if rs.state == "overdue" else 1 if rs.due_soon else 2
        due = rs.risk.due.toordinal() if rs.risk.due else 10**9
        return (group, due, i)

    return [rs for _, rs in sorted(((i, rs) for i, rs in enumerate(snapshot.risks) if rs.state != "resolved"),
                                   key=key)]


def _owner(snapshot: CampaignSnapshot, ref: str | None, locale: str) -> str:
    return snapshot.campaign.person_name(ref) or t(locale, "unassigned")


def _summary(s: CampaignSnapshot, loc: str) -> list[str]:
    c = s.campaign
    rows = [
        (t(loc, "report.period"), f"{c.start.isoformat()} ~ {c.end.isoformat()}"),
    ]
    if c.lead:
        rows.append((t(loc, "report.lead"), _owner(s, c.lead, loc)))
    rows += [
        (t(loc, "report.planned"), f"{fmt_points(s.planned_progress)}%"),
        (t(loc, "report.actual"), f"{fmt_points(s.actual_progress)}%"),
        (t(loc, "report.deviation"), _signed(s.deviation)),
        (t(loc, "report.status"), t(loc, f"status.{s.status.value}")),
        (t(loc, "report.health"), health_text(s.health, loc)),
        (t(loc, "report.schedule"), days_text(loc, s.days_behind)),
    ]
    if s.forecast_finish:
        rows.append((t(loc, "report.forecast"),
                     t(loc, "report.forecast_vs_plan", forecast=s.forecast_finish.isoformat(), end=c.end.isoformat())))
        basis = forecast_basis(s, loc)
        if basis:
            rows.append((t(loc, "report.forecast_basis"), basis))
    if s.evm is not None:
        rows.append((t(loc, "report.spi"), f"{s.evm.spi:.2f}" if s.evm.spi is not None else "-"))
        rows.append((t(loc, "report.cpi"), f"{s.evm.cpi:.2f}" if s.evm.cpi is not None else "-"))
        rows.append((t(loc, "report.budget"), f"{fmt_number(s.evm.ac)} / {fmt_number(s.evm.bac)}"))
    counts = {"overdue": 0, "soon": 0, "open": 0, "resolved": 0}
    for rs in s.risks:
        if rs.state == "resolved":
            counts["resolved"] += 1
        elif rs.state == "overdue":
            counts["overdue"] += 1
        elif rs.due_soon:
            counts["soon"] += 1
        else:
            counts["open"] += 1
    rows.append((t(loc, "report.risk_counts"), t(loc, "report.risk_counts_value", **counts)))
    return [f"## {_cell(t(loc, 'report.summary'))}", "",
            *_table([t(loc, "report.metric"), t(loc, "report.value")], [[_cell(a), _cell(b)] for a, b in rows]), ""]


def _focus(s: CampaignSnapshot, loc: str) -> list[str]:
    warn = fmt_number(s.campaign.policy.deviation_warn)
    tasks = focus_tasks(s)
    out = [f"## {_cell(t(loc, 'report.focus'))}", ""]
    days = s.campaign.policy.min_days_behind
    if not tasks:
        return out + [_cell(t(loc, "report.focus_none", n=warn, days=days)), ""]
    out += [_cell(t(loc, "report.focus_intro", n=warn, days=days, count=len(tasks))), ""]
    headers = [t(loc, k) for k in (N_("col.task"), N_("col.owner"), N_("col.planned"), N_("col.actual"), N_("col.deviation"),
                                    N_("col.days_behind"), N_("col.status"), N_("col.health"), N_("report.col.open_risks"))]
    rows = []
    for ts in tasks:
        open_risks = [("🔴 " if rs.state == "overdue" else "") + _cell(rs.risk.issue)
                      for rs in ts.risks if rs.state != "resolved"]
        rows.append([_cell(ts.task.name), _cell(_owner(s, ts.task.owner, loc)), fmt_points(ts.planned_progress),
                     fmt_points(ts.actual_progress), _signed(ts.deviation), str(ts.days_behind),
                     _cell(t(loc, f"status.{ts.status.value}")), _cell(health_text(ts.health, loc)),
                     "<br>".join(open_risks)])
    return out + _table(headers, rows, right={2, 3, 4, 5}) + [""]


def _events(s: CampaignSnapshot, loc: str) -> list[str]:
    """The fixed-date events by date, each with its preparation: on time, or at risk (the
    ``event-at-risk`` clashes). Nothing when the campaign has no event."""
    events = sorted((ts for ts in s.tasks if ts.task.kind == "event"),
                    key=lambda ts: (ts.task.planned_start, ts.task.planned_end, ts.task.id))
    if not events:
        return []
    clashes: dict[str, list] = {}
    for clash in s.event_clashes:
        clashes.setdefault(clash.event, []).append(clash)
    at_risk = sum(1 for ts in events if ts.task.id in clashes)
    out = [f"## {_cell(t(loc, 'report.events'))}", "", _cell(t(loc, "report.events_intro", n=len(events), risk=at_risk)), ""]
    headers = [t(loc, k) for k in (N_("col.task"), N_("html.event_dates"), N_("col.owner"), N_("col.status"),
                                    N_("html.event_preparation"))]
    rows = []
    for ts in events:
        task = ts.task
        dates = task.planned_start.isoformat() if task.planned_start == task.planned_end \
            else f"{task.planned_start.isoformat()} ~ {task.planned_end.isoformat()}"
        own = clashes.get(task.id, [])
        prep = "<br>".join("🔴 " + _cell(event_clash_text(s, clash, loc, short=True)) for clash in own) if own \
            else _cell(t(loc, "html.event_on_track"))
        rows.append([_cell(task.name), dates, _cell(_owner(s, task.owner, loc)),
                     _cell(t(loc, f"status.{ts.status.value}")), prep])
    return out + _table(headers, rows) + [""]


def _risk_state(rs: RiskSnapshot, loc: str) -> str:
    if rs.state == "overdue":
        return "🔴 " + t(loc, NP_("report.risk_overdue_days"), n=rs.days_overdue)
    if rs.due_soon:
        return "🟡 " + t(loc, "report.risk_due_soon")
    return t(loc, "risk.open")


def _risks(s: CampaignSnapshot, loc: str) -> list[str]:
    out = [f"## {_cell(t(loc, 'report.risks'))}", ""]
    risks = sorted_open_risks(s)
    names = {ts.task.id: ts.task.name for ts in s.tasks}
    if not risks:
        out += [_cell(t(loc, "report.risks_none")), ""]
    else:
        headers = [t(loc, k) for k in (N_("report.col.risk_state"), N_("report.col.issue"), N_("col.task"),
                                        N_("report.col.risk_owner"), N_("report.col.solution"), N_("report.col.due"))]
        rows = [[_cell(_risk_state(rs, loc)), _cell(rs.risk.issue),
                 _cell(names.get(rs.risk.task_id) if rs.risk.task_id else t(loc, "report.campaign_level")),
                 _cell(_owner(s, rs.risk.owner, loc)), _cell(rs.risk.solution),
                 rs.risk.due.isoformat() if rs.risk.due else "-"] for rs in risks]
        out += _table(headers, rows) + [""]
    resolved = sum(1 for rs in s.risks if rs.state == "resolved")
    return out + [_cell(t(loc, "report.risks_resolved", n=resolved)), ""]


def _milestones(s: CampaignSnapshot, loc: str) -> list[str]:
    out = [f"## {_cell(t(loc, 'report.milestones'))}", ""]
    if not s.milestones:
        return out + [_cell(t(loc, "report.milestones_none")), ""]
    goals = {g.id: g for g in s.campaign.goals}
    headers = [t(loc, k) for k in (N_("report.col.milestone"), N_("report.col.date"), N_("report.col.achieved"),
                                    N_("col.status"), N_("report.col.note"), N_("report.col.results"))]
    rows = []
    for ms in sorted(s.milestones, key=lambda m: (m.milestone.date, m.milestone.id)):
        m = ms.milestone
        if ms.state in ("achieved_late", "missed"):
            note = t(loc, NP_("report.days_late"), n=ms.days_late)
        elif ms.state == "upcoming":
            note = t(loc, NP_("report.days_until"), n=ms.days_until) if ms.days_until else t(loc, "report.today")
        else:
            note = "-"
        results = []
        for goal_id, value in sorted(m.results.items()):
            goal = goals.get(goal_id)
            results.append(_cell(f"{goal.name if goal else goal_id}: {fmt_number(value, goal.unit if goal else None)}"))
        state = t(loc, f"milestone.{ms.state}")
        if ms.state == "missed":
            state = "🔴 " + state
        achieved = m.achieved.isoformat() if m.achieved and ms.state.startswith("achieved") else "-"
        rows.append([_cell(m.name), m.date.isoformat(), achieved, _cell(state), _cell(note),
                     "<br>".join(results) or "-"])
    return out + _table(headers, rows) + [""]


def _goals(s: CampaignSnapshot, loc: str) -> list[str]:
    out = [f"## {_cell(t(loc, 'report.goals'))}", ""]
    if not s.goals:
        return out + [_cell(t(loc, "report.goals_none")), ""]
    headers = [t(loc, k) for k in (N_("report.col.goal"), N_("report.col.latest"), N_("report.col.target"),
                                    N_("report.col.achievement"), N_("report.col.expected"), N_("col.status"),
                                    N_("report.col.goal_forecast"))]
    rows = []
    for gs in s.goals:
        g = gs.goal
        latest = "-" if gs.latest is None else f"{fmt_number(gs.latest, g.unit)} ({gs.latest_date.isoformat()})"
        status = t(loc, f"goal.{gs.status}")
        if gs.status == "behind":
            status = "🟡 " + status
        rows.append([_cell(g.name), _cell(latest), _cell(f"{fmt_number(g.target, g.unit)} ({g.due.isoformat()})"),
                     f"{fmt_points(gs.achievement)}%" if gs.achievement is not None else "-",
                     _cell(fmt_number(gs.expected, g.unit)) if gs.expected is not None else "-",
                     _cell(status), _cell(fmt_number(gs.forecast, g.unit)) if gs.forecast is not None else "-"])
    return out + _table(headers, rows, right={3}) + [""]


def _by_module(s: CampaignSnapshot, loc: str) -> list[str]:
    headers = [t(loc, k) for k in (N_("col.module"), N_("col.tasks"), N_("col.planned"), N_("col.actual"), N_("col.deviation"),
                                    N_("col.health"))]
    rows = [[_cell(group_label(s, g, loc)), str(len(g.task_ids)), fmt_points(g.planned_progress),
             fmt_points(g.actual_progress), _signed(g.deviation), _cell(health_text(g.health, loc))]
            for g in s.groups.get("module", ())]
    return [f"## {_cell(t(loc, 'report.by_module'))}", "", *_table(headers, rows, right={1, 2, 3, 4}), ""]


def _critical_path(s: CampaignSnapshot, loc: str) -> list[str]:
    """The chain the forecast finish follows, then the other tasks with float <= 0."""
    out = [f"## {_cell(t(loc, 'report.critical_path'))}", ""]
    if not s.critical_path:
        return out + [_cell(t(loc, "report.critical_none")), ""]
    end = s.campaign.end.isoformat()
    forecast = s.forecast_finish.isoformat() if s.forecast_finish else "-"
    out += [_cell(t(loc, critical_intro_key(len(s.critical_path)), forecast=forecast, end=end,
                    n=len(s.critical_path))), ""]
    headers = [t(loc, k) for k in (N_("col.task"), N_("col.owner"), N_("report.col.forecast_start"), N_("col.forecast"),
                                    N_("col.float"), N_("col.status"), N_("col.days_behind"))]
    rows = []
    for tid in s.critical_path:
        ts = s.task(tid)
        rows.append([_cell(ts.task.name), _cell(_owner(s, ts.task.owner, loc)),
                     ts.earliest_start.isoformat() if ts.earliest_start else "-",
                     ts.earliest_finish.isoformat() if ts.earliest_finish else "-", str(ts.float_days),
                     _cell(t(loc, f"status.{ts.status.value}")), str(ts.days_behind)])
    out += _table(headers, rows, right={4, 6}) + [""]
    path = set(s.critical_path)
    sep = "、" if loc in ("zh-CN", "zh-TW") else ", "
    others = [ts.task.name for ts in s.tasks if ts.critical and ts.task.id not in path and ts.held_by is None]
    if others:
        out += [_cell(t(loc, "report.critical_others", names=sep.join(others))), ""]
    # critical because a fixed-date event cannot wait for them, not because of the end date
    before_events = [t(loc, "report.critical_before_event", name=ts.task.name, event=s.task(ts.held_by).task.name)
                     for ts in s.tasks if ts.critical and ts.task.id not in path and ts.held_by is not None]
    if before_events:
        out += [_cell(t(loc, "report.critical_events", names=sep.join(before_events))), ""]
    return out


def _start_by(s: CampaignSnapshot, loc: str) -> list[str]:
    """Start by: the latest start of each task not started yet, soonest first (``start_by_tasks``)."""
    tasks = start_by_tasks(s)
    if not tasks:
        return []
    out = [f"## {_cell(t(loc, 'report.start_by'))}", "", _cell(t(loc, "report.start_by_intro")), ""]
    headers = [t(loc, k) for k in (N_("col.task"), N_("col.owner"), N_("col.planned_start"), N_("col.start_by"),
                                    N_("col.float"), N_("col.start_by_keeps"))]
    rows = [[_cell(ts.task.name), _cell(_owner(s, ts.task.owner, loc)), ts.task.planned_start.isoformat(),
             f"**{ts.latest_start.isoformat()}**" if start_by_due(s, ts) else ts.latest_start.isoformat(),
             str(ts.float_days), _cell(start_by_keeps(s, ts, loc))]
            for ts in tasks[:START_BY_ROWS]]
    out += _table(headers, rows, right={4}) + [""]
    if len(tasks) > START_BY_ROWS:
        out += [_cell(t(loc, NP_("report.start_by_more"), n=len(tasks) - START_BY_ROWS)), ""]
    return out


def start_by_due(s: CampaignSnapshot, ts: TaskSnapshot) -> bool:
    """A start-by day that calls for action (bold in the report, the dashboard): it has come, or
    the task is forecast to start after it (negative float)."""
    return (ts.float_days or 0) < 0 or ts.latest_start <= s.as_of


def start_by_keeps(s: CampaignSnapshot, ts: TaskSnapshot, loc: str) -> str:
    """What a task's latest start keeps: the fixed-date event after it, else the campaign end."""
    if ts.held_by is not None:
        return t(loc, "start_by.event", name=s.task(ts.held_by).task.name,
                 date=s.task(ts.held_by).task.planned_start.isoformat())
    # the backward pass starts from the earlier of the campaign end and the forecast finish
    if s.forecast_finish is not None and s.forecast_finish < s.campaign.end:
        return t(loc, "start_by.finish", date=s.forecast_finish.isoformat(), end=s.campaign.end.isoformat())
    return t(loc, "start_by.end", date=s.campaign.end.isoformat())


WORKLOAD_WEEKS = 8  # weeks of the workload in the weekly report (the status page shows them all)


def week_heading(label: str, start) -> str:
    """``W16 04-15``: the ISO week and its Monday."""
    return f"{label.split('-')[-1]} {start.strftime('%m-%d')}"


def _workload(s: CampaignSnapshot, loc: str) -> list[str]:
    """People x the next weeks: planned / available working days, ⚠ over capacity."""
    w = s.workload
    out = [f"## {_cell(t(loc, 'report.workload'))}", ""]
    if not w.weeks:
        return out + [_cell(t(loc, "report.workload_none", as_of=s.as_of.isoformat())), ""]
    shown = min(len(w.weeks), WORKLOAD_WEEKS)
    out += [_cell(t(loc, "report.workload_intro", share=fmt_number(w.collaborator_share))), ""]
    headers = [t(loc, "report.col.person")] + [week_heading(wk.label, wk.start) for wk in w.weeks[:shown]]
    rows = []
    for p in w.people:
        if not any(p.load[:shown]):
            continue
        cells = [_cell(_owner(s, p.person, loc))]
        for k in range(shown):
            cells.append(f"{fmt_number(p.load[k])} / {fmt_number(p.available[k])}" + (" ⚠" if k in p.over else ""))
        rows.append(cells)
    out += _table(headers, rows, right=set(range(1, shown + 1))) + [""]
    if len(w.weeks) > shown:
        out += [_cell(t(loc, NP_("report.workload_more"), n=len(w.weeks) - shown)), ""]
    return out


def _tracking(s: CampaignSnapshot, loc: str) -> list[str]:
    from ptrack.sheets.tabular import NUMBER_COLUMNS, COLUMN_KEYS, csv_text, tracking_rows

    headers, rows = tracking_rows(s, locale=loc)
    keys = COLUMN_KEYS[:SEED_COLUMNS]
    body = []
    for row in rows:
        cells = []
        for key, value in zip(keys, row[:SEED_COLUMNS]):
            if value is None:
                cells.append("")
            elif key in NUMBER_COLUMNS:
                cells.append(fmt_points(value) if isinstance(value, float) else csv_text(value))
            else:
                cells.append(_lines_cell(str(value)))
        body.append(cells)
    right = {i for i, k in enumerate(keys) if k in NUMBER_COLUMNS}
    return [f"## {_cell(t(loc, 'report.tracking'))}", "", *_table(headers[:SEED_COLUMNS], body, right), ""]


def render_report(snapshot: CampaignSnapshot, *, locale: str | None) -> str:
    """The weekly report as GitHub-flavoured Markdown; ``locale`` None means the campaign's own."""
    s = snapshot
    loc = normalise_locale(locale or s.campaign.locale)
    lines = [f"# {_cell(t(loc, 'report.title', name=s.campaign.name, as_of=s.as_of.isoformat()))}", ""]
    lines += _summary(s, loc)
    lines += _focus(s, loc)
    lines += _events(s, loc)
    lines += _critical_path(s, loc)
    lines += _start_by(s, loc)
    lines += _risks(s, loc)
    lines += _milestones(s, loc)
    lines += _goals(s, loc)
    lines += _by_module(s, loc)
    lines += _workload(s, loc)
    lines += [f"## {_cell(t(loc, 'report.gantt'))}", "", "```mermaid", mermaid_gantt(s, locale=loc).rstrip("\n"),
              "```", ""]
    lines += _tracking(s, loc)
    lines += ["---", "", _cell(t(loc, "report.footer", as_of=s.as_of.isoformat()))]
    return "\n".join(lines) + "\n"


__all__ = ["render_report", "mermaid_gantt", "mermaid_label", "mermaid_id", "focus_tasks",
           "sorted_open_risks", "health_text"]
