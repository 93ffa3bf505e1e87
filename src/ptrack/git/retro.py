"""``ptrack retro``: the archive and retrospective report (the seed's step 5, 归档与复盘).

What finished early and late (by working days), what slipped most in git (how often, by how
much, who moved the dates and when), deviation by module and department, the budget outcome
(earned value), goals' final achievement, milestones on time or late, and the team's own lessons
from the optional ``retro:`` section (高效环节 / 问题环节 / 改进措施).

``retro_data`` builds one plain dictionary; Markdown and HTML are two renderings of it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Mapping

from ptrack.git.asof import snapshot_as_of
from ptrack.git.baseline import Baseline, compute_baseline, working_days_between
from ptrack.core.compute import CampaignSnapshot, Status
from ptrack.errors import UsageError
from ptrack.git.gitio import GitError
from ptrack.git.history import load_history
from ptrack.i18n import M_, N_, NP_, fmt_deviation, fmt_number, fmt_points, normalise_locale, t
from ptrack.core.validate import load_campaign


@dataclass
class RetroReport:
    snapshot: CampaignSnapshot
    baseline: Baseline | None
    locale: str
    notes: list[str] = field(default_factory=list)


def retro_report(path: Path | str, as_of: date, *, baseline_rev: str | None = None,
                 policy_defaults: Mapping[str, object] | None = None, locale: str | None = None
                 ) -> tuple[RetroReport | None, list]:
    """(report, diagnostics): the report is None when the file is not a valid campaign. Without
    git history the slip section says so; an unknown ``baseline_rev`` raises GitError."""
    result = load_campaign(path, policy_defaults, locale=locale)
    if not result.ok:
        return None, result.diagnostics
    campaign = result.campaign
    notes: list[str] = []
    baseline = None
    with load_history(path, policy_defaults=policy_defaults, file=result.file) as history:
        # as of D, what was known by D (ptrack.git.asof), as every other command computes it
        snapshot = snapshot_as_of(history, campaign, as_of)
        notes += history.notes
        if history.in_git:
            baseline = compute_baseline(history, campaign, as_of, baseline_rev)
        elif baseline_rev:
            raise GitError(M_("git.no_baseline", file=result.file, reason=history.reason))
    return RetroReport(snapshot, baseline, normalise_locale(locale or campaign.locale), notes), result.diagnostics


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def retro_data(report: RetroReport) -> dict:
    s = report.snapshot
    c = s.campaign
    loc = report.locale
    cal = c.work_calendar
    early, late, on_time, unfinished = [], [], [], []
    for ts in s.tasks:
        task = ts.task
        if ts.status is Status.CANCELLED:
            continue
        if ts.status is Status.DONE and task.actual_end is not None and task.actual_end <= s.as_of:
            days = working_days_between(cal, task.planned_end, task.actual_end)
            row = {"id": task.id, "name": task.name, "planned_end": _iso(task.planned_end),
                   "actual_end": _iso(task.actual_end), "days": abs(days)}
            (late if days > 0 else early if days < 0 else on_time).append(row)
        elif ts.status is not Status.DONE:
            unfinished.append({"id": task.id, "name": task.name, "planned_end": _iso(task.planned_end),
                               "actual": fmt_points(ts.actual_progress), "status": t(loc, f"status.{ts.status.value}")})
    early.sort(key=lambda r: (-r["days"], r["id"]))
    late.sort(key=lambda r: (-r["days"], r["id"]))

    slipped = []
    if report.baseline is not None:
        for ts in s.tasks:
            b = report.baseline.tasks.get(ts.task.id)
            if b is None or not b.slips:
                continue
            slipped.append({
                "id": ts.task.id, "name": ts.task.name, "count": len(b.slips),
                "moved_days": sum(x.days for x in b.slips), "slip_days": b.slip_days,
                "baseline_end": _iso(b.end), "planned_end": _iso(ts.task.planned_end),
                "who": list(dict.fromkeys(x.author or t(loc, "retro.working_tree") for x in b.slips)),
                "when": [x.date.isoformat() for x in b.slips],
                "why": list(dict.fromkeys(x.reason for x in b.slips if x.reason))})
        slipped.sort(key=lambda r: (-r["count"], -r["moved_days"], r["id"]))

    def group_rows(dimension: str) -> list[dict]:
        rows = []
        for g in s.groups.get(dimension, ()):
            label = t(loc, "none") if g.key is None else (c.person_name(g.key) if dimension == "owner" else g.key)
            rows.append({"key": label, "tasks": len(g.task_ids), "planned": fmt_points(g.planned_progress),
                         "actual": fmt_points(g.actual_progress), "deviation": fmt_deviation(g.deviation),
                         "health": t(loc, f"health.{g.health.value}")})
        return rows

    budget = None
    if s.evm is not None:
        e = s.evm
        budget = {"bac": fmt_number(e.bac), "pv": fmt_number(e.pv), "ev": fmt_number(e.ev),
                  "ac": fmt_number(e.ac), "spi": "-" if e.spi is None else f"{e.spi:.3f}",
                  "cpi": "-" if e.cpi is None else f"{e.cpi:.3f}", "eac": fmt_number(e.eac),
                  "variance": fmt_number(e.bac - e.eac) if e.eac is not None else "-"}
    goals = [{"name": gs.goal.name, "target": fmt_number(gs.goal.target, gs.goal.unit),
              "latest": fmt_number(gs.latest, gs.goal.unit),
              "achievement": "-" if gs.achievement is None else fmt_points(gs.achievement) + "%",
              "status": t(loc, f"goal.{gs.status}")} for gs in s.goals]
    milestones = []
    for ms in s.milestones:
        m = ms.milestone
        if ms.state == "achieved_late":
            state = t(loc, NP_("retro.milestone_late"), n=ms.days_late)
        else:
            state = t(loc, f"milestone.{ms.state}")
        milestones.append({"name": m.name, "date": _iso(m.date), "achieved": _iso(m.achieved) or "-", "state": state})
    retro = c.retro
    lessons = None
    if retro is not None:
        lessons = {"summary": retro.summary, "went_well": list(retro.went_well),
                   "problems": list(retro.problems), "improvements": list(retro.improvements)}
    return {
        "locale": loc,
        "campaign": {"id": c.id, "name": c.name, "start": _iso(c.start), "end": _iso(c.end),
                     "as_of": s.as_of.isoformat(), "planned": fmt_points(s.planned_progress),
                     "actual": fmt_points(s.actual_progress), "deviation": fmt_deviation(s.deviation),
                     "status": t(loc, f"status.{s.status.value}"), "health": t(loc, f"health.{s.health.value}")},
        "baseline": report.baseline.to_dict() if report.baseline else None,
        "early": early, "late": late, "on_time": on_time, "unfinished": unfinished, "slipped": slipped,
        "modules": group_rows("module"), "departments": group_rows("department"),
        "budget": budget, "goals": goals, "milestones": milestones, "lessons": lessons,
        "notes": list(report.notes),
    }


# ---------------------------------------------------------------------------------------------
# Markdown

def _table(headers: list[str], rows: list[list]) -> list[str]:
    from ptrack.reporters import md_cell

    out = ["| " + " | ".join(md_cell(h) for h in headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in rows]
    return out + [""]


def retro_markdown(report: RetroReport) -> str:
    from ptrack.reporters import md_cell

    d = retro_data(report)
    loc = d["locale"]
    c = d["campaign"]
    colon = t(loc, "punct.colon")
    lines = [f"# {t(loc, 'retro.title')}{colon}{md_cell(c['name'])} (`{c['id']}`)", "",
             t(loc, "retro.headline", start=c["start"], end=c["end"], as_of=c["as_of"], planned=c["planned"],
               actual=c["actual"], deviation=c["deviation"], status=c["status"], health=c["health"]), ""]

    def section(key: str) -> None:
        lines.extend([f"## {t(loc, key)}", ""])

    section(N_("retro.finished"))
    lines.append(t(loc, "retro.finished_counts", early=len(d["early"]), on_time=len(d["on_time"]),
                   late=len(d["late"]), unfinished=len(d["unfinished"])))
    lines.append("")
    head = [t(loc, "col.task"), t(loc, "col.planned_end"), t(loc, "retro.actual_end"), t(loc, "retro.working_days")]
    if d["early"]:
        lines += [f"### {t(loc, 'retro.early')}", ""]
        lines += _table(head, [[f"{r['name']} ({r['id']})", r["planned_end"], r["actual_end"], r["days"]] for r in d["early"]])
    if d["late"]:
        lines += [f"### {t(loc, 'retro.late')}", ""]
        lines += _table(head, [[f"{r['name']} ({r['id']})", r["planned_end"], r["actual_end"], r["days"]] for r in d["late"]])
    if d["unfinished"]:
        lines += [f"### {t(loc, 'retro.unfinished')}", ""]
        lines += _table([t(loc, "col.task"), t(loc, "col.planned_end"), t(loc, "col.actual"), t(loc, "col.status")],
                        [[f"{r['name']} ({r['id']})", r["planned_end"], r["actual"], r["status"]] for r in d["unfinished"]])

    section(N_("retro.slipped"))
    if d["baseline"] is None:
        lines += [t(loc, "retro.no_history"), ""]
    elif not d["slipped"]:
        lines += [t(loc, "retro.no_slips", rev=d["baseline"]["rev"], commit=d["baseline"]["commit"][:7]), ""]
    else:
        lines += [t(loc, "retro.slips_since", rev=d["baseline"]["rev"], commit=d["baseline"]["commit"][:7],
                    date=d["baseline"]["date"]), ""]
        lines += _table([t(loc, "col.task"), t(loc, "retro.slip_count"), t(loc, "retro.moved_days"),
                         t(loc, "retro.slip_days"), t(loc, "retro.who"), t(loc, "retro.when"), t(loc, "retro.why")],
                        [[f"{r['name']} ({r['id']})", r["count"], r["moved_days"],
                          "-" if r["slip_days"] is None else r["slip_days"], ", ".join(r["who"]), ", ".join(r["when"]),
                          "; ".join(r["why"]) or "-"]
                         for r in d["slipped"]])

    group_head = [t(loc, "col.tasks"), t(loc, "col.planned"), t(loc, "col.actual"), t(loc, "col.deviation"),
                  t(loc, "col.health")]
    for key, dim, title in (("modules", N_("col.module"), N_("retro.by_modules")),
                            ("departments", N_("col.department"), N_("retro.by_departments"))):
        section(title)
        if d[key]:
            lines += _table([t(loc, dim)] + group_head,
                            [[r["key"], r["tasks"], r["planned"], r["actual"], r["deviation"], r["health"]] for r in d[key]])
        else:
            lines += [t(loc, "retro.nothing"), ""]

    section(N_("retro.budget"))
    b = d["budget"]
    if b:
        lines += _table(["BAC", "PV", "EV", "AC", "SPI", "CPI", "EAC", t(loc, "retro.variance")],
                        [[b["bac"], b["pv"], b["ev"], b["ac"], b["spi"], b["cpi"], b["eac"], b["variance"]]])
    else:
        lines += [t(loc, "retro.no_budget"), ""]

    section(N_("retro.goals"))
    if d["goals"]:
        lines += _table([t(loc, "retro.goal"), t(loc, "retro.target"), t(loc, "retro.final"),
                         t(loc, "retro.achievement"), t(loc, "col.status")],
                        [[g["name"], g["target"], g["latest"], g["achievement"], g["status"]] for g in d["goals"]])
    else:
        lines += [t(loc, "retro.nothing"), ""]

    section(N_("retro.milestones"))
    if d["milestones"]:
        lines += _table([t(loc, "retro.milestone"), t(loc, "retro.date"), t(loc, "retro.achieved"), t(loc, "col.status")],
                        [[m["name"], m["date"], m["achieved"], m["state"]] for m in d["milestones"]])
    else:
        lines += [t(loc, "retro.nothing"), ""]

    section(N_("retro.lessons"))
    lessons = d["lessons"]
    if lessons is None:
        lines += [t(loc, "retro.no_lessons"), ""]
    else:
        if lessons["summary"]:
            lines += [md_cell(lessons["summary"]), ""]
        for field, key in (("went_well", N_("retro.went_well")), ("problems", N_("retro.problems")),
                           ("improvements", N_("retro.improvements"))):
            lines += [f"### {t(loc, key)}", ""]
            items = lessons[field]
            lines += [f"- {md_cell(x)}" for x in items] if items else [t(loc, "retro.nothing")]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------------------------
# HTML

def retro_html(report: RetroReport) -> str:
    import jinja2

    d = retro_data(report)
    loc = d["locale"]
    c = d["campaign"]
    labels = {}  # the texts with values; the templates' _("key") gives the others
    labels["headline"] = t(loc, "retro.headline", start=c["start"], end=c["end"], as_of=c["as_of"],
                           planned=c["planned"], actual=c["actual"], deviation=c["deviation"],
                           status=c["status"], health=c["health"])
    labels["finished_counts"] = t(loc, "retro.finished_counts", early=len(d["early"]), on_time=len(d["on_time"]),
                                  late=len(d["late"]), unfinished=len(d["unfinished"]))
    if d["baseline"]:
        b = d["baseline"]
        labels["slips_since"] = t(loc, "retro.slips_since", rev=b["rev"], commit=b["commit"][:7], date=b["date"])
        labels["no_slips"] = t(loc, "retro.no_slips", rev=b["rev"], commit=b["commit"][:7])
    env = jinja2.Environment(loader=jinja2.PackageLoader("ptrack", "render/templates"),
                             extensions=["jinja2.ext.i18n"],
                             autoescape=True, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    gettext = functools.partial(t, loc)
    return env.get_template("retro.html").render(d=d, L=labels, lang=loc, _=gettext, gettext=gettext)


RETRO_REPORTERS: dict[str, Callable[[RetroReport], str]] = {"markdown": retro_markdown, "html": retro_html}

__all__ = ["RETRO_REPORTERS", "RetroReport", "retro_data", "retro_report", "UsageError"]
