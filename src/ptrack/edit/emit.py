"""YAML text for values the editor writes: scalars in the style of the node they replace, new
mappings and lists in flow (``{a: 1}``) or block style, at a given indentation.

Everything written here must read back, through ``ptrack.core.loader``, as the value it was made
from: text that would read as a number, a boolean or null is quoted, text that cannot be plain is
quoted, control characters are escaped inside double quotes. The editor checks that by parsing
its result (``ptrack.edit.engine``); these rules make that check pass.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from ptrack.core.loader import _plain

# Characters a plain scalar may not start with (YAML's indicators, and '-', '?', ':' always).
_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@` \t")
# YAML's printable characters (c-printable) minus the line breaks a one-line scalar cannot hold.
# U+2028 and U+2029 are line breaks to YAML, U+FEFF a byte order mark.
_NOT_PRINTABLE = re.compile("[^\x09\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                            "\U00010000-\U0010ffff]")
_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
            "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N",
            "\u2028": "\\L", "\u2029": "\\P"}
_NEEDS_ESCAPE = re.compile('["\\\\\x00-\x08\x0a-\x1f\x7f-\x9f\ufeff\u2028\u2029\ud800-\udfff]|[\ufffe\uffff]')


@dataclass(frozen=True)
class Layout:
    """The file's block indentation: a nested mapping's keys ``mapping`` columns right of its
    parent's key; a list's dashes ``dash`` columns right of its key (0: under the key); an
    item's content ``item`` columns right of its dash."""

    mapping: int = 2
    dash: int = 2
    item: int = 2
    # Multi-line text as a literal block (else double-quoted). Off where the lines that follow
    # are comments indented deeper than the new lines: a block would take them in as text.
    blocks: bool = True


def is_scalar(value) -> bool:
    return not isinstance(value, (dict, list))


def is_simple(value) -> bool:
    """A mapping or list of scalars only: what fits on one line in flow style."""
    items = value.values() if isinstance(value, dict) else value
    return all(is_scalar(v) for v in items)


def scalar_text(value) -> str:
    """The text of a non-string scalar as the loader reads it back."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a number YAML can hold here")
        text = repr(value)
        return text if any(c in text for c in ".e") else text + ".0"
    raise TypeError(f"not a scalar: {value!r}")


def plain_ok(text: str, *, flow: bool) -> bool:
    """``text`` can be written unquoted and reads back as this very text."""
    if not text or text[0] in _PLAIN_FIRST or text[-1] in " \t:" or _NOT_PRINTABLE.search(text):
        return False
    if "\t" in text or ": " in text or " #" in text or "\ufeff" in text:
        return False
    if flow and any(c in text for c in ",[]{}:"):
        return False
    if text.startswith(("---", "...")):
        return False
    return _plain(text) == text and isinstance(_plain(text), str)


def double_quoted(text: str) -> str:
    if not _NEEDS_ESCAPE.search(text):
        return f'"{text}"'
    out = []
    for c in text:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif _NEEDS_ESCAPE.match(c):
            code = ord(c)
            if 0xD800 <= code <= 0xDFFF:
                raise ValueError("the text holds an unpaired surrogate, not valid Unicode")
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def literal_ok(text: str) -> bool:
    """A multi-line text a literal block (``|-`` or ``|``) holds exactly."""
    if "\n" not in text or _NOT_PRINTABLE.search(text.replace("\n", "")) or "\t" in text:
        return False
    if "\r" in text or "\ufeff" in text or text.endswith("\n\n") or text.startswith((" ", "\n")):
        return False
    return True


def literal_lines(text: str, indent: int) -> tuple[str, list[str]]:
    """The header (``|-`` or ``|``) and the content lines of a literal block at ``indent``."""
    header = "|" if text.endswith("\n") else "|-"
    body = text[:-1] if text.endswith("\n") else text
    pad = " " * indent
    return header, [pad + line if line else "" for line in body.split("\n")]


def inline_scalar(value, *, like: str = "", flow: bool = False) -> str:
    """One-line text of a scalar. ``like``: the style of the node it replaces or resembles
    ("" plain, "'" or '"'); text is kept in that style where it can be, else plain when it
    can be, else double-quoted (with escapes)."""
    if isinstance(value, datetime):
        raise TypeError("a campaign holds dates, not times")
    if isinstance(value, date):
        value = value.isoformat()
    if not isinstance(value, str):
        return scalar_text(value)
    if like == "'" and "\n" not in value and not _NOT_PRINTABLE.search(value):
        return "'" + value.replace("'", "''") + "'"
    if like == '"':
        return double_quoted(value)
    if plain_ok(value, flow=flow):
        return value
    return double_quoted(value)


def flow_text(value, *, like: str = "", like_of=None) -> str:
    """``value`` in flow style on one line: ``{a: 1, b: [x, y]}``. ``like_of(mapping, key)``:
    the quoting a scalar in a mapping copies (see ``inline_scalar``)."""
    if isinstance(value, dict):
        return "{" + ", ".join(
            f"{key_text(k, flow=True)}: {flow_text(v, like=like_of(value, k) if like_of else '', like_of=like_of)}"
            for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow_text(v, like_of=like_of) for v in value) + "]"
    return inline_scalar(value, like=like, flow=True)


def key_text(key: str, *, flow: bool = False) -> str:
    return key if plain_ok(key, flow=flow) else double_quoted(key)


def wants_block(value, hint: str | None = None) -> bool:
    """Whether a new mapping or list goes in block style: ``hint`` ("flow"/"block") wins; an
    empty one never does; one holding mappings or lists does; else it stays on one line."""
    if is_scalar(value) or not value:
        return False
    if hint:
        return hint == "block"
    return not is_simple(value)


def value_lines(value, column: int, layout: Layout, hint: str | None = None, *, like: str = "",
                like_of=None) -> tuple[str, list[str]]:
    """A value after ``key:`` (whose key is at ``column``): the text on the key's line (after
    ``key: ``, maybe "") and the lines below it. Scalars and simple containers stay on the line;
    multi-line text becomes a literal block."""
    if is_scalar(value):
        if isinstance(value, str) and layout.blocks and literal_ok(value):
            return literal_lines(value, column + layout.mapping)
        return inline_scalar(value, like=like), []
    if not wants_block(value, hint):
        return flow_text(value, like_of=like_of), []
    if isinstance(value, dict):
        return "", mapping_lines(value, column + layout.mapping, layout, like_of=like_of)
    return "", sequence_lines(value, column + layout.dash, layout, like_of=like_of)


def entry_lines(key: str, value, column: int, layout: Layout, hint: str | None = None, *, like: str = "",
                like_of=None) -> list[str]:
    """``key: value`` at ``column``, as lines (without line breaks)."""
    inline, below = value_lines(value, column, layout, hint, like=like, like_of=like_of)
    head = " " * column + key_text(key) + ":" + (" " + inline if inline else "")
    return [head, *below]


def mapping_lines(value: dict, column: int, layout: Layout, *, like_of=None) -> list[str]:
    out: list[str] = []
    for k, v in value.items():
        out += entry_lines(k, v, column, layout, like=like_of(value, k) if like_of else "", like_of=like_of)
    return out


def item_lines(item, dash_column: int, layout: Layout, hint: str | None = None, *, like_of=None) -> list[str]:
    """One list item, ``- item``, its dash at ``dash_column``."""
    content = dash_column + layout.item
    dash = " " * dash_column + "-" + " " * (layout.item - 1)
    if isinstance(item, dict) and item and wants_block(item, hint):
        lines = mapping_lines(item, content, layout, like_of=like_of)
        return [dash + lines[0][content:], *lines[1:]]
    if is_scalar(item) and isinstance(item, str) and layout.blocks and literal_ok(item):
        header, lines = literal_lines(item, content)
        return [dash + header, *lines]
    return [dash + (flow_text(item, like_of=like_of) if not is_scalar(item) else inline_scalar(item))]


def sequence_lines(value: list, dash_column: int, layout: Layout, *, like_of=None) -> list[str]:
    out: list[str] = []
    for item in value:
        out += item_lines(item, dash_column, layout, like_of=like_of)
    return out
