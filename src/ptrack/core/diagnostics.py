"""Locations, severities and the one problem type shared by validation and checks, and the
report of them per file (what ``validate`` and ``check`` print)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTICE: 2}

JsonPath = tuple  # tuple[str | int, ...]: ("tasks", 3, "planned", "end")


def format_json_path(path: JsonPath) -> str:
    """``("tasks", 3, "planned", "end")`` -> ``tasks[3].planned.end``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            out.append(("." if out else "") + str(part))
    return "".join(out) or "(document)"


@dataclass(frozen=True)
class Location:
    file: str
    line: int = 1  # 1-based
    column: int = 1  # 1-based
    path: JsonPath = ()

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


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

    @property
    def rule(self) -> str:
        return self.code

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.severity.rank, self.code, self.message)

    def format_text(self) -> str:
        """``path:line:col: severity [code] message``, always on one line (a multi-line risk
        text would otherwise break one-finding-per-line output)."""
        message = " ".join(self.message.split("\n")).replace("\r", "")
        return f"{self.location}: {self.severity.value} [{self.code}] {message}"

    def to_dict(self) -> dict:
        loc = self.location
        return {
            "rule": self.code,
            "severity": self.severity.value,
            "file": loc.file,
            "line": loc.line,
            "column": loc.column,
            "path": format_json_path(loc.path),
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

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for r in self.results for d in r.diagnostics]

    @property
    def summary(self) -> dict[str, int]:
        return count_by_severity(self.diagnostics)

    @property
    def failed(self) -> bool:
        return has_failure(self.diagnostics, strict=self.strict)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary_line(report: CheckReport) -> str:
    s = report.summary
    files = len(report.results)
    return (f"{_plural(s['error'], 'error')}, {_plural(s['warning'], 'warning')}, "
            f"{_plural(s['notice'], 'notice')} in {_plural(files, 'file')}")
