"""Reading a submitted update or risk form back from the issue's Markdown body.

GitHub renders a submitted issue form as, for each field in order, ``### <label>``, a blank
line, then the value (``_No response_`` when it was left empty); GitLab's prefilled description
is the same text (``ptrack.forge.fields.form_body``). What arrives is not always that clean, and
this parser takes it as it comes:

- line breaks: CRLF (a browser's textarea), CR or LF;
- labels in any language ptrack has (``任务编号 / Task ID`` or ``Task ID``), surrounding blanks
  and a closing ``#`` run ignored;
- a note holding Markdown of its own: a ``###`` heading that is not one of the form's labels, a
  ``- [ ]`` checklist, a fenced code block (a heading inside a fence is always text), all stay
  in the note as they were written;
- ``_No response_`` alone is an empty field, and a ``_No response_`` line beside a value typed
  into a GitLab description is dropped; HTML comments (a GitLab template's help) are dropped;
- a field written twice (GitLab 14.8+ appends the prefilled description to the template, so the
  sections repeat): the value that is not empty wins; two different values are a problem of that
  field.

Which form a body is comes from its headings: a heading only the risk form has (``issue``,
``solution``, ``owner``, ``due``) makes it the risk form, else the update form. A body with none
of the forms' headings is not a form (an ordinary issue): ``parse_body`` returns None.

@github/issue-parser (npm), GitHub's own reader of issue forms, is the oracle this is tested
against (tests/forge/test_issue_parser.py): on the bodies GitHub renders they read the same
values. Where they differ this parser is right: a label inside a fenced code block of a note is
text here, a new field there; and this parser reads the labels of every language at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ptrack.forge.fields import FORMS, NO_RESPONSE, RISK, UPDATE, Form, field_for_label, label
from ptrack.i18n import LOCALES

_HEADING = re.compile(r"^ {0,3}###[ \t]+(.*?)[ \t]*(?:#+[ \t]*)?$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class Duplicate:
    """A field written twice with different values."""

    field: str
    values: tuple[str, ...]


@dataclass
class ParsedBody:
    """A form read back: ``form`` (``UPDATE`` or ``RISK``), ``values`` (field id -> text; a
    field left empty or missing is absent), the fields whose heading was there (``seen``),
    ``duplicates`` (fields given twice, differently), ``locales`` (the languages whose labels
    the headings used, most used first: the language to answer in when nothing else says)."""

    form: Form
    values: dict[str, str] = field(default_factory=dict)
    seen: tuple[str, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    locales: tuple[str, ...] = ()

    def get(self, field_id: str) -> str | None:
        return self.values.get(field_id)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _sections(text: str) -> list[tuple[str | None, str, list[str]]]:
    """(heading text or None for what comes before the first heading, the heading's line as
    written, the lines under it), splitting at ``###`` headings outside fenced code blocks."""
    out: list[tuple[str | None, str, list[str]]] = [(None, "", [])]
    fence: str | None = None
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * 3
        elif fence is not None and match and match.group(1).startswith(fence):
            fence = None
        elif fence is None:
            heading = _HEADING.match(line)
            if heading:
                out.append((heading.group(1), line, []))
                continue
        out[-1][2].append(line)
    return out


def _value(lines: list[str]) -> str:
    """A section's text: HTML comments dropped, blank lines around it trimmed, trailing blanks
    of each line dropped; ``_No response_`` alone is empty, and a ``_No response_`` line beside
    what someone typed is dropped (on GitLab the description is edited as Markdown: typing the
    value above or below a template's ``_No response_`` must be enough)."""
    text = _COMMENT.sub("", "\n".join(lines))
    rows = [line.rstrip() for line in text.split("\n")]
    if any(row.strip() and row.strip() != NO_RESPONSE for row in rows):
        rows = [row for row in rows if row.strip() != NO_RESPONSE]
    while rows and not rows[0].strip():
        rows.pop(0)
    while rows and not rows[-1].strip():
        rows.pop()
    value = "\n".join(rows)
    return "" if value.strip() == NO_RESPONSE else value


def _which_form(headings: list[str]) -> Form | None:
    """RISK when a heading is a label only the risk form has, UPDATE when one is any other
    label of the update form (or only the shared campaign and task are there)."""
    shared = set(UPDATE.ids) & set(RISK.ids)
    found = {form.id: {f.id for h in headings if (f := field_for_label(form, h)) is not None}
             for form in FORMS.values()}
    if found["risk"] - shared:
        return RISK
    if found["update"]:
        return UPDATE
    return None


def parse_body(body: str | None) -> ParsedBody | None:
    """The form a body holds, or None when it holds none of the forms' headings."""
    if not body or not body.strip():
        return None
    sections = _sections(normalise_newlines(body))
    form = _which_form([h for h, _, _ in sections if h is not None])
    if form is None:
        return None
    # A heading that is not one of this form's labels is text of the section it is in.
    merged: list[tuple[str, list[str]]] = []
    languages: dict[str, int] = {}
    for heading, raw, lines in sections:
        f = field_for_label(form, heading) if heading is not None else None
        if f is not None:
            merged.append((f.id, list(lines)))
            for locale in LOCALES:
                if heading.strip() == label(f, locale):
                    languages[locale] = languages.get(locale, 0) + 1
        elif merged and heading is not None:
            merged[-1][1].extend([raw, *lines])
        elif merged:
            merged[-1][1].extend(lines)
    values: dict[str, list[str]] = {}
    for field_id, lines in merged:
        text = _value(lines)
        values.setdefault(field_id, []).append(text.strip() if form.field(field_id).kind == "input" else text)
    chosen: dict[str, str] = {}
    duplicates: list[Duplicate] = []
    for field_id, texts in values.items():
        given = list(dict.fromkeys(t for t in texts if t.strip()))
        if len(given) > 1:
            duplicates.append(Duplicate(field_id, tuple(given)))
        if given:
            chosen[field_id] = given[0]
    order = sorted(languages, key=lambda loc: (-languages[loc], list(LOCALES).index(loc)))
    return ParsedBody(form, chosen, tuple(dict.fromkeys(fid for fid, _ in merged)), tuple(duplicates),
                      tuple(order))


__all__ = ["Duplicate", "ParsedBody", "normalise_newlines", "parse_body"]
