"""Who is told what: the digests of one ``ptrack notify`` run, from the same snapshot as ``check``.

``build_digests(snapshot, ...)`` is pure: the snapshot as of D, the campaign as of the previous
working day P (for health changes), the stale tasks (from git, as the ``stale-task`` rule finds
them) and the horizon. ``collect_digests(files, config, as_of)`` loads the files and reads git
for those inputs.

A person's digest (owner, collaborators, risk owners, milestone owners):
- tasks overdue (delayed), due or starting within the horizon: D up to the ``horizon_days``-th
  working day after D on the campaign's calendar (default 3; 0: today only); owner and
  collaborators; a task without an owner goes to the lead;
- open risks overdue or due within the horizon: the risk's owner (else the task's owner, else
  the lead);
- milestones not achieved whose date is within the horizon: the owners of the milestone's tasks
  (the lead when they have none);
- in-progress tasks whose entry has not changed in git for more than ``stale_after_days``: the
  owner (what ``ptrack check`` reports as ``stale-task``; off when the rule is off);
- fixed-date events at risk (``event-at-risk``: a predecessor forecast to finish on or after the
  event's start): the event's owner and the predecessor's owner (the lead when they have none).

The team digest (the group chat; the lead by email): health changes since P (campaign and
tasks), fixed-date events at risk, milestones achieved in (P, D] or missed since P, the
weekly-review focus (behind plan past ``deviation_warn`` and ``min_days_behind``, as the
``deviation-behind`` rule), goals behind pace (as the ``goal-behind-pace`` rule), and the
campaign's page on the published site.

With the repository's address (``repo_url``), every line about a task links to its update form
(更新进度) and every line about an open risk to its Resolve form (标记已解决); with ``site_url``,
a person's digest links to their page (我的任务) besides the campaign's.

Nothing to say means no digest. Ordering is fixed: the team digest first, then people in the
order of ``people:`` (ids not listed there after them, sorted); sections in a fixed order; items
by date, then by their order in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ptrack.core.calendars import WorkCalendar
from ptrack.core.compute import CampaignSnapshot, Health, Status, compute_snapshot
from ptrack.i18n import M_, N_, NP_, Said, day_text, fmt_number, fmt_points, link_suffix, normalise_locale, t
from ptrack.notify.model import Digest, DigestItem, DigestSection, ItemKind, ItemLink, Recipient

TEAM = "@team"  # the person part of the team digest's key (person ids cannot contain "@")
PERSON_SECTIONS = ("overdue", "events", "risks", "due", "starting", "milestones", "stale")
TEAM_SECTIONS = ("health", "events", "milestones", "focus", "goals")
# their titles, notify.section.<key>
_SECTION_KEYS = (N_("notify.section.overdue"), N_("notify.section.risks"), NP_("notify.section.due"),
                 NP_("notify.section.starting"), N_("notify.section.milestones"), N_("notify.section.stale"),
                 N_("notify.section.health"), N_("notify.section.focus"), N_("notify.section.goals"),
                 N_("notify.section.events"))
_SECTION_OF = {
    ItemKind.TASK_OVERDUE: "overdue", ItemKind.RISK_OVERDUE: "risks", ItemKind.RISK_DUE: "risks",
    ItemKind.TASK_DUE: "due", ItemKind.TASK_STARTING: "starting",
    ItemKind.MILESTONE_UPCOMING: "milestones", ItemKind.TASK_STALE: "stale",
    ItemKind.HEALTH_CHANGE: "health", ItemKind.MILESTONE_HIT: "milestones",
    ItemKind.MILESTONE_MISSED: "milestones", ItemKind.FOCUS: "focus", ItemKind.GOAL_BEHIND: "goals",
    ItemKind.EVENT_AT_RISK: "events",
}
_OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)


@dataclass(frozen=True)
class Stale:
    """An in-progress task whose entry has not changed for more than stale_after_days."""

    days: int
    date: date
    author: str


def digest_key(campaign_id: str, person_id: str | None, as_of: date) -> str:
    """The de-duplication key: one digest per campaign, person and day."""
    return f"{campaign_id}/{person_id or TEAM}/{as_of.isoformat()}"


def horizon_end(calendar: WorkCalendar, as_of: date, horizon_days: int) -> date:
    """The last day a person's digest looks at: the ``horizon_days``-th working day after D."""
    return calendar.add_working_days(as_of, horizon_days) if horizon_days > 0 else as_of


def previous_working_day(calendar: WorkCalendar, as_of: date) -> date:
    """The working day before D (D - 1 when the calendar has none in its table)."""
    day = calendar.previous_working_day(as_of - timedelta(days=1))
    return day if day is not None else as_of - timedelta(days=1)


class _Collector:
    """Items per recipient, in the order they were added (the caller adds them in file order)."""

    def __init__(self) -> None:
        self.items: dict[str, list[tuple[tuple, DigestItem]]] = {}

    def add(self, person: str | None, item: DigestItem, order: tuple) -> None:
        if person is None:
            return
        bucket = self.items.setdefault(person, [])
        if not any(existing == item for _, existing in bucket):
            bucket.append((order, item))


def build_digests(snapshot: CampaignSnapshot, *, horizon_days: int = 3,
                  previous: CampaignSnapshot | None = None, previous_day: date | None = None,
                  stale: Mapping[str, Stale] | None = None, page_url: str | None = None,
                  locale: str | None = None, repo=None,
                  person_url: Callable[[str], str | None] | None = None) -> list[Digest]:
    """Every digest of one campaign as of ``snapshot.as_of``: the team's first, then each person's.

    ``previous``: the campaign as of ``previous_day`` (the previous working day), for health
    changes; ``stale``: task id -> Stale for the in-progress tasks git finds stale. ``repo``: the
    repository (``forge.links.Repo``) whose forms the lines link to (None: no links);
    ``person_url``: person id -> their page on the published site (``Config.person_url``), for
    the people who have one (``core.people``: listed under ``people:``, or written as an id in
    a campaign without it)."""
    from ptrack.core.people import ID
    from ptrack.forge.links import campaign_links

    campaign = snapshot.campaign
    locale = normalise_locale(locale or campaign.locale)
    links = campaign_links(repo, campaign.id, campaign.locale)
    update_label, resolve_label = t(locale, "html.update"), t(locale, "html.resolve")

    def update(task) -> tuple[ItemLink, ...]:
        return (ItemLink("update", update_label, links.update(task)),) if links is not None else ()

    def resolve(risk) -> tuple[ItemLink, ...]:
        return (ItemLink("resolve", resolve_label, links.resolve(risk)),) if links is not None else ()

    def page_of(person: str) -> str | None:
        has_page = person in campaign.people if campaign.people else bool(ID.match(person))
        return person_url(person) if person_url is not None and has_page else None

    cal = campaign.work_calendar
    as_of = snapshot.as_of
    until = horizon_end(cal, as_of, horizon_days)
    previous_day = previous_day or previous_working_day(cal, as_of)
    people = _Collector()
    order_of_task = {ts.task.id: i for i, ts in enumerate(snapshot.tasks)}

    def within(day: date | None) -> bool:
        return day is not None and as_of <= day <= until

    def when(day: date) -> str:
        return day_text(locale, day, as_of)

    # -- tasks: overdue, due, starting; stale ------------------------------------------------
    for i, ts in enumerate(snapshot.tasks):
        task = ts.task
        targets = [(task.owner or campaign.lead, False)] + [(c, True) for c in task.collaborators
                                                           if c != task.owner]
        values = {"name": task.name, "actual": fmt_points(ts.actual_progress),
                  "planned": fmt_points(ts.planned_progress)}
        found: list[tuple[ItemKind, date, str, bool]] = []
        if ts.status is Status.DELAYED:
            days = (as_of - task.planned_end).days
            found.append((ItemKind.TASK_OVERDUE, task.planned_end,
                          t(locale, NP_("notify.item.task-overdue"), end=when(task.planned_end), days=days, **values), True))
        elif ts.status in _OPEN and within(task.planned_end):
            found.append((ItemKind.TASK_DUE, task.planned_end,
                          t(locale, "notify.item.task-due", end=when(task.planned_end), **values), False))
        if ts.status is Status.NOT_STARTED and within(task.planned_start):
            found.append((ItemKind.TASK_STARTING, task.planned_start,
                          t(locale, "notify.item.task-starting", start=when(task.planned_start), **values), False))
        for kind, day, text, urgent in found:
            for person, collaborating in targets:
                line = text + (t(locale, "notify.collaborating") if collaborating else "")
                people.add(person, DigestItem(kind, line, day.isoformat(), task.id, urgent, update(task)), (day, i))
        s = (stale or {}).get(task.id)
        if s is not None and ts.status is Status.IN_PROGRESS:
            text = t(locale, "notify.item.task-stale", name=task.name, days=s.days, date=s.date.isoformat(),
                     author=s.author, limit=campaign.policy.stale_after_days)
            people.add(task.owner or campaign.lead, DigestItem(ItemKind.TASK_STALE, text, s.date.isoformat(),
                                                               task.id, links=update(task)), (s.date, i))

    # -- risks -------------------------------------------------------------------------------
    tasks_by_id = {ts.task.id: ts.task for ts in snapshot.tasks}
    for j, rs in enumerate(snapshot.risks):
        risk = rs.risk
        task = tasks_by_id.get(risk.task_id) if risk.task_id else None
        owner = risk.owner or (task.owner if task else None) or campaign.lead
        where = t(locale, "notify.risk_of_task", task=task.name) if task else ""
        order = (risk.due or as_of, order_of_task.get(risk.task_id, -1), j)
        if rs.state == "overdue":
            text = t(locale, NP_("notify.item.risk-overdue"), issue=risk.issue, where=where, due=when(risk.due),
                     days=rs.days_overdue)
            people.add(owner, DigestItem(ItemKind.RISK_OVERDUE, text, risk.due.isoformat(), risk.task_id, True,
                                         resolve(risk)), order)
        elif rs.state == "open" and within(risk.due):
            text = t(locale, "notify.item.risk-due", issue=risk.issue, where=where, due=when(risk.due))
            people.add(owner, DigestItem(ItemKind.RISK_DUE, text, risk.due.isoformat(), risk.task_id,
                                         links=resolve(risk)), order)

    # -- milestones coming up ----------------------------------------------------------------
    for k, ms in enumerate(snapshot.milestones):
        m = ms.milestone
        if ms.state != "upcoming" or not within(m.date):
            continue
        owners = [tasks_by_id[tid].owner for tid in m.tasks if tid in tasks_by_id and tasks_by_id[tid].owner]
        owners = list(dict.fromkeys(owners)) or [campaign.lead]
        text = t(locale, "notify.item.milestone-upcoming", name=m.name, date=when(m.date))
        for person in owners:
            people.add(person, DigestItem(ItemKind.MILESTONE_UPCOMING, text, m.date.isoformat()), (m.date, k))

    # -- fixed-date events at risk: the event's owner and the late predecessor's ------------
    for k, (item, order) in enumerate(_event_items(snapshot, locale)):
        clash = snapshot.event_clashes[k]
        owners = [tasks_by_id[clash.event].owner, tasks_by_id[clash.predecessor].owner]
        for person in dict.fromkeys(p or campaign.lead for p in owners):
            people.add(person, item, order)

    digests = []
    team = _team_items(snapshot, previous, previous_day, locale, update)
    if team:
        lead = campaign.people.get(campaign.lead) if campaign.lead else None
        recipient = Recipient(None, t(locale, "notify.team"), dict(lead.handles) if lead else {})
        digests.append(_digest(snapshot, recipient, team, TEAM_SECTIONS, page_url, locale, horizon_days,
                               previous_day))
    for person in _people_order(campaign, people.items):
        p = campaign.people.get(person)
        recipient = Recipient(person, p.name if p else person, dict(p.handles) if p else {})
        digests.append(_digest(snapshot, recipient, people.items[person], PERSON_SECTIONS, page_url, locale,
                               horizon_days, previous_day, person_url=page_of(person)))
    return digests


def _event_items(snapshot: CampaignSnapshot, locale: str) -> list[tuple[DigestItem, tuple]]:
    """(item, order) for each ``event-at-risk`` clash, as the rule finds them (none when the rule
    is off): urgent, dated by the event's start."""
    from ptrack.core.diagnostics import Severity
    from ptrack.core.rules import effective_severity

    if effective_severity("event-at-risk", Severity.ERROR, snapshot.campaign.policy.rules) is None:
        return []
    tasks = {ts.task.id: ts.task for ts in snapshot.tasks}
    order_of_task = {ts.task.id: i for i, ts in enumerate(snapshot.tasks)}
    out = []
    for clash in snapshot.event_clashes:
        event, pred = tasks[clash.event], tasks[clash.predecessor]
        text = t(locale, NP_("notify.item.event-at-risk"), name=event.name, start=event.planned_start.isoformat(),
                 pred=pred.name, owner=snapshot.campaign.person_name(pred.owner) or t(locale, "unassigned"),
                 finish=clash.finish.isoformat() + link_suffix(locale, clash.type, clash.lag), days=clash.days)
        out.append((DigestItem(ItemKind.EVENT_AT_RISK, text, event.planned_start.isoformat(), event.id, True),
                    (event.planned_start, order_of_task[event.id])))
    return out


def _team_items(snapshot: CampaignSnapshot, previous: CampaignSnapshot | None, previous_day: date,
                locale: str, update=lambda task: ()) -> list[tuple[tuple, DigestItem]]:
    """The team digest's items; ``update(task)``: the links of a line about ``task``."""
    from ptrack.core.rules import effective_severity
    from ptrack.core.diagnostics import Severity

    campaign = snapshot.campaign
    as_of = snapshot.as_of
    out: list[tuple[tuple, DigestItem]] = []

    def health(h: Health) -> str:
        return t(locale, f"health.{h.value}")

    # health changes since the previous working day
    if previous is not None:
        if previous.health is not snapshot.health:
            out.append(((0, -1), DigestItem(
                ItemKind.HEALTH_CHANGE, t(locale, "notify.item.campaign-health", old=health(previous.health),
                                          new=health(snapshot.health)),
                urgent=snapshot.health is Health.RED)))
        before = {ts.task.id: ts for ts in previous.tasks}
        for i, ts in enumerate(snapshot.tasks):
            old = before.get(ts.task.id)
            if old is None or old.health is ts.health:
                continue
            out.append(((0, i), DigestItem(
                ItemKind.HEALTH_CHANGE, t(locale, "notify.item.task-health", name=ts.task.name,
                                          old=health(old.health), new=health(ts.health),
                                          owner=campaign.person_name(ts.task.owner) or t(locale, "unassigned")),
                task_id=ts.task.id, urgent=ts.health is Health.RED, links=update(ts.task))))
    # fixed-date events at risk
    out += [(order, item) for item, order in _event_items(snapshot, locale)]
    # milestones hit in (P, D], missed since P
    for k, ms in enumerate(snapshot.milestones):
        m = ms.milestone
        if m.achieved is not None and previous_day < m.achieved <= as_of:
            late = (m.achieved - m.date).days
            text = t(locale, "notify.item.milestone-hit", name=m.name, date=m.achieved.isoformat(),
                     late=t(locale, NP_("notify.late"), days=late) if late > 0 else t(locale, "notify.on_time"))
            out.append(((1, m.achieved, k), DigestItem(ItemKind.MILESTONE_HIT, text, m.achieved.isoformat())))
        elif ms.state == "missed" and previous_day <= m.date < as_of:
            text = t(locale, "notify.item.milestone-missed", name=m.name, date=m.date.isoformat(), days=ms.days_late)
            out.append(((1, m.date, k), DigestItem(ItemKind.MILESTONE_MISSED, text, m.date.isoformat(), urgent=True)))
    # weekly-review focus: what the deviation-behind rule reports, most behind first
    policy = campaign.policy
    if effective_severity("deviation-behind", Severity.WARNING, policy.rules) is not None:
        for i, ts in enumerate(snapshot.tasks):
            if ts.focus:
                behind = -ts.deviation
                text = t(locale, "notify.item.focus", name=ts.task.name,
                         owner=campaign.person_name(ts.task.owner) or t(locale, "unassigned"),
                         points=fmt_points(behind), planned=fmt_points(ts.planned_progress),
                         actual=fmt_points(ts.actual_progress), days=max(ts.days_behind, 0))
                out.append(((2, ts.deviation, i), DigestItem(ItemKind.FOCUS, text, task_id=ts.task.id,
                                                             urgent=behind > policy.deviation_fail + 1e-9,
                                                             links=update(ts.task))))
    # goals behind pace: what the goal-behind-pace rule reports
    if effective_severity("goal-behind-pace", Severity.WARNING, policy.rules) is not None:
        for g, gs in enumerate(snapshot.goals):
            goal = gs.goal
            if gs.latest is None or gs.status != "behind":
                continue
            if goal.kind == "cumulative":
                text = t(locale, "notify.item.goal-behind", name=goal.name, latest=fmt_number(gs.latest, goal.unit),
                         expected=fmt_number(_whole(gs.expected, goal.target), goal.unit), target=fmt_number(goal.target, goal.unit),
                         due=goal.due.isoformat())
            elif as_of > goal.due:
                text = t(locale, "notify.item.goal-below", name=goal.name, latest=fmt_number(gs.latest, goal.unit),
                         target=fmt_number(goal.target, goal.unit), due=goal.due.isoformat())
            else:
                continue
            out.append(((3, g), DigestItem(ItemKind.GOAL_BEHIND, text, gs.latest_date.isoformat())))
    return out


def _whole(value: float, target: float) -> float:
    """A pace of 4,076,086.96 visits reads 4,076,087: whole numbers when the target is one."""
    return float(round(value)) if float(target).is_integer() else round(value, 2)


def _people_order(campaign, items: Mapping[str, list]) -> list[str]:
    listed = [pid for pid in campaign.people if pid in items]
    return listed + sorted(pid for pid in items if pid not in campaign.people)


def _digest(snapshot: CampaignSnapshot, recipient: Recipient, items: list[tuple[tuple, DigestItem]],
            section_order: Sequence[str], page_url: str | None, locale: str, horizon_days: int,
            previous_day: date, person_url: str | None = None) -> Digest:
    campaign = snapshot.campaign
    by_section: dict[str, list[tuple[tuple, DigestItem]]] = {}
    for order, item in items:
        by_section.setdefault(_SECTION_OF[item.kind], []).append((order, item))
    sections = []
    for key in section_order:
        got = by_section.get(key)
        if not got:
            continue
        got.sort(key=lambda pair: (not pair[1].urgent, _sortable(pair[0])))
        title = t(locale, f"notify.section.{key}", n=horizon_days, warn=fmt_number(campaign.policy.deviation_warn),
                  min_days=campaign.policy.min_days_behind,
                  date=day_text(locale, previous_day, snapshot.as_of))
        sections.append(DigestSection(key, title, tuple(item for _, item in got)))
    as_of = snapshot.as_of.isoformat()
    if recipient.person_id is None:
        title = t(locale, "notify.title.team", campaign=campaign.name, as_of=as_of)
    else:
        title = t(locale, NP_("notify.title.person"), campaign=campaign.name, name=recipient.name, as_of=as_of,
                  n=sum(len(s.items) for s in sections))
    summary = t(locale, "notify.summary", as_of=as_of, planned=fmt_points(snapshot.planned_progress),
                actual=fmt_points(snapshot.actual_progress), deviation=f"{snapshot.deviation:+.1f}",
                health=t(locale, f"health.{snapshot.health.value}"),
                status=t(locale, f"status.{snapshot.status.value}"))
    return Digest(campaign.id, campaign.name, as_of, locale, recipient, title, summary, tuple(sections),
                  page_url, digest_key(campaign.id, recipient.person_id, snapshot.as_of),
                  health=snapshot.health.value, person_url=person_url)


def _sortable(order: tuple) -> tuple:
    """Order tuples mix dates and numbers: dates become ordinals so tuples always compare."""
    return tuple(x.toordinal() if isinstance(x, date) else x for x in order)


# ---------------------------------------------------------------------------------------------
# Loading the files and reading git

@dataclass
class DigestRun:
    """What ``collect_digests`` found: the digests, the files' diagnostics and notes."""

    as_of: date
    digests: list[Digest] = field(default_factory=list)
    diagnostics: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)  # ids of the campaigns looked at

    @property
    def failed(self) -> bool:
        return any(d.severity.value == "error" for d in self.diagnostics)


def collect_digests(files: Sequence[Path], config, as_of: date, *, locale: str | None = None,
                    git: bool = True) -> DigestRun:
    """The digests of every valid campaign in ``files`` as of ``as_of``; invalid files give their
    diagnostics and no digest. ``git``: read git history for the campaign as committed by D (the
    honest as-of, ``ptrack.git.asof``), stale tasks and the previous working day's version
    (outside git, the file as it is computed as of that day)."""
    from ptrack.forge.links import repo_of
    from ptrack.pipeline import load_all, progress_notice

    run = DigestRun(as_of)
    for path, result in zip(files, load_all(files, config, locale)):
        run.diagnostics += result.diagnostics
        if result.campaign is None:
            continue
        campaign = result.campaign
        run.campaigns.append(campaign.id)
        cal = campaign.work_calendar
        previous_day = previous_working_day(cal, as_of)
        snapshot, previous_campaign, stale = None, None, {}
        if git:
            snapshot, previous_campaign, stale = _from_git(path, result.file, campaign, as_of, previous_day,
                                                           config.policy, run.notes)
        if snapshot is None:
            snapshot = compute_snapshot(campaign, as_of=as_of)
        notice = progress_notice(snapshot, result.file, locale)
        if notice:
            run.notes.append(notice)
        previous = compute_snapshot(previous_campaign or campaign, as_of=previous_day)
        run.digests += build_digests(snapshot, horizon_days=config.notify.horizon_days, previous=previous,
                                     previous_day=previous_day, stale=stale,
                                     page_url=config.page_url(campaign.id), locale=locale, repo=repo_of(config),
                                     person_url=config.person_url if config.site_url else None)
    return run


def _from_git(path: Path, file: str, campaign, as_of: date, previous_day: date, policy_defaults,
              notes: list[str]):
    """(the snapshot as of D with what git says, the campaign as committed by the end of
    ``previous_day`` or None, stale tasks); (None, None, {}) when git cannot be read."""
    from ptrack.git.asof import committed_as_of, snapshot_as_of
    from ptrack.git.gitio import GitError
    from ptrack.git.history import load_history
    from ptrack.git.tracking import stale_findings

    try:
        history = load_history(path, policy_defaults=policy_defaults, file=file)
    except GitError as exc:
        notes.append(Said(M_("notify.no_git", file=file, reason=exc.message)))
        return None, None, {}
    with history:
        snapshot = snapshot_as_of(history, campaign, as_of)
        if not history.in_git:
            return snapshot, None, {}
        notes.extend(history.notes)
        stale: dict[str, Stale] = {}
        if snapshot.campaign.policy.rules.get("stale-task") != "off":
            for _, raw in stale_findings(history, snapshot):
                values = raw[4]
                stale[raw[2]] = Stale(values["days"], date.fromisoformat(values["date"]), values["author"])
        return snapshot, committed_as_of(history, previous_day), stale
