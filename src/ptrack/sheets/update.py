"""``ptrack update``: the daily update ("每日下班前更新实际进度") without hand-editing YAML.

The file is edited in place with ruamel.yaml's round trip (YAML 1.2, quotes preserved, the
file's own indentation, no line wrapping), so comments, key order, quoting and blank lines
survive. ruamel still normalises a few things it does not keep (``key:   value``, odd
indentation), so its output is not written as such: the edit is taken as the difference between
ruamel's dump of the untouched file and its dump of the edited one, and that difference is
applied to the original lines. Every line the edit does not touch stays byte-identical. When
that cannot be done safely (the patched text would read differently from ruamel's), ruamel's
full output is used.

The result is then loaded and validated exactly like ``ptrack validate`` would; an edit that
would make the file invalid is refused and the file is left untouched. Writes are atomic.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ptrack.core.diagnostics import Diagnostic, Severity
from ptrack.errors import PtrackError, UsageError

TASK_ORDER = ("id", "name", "description", "module", "owner", "collaborators", "department",
              "channels", "planned", "actual", "progress", "quantity", "deliverables", "depends_on",
              "weight", "budget", "status", "risks", "notes")
GOAL_ORDER = ("id", "name", "description", "owner", "kind", "target", "unit", "direction", "start",
              "due", "measurements")
RISK_ORDER = ("id", "issue", "solution", "owner", "due", "resolved", "severity")
ACTUAL_ORDER = ("start", "end")
MEASUREMENT_ORDER = ("date", "value", "note", "source")


class UpdateError(PtrackError):
    """The update names something the file does not have (unknown task, no quantity...)."""

    exit_code = 1


@dataclass(frozen=True)
class TaskEdit:
    task_id: str
    on: date  # the date a risk is resolved on
    progress: float | None = None
    start: date | None = None
    end: date | None = None
    done: float | None = None
    resolve_risk: int | None = None  # 1-based
    note: str | None = None

    def is_empty(self) -> bool:
        return all(v is None for v in (self.progress, self.start, self.end, self.done,
                                       self.resolve_risk, self.note))


@dataclass(frozen=True)
class GoalEdit:
    goal_id: str
    value: float
    on: date


@dataclass
class UpdateOutcome:
    file: str
    summary: str = ""
    changed: bool = False
    text: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    invalid_before: bool = False  # the file had errors before the edit

    @property
    def refused(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


def parse_number(text: str, option: str) -> int | float:
    """``--value 2,000,000`` -> 2000000; ``60.0`` -> 60."""
    cleaned = str(text).strip().replace(",", "").replace("_", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise UsageError(f'{option}: "{text}" is not a number') from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f'{option}: "{text}" is not a number')
    return _number(value)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


# ---------------------------------------------------------------------------------------------
# ruamel set-up

def _indentation(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as ruamel's ``indent()`` takes them, found
    in the file; defaults are those of ``ptrack import`` and the example (2, 4, 2)."""
    mapping = sequence = offset = None
    lines = text.split("\n")
    content = [(i, line) for i, line in enumerate(lines)
               if line.strip() and not line.lstrip().startswith("#")]
    for (_, parent), (_, child) in zip(content, content[1:]):
        stripped = parent.strip()
        if not re.match(r"[^\s#][^#]*:(\s+#.*)?$", stripped) or stripped.startswith("- "):
            continue
        p_indent = len(parent) - len(parent.lstrip(" "))
        c_indent = len(child) - len(child.lstrip(" "))
        if c_indent <= p_indent and not child.lstrip().startswith("- "):
            continue
        body = child.lstrip(" ")
        if body.startswith("- "):
            if offset is None and c_indent >= p_indent:
                offset = c_indent - p_indent
                after = body[1:]
                sequence = offset + 1 + (len(after) - len(after.lstrip(" ")))
        elif mapping is None:
            mapping = c_indent - p_indent
        if mapping is not None and offset is not None:
            break
    mapping = mapping or 2
    if offset is None:
        offset, sequence = 2, 4
    sequence = max(sequence, offset + 2)
    return mapping, sequence, offset


def _yaml(text: str):
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")  # YAML 1.2 unless the file says otherwise
    yaml.preserve_quotes = True
    yaml.width = 1 << 30  # never re-wrap long lines
    yaml.allow_unicode = True
    mapping, sequence, offset = _indentation(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml, data) -> str:
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Editing ruamel nodes

def _like(old, new):
    """``new`` written the way ``old`` was: a quoted date stays quoted."""
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(old, ScalarString) and isinstance(new, (str, date)) and "\n" not in str(new):
        return type(old)(str(new))
    return new


def _set(mapping, key: str, value, order: tuple[str, ...]) -> None:
    """Set ``mapping[key]``, keeping the old value's quoting; a new key goes where the format's
    field order puts it (before the first existing key that comes later)."""
    if key in mapping:
        mapping[key] = _like(mapping[key], value)
        return
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(key, len(order))
    keys = list(mapping)
    pos = next((i for i, k in enumerate(keys) if rank.get(k, -1) > mine), len(keys))
    mapping.insert(pos, key, value)


def _flow_map(pairs, flow: bool):
    from ruamel.yaml.comments import CommentedMap

    m = CommentedMap()
    for k, v in pairs:
        m[k] = v
    if flow:
        m.fa.set_flow_style()
    return m


def _is_flow(node) -> bool:
    return bool(getattr(node, "fa", None) is not None and node.fa.flow_style())


def _show(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(_number(value))
    return str(value)


def _find(items, wanted: str, kind: str, file: str):
    items = items or []
    ids = [str(item.get("id")) for item in items if hasattr(item, "get")]
    for item in items:
        if hasattr(item, "get") and str(item.get("id")) == wanted:
            return item
    match = difflib.get_close_matches(wanted, ids, n=1, cutoff=0.6)
    hint = f' (did you mean "{match[0]}"?)' if match else ""
    known = f"; the {kind}s are: {', '.join(ids)}" if ids and not match and len(ids) <= 12 else ""
    raise UpdateError(f'{file}: no {kind} "{wanted}"{hint}{known}')


def _change(label: str, old, new) -> str | None:
    if _show(old) == _show(new):
        return None
    return f"{label} {_show(old)} -> {_show(new)}" if old is not None else f"{label} {_show(new)}"


def _task_steps(edit: TaskEdit, file: str) -> list:
    """One function per change; each takes freshly loaded data, edits it and returns what it
    changed (None: nothing). Applying them one at a time keeps each change a small, clean diff."""
    from ruamel.yaml.comments import CommentedMap

    def task_of(data):
        return _find(data.get("tasks"), edit.task_id, "task", file)

    steps = []
    if edit.progress is not None:
        def progress(data):
            task = task_of(data)
            new = _number(edit.progress)
            log = _change("progress", task.get("progress"), new)
            _set(task, "progress", new, TASK_ORDER)
            return log
        steps.append(progress)

    for part, value in (("start", edit.start), ("end", edit.end)):
        if value is None:
            continue

        def actual_date(data, part=part, value=value):
            task = task_of(data)
            actual = task.get("actual")
            if not isinstance(actual, CommentedMap):
                actual = _flow_map((), _is_flow(task.get("planned")))
                _set(task, "actual", actual, TASK_ORDER)
            planned = task.get("planned") or {}
            log = _change(f"actual.{part}", actual.get(part), value)
            _set(actual, part, _like(actual.get(part, planned.get(part)), value), ACTUAL_ORDER)
            return log
        steps.append(actual_date)

    if edit.end is not None:
        def finished(data):
            task = task_of(data)
            if "progress" not in task:
                return None
            log = _change("progress", task["progress"], 100)
            task["progress"] = 100
            return log
        steps.append(finished)

    if edit.done is not None:
        def done(data):
            task = task_of(data)
            quantity = task.get("quantity")
            if not hasattr(quantity, "get"):
                raise UpdateError(f'{file}: task "{edit.task_id}" has no quantity (done/total); '
                                  "use --progress instead")
            new = _number(edit.done)
            log = _change("quantity.done", quantity.get("done"), new)
            _set(quantity, "done", new, ("done", "total", "unit"))
            return log
        steps.append(done)

    if edit.resolve_risk is not None:
        def resolve(data):
            task = task_of(data)
            risks = task.get("risks") or []
            n = edit.resolve_risk
            if not 1 <= n <= len(risks):
                has = (f"has {len(risks)} risk(s); --resolve-risk takes 1..{len(risks)}" if risks
                       else "has no risks")
                raise UpdateError(f'{file}: task "{edit.task_id}" {has}')
            risk = risks[n - 1]
            log = _change(f"risks[{n}].resolved", risk.get("resolved"), edit.on)
            _set(risk, "resolved", _like(risk.get("resolved", risk.get("due")), edit.on), RISK_ORDER)
            return log
        steps.append(resolve)

    if edit.note is not None and edit.note.strip():
        def note(data):
            task = task_of(data)
            _append_note(task, edit.note.strip())
            return "note added"
        steps.append(note)
    return steps


def _append_note(task, note: str) -> None:
    """notes += a new line. A one-line note becomes a literal block (``|-``); its end-of-line
    comment moves to the line above the key, where a block scalar leaves room for it."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    old = task.get("notes")
    text = f"{str(old).rstrip()}\n{note}" if old not in (None, "") else note
    if "\n" not in text:
        _set(task, "notes", _like(old, text) if old is not None else text, TASK_ORDER)
        return
    was_block = isinstance(old, LiteralScalarString)
    if "notes" in task:
        task["notes"] = LiteralScalarString(text)
    else:
        _set(task, "notes", LiteralScalarString(text), TASK_ORDER)
    if was_block:
        return
    entry = task.ca.items.get("notes")
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None:
        return
    value = token.value
    if value.startswith("#"):
        comment, _, rest = value.partition("\n")
        token.value = rest if rest else "\n"
        column = token.start_mark.column if getattr(token, "start_mark", None) else 0
        indent = _key_column(task, "notes", column)
        task.yaml_set_comment_before_after_key("notes", before=comment.lstrip("#").strip(), indent=indent)
    elif value.startswith("\n"):
        token.value = value[1:]  # a block scalar ends its own line: no extra line break


def _key_column(mapping, key: str, default: int) -> int:
    try:
        return mapping.lc.key(key)[1]
    except Exception:  # no position for a key added by the edit
        return default


def _goal_step(edit: GoalEdit, file: str):
    from ruamel.yaml.comments import CommentedSeq

    def step(data):
        goal = _find(data.get("goals"), edit.goal_id, "goal", file)
        day = edit.on.isoformat()
        value = _number(edit.value)
        measurements = goal.get("measurements")
        if not isinstance(measurements, CommentedSeq):
            seq = CommentedSeq()
            seq.append(_flow_map((("date", edit.on), ("value", value)), True))
            _set(goal, "measurements", seq, GOAL_ORDER)
            return f"goal {edit.goal_id}: measurement {day}: {_show(value)} (added)"
        for m in measurements:
            if hasattr(m, "get") and str(m.get("date")) == day:
                old = m.get("value")
                if _show(old) == _show(value):
                    return None
                _set(m, "value", value, MEASUREMENT_ORDER)
                return f"goal {edit.goal_id}: measurement {day}: {_show(old)} -> {_show(value)} (replaced)"
        last = measurements[-1] if len(measurements) else None
        flow = _is_flow(last) if last is not None else True
        sibling_date = last.get("date") if hasattr(last, "get") else None
        item = _flow_map((("date", _like(sibling_date, edit.on)), ("value", value)), flow)
        pos = len(measurements)
        while pos > 0 and hasattr(measurements[pos - 1], "get") and str(measurements[pos - 1].get("date")) > day:
            pos -= 1
        measurements.insert(pos, item)
        return f"goal {edit.goal_id}: measurement {day}: {_show(value)} (added)"
    return step


# ---------------------------------------------------------------------------------------------
# Applying ruamel's change to the original lines

def _is_filler(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")


def _patch(original: str, before: str, after: str) -> str | None:
    """Apply the difference ``before`` -> ``after`` (two ruamel dumps) to ``original``, or None
    when that cannot be done line for line.

    Lines of ``before`` that equal a line of ``original`` (aligned by difflib) are anchors. A
    changed region of ``before`` whose lines ruamel had normalised (no anchor) is widened to the
    next anchors on both sides and replaces the original lines between them."""
    o = original.splitlines(keepends=True)
    b = before.splitlines(keepends=True)
    e = after.splitlines(keepends=True)
    to_o = [-1] * len(b)
    for tag, b1, b2, o1, _ in difflib.SequenceMatcher(None, b, o, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(b2 - b1):
                to_o[b1 + k] = o1 + k
    to_e = [-1] * len(b)
    hunks = []
    for tag, b1, b2, e1, e2 in difflib.SequenceMatcher(None, b, e, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(b2 - b1):
                to_e[b1 + k] = e1 + k
            continue
        if tag == "insert":
            # A new key or item belongs right after the content before it, not after the blank
            # lines and comments that introduce what follows.
            while b1 > 0 and _is_filler(b[b1 - 1]) and e1 < e2 and not _is_filler(e[e1]):
                b1 -= 1
            b2 = b1
        hunks.append((b1, b2, e1, e2))
    out: list[str] = []
    cursor = b_cursor = 0
    for b1, b2, e1, e2 in hunks:
        lo, hi = b1, b2
        while lo > 0 and to_o[lo - 1] < 0:
            lo -= 1
        while hi < len(b) and to_o[hi] < 0:
            hi += 1
        if lo < b_cursor or any(to_e[k] < 0 for k in (*range(lo, b1), *range(b2, hi))):
            return None
        start = to_o[lo - 1] + 1 if lo > 0 else 0
        stop = to_o[hi] if hi < len(b) else len(o)
        if start < cursor or stop < start:
            return None
        new = [e[to_e[k]] for k in range(lo, b1)] + e[e1:e2] + [e[to_e[k]] for k in range(b2, hi)]
        out.extend(o[cursor:start])
        out.extend(new)
        cursor, b_cursor = stop, hi
    out.extend(o[cursor:])
    if any(not line.endswith("\n") for line in out[:-1]):
        return None  # an edit after a last line that has no line break
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Entry points

def apply_update(text: str, edit: TaskEdit | GoalEdit, file: str) -> UpdateOutcome:
    """The edited text of one campaign file (a pure function: text in, text out), validated."""
    from ptrack.core.loader import YamlProblem, parse_yaml, problem_to_diagnostic
    from ptrack.core.validate import validate_document

    yaml = _yaml(text)
    try:
        data = yaml.load(text)
    except Exception as exc:  # ruamel's errors share no useful base class
        raise UpdateError(f"{file}: cannot be edited in place: {str(exc).splitlines()[0]}") from None
    if isinstance(edit, TaskEdit):
        _find(data.get("tasks"), edit.task_id, "task", file)
        steps, prefix = _task_steps(edit, file), f"task {edit.task_id}: "
    else:
        _find(data.get("goals"), edit.goal_id, "goal", file)
        steps, prefix = [_goal_step(edit, file)], ""
    log: list[str] = []
    new_text = text
    for step in steps:
        before = _dump(yaml, data)
        change = step(data)
        if change is None:
            data = yaml.load(new_text)
            continue
        log.append(change)
        after = _dump(yaml, data)
        patched = _patch(new_text, before, after)
        if patched is not None:
            try:
                same = parse_yaml(patched, file).data == parse_yaml(after, file).data
            except YamlProblem:
                same = False
            if not same:
                patched = None
        new_text = patched if patched is not None else after
        data = yaml.load(new_text)
    if not log:
        return UpdateOutcome(file, f"{file}: no change", False, text)
    try:
        doc = parse_yaml(new_text, file)
        diagnostics = validate_document(doc.data, doc.source)
    except YamlProblem as problem:
        diagnostics = [problem_to_diagnostic(problem, file)]
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    return UpdateOutcome(file, f"{file}: {prefix}" + ", ".join(log), new_text != text, new_text, errors)


def update_file(path: Path | str, edit: TaskEdit | GoalEdit) -> UpdateOutcome:
    """Check the file, apply the edit, validate the result and write it atomically. Nothing is
    written when the file is invalid before or after the edit (see ``UpdateOutcome``)."""
    from ptrack.fsutil import atomic_write
    from ptrack.core.loader import YamlProblem, decode_bytes, display_path, problem_to_diagnostic, read_text
    from ptrack.core.loader import parse_yaml
    from ptrack.core.validate import validate_document

    path = Path(path)
    file = display_path(path)
    read_text(path, file)  # UsageError for a missing or unreadable path
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UpdateError(f"{file}: is UTF-16; save it as UTF-8 to update it")
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = decode_bytes(raw)
    except YamlProblem as problem:
        return UpdateOutcome(file, diagnostics=[problem_to_diagnostic(problem, file)], invalid_before=True)
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n")
    try:
        doc = parse_yaml(text, file)
        before = [d for d in validate_document(doc.data, doc.source) if d.severity is Severity.ERROR]
    except YamlProblem as problem:
        before = [problem_to_diagnostic(problem, file)]
    if before:
        return UpdateOutcome(file, diagnostics=before, invalid_before=True)
    outcome = apply_update(text, edit, file)
    if outcome.refused or not outcome.changed:
        return outcome
    out = outcome.text.replace("\n", "\r\n") if crlf else outcome.text
    data = (b"\xef\xbb\xbf" if bom else b"") + out.encode("utf-8")
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise UsageError(f"{file}: cannot write: {exc.strerror or exc}") from None
    return outcome
