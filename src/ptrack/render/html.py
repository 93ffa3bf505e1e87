"""The HTML of the status site: the portfolio page and one dashboard per campaign (DESIGN §7).

Pure functions of snapshots: ``render_portfolio_page(...)`` and ``render_campaign_page(...)``
return text; ``site.py`` writes it. Templates live in ``render/templates`` and load through
Jinja2's package loader with autoescaping on, so every user string is escaped for HTML text and
attributes; the tracking table's rows, the bulk of a large page, are rendered here in Python
(``tracking_row_html``) with the same escaping, byte for byte. Data for the page's script goes
through ``json_for_script`` into a ``<script type="application/json">`` block, never into
JavaScript source.

The view models built here are plain dicts of already formatted strings: the templates only
lay them out, so they stay free of arithmetic and of locale rules.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple

from markupsafe import Markup, escape

from ptrack import __version__
from ptrack.core.compute import (
    CampaignSnapshot,
    GroupSnapshot,
    Health,
    RiskSnapshot,
    Status,
)
from ptrack.i18n import N_, NP_, TRACKING_COLUMNS, say, days_text, fmt_deviation, fmt_number, fmt_points, normalise_locale, t
from ptrack.render.gantt_html import gantt_script_labels, render_gantt_section
from ptrack.reporters import event_clash_text, forecast_basis

# Order in which statuses sort in the tracking table: what needs action first.
_STATUS_RANK = {Status.DELAYED: 0, Status.IN_PROGRESS: 1, Status.ON_HOLD: 2, Status.NOT_STARTED: 3,
                Status.DONE: 4, Status.CANCELLED: 5}
_HEALTH_RANK = {Health.RED: 0, Health.AMBER: 1, Health.GREEN: 2, Health.GREY: 3}
_RISK_RANK = {"overdue": 0, "open": 1, "resolved": 2}
# How each of the 18 tracking columns sorts in the browser, and which ones are numbers.
_COLUMN_SORT = {"planned_start": "date", "planned_end": "date", "actual_start": "date",
                "actual_end": "date", "risk_due": "date", "planned_progress": "number",
                "actual_progress": "number", "deviation": "number", "status": "number"}
_NUMERIC = {"planned_progress", "actual_progress", "deviation"}
_WIDE = {"description": "w-wide", "notes": "w-wide", "risk": "w-wide", "solution": "w-wide",
         "name": "w-name"}
FILTER_DIMENSIONS = ("module", "owner", "department", "status")


@dataclass(frozen=True)
class Image:
    """An image of the page: its file name next to the page, pixel size (for layout) and alt text."""

    src: str
    width: int | None
    height: int | None
    alt: str


@dataclass(frozen=True)
class CampaignImages:
    gantt: tuple[Image, ...] = ()
    gantt_svg: str | None = None
    goals: Image | None = None
    trend: Image | None = None


@dataclass(frozen=True)
class Downloads:
    """Files written next to the dashboard, linked from it (None: not written)."""

    report: str | None = "report.md"
    status: str | None = "status.json"
    csv: str | None = "tracking.csv"
    xlsx: str | None = "tracking.xlsx"


# ---------------------------------------------------------------------------------------------
# Escaping and the template environment

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _escape(text: str) -> str:
    """``str(markupsafe.escape(text))`` for a ``str``, without a ``Markup`` object per call (a
    third of the time of the tracking table's rows): ``&``, ``<``, ``>``, ``"`` and ``'`` become
    ``&amp;``, ``&lt;``, ``&gt;``, ``&#34;`` and ``&#39;``, the bytes the templates' autoescape
    writes (tests/unit/test_html_table.py checks the two agree)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def json_for_script(value) -> str:
    """JSON safe inside ``<script type="application/json">``: ``<``, ``>``, ``&``, U+2028 and
    U+2029 become ``\\uXXXX`` escapes, so no string can close the element or open a comment.
    The result is still valid JSON for ``JSON.parse`` (sorted keys: deterministic)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


def css_string(text: str) -> str:
    """``text`` as a CSS string literal, safe inside a ``<style>`` element: backslash, double
    quote, line breaks and ``<`` (no ``</style>``) become CSS escapes."""
    out = []
    for ch in text:
        if ch in '\\"<>&' or ord(ch) < 0x20 or ch in "\u2028\u2029\x7f":
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def template_cache_dir() -> Path | None:
    """Where compiled templates are kept between runs: ``$PTRACK_CACHE_DIR/templates``, else
    ``$XDG_CACHE_HOME/ptrack/templates``, else ``~/.cache/ptrack/templates``; None (compile
    every time) when ``PTRACK_CACHE_DIR`` is set empty or no home is known."""
    import os

    root = os.environ.get("PTRACK_CACHE_DIR")
    if root is not None:
        return Path(root) / "templates" if root else None
    base = os.environ.get("XDG_CACHE_HOME") or (os.path.join(os.path.expanduser("~"), ".cache")
                                                 if os.path.expanduser("~") != "~" else "")
    return Path(base) / "ptrack" / "templates" if base else None


def _bytecode_cache():
    """Jinja's compiled templates on disk (``template_cache_dir``): compiling the four templates
    costs ~0.1 s a build. Entries are keyed by template name and checked against the source's
    checksum, Jinja's version and Python's bytecode magic, so an edited template or another
    Python compiles again. Written atomically; a damaged entry is compiled again, and a cache
    that cannot be written is no cache."""
    from jinja2 import FileSystemBytecodeCache

    from ptrack.fsutil import atomic_write

    class _Cache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # a damaged entry (Jinja unpickles its checksum unguarded): compile
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            import io

            buffer = io.BytesIO()
            bucket.write_bytecode(buffer)
            try:
                atomic_write(self._get_cache_filename(bucket), buffer.getvalue())
            except OSError:
                pass

    folder = template_cache_dir()
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _Cache(str(folder))


@functools.lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("ptrack.render", "templates"),
        bytecode_cache=_bytecode_cache(),
        extensions=["jinja2.ext.i18n"],  # the templates' _("key") (scripts/i18n.py extracts them)
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["script_json"] = lambda value: Markup(json_for_script(value))
    env.filters["css_string"] = lambda value: Markup(css_string(value))
    env.globals.update(health_pill=health_pill, status_pill=status_pill, state_pill=state_pill)
    return env


def _render(template: str, **context) -> str:
    """Render with ``_("key", **values)`` (and ``gettext``) bound to the page's locale."""
    gettext = functools.partial(t, context["locale"])
    return _environment().get_template(template).render(_=gettext, gettext=gettext, **context)


# ---------------------------------------------------------------------------------------------
# Pills: the badges of statuses, health and states. Python, not Jinja macros, so that the
# templates (as globals of the environment) and the tracking table's rows, rendered
# in Python, share one markup.

def _pill_html(kind: str, key: str, label: str) -> str:
    """The pill's markup from parts already escaped."""
    return f'<span class="pill {kind}-{key}">{label}</span>'


def state_pill(kind: str, key: str, label: str) -> Markup:
    """``<span class="pill {kind}-{key}">{label}</span>``, every part escaped."""
    return Markup(_pill_html(escape(kind), escape(key), escape(label)))


def health_pill(h: Mapping[str, str]) -> Markup:
    """The pill of a ``_health(...)`` dict (``key``, ``label``)."""
    return state_pill("health", h["key"], h["label"])


def status_pill(st: Mapping[str, str]) -> Markup:
    """The pill of a ``_status(...)`` dict (``key``, ``label``)."""
    return state_pill("status", st["key"], st["label"])


# ---------------------------------------------------------------------------------------------
# Formatting helpers (locale-aware strings for the templates)

_signed = fmt_deviation


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{fmt_points(value)}%"


def _iso(d: date | None) -> str:
    return d.isoformat() if d is not None else ""


def _list_sep(locale: str) -> str:
    return t(locale, "punct.list")


def _health(locale: str, health: Health) -> dict:
    return {"key": health.value, "label": t(locale, f"health.{health.value}")}


def _status(locale: str, status: Status) -> dict:
    return {"key": status.value, "label": t(locale, f"status.{status.value}")}


def _bar(value: float) -> str:
    """A width for a CSS progress bar, clamped to 0..100 (as a string: no float noise)."""
    return f"{max(0.0, min(100.0, value)):.1f}"


def _number(value: float | None, unit: str | None = None) -> str:
    return "—" if value is None else fmt_number(value, unit)


def _lang_attr(locale: str) -> str:
    return normalise_locale(locale)  # the locales are BCP 47 tags


# ---------------------------------------------------------------------------------------------
# Shared pieces of both pages

def _risk_counts(s: CampaignSnapshot) -> tuple[int, int]:
    open_ = sum(1 for r in s.risks if r.state != "resolved")
    overdue = sum(1 for r in s.risks if r.state == "overdue")
    return open_, overdue


def _next_milestone(s: CampaignSnapshot, locale: str) -> dict | None:
    upcoming = sorted((m for m in s.milestones if m.state == "upcoming"),
                      key=lambda m: (m.milestone.date, m.milestone.id))
    if not upcoming:
        return None
    m = upcoming[0]
    when = t(locale, "html.today") if m.days_until == 0 else t(locale, NP_("html.in_days"), n=m.days_until)
    return {"name": m.milestone.name, "date": _iso(m.milestone.date), "when": when}


def _campaign_summary(s: CampaignSnapshot, locale: str) -> dict:
    c = s.campaign
    open_risks, overdue_risks = _risk_counts(s)
    active = [ts for ts in s.tasks if ts.status is not Status.CANCELLED]
    late = (s.forecast_finish - c.end).days if s.forecast_finish else 0
    return {
        "id": c.id,
        "name": c.name,
        "href": f"{c.id}/index.html",
        "health": _health(locale, s.health),
        "status": _status(locale, s.status),
        "planned": fmt_points(s.planned_progress),
        "actual": fmt_points(s.actual_progress),
        "planned_bar": _bar(s.planned_progress),
        "actual_bar": _bar(s.actual_progress),
        "deviation": _signed(s.deviation),
        "behind": s.deviation < 0,
        "days_behind": s.days_behind,
        "days_text": days_text(locale, s.days_behind),
        "open_risks": open_risks,
        "overdue_risks": overdue_risks,
        "next_milestone": _next_milestone(s, locale),
        "missed_milestones": sum(1 for m in s.milestones if m.state == "missed"),
        "forecast": _iso(s.forecast_finish) or "—",
        "forecast_late": late > 0,
        "forecast_note": (t(locale, NP_("html.late_by"), n=late, date=_iso(c.end)) if late > 0
                          else t(locale, "html.not_late", date=_iso(c.end))),
        "period": f"{_iso(c.start)} – {_iso(c.end)}",
        "start": _iso(c.start),
        "end": _iso(c.end),
        "lead": c.person_name(c.lead) or "",
        "calendar": c.calendar,
        "calendar_changes": (t(locale, "html.calendar_overrides", off=len(c.calendar_overrides.days_off),
                               working=len(c.calendar_overrides.working_days))
                             if c.calendar_overrides else ""),
        "description": c.description or "",
        "tasks_done": t(locale, "html.tasks_done", done=sum(1 for ts in active if ts.status is Status.DONE),
                        total=len(active)),
        "attention": sum(1 for ts in s.tasks if ts.focus),
    }


def _page_common(locale: str, as_of: date) -> dict:
    return {
        "lang": _lang_attr(locale),
        "locale": locale,
        "as_of": as_of.isoformat(),
        "as_of_text": t(locale, "html.as_of", date=as_of.isoformat()),
        "footer": t(locale, "html.footer", version=__version__, date=as_of.isoformat()),
    }


# ---------------------------------------------------------------------------------------------
# The portfolio

def portfolio_order(snapshots: Sequence[CampaignSnapshot]) -> list[CampaignSnapshot]:
    """Campaigns in trouble first (red, amber, green), then by start date and id."""
    return sorted(snapshots, key=lambda s: (_HEALTH_RANK[s.health], s.campaign.start, s.campaign.id))


def render_portfolio_page(snapshots: Sequence[CampaignSnapshot], *, locale: str | None, as_of: date,
                          title: str | None = None, people: Sequence[Mapping] | None = None) -> str:
    """``index.html``: every campaign with health, progress, days behind, risks, next milestone;
    ``people``: the list of people with work (``render.people.people_summary``), each linking
    to their page."""
    locale = normalise_locale(locale)
    campaigns = [_campaign_summary(s, locale) for s in portfolio_order(snapshots)]
    tiles = [{"key": h.value, "label": t(locale, f"health.{h.value}"),
              "count": sum(1 for s in snapshots if s.health is h)} for h in (Health.RED, Health.AMBER, Health.GREEN)]
    totals = {
        "campaigns": len(campaigns),
        "open_risks": sum(c["open_risks"] for c in campaigns),
        "overdue_risks": sum(c["overdue_risks"] for c in campaigns),
        "attention": sum(c["attention"] for c in campaigns),
    }
    page_title = title or t(locale, "html.portfolio_title")
    return _render("portfolio.html.j2", **_page_common(locale, as_of), title=page_title,
                   campaigns=campaigns, tiles=tiles, totals=totals, assets="assets/", people=people or [])


# ---------------------------------------------------------------------------------------------
# The campaign dashboard

def _people(s: CampaignSnapshot, refs: Iterable[str], locale: str) -> str:
    return _list_sep(locale).join(s.campaign.person_name(r) or r for r in refs)


def _card(label: str, value: str, *, sub: str = "", unit: str = "", bar: str | None = None,
          bar_kind: str = "", health: str | None = None, tone: str = "", detail: str = "") -> dict:
    return {"label": label, "value": value, "sub": sub, "unit": unit, "bar": bar, "bar_kind": bar_kind,
            "health": health, "tone": tone, "detail": detail}


def _headline(s: CampaignSnapshot, locale: str, summary: dict) -> list[dict]:
    """The figures at the top of the dashboard."""
    c = s.campaign
    cards = [
        _card(t(locale, "html.planned_progress"), f"{summary['planned']}%",
              sub=t(locale, "html.tasks_done", **_done_total(s)), bar=summary["planned_bar"], bar_kind="planned"),
        _card(t(locale, "html.actual_progress"), f"{summary['actual']}%", bar=summary["actual_bar"],
              bar_kind="actual"),
        _card(t(locale, "html.deviation"), summary["deviation"], unit=t(locale, "html.points_unit"),
              sub=t(locale, f"health.{s.health.value}"), health=s.health.value,
              tone="bad" if -s.deviation > c.policy.deviation_warn else ""),
        _card(t(locale, "html.days_behind"), str(max(s.days_behind, 0)), unit=t(locale, "html.working_days"),
              sub="" if s.days_behind > 0 else days_text(locale, s.days_behind),
              tone="bad" if s.days_behind > 0 else ""),
        _card(t(locale, "html.forecast_finish"), summary["forecast"],
              sub=summary["forecast_note"], detail=forecast_basis(s, locale) or "",
              tone="bad" if summary["forecast_late"] else ""),
    ]
    _ = (N_("html.spi"), N_("html.cpi"), N_("html.spi_below"), N_("html.spi_at"), N_("html.spi_above"),
         N_("html.cpi_below"), N_("html.cpi_at"), N_("html.cpi_above"))
    for index in ("spi", "cpi"):
        value = getattr(s.evm, index) if s.evm is not None else None
        if value is None:
            continue
        shown = f"{value:.2f}"
        # The hint reads the figure as shown: 1.03 is above 1, 0.995 shows as 1.00 and is on plan.
        side = "below" if float(shown) < 1 else "above" if float(shown) > 1 else "at"
        cards.append(_card(t(locale, f"html.{index}"), shown, sub=t(locale, f"html.{index}_{side}"),
                           tone="bad" if side == "below" else ""))
    cards.append(_card(t(locale, "html.open_risks"), str(summary["open_risks"]),
                       sub=f"{t(locale, 'html.overdue_risks')}: {summary['overdue_risks']}",
                       tone="bad" if summary["overdue_risks"] else ""))
    return cards


def _done_total(s: CampaignSnapshot) -> dict:
    active = [ts for ts in s.tasks if ts.status is not Status.CANCELLED]
    return {"done": sum(1 for ts in active if ts.status is Status.DONE), "total": len(active)}


def _evm_line(s: CampaignSnapshot, locale: str) -> str | None:
    e = s.evm
    if e is None:
        return None
    return t(locale, "html.evm_line", bac=_goal_value(e.bac, None), ev=_goal_value(e.ev, None),
             ac=_goal_value(e.ac, None), eac=_goal_value(e.eac, None))


def _risk_row(s: CampaignSnapshot, rs: RiskSnapshot, locale: str, task_names: Mapping[str, str],
              links=None) -> dict:
    """``task_names``: task id -> name (``s.task`` would scan the tasks for each risk);
    ``links``: the campaign's links (an open risk gets its Resolve link)."""
    r = rs.risk
    task_name = task_names[r.task_id] if r.task_id else t(locale, "html.campaign_level")
    note = risk_note(rs, locale)
    return {"state": rs.state, "state_label": t(locale, f"risk.{rs.state}"), "issue": r.issue,
            "task": task_name, "owner": s.campaign.person_name(r.owner) or "", "due": _iso(r.due),
            "note": note, "solution": r.solution or "", "due_soon": rs.due_soon,
            "resolve_url": links.resolve(r) if links is not None and rs.state != "resolved" else None}


def risk_note(rs: RiskSnapshot, locale: str) -> str:
    """What a risk's deadline says: "overdue by N days", "due soon", or nothing."""
    if rs.state == "overdue":
        return t(locale, NP_("html.overdue_by"), n=rs.days_overdue)
    return t(locale, "html.due_soon") if rs.due_soon else ""


def risk_order(risks: Iterable[RiskSnapshot]) -> list[RiskSnapshot]:
    """Overdue first (longest overdue first), then open by deadline, then resolved."""
    def key(rs: RiskSnapshot):
        due = rs.risk.due or date.max
        return (_RISK_RANK[rs.state], -rs.days_overdue, due, rs.risk.task_id or "", rs.risk.issue)

    return sorted(risks, key=key)


# ---------------------------------------------------------------------------------------------
# Git history on the dashboard (``ptrack.git.tracking.SiteHistory``)

def history_note(history, as_of: date, locale: str) -> str | None:
    """The trend section's one note on the history: why there is none (outside git, not
    committed, git missing or failing, nothing committed by ``as_of``), that it is truncated (a
    shallow clone), or how many day points it has. None without a ``history``."""
    if history is None:
        return None
    if not history.in_git:
        _ = (N_("html.history.not-a-repository"), N_("html.history.not-committed"),  # SiteHistory.missing
             N_("html.history.git-missing"), N_("html.history.git-error"))
        key = f"html.history.{history.missing or 'git-error'}"
        return t(locale, key, reason=say(history.reason, locale) or "")
    parts = []
    if history.trend:
        parts.append(t(locale, NP_("html.history.points"), n=len(history.trend)))
    elif history.first_day is not None:
        parts.append(t(locale, "html.history.before_first", date=as_of.isoformat(),
                       first=history.first_day.isoformat()))
    if history.shallow:
        parts.append(t(locale, "html.history.shallow"))
    return " ".join(parts) or None


def updated_text(locale: str, as_of: date, update: tuple[date, str] | None) -> str:
    """"last updated N days ago by X" for a task's last change in git ("" when unknown)."""
    if update is None:
        return ""
    from ptrack.git.history import WORKING_TREE

    day, who = update
    if who == WORKING_TREE:
        return t(locale, "html.updated_uncommitted")
    days = (as_of - day).days
    if days <= 0:
        return t(locale, "html.updated_today", who=who)
    return t(locale, NP_("html.updated_ago"), n=days, who=who)


def _slip(history, task_id: str) -> tuple[int, date] | None:
    """(slip in working days, baseline end) of a task against the baseline, when both exist."""
    baseline = getattr(history, "baseline", None)
    b = baseline.tasks.get(task_id) if baseline is not None else None
    if b is None or b.end is None or b.slip_days is None:
        return None
    return b.slip_days, b.end


def slip_text(locale: str, slip: tuple[int, date] | None) -> str:
    """"3 working days later than the baseline (2024-03-10)"; "" where the plan did not move."""
    if slip is None or slip[0] == 0:
        return ""
    days, end = slip
    key = NP_("html.slip_later") if days > 0 else NP_("html.slip_earlier")
    return t(locale, key, n=abs(days), date=end.isoformat())


def _focus_rows(s: CampaignSnapshot, locale: str, history=None, links=None) -> list[dict]:
    rows = []
    for ts in sorted((ts for ts in s.tasks if ts.focus), key=lambda ts: (ts.deviation, -ts.days_behind, ts.task.id)):
        task = ts.task
        open_risks = [rs for rs in risk_order(ts.risks) if rs.state != "resolved"]
        slip = _slip(history, task.id)
        rows.append({
            "slip": "—" if slip is None else f"{slip[0]:+d}" if slip[0] else "0",
            "slip_text": slip_text(locale, slip), "slip_late": slip is not None and slip[0] > 0,
            "name": task.name, "id": task.id, "owner": s.campaign.person_name(task.owner) or "",
            "department": task.department or "", "module": task.module or "",
            "planned": fmt_points(ts.planned_progress), "actual": fmt_points(ts.actual_progress),
            "deviation": _signed(ts.deviation), "days_behind": ts.days_behind,
            "status": _status(locale, ts.status), "health": _health(locale, ts.health),
            "risks": [{"issue": rs.risk.issue, "state": rs.state, "state_label": t(locale, f"risk.{rs.state}")}
                      for rs in open_risks],
            "update_url": links.update(task) if links is not None else None,
        })
    return rows


def _goal_value(value: float | None, unit: str | None) -> str:
    """Goal figures as people read them: whole numbers from 100 up, else two decimals at most."""
    if value is None:
        return "—"
    return fmt_number(float(round(value)) if abs(value) >= 100 else round(value, 2), unit)


def _goal_rows(s: CampaignSnapshot, locale: str) -> list[dict]:
    rows = []
    for gs in s.goals:
        g = gs.goal
        rows.append({
            "name": g.name, "target": _number(g.target, g.unit), "latest": _number(gs.latest, g.unit),
            "latest_date": _iso(gs.latest_date), "achievement": _pct(gs.achievement),
            "achievement_bar": _bar(gs.achievement or 0.0),
            "expected": _goal_value(gs.expected, g.unit), "forecast": _goal_value(gs.forecast, g.unit),
            "due": _iso(g.due), "status": gs.status, "status_label": t(locale, f"goal.{gs.status}"),
        })
    return rows


def _milestone_rows(s: CampaignSnapshot, locale: str) -> list[dict]:
    goals = {g.goal.id: g.goal for g in s.goals}
    rows = []
    for ms in sorted(s.milestones, key=lambda m: (m.milestone.date, m.milestone.id)):
        m = ms.milestone
        if ms.state in ("achieved_late", "missed"):
            note = t(locale, NP_("html.days_late"), n=ms.days_late)
        elif ms.state == "upcoming":
            note = t(locale, "html.today") if ms.days_until == 0 else t(locale, NP_("html.in_days"), n=ms.days_until)
        else:
            note = ""
        results = [f"{goals[k].name if k in goals else k}: {_number(v, goals[k].unit if k in goals else None)}"
                   for k, v in sorted(m.results.items())]
        rows.append({"name": m.name, "date": _iso(m.date), "achieved": _iso(m.achieved) if ms.state.startswith("achieved") else "",
                     "state": ms.state, "state_label": t(locale, f"milestone.{ms.state}"), "note": note,
                     "results": results, "description": m.description or ""})
    return rows


def _group_rows(s: CampaignSnapshot, groups: Sequence[GroupSnapshot], locale: str) -> list[dict]:
    rows = []
    for g in groups:
        label = t(locale, "none") if g.key is None else (s.campaign.person_name(g.key) if g.dimension == "owner" else g.key)
        rows.append({"label": label, "tasks": len(g.task_ids), "planned": fmt_points(g.planned_progress),
                     "actual": fmt_points(g.actual_progress), "actual_bar": _bar(g.actual_progress),
                     "planned_bar": _bar(g.planned_progress), "deviation": _signed(g.deviation),
                     "behind": g.deviation < 0, "health": _health(locale, g.health)})
    return rows


# ---------------------------------------------------------------------------------------------
# The tracking table: one row per task, rendered here rather than in the template (a thousand
# rows of 18 cells are most of a large campaign's page: Jinja spent its time looking attributes
# up and escaping through its runtime). ``TrackingRow`` holds a row's formatted strings;
# ``tracking_row_html`` lays it out and escapes every string as the templates' autoescape does
# (``_escape``: ``&#34;`` and ``&#39;`` for quotes), so the page is the same to the byte.

class TrackingRisk(NamedTuple):
    """A risk in the risk, solution and deadline cells of its task's row."""

    issue: str
    solution: str
    due: str  # ISO date or ""
    state: str  # open, overdue, resolved
    state_label: str


@dataclass(frozen=True, slots=True)
class TrackingRow:
    """One task of the tracking table, as shown (escaping is ``tracking_row_html``'s)."""

    index: int
    id: str
    name: str
    updated: str  # "last updated ... by ..." ("" when unknown)
    description: str
    module: str
    owner_ref: str  # data-owner: the reference the owner filter matches
    owner: str  # the owner's name
    collaborators: str
    department: str
    planned_start: str
    planned_end: str
    slip: str  # against the baseline ("" when the plan did not move)
    slip_late: bool
    actual_start: str
    actual_end: str
    planned: str
    actual: str
    actual_bar: str  # width of the progress bar, 0..100
    deviation: str  # signed, as shown
    deviation_sort: str
    deviation_bad: bool
    status: str
    status_label: str
    status_rank: int  # sort order of the status column
    health: str
    health_label: str | None  # None: no pill (green)
    focus: bool
    risks: tuple[TrackingRisk, ...]
    notes: str
    update_url: str = ""  # the task's update form ("" without repo_url: no link)
    update_label: str = ""
    kind: str = ""  # the kind in words under the name, for a timebox or an event ("" for work)


# The cells below are in this order (the headers' order): a change to the columns must change both.
_ROW_COLUMNS = ("name", "description", "module", "owner", "collaborators", "department", "planned_start",
                "planned_end", "actual_start", "actual_end", "planned_progress", "actual_progress",
                "deviation", "status", "risk", "solution", "risk_due", "notes")
if tuple(col[0] for col in TRACKING_COLUMNS) != _ROW_COLUMNS:  # pragma: no cover - caught by any test
    raise RuntimeError("tracking_row_html lays out other columns than i18n.TRACKING_COLUMNS")


def _column_class(key: str) -> str:
    """The class of a column's header and cells (" num" for a plain number column, as before)."""
    return _WIDE.get(key, "") + (" num" if key in _NUMERIC else "")


_CLS = {key: _column_class(key) for key in _ROW_COLUMNS}


def tracking_row_html(r: TrackingRow) -> str:
    """The ``<tr>`` of one task in the tracking table, with the page's indentation and a final
    newline. Every string is escaped for text or for a double-quoted attribute."""
    e = _escape
    c = _CLS
    name = e(r.name)
    updated = f'<span class="sub updated">{e(r.updated)}</span>' if r.updated else ""
    slip = (f'<span class="sub slip{" slip-later" if r.slip_late else ""}">{e(r.slip)}</span>'
            if r.slip else "")
    update = f'<a class="upd" href="{e(r.update_url)}">{e(r.update_label)}</a>' if r.update_url else ""
    pills = _pill_html("status", e(r.status), e(r.status_label))
    if r.health_label is not None:
        pills = f"{pills} {_pill_html('health', e(r.health), e(r.health_label))}"
    risks = r.risks
    states = [e(x.state) for x in risks]
    items = [f'<div class="cell-item item-{state}">' for state in states]
    risk_cell = "".join(f"{item}{_pill_html('risk', state, e(x.state_label))} {e(x.issue)}</div>"
                        for item, state, x in zip(items, states, risks))
    solution_cell = "".join(f"{item}{e(x.solution)}</div>" for item, x in zip(items, risks))
    due_cell = "".join(f"{item}{e(x.due)}</div>" for item, x in zip(items, risks))
    first_due = min((x.due for x in risks if x.state != "resolved" and x.due), default="")
    return (
        f'      <tr id="task-{e(r.id)}" data-index="{r.index}" data-task="{e(r.id)}" data-module="{e(r.module)}" '
        f'data-owner="{e(r.owner_ref)}" data-department="{e(r.department)}" data-status="{e(r.status)}" '
        f'data-health="{e(r.health)}" data-focus="{"1" if r.focus else "0"}">\n'
        f'        <th scope="row" class="{c["name"]}" data-sort="{name}">{name}<span class="sub">{e(r.id)}</span>'
        f'{f"""<span class="sub kind">{e(r.kind)}</span>""" if r.kind else ""}{updated}{update}</th>\n'
        f'        <td class="{c["description"]}">{e(r.description)}</td>\n'
        f'        <td class="{c["module"]}">{e(r.module)}</td>\n'
        f'        <td class="{c["owner"]}">{e(r.owner)}</td>\n'
        f'        <td class="{c["collaborators"]}">{e(r.collaborators)}</td>\n'
        f'        <td class="{c["department"]}">{e(r.department)}</td>\n'
        f'        <td class="{c["planned_start"]}">{e(r.planned_start)}</td>\n'
        f'        <td class="{c["planned_end"]}" data-sort="{e(r.planned_end)}">{e(r.planned_end)}{slip}</td>\n'
        f'        <td class="{c["actual_start"]}">{e(r.actual_start)}</td>\n'
        f'        <td class="{c["actual_end"]}">{e(r.actual_end)}</td>\n'
        f'        <td class="{c["planned_progress"]}" data-sort="{e(r.planned)}">{e(r.planned)}</td>\n'
        f'        <td class="{c["actual_progress"]}" data-sort="{e(r.actual)}">{e(r.actual)}'
        f'<span class="bar mini" aria-hidden="true"><span class="fill actual" style="width: {e(r.actual_bar)}%">'
        f'</span></span></td>\n'
        f'        <td class="{c["deviation"]}{" text-bad" if r.deviation_bad else ""}" '
        f'data-sort="{e(r.deviation_sort)}">{e(r.deviation)}</td>\n'
        f'        <td class="nowrap" data-sort="{r.status_rank}">{pills}</td>\n'
        f'        <td class="{c["risk"]}" data-sort="{e(risks[0].issue) if risks else ""}">{risk_cell}</td>\n'
        f'        <td class="{c["solution"]}" data-sort="{e(risks[0].solution) if risks else ""}">'
        f'{solution_cell}</td>\n'
        f'        <td class="{c["risk_due"]}" data-sort="{e(first_due)}">{due_cell}</td>\n'
        f'        <td class="{c["notes"]}">{e(r.notes)}</td>\n'
        '      </tr>\n'
    )


def _tracking_headers(locale: str) -> list[dict]:
    """The seed's 18 columns, localised, with how each sorts in the browser."""
    return [{"key": col[0], "label": t(locale, "sheet." + col[0]), "sort": _COLUMN_SORT.get(col[0], "text"),
             "cls": _column_class(col[0])} for col in TRACKING_COLUMNS]


def _tracking_rows(s: CampaignSnapshot, locale: str, history=None, links=None) -> list[TrackingRow]:
    """One ``TrackingRow`` per task, in the campaign's order; ``links``: the campaign's
    ``forge.links.CampaignLinks`` (None: no update links)."""
    updates = getattr(history, "last_updates", None) or {}
    status_labels = {st: t(locale, f"status.{st.value}") for st in Status}
    health_labels = {h: t(locale, f"health.{h.value}") for h in Health}
    state_labels: dict[str, str] = {}
    person_name = s.campaign.person_name
    update_label = t(locale, "html.update") if links is not None else ""
    rows = []
    for index, ts in enumerate(s.tasks):
        task = ts.task
        risks = []
        for rs in risk_order(ts.risks):
            label = state_labels.get(rs.state)
            if label is None:
                label = state_labels[rs.state] = t(locale, f"risk.{rs.state}")
            risk = rs.risk
            risks.append(TrackingRisk(risk.issue, risk.solution or "", _iso(risk.due), rs.state, label))
        slip = _slip(history, task.id)
        rows.append(TrackingRow(
            index=index, id=task.id, name=task.name,
            updated=updated_text(locale, s.as_of, updates.get(task.id)),
            description=task.description or "", module=task.module or "",
            owner_ref=task.owner or "", owner=person_name(task.owner) or "",
            collaborators=_people(s, task.collaborators, locale), department=task.department or "",
            planned_start=_iso(task.planned_start), planned_end=_iso(task.planned_end),
            slip=slip_text(locale, slip) if slip is not None else "", slip_late=slip is not None and slip[0] > 0,
            actual_start=_iso(task.actual_start), actual_end=_iso(task.actual_end),
            planned=fmt_points(ts.planned_progress), actual=fmt_points(ts.actual_progress),
            actual_bar=_bar(ts.actual_progress), deviation=_signed(ts.deviation),
            deviation_sort=fmt_points(ts.deviation) if ts.deviation is not None else "",
            deviation_bad=ts.focus,
            status=ts.status.value, status_label=status_labels[ts.status], status_rank=_STATUS_RANK[ts.status],
            health=ts.health.value, health_label=None if ts.health is Health.GREEN else health_labels[ts.health],
            focus=ts.focus, risks=tuple(risks), notes=task.notes or "",
            update_url=links.update(task) if links is not None else "", update_label=update_label,
            kind="" if task.kind == "work" else t(locale, f"kind.{task.kind}"),
        ))
    return rows


def _filters(s: CampaignSnapshot, locale: str) -> list[dict]:
    """Select boxes of the tracking table: the values present, sorted, with their labels."""
    def options(values: Iterable[tuple[str, str]]) -> list[dict]:
        return [{"value": v, "label": label} for v, label in sorted(set(values), key=lambda x: (x[1], x[0]))]

    tasks = [ts.task for ts in s.tasks]
    none = t(locale, "none")
    present_statuses = {ts.status for ts in s.tasks}
    return [
        {"key": "module", "label": t(locale, "col.module"),
         "options": options((x.module or "", x.module or none) for x in tasks)},
        {"key": "owner", "label": t(locale, "col.owner"),
         "options": options((x.owner or "", s.campaign.person_name(x.owner) or none) for x in tasks)},
        {"key": "department", "label": t(locale, "col.department"),
         "options": options((x.department or "", x.department or none) for x in tasks)},
        {"key": "status", "label": t(locale, "col.status"),
         "options": [{"value": st.value, "label": t(locale, f"status.{st.value}")}
                     for st in sorted(present_statuses, key=lambda st: _STATUS_RANK[st])]},
    ]


def _event_rows(s: CampaignSnapshot, locale: str) -> list[dict]:
    """The fixed-date events (kind: event), by date: each at risk when a predecessor is forecast
    to finish on or after its start (``CampaignSnapshot.event_clashes``, the event-at-risk rule)."""
    clashes: dict[str, list] = {}
    for clash in s.event_clashes:
        clashes.setdefault(clash.event, []).append(clash)
    rows = []
    for ts in sorted((ts for ts in s.tasks if ts.task.kind == "event"),
                     key=lambda ts: (ts.task.planned_start, ts.task.planned_end, ts.task.id)):
        task = ts.task
        own = clashes.get(task.id, [])
        dates = _iso(task.planned_start) if task.planned_start == task.planned_end \
            else f"{_iso(task.planned_start)} – {_iso(task.planned_end)}"
        rows.append({"id": task.id, "name": task.name, "dates": dates,
                     "owner": s.campaign.person_name(task.owner) or t(locale, "unassigned"),
                     "status": _status(locale, ts.status), "at_risk": bool(own),
                     "clashes": [event_clash_text(s, clash, locale, short=True) for clash in own]})
    return rows


def _critical_rows(s: CampaignSnapshot, locale: str) -> list[dict]:
    """The critical path, first task first: the chain the forecast finish follows."""
    rows = []
    for tid in s.critical_path:
        ts = s.task(tid)
        rows.append({"id": tid, "name": ts.task.name, "module": ts.task.module or "",
                     "owner": s.campaign.person_name(ts.task.owner) or t(locale, "unassigned"),
                     "start": _iso(ts.earliest_start), "finish": _iso(ts.earliest_finish),
                     "float": str(ts.float_days), "late": (ts.float_days or 0) < 0,
                     "status": _status(locale, ts.status), "health": _health(locale, ts.health),
                     "days_behind": ts.days_behind})
    return rows


def _start_by_rows(s: CampaignSnapshot, locale: str) -> list[dict]:
    """Backward planning: every task not started yet, with the latest day it can start
    (``markdown.start_by_tasks``), soonest first."""
    from ptrack.render.markdown import start_by_due, start_by_keeps, start_by_tasks

    rows = []
    for ts in start_by_tasks(s):
        late = (ts.float_days or 0) < 0
        rows.append({"id": ts.task.id, "name": ts.task.name, "module": ts.task.module or "",
                     "owner": s.campaign.person_name(ts.task.owner) or t(locale, "unassigned"),
                     "planned": _iso(ts.task.planned_start), "earliest": _iso(ts.earliest_start),
                     "latest": _iso(ts.latest_start), "float": str(ts.float_days), "late": late,
                     "due": start_by_due(s, ts), "keeps": start_by_keeps(s, ts, locale)})
    return rows


def heat_level(load: float, available: float) -> str:
    """The heat-map class of a cell: none (no work), low (up to half), full (up to capacity), over."""
    if load <= 0:
        return "none"
    if load > available + 1e-9:
        return "over"
    return "low" if load * 2 <= available + 1e-9 else "full"


def _workload_view(s: CampaignSnapshot, locale: str) -> dict:
    """People x ISO weeks: planned / available working days per cell, as text and a colour class."""
    from ptrack.render.markdown import week_heading

    w = s.workload
    over_label = t(locale, "workload.over")
    weeks = [{"label": week_heading(wk.label, wk.start), "title": f"{wk.label} ({_iso(wk.start)})",
              "days": wk.working_days} for wk in w.weeks]
    rows = []
    for p in w.people:
        cells = []
        for k, wk in enumerate(w.weeks):
            load, available = p.load[k], p.available[k]
            level = heat_level(load, available)
            text = f"{fmt_number(load)} / {fmt_number(available)}"
            cells.append({"text": text, "level": level, "over": k in p.over,
                          "title": f"{wk.label}: {text}" + (f" ({over_label})" if k in p.over else "")})
        rows.append({"name": s.campaign.person_name(p.person) or p.person, "capacity": fmt_number(p.capacity),
                     "cells": cells, "over": len(p.over)})
    return {"weeks": weeks, "rows": rows, "over_label": over_label,
            "intro": t(locale, "report.workload_intro", share=fmt_number(w.collaborator_share)),
            "empty": t(locale, "report.workload_none", as_of=s.as_of.isoformat())}


def _critical_intro(s: CampaignSnapshot, locale: str) -> str:
    if not s.critical_path:
        return t(locale, "report.critical_none")
    from ptrack.render.markdown import critical_intro_key

    return t(locale, critical_intro_key(len(s.critical_path)), forecast=_iso(s.forecast_finish),
             end=_iso(s.campaign.end), n=len(s.critical_path))


def render_campaign_page(snapshot: CampaignSnapshot, *, locale: str | None, images: CampaignImages,
                         downloads: Downloads = Downloads(), portfolio_href: str | None = "../index.html",
                         assets: str = "../assets/", history=None, gantt_model=None, links=None) -> str:
    """``<campaign>/index.html``: the dashboard of one campaign. ``history``: what git says
    (``ptrack.git.tracking.SiteHistory``): the trend section's note, each task's last update in the
    tracking table and, with a baseline, the slips in the focus list and the table (and the
    baseline bars of the Gantt). ``gantt_model``: the ``gantt.gantt_model`` of the snapshot,
    when the caller has it already (computed here otherwise). ``links``: the campaign's
    ``forge.links.CampaignLinks`` (``repo_url``): each task's update link in the tracking table,
    the focus list and the Gantt's tooltip, each open risk's Resolve link, the risk form; None:
    no links and no buttons."""
    s = snapshot
    locale = normalise_locale(locale)
    c = s.campaign
    summary = _campaign_summary(s, locale)
    rows = _tracking_rows(s, locale, history, links)
    task_names = {ts.task.id: ts.task.name for ts in reversed(s.tasks)}  # the first wins, as in s.task
    dimensions = [{"key": dim, "title": t(locale, f"html.by_{dim}"), "label": t(locale, f"col.{dim}"),
                   "rows": _group_rows(s, s.groups.get(dim, ()), locale)} for dim in ("module", "department", "owner", "channel")]
    if gantt_model is None:
        from ptrack.render.gantt import gantt_model as _gantt_model

        gantt_model = _gantt_model(s, locale, baseline=getattr(history, "baseline_dates", None))
    gantt = render_gantt_section(s, gantt_model, locale, png_pages=[img.src for img in images.gantt],
                                 svg_file=images.gantt_svg,
                                 update_urls={r.id: r.update_url for r in rows} if links is not None else None)
    script_data = {
        "campaign": c.id,
        "gantt": dict(gantt_script_labels(locale, update=links is not None)),
        "locale": locale,
        "total": len(rows),
        "labels": {"rows_shown": t(locale, "html.rows_shown", shown="{shown}", total="{total}")},
    }
    return _render(
        "campaign.html.j2", **_page_common(locale, s.as_of),
        title=c.name, c=summary, cards=_headline(s, locale, summary), evm_line=_evm_line(s, locale),
        focus=_focus_rows(s, locale, history, links), images=images, downloads=downloads,
        critical=_critical_rows(s, locale), critical_intro=_critical_intro(s, locale),
        start_by=_start_by_rows(s, locale),
        events=_event_rows(s, locale),
        workload=_workload_view(s, locale),
        has_baseline=getattr(history, "baseline", None) is not None,
        history_note=history_note(history, s.as_of, locale),
        goals=_goal_rows(s, locale), milestones=_milestone_rows(s, locale),
        risks=[_risk_row(s, rs, locale, task_names, links) for rs in risk_order(s.risks)],
        report_risk_url=links.report_risk(campaign_name=c.name) if links is not None else None,
        dimensions=dimensions, headers=_tracking_headers(locale),
        tracking_rows=Markup("".join(map(tracking_row_html, rows))), filters=_filters(s, locale),
        script_data=script_data, warn=fmt_number(c.policy.deviation_warn), min_days=c.policy.min_days_behind,
        gantt=Markup(gantt), portfolio_href=portfolio_href,
        assets=assets,
        rows_shown=t(locale, "html.rows_shown", shown=len(rows), total=len(rows)),
    )


def gantt_alt(snapshot: CampaignSnapshot, locale: str, page: int = 1, pages: int = 1) -> str:
    text = t(locale, "html.gantt_alt", name=snapshot.campaign.name, date=snapshot.as_of.isoformat(),
             n=len(snapshot.tasks))
    if pages > 1:
        text += t(locale, "html.gantt_page", i=page, n=pages)
    return text


def goals_alt(snapshot: CampaignSnapshot, locale: str) -> str:
    return t(locale, "html.goals_alt", name=snapshot.campaign.name)


def trend_alt(snapshot: CampaignSnapshot, locale: str) -> str:
    return t(locale, "html.trend_alt", name=snapshot.campaign.name, date=snapshot.as_of.isoformat())
