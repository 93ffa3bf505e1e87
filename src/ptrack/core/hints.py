"""What went wrong in a campaign file, in plain words, on the line that has the mistake.

Two kinds of help:

- ``syntax_problem``: the YAML parser's complaint ("did not find expected '-' indicator (while
  parsing a block collection)") said as what the writer did and how to fix it, located where
  the mistake is (the parser often notices it a line later). Every problem libyaml reports has
  its message here; a registry of explainers, most specific first.
- ``value_hint``: a value that fails the schema because of how it was typed — a Chinese
  keyboard's full-width colon ``：``, comma ``，`` or digits, ``60%`` where a number is expected,
  ``2024/10/1`` or ``2024年10月1日`` where a date is — gets the fix, written out.

Everything returns ``ptrack.i18n.Message`` objects: the caller says them in the campaign's
language.
"""

from __future__ import annotations

import re
from datetime import date

from ptrack.i18n import M_, N_, Message

FULLWIDTH_COLON = "\uff1a"  # ：
FULLWIDTH_COMMA = "\uff0c"  # ，
IDEOGRAPHIC_SPACE = "\u3000"  # a full-width space
# Full-width digits and signs a Chinese input method types in full-width mode: ０-９ ％ － ．
_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {"\uff05": "%", "\uff0d": "-", "\uff0e": ".",
                                                             "\uff0b": "+"}
_TO_HALFWIDTH = str.maketrans(_FULLWIDTH)

# A key typed with a full-width colon where the line's key is: ``    progress：40``, ``- id：a``.
# Keys of the format are ASCII, so a Chinese word before ``：`` (a value such as ``- 活动：一期``)
# is never taken for one.
_FULLWIDTH_KEY = re.compile(r"^(?P<lead>[ \t]*(?:-[ \t]+)*)(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)[ \t]*" + FULLWIDTH_COLON
                            + r"[ \t\u3000]*(?P<value>.*)$")
# ``key:value`` with no space after the colon (YAML reads one word, not a key and its value)
_NO_SPACE_KEY = re.compile(r"^(?P<lead>[ \t]*(?:-[ \t]+)*)(?P<key>[A-Za-z_][A-Za-z0-9_.-]*):(?P<value>[^ \t\n].*)$")


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _line(text_lines: list[str], line: int) -> str:
    return text_lines[line - 1].rstrip("\r") if 1 <= line <= len(text_lines) else ""


def _indent(line: str) -> int:
    """The 1-based column of the line's first character that is not a space."""
    return len(line) - len(line.lstrip(" ")) + 1


# ---------------------------------------------------------------------------------------------
# The parser's problems

class _Error:
    """The parser's complaint, its position and the text: what the explainers look at."""

    def __init__(self, problem: str, context: str | None, line: int, column: int,
                 context_line: int | None, context_column: int | None, text: str):
        self.problem = problem
        self.context = context or ""
        self.line, self.column = line, column
        self.context_line, self.context_column = context_line, context_column
        self.lines = _lines(text)

    def line_text(self, line: int) -> str:
        return _line(self.lines, line)

    def region(self) -> range:
        """The lines from where the parser started the construct it could not finish to where it
        gave up: the mistake is on one of them."""
        first = self.context_line if self.context_line and self.context_line <= self.line else max(1, self.line - 1)
        return range(first, self.line + 1)


Problem = tuple  # (Message, line, column)


def _keyboard_mistake(err: _Error) -> Problem | None:
    """A full-width colon after a key, or a full-width space in the indentation, on the lines the
    parser was reading: the likely cause of whatever it says."""
    for number in err.region():
        text = err.line_text(number)
        match = _FULLWIDTH_KEY.match(text)
        if match and ": " not in text[: match.start("value")] and "#" not in text[: match.end("key")]:
            column = text.index(FULLWIDTH_COLON, match.end("key")) + 1
            fixed = f"{match['key']}: {match['value'].strip(IDEOGRAPHIC_SPACE + ' ')}".rstrip()
            return M_("yaml.fullwidth_colon", line=number, key=match["key"], fixed=fixed), number, column
    for number in err.region():
        text = err.line_text(number)
        lead = text[: len(text) - len(text.lstrip(" \t" + IDEOGRAPHIC_SPACE))]
        if IDEOGRAPHIC_SPACE in lead:
            return M_("yaml.fullwidth_space", line=number), number, lead.index(IDEOGRAPHIC_SPACE) + 1
    return None


def _fullwidth_comma_in_flow(err: _Error) -> Problem | None:
    """A full-width comma inside ``[...]`` or ``{...}``: YAML reads ``a，b`` as one value."""
    if "flow" not in err.context or not err.context_line:
        return None
    for number in err.region():
        text = err.line_text(number)
        start = err.context_column - 1 if number == err.context_line else 0
        end = err.column if number == err.line else len(text)
        found = text.find(FULLWIDTH_COMMA, start, end)
        if found >= 0:
            return M_("yaml.fullwidth_comma", line=number), number, found + 1
    return None


def _no_colon(err: _Error) -> Problem:
    """"could not find expected ':'": a line that is neither ``key: value`` nor ``- item``."""
    number = err.context_line or err.line
    column = err.context_column or err.column
    text = err.line_text(number)
    match = _NO_SPACE_KEY.match(text)
    if match:
        return (M_("yaml.colon_space", line=number, key=match["key"],
                   fixed=f"{match['key']}: {match['value'].strip()}"), number, match.end("key") + 1)
    shown = text.strip()
    return M_("yaml.no_colon", line=number, text=_clip(shown)), number, column


def _list_indent(err: _Error) -> Problem:
    """"did not find expected '-' indicator": a line at a list's indentation that is not an item
    of it, or an item whose ``-`` is not lined up with the others."""
    text = err.line_text(err.line)
    list_line, list_column = err.context_line or err.line, err.context_column or 1
    column = _indent(text)
    if text.lstrip(" ").startswith("-"):
        return (M_("yaml.list_item_indent", line=err.line, column=column, list_line=list_line,
                   list_column=list_column), err.line, column)
    return (M_("yaml.list_key_indent", line=err.line, column=column, list_line=list_line,
               list_column=list_column, key_column=list_column + 2), err.line, column)


def _key_indent(err: _Error) -> Problem:
    """"did not find expected key": a key not lined up with the keys of its mapping, or something
    after a value on its line."""
    text = err.line_text(err.line)
    column = _indent(text)
    if err.column > column:  # mid-line: after a value (a closing quote...)
        return M_("yaml.after_value", line=err.line, column=err.column), err.line, err.column
    return (M_("yaml.key_indent", line=err.line, column=column, map_line=err.context_line or err.line,
               map_column=err.context_column or 1), err.line, column)


def _mapping_value(err: _Error) -> Problem:
    """"mapping values are not allowed in this context": a ``key: value`` where YAML is still
    reading a value — an over-indented line, ``-item`` without a space, a value with ``: ``."""
    for number in (err.line - 1, err.line):  # ``-id: a`` is a key "-id": the next line is where YAML trips
        line_text = err.line_text(number)
        stripped = line_text.lstrip(" ")
        if re.match(r"-[^\s-]", stripped) and ":" in stripped:
            return M_("yaml.dash_space", line=number, fixed="- " + stripped[1:]), number, _indent(line_text)
    text = err.line_text(err.line)
    before = text[: err.column - 1]
    if ": " in before or before.rstrip().endswith(":"):
        return M_("yaml.colon_in_value", line=err.line, column=err.column), err.line, err.column
    return M_("yaml.over_indent", line=err.line, column=_indent(text)), err.line, _indent(text)


def _flow_unclosed(err: _Error, opening: str, line: int, column: int) -> Problem:
    closing = "]" if opening == "[" else "}"
    return M_("yaml.flow_unclosed", opening=opening, closing=closing, line=line, column=column), err.line, err.column


def _flow(closing: str):
    def explain(err: _Error) -> Problem:
        opening = "[" if closing == "]" else "{"
        return _flow_unclosed(err, opening, err.context_line or err.line, err.context_column or err.column)

    return explain


def _open_flow_at_end(err: _Error) -> tuple[str, int, int] | None:
    """The ``[`` or ``{`` (and its line and column) still open where the file ends, when the
    parser stopped there (nothing but blank lines and comments from its line on)."""
    if any(text.strip() and not text.lstrip().startswith("#") for text in err.lines[err.line - 1:]):
        return None
    import yaml

    opened: list = []
    try:
        for token in yaml.scan("\n".join(err.lines), Loader=yaml.SafeLoader):
            if isinstance(token, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)):
                opened.append(token)
            elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)) and opened:
                opened.pop()
    except yaml.YAMLError:  # the scanner's own complaint comes after the last bracket it saw
        pass
    if not opened:
        return None
    token = opened[-1]
    return ("[" if isinstance(token, yaml.FlowSequenceStartToken) else "{",
            token.start_mark.line + 1, token.start_mark.column + 1)


def _missing_value(err: _Error) -> Problem:
    """"did not find expected node content": nothing between two commas, or the file ends inside
    ``[...]`` or ``{...}`` (``depends_on: [a,`` on the last line, saved while typing)."""
    opened = _open_flow_at_end(err)
    if opened:
        return _flow_unclosed(err, *opened)
    return M_("yaml.missing_value", line=err.line, column=err.column), err.line, err.column


def _end_of_stream(err: _Error) -> Problem:
    if "quoted" in err.context and err.context_line:
        quote = err.line_text(err.context_line)[err.context_column - 1: err.context_column] or '"'
        return (M_("yaml.unclosed_quote", quote=quote, line=err.context_line, column=err.context_column),
                err.context_line, err.context_column)
    return M_("yaml.unexpected_end"), err.line, err.column


def _bad_start(err: _Error) -> Problem:
    char = err.line_text(err.line)[err.column - 1: err.column] or "?"
    return M_("yaml.bad_start", char=char, line=err.line, column=err.column), err.line, err.column


def _alias(err: _Error) -> Problem:
    line, column = err.context_line or err.line, err.context_column or err.column
    char = err.line_text(line)[column - 1: column] or "*"
    return M_("yaml.alias", char=char, line=line, column=column), line, column


def _at_problem(key: str):
    def explain(err: _Error) -> Problem:
        return M_(key, line=err.line, column=err.column), err.line, err.column

    return explain


def _at_context(key: str):
    def explain(err: _Error) -> Problem:
        line, column = err.context_line or err.line, err.context_column or err.column
        return M_(key, line=line, column=column), line, column

    return explain


# The parser's problems (libyaml's words; the pure-Python parser's where they differ), each with
# its explainer. Matched by the start of the problem text, in order.
_EXPLAINERS: tuple[tuple[str, object], ...] = (
    ("could not find expected ':'", _no_colon),
    ("did not find expected '-' indicator", _list_indent),
    ("did not find expected key", _key_indent),
    ("expected <block end>", _key_indent),
    ("mapping values are not allowed", _mapping_value),
    ("block sequence entries are not allowed", _at_problem(N_("yaml.dash_inline"))),
    ("sequence entries are not allowed", _at_problem(N_("yaml.dash_inline"))),
    ("did not find expected ',' or ']'", _flow("]")),
    ("expected ',' or ']'", _flow("]")),
    ("did not find expected ',' or '}'", _flow("}")),
    ("expected ',' or '}'", _flow("}")),
    ("found unexpected end of stream", _end_of_stream),
    ("did not find expected alphabetic or numeric character", _alias),
    ("expected alphabetic or numeric character", _alias),
    ("found character that cannot start any token", _bad_start),
    ("found character", _bad_start),
    ("mapping keys are not allowed", _bad_start),
    ("found unknown escape character", _at_problem(N_("yaml.escape"))),
    ("found invalid Unicode character escape code", _at_problem(N_("yaml.escape"))),
    ("did not find expected hexdecimal number", _at_problem(N_("yaml.escape"))),
    ("expected escape sequence", _at_problem(N_("yaml.escape"))),
    ("did not find expected node content", _missing_value),
    ("expected the node content", _missing_value),
    ("did not find expected comment or line break", _at_problem(N_("yaml.after_value"))),
    ("expected a comment or a line break", _at_problem(N_("yaml.after_value"))),
    ("found unexpected ':'", _at_problem(N_("yaml.colon_in_value"))),
    ("found unexpected document indicator", _at_problem(N_("yaml.document_marker"))),
    ("found unexpected document separator", _at_problem(N_("yaml.document_marker"))),
    ("did not find expected <document start>", _at_problem(N_("yaml.document_marker"))),
    ("expected '<document start>'", _at_problem(N_("yaml.document_marker"))),
    ("found a tab character", _at_problem(N_("yaml.tab"))),
    ("found an indentation indicator equal to 0", _at_context(N_("yaml.block_scalar"))),
    ("expected indentation indicator", _at_context(N_("yaml.block_scalar"))),
    ("expected chomping or indentation indicators", _at_context(N_("yaml.block_scalar"))),
    ("found undefined tag handle", _at_context(N_("yaml.tag"))),
    ("did not find expected tag URI", _at_context(N_("yaml.tag"))),
    ("did not find URI escaped octet", _at_context(N_("yaml.tag"))),
    ("did not find the expected '>'", _at_context(N_("yaml.tag"))),
    ("did not find expected '!'", _at_context(N_("yaml.tag"))),
    ("did not find expected whitespace", _at_context(N_("yaml.tag"))),
    ("expected URI", _at_context(N_("yaml.tag"))),
    ("expected '!'", _at_context(N_("yaml.tag"))),
    ("expected '>'", _at_context(N_("yaml.tag"))),
    ("expected ' '", _at_context(N_("yaml.tag"))),
    ("found non-specific tag", _at_context(N_("yaml.tag"))),
    ("could not find expected directive name", _at_context(N_("yaml.directive"))),
    ("found unknown directive name", _at_context(N_("yaml.directive"))),
    ("did not find expected version number", _at_context(N_("yaml.directive"))),
    ("did not find expected digit or '.' character", _at_context(N_("yaml.directive"))),
    ("found extremely long version number", _at_context(N_("yaml.directive"))),
    ("found duplicate", _at_context(N_("yaml.directive"))),
    ("found incompatible YAML document", _at_context(N_("yaml.directive"))),
    ("expected a digit", _at_context(N_("yaml.directive"))),
    ("duplicate tag handle", _at_context(N_("yaml.directive"))),
    ("found undefined alias", _at_problem(N_("yaml.unknown_alias"))),
)


def syntax_problem(problem: str, context: str | None, line: int, column: int,
                   context_line: int | None, context_column: int | None, text: str) -> Problem:
    """The parser's ``problem`` (and ``context``) at ``line``:``column`` in plain words: (message,
    line, column) of the mistake. A keyboard's full-width colon or space on the lines the parser
    was reading comes first: it is why the parser is lost."""
    err = _Error(problem, context, line, column, context_line, context_column, text)
    found = _keyboard_mistake(err) or _fullwidth_comma_in_flow(err)
    if found:
        return found
    for start, explain in _EXPLAINERS:
        if problem.startswith(start):
            return explain(err)
    detail = f"{problem} ({context})" if context else problem
    return M_("yaml.other", line=line, column=column, detail=detail), line, column


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# Values typed the way a Chinese keyboard types them

_PERCENT = re.compile(r"^\s*([-+]?[0-9]+(?:\.[0-9]+)?)\s*[%\uff05]\s*$")
_NUMBER = re.compile(r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$")
# 2024/10/1, 2024.10.1, 2024-10-1, 2024年10月1日, 2024 年 10 月 1 日 (and full-width digits)
_DATE = re.compile(r"^\s*([0-9]{4})\s*(?:[/.\-]|年)\s*([0-9]{1,2})\s*(?:[/.\-]|月)\s*([0-9]{1,2})\s*日?\s*$")


def _halfwidth(text: str) -> str:
    return text.translate(_TO_HALFWIDTH)


def as_date(value) -> str | None:
    """``2024/10/1``, ``2024年10月1日``, ``2024-10-1``, ``２０２４/１０/１`` -> ``2024-10-01``; None
    when ``value`` is not a date written another way (or not a real day)."""
    if not isinstance(value, str):
        return None
    match = _DATE.match(_halfwidth(value))
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


def number_hint(value) -> Message | None:
    """Why a text where a number is expected is not one: ``60%``, full-width digits ``６０``,
    a full-width colon (``progress：40`` read as text)."""
    if not isinstance(value, str):
        return None
    percent = _PERCENT.match(_halfwidth(value))
    if percent:
        return M_("hint.percent", fixed=percent[1])
    half = _halfwidth(value).strip()
    if half != value.strip() and _NUMBER.match(half):
        return M_("hint.fullwidth_digits", fixed=half)
    return text_hint(value)


def date_hint(value) -> Message | None:
    """The ISO date a date written another way means: ``2024/10/1`` -> write 2024-10-01."""
    fixed = as_date(value)
    if fixed is not None:
        return M_("hint.date", fixed=fixed)
    return text_hint(value)


def text_hint(value) -> Message | None:
    """A full-width comma or colon in a value that had to be one id, one date, one number: the
    keyboard's punctuation joined what should be two items, or a key and its value."""
    if not isinstance(value, str):
        return None
    if FULLWIDTH_COMMA in value:
        items = [part.strip() for part in value.split(FULLWIDTH_COMMA)]
        return M_("hint.fullwidth_comma", fixed="[" + ", ".join(items) + "]")
    if FULLWIDTH_COLON in value:
        key, _, rest = value.partition(FULLWIDTH_COLON)
        return M_("hint.fullwidth_colon", fixed=f"{key.strip()}: {rest.strip()}")
    if IDEOGRAPHIC_SPACE in value:
        return M_("hint.fullwidth_space", fixed=value.replace(IDEOGRAPHIC_SPACE, " ").strip())
    return None


def key_hint(key) -> Message | None:
    """An unknown key that is a known key with its value, joined by a full-width colon
    (``{name：王}`` is one key ``name：王``)."""
    if isinstance(key, str) and FULLWIDTH_COLON in key:
        name, _, rest = key.partition(FULLWIDTH_COLON)
        return M_("hint.fullwidth_colon", fixed=f"{name.strip()}: {rest.strip()}")
    return None


def fullwidth_key_name(key) -> str | None:
    """The key a ``key：value`` was meant to be (``name`` of ``name：王``), else None."""
    if isinstance(key, str) and FULLWIDTH_COLON in key:
        return key.partition(FULLWIDTH_COLON)[0].strip() or None
    return None
