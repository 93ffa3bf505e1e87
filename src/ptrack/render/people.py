"""A page per person (我的任务): ``site/people/<id>/index.html`` and its calendar feed
``tasks.ics``, across the campaigns of a build (DESIGN §7; who does what: ``core.people``).

``render_person_page`` lays out a ``PersonWork`` as cards, phone first: overdue, due this week,
in progress, starting this week, starting next week, my open risks, what others wait on, then
(folded) later, on hold and done. Each task links to its row on its campaign's page and, with
``repo_url``, to its update form; each open risk to its Resolve form. Pure: view models of
formatted strings, then the template (escaping is the template's).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ptrack.core.compute import Health
from ptrack.core.people import OPEN_SECTIONS, SECTIONS, MyRisk, MyTask, People, PersonWork, Waiting
from ptrack.forge.links import Repo, campaign_links
from ptrack.i18n import N_, NP_, day_text, fmt_points, normalise_locale, t
from ptrack.render.html import _health, _page_common, _render, _signed, _status, risk_note

PEOPLE_DIR = "people"
DONE_SHOWN = 30  # the done tasks a page lists: the most recently finished (the dashboards have them all)
_SECTION_KEYS = (N_("people.section.overdue"), N_("people.section.due_this_week"), N_("people.section.in_progress"),
                 N_("people.section.starting_this_week"), N_("people.section.starting_next_week"),
                 N_("people.section.later"), N_("people.section.on_hold"), N_("people.section.done"),
                 N_("people.role.owner"), N_("people.role.collaborator"), N_("people.role.lead"),
                 N_("people.role.task_owner"))


def person_locale(work: PersonWork, lang: str | None, site_locale: str | None) -> str:
    """The page's language: ``--lang``; else the one language of all the person's campaigns;
    else ptrack.yaml's ``locale``; else the default."""
    if lang:
        return normalise_locale(lang)
    campaigns = {m.campaign.campaign.id: m.campaign.campaign.locale for m in (*work.tasks, *work.risks)}
    if len(set(campaigns.values())) == 1:
        return normalise_locale(next(iter(campaigns.values())))
    return normalise_locale(site_locale)


def _links(campaign, repo: Repo | None):
    """The campaign's links, in the campaign's own language (the forms' titles and labels)."""
    return campaign_links(repo, campaign.id, campaign.locale)


def _range(a: date, b: date) -> str:
    return f"{a.isoformat()} – {b.isoformat()}"


def _task_card(m: MyTask, as_of: date, locale: str, repo: Repo | None) -> dict:
    c, ts, task = m.campaign.campaign, m.task, m.task.task
    if m.section == "overdue":
        when = t(locale, NP_("people.when.overdue"), n=(as_of - task.planned_end).days,
                 date=task.planned_end.isoformat())
    elif m.section in ("due_this_week", "in_progress"):
        when = t(locale, "people.when.due", day=day_text(locale, task.planned_end, as_of))
    elif m.section in ("starting_this_week", "starting_next_week", "later"):
        when = t(locale, "people.when.starts", day=day_text(locale, task.planned_start, as_of))
    else:
        when = ""
    links = _links(c, repo)
    return {
        "id": task.id, "name": task.name, "href": f"../../{c.id}/index.html#task-{task.id}",
        "campaign": c.name, "campaign_href": f"../../{c.id}/index.html", "module": task.module or "",
        "role": "" if m.role == "owner" else t(locale, f"people.role.{m.role}"),
        "status": _status(locale, ts.status),
        "health": _health(locale, ts.health) if ts.health is not Health.GREEN else None,
        "planned": _range(task.planned_start, task.planned_end),
        "actual": fmt_points(ts.actual_progress), "planned_pct": fmt_points(ts.planned_progress),
        "deviation": _signed(ts.deviation), "behind": ts.deviation is not None and ts.deviation < 0,
        "days_behind": t(locale, NP_("days.behind"), n=ts.days_behind) if ts.days_behind > 0 else "",
        "when": when, "late_start": t(locale, "people.late_start") if m.late_start else "",
        "update_url": links.update(task) if links is not None and m.section != "done" else None,
    }


def _risk_card(r: MyRisk, as_of: date, locale: str, repo: Repo | None) -> dict:
    c, rs, risk = r.campaign.campaign, r.risk, r.risk.risk
    note = risk_note(rs, locale)
    links = _links(c, repo)
    task = r.task.task if r.task else None
    return {
        "issue": risk.issue, "solution": risk.solution or "", "state": rs.state,
        "state_label": t(locale, f"risk.{rs.state}"), "due": risk.due.isoformat() if risk.due else "",
        "note": note, "campaign": c.name, "campaign_href": f"../../{c.id}/index.html",
        "task": task.name if task else t(locale, "html.campaign_level"),
        "task_href": f"../../{c.id}/index.html#task-{task.id}" if task else f"../../{c.id}/index.html#risks",
        "role": "" if r.role == "owner" else t(locale, f"people.role.{r.role}"),
        "resolve_url": links.resolve(risk) if links is not None else None,
    }


def _waiting_card(w: Waiting, locale: str, repo: Repo | None) -> dict:
    c = w.campaign.campaign
    mine, theirs = w.mine.task, w.waiting.task
    links = _links(c, repo)
    return {
        "mine": mine.name, "mine_href": f"../../{c.id}/index.html#task-{mine.id}",
        "mine_finish": (w.mine.forecast_finish or mine.planned_end).isoformat(),
        "waiting": theirs.name, "waiting_href": f"../../{c.id}/index.html#task-{theirs.id}",
        "who": c.person_name(w.who) or "", "start": theirs.planned_start.isoformat(), "campaign": c.name,
        "late": t(locale, "people.waiting_late") if w.late else "",
        "update_url": links.update(mine) if links is not None else None,
    }


def render_person_page(work: PersonWork, people: People, *, locale: str, repo: Repo | None = None,
                       ics_url: str | None = None, assets: str = "../../assets/",
                       portfolio_href: str = "../../index.html") -> str:
    """``people/<id>/index.html``. ``ics_url``: the feed's address on the published site
    (``site_url``), shown to copy into a calendar app; the page links ``tasks.ics`` anyway."""
    as_of = people.as_of
    sections = []
    for key in SECTIONS:
        tasks = work.section(key)
        count, hidden = len(tasks), 0
        if key == "done":
            finished = sorted(tasks, key=lambda m: m.task.task.actual_end or m.task.task.planned_end, reverse=True)
            tasks, hidden = finished[:DONE_SHOWN], max(0, len(finished) - DONE_SHOWN)
        cards = [_task_card(m, as_of, locale, repo) for m in tasks]
        sections.append({"key": key, "title": t(locale, f"people.section.{key}"), "cards": cards,
                         "count": count,
                         "open": key in OPEN_SECTIONS,
                         "hidden": t(locale, "people.done_hidden", n=hidden) if hidden else ""})
    week, nxt = people.week, people.next_week
    counts = [
        {"key": "overdue", "label": t(locale, "people.section.overdue"), "count": len(work.section("overdue")),
         "bad": True},
        {"key": "due_this_week", "label": t(locale, "people.section.due_this_week"),
         "count": len(work.section("due_this_week")), "bad": False},
        {"key": "risks", "label": t(locale, "people.section.risks"), "count": len(work.risks),
         "bad": any(r.risk.state == "overdue" for r in work.risks)},
        {"key": "waiting", "label": t(locale, "people.section.waiting"), "count": len(work.waiting), "bad": False},
    ]
    more = [s for s in sections if not s["open"]]
    return _render(
        "person.html.j2", **_page_common(locale, as_of), title=t(locale, "people.title", name=work.name),
        person={"id": work.id, "name": work.name, "department": work.department or ""},
        campaigns=sorted({(m.campaign.campaign.id, m.campaign.campaign.name) for m in (*work.tasks, *work.risks)}),
        counts=counts, sections=[s for s in sections if s["open"]], more=more,
        more_count=sum(s["count"] for s in more),
        risks=[_risk_card(r, as_of, locale, repo) for r in work.risks],
        waiting=[_waiting_card(w, locale, repo) for w in work.waiting],
        weeks=t(locale, "people.weeks", week=_range(*week), next=_range(*nxt)),
        ics_url=ics_url, assets=assets, portfolio_href=portfolio_href,
    )


def people_summary(people: People, locale: str) -> list[dict]:
    """The portfolio's list of people: name, department, counts, link to their page."""
    out = []
    for p in people.people:
        if not p.tasks and not p.risks:
            continue
        overdue = len(p.section("overdue"))
        due = len(p.section("due_this_week"))
        out.append({"id": p.id, "name": p.name, "department": p.department or "",
                    "href": f"{PEOPLE_DIR}/{p.id}/index.html", "overdue": overdue, "due": due,
                    "risks": len(p.risks), "open": p.open_tasks,
                    "text": t(locale, "people.summary", open=p.open_tasks, overdue=overdue, due=due,
                              risks=len(p.risks))})
    return out


def person_files(people: People, *, lang: str | None, site_locale: str | None, repo: Repo | None,
                 site_url: str | None) -> Sequence[tuple[str, str]]:
    """(path under the site, text) of every person's page and calendar feed."""
    from ptrack.sheets.ics import render_person_ics

    out = []
    base = site_url.rstrip("/") if site_url else None
    for work in people.people:
        locale = person_locale(work, lang, site_locale)
        folder = f"{PEOPLE_DIR}/{work.id}"
        ics_url = f"{base}/{folder}/tasks.ics" if base else None
        out.append((f"{folder}/index.html", render_person_page(work, people, locale=locale, repo=repo,
                                                               ics_url=ics_url)))
        out.append((f"{folder}/tasks.ics", render_person_ics(work, people.as_of, locale=locale, site_url=site_url)))
    return out
