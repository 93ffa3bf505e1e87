"""The one definition of the update and risk forms: their fields, in order, and the Markdown a
submitted form becomes (CONTRACTS.md, "Update form fields").

Everything that deals with the forms reads them from here: the links that open a form
prefilled (``ptrack.forge.links``), the generator of ``.github/ISSUE_TEMPLATE/ptrack-update.yml``
and ``ptrack-risk.yml`` (and the GitLab description templates), and the parser of submitted
issues. Field ids are stable and never renamed: GitHub prefills a form field from the query
parameter of the same name, and old links keep working.

Labels and descriptions come from the catalogs (``forge.field.<id>`` and
``forge.<form>.<id>.help``), by the campaign's locale: in zh-CN and zh-TW a label carries the
English after the Chinese (``任务编号 / Task ID``), so a form reads the same to everyone on the
team; in en it is English alone. ``labels(field)`` lists a field's label in every language, for
the parser: a body written under any of them maps back to the field's id.

A submitted GitHub issue form is Markdown: for each field in order, ``### <label>``, a blank
line, then the value or ``_No response_``; sections are separated by a blank line.
``form_body`` writes exactly that (GitLab's prefilled description is the same text, so one
parser reads both forges' issues).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ptrack.i18n import LOCALES, N_, normalise_locale, t

NO_RESPONSE = "_No response_"  # what GitHub writes for a field left empty


@dataclass(frozen=True)
class Field:
    """One field of a form. ``kind``: ``input`` (one line) or ``textarea``; ``placeholder``:
    the example shown in an empty field (not translated: numbers and date formats)."""

    id: str
    kind: str
    required: bool = False
    placeholder: str | None = None

    @property
    def label_key(self) -> str:
        return f"forge.field.{self.id}"


@dataclass(frozen=True)
class Form:
    """A form: ``id`` (``update`` or ``risk``), its GitHub issue-form file name, its GitLab
    description-template names by language (``templates``: see ``template_name``) and its
    fields."""

    id: str
    filename: str
    templates: tuple[tuple[str, str], ...]
    fields: tuple[Field, ...]

    def template_name(self, locale: str | None) -> str:
        """The GitLab description template's name in the repository's language (ptrack.yaml's
        ``locale``; zh-CN without one): the file ``.gitlab/issue_templates/<name>.md``, the name
        GitLab's template chooser shows, and the ``issuable_template`` of the links. The name a
        GitHub form shows, without the English: 进度更新, 進度更新, Progress update. Stable: a
        link already sent names it."""
        return dict(self.templates)[normalise_locale(locale)]

    def field(self, field_id: str) -> Field:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.fields)


UPDATE = Form("update", "ptrack-update.yml", (("zh-CN", "进度更新"), ("en", "Progress update"), ("zh-TW", "進度更新")), (
    Field("campaign", "input", required=True),
    Field("task", "input", required=True),
    Field("progress", "input", placeholder="60"),
    Field("done", "input", placeholder="12"),
    Field("actual_start", "input", placeholder="YYYY-MM-DD"),
    Field("actual_end", "input", placeholder="YYYY-MM-DD"),
    Field("resolve_risk", "input"),
    Field("note", "textarea"),
))
RISK = Form("risk", "ptrack-risk.yml", (("zh-CN", "报告风险"), ("en", "Report a risk"), ("zh-TW", "報告風險")), (
    Field("campaign", "input", required=True),
    Field("task", "input"),
    Field("issue", "textarea", required=True),
    Field("solution", "textarea"),
    Field("owner", "input"),
    Field("due", "input", placeholder="YYYY-MM-DD"),
))
FORMS: dict[str, Form] = {"update": UPDATE, "risk": RISK}

# The catalog keys built at run time below (scripts/i18n.py extracts them from here).
_KEYS = (
    N_("forge.field.campaign"), N_("forge.field.task"), N_("forge.field.progress"), N_("forge.field.done"),
    N_("forge.field.actual_start"), N_("forge.field.actual_end"), N_("forge.field.resolve_risk"),
    N_("forge.field.note"), N_("forge.field.issue"), N_("forge.field.solution"), N_("forge.field.owner"),
    N_("forge.field.due"),
    N_("forge.update.name"), N_("forge.update.about"), N_("forge.risk.name"), N_("forge.risk.about"),
    N_("forge.update.campaign.help"), N_("forge.update.task.help"), N_("forge.update.progress.help"),
    N_("forge.update.done.help"), N_("forge.update.actual_start.help"), N_("forge.update.actual_end.help"),
    N_("forge.update.resolve_risk.help"), N_("forge.update.note.help"),
    N_("forge.risk.campaign.help"), N_("forge.risk.task.help"), N_("forge.risk.issue.help"),
    N_("forge.risk.solution.help"), N_("forge.risk.owner.help"), N_("forge.risk.due.help"),
)


def label(field: Field, locale: str | None) -> str:
    """The field's label in ``locale`` (``任务编号 / Task ID``; ``Task ID`` in en)."""
    return t(locale, field.label_key)


def labels(field: Field) -> tuple[str, ...]:
    """The field's label in every language ptrack has, each once (what a parser accepts)."""
    return tuple(dict.fromkeys(t(locale, field.label_key) for locale in LOCALES))


def description(form: Form, field: Field, locale: str | None) -> str:
    """The help under the field (``forge.<form>.<field>.help``) in ``locale``."""
    return t(locale, f"forge.{form.id}.{field.id}.help")


def form_name(form: Form, locale: str | None) -> str:
    """The form's name in the template chooser (进度更新 / Progress update)."""
    return t(locale, f"forge.{form.id}.name")


def form_about(form: Form, locale: str | None) -> str:
    """The form's one-line description in the template chooser."""
    return t(locale, f"forge.{form.id}.about")


def field_for_label(form: Form, text: str) -> Field | None:
    """The field whose label, in any language, is ``text`` (surrounding blanks ignored)."""
    text = text.strip()
    for f in form.fields:
        if text in labels(f):
            return f
    return None


def form_body(form: Form, values: Mapping[str, str], locale: str | None) -> str:
    """The Markdown GitHub makes of a submitted form: every field in order as ``### <label>``,
    a blank line and its value (``_No response_`` when empty), the sections separated by a
    blank line. ``values``: field id -> text; an id the form does not have is an error."""
    unknown = sorted(set(values) - set(form.ids))
    if unknown:
        raise KeyError(f"the {form.id} form has no field {', '.join(unknown)}")
    sections = []
    for f in form.fields:
        value = (values.get(f.id) or "").strip()
        sections.append(f"### {label(f, locale)}\n\n{value or NO_RESPONSE}")
    return "\n\n".join(sections)
