"""Links that open the update and risk forms prefilled (CONTRACTS.md, "Links"): pure functions
of the repository's address, no I/O.

GitHub (an issue form; GitHub fills a field from the query parameter named by its id)::

    {repo_url}/issues/new?template=ptrack-update.yml&campaign=<cid>&task=<tid>&title=<title>
    ... &resolve_risk=<ref>                                   (标记已解决 / Resolve)

GitLab (a description template; the description is the Markdown a GitHub form becomes, with
``### Label`` sections, so one parser reads both forges' issues)::

    {repo_url}/-/issues/new?issuable_template=<template>&issue[title]=<title>&issue[description]=<body>

where ``<template>`` is the description template's name in the repository's language
(``Form.template_name``: 进度更新, 報告風險, Progress update...), percent-encoded like every value.

Every value is percent-encoded with ``urllib.parse.quote(value, safe="")``: the result holds
only letters, digits, ``-._~%&=?/:[]`` and what the repository's address holds (which
``core.config.normalise_repo_url`` limits to letters, digits and ``_.~-``), so it is safe as
written in an HTML attribute (still escaped there), a Markdown link, Slack's ``<url|text>`` and
every chat platform's card.

A **risk reference** is the risk's ``id`` when it has one, else its 1-based position in its list
(``2``: the task's second risk; a campaign-level risk has an empty ``task``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from ptrack.forge.fields import RISK, UPDATE, Form, form_body
from ptrack.i18n import t

TITLE_CHARS = 60  # a risk's text in an issue title is cut to this many characters (with "…")


@dataclass(frozen=True)
class Repo:
    """A repository's web address (``https://github.com/acme/campaigns``, no trailing "/"), its
    forge, ``github`` or ``gitlab``, and its language (ptrack.yaml's ``locale``; None: zh-CN),
    which names GitLab's description templates."""

    url: str
    forge: str = "github"
    locale: str | None = None

    def __post_init__(self) -> None:
        if self.forge not in ("github", "gitlab"):
            raise ValueError(f"unknown forge {self.forge!r}")


def repo_of(config) -> Repo | None:
    """The ``Repo`` of ``ptrack.yaml`` (``repo_url``, ``forge``, ``locale``), None without
    ``repo_url``."""
    url = getattr(config, "repo_url", None)
    return Repo(url, getattr(config, "forge", "github"), getattr(config, "locale", None)) if url else None


def _q(value: str) -> str:
    return quote(value, safe="")


def form_url(repo: Repo, form: Form, values: Mapping[str, str], *, title: str, locale: str | None) -> str:
    """The address of a new issue of ``form`` with ``values`` (field id -> text, in the
    form's order; empty values are kept, so a campaign-level risk has ``task=``) and ``title``.
    On GitLab the values become the description (``form_body``, labels in ``locale``)."""
    unknown = sorted(set(values) - set(form.ids))
    if unknown:
        raise KeyError(f"the {form.id} form has no field {', '.join(unknown)}")
    base = repo.url.rstrip("/")
    if repo.forge == "gitlab":
        body = form_body(form, values, locale)
        return (f"{base}/-/issues/new?issuable_template={_q(form.template_name(repo.locale))}"
                f"&issue[title]={_q(title)}&issue[description]={_q(body)}")
    # template, campaign, task, title, then the other fields given, in the form's order
    head = [(k, values[k]) for k in ("campaign", "task") if k in values]
    rest = [(f.id, values[f.id]) for f in form.fields if f.id in values and f.id not in ("campaign", "task")]
    params = [("template", form.filename), *head, ("title", title), *rest]
    return f"{base}/issues/new?" + "&".join(f"{k}={_q(v)}" for k, v in params)


def clip(text: str, limit: int = TITLE_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with "…"."""
    one = " ".join(text.split())
    return one if len(one) <= limit else one[:limit - 1].rstrip() + "…"


@functools.lru_cache(maxsize=65536)
def update_url(repo: Repo, *, campaign: str, task: str, task_name: str, locale: str | None,
               resolve_risk: str | None = None, risk_issue: str | None = None) -> str:
    """进度更新 / Update: the update form with the campaign and task filled in. With
    ``resolve_risk`` (a risk reference) it is 标记已解决 / Resolve: the title names the risk
    (``risk_issue``) and the form's ``resolve_risk`` field holds the reference. Kept for the
    next call with the same arguments (a task is on its dashboard, its people's pages and their
    digests)."""
    values = {"campaign": campaign, "task": task}
    if resolve_risk is not None:
        values["resolve_risk"] = resolve_risk
        title = t(locale, "forge.resolve.title", issue=clip(risk_issue or resolve_risk))
    else:
        title = t(locale, "forge.update.title", task=clip(task_name))
    return form_url(repo, UPDATE, values, title=title, locale=locale)


def risk_report_url(repo: Repo, *, campaign: str, task: str | None, subject: str, locale: str | None) -> str:
    """报告风险 / Report a risk: the risk form with the campaign and the task (None: a
    campaign-level risk) filled in; ``subject`` (the task's or the campaign's name) goes into
    the title."""
    return form_url(repo, RISK, {"campaign": campaign, "task": task or ""},
                    title=t(locale, "forge.risk.title", subject=clip(subject)), locale=locale)


def risk_ref(risk) -> str:
    """A risk's reference: its ``id``, else its 1-based position in its list (its JSON path ends
    with the index: ``("tasks", 3, "risks", 1)`` is the second risk of the fourth task)."""
    return risk.id or str(int(risk.path[-1]) + 1)


@dataclass(frozen=True)
class CampaignLinks:
    """The links of one campaign's tasks and risks, in one locale: what the pages and digests
    ask for. Build it with ``campaign_links``; None there means no links anywhere."""

    repo: Repo
    campaign: str
    locale: str | None

    def update(self, task) -> str:
        """The update form of ``task`` (a ``core.model.Task``)."""
        return update_url(self.repo, campaign=self.campaign, task=task.id, task_name=task.name, locale=self.locale)

    def resolve(self, risk) -> str:
        """The update form that marks ``risk`` (a ``core.model.Risk``) resolved."""
        return update_url(self.repo, campaign=self.campaign, task=risk.task_id or "", task_name="",
                          locale=self.locale, resolve_risk=risk_ref(risk), risk_issue=risk.issue)

    def report_risk(self, task=None, campaign_name: str = "") -> str:
        """The risk form for ``task`` (None: the campaign, named ``campaign_name``)."""
        return risk_report_url(self.repo, campaign=self.campaign, task=task.id if task else None,
                               subject=task.name if task else campaign_name, locale=self.locale)


def campaign_links(repo: Repo | None, campaign_id: str, locale: str | None) -> CampaignLinks | None:
    """``CampaignLinks`` for a campaign, or None when there is no repository (no links)."""
    return CampaignLinks(repo, campaign_id, locale) if repo is not None else None
