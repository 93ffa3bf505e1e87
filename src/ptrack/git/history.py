"""A campaign's past: its versions in git, one point per day, task-level changes, stale tasks.

``load_history(path)`` reads the file's versions (``gitio``: one ``git log`` and one
``git cat-file --batch``) and answers:

- ``points(as_of)``: one point per day that has commits on the branch (the last valid version of
  that day), computed as of that day: planned, actual, deviation for the campaign and each task.
  The branch is HEAD's first-parent line, so a merged pull request counts on the day it was
  merged, in its merged form.
- ``task_changes(as_of)``: when each task's own entry changed, by whom. A task changed in a
  commit when its entry (the task's mapping, canonicalised as JSON with sorted keys) differs from
  its entry in every parent of the commit: a merge that only combines both sides changes
  nothing, and the change is credited to the commit that made it.
- ``last_changes_of(as_of, ids)``: the same as ``last_changes(as_of)`` for a few tasks, walking
  the versions newest first and stopping when each has its last change (older blobs are never
  read).

What ``check`` and the site take from a history (stale tasks, trend, last updates, the baseline)
is in ``ptrack.git.tracking``.

Speed: each distinct blob is read once. The task entries of a version come from splitting its
``tasks:`` block into one text chunk per task and parsing only chunks not seen before (a commit
usually touches one or two tasks); anything unusual (flow style, anchors shared across tasks)
falls back to parsing the whole file. Only the versions that become day points are validated and
computed, and each only once; their schema check is split (each distinct task chunk against the
task definition once, each distinct rest of the file once: ``REUSE_CHECKS``) and each task's
model is built once per (chunk, index), the semantic checks and the campaign per version.
Outside git, for a file not committed yet, or when git is missing, the history holds the working
tree only and says why in ``notes``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from ptrack.core.calendars import WorkCalendar
from ptrack.core.compute import CampaignSnapshot, compute_snapshot
from ptrack.core.diagnostics import Severity
from ptrack.errors import PtrackError
from ptrack.i18n import M_, NP_, Said
from ptrack.git.gitio import FileVersion, GitUnavailable, NotAGitRepository, Repository
from ptrack.core.loader import (LoadedDocument, YamlProblem, decode_bytes, display_path, parse_yaml,
                                read_bytes_limited)
from ptrack.core.model import Task, build_campaign, build_task
from ptrack.core.validate import (LoadResult, load_campaign_bytes, rest_passes_schema, schema_split_available,
                             semantic_diagnostics, task_passes_schema, validate_document)

Progress = Callable[[int, int], None]


# ---------------------------------------------------------------------------------------------
# Task entries of one version

@dataclass(frozen=True)
class TaskEntry:
    """One task's entry in one version of the file, as data (not validated)."""

    id: str
    canonical: str  # json.dumps(entry, sort_keys=True): equal text <=> equal entry
    name: str | None
    owner: str | None
    planned_start: date | None
    planned_end: date | None
    reason: str | None = None  # planned.reason: why the planned dates last changed


def _iso(value) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _entry(data) -> TaskEntry | None:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    planned = data.get("planned") if isinstance(data.get("planned"), dict) else {}
    name = data.get("name")
    owner = data.get("owner")
    return TaskEntry(data["id"], json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                                            default=str),
                     name if isinstance(name, str) else None, owner if isinstance(owner, str) else None,
                     _iso(planned.get("start")), _iso(planned.get("end")),
                     planned.get("reason") if isinstance(planned.get("reason"), str) else None)


_TASKS_KEY = re.compile(r"^tasks:[ \t]*(?:#[^\n]*)?\r?$", re.M)
_LINE_START = re.compile(r"^( *)([^ \n])", re.M)


def _task_chunks(text: str) -> list[str] | None:
    """The ``tasks:`` block of a block-style file cut into one text per task (each parses alone
    as a one-item list); None when the layout is not the plain one."""
    block = _task_block(text)
    return block[0] if block else None


def _task_block(text: str) -> tuple[list[str], int, int] | None:
    """(chunks, offset of the ``tasks:`` line, offset just after the block). Only lines whose
    first character is at or left of the items' column are looked at (by a regex), so a task's
    own lines cost nothing: this runs for every version of the file."""
    found = _TASKS_KEY.search(text)
    if found is None or _TASKS_KEY.search(text, found.end()) is not None:
        return None
    starts: list[int] = []
    indent = None
    end = len(text)
    pos = found.end()
    pattern = _LINE_START
    while True:
        m = pattern.search(text, pos)
        if m is None:
            break
        pos = m.end()
        column, char = len(m.group(1)), m.group(2)
        if char == "#" or char == "\r":
            continue
        if char == "\t":
            return None
        after = text[m.end():m.end() + 1]
        is_item = char == "-" and after in ("", " ", "\t", "\n", "\r")
        if indent is None:
            if not is_item:
                return None
            indent = column
            pattern = re.compile(r"^( {0,%d})([^ \n])" % indent, re.M)
        if column == indent and is_item:
            starts.append(m.start())
            continue
        if column == indent and indent > 0:
            return None
        end = m.start()
        break
    if not starts:
        return None
    bounds = starts + [end]
    return [text[bounds[i]:bounds[i + 1]] for i in range(len(starts))], found.start(), end


# ``_EntryCache.load`` checks each distinct task chunk against the schema's task definition
# once, parses and checks each distinct rest of the file once and builds each (chunk, index)'s
# model once. False: every version is checked and built whole (the same results, slower; the
# tests compare both).
REUSE_CHECKS = True


class _EntryCache:
    """Task entries (and their data) by chunk text, shared by all versions of a file."""

    def __init__(self) -> None:
        self.by_chunk: dict[str, tuple[TaskEntry, dict] | None] = {}
        self.task_ok: dict[str, bool] = {}  # chunk -> its task passes the schema's task definition
        self.models: dict[tuple[str, int], Task] = {}  # (chunk, index in tasks) -> its model
        self.rests: dict[str, tuple[LoadedDocument | None, bool]] = {}  # rest -> (parsed, schema ok)

    def _chunk(self, chunk: str, file: str) -> tuple[TaskEntry, dict] | None:
        if chunk not in self.by_chunk:
            self.by_chunk[chunk] = self._parse_chunk(chunk, file)
        return self.by_chunk[chunk]

    def tasks(self, chunks: list[str], file: str) -> list[tuple[TaskEntry, dict]] | None:
        out = []
        for chunk in chunks:
            got = self._chunk(chunk, file)
            if got is None:
                return None
            out.append(got)
        return out

    def table(self, raw: bytes, file: str) -> dict[str, TaskEntry] | None:
        """Task id -> entry for one version; None when the file cannot be read as YAML."""
        try:
            text = decode_bytes(raw)
        except YamlProblem:
            return None
        chunks = _task_chunks(text)
        tasks = self.tasks(chunks, file) if chunks is not None else None
        if tasks is not None:
            return {entry.id: entry for entry, _ in tasks}
        try:
            data = parse_yaml(text, file).data
        except YamlProblem:
            return None
        tasks = data.get("tasks") if isinstance(data, dict) else None
        entries = [_entry(t) for t in tasks] if isinstance(tasks, list) else []
        return {e.id: e for e in entries if e is not None}

    @staticmethod
    def _parse_chunk(chunk: str, file: str) -> tuple[TaskEntry, dict] | None:
        try:
            data = parse_yaml(chunk, file).data
        except YamlProblem:
            return None
        if not isinstance(data, list) or len(data) != 1:
            return None
        entry = _entry(data[0])
        return (entry, data[0]) if entry is not None else None

    def load(self, raw: bytes, file: str, policy_defaults) -> LoadResult | None:
        """A valid version built from its cached task chunks plus a parse of the rest of the file
        (a commit rarely touches more than a task or two, so most of the file is not parsed
        again), without its warnings: the source map here covers the rest of the file only, so
        they could not be put on their lines. None when that does not apply, the version has
        errors or an inconsistent policy: the caller then loads it the ordinary way, which
        locates every problem on its line."""
        try:
            text = decode_bytes(raw)
        except YamlProblem:
            return None
        block = _task_block(text)
        if block is None:
            return None
        chunks, start, end = block
        tasks = self.tasks(chunks, file)
        if tasks is None:
            return None
        if REUSE_CHECKS and schema_split_available():
            return self._load_reusing(text[:start] + text[end:], chunks, tasks, file, policy_defaults)
        try:
            doc = parse_yaml(text[:start] + text[end:], file)
        except YamlProblem:
            return None
        if not isinstance(doc.data, dict) or "tasks" in doc.data:
            return None
        # The task data is shared by every version with the same chunk: validation only adds the
        # schema's defaults (the same each time) and the model copies values out of it.
        data = {**doc.data, "tasks": [d for _, d in tasks]}
        if any(d.severity is Severity.ERROR for d in validate_document(data, doc.source)):
            return None
        return _consistent(LoadResult(file, [], build_campaign(data, file, doc.source, policy_defaults)),
                           policy_defaults)

    def _load_reusing(self, rest: str, chunks: list[str], tasks: list[tuple[TaskEntry, dict]], file: str,
                      policy_defaults) -> LoadResult | None:
        """``load`` with the schema check split (``validate.task_passes_schema`` once per distinct
        chunk, ``validate.rest_passes_schema`` once per distinct rest of the file: together the
        whole document's verdict) and each task's model built once per (chunk, index). The
        semantic checks and the campaign are still made for the whole version."""
        if rest not in self.rests:
            try:
                doc = parse_yaml(rest, file)
            except YamlProblem:
                doc = None
            usable = doc is not None and isinstance(doc.data, dict) and "tasks" not in doc.data
            self.rests[rest] = (doc, rest_passes_schema(doc.data)) if usable else (None, False)
        doc, rest_ok = self.rests[rest]
        if doc is None or not rest_ok:
            return None
        for chunk, (_, task) in zip(chunks, tasks):
            ok = self.task_ok.get(chunk)
            if ok is None:
                ok = self.task_ok[chunk] = task_passes_schema(task)
            if not ok:
                return None
        data = {**doc.data, "tasks": [d for _, d in tasks]}
        if any(d.severity is Severity.ERROR for d in semantic_diagnostics(data, doc.source)):
            return None
        models = []
        for i, (chunk, (_, task)) in enumerate(zip(chunks, tasks)):
            model = self.models.get((chunk, i))
            if model is None:
                model = self.models[(chunk, i)] = build_task(task, i)
            models.append(model)
        return _consistent(LoadResult(file, [], build_campaign(data, file, doc.source, policy_defaults, tasks=models)),
                           policy_defaults)


def _consistent(result: LoadResult, policy_defaults) -> LoadResult | None:
    """``result``, or None when ptrack.yaml's policy defaults under the campaign's own policy
    put deviation_warn above deviation_fail: the full load reports that error."""
    policy = result.campaign.policy
    if policy_defaults and policy.deviation_warn > policy.deviation_fail:
        return None
    return result


# ---------------------------------------------------------------------------------------------
# Points and changes

@dataclass(frozen=True)
class TaskPoint:
    planned_progress: float
    actual_progress: float
    deviation: float
    status: str
    health: str


@dataclass(frozen=True)
class HistoryPoint:
    """Where the campaign stood at the end of ``date``, by the last version of that day."""

    date: date
    commit: str | None  # None: the working tree (a file not committed yet)
    author: str | None
    planned_progress: float
    actual_progress: float
    deviation: float
    status: str
    health: str
    tasks: Mapping[str, TaskPoint]

    @classmethod
    def of(cls, snapshot: CampaignSnapshot, version: FileVersion | None) -> "HistoryPoint":
        tasks = {ts.task.id: TaskPoint(ts.planned_progress, ts.actual_progress, ts.deviation,
                                       ts.status.value, ts.health.value) for ts in snapshot.tasks}
        return cls(snapshot.as_of, version.commit if version else None, version.author if version else None,
                   snapshot.planned_progress, snapshot.actual_progress, snapshot.deviation,
                   snapshot.status.value, snapshot.health.value, tasks)

    def to_dict(self) -> dict:
        return {"date": self.date.isoformat(), "commit": self.commit, "author": self.author,
                "planned_progress": self.planned_progress, "actual_progress": self.actual_progress,
                "deviation": self.deviation,
                "tasks": {tid: {"planned_progress": p.planned_progress, "actual_progress": p.actual_progress,
                                "deviation": p.deviation, "status": p.status, "health": p.health}
                          for tid, p in self.tasks.items()}}


WORKING_TREE = "working tree"


@dataclass(frozen=True)
class TaskChange:
    """A commit (or the working tree) that changed one task's entry."""

    task_id: str
    date: date
    commit: str | None  # None: uncommitted change in the working tree
    author: str | None
    timestamp: int
    old: TaskEntry | None  # None: the task was added
    new: TaskEntry

    @property
    def who(self) -> str:
        return self.author if self.commit else WORKING_TREE

    @property
    def replanned(self) -> bool:
        """The change moved the task's planned start or end (not its first appearance)."""
        return self.old is not None and (self.old.planned_start, self.old.planned_end) != (
            self.new.planned_start, self.new.planned_end)

    @property
    def reason(self) -> str | None:
        """Why, for a re-plan: the ``planned.reason`` the new version has beside its dates (what
        ``ptrack update --planned-* --reason`` writes; a re-plan without one removes it)."""
        return self.new.reason if self.replanned else None


@dataclass(frozen=True)
class Replan:
    """A change that moved a task's planned dates: ``ptrack history``'s ``replans``."""

    change: TaskChange
    days: int  # working days the planned end moved (signed)

    def to_dict(self) -> dict:
        c = self.change
        return {"date": c.date.isoformat(), "commit": c.commit, "author": c.author, "task": c.task_id,
                "old_start": _iso_text(c.old.planned_start), "new_start": _iso_text(c.new.planned_start),
                "old_end": _iso_text(c.old.planned_end), "new_end": _iso_text(c.new.planned_end),
                "days": self.days, "reason": c.reason}


def _iso_text(d: date | None) -> str | None:
    return d.isoformat() if d else None


@dataclass
class CampaignHistory:
    """The versions of one campaign file and what they say. Close it (or use ``with``)."""

    file: str  # as shown to the user
    path: Path
    policy_defaults: Mapping[str, object] | None = None
    repo: Repository | None = None
    relpath: str | None = None
    versions: list[FileVersion] = field(default_factory=list)  # oldest first
    notes: list[str] = field(default_factory=list)
    worktree: bytes | None = None
    progress: Progress | None = None
    missing: str | None = None  # why git knows no version: git-missing, not-a-repository, not-committed
    reason: str | None = None  # the same in words
    _owns_repo: bool = False
    _tables: dict[str | None, dict[str, TaskEntry] | None] = field(default_factory=dict, repr=False)
    _entries: _EntryCache = field(default_factory=_EntryCache, repr=False)
    _first_parent: set[str] | None = field(default=None, repr=False)
    _changes: list[TaskChange] | None = field(default=None, repr=False)
    _last_of: dict = field(default_factory=dict, repr=False)  # last_changes_of's answers, by question

    # -- what is available -------------------------------------------------------------------
    @property
    def in_git(self) -> bool:
        """True when git knows at least one version of the file."""
        return bool(self.versions)

    @property
    def head(self) -> FileVersion | None:
        return self.versions[-1] if self.versions else None

    def close(self) -> None:
        if self._owns_repo and self.repo is not None:
            self.repo.close()

    def __enter__(self) -> "CampaignHistory":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading versions --------------------------------------------------------------------
    def table(self, blob: str | None) -> dict[str, TaskEntry] | None:
        """Task entries of the version with this blob ({} for an absent file, None: unreadable)."""
        if blob is None:
            return {}
        if blob not in self._tables:
            raw = self.repo.blob(blob) if self.repo else None
            self._tables[blob] = None if raw is None else self._entries.table(raw, self.file)
        return self._tables[blob]

    def worktree_table(self) -> dict[str, TaskEntry] | None:
        return None if self.worktree is None else self._entries.table(self.worktree, self.file)

    def load(self, version: FileVersion) -> LoadResult | None:
        """The campaign of ``version`` (None: unreadable). A valid version's result carries no
        warnings (they are for the current file, located on its lines); an invalid one's carries
        every diagnostic, as ``load_campaign_bytes`` gives them."""
        raw = self.repo.blob(version.blob) if self.repo and version.blob else None
        if raw is None:
            return None
        fast = self._entries.load(raw, self.file, self.policy_defaults)
        return fast if fast is not None else load_campaign_bytes(raw, self.file, self.policy_defaults)

    @property
    def worktree_dirty(self) -> bool:
        """The file on disk differs from its last committed version."""
        if self.worktree is None or self.head is None:
            return False
        raw = self.repo.blob(self.head.blob) if self.repo else None
        return raw is None or raw.replace(b"\r\n", b"\n") != self.worktree.replace(b"\r\n", b"\n")

    # -- day points --------------------------------------------------------------------------
    def on_branch(self, version: FileVersion) -> bool:
        """The version is on HEAD's first-parent line (a merged pull request counts on the day it
        was merged, in its merged form)."""
        if self._first_parent is None:
            first = min((v.timestamp for v in self.versions), default=None)
            self._first_parent = self.repo.first_parent_commits(first) if self.repo else set()
        return not self._first_parent or version.commit in self._first_parent

    def points(self, as_of: date | None = None) -> list[HistoryPoint]:
        """One point per day with commits on the branch up to ``as_of``; for a file that git does
        not know, one point for the working tree as of ``as_of``."""
        if not self.versions:
            return self._worktree_point(as_of)
        by_day: dict[date, list[FileVersion]] = {}
        for v in self.versions:
            if v.blob is None or (as_of is not None and v.day > as_of) or not self.on_branch(v):
                continue
            by_day.setdefault(v.day, []).append(v)
        out: list[HistoryPoint] = []
        days = sorted(by_day)
        for n, day in enumerate(days):
            if self.progress:
                self.progress(n, len(days))
            for version in reversed(by_day[day]):
                result = self.load(version)
                if result is not None and result.ok:
                    out.append(HistoryPoint.of(compute_snapshot(result.campaign, as_of=day), version))
                    break
                self.notes.append(Said(self._invalid_note(version, result)))
        if self.progress:
            self.progress(len(days), len(days))
        return out

    def _worktree_point(self, as_of: date | None) -> list[HistoryPoint]:
        if self.worktree is None or as_of is None:
            return []
        result = load_campaign_bytes(self.worktree, self.file, self.policy_defaults)
        if not result.ok:
            return []
        return [HistoryPoint.of(compute_snapshot(result.campaign, as_of=as_of), None)]

    def _invalid_note(self, version: FileVersion, result: LoadResult | None):
        where = M_("git.version", file=self.file, commit=version.commit[:7], day=version.day.isoformat(),
                   author=version.author)
        if result is None:
            return M_("git.version_unreadable", where=where)
        errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
        first = errors[0] if errors else None
        if first is None:  # pragma: no cover - an invalid result has an error
            return M_("git.version_invalid", where=where, n=len(errors), line="?", message="")
        return M_(NP_("git.version_invalid"), where=where, n=len(errors), line=first.location.line,
                  message=first.message)

    # -- task changes ------------------------------------------------------------------------
    def task_changes(self) -> list[TaskChange]:
        """Every change of a task's entry in the committed history, oldest first."""
        if self._changes is not None:
            return self._changes
        changes: list[TaskChange] = []
        last_readable: dict[str, TaskEntry] | None = None
        total = len(self.versions)
        for n, v in enumerate(self.versions):
            if self.progress and n % 50 == 0:
                self.progress(n, total)
            table = self.table(v.blob)
            if table is None:
                continue
            fallback = last_readable if last_readable is not None else {}
            changes += self._version_changes(v, table, lambda: fallback)
            last_readable = table
        self._changes = changes
        return changes

    def _version_changes(self, v: FileVersion, table: dict[str, TaskEntry],
                         fallback: Callable[[], dict[str, TaskEntry]],
                         only: Iterable[str] | None = None) -> list[TaskChange]:
        """The tasks of ``table`` (the entries of version ``v``; with ``only``: just those ids)
        whose entry differs from their entry in every parent of ``v``. A parent that cannot be
        read counts as ``fallback()``: the last readable version before ``v`` (oldest first)."""
        previous = []
        for blob in v.parent_blobs:
            t = self.table(blob)
            if t is None:  # unreadable parent: the last version that could be read
                t = fallback()
            previous.append(t)
        items = table.items() if only is None else [(tid, table[tid]) for tid in only if tid in table]
        out = []
        for tid, entry in items:
            olds = [p.get(tid) for p in previous]
            if any(o is not None and o.canonical == entry.canonical for o in olds):
                continue
            old = next((o for o in olds if o is not None), None)
            out.append(TaskChange(tid, v.day, v.commit, v.author, v.timestamp, old, entry))
        return out

    def _readable_before(self, index: int) -> dict[str, TaskEntry]:
        """The task entries of the last readable version before ``versions[index]`` ({} when
        none): what ``task_changes`` uses for an unreadable parent."""
        for j in range(index - 1, -1, -1):
            table = self.table(self.versions[j].blob)
            if table is not None:
                return table
        return {}

    def worktree_changes(self, as_of: date) -> list[TaskChange]:
        """Tasks whose entry on disk differs from the last commit: changed on ``as_of``."""
        if not self.worktree_dirty:
            return []
        now = self.worktree_table()
        before = self.table(self.head.blob) if self.head else {}
        if now is None:
            return []
        before = before or {}
        return [TaskChange(tid, as_of, None, None, 2 ** 62, before.get(tid), e)
                for tid, e in now.items()
                if before.get(tid) is None or before[tid].canonical != e.canonical]

    def last_changes(self, as_of: date, *, worktree: bool = True) -> dict[str, TaskChange]:
        """The latest change of each task up to the end of ``as_of`` (with uncommitted ones)."""
        out: dict[str, TaskChange] = {}
        changes = [c for c in self.task_changes() if c.date <= as_of]
        if worktree:
            changes += self.worktree_changes(as_of)
        for c in changes:
            if c.task_id not in out or c.timestamp >= out[c.task_id].timestamp:
                out[c.task_id] = c
        return out

    def last_changes_of(self, as_of: date, ids: Iterable[str], *, worktree: bool = True) -> dict[str, TaskChange]:
        """``last_changes(as_of, worktree=...)`` restricted to the tasks ``ids``, without reading
        the whole history: uncommitted changes first (they win), then the versions newest first
        (committer time; equal times: the later version first, as ``last_changes`` breaks ties),
        skipping those dated after ``as_of``, until every id has its change. Blobs are read from
        ``git cat-file --batch`` one at a time as the walk needs them, so older versions are
        neither read nor parsed. An id that never changed (not in any version) costs the whole
        walk; it is absent from the result, as from ``last_changes``."""
        wanted = set(ids)
        key = (as_of, frozenset(wanted), worktree)
        if key in self._last_of:  # asked already (the as-of record and the stale-task rule ask alike)
            return dict(self._last_of[key])
        self._last_of[key] = found = self._last_changes_of(as_of, wanted, worktree)
        return dict(found)

    def _last_changes_of(self, as_of: date, wanted: set[str], worktree: bool) -> dict[str, TaskChange]:
        if self._changes is not None:  # the whole history is read already
            return {tid: c for tid, c in self.last_changes(as_of, worktree=worktree).items() if tid in wanted}
        out: dict[str, TaskChange] = {}
        if not wanted:
            return out
        if worktree:
            for c in self.worktree_changes(as_of):
                if c.task_id in wanted:
                    out[c.task_id] = c
        versions = self.versions
        for i in sorted(range(len(versions)), key=lambda i: (versions[i].timestamp, i), reverse=True):
            if len(out) == len(wanted):
                break
            v = versions[i]
            if v.day > as_of:
                continue
            table = self.table(v.blob)
            if table is None:
                continue
            remaining = [tid for tid in wanted if tid not in out]
            for c in self._version_changes(v, table, lambda i=i: self._readable_before(i), only=remaining):
                out[c.task_id] = c
        return out


def load_history(path: Path | str, *, policy_defaults: Mapping[str, object] | None = None,
                 repo: Repository | None = None, progress: Progress | None = None,
                 file: str | None = None) -> CampaignHistory:
    """The history of one campaign file. Never raises for missing git, a folder outside git or
    a file not committed yet: the history is then the working tree only and ``notes`` says why.
    Raises GitError only when git itself fails unexpectedly."""
    path = Path(path)
    file = file or display_path(path)
    try:
        worktree = read_bytes_limited(path, file)
    except (OSError, PtrackError, YamlProblem):  # missing, not a regular file, too large: said when loaded
        worktree = None
    history = CampaignHistory(file, path, policy_defaults, worktree=worktree, progress=progress)
    try:
        if repo is None:
            repo = Repository.discover(path)
            history._owns_repo = True
        history.repo = repo
        history.relpath = repo.relpath(path)
        history.versions = repo.file_log(history.relpath)
    except (GitUnavailable, NotAGitRepository) as exc:
        history.missing = "git-missing" if isinstance(exc, GitUnavailable) else "not-a-repository"
        history.reason = exc.message
        history.notes.append(Said(M_("git.working_tree_only", reason=exc.message)))
        return history
    if not history.versions:
        history.missing = "not-committed"
        history.reason = M_("git.not_committed", file=file)
        history.notes.append(Said(M_("git.not_committed_note", file=file)))
    elif repo.shallow:
        history.notes.append(Said(M_("git.file_note", file=file, note=repo.shallow_note)))
    return history


# ---------------------------------------------------------------------------------------------
# ptrack history: the report and its formats

@dataclass
class CampaignTrack:
    campaign_id: str | None
    file: str
    points: list[HistoryPoint]
    replans: list[Replan] = field(default_factory=list)  # every re-plan committed by the as-of day


@dataclass
class HistoryReport:
    tracks: list[CampaignTrack]
    notes: list[str] = field(default_factory=list)
    diagnostics: list = field(default_factory=list)


def history_report(files: Sequence[Path], as_of: date, *, policy_defaults=None,
                   progress: Progress | None = None, locale: str | None = None,
                   default_locale: str | None = None) -> HistoryReport:
    from ptrack.core.validate import load_campaign

    report = HistoryReport([])
    for path in files:
        current = load_campaign(path, policy_defaults, locale=locale, default_locale=default_locale)
        report.diagnostics += current.diagnostics
        with load_history(path, policy_defaults=policy_defaults, progress=progress,
                          file=current.file) as history:
            points = history.points(as_of)
            replans = _replans(history, as_of, current.campaign.work_calendar if current.ok else None)
            if history.in_git and history.worktree_dirty:
                history.notes.append(Said(M_("git.uncommitted", file=current.file)))
            report.notes += history.notes
            cid = current.campaign.id if current.ok else _last_id(history)
        report.tracks.append(CampaignTrack(cid, current.file, points, replans))
    return report


def _replans(history: CampaignHistory, as_of: date, cal: WorkCalendar | None) -> list[Replan]:
    """The committed changes that moved a task's planned dates, oldest first, up to ``as_of``
    (working days on ``cal``, the current version's calendar; Monday to Friday without one)."""
    from ptrack.core.calendars import get_calendar, working_days_between

    if not history.in_git:
        return []
    cal = cal or get_calendar("weekends")
    out = []
    for c in history.task_changes():
        if c.date > as_of or not c.replanned:
            continue
        days = working_days_between(cal, c.old.planned_end, c.new.planned_end) \
            if c.old.planned_end and c.new.planned_end else 0
        out.append(Replan(c, days))
    return out


def _last_id(history: CampaignHistory) -> str | None:
    for v in reversed(history.versions):
        result = history.load(v)
        if result is not None and result.ok:
            return result.campaign.id
    return None


def _track_dict(track: CampaignTrack) -> dict:
    return {"campaign": track.campaign_id, "file": track.file, "points": [p.to_dict() for p in track.points],
            "replans": [r.to_dict() for r in track.replans]}


def history_json(report: HistoryReport) -> str:
    from ptrack.reporters import dump_json

    if len(report.tracks) == 1:
        return dump_json(_track_dict(report.tracks[0]))
    return dump_json({"campaigns": [_track_dict(t) for t in report.tracks]})


CSV_COLUMNS = ("campaign", "date", "commit", "author", "task", "planned_progress", "actual_progress",
               "deviation", "status", "health", "replan")


def history_csv(report: HistoryReport) -> str:
    """One row per point and campaign (task empty) and per point and task. ``replan``: on a
    task's row, the re-plans of that task committed that day (``planned.end 2024-10-18 →
    2024-10-23 (+3): reason``), one per line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for track in report.tracks:
        by_day: dict[tuple[date, str], list[str]] = {}
        for r in track.replans:
            by_day.setdefault((r.change.date, r.change.task_id), []).append(_replan_cell(r))
        for p in track.points:
            head = [track.campaign_id or "", p.date.isoformat(), p.commit or "", p.author or ""]
            writer.writerow(head + ["", p.planned_progress, p.actual_progress, p.deviation, p.status, p.health, ""])
            for tid, tp in p.tasks.items():
                writer.writerow(head + [tid, tp.planned_progress, tp.actual_progress, tp.deviation,
                                        tp.status, tp.health, "\n".join(by_day.get((p.date, tid), ()))])
    return out.getvalue()


def _replan_cell(r: Replan) -> str:
    c = r.change
    parts = [f"planned.{part} {a.isoformat()} → {b.isoformat()}"
             for part, a, b in (("start", c.old.planned_start, c.new.planned_start),
                                ("end", c.old.planned_end, c.new.planned_end)) if a and b and a != b]
    text = ", ".join(parts) + (f" ({r.days:+d})" if r.days else "")
    return f"{text}: {c.reason}" if c.reason else text


HISTORY_REPORTERS: dict[str, Callable[[HistoryReport], str]] = {"json": history_json, "csv": history_csv}
