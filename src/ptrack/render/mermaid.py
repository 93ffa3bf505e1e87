"""The campaign's Gantt as Mermaid ``gantt`` source: the ```mermaid block of the weekly report
(GitHub renders it) and ``ptrack export --format mermaid``."""

from __future__ import annotations

import re

from ptrack.core.compute import CampaignSnapshot, Health, Status, TaskSnapshot
from ptrack.i18n import fmt_number, normalise_locale, t


# Mermaid: the gantt lexer ends a task's text at ":" (older versions also at "#" and ";"), reads
# "%" followed by anything as a comment, and takes a line starting with a keyword as that
# statement (case-insensitive). Labels therefore get full-width look-alikes for these characters
# and a zero-width space in front of a leading keyword. "<", ">" and "`" are replaced too, so a
# label can neither look like markup nor close the Markdown code fence around the block.
_MERMAID_CHARS = str.maketrans({
    ":": "：", "#": "＃", ";": "；", "%": "％", "<": "＜", ">": "＞", "`": "｀",
    "{": "｛", "}": "｝", "\t": " ", "\r": " ", "\n": " ", "\u2028": " ", "\u2029": " ",
})
_MERMAID_RESERVED = re.compile(
    r"(?i)(gantt|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval|includes|excludes|"
    r"todaymarker|weekday|weekend|title|accdescription|accdescr|acctitle|section|click|call|href|"
    r"vert|\d\d\d\d-\d\d-\d\d)(?![a-z0-9_])")


def mermaid_label(text: str | None) -> str:
    """Text that is safe as a Mermaid gantt task name, section name or title."""
    s = " ".join((text or "").translate(_MERMAID_CHARS).split())
    if not s:
        return "-"
    if _MERMAID_RESERVED.match(s):
        s = "\u200b" + s
    return s


def mermaid_id(kind: str, ident: str) -> str:
    """``t_poster_draft`` / ``m_assets_final``: ptrack ids are ``[a-z0-9-]``, so mapping "-" to "_"
    keeps them distinct."""
    return f"{kind}_" + re.sub(r"[^a-z0-9]", "_", ident.lower())


def _task_tags(ts: TaskSnapshot) -> list[str]:
    tags = []
    if ts.health is Health.RED:
        tags.append("crit")
    if ts.status is Status.DONE:
        tags.append("done")
    elif ts.status in (Status.IN_PROGRESS, Status.DELAYED):
        tags.append("active")
    return tags


def _mermaid_task(label: str, tags: list[str], ident: str, start, days: int) -> str:
    data = ", ".join(tags + [ident, start.isoformat(), f"{days}d"])
    return f"    {label} :{data}"


def mermaid_gantt(snapshot: CampaignSnapshot, *, locale: str | None) -> str:
    """The campaign's Gantt as Mermaid ``gantt`` source (without the Markdown fence).

    Sections per module in order of first appearance in the file (tasks without a module last);
    planned bars (start, calendar-day duration) labelled with the actual progress; ``crit`` for
    red health, ``done``/``active`` from the status; cancelled tasks left out; the milestones in a
    last section as ``milestone`` at 0d. The as-of date is in the title; ``todayMarker off``
    keeps the viewer's clock out of the picture."""
    s = snapshot
    loc = normalise_locale(locale or s.campaign.locale)
    title = t(loc, "report.gantt_title", name=s.campaign.name, as_of=s.as_of.isoformat())
    lines = ["gantt", f"    title {mermaid_label(title)}", "    dateFormat YYYY-MM-DD",
             "    axisFormat %m-%d", "    todayMarker off"]
    sections: dict[str | None, list[TaskSnapshot]] = {}
    for ts in s.tasks:
        if ts.status is Status.CANCELLED:
            continue
        sections.setdefault(ts.task.module, []).append(ts)
    order = [k for k in sections if k is not None] + ([None] if None in sections else [])
    for module in order:
        lines.append(f"    section {mermaid_label(module if module is not None else t(loc, 'none'))}")
        for ts in sections[module]:
            task = ts.task
            label = mermaid_label(task.name)
            if ts.status is not Status.DONE:
                label += f" {fmt_number(ts.actual_progress)}％"
            days = (task.planned_end - task.planned_start).days + 1
            lines.append(_mermaid_task(label, _task_tags(ts), mermaid_id("t", task.id), task.planned_start, days))
    if s.milestones:
        lines.append(f"    section {mermaid_label(t(loc, 'report.milestones'))}")
        for ms in sorted(s.milestones, key=lambda m: (m.milestone.date, m.milestone.id)):
            m = ms.milestone
            tags = ["milestone"]
            if ms.state.startswith("achieved"):
                tags.insert(0, "done")
            elif ms.state == "missed":
                tags.insert(0, "crit")
            lines.append(_mermaid_task(mermaid_label(m.name), tags, mermaid_id("m", m.id), m.date, 0))
    return "\n".join(lines) + "\n"
