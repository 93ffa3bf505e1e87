"""Output formats: registries of reporters for ``check`` and ``status``, not an if-chain.

Every reporter is a pure function of its report object and returns text ending in a newline.
JSON is written with sorted keys, two-space indent and real UTF-8 (no ``\\uXXXX``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from ptrack import __version__
from ptrack.core.compute import CampaignSnapshot, EVM, GoalSnapshot, GroupSnapshot, Health, MilestoneSnapshot, RiskSnapshot, Status, TaskSnapshot
# CheckReport, FileResult and summary_line live with the diagnostics (ptrack validate needs them
# without this module's imports); they are re-exported here.
from ptrack.core.diagnostics import CheckReport, FileResult, summary_line  # noqa: F401
from ptrack.core.diagnostics import Diagnostic, Severity, format_json_path, has_failure, severity_word
from ptrack.i18n import N_, NO_VALUE, NP_, days_text, fmt_deviation, fmt_points, link_suffix, normalise_locale, t


# json.dumps escapes C0 controls itself; DEL and the C1 controls too, so that no JSON ptrack
# writes holds a raw control character (it reads back the same; a terminal shows it as text)
_JSON_CONTROLS = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}


def dump_json(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).translate(_JSON_CONTROLS) + "\n"


# =============================================================================================
# check

def check_text(report: CheckReport) -> str:
    lines = [d.format_text() for d in report.diagnostics]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def check_github(report: CheckReport) -> str:
    """GitHub workflow commands: one annotation per finding on the YAML line."""
    lines = []
    for d in report.diagnostics:
        loc = d.location
        title = f"ptrack [{d.code}]"
        lines.append(f"::{d.severity.value} file={_gh_property(loc.file)},line={loc.line},col={loc.column},"
                     f"title={_gh_property(title)}::{_gh_data(d.message)}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def check_json(report: CheckReport) -> str:
    return dump_json({"findings": [d.to_dict() for d in report.diagnostics], "summary": report.summary})


def check_junit(report: CheckReport) -> str:
    """JUnit XML: a test suite per file, a test case per rule. Findings at failing severity
    (errors; warnings too with --strict) are failures; the others are listed in system-out."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="ptrack")
    total_tests = total_failures = 0
    for result in report.results:
        by_rule: dict[str, list[Diagnostic]] = {}
        for d in result.diagnostics:
            by_rule.setdefault(d.code, []).append(d)
        names = sorted(set(report.rules) | set(by_rule)) if result.campaign_id else sorted(by_rule) or ["validate"]
        suite = ET.SubElement(root, "testsuite", name=result.file)
        failures = 0
        for name in names:
            case = ET.SubElement(suite, "testcase", classname=result.file, name=name)
            found = by_rule.get(name, [])
            failing = [d for d in found if has_failure([d], strict=report.strict)]
            if failing:
                failures += 1
                failure = ET.SubElement(case, "failure", type=failing[0].severity.value,
                                        message=t(report.locale or "en", NP_("check.junit_findings"), n=len(failing)))
                failure.text = "\n".join(d.format_text() for d in found)
            elif found:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(d.format_text() for d in found)
        suite.set("tests", str(len(names)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        total_tests += len(names)
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# GitLab Code Quality (the subset of the CodeClimate issue format GitLab reads). Its severities:
# info, minor, major, critical, blocker.
_CODEQUALITY_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTICE: "info"}
CODEQUALITY_FAILING = "critical"  # a finding that fails the check (errors; warnings too with --strict)


def codequality_severity(d: Diagnostic, *, strict: bool = False) -> str:
    """error → major, warning → minor, notice → info; a finding that fails the check (every error;
    with ``--strict`` every warning too) → critical, so what blocks the merge ranks first."""
    if has_failure([d], strict=strict):
        return CODEQUALITY_FAILING
    return _CODEQUALITY_SEVERITY[d.severity]


def _identity(d: Diagnostic) -> tuple[str, str, str, str]:
    """What names a finding across runs and pushes: campaign (the file when the campaign is not
    known), rule, task and subject; never a line number, a message (it follows --lang and the
    numbers of the day) or a task's position in its list. A problem without a subject (a
    validation problem) is named by its place in the document, with the task's index left out when
    the task is known (``tasks.planned.end`` of task ``poster``)."""
    subject = d.subject
    if subject is None:
        path = d.location.path
        if d.task is not None and len(path) >= 2 and path[0] == "tasks" and isinstance(path[1], int):
            path = ("tasks",) + tuple(path[2:])
        subject = format_json_path(path)
    return (d.campaign or d.location.file, d.code, d.task or "", subject)


def codequality_fingerprints(diagnostics: list[Diagnostic]) -> list[str]:
    """A fingerprint per finding (32 hex digits of SHA-256 of its identity), stable when lines move
    and unique within the report: a finding whose identity repeats one before it gets its ordinal
    too (the 2nd, 3rd… in file order)."""
    import hashlib

    seen: dict[tuple, int] = {}
    out = []
    for d in diagnostics:
        identity = _identity(d)
        n = seen.get(identity, 0)
        seen[identity] = n + 1
        parts = ("ptrack",) + identity + ((str(n),) if n else ())
        out.append(hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32])
    return out


def check_codequality(report: CheckReport) -> str:
    """GitLab's Code Quality report (``artifacts:reports:codequality``): a JSON array, one issue
    per finding, with description, check_name (the rule), fingerprint, severity and location
    (path and line). UTF-8 without a BOM; ``[]`` when there is nothing to say."""
    diagnostics = report.diagnostics
    issues = []
    for d, fingerprint in zip(diagnostics, codequality_fingerprints(diagnostics)):
        path = d.location.file.replace("\\", "/")
        while path.startswith("./"):
            path = path[2:]
        issues.append({
            "description": " ".join(d.message.split()),
            "check_name": d.code,
            "fingerprint": fingerprint,
            "severity": codequality_severity(d, strict=report.strict),
            "location": {"path": path, "lines": {"begin": d.location.line}},
        })
    return dump_json(issues)


CHECK_REPORTERS: dict[str, Callable[[CheckReport], str]] = {
    "text": check_text,
    "github": check_github,
    "json": check_json,
    "junit": check_junit,
    "codequality": check_codequality,
}


def md_cell(text) -> str:
    """Escape text for one GitHub Markdown table cell."""
    s = "" if text is None else str(text)
    s = s.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", " ").replace("\n", " ")
    for ch in "<>*_`[]":
        s = s.replace(ch, "\\" + ch)
    return s


def check_step_summary(report: CheckReport) -> str:
    """The Markdown appended to $GITHUB_STEP_SUMMARY, in the report's language."""
    loc = report.locale or "en"
    verdict = t(loc, "check.summary.failed") if report.failed else t(loc, "check.summary.passed")
    lines = [f"## ptrack check {verdict}", "", summary_line(report) + t(loc, "check.summary.stop"), ""]
    if report.diagnostics:
        heads = (t(loc, "check.summary.severity"), t(loc, "check.summary.rule"), t(loc, "check.summary.location"),
                 t(loc, "check.summary.message"))
        lines += ["| " + " | ".join(heads) + " |", "|---|---|---|---|"]
        for d in report.diagnostics:
            lines.append(f"| {severity_word(d.severity, loc)} | `{d.code}` | `{d.location}` | {md_cell(d.message)} |")
        lines.append("")
    return "\n".join(lines) + "\n"


# =============================================================================================
# status

@dataclass
class StatusReport:
    as_of: date
    snapshots: list[CampaignSnapshot]
    by: str | None = None
    locale: str | None = None  # None: each campaign's own
    color: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)
    baselines: dict = field(default_factory=dict)  # campaign id -> ptrack.git.baseline.Baseline (--baseline)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _evm_dict(e: EVM | None) -> dict | None:
    if e is None:
        return None
    return {"bac": e.bac, "pv": e.pv, "ev": e.ev, "ac": e.ac, "spi": e.spi, "cpi": e.cpi, "eac": e.eac}


def risk_dict(rs: RiskSnapshot) -> dict:
    r = rs.risk
    return {"id": r.id, "task": r.task_id, "issue": r.issue, "solution": r.solution, "owner": r.owner,
            "due": _iso(r.due), "resolved": _iso(r.resolved_on) if r.resolved_on else r.resolved,
            "severity": r.severity, "state": rs.state, "due_soon": rs.due_soon, "days_overdue": rs.days_overdue}


def task_dict(ts: TaskSnapshot, baseline=None) -> dict:
    """A task's status JSON. With a ``baseline`` (``ptrack.git.baseline.TaskBaseline``, only when
    one was computed: ``--baseline``) it gains baseline_start, baseline_end, slip_days, slips."""
    task = ts.task
    extra = baseline.to_dict() if baseline is not None else {}
    return {**extra,
        "id": task.id, "name": task.name, "description": task.description, "module": task.module,
        "owner": task.owner, "collaborators": list(task.collaborators), "department": task.department,
        "channels": list(task.channels),
        "planned_start": _iso(task.planned_start), "planned_end": _iso(task.planned_end),
        "actual_start": _iso(task.actual_start), "actual_end": _iso(task.actual_end),
        "planned_progress": ts.planned_progress, "actual_progress": ts.actual_progress,
        "deviation": ts.deviation, "status": ts.status.value, "health": ts.health.value,
        "days_behind": ts.days_behind, "planned_days": ts.planned_days, "weight": ts.weight,
        "forecast_finish": _iso(ts.forecast_finish), "depends_on": list(task.depends_on),
        "dependencies": [{"task": d.task, "lag": d.lag, "type": d.type} for d in task.dependencies],
        "planned_reason": task.planned_reason,
        "kind": task.kind, "allocation": ts.allocation, "forecast_method": ts.forecast_method,
        "stale": ts.stale, "focus": ts.focus,
        "earliest_start": _iso(ts.earliest_start), "earliest_finish": _iso(ts.earliest_finish),
        "latest_start": _iso(ts.latest_start), "latest_finish": _iso(ts.latest_finish),
        "float_days": ts.float_days, "critical": ts.critical,
        "evm": _evm_dict(ts.evm), "notes": task.notes, "risks": [risk_dict(r) for r in ts.risks],
    }


def milestone_dict(ms: MilestoneSnapshot) -> dict:
    m = ms.milestone
    return {"id": m.id, "name": m.name, "date": _iso(m.date), "achieved": _iso(m.achieved),
            "state": ms.state, "days_late": ms.days_late, "days_until": ms.days_until,
            "results": dict(sorted(m.results.items())), "tasks": list(m.tasks), "reviewed_by": m.reviewed_by}


def goal_dict(gs: GoalSnapshot) -> dict:
    g = gs.goal
    return {"id": g.id, "name": g.name, "kind": g.kind, "unit": g.unit, "target": g.target,
            "direction": g.direction, "start": _iso(g.start), "due": _iso(g.due),
            "latest": gs.latest, "latest_date": _iso(gs.latest_date), "achievement": gs.achievement,
            "expected": gs.expected, "status": gs.status, "forecast": gs.forecast,
            "measurements": [{"date": _iso(m.date), "value": m.value} for m in g.measurements]}


def group_dict(g: GroupSnapshot) -> dict:
    return {"key": g.key, "planned_progress": g.planned_progress, "actual_progress": g.actual_progress,
            "deviation": g.deviation, "health": g.health.value, "weight": g.weight,
            "tasks": list(g.task_ids), "status_counts": dict(g.status_counts)}


def workload_dict(s: CampaignSnapshot) -> dict:
    """The workload heat map's data: ISO weeks, and per person the working days planned and
    available in each (``overallocated``: the weeks where planned > available)."""
    w = s.workload
    c = s.campaign
    return {"collaborator_share": w.collaborator_share,
            "weeks": [{"week": wk.label, "start": wk.start.isoformat(), "working_days": wk.working_days}
                      for wk in w.weeks],
            "people": [{"id": p.person, "name": c.person_name(p.person), "capacity": p.capacity,
                        "load": list(p.load), "available": list(p.available),
                        "overallocated": [w.weeks[k].label for k in sorted(p.over)]} for p in w.people]}


def campaign_dict(s: CampaignSnapshot, baseline=None) -> dict:
    c = s.campaign
    extra = {"baseline": baseline.to_dict()} if baseline is not None else {}
    if c.calendar_overrides:  # the file's own days off and working days, when it has any
        extra["calendar_overrides"] = {"days_off": sorted(d.isoformat() for d in c.calendar_overrides.days_off),
                                       "working_days": sorted(d.isoformat() for d in c.calendar_overrides.working_days)}
    return {**extra,
        "id": c.id, "name": c.name, "file": c.file, "lead": c.lead, "start": _iso(c.start),
        "end": _iso(c.end), "calendar": c.calendar, "locale": c.locale,
        "planned_progress": s.planned_progress, "actual_progress": s.actual_progress,
        "deviation": s.deviation, "status": s.status.value, "health": s.health.value,
        "days_behind": s.days_behind, "forecast_finish": _iso(s.forecast_finish), "evm": _evm_dict(s.evm),
        "critical_path": list(s.critical_path),
        "forecast_driver": s.forecast_driver, "forecast_method": s.forecast_method,
        "progress_source": s.progress_source,
        "event_clashes": [{"event": c.event, "predecessor": c.predecessor, "finish": _iso(c.finish), "days": c.days,
                           "lag": c.lag, "type": c.type} for c in s.event_clashes],
        "tasks": [task_dict(ts, baseline.tasks.get(ts.task.id) if baseline else None) for ts in s.tasks],
        "milestones": [milestone_dict(m) for m in s.milestones],
        "goals": [goal_dict(g) for g in s.goals],
        "risks": [risk_dict(r) for r in s.risks],
        "groups": {dim: [group_dict(g) for g in groups] for dim, groups in s.groups.items()},
        "people": {pid: {"name": p.name, "department": p.department, "capacity": p.capacity}
                   for pid, p in sorted(c.people.items())},
        "workload": workload_dict(s),
    }


def status_document(snapshots: list[CampaignSnapshot], as_of: date, baselines=None) -> dict:
    """The JSON of ``ptrack status --format json`` and of the site's status.json (DESIGN §6)."""
    baselines = baselines or {}
    return {"ptrack": __version__, "as_of": as_of.isoformat(),
            "campaigns": [campaign_dict(s, baselines.get(s.campaign.id)) for s in snapshots]}


def status_json(report: StatusReport) -> str:
    return dump_json(status_document(report.snapshots, report.as_of, report.baselines))


def campaign_json(snapshot: CampaignSnapshot, baseline=None) -> str:
    """One campaign of the status document, encoded as it stands in the document's
    ``campaigns`` list (``status_json_of`` puts fragments together): a site encodes each
    campaign once for its own status.json and the portfolio's."""
    text = json.dumps(campaign_dict(snapshot, baseline), ensure_ascii=False, indent=2, sort_keys=True)
    return "\n".join("    " + line for line in text.translate(_JSON_CONTROLS).split("\n"))


def status_json_of(fragments: list[str], as_of: date) -> str:
    """``dump_json(status_document(...))`` byte for byte, from ``campaign_json`` fragments in order."""
    campaigns = "[\n" + ",\n".join(fragments) + "\n  ]" if fragments else "[]"
    return (f'{{\n  "as_of": {json.dumps(as_of.isoformat())},\n  "campaigns": {campaigns},\n'
            f'  "ptrack": {json.dumps(__version__, ensure_ascii=False)}\n}}\n')


# -- the terminal table -----------------------------------------------------------------------

_HEALTH_COLOURS = {Health.GREEN: "green", Health.AMBER: "yellow", Health.RED: "red", Health.GREY: "bright_black"}


def display_width(text: str) -> int:
    """Terminal columns of ``text`` as the terminal shows it (control characters as
    ``ptrack.process.visible`` shows them): Chinese characters take two."""
    from wcwidth import wcswidth

    from ptrack.process import visible

    shown = visible(text)
    width = wcswidth(shown)
    return width if width >= 0 else len(shown)


def _fit(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` columns, marking the cut with an ellipsis."""
    if display_width(text) <= width:
        return text
    from wcwidth import wcwidth

    from ptrack.process import visible

    out, used = [], 0
    for ch in visible(text):  # cut what the terminal will show
        w = max(wcwidth(ch), 0)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def render_table(headers: list[str], rows: list[list[str]], *, right: set[int] = frozenset(),
                 max_width: int = 24, styles: list[list[Callable[[str], str] | None]] | None = None) -> str:
    """A plain-text table aligned by display width (wide CJK characters count double)."""
    cells = [[_fit(c, max_width) for c in row] for row in [headers] + rows]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        parts = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - display_width(cell))
            style = styles[n - 1][i] if styles and n > 0 else None
            shown = style(cell) if style else cell
            parts.append(pad + shown if i in right else shown + pad)
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def forecast_basis(s: CampaignSnapshot, locale: str) -> str | None:
    """What sets the campaign's forecast finish, in words: the driving task and how its finish
    was found (``由"大促复盘报告"决定：按计划工期`` / ``set by "Retro report": planned duration``),
    with "stale" when that task is."""
    if s.forecast_driver is None or s.forecast_method is None:
        return None
    ts = s.task(s.forecast_driver)
    method = t(locale, f"forecast.method.{s.forecast_method}")
    if ts.stale:
        method += t(locale, "punct.comma") + t(locale, "forecast.stale")
    return t(locale, "forecast.basis", task=ts.task.name, method=method)


def task_forecast_text(ts: TaskSnapshot, locale: str) -> str:
    """A task's forecast finish as a table shows it: the date, marked when the task is stale
    (its forecast is not extrapolated); "-" when it has none."""
    if ts.forecast_finish is None:
        return "-"
    text = ts.forecast_finish.isoformat()
    if ts.stale:
        text += " " + t(locale, "forecast.stale_mark")
    return text


def event_clash_text(s: CampaignSnapshot, clash, locale: str, *, short: bool = False) -> str:
    """One ``event-at-risk`` clash in a line: the event, its start, the predecessor and its
    forecast finish, the working days of the clash. ``short``: without the event (in a row of
    the event's own)."""
    event, pred = s.task(clash.event).task, s.task(clash.predecessor).task
    key = NP_("event_clash_short") if short else NP_("event_clash")
    return t(locale, key, name=event.name, start=event.planned_start.isoformat(), pred=pred.name,
             finish=clash.finish.isoformat() + link_suffix(locale, clash.type, clash.lag), days=clash.days)


def _headline(s: CampaignSnapshot, locale: str) -> str:
    days = days_text(locale, s.days_behind)
    text = t(locale, "headline", name=s.campaign.name, id=s.campaign.id, as_of=s.as_of.isoformat(),
             planned=fmt_points(s.planned_progress), actual=fmt_points(s.actual_progress),
             deviation=fmt_deviation(s.deviation), status=t(locale, f"status.{s.status.value}"),
             health=t(locale, f"health.{s.health.value}"), days=days)
    if s.forecast_finish:
        text += t(locale, "punct.comma") + t(locale, "forecast", date=s.forecast_finish.isoformat())
        basis = forecast_basis(s, locale)
        if basis:
            text += t(locale, "punct.paren", text=basis)
    return text


def _style_health(health: Health, color: bool):
    if not color:
        return None
    from ptrack.process import style

    return lambda text: style(text, fg=_HEALTH_COLOURS[health], bold=health is Health.RED)


def _task_rows(s: CampaignSnapshot, locale: str, color: bool, baseline=None):
    """Headers, rows, cell styles and right-aligned columns of the task table; with ``baseline``
    (``ptrack.git.baseline.Baseline``, ``--baseline``) two more columns: each task's planned end in
    the baseline and its slip in working days (``+2``: ends later than in the baseline; ``new``:
    not in the baseline)."""
    keys = [N_("col.id"), N_("col.task"), N_("col.kind"), N_("col.module"), N_("col.owner"), N_("col.planned"),
            N_("col.actual"), N_("col.deviation"), N_("col.status"), N_("col.health"), N_("col.days_behind"),
            N_("col.forecast"), N_("col.float"), N_("col.critical")]
    if baseline is not None:
        keys += [N_("col.baseline_end"), N_("col.slip")]
    headers = [t(locale, k) for k in keys]
    rows, styles = [], []
    for ts in s.tasks:
        task = ts.task
        row = [task.id, task.name, t(locale, f"kind.{task.kind}"), task.module or "-",
               s.campaign.person_name(task.owner) or "-",
               fmt_points(ts.planned_progress), fmt_points(ts.actual_progress),
               fmt_deviation(ts.deviation), t(locale, f"status.{ts.status.value}"),
               t(locale, f"health.{ts.health.value}"), str(ts.days_behind) if ts.deviation is not None else NO_VALUE,
               task_forecast_text(ts, locale),
               str(ts.float_days) if ts.float_days is not None else "-",
               t(locale, "critical.yes") if ts.critical else "-"]
        st = _style_health(ts.health, color)
        crit = _style_health(Health.RED, color) if ts.critical else None
        style = [None] * 7 + [st, None, st, None, None, None, crit]
        if baseline is not None:
            tb = baseline.tasks.get(task.id)
            if tb is None or tb.end is None:
                row += ["-", t(locale, "baseline.new")]
            else:
                row += [tb.end.isoformat(), f"{tb.slip_days:+d}" if tb.slip_days else "0"]
            style += [None, _style_health(Health.AMBER, color) if tb is not None and (tb.slip_days or 0) > 0 else None]
        rows.append(row)
        styles.append(style)
    return headers, rows, styles, {5, 6, 7, 10, 12} | ({15} if baseline is not None else set())


def group_label(s: CampaignSnapshot, g: GroupSnapshot, locale: str) -> str:
    if g.key is None:
        return t(locale, "none")
    return s.campaign.person_name(g.key) if g.dimension == "owner" else g.key


def _group_rows(s: CampaignSnapshot, dimension: str, locale: str, color: bool):
    headers = [t(locale, f"col.{dimension}"), t(locale, "col.tasks"), t(locale, "col.planned"),
               t(locale, "col.actual"), t(locale, "col.deviation"), t(locale, "col.health")]
    rows, styles = [], []
    for g in s.groups[dimension]:
        rows.append([group_label(s, g, locale), str(len(g.task_ids)), fmt_points(g.planned_progress),
                     fmt_points(g.actual_progress), fmt_deviation(g.deviation), t(locale, f"health.{g.health.value}")])
        st = _style_health(g.health, color)
        styles.append([None, None, None, None, st, st])
    return headers, rows, styles, {1, 2, 3, 4}


def _baseline_line(baseline, locale: str) -> str:
    """One sentence on the baseline: which version, how many tasks end later, by how much."""
    slipped = [tb.slip_days for tb in baseline.tasks.values() if tb.slip_days and tb.slip_days > 0]
    return t(locale, "baseline.line", rev=baseline.rev, commit=baseline.commit[:7], date=baseline.date.isoformat(),
             n=len(slipped), days=sum(slipped))


def critical_path_line(s: CampaignSnapshot, locale: str) -> str | None:
    """``关键路径：A → B → C``: the chain of tasks the forecast finish follows (None when no open
    task is left on it)."""
    if not s.critical_path:
        return None
    names = {ts.task.id: ts.task.name for ts in s.tasks}
    return t(locale, "critical_path_line", path=" → ".join(names[tid] for tid in s.critical_path))


def _headlines(s: CampaignSnapshot, locale: str, baseline) -> list[str]:
    critical = critical_path_line(s, locale)
    return ([_headline(s, locale)] + ([critical] if critical else [])
            + [t(locale, "event_risk_line", text=event_clash_text(s, c, locale)) for c in s.event_clashes]
            + ([_baseline_line(baseline, locale)] if baseline is not None else []))


def status_table(report: StatusReport) -> str:
    blocks = []
    for s in report.snapshots:
        locale = normalise_locale(report.locale or s.campaign.locale)
        baseline = report.baselines.get(s.campaign.id)
        if report.by:
            headers, rows, styles, right = _group_rows(s, report.by, locale, report.color)
        else:
            headers, rows, styles, right = _task_rows(s, locale, report.color, baseline)
        blocks.append("\n".join(_headlines(s, locale, baseline)) + "\n\n"
                      + render_table(headers, rows, right=right, styles=styles))
    return "\n\n".join(blocks) + "\n"


def status_markdown(report: StatusReport) -> str:
    blocks = []
    for s in report.snapshots:
        locale = normalise_locale(report.locale or s.campaign.locale)
        baseline = report.baselines.get(s.campaign.id)
        if report.by:
            headers, rows, _, right = _group_rows(s, report.by, locale, False)
        else:
            headers, rows, _, right = _task_rows(s, locale, False, baseline)
        lines = [f"## {md_cell(s.campaign.name)}", ""]
        for line in _headlines(s, locale, baseline):
            lines += [md_cell(line), ""]
        lines += ["| " + " | ".join(md_cell(h) for h in headers) + " |",
                  "|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|"]
        lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


STATUS_REPORTERS: dict[str, Callable[[StatusReport], str]] = {
    "table": status_table,
    "json": status_json,
    "markdown": status_markdown,
}

__all__ = ["CHECK_REPORTERS", "STATUS_REPORTERS", "CheckReport", "FileResult", "StatusReport",
           "status_document", "dump_json", "Severity", "Status"]
