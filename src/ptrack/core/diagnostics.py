"""Locations, severities and the one problem type shared by validation and checks, and the
report of them per file (what ``validate`` and ``check`` print)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ptrack.i18n import N_, NP_, t


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTICE: 2}

JsonPath = tuple  # tuple[str | int, ...]: ("tasks", 3, "planned", "end")


def format_json_path(path: JsonPath, names: tuple = ()) -> str:
    """``("tasks", 3, "planned", "end")`` -> ``tasks[3].planned.end``; with ``names`` (the id of
    each list item on the path, None where it has none: ``Location.names``) ->
    ``tasks[poster-draft].planned.end``."""
    out: list[str] = []
    for i, part in enumerate(path):
        if isinstance(part, int):
            name = names[i] if i < len(names) else None
            out.append(f"[{part if name is None else name}]")
        else:
            out.append(("." if out else "") + str(part))
    return "".join(out) or "(document)"


def item_names(root, path: JsonPath) -> tuple:
    """The id of each list item on ``path`` in the data ``root`` (None for a key, or an item
    without a text id), as far as the path exists: what names a task by its id in messages."""
    names: list = []
    node = root
    for part in path:
        if isinstance(node, dict) and not isinstance(part, int) and part in node:
            names.append(None)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            ident = node.get("id") if isinstance(node, dict) else None
            names.append(ident if isinstance(ident, str) and ident else None)
        else:
            break
    return tuple(names) if any(n is not None for n in names) else ()


# What a list on a path holds, when its items are named by id in messages: "任务 poster-draft 的
# planned.end", "tasks[poster-draft].planned.end".
_NAMED_ITEMS = {"tasks": N_("path.task"), "milestones": N_("path.milestone"), "goals": N_("path.goal"),
                "risks": N_("path.risk")}


def describe_path(path: JsonPath, names: tuple, locale: str | None) -> str:
    """A place in a campaign file for people, naming tasks, milestones, goals, risks and people by
    their ids: ``tasks[poster-draft].planned.end`` in English, ``任务 poster-draft 的 planned.end``
    in Chinese. An item without an id keeps its index (``tasks[3].name``)."""
    if not path:
        return t(locale, "path.document")
    parts: list[str] = []
    rest: list = []
    rest_names: list = []
    i = 0
    while i < len(path):
        part = path[i]
        nxt = path[i + 1] if i + 1 < len(path) else None
        name = names[i + 1] if i + 1 < len(names) else None
        key = _NAMED_ITEMS.get(part) if isinstance(part, str) else None
        if key and isinstance(nxt, int) and name is not None:
            if rest:
                parts.append(format_json_path(tuple(rest), tuple(rest_names)))
                rest, rest_names = [], []
            parts.append(t(locale, key, id=name))
            i += 2
            continue
        if part == "people" and i == 0 and isinstance(nxt, str):
            parts.append(t(locale, "path.person", id=nxt))
            i += 2
            continue
        rest.append(part)
        rest_names.append(names[i] if i < len(names) else None)
        i += 1
    if rest:
        parts.append(format_json_path(tuple(rest), tuple(rest_names)))
    text = parts[0]
    for part in parts[1:]:
        text = t(locale, "path.of", owner=text, rest=part)
    return text


@dataclass(frozen=True)
class Place:
    """A place in a campaign file, said in the reader's language when a message is
    (``describe_path``): ``任务 poster-draft 的 planned.end``."""

    path: JsonPath
    names: tuple = ()

    def text(self, locale: str | None) -> str:
        return describe_path(self.path, self.names, locale)


@dataclass(frozen=True)
class Location:
    file: str
    line: int = 1  # 1-based
    column: int = 1  # 1-based
    path: JsonPath = ()
    # The id of each list item on ``path`` (None where it has none), when any has one
    # (``item_names``): the path by ids, ``tasks[poster-draft].planned.end``.
    names: tuple = ()

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    @property
    def id_path(self) -> str:
        """``path`` with each list item named by its id where it has one (``tasks[poster-draft].planned.end``)."""
        return format_json_path(self.path, self.names)

    def describe(self, locale: str | None) -> str:
        """``path`` for people in ``locale`` (``describe_path``)."""
        return describe_path(self.path, self.names, locale)


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in a campaign: by validation (``code`` such as ``schema``) or by a check
    rule (``code`` such as ``risk-overdue``)."""

    code: str
    severity: Severity
    message: str
    location: Location
    campaign: str | None = None
    task: str | None = None
    # What the finding is about within its task or campaign, when that is not the task itself: a
    # risk (its id, else its issue), a milestone, a goal or a person id; "" for a finding about
    # the task (or campaign) as a whole; None when not known (validation problems). It names the
    # finding across runs and edits: Code Quality's fingerprint (ptrack.reporters) is made of it.
    subject: str | None = None
    # The language ``message`` is in (the command's --lang, else the campaign's locale): the
    # severity word of ``format_text`` is said in it too. None: English words.
    locale: str | None = None

    @property
    def rule(self) -> str:
        return self.code

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.severity.rank, self.code, self.message)

    def format_text(self) -> str:
        """``path:line:col: severity [code] message``, always on one line (a multi-line risk
        text would otherwise break one-finding-per-line output). The severity is said in the
        message's language (``错误``, ``警告``, ``提示``); the rule id stays as it is."""
        message = " ".join(self.message.split("\n")).replace("\r", "")
        severity = severity_word(self.severity, self.locale or "en")
        return f"{self.location}: {severity} [{self.code}] {message}"

    def to_dict(self) -> dict:
        loc = self.location
        return {
            "rule": self.code,
            "severity": self.severity.value,
            "file": loc.file,
            "line": loc.line,
            "column": loc.column,
            "path": format_json_path(loc.path),
            "id_path": loc.id_path,
            "campaign": self.campaign,
            "task": self.task,
            "message": self.message,
        }


def count_by_severity(diagnostics) -> dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for d in diagnostics:
        counts[d.severity.value] += 1
    return counts


def has_failure(diagnostics, *, strict: bool = False) -> bool:
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in failing for d in diagnostics)


@dataclass
class FileResult:
    file: str
    diagnostics: list[Diagnostic]
    campaign_id: str | None = None


@dataclass
class CheckReport:
    results: list[FileResult]
    strict: bool = False
    rules: tuple[str, ...] = ()
    # The language of the report's own words (its summary line): --lang, else ptrack.yaml's
    # locale, else the first campaign's (each finding is in its campaign's language)
    locale: str | None = None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for r in self.results for d in r.diagnostics]

    @property
    def summary(self) -> dict[str, int]:
        return count_by_severity(self.diagnostics)

    @property
    def failed(self) -> bool:
        return has_failure(self.diagnostics, strict=self.strict)


_SEVERITY_WORDS = {Severity.ERROR: N_("severity.error"), Severity.WARNING: N_("severity.warning"),
                   Severity.NOTICE: N_("severity.notice")}


def severity_word(severity: Severity, locale: str | None) -> str:
    """``error`` / ``错误`` / ``錯誤``: a severity for people (data formats keep ``severity.value``)."""
    return t(locale, _SEVERITY_WORDS[severity])


def summary_line(report: CheckReport, locale: str | None = None) -> str:
    """"2 errors, 1 warning, 0 notices in 3 files" / "2 个错误，1 个警告，0 个提示（共 3 个文件）"."""
    s = report.summary
    loc = locale or report.locale or "en"
    return t(loc, "summary.findings", errors=t(loc, NP_("summary.errors"), n=s["error"]),
             warnings=t(loc, NP_("summary.warnings"), n=s["warning"]),
             notices=t(loc, NP_("summary.notices"), n=s["notice"]),
             files=t(loc, NP_("summary.files"), n=len(report.results)))
