"""The update and risk forms as files in the repository, written from their one definition
(``ptrack.forge.fields``) and from the campaigns: what ``ptrack init`` and ``ptrack forms`` write.

- GitHub: issue forms, ``.github/ISSUE_TEMPLATE/ptrack-update.yml`` (进度更新 / Progress update)
  and ``ptrack-risk.yml`` (报告风险 / Report a risk). Every field is an ``input`` or a
  ``textarea`` with its stable ``id``: GitHub prefills only those two kinds, from the query
  parameter of the same name, so the links of ``ptrack.forge.links`` fill them. Nothing a link
  fills may be a dropdown: the campaigns' ids, task ids and people are told in the fields'
  descriptions and placeholders, and in a folded list above the fields (a ``markdown`` element,
  which is not part of the submitted issue).
- GitLab: description templates, ``.gitlab/issue_templates/进度更新.md`` and ``报告风险.md``
  (named in the repository's language, ``Form.template_name``: the links name them so): the
  Markdown a GitHub form becomes (``### Label`` sections, left empty to type in), with the help
  in HTML comments, which GitLab does not show and the issue parser ignores.

Labels and help are in one language (``locale``: zh-CN and zh-TW labels carry the English after
the Chinese). The output depends on the campaigns and the language only: same inputs, same bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ptrack.forge.fields import FORMS, RISK, UPDATE, Field, Form, description, form_about, form_name, label
from ptrack.i18n import N_, t

# How much of the campaigns a form lists: its folded list stops at LIST_TASKS tasks (and says how
# many more there are); a description names at most LIST_IDS ids.
LIST_TASKS = 200
LIST_IDS = 12
HEADER = ("# Written by `ptrack forms` from the campaigns (ptrack {version}); run it again after adding\n"
          "# campaigns, tasks or people. Field ids are stable: the update links fill them.\n")


@dataclass(frozen=True)
class CampaignInfo:
    """What a form says about one campaign: its id and name, its tasks and its people (id, name),
    in file order."""

    id: str
    name: str
    tasks: tuple[tuple[str, str], ...] = ()
    people: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, campaign) -> "CampaignInfo":
        """From a ``core.model.Campaign``."""
        return cls(campaign.id, campaign.name, tuple((task.id, task.name) for task in campaign.tasks),
                   tuple((p.id, p.name) for p in campaign.people.values()))


@dataclass(frozen=True)
class FormFile:
    path: str  # relative to the repository's root, with forward slashes
    text: str


# ---------------------------------------------------------------------------------------------
# GitHub issue forms

def github_issue_form(form: Form, locale: str | None, campaigns: Sequence[CampaignInfo] = (),
                      version: str = "") -> str:
    """The YAML of ``form`` as a GitHub issue form (valid against GitHub's issue-forms schema)."""
    import yaml

    body: list[dict] = [{"type": "markdown", "attributes": {"value": _intro(form, locale, campaigns)}}]
    for f in form.fields:
        attributes = {"label": label(f, locale), "description": _field_help(form, f, locale, campaigns)}
        placeholder = _placeholder(form, f, campaigns)
        if placeholder:
            attributes["placeholder"] = placeholder
        item: dict = {"type": f.kind, "id": f.id, "attributes": attributes}
        if f.required:
            item["validations"] = {"required": True}
        body.append(item)
    data = {
        "name": form_name(form, locale),
        "description": form_about(form, locale),
        "title": t(locale, _TITLES[form.id]),
        "labels": ["ptrack"],
        "body": body,
    }
    text = yaml.dump(data, Dumper=_dumper(), allow_unicode=True, sort_keys=False, width=1000,
                     default_flow_style=False)
    return HEADER.format(version=version) + text


@functools.cache
def _dumper():
    """PyYAML's safe dumper, made when a form is written (PyYAML is imported only then)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        """Text of several lines as a literal block (``|``), the rest as PyYAML writes it; lists
        indented under their key."""

        def increase_indent(self, flow=False, indentless=False):
            return super().increase_indent(flow, False)

    def text(dumper, value: str):
        style = "|" if "\n" in value and not any(line != line.rstrip() for line in value.split("\n")) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper


_TITLES = {"update": N_("forge.forms.update_title"), "risk": N_("forge.forms.risk_title")}


def _intro(form: Form, locale: str | None, campaigns: Sequence[CampaignInfo]) -> str:
    """The text above the fields: what happens to the form, then the campaigns' tasks (folded)."""
    parts = [t(locale, N_("forge.forms.intro_update") if form is UPDATE else N_("forge.forms.intro_risk"))]
    listing = _task_list(locale, campaigns)
    if listing:
        parts.append(listing)
    return "\n\n".join(parts)


def _task_list(locale: str | None, campaigns: Sequence[CampaignInfo]) -> str:
    lines: list[str] = []
    shown = 0
    total = sum(len(c.tasks) for c in campaigns)
    for c in campaigns:
        if shown >= LIST_TASKS:
            break
        lines.append(f"**`{c.id}`** {_md(c.name)}")
        lines.append("")
        for task_id, name in c.tasks:
            if shown >= LIST_TASKS:
                break
            lines.append(f"- `{task_id}` {_md(name)}")
            shown += 1
        lines.append("")
    if not lines:
        return ""
    if total > shown:
        lines.append(t(locale, "forge.forms.more_tasks", n=total - shown))
    summary = t(locale, "forge.forms.task_list")
    return f"<details><summary>{summary}</summary>\n\n" + "\n".join(lines).rstrip() + "\n\n</details>"


def _md(text: str) -> str:
    """Text on one line, with what Markdown or HTML would take as markup escaped."""
    one = " ".join(str(text).split())
    for c in "\\`*_[]<>|#":
        one = one.replace(c, "\\" + c)
    return one


def _field_help(form: Form, f: Field, locale: str | None, campaigns: Sequence[CampaignInfo]) -> str:
    text = description(form, f, locale)
    ids: list[str] = []
    key = None
    if f.id == "campaign":
        ids, key = [c.id for c in campaigns], N_("forge.forms.campaign_ids")
    elif f.id == "owner":
        people = dict(p for c in campaigns for p in c.people)
        ids, key = list(people), N_("forge.forms.person_ids")
    if ids and key:
        more = len(ids) - LIST_IDS
        shown = ", ".join(ids[:LIST_IDS]) + (t(locale, "forge.forms.more_ids", n=more) if more > 0 else "")
        text += " " + t(locale, key, ids=shown)
    return text


def _placeholder(form: Form, f: Field, campaigns: Sequence[CampaignInfo]) -> str | None:
    """An example in the empty field: the first campaign's id, its first task's, its first
    person's; else the field's own example (numbers, date formats)."""
    first = campaigns[0] if campaigns else None
    if f.id == "campaign" and first:
        return first.id
    if f.id == "task" and first and first.tasks:
        return first.tasks[0][0]
    if f.id == "owner" and first and first.people:
        return first.people[0][0]
    return f.placeholder


# ---------------------------------------------------------------------------------------------
# GitLab description templates

def gitlab_issue_template(form: Form, locale: str | None, campaigns: Sequence[CampaignInfo] = (),
                          version: str = "") -> str:
    """The Markdown of ``form`` as a GitLab description template: the sections a GitHub form
    becomes, each field's help in an HTML comment under its heading, and an empty line to type
    the value on (no ``_No response_`` to delete first: an empty section is an empty field)."""
    sections = [f"<!-- {_comment(_intro(form, locale, ()))} -->"]
    for f in form.fields:
        sections.append(f"### {label(f, locale)}\n\n<!-- {_comment(_field_help(form, f, locale, campaigns))} -->\n")
    return "\n\n".join(sections) + "\n"


def _comment(text: str) -> str:
    return " ".join(text.replace("--", "-").split())


# ---------------------------------------------------------------------------------------------
# The files of each forge

@dataclass(frozen=True)
class FormWriter:
    folder: str
    suffix: str
    render: Callable[..., str]


FORM_WRITERS: dict[str, FormWriter] = {
    "github": FormWriter(".github/ISSUE_TEMPLATE", ".yml", github_issue_form),
    "gitlab": FormWriter(".gitlab/issue_templates", ".md", gitlab_issue_template),
}


def form_files(forge: str, locale: str | None, campaigns: Sequence[CampaignInfo] = (),
               version: str = "", *, repo_locale: str | None = None) -> list[FormFile]:
    """The forms' files for ``forge`` (``github`` or ``gitlab``), update form first, with labels
    and help in ``locale``. GitLab's are named in ``repo_locale`` (ptrack.yaml's ``locale``;
    None: zh-CN), as the links name them, whatever the labels' language."""
    writer = FORM_WRITERS[forge]
    out = []
    for form in (UPDATE, RISK):
        name = form.filename if forge == "github" else form.template_name(repo_locale) + writer.suffix
        out.append(FormFile(f"{writer.folder}/{name}", writer.render(form, locale, campaigns, version=version)))
    return out


def forms_locale(locales: Sequence[str | None], default: str | None) -> str:
    """The forms' language: ``default`` (``--lang``, else ptrack.yaml's ``locale``) when given;
    else the campaigns' language when they all have the same; else zh-CN."""
    from ptrack.i18n import normalise_locale

    if default:
        return normalise_locale(default)
    found = {normalise_locale(x) for x in locales if x}
    return found.pop() if len(found) == 1 else "zh-CN"


__all__ = ["FORMS", "CampaignInfo", "FormFile", "form_files", "forms_locale", "github_issue_form",
           "gitlab_issue_template"]
