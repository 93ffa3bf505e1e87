"""iCalendar files (RFC 5545) that calendar apps import or subscribe to, as all-day events.

``render_ics``: a campaign's dates: milestones, task deadlines (planned ends) and the deadlines
of open risks. ``render_person_ics``: one person's feed (site/people/<id>/tasks.ics, across
campaigns): each of their tasks over its planned days, and the deadlines of their open risks.

Deterministic: events sorted by date, kind and UID; DTSTAMP is the as-of date (midnight UTC);
UIDs are stable across runs: ``<campaign-id>.<kind>.<id>@ptrack`` (ids never contain ".", so a
risk without an id gets ``<task-id or "campaign">.<n>``, n its 1-based position in its list).
Cancelled tasks stay in the campaign's file with ``STATUS:CANCELLED`` so that a subscribed
calendar drops them; resolved risks are left out. A person's feed has ``<person-id>.`` before
those UIDs (a task there is an event over its planned days, not its deadline), leaves cancelled
tasks out (a subscribed calendar drops what the feed no longer has) and marks on-hold tasks
``STATUS:TENTATIVE``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ptrack.core.compute import CampaignSnapshot, RiskSnapshot, Status
from ptrack.i18n import fmt_number, fmt_points, normalise_locale, t

PRODID = "-//ptrack//ptrack campaign calendar//EN"
_KIND_ORDER = {"milestone": 0, "task": 1, "risk": 2}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_text(text: str | None) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, line breaks."""
    s = _CONTROL.sub(" ", text or "")
    s = s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return s.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Fold one content line at 75 octets (§3.1): CRLF + one space before each continuation, whose
    text is then at most 74 octets. Never splits a UTF-8 multi-byte character, nor an escape
    sequence such as ``\\n`` (legal, but some readers get it wrong). Works on the UTF-8 bytes:
    a cut moves back over continuation bytes (``10xxxxxx``) and before a backslash that starts
    an escape (an odd run of backslashes ends just before the cut)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[bytes] = []
    start, limit = 0, 75
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:
            cut -= 1
        run = 0
        while cut - run - 1 >= 0 and data[cut - run - 1] == 0x5C:  # backslashes just before the cut
            run += 1
        if run % 2:
            cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, 74
    parts.append(data[start:])
    return "\r\n ".join(part.decode("utf-8") for part in parts)


def _date(d: date) -> str:
    return d.strftime("%Y%m%d")


def _event(uid: str, day: date, summary: str, description: str, stamp: str, *,
           status: str = "CONFIRMED", category: str, last: date | None = None, url: str | None = None) -> list[str]:
    """An all-day event from ``day`` to ``last`` (inclusive; ``day`` when None)."""
    return [
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_date(day)}",
        f"DTEND;VALUE=DATE:{_date((last or day) + timedelta(days=1))}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        *([f"URL:{url}"] if url else []),
        f"CATEGORIES:{escape_text(category)}",
        f"STATUS:{status}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def _calendar(name: str, events: list[tuple[date, int, str, list[str]]], extra: tuple[str, ...] = ()) -> str:
    """The VCALENDAR text, events sorted by (date, kind, UID), CRLF line ends, folded lines."""
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
           "METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text(name)}", *extra]
    for _, _, _, lines in sorted(events, key=lambda e: e[:3]):
        out += lines
    out.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in out)


def render_ics(snapshot: CampaignSnapshot, *, locale: str | None) -> str:
    """The VCALENDAR text with CRLF line ends; ``locale`` None means the campaign's own."""
    s = snapshot
    c = s.campaign
    loc = normalise_locale(locale or c.locale)
    sep = t(loc, "punct.colon")
    stamp = f"{_date(s.as_of)}T000000Z"
    events: list[tuple[date, int, str, list[str]]] = []

    def add(kind: str, ident: str, day: date, summary: str, lines: list[str], status: str = "CONFIRMED") -> None:
        uid = f"{c.id}.{kind}.{ident}@ptrack"
        lines = [f"{t(loc, 'report.ics.campaign')}{sep}{c.name}"] + lines
        events.append((day, _KIND_ORDER[kind], uid,
                       _event(uid, day, summary, "\n".join(lines), stamp, status=status, category=kind)))

    goal_names = {g.id: (g.name, g.unit) for g in c.goals}
    for ms in s.milestones:
        m = ms.milestone
        lines = [f"{t(loc, 'report.status')}{sep}{t(loc, f'milestone.{ms.state}')}"]
        if m.achieved and ms.state.startswith("achieved"):
            lines.append(f"{t(loc, 'report.col.achieved')}{sep}{m.achieved.isoformat()}")
        for goal_id, value in sorted(m.results.items()):
            name, unit = goal_names.get(goal_id, (goal_id, None))
            lines.append(f"{name}{sep}{fmt_number(value, unit)}")
        if m.description:
            lines.append(m.description)
        add("milestone", m.id, m.date, t(loc, "report.ics.milestone", name=m.name), lines)

    for ts in s.tasks:
        task = ts.task
        lines = [
            f"{t(loc, 'report.ics.owner')}{sep}{c.person_name(task.owner) or t(loc, 'unassigned')}",
            f"{t(loc, 'report.status')}{sep}{t(loc, f'status.{ts.status.value}')}",
            f"{t(loc, 'report.ics.progress')}{sep}{fmt_points(ts.actual_progress)}% / "
            f"{fmt_points(ts.planned_progress)}%",
        ]
        if task.module:
            lines.append(f"{t(loc, 'col.module')}{sep}{task.module}")
        if task.description:
            lines.append(task.description)
        status = "CANCELLED" if ts.status is Status.CANCELLED else "CONFIRMED"
        add("task", task.id, task.planned_end, t(loc, "report.ics.task_due", name=task.name), lines, status)

    by_task = {ts.task.id: ts.task for ts in s.tasks}
    for rs in s.risks:
        if rs.state == "resolved" or rs.risk.due is None:
            continue
        r = rs.risk
        task = by_task.get(r.task_id) if r.task_id else None
        lines = [f"{t(loc, 'report.ics.task')}{sep}{task.name if task else t(loc, 'report.campaign_level')}",
                 f"{t(loc, 'report.ics.owner')}{sep}{c.person_name(r.owner) or t(loc, 'unassigned')}",
                 f"{t(loc, 'report.status')}{sep}{t(loc, f'risk.{rs.state}')}"]
        if r.solution:
            lines.append(f"{t(loc, 'report.ics.solution')}{sep}{r.solution}")
        add("risk", risk_uid_part(rs), r.due, t(loc, "report.ics.risk_due", issue=r.issue), lines)

    return _calendar(c.name, events)


def risk_uid_part(rs: RiskSnapshot) -> str:
    """The risk's part of a UID: its id, else ``<task-id or "campaign">.<n>`` (n: its 1-based
    position in its list, from its JSON path)."""
    return rs.risk.id or f"{rs.risk.task_id or 'campaign'}.{int(rs.risk.path[-1]) + 1}"


def render_person_ics(work, as_of: date, *, locale: str | None, site_url: str | None = None) -> str:
    """A person's calendar feed: ``work`` is their ``core.people.PersonWork``. Each task is an
    all-day event over its planned days (owner, collaborator, or lead of an unowned task), each
    open risk they answer for with a deadline an event on that day. ``site_url``: where the site
    is published; each event then links to the task on its campaign's page (URL). The feed
    asks subscribers to refresh every six hours (REFRESH-INTERVAL, X-PUBLISHED-TTL)."""
    loc = normalise_locale(locale)
    sep = t(loc, "punct.colon")
    stamp = f"{_date(as_of)}T000000Z"
    base = site_url.rstrip("/") if site_url else None
    events: list[tuple[date, int, str, list[str]]] = []
    roles = {"owner": t(loc, "people.role.owner"), "collaborator": t(loc, "people.role.collaborator"),
             "lead": t(loc, "people.role.lead"), "task_owner": t(loc, "people.role.task_owner")}
    for m in work.tasks:
        c, ts, task = m.campaign.campaign, m.task, m.task.task
        uid = f"{work.id}.{c.id}.task.{task.id}@ptrack"
        lines = [f"{t(loc, 'report.ics.campaign')}{sep}{c.name}",
                 f"{t(loc, 'people.role')}{sep}{roles[m.role]}",
                 f"{t(loc, 'report.status')}{sep}{t(loc, f'status.{ts.status.value}')}",
                 f"{t(loc, 'report.ics.progress')}{sep}{fmt_points(ts.actual_progress)}% / "
                 f"{fmt_points(ts.planned_progress)}%",
                 f"{t(loc, 'people.planned')}{sep}{task.planned_start.isoformat()} – {task.planned_end.isoformat()}"]
        if task.module:
            lines.append(f"{t(loc, 'col.module')}{sep}{task.module}")
        if task.description:
            lines.append(task.description)
        url = f"{base}/{c.id}/index.html#task-{task.id}" if base else None
        status = "TENTATIVE" if ts.status is Status.ON_HOLD else "CONFIRMED"
        events.append((task.planned_start, 1, uid, _event(
            uid, task.planned_start, t(loc, "people.ics.task", name=task.name, campaign=c.name), "\n".join(lines),
            stamp, status=status, category="task", last=task.planned_end, url=url)))
    for r in work.risks:
        c, risk = r.campaign.campaign, r.risk.risk
        if risk.due is None:
            continue
        uid = f"{work.id}.{c.id}.risk.{risk_uid_part(r.risk)}@ptrack"
        lines = [f"{t(loc, 'report.ics.campaign')}{sep}{c.name}",
                 f"{t(loc, 'report.ics.task')}{sep}{r.task.task.name if r.task else t(loc, 'report.campaign_level')}",
                 f"{t(loc, 'report.status')}{sep}{t(loc, f'risk.{r.risk.state}')}"]
        if risk.solution:
            lines.append(f"{t(loc, 'report.ics.solution')}{sep}{risk.solution}")
        url = f"{base}/{c.id}/index.html#risks" if base else None
        events.append((risk.due, 2, uid, _event(uid, risk.due, t(loc, "report.ics.risk_due", issue=risk.issue),
                                                "\n".join(lines), stamp, category="risk", url=url)))
    return _calendar(t(loc, "people.ics.name", name=work.name), events,
                     ("REFRESH-INTERVAL;VALUE=DURATION:PT6H", "X-PUBLISHED-TTL:PT6H"))
