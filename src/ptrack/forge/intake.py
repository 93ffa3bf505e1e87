"""Intake: a submitted update or risk form becomes a validated, attributable change of a campaign
file. One code path for every forge; a forge brings only its adapter (``ptrack.forge.github``,
``ptrack.forge.gitlab``).

The steps, each a function of its own:

1. **read** the issue's body (``ptrack.forge.issue.parse_body``): which form, which values; a
   body that is no form is left alone;
2. **find** the campaign by its id (or its name) among the campaign files of ``ptrack.yaml``;
3. **interpret** the values (``interpret``): numbers, dates, ids, the required fields (GitHub
   ignores ``required`` in private repositories, so they are enforced here); every problem names
   its field, all of them at once;
4. **authorise** the author (``authorise``): their login (``people.<id>.github`` /
   ``.gitlab``) must be the task's owner, a collaborator, the owner of one of its risks (of the
   risk resolved, for a campaign-level risk), or the campaign's lead;
5. **operations**: the request as editor operations (``Request.operations``: the same
   operations ``ptrack update`` makes, plus ``AddRisk`` for the risk form);
6. **apply** them through the one editor (``ptrack.edit.edit_file``: validated, surgical,
   locked), compute the task's figures before and after as of the day, and run the checks;
7. **land** it (``run_intake``): commit on a branch and open a pull/merge request, or commit to
   the default branch (``intake.mode: commit``); when that branch moved meanwhile, fetch it and
   apply the same operations again to its new tip (``ptrack.forge.workspace``), never a text merge;
8. **reply** on the issue in the campaign's language with the figures and the link, then close
   it. A refused or malformed form gets a reply naming each field and why, and stays open: an
   edit of the issue runs intake again.

A forge is anything with the methods of ``Forge`` below; a submission is a ``Submission``.
``apply_body_here`` is steps 1-6 on the working tree, without git or a forge (``ptrack update
--from-issue BODY.md``).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from ptrack.errors import PtrackError, UsageError
from ptrack.forge.fields import UPDATE, label
from ptrack.forge.issue import ParsedBody, parse_body
from ptrack.i18n import N_, fmt_points, t

MAX_SOURCE_BYTES = 2 * 1024 * 1024  # an event or a body file; GitHub's issue bodies hold 65,536 characters
MAX_TEXT = 10_000                   # characters of a note or a risk's text
ATTEMPTS = 5                        # tries to land on a default branch that keeps moving
MARKER = "<!-- ptrack:intake {digest} {outcome} -->"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# ---------------------------------------------------------------------------------------------
# What a forge hands over, and what it must do

@dataclass(frozen=True)
class Submission:
    """A submitted form as the forge reports it: the issue's ``number`` (GitHub) or ``iid``
    (GitLab), its web ``url``, ``title`` and ``body``; ``author``: the login of who opened it,
    ``author_id`` the forge's number for them (commit attribution), ``editor`` the login of who
    edited it when that is someone else (they must be allowed too); ``state`` open or closed;
    ``default_branch``: where the campaign files live."""

    forge: str
    number: int
    url: str
    title: str
    body: str
    author: str
    author_id: int | None = None
    editor: str | None = None
    state: str = "open"
    default_branch: str = "main"

    @property
    def digest(self) -> str:
        """Names this version of the body: a reply carries it, so a run for a body already
        applied does not apply it twice."""
        text = self.body.replace("\r\n", "\n").strip()
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class ChangeRequest:
    """A pull request (GitHub) or merge request (GitLab): its number, address, and whether this
    run opened it (else it was there and was updated)."""

    number: int
    url: str
    created: bool = True


class Forge(Protocol):
    """What intake asks of a forge (``ptrack.forge.github.GitHubForge``,
    ``ptrack.forge.gitlab.GitLabForge``)."""

    name: str  # "github" | "gitlab": people.<id>.<name> is a person's login there

    def comments(self, number: int) -> list[str]:
        """The bodies of the issue's comments, oldest first."""

    def comment(self, number: int, body: str) -> None:
        """Add a comment to the issue."""

    def close(self, number: int) -> None:
        """Close the issue (as done)."""

    def change_request(self, *, branch: str, base: str, title: str, body: str) -> ChangeRequest:
        """Open a pull/merge request from ``branch`` into ``base``, or update the open one."""

    def change_label(self, change: ChangeRequest, locale: str) -> str:
        """``pull request #12`` / ``合并请求 !12`` in ``locale``."""

    def commit_url(self, sha: str) -> str:
        """The commit's web address."""

    def author_email(self, submission: Submission) -> str:
        """The address that attributes a commit to the submission's author on this forge."""

    def committer(self) -> tuple[str, str]:
        """(name, email) of the bot that makes the commits."""

    # Optional: ``failed_key``, the catalog key of the reply when git or the forge failed (what
    # happens next on this forge; default ``intake.reply.failed``: "a maintainer can run the
    # workflow again").


# ---------------------------------------------------------------------------------------------
# Problems: a refused form names each field and why

@dataclass(frozen=True)
class Problem:
    """What is wrong with a form: ``field`` (a field id; None: the form as a whole), the catalog
    ``key`` of the reason and its values (or ``text``: a reason already in words, e.g. the
    editor's)."""

    field: str | None
    key: str = ""
    values: tuple[tuple[str, object], ...] = ()
    text: str = ""

    def reason(self, locale: str) -> str:
        return self.text or t(locale, self.key, **dict(self.values))


def problem(field_id: str | None, key: str, **values) -> Problem:
    return Problem(field_id, key, tuple(sorted(values.items())))


class Refused(PtrackError):
    """The form cannot be applied: ``problems`` say why (exit code 1, like invalid input)."""

    exit_code = 1

    def __init__(self, problems: Sequence[Problem], locale: str | None = None):
        self.problems = tuple(problems)
        self.locale = locale
        super().__init__("; ".join(p.reason(locale or "en") for p in self.problems))


# ---------------------------------------------------------------------------------------------
# 3. interpret: the form's text as typed values

@dataclass(frozen=True)
class Request:
    """A form, interpreted: ``form`` is ``update`` or ``risk``; ``task`` None for the campaign
    itself (a campaign-level risk)."""

    form: str
    campaign: str
    task: str | None = None
    progress: float | None = None
    done: float | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    resolve_risk: int | str | None = None
    note: str | None = None
    issue: str | None = None
    solution: str | None = None
    owner: str | None = None
    due: date | None = None

    def operations(self, on: date) -> list:
        """The editor operations of this request; ``on``: the day (a risk's resolution, the
        note's date)."""
        from ptrack.edit.campaign import AddRisk, ResolveRisk
        from ptrack.edit.update import task_operations

        if self.form == "risk":
            return [AddRisk(self.task, self.issue or "", self.solution, self.owner, self.due)]
        if self.task is None:
            return [ResolveRisk(None, self.resolve_risk, on)]
        return task_operations(self.task, on=on, progress=self.progress, start=self.actual_start,
                               end=self.actual_end, done=self.done, resolve_risk=self.resolve_risk,
                               note=self.note)

    def with_ids(self, campaign: str, task: str | None) -> "Request":
        from dataclasses import replace

        return replace(self, campaign=campaign, task=task)


def _text(value: str | None) -> str:
    """Full-width digits and punctuation (a Chinese keyboard) as ASCII; blanks trimmed."""
    return unicodedata.normalize("NFKC", value or "").strip()


def parse_number(value: str) -> float | None:
    """``60``, ``60%``, ``６０％``, ``1,200`` -> the number; None when it is not one."""
    text = _text(value).replace(",", "").replace("_", "").rstrip("%").strip()
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value: str, today: date) -> date | None:
    """``2024-04-16``, ``2024/4/16``, ``2024.4.16``, ``2024年4月16日``, ``today`` or ``今天`` -> the
    date; None when it is not one."""
    text = _text(value)
    if text.lower() in ("today", "今天", "今日"):
        return today
    match = _DATE.match(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_risk_ref(value: str) -> int | str | None:
    """A risk reference: its id, or its 1-based number (``2``, ``#2``); None when neither."""
    text = _text(value).lstrip("#").strip()
    if text.isdigit():
        return int(text) if int(text) >= 1 else None
    return text if _ID.match(text) else None


def interpret(parsed: ParsedBody, today: date) -> Request:
    """The form's values as a ``Request``; Refused with every problem found. Ids are checked
    against the campaign later (``check_request``)."""
    problems: list[Problem] = []
    v = parsed.values
    for dup in parsed.duplicates:
        problems.append(problem(dup.field, N_("intake.problem.twice"), values=" / ".join(dup.values)))
    for f in parsed.form.fields:
        if f.id not in parsed.seen:
            problems.append(problem(f.id, N_("intake.problem.missing_section")))
        elif f.required and not (v.get(f.id) or "").strip() and not (parsed.form is UPDATE and f.id == "task"):
            problems.append(problem(f.id, N_("intake.problem.required")))  # (the update's task: below)
    campaign = _text(v.get("campaign"))
    task = _text(v.get("task")) or None
    out: dict[str, object] = {}

    def number(field_id: str, low: float, high: float | None) -> None:
        if not v.get(field_id):
            return
        value = parse_number(v[field_id])
        if value is None or value < low or (high is not None and value > high):
            key = N_("intake.problem.percent") if high is not None else N_("intake.problem.count")
            problems.append(problem(field_id, key, value=v[field_id].strip()))
        else:
            out[field_id] = value

    def day(field_id: str) -> None:
        if not v.get(field_id):
            return
        value = parse_date(v[field_id], today)
        if value is None:
            problems.append(problem(field_id, N_("intake.problem.date"), value=v[field_id].strip()))
        else:
            out[field_id] = value

    def text(field_id: str) -> None:
        value = (v.get(field_id) or "").strip()
        if len(value) > MAX_TEXT:
            problems.append(problem(field_id, N_("intake.problem.too_long"), n=MAX_TEXT))
        elif value:
            out[field_id] = value

    if parsed.form is UPDATE:
        number("progress", 0, 100)
        number("done", 0, None)
        day("actual_start")
        day("actual_end")
        if v.get("resolve_risk"):
            ref = parse_risk_ref(v["resolve_risk"])
            if ref is None:
                problems.append(problem("resolve_risk", N_("intake.problem.risk_ref"), value=v["resolve_risk"].strip()))
            else:
                out["resolve_risk"] = ref
        text("note")
        asked = [k for k in ("progress", "done", "actual_start", "actual_end", "resolve_risk", "note")
                 if v.get(k, "").strip()]
        if not asked and not problems:
            problems.append(problem(None, N_("intake.problem.nothing")))
        # the task is required, but for a risk of the campaign itself (the Resolve link of a
        # campaign-level risk leaves it empty)
        if task is None and asked != ["resolve_risk"] and "task" in parsed.seen:
            problems.append(problem("task", N_("intake.problem.required")))
    else:
        text("issue")
        text("solution")
        day("due")
        if v.get("owner"):
            owner = _text(v["owner"]).lstrip("@")
            if not _ID.match(owner):
                problems.append(problem("owner", N_("intake.problem.person_id"), value=v["owner"].strip()))
            else:
                out["owner"] = owner
    if problems:
        raise Refused(problems)
    return Request(parsed.form.id, campaign, task, **out)


# ---------------------------------------------------------------------------------------------
# 2. find the campaign; 4. authorise

@dataclass(frozen=True)
class Located:
    """The campaign a form names: its file and its model (as loaded, valid)."""

    path: Path
    campaign: object  # core.model.Campaign


def find_campaign(config, campaign: str) -> Located:
    """The campaign whose id (else whose name) is ``campaign``, among the campaign files of
    ``config``; Refused (field ``campaign``) when there is none, naming the ids there are."""
    import difflib

    from ptrack.core.config import campaign_files
    from ptrack.core.validate import load_campaign

    try:
        files = campaign_files([], config)
    except UsageError:
        files = []
    found: list[Located] = []
    broken: list[str] = []
    for path in files:
        result = load_campaign(path, config.policy)
        if result.campaign is None:
            broken.append(result.file)
            continue
        if result.campaign.id == campaign:
            return Located(path, result.campaign)  # the files after it need not be read
        found.append(Located(path, result.campaign))
    named = [loc for loc in found if loc.campaign.name.strip() == campaign]
    if len(named) == 1:
        return named[0]
    ids = [loc.campaign.id for loc in found]
    if broken:
        raise Refused([problem("campaign", N_("intake.problem.broken_files"), value=campaign, files=", ".join(broken))])
    close = difflib.get_close_matches(campaign, ids, n=1, cutoff=0.6)
    if close:
        raise Refused([problem("campaign", N_("intake.problem.no_campaign_close"), value=campaign, match=close[0])])
    raise Refused([problem("campaign", N_("intake.problem.no_campaign"), value=campaign, ids=", ".join(ids) or "-")])


def check_request(request: Request, campaign) -> Request:
    """The request against the campaign: the task (by id, else by its exact name), the risk to
    resolve, the new risk's owner; the request with the ids found. Refused otherwise."""
    import difflib

    problems: list[Problem] = []
    task = None
    if request.task is not None:
        task = next((x for x in campaign.tasks if x.id == request.task), None)
        if task is None:
            named = [x for x in campaign.tasks if x.name.strip() == request.task]
            task = named[0] if len(named) == 1 else None
        if task is None:
            close = difflib.get_close_matches(request.task, [x.id for x in campaign.tasks], n=1, cutoff=0.6)
            if close:
                problems.append(problem("task", N_("intake.problem.no_task_close"), value=request.task,
                                        match=close[0]))
            else:
                problems.append(problem("task", N_("intake.problem.no_task"), value=request.task))
            raise Refused(problems)
    if request.resolve_risk is not None:
        risks = task.risks if task is not None else campaign.risks
        if _risk(risks, request.resolve_risk) is None:
            key = N_("intake.problem.no_risk_task") if task is not None else N_("intake.problem.no_risk_campaign")
            known = ", ".join(r.id or str(i + 1) for i, r in enumerate(risks)) or "-"
            problems.append(problem("resolve_risk", key, value=request.resolve_risk,
                                    task=task.id if task is not None else "", known=known))
    if request.owner is not None and campaign.people and request.owner not in campaign.people:
        close = difflib.get_close_matches(request.owner, list(campaign.people), n=1, cutoff=0.6)
        problems.append(problem("owner", N_("intake.problem.no_person"), value=request.owner,
                                known=close[0] if close else ", ".join(list(campaign.people)[:12])))
    if problems:
        raise Refused(problems)
    return request.with_ids(campaign.id, task.id if task is not None else None)


def _risk(risks, ref):
    if isinstance(ref, int):
        return risks[ref - 1] if 1 <= ref <= len(risks) else None
    return next((r for r in risks if r.id == ref), None)


def people_with_login(campaign, forge: str, login: str) -> list[str]:
    """The person ids whose ``<forge>`` login is ``login`` (logins compare without case)."""
    wanted = login.casefold()
    return [pid for pid, p in campaign.people.items() if (getattr(p, forge, None) or "").casefold() == wanted]


def allowed_people(request: Request, campaign) -> set[str]:
    """Who may make this change: the lead always; for a task its owner, its collaborators and
    the owners of its risks; for a campaign-level risk being resolved, its owner; for a new
    campaign-level risk, everyone with a task or a risk in the campaign."""
    allowed = {campaign.lead} if campaign.lead else set()
    if request.task is not None:
        task = next(x for x in campaign.tasks if x.id == request.task)
        allowed |= {task.owner, *task.collaborators, *(r.owner for r in task.risks)}
    elif request.form == "update":
        risk = _risk(campaign.risks, request.resolve_risk)
        allowed.add(risk.owner if risk is not None else None)
    else:
        for task in campaign.tasks:
            allowed |= {task.owner, *task.collaborators}
        allowed |= {r.owner for r in campaign.all_risks()}
    allowed.discard(None)
    return allowed


def authorise(request: Request, campaign, forge: str, logins: Sequence[str]) -> str:
    """The person id making the change; Refused unless each of ``logins`` (the author, and an
    editor who is someone else) is a person allowed to make it."""
    person = None
    allowed = allowed_people(request, campaign)
    for login in dict.fromkeys(x for x in logins if x):
        mine = people_with_login(campaign, forge, login)
        if not mine:
            raise Refused([problem(None, N_("intake.problem.unknown_login"), login=login, forge=forge,
                                   campaign=campaign.id)])
        ok = [pid for pid in mine if pid in allowed]
        if not ok:
            what = request.task or campaign.id
            raise Refused([problem(None, N_("intake.problem.not_allowed"), login=login, person=mine[0], what=what)])
        person = person or ok[0]
    if person is None:
        raise Refused([problem(None, N_("intake.problem.no_author"))])
    return person


# ---------------------------------------------------------------------------------------------
# 6. apply: the editor, the figures before and after, the checks

@dataclass(frozen=True)
class Figures:
    """Where a task (or the campaign) stands as of a day."""

    planned: float
    actual: float
    deviation: float
    status: str
    health: str


@dataclass
class Applied:
    """What applying a request did: the editor's ``result``; ``before``/``after`` the figures of
    the task (the campaign for a campaign-level change); ``findings`` the checks' findings of
    that task after the change; ``totals`` the campaign's findings by severity after it."""

    request: Request
    result: object  # edit.engine.EditResult
    file: str
    before: Figures | None = None
    after: Figures | None = None
    findings: list = field(default_factory=list)
    totals: Mapping[str, int] = field(default_factory=dict)
    name: str = ""  # the task's (or campaign's) name

    @property
    def changed(self) -> bool:
        return bool(self.result.changed)


def _figures(snapshot, task_id: str | None) -> Figures:
    s = snapshot.task(task_id) if task_id is not None else snapshot
    return Figures(s.planned_progress, s.actual_progress, s.deviation, s.status.value, s.health.value)


def _snapshot_of(text: str, file: str, day: date, policy):
    from ptrack.core.compute import compute_snapshot
    from ptrack.core.loader import YamlProblem, parse_yaml
    from ptrack.core.validate import validate_loaded

    try:
        result = validate_loaded(parse_yaml(text, file), policy)
    except YamlProblem:
        return None
    return compute_snapshot(result.campaign, as_of=day) if result.campaign is not None else None


def apply_request(request: Request, path: Path, day: date, *, policy: Mapping[str, object] | None,
                  locale: str | None, lock_timeout: float, file: str | None = None) -> Applied:
    """Apply the request's operations to the campaign file at ``path`` through the one editor
    (Refused, naming the editor's reason, when the file cannot take them), with the figures
    before and after as of ``day`` and the findings of the checks after."""
    from ptrack.core.diagnostics import count_by_severity
    from ptrack.core.loader import read_text
    from ptrack.core.rules import run_rules
    from ptrack.edit.engine import edit_file
    from ptrack.edit.ops import EditError

    before_text = read_text(path)
    try:
        result = edit_file(path, request.operations(day), locale=locale, policy_defaults=policy,
                           lock_timeout=lock_timeout, file=file)
    except EditError as exc:
        raise Refused([Problem(None, text=exc.text(locale))], locale) from None
    if result.diagnostics:
        reasons = [Problem(None, text=d.format_text()) for d in result.diagnostics]
        head = problem(None, N_("intake.problem.invalid_before") if result.invalid_before
                       else N_("intake.problem.invalid_after"))
        raise Refused([head, *reasons], locale)
    applied = Applied(request, result, result.file)
    before = _snapshot_of(before_text, result.file, day, policy)
    after = _snapshot_of(result.text, result.file, day, policy) if result.changed else before
    if before is None or after is None:
        return applied
    applied.before, applied.after = _figures(before, request.task), _figures(after, request.task)
    task = next((x for x in after.campaign.tasks if x.id == request.task), None)
    applied.name = task.name if task is not None else after.campaign.name
    findings = run_rules(after, result.locale)
    applied.findings = [d for d in findings if d.task == request.task]
    applied.totals = count_by_severity(findings)
    return applied


# ---------------------------------------------------------------------------------------------
# 8. the replies

_STATUS = {"not_started": N_("status.not_started"), "in_progress": N_("status.in_progress"),
           "done": N_("status.done"), "delayed": N_("status.delayed"), "cancelled": N_("status.cancelled"),
           "on_hold": N_("status.on_hold")}
_HEALTH = {"green": N_("health.green"), "amber": N_("health.amber"), "red": N_("health.red")}
_SEVERITY = {"error": N_("intake.severity.error"), "warning": N_("intake.severity.warning"),
             "notice": N_("intake.severity.notice")}


def _pct(value: float) -> str:
    return f"{fmt_points(value)}%"


def _signed(value: float) -> str:
    text = fmt_points(value)
    return text if text.startswith("-") or text == "0.0" else "+" + text


def figures_table(applied: Applied, locale: str) -> str:
    """The before → after table (Markdown)."""
    if applied.before is None or applied.after is None:
        return ""
    head = [t(locale, k) for k in (N_("intake.col.when"), N_("intake.col.planned"), N_("intake.col.actual"),
                                   N_("intake.col.deviation"), N_("intake.col.status"))]
    rows = []
    for key, f in ((N_("intake.row.before"), applied.before), (N_("intake.row.after"), applied.after)):
        status = f"{t(locale, _STATUS.get(f.status, f.status))} · {t(locale, _HEALTH.get(f.health, f.health))}"
        rows.append([t(locale, key), _pct(f.planned), _pct(f.actual), _signed(f.deviation), status])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _md_line(text: str) -> str:
    """Text for a Markdown reply: on one line, nothing that would mention or link."""
    one = " ".join(str(text).split())
    return one.replace("@", "@\u200b").replace("<", "&lt;")


def applied_reply(applied: Applied, locale: str, *, link: str, digest: str, day: date) -> str:
    """The comment that says what was done: the change, the figures before → after, the checks,
    and where it landed (``link``: the commit or the pull request, as Markdown)."""
    from ptrack.edit.campaign import summary

    r = applied.request
    subject = (t(locale, "intake.reply.subject_task", campaign=r.campaign, task=r.task, name=_md_line(applied.name))
               if r.task else t(locale, "intake.reply.subject_campaign", campaign=r.campaign,
                                name=_md_line(applied.name)))
    parts = [MARKER.format(digest=digest, outcome="applied"),
             t(locale, "intake.reply.applied", subject=subject, link=link, day=day.isoformat()),
             "", t(locale, "intake.reply.changes", changes=_md_line(summary(applied.result)))]
    table = figures_table(applied, locale)
    if table:
        parts += ["", table]
    parts += ["", _findings_text(applied, locale)]
    return "\n".join(parts).rstrip() + "\n"


def _findings_text(applied: Applied, locale: str) -> str:
    totals = applied.totals or {}
    counts = t(locale, "intake.reply.totals", errors=totals.get("error", 0), warnings=totals.get("warning", 0))
    if not applied.findings:
        return t(locale, "intake.reply.no_findings", totals=counts)
    lines = [t(locale, "intake.reply.findings", totals=counts)]
    for d in applied.findings:
        severity = t(locale, _SEVERITY.get(d.severity.value, d.severity.value))
        lines.append(f"- **{severity}** `{d.code}` {_md_line(d.message)}")
    return "\n".join(lines)


def unchanged_reply(request: Request, locale: str, *, digest: str) -> str:
    what = request.task or request.campaign
    return "\n".join([MARKER.format(digest=digest, outcome="applied"),
                      t(locale, "intake.reply.unchanged", what=what)]) + "\n"


def refused_reply(problems: Sequence[Problem], form, locale: str, *, digest: str) -> str:
    """The comment that says why the form was not applied: each field by its label, and why."""
    lines = [MARKER.format(digest=digest, outcome="refused"), t(locale, "intake.reply.refused"), ""]
    for p in problems:
        reason = _md_line(p.reason(locale))
        if p.field is not None and form is not None and p.field in form.ids:
            lines.append(f"- **{label(form.field(p.field), locale)}**: {reason}")
        else:
            lines.append(f"- {reason}")
    lines += ["", t(locale, "intake.reply.edit_to_retry")]
    return "\n".join(lines) + "\n"


def failed_reply(reason: str, locale: str, *, digest: str, key: str = N_("intake.reply.failed")) -> str:
    """The comment that says the form could not be applied and why; ``key``: the forge's words
    for what happens next (a forge's ``failed_key``)."""
    return "\n".join([MARKER.format(digest=digest, outcome="failed"), t(locale, key, reason=_md_line(reason))]) + "\n"


# ---------------------------------------------------------------------------------------------
# 7. land it: the whole run for one submission

@dataclass
class IntakeOutcome:
    """What ``run_intake`` did: ``action`` is ``applied`` (landed: ``commit`` and ``change``
    or ``pushed`` say where), ``unchanged`` (the file already said so), ``refused`` (a reply
    says why), ``ignored`` (not a form, or a closed issue: nothing done), ``already`` (this body
    was applied before) or ``failed`` (git or the forge failed: ``error``). ``log``: lines for
    the job's log, in the campaign's language; ``exit_code`` for the command."""

    action: str
    locale: str = "en"
    commit: str | None = None
    change: ChangeRequest | None = None
    pushed: str | None = None  # the branch the commit was pushed to
    landed_on_default: bool = False
    reply: str | None = None
    error: str | None = None
    log: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0, or 1 when refused or failed, or when it landed but the reply could not be posted."""
        return 1 if self.action in ("refused", "failed") or self.error else 0


def read_issue_source(source: str, *, locale: str | None = None) -> tuple[str, object]:
    """``("event", dict)`` for a forge's event JSON (an object with an ``issue``), else
    ``("body", text)``: the Markdown body of an issue. UsageError when unreadable."""
    from ptrack.core.loader import YamlProblem, decode_bytes, read_bytes_limited

    try:
        raw = read_bytes_limited(source, limit=MAX_SOURCE_BYTES)
    except YamlProblem as problem:  # larger than any event or body
        raise UsageError(t(locale, "os.error_at", file=source, reason=problem.text(locale))) from None
    try:
        text = decode_bytes(raw)
    except YamlProblem:  # about the encoding
        raise UsageError(t(locale, "intake.source_not_utf8", file=source)) from None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            if isinstance(data.get("issue"), dict) or isinstance(data.get("object_attributes"), dict):
                return "event", data
            raise UsageError(t(locale, "intake.source_not_event", file=source))
    return "body", text


def _reply_locale(lang: str | None, campaign, parsed: ParsedBody | None, config) -> str:
    from ptrack.i18n import normalise_locale

    if lang:
        return normalise_locale(lang)
    if campaign is not None:
        return normalise_locale(campaign.locale)
    if parsed is not None and parsed.locales:
        return parsed.locales[0]
    return normalise_locale(getattr(config, "locale", None))


def prepare(parsed: ParsedBody, config, day: date, *, forge: str | None, logins: Sequence[str],
            lang: str | None) -> tuple[Request, Located, str | None, str]:
    """Steps 2-4 on the files under ``config``: (request with the campaign's ids, the campaign,
    the person making it (None without a forge), the reply's language). Refused (with its
    language set) otherwise."""
    locale = _reply_locale(lang, None, parsed, config)
    try:
        request = interpret(parsed, day)
    except Refused as refused:
        # the campaign, when it can be found, says which language to answer in
        campaign = _try_campaign(config, parsed)
        refused.locale = _reply_locale(lang, campaign.campaign if campaign else None, parsed, config)
        raise
    try:
        located = find_campaign(config, request.campaign)
    except Refused as refused:
        refused.locale = locale
        raise
    locale = _reply_locale(lang, located.campaign, parsed, config)
    try:
        request = check_request(request, located.campaign)
        person = authorise(request, located.campaign, forge, logins) if forge else None
    except Refused as refused:
        refused.locale = locale
        raise
    return request, located, person, locale


def _try_campaign(config, parsed: ParsedBody) -> Located | None:
    cid = _text(parsed.values.get("campaign"))
    if not cid:
        return None
    try:
        return find_campaign(config, cid)
    except Refused:
        return None


def _commit_message(request: Request, applied: Applied, submission: Submission, locale: str) -> str:
    from ptrack.edit.campaign import summary

    subject = t(locale, "intake.commit.subject", what=request.task or request.campaign, n=submission.number)
    body = t(locale, "intake.commit.body", url=submission.url, login=submission.author)
    return f"{subject}\n\n{summary(applied.result)}\n\n{body}\n"


def run_intake(submission: Submission, forge: Forge, *, repo: Path, day: date, mode: str | None = None,
               lang: str | None = None, remote="origin", lock_timeout: float = 30.0,
               attempts: int = ATTEMPTS) -> IntakeOutcome:
    """Apply one submitted form (see the module's docstring) in a temporary worktree of
    ``remote``'s default branch, from the clone at ``repo``; reply on the issue; close it when
    applied. ``mode``: ``pr`` or ``commit`` (default: ``intake.mode`` of ptrack.yaml, else pr).
    ``remote``: a remote's name, or a ``ptrack.forge.workspace.Remote`` (an address with its own
    credentials)."""
    from ptrack.core.config import load_config
    from ptrack.forge.workspace import GitFailed, Workspace, repository_root

    quiet = lang or "en"  # nothing is known of a campaign yet: the log's language
    if submission.state != "open":
        return IntakeOutcome("ignored", quiet, log=[t(quiet, "intake.log.not_open", n=submission.number,
                                                      state=submission.state)])
    parsed = parse_body(submission.body)
    if parsed is None:
        return IntakeOutcome("ignored", quiet, log=[t(quiet, "intake.log.not_a_form", n=submission.number)])
    digest = submission.digest
    from ptrack.forge.rest import ForgeError

    try:
        earlier = forge.comments(submission.number)
    except ForgeError as exc:
        return IntakeOutcome("failed", error=exc.text(quiet), log=[exc.text(quiet)])
    if any(MARKER.format(digest=digest, outcome="applied") in c for c in earlier):
        try:
            forge.close(submission.number)  # a run that replied but could not close
        except ForgeError as exc:
            return IntakeOutcome("failed", error=exc.text(quiet), log=[exc.text(quiet)])
        return IntakeOutcome("already", quiet, log=[t(quiet, "intake.log.already", n=submission.number)])
    logins = [submission.author] + ([submission.editor] if submission.editor else [])
    locale = _reply_locale(lang, None, parsed, None)
    outcome: IntakeOutcome | None = None
    try:
        top, prefix = repository_root(Path(repo))
        with Workspace(top, remote=remote, branch=submission.default_branch) as ws:
            for attempt in range(attempts):
                if attempt:
                    ws.refresh()
                config = load_config(ws.root / prefix) if (ws.root / prefix).is_dir() else load_config(ws.root)
                mode = mode or config.intake_mode
                try:
                    request, located, person, locale = prepare(parsed, config, day, forge=forge.name,
                                                               logins=logins, lang=lang)
                    relative = located.path.resolve().relative_to(ws.root.resolve()).as_posix()
                    applied = apply_request(request, located.path, day, policy=config.policy, locale=locale,
                                            lock_timeout=lock_timeout, file=relative)
                except Refused as refused:
                    locale = refused.locale or locale
                    reply = refused_reply(refused.problems, parsed.form, locale, digest=digest)
                    if reply not in earlier:
                        forge.comment(submission.number, reply)
                    log = [t(locale, "intake.log.refused", n=submission.number)]
                    log += [p.reason(locale) for p in refused.problems]
                    return IntakeOutcome("refused", locale, reply=reply, log=log)
                if not applied.changed:
                    reply = unchanged_reply(request, locale, digest=digest)
                    forge.comment(submission.number, reply)
                    forge.close(submission.number)
                    return IntakeOutcome("unchanged", locale, reply=reply,
                                         log=[t(locale, "intake.log.unchanged", n=submission.number)])
                person_name = located.campaign.person_name(person) or submission.author
                author = (person_name, forge.author_email(submission))
                sha = ws.commit([relative], _commit_message(request, applied, submission, locale),
                                author=author, committer=forge.committer())
                if mode == "commit":
                    pushed = ws.push(submission.default_branch)
                    if pushed.stale:
                        continue  # the branch moved: apply the same operations to its new tip
                    if not pushed.ok:
                        raise GitFailed("push", pushed.detail)
                    link = f"[`{sha[:7]}`]({forge.commit_url(sha)})"
                    outcome = IntakeOutcome("applied", locale, commit=sha, pushed=submission.default_branch,
                                            landed_on_default=True)
                else:
                    branch = f"ptrack/issue-{submission.number}"
                    pushed = ws.push(branch, force=True)
                    if not pushed.ok:
                        raise GitFailed("push", pushed.detail)
                    change = forge.change_request(
                        branch=branch, base=submission.default_branch,
                        title=t(locale, "intake.commit.subject", what=request.task or request.campaign,
                                n=submission.number),
                        body=_change_body(applied, submission, locale, day))
                    link = f"[{forge.change_label(change, locale)}]({change.url})"
                    outcome = IntakeOutcome("applied", locale, commit=sha, change=change, pushed=branch)
                reply = applied_reply(applied, locale, link=link, digest=digest, day=day)
                outcome.reply = reply
                outcome.log = [t(locale, "intake.log.applied", n=submission.number, link=link)]
                try:
                    forge.comment(submission.number, reply)
                    forge.close(submission.number)
                except ForgeError as exc:  # it landed: say so, and why the issue has no answer
                    outcome.error = exc.text(locale)
                    outcome.log.append(t(locale, "intake.log.failed", reason=exc.text(locale)))
                return outcome
            reason = t(locale, "intake.problem.kept_moving", n=attempts, branch=submission.default_branch)
            raise GitFailed("push", reason)
    except (GitFailed, ForgeError) as exc:
        reason = exc.text(locale)
        reply = failed_reply(reason, locale, digest=digest, key=getattr(forge, "failed_key", "intake.reply.failed"))
        try:
            if reply not in earlier:  # a run again (a schedule) failing the same way says it once
                forge.comment(submission.number, reply)
        except ForgeError:
            pass
        return IntakeOutcome("failed", locale, error=reason, log=[t(locale, "intake.log.failed", reason=reason)])


def _change_body(applied: Applied, submission: Submission, locale: str, day: date) -> str:
    """The pull/merge request's description: the same report as the reply, and the issue."""
    reply = applied_reply(applied, locale, link=f"#{submission.number}", digest="-", day=day)
    lines = reply.splitlines()[1:]  # not the issue's marker
    return "\n".join(lines) + "\n\n" + t(locale, "intake.commit.body", url=submission.url,
                                          login=submission.author) + "\n"


# ---------------------------------------------------------------------------------------------
# Without a forge: a body applied to the working tree

@dataclass
class LocalOutcome:
    text: str
    exit_code: int


def apply_body_here(body: str, day: date, *, config, locale: str | None = None,
                    lock_timeout: float = 30.0) -> LocalOutcome:
    """``ptrack update --from-issue BODY.md``: read the form and apply it to the campaign file
    of the working tree (no git, no forge, so no author to authorise: whoever runs it may edit
    the files anyway). The text says what changed and the figures before → after, or why not."""
    from ptrack.edit.campaign import summary

    parsed = parse_body(body)
    if parsed is None:
        loc = _reply_locale(locale, None, None, config)
        return LocalOutcome(t(loc, "intake.local.not_a_form") + "\n", 1)
    try:
        request, located, _, loc = prepare(parsed, config, day, forge=None, logins=(), lang=locale)
        applied = apply_request(request, located.path, day, policy=config.policy, locale=loc,
                                lock_timeout=lock_timeout)
    except Refused as refused:
        loc = refused.locale or _reply_locale(locale, None, parsed, config)
        lines = [t(loc, "intake.local.refused")]
        for p in refused.problems:
            field_label = label(parsed.form.field(p.field), loc) if p.field in parsed.form.ids else None
            lines.append(f"  {field_label}: {p.reason(loc)}" if field_label else f"  {p.reason(loc)}")
        return LocalOutcome("\n".join(lines) + "\n", 1)
    lines = [summary(applied.result)]
    if applied.changed and applied.before and applied.after:
        b, a = applied.before, applied.after
        lines.append(t(loc, "intake.local.figures", planned=_pct(a.planned), before=_pct(b.actual),
                       after=_pct(a.actual), deviation=_signed(a.deviation),
                       status=t(loc, _STATUS.get(a.status, a.status))))
    return LocalOutcome("\n".join(lines) + "\n", 0)


__all__ = ["ATTEMPTS", "Applied", "ChangeRequest", "Figures", "Forge", "IntakeOutcome", "Problem", "Refused",
           "Request", "Submission", "apply_body_here", "apply_request", "authorise", "check_request",
           "find_campaign", "interpret", "parse_date", "parse_number", "prepare", "read_issue_source",
           "run_intake"]
