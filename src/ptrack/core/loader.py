"""Strict YAML loading: data plus a source map, straight from the parser's event stream.

Why events and not ``yaml.load``: PyYAML's composer recurses (libyaml's compiled one segfaults on
a 200,000-deep ``[[[...]]]``) and its constructor resolves YAML 1.1 booleans (``NO``, ``on``) and
timestamps. Building the data from events with an explicit stack gives, in one pass:

- only ``true``/``false`` as booleans, ``null``/``~``/empty as null, decimal ints and floats;
  everything else, dates included, stays a string;
- duplicate keys reported at the second key;
- no tags but ``!!str`` and friends of the core schema (``!!python/...`` is an error);
- bounded nesting depth and bounded alias expansion (no "billion laughs");
- the line and column of every key and value, kept per container, so a diagnostic can point at
  any node by its JSON path without building a path for every node up front;
- on request (``parse_yaml(text, spans=True)``, what ``ptrack.edit`` asks for), the character
  offsets where every key and value start and end and the style each was written in: the spans
  the editor replaces, and nothing else.

Files are read by ``read_bytes_limited``: regular files only (after following links), never more
than ``MAX_BYTES``, opened without blocking, so that a link to ``/dev/zero`` or a FIFO is refused
with a message instead of filling memory or hanging.
"""

from __future__ import annotations

import gc
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ptrack.core.diagnostics import Diagnostic, JsonPath, Location, Place, Severity, item_names
from ptrack.errors import UsageError
from ptrack.i18n import M_, N_, Message, say

try:  # the libyaml parser, when PyYAML was built with it
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on the PyYAML build
    _Parser = None

MAX_DEPTH = 100
MAX_ALIAS_EXPANSION = 100_000
MAX_BYTES = 64 * 1024 * 1024

_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_CORE = "tag:yaml.org,2002:"
_STR_TAGS = frozenset((_CORE + "str", "!"))


class YamlProblem(Exception):
    """A content problem with a 1-based position; becomes a Diagnostic. ``message`` is a
    ``ptrack.i18n.Message`` (said in the campaign's language by ``problem_to_diagnostic``);
    ``str()`` is its English text."""

    def __init__(self, message: Message | str, line: int, column: int, code: str = "syntax"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code

    def __str__(self) -> str:
        return str(self.message)

    def text(self, locale: str | None) -> str:
        return say(self.message, locale)


@dataclass
class SourceMap:
    """Positions of every key and value, kept per container (keyed by ``id``)."""

    file: str
    root: object = None
    root_mark: tuple[int, int] = (1, 1)
    marks: dict = field(default_factory=dict, repr=False)
    # With ``parse_yaml(..., spans=True)``: per container (keyed by ``id``) the character offsets
    # of each entry, ``{key: (key_start, key_end, start, end, style)}`` for a mapping and
    # ``[(start, end, style), ...]`` for a list; ``root_span`` is the document's. ``end`` is where
    # the parser's event ends: after ``}``/``]`` for a flow collection, after a scalar's last
    # character (a block scalar's trailing line breaks included); for a block collection it is
    # where the next token starts, so use the last entry's end instead. ``style``: a scalar's
    # "" (plain), "'", '"', "|" or ">"; "{" or "[" for a flow collection, "m" or "s" for a block
    # mapping or sequence; "*" for an alias; with a leading "&" when the node has an anchor or
    # an explicit tag (its span then starts at the anchor or tag). None without ``spans``.
    spans: dict | None = field(default=None, repr=False)
    root_span: tuple | None = None

    def place(self, path: JsonPath) -> Place:
        """``path`` as messages name it: tasks, milestones, goals and risks by their ids."""
        return Place(tuple(path), item_names(self.root, path))

    def locate(self, path: JsonPath, *, key: bool = False) -> Location:
        """The location of the node at ``path`` (its key when ``key``), or of its nearest ancestor;
        with the id of each list item on the way (``Location.names``: messages name a task by it)."""
        line, col = self.root_mark
        node = self.root
        names = None
        for i, part in enumerate(path):
            marks = self.marks.get(id(node))
            if marks is None:
                break
            if isinstance(node, dict):
                pos = marks.get(part)
                if pos is None:
                    break
                last = i == len(path) - 1
                line, col = (pos[0], pos[1]) if key and last else (pos[2], pos[3])
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(marks):
                line, col = marks[part]
                node = node[part]
                ident = node.get("id") if node.__class__ is dict else None
                if ident.__class__ is str and ident:
                    if names is None:
                        names = [None] * len(path)
                    names[i] = ident
            else:
                break
        return Location(self.file, line, col, tuple(path), tuple(names) if names else ())


@dataclass
class LoadedDocument:
    file: str
    data: object
    source: SourceMap


def display_path(path: Path | str) -> str:
    """A path as users typed it, relative to the current folder when inside it, with ``/``."""
    p = Path(path)
    try:
        # the folder resolved, the name kept: a link is shown as the link, not as its target
        full = p.resolve() if p.name in ("", ".", "..") else p.parent.resolve() / p.name
        rel = full.relative_to(Path.cwd().resolve())
        return rel.as_posix()
    except (ValueError, OSError):
        return p.as_posix()


def read_text(path: Path | str, file: str | None = None, *, locale: str | None = None) -> str:
    """Read a campaign file as text. Missing, unreadable and non-regular paths are usage errors;
    bad bytes are YamlProblems."""
    return decode_bytes(read_bytes_limited(path, file, locale=locale))


# What a path is when it is not a regular file, by the S_IS* test that recognises it.
_NOT_REGULAR = (
    (stat.S_ISCHR, N_("loader.kind.char_device")),
    (stat.S_ISBLK, N_("loader.kind.block_device")),
    (stat.S_ISFIFO, N_("loader.kind.fifo")),
    (stat.S_ISSOCK, N_("loader.kind.socket")),
)


def _not_regular(mode: int, file: str, locale: str | None) -> UsageError:
    """What a path that is not a regular file is (said in the command's language when printed;
    ``locale`` given: in that language now)."""
    if stat.S_ISDIR(mode):
        message = M_("loader.is_directory", file=file)
    else:
        kind = next((key for test, key in _NOT_REGULAR if test(mode)), N_("loader.kind.other"))
        message = M_("loader.not_regular", file=file, kind=M_(kind))
    return UsageError(message.text(locale) if locale else message)


def read_bytes_limited(path: Path | str, file: str | None = None, *, limit: int | None = None,
                       locale: str | None = None) -> bytes:
    """The bytes of a regular file (a link is followed), at most ``limit`` (default ``MAX_BYTES``).

    A directory, a device (``/dev/zero``), a FIFO or a socket is refused with a UsageError before
    anything is read (see ``open_regular``). The bytes read stop at ``limit`` + 1 whatever
    ``st_size`` says (a file still growing, a special file system): more is a YamlProblem
    ``too-large``. ``locale``: the language of the messages (default: the command's, when printed)."""
    file = file or display_path(path)
    with open_regular(path, file, locale=locale) as fh:
        return read_open_file(fh, limit=limit)


def open_regular(path: Path | str, file: str | None = None, *, locale: str | None = None):
    """``path`` opened for reading (unbuffered, binary) when it is a regular file, after
    following links; else a UsageError that says what it is. The path is opened non-blocking
    (opening a FIFO that has no writer would wait forever) and the open file is checked again,
    so a path swapped for something else between the two checks is refused too."""
    p = Path(path)
    file = file or display_path(p)
    try:
        mode = os.stat(p).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(mode, file, locale)
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UsageError(M_("loader.no_such_file", file=file)) from None
    except PermissionError:
        raise UsageError(M_("loader.permission_denied", file=file)) from None
    except IsADirectoryError:  # pragma: no cover - raced with the stat above
        raise _not_regular(stat.S_IFDIR, file, locale) from None
    fh = os.fdopen(fd, "rb", buffering=0)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(mode, file, locale)
    except BaseException:
        fh.close()
        raise
    return fh


def read_open_file(fh, *, limit: int | None = None) -> bytes:
    """The rest of a file ``open_regular`` opened (the editor reads the file it has locked),
    never more than ``limit`` + 1 bytes: more is a YamlProblem ``too-large``."""
    limit = MAX_BYTES if limit is None else limit
    chunks = []
    size = 0
    while size <= limit:
        chunk = fh.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise YamlProblem(M_("loader.too_large", limit=limit), 1, 1, "too-large")
    return b"".join(chunks)


def decode_bytes(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise YamlProblem(M_("loader.bad_utf16"), 1, 1, "encoding") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    nul = raw.find(b"\x00", 0, 8192)
    if nul >= 0:
        line, col = _byte_position(raw, nul)
        raise YamlProblem(M_("loader.binary"), line, col, "encoding")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        raise YamlProblem(M_("loader.not_utf8", byte=f"0x{raw[exc.start]:02x}"), line, col, "encoding") from None


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    col = len(raw[start:offset].decode("utf-8", "replace")) + 1
    return line, col


def load_yaml(path: Path | str, file: str | None = None) -> LoadedDocument:
    """Load one YAML file into plain data and a source map.

    Raises UsageError for a path that cannot be read, YamlProblem for bad content."""
    file = file or display_path(path)
    text = read_text(path, file)
    return parse_yaml(text, file)


def parse_yaml(text: str, file: str = "<string>", *, spans: bool = False) -> LoadedDocument:
    """The data and source map of ``text``; with ``spans``, the source map also holds the
    character offsets and style of every key and value (``SourceMap.spans``)."""
    if not text.strip():
        raise YamlProblem(M_("loader.empty"), 1, 1, "empty")
    source = SourceMap(file, spans={} if spans else None)
    enabled = gc.isenabled()
    gc.disable()  # the builder creates hundreds of thousands of objects and no cycles
    try:
        data = _build(text, source)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or ""
        if "maximum nesting depth" in problem:
            # libyaml from PyYAML 6.0.4 on stops at 1,000 levels while scanning ahead, before
            # the builder's own limit sees the events: the same problem, said the same way.
            raise YamlProblem(M_("loader.too_deep", limit=MAX_DEPTH), line, col, "too-deep") from None
        context = exc.context_mark if exc.problem_mark else None
        message, line, col = _humanise_yaml_error(problem, exc.context, text, line, col, context)
        raise YamlProblem(message, line, col) from None
    except yaml.YAMLError as exc:  # reader errors: control characters etc.
        line, col = _reader_position(text, getattr(exc, "position", None) or 0)
        raise YamlProblem(M_("yaml.control_character", line=line, column=col), line, col) from None
    except UnicodeEncodeError as exc:  # a lone surrogate in a str handed to parse_yaml
        line = text.count("\n", 0, exc.start) + 1
        col = exc.start - text.rfind("\n", 0, exc.start)
        raise YamlProblem(M_("loader.surrogate"), line, col, "encoding") from None
    finally:
        if enabled:
            gc.enable()
    if data is None:  # only comments, or a lone null
        raise YamlProblem(M_("loader.no_data"), source.root_mark[0], source.root_mark[1], "empty")
    source.root = data
    return LoadedDocument(file, data, source)


def _reader_position(text: str, position: int) -> tuple[int, int]:
    """Line and column of a reader error: libyaml counts UTF-8 bytes, the pure-Python reader
    characters."""
    raw = text.encode("utf-8")
    if _Parser is None:  # pragma: no cover - pure-Python fallback
        position = len(text[:position].encode("utf-8"))
    return _byte_position(raw, position)


def _humanise_yaml_error(problem: str, context: str | None, text: str, line: int, col: int,
                         context_mark) -> tuple[Message, int, int]:
    """The parser's problem in plain words, at the line and column of the mistake
    (``ptrack.core.hints``)."""
    lines = text.split("\n", line)
    here = lines[line - 1][col - 1 : col] if len(lines) >= line else ""
    if here == "\t" or "'\\t'" in problem:
        return M_("yaml.tab", line=line, column=col), line, col
    from ptrack.core.hints import syntax_problem

    context_line = context_mark.line + 1 if context_mark else None
    context_col = context_mark.column + 1 if context_mark else None
    return syntax_problem(problem, context, line, col, context_line, context_col, text)


def _scalar(event) -> object:
    value = event.value
    tag = event.tag
    if tag is None and event.implicit[0]:
        return _plain(value)
    if tag is None or tag in _STR_TAGS:
        return value
    if tag == _CORE + "int" and _INT.match(value):
        return int(value)
    if tag == _CORE + "float" and _FLOAT.match(value):
        return _finite(value)
    if tag == _CORE + "bool" and value in ("true", "false"):
        return value == "true"
    if tag == _CORE + "null" and value in _NULLS:
        return None
    mark = event.start_mark
    raise YamlProblem(M_("loader.tag", tag=tag), mark.line + 1, mark.column + 1, "yaml-tag")


def _plain(value: str) -> object:
    """A plain (unquoted, untagged) scalar: null, true/false, a decimal number, else text."""
    if value in _NULLS:
        return None
    if value == "true":
        return True
    if value == "false":
        return False
    if value[0] in "0123456789-+.":
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value) and any(c.isdigit() for c in value):
            return _finite(value)
    return value


def _finite(text: str) -> object:
    """A float, unless it overflows (1e400): then the text stays text and the schema says it is
    not a number, rather than infinity reaching the arithmetic."""
    number = float(text)
    return number if number - number == 0 else text


def _check_container_tag(event) -> None:
    tag = event.tag
    if tag is not None and tag not in ("!", _CORE + "map", _CORE + "seq"):
        mark = event.start_mark
        raise YamlProblem(M_("loader.tag", tag=tag), mark.line + 1, mark.column + 1, "yaml-tag")


def _parser(text: str):
    if _Parser is not None:
        return _Parser(text)
    return yaml.SafeLoader(text)  # pragma: no cover - pure-Python fallback


def _build(text: str, source: SourceMap) -> object:
    """Build data from events. The open container's state lives in local variables (this loop
    runs once per node: ~440,000 times for 10,000 tasks); its parents' states wait on ``stack``.

    ``pending`` is the key waiting for its value (_NOTHING while a mapping waits for a key);
    ``size`` counts the nodes inside the container, for the alias budget; ``opened`` is the event
    that opened it. With ``source.spans`` (a dict), ``spans`` is the open container's entry there
    and ``key_span`` the pending key's offsets."""
    parser = _parser(text)
    marks_by_id = source.marks
    spans_by_id = source.spans
    anchors: dict[str, tuple[object, int]] = {}
    stack: list[tuple] = []
    container: object = None  # the open dict or list; None at the top level
    marks: object = None
    spans: object = None
    is_map = False
    pending: object = _NOTHING
    key_line = key_col = 0
    key_span = None
    size = 0
    opened = None
    root = _NOTHING
    expanded = 0
    documents = 0

    ScalarEvent = yaml.ScalarEvent
    MappingStartEvent = yaml.MappingStartEvent
    SequenceStartEvent = yaml.SequenceStartEvent
    AliasEvent = yaml.AliasEvent
    DocumentStartEvent = yaml.DocumentStartEvent
    ContainerEnd = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    check_event, get_event = parser.check_event, parser.get_event

    while check_event():
        event = get_event()
        cls = type(event)
        if cls is ScalarEvent:
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if is_map and pending is _NOTHING:  # a key: its text, whatever it looks like
                if event.tag is not None:
                    _scalar(event)  # rejects tags other than the core ones
                key = event.value
                if key in container:
                    first = marks[key]
                    raise YamlProblem(M_("loader.duplicate_key", key=key, first=first[0]), line, col,
                                      "duplicate-key")
                pending, key_line, key_col = key, line, col
                if spans is not None:
                    key_span = (mark.index, event.end_mark.index)
                size += 1
                continue
            if event.tag is None and event.implicit[0]:
                value = _plain(event.value)
            else:
                value = _scalar(event)
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
            nodes = 1
            if spans_by_id is not None:
                style = event.style or ""
                span = (mark.index, event.end_mark.index,
                        "&" + style if event.anchor is not None or event.tag is not None else style)
        elif cls is AliasEvent:
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if event.anchor not in anchors:
                raise YamlProblem(M_("yaml.unknown_alias", line=line, column=col), line, col, "syntax")
            value, nodes = anchors[event.anchor]
            expanded += nodes
            if expanded > MAX_ALIAS_EXPANSION:
                raise YamlProblem(M_("loader.alias_limit", limit=MAX_ALIAS_EXPANSION), line, col, "alias-limit")
            if is_map and pending is _NOTHING:
                raise YamlProblem(M_("loader.alias_key"), line, col, "syntax")
            if spans_by_id is not None:
                span = (mark.index, event.end_mark.index, "*")
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            _check_container_tag(event)
            if len(stack) >= MAX_DEPTH:
                mark = event.start_mark
                raise YamlProblem(M_("loader.too_deep", limit=MAX_DEPTH), mark.line + 1, mark.column + 1, "too-deep")
            if is_map and pending is _NOTHING:
                mark = event.start_mark
                raise YamlProblem(M_("loader.collection_key"), mark.line + 1, mark.column + 1, "syntax")
            stack.append((container, marks, spans, is_map, pending, key_line, key_col, key_span, size, opened))
            is_map = cls is MappingStartEvent
            container = {} if is_map else []
            marks = {} if is_map else []
            marks_by_id[id(container)] = marks
            if spans_by_id is not None:
                spans = {} if is_map else []
                spans_by_id[id(container)] = spans
            pending, size, opened = _NOTHING, 1, event
            continue
        elif cls in ContainerEnd:
            value, nodes, mark = container, size, opened.start_mark
            if opened.anchor is not None:
                anchors[opened.anchor] = (value, nodes)
            if spans_by_id is not None:
                style = ("{" if is_map else "[") if opened.flow_style else ("m" if is_map else "s")
                span = (mark.index, event.end_mark.index,
                        "&" + style if opened.anchor is not None or opened.tag is not None else style)
            (container, marks, spans, is_map, pending, key_line, key_col, key_span, size,
             opened) = stack.pop()
            line, col = mark.line + 1, mark.column + 1
        elif cls is DocumentStartEvent:
            documents += 1
            if documents > 1:
                mark = event.start_mark
                raise YamlProblem(M_("loader.second_document"), mark.line + 1, mark.column + 1, "syntax")
            continue
        else:
            continue
        # Attach ``value`` (``nodes`` nodes, at line/col) to the open container.
        if container is None:
            root = value
            source.root_mark = (line, col)
            if spans_by_id is not None:
                source.root_span = span
        elif is_map:
            container[pending] = value
            marks[pending] = (key_line, key_col, line, col)
            if spans is not None:
                spans[pending] = key_span + span
            pending = _NOTHING
            size += nodes
        else:
            container.append(value)
            marks.append((line, col))
            if spans is not None:
                spans.append(span)
            size += nodes
    if root is _NOTHING:
        root = None
    return root


class _Nothing:
    __slots__ = ()

    def __repr__(self) -> str:  # pragma: no cover
        return "<nothing>"


_NOTHING = _Nothing()


def problem_to_diagnostic(problem: YamlProblem, file: str, locale: str | None = None) -> Diagnostic:
    """The problem as a diagnostic said in ``locale`` (None: English)."""
    locale = locale or "en"
    return Diagnostic(
        code=problem.code,
        severity=Severity.ERROR,
        message=problem.text(locale),
        location=Location(file, problem.line, problem.column),
        locale=locale,
    )


# ``locale:`` under ``campaign:`` in a file's text, found without parsing it (a file that does not
# parse still has a language for its messages): an indented ``locale: xx`` line, or ``locale: xx``
# inside ``campaign: {…}`` (only the campaign has a locale in the format).
_LOCALE_LINE = re.compile(r"(?:^[ \t]+|[{,][ \t]*)locale[ \t]*:[ \t]*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)"
                          r"[\"']?[ \t]*(?:[,}#]|$)", re.MULTILINE)


def sniff_locale(text: str) -> str | None:
    """The campaign's ``locale`` as written in ``text``, found by its line (the file may not
    parse); None when there is none."""
    match = _LOCALE_LINE.search(text)
    return match.group(1) if match else None
