"""The strict YAML loader: data as written, problems at (line, column), a source map.

Positions are 1-based (line, column), as yamllint states them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ptrack.errors import UsageError
from ptrack.core.loader import YamlProblem, load_yaml, parse_yaml


def data(text: str):
    return parse_yaml(text).data


def problem(text: str) -> tuple[str, int, int]:
    """(code, line, column) of the problem ``text`` has."""
    with pytest.raises(YamlProblem) as info:
        parse_yaml(text)
    return info.value.code, info.value.line, info.value.column


def message(text: str) -> str:
    with pytest.raises(YamlProblem) as info:
        parse_yaml(text)
    return str(info.value.message)


def deep(n: int) -> str:
    return "ptrack: " + "[" * n + "]" * n + "\n"


# --- scalars ----------------------------------------------------------------------------------

def test_dates_stay_strings():
    assert data("start: 2024-03-01\nat: 2024-03-01 10:00:00\n") == {
        "start": "2024-03-01", "at": "2024-03-01 10:00:00"}


def test_only_lowercase_true_false_are_booleans():
    assert data("a: [true, false, NO, on, yes, Off, True, FALSE, y, n]\n") == {
        "a": [True, False, "NO", "on", "yes", "Off", "True", "FALSE", "y", "n"]}


def test_null_forms():
    assert data("a: null\nb: ~\nc:\nd: Null\ne: NULL\nf: ''\ng: nil\n") == {
        "a": None, "b": None, "c": None, "d": None, "e": None, "f": "", "g": "nil"}


def test_ints_and_floats():
    assert data("a: [1, -2, +3, 0, 1.5, -0.5, 1e3, .5, 2.]\n") == {
        "a": [1, -2, 3, 0, 1.5, -0.5, 1000.0, 0.5, 2.0]}
    types = [type(v) for v in data("a: [1, 1.5]\n")["a"]]
    assert types == [int, float]


def test_yaml11_number_forms_stay_strings():
    # YAML 1.1 hex, octal, underscores and sexagesimal are not numbers in a campaign file.
    assert data("a: [0x1F, 0o7, 1_000, '1:30', 1:30, .inf, .nan]\n") == {
        "a": ["0x1F", "0o7", "1_000", "1:30", "1:30", ".inf", ".nan"]}


def test_quoted_numbers_and_booleans_stay_strings():
    assert data("a: '1'\nb: \"2.5\"\nc: 'true'\nd: \"null\"\n") == {
        "a": "1", "b": "2.5", "c": "true", "d": "null"}


def test_keys_are_text():
    assert data("1: a\ntrue: b\nnull: c\n2024-03-01: d\n") == {
        "1": "a", "true": "b", "null": "c", "2024-03-01": "d"}


def test_str_tag_allowed_and_core_tags_resolve():
    assert data("a: !!str 2024\nb: !!str true\nc: !!int '3'\nd: !!float 1\ne: !!map {x: 1}\n") == {
        "a": "2024", "b": "true", "c": 3, "d": 1.0, "e": {"x": 1}}


def test_anchors_and_small_aliases():
    assert data("a: &x {b: 1}\nc: *x\n") == {"a": {"b": 1}, "c": {"b": 1}}


def test_tab_as_separator_after_colon_is_fine():
    assert data("key:\tvalue\n") == {"key": "value"}


# --- problems ---------------------------------------------------------------------------------

def test_duplicate_key_at_the_second_key():
    text = "a: 1\nb:\n  c: 2\n  c: 3\n"
    assert problem(text) == ("duplicate-key", 4, 3)
    assert message(text) == 'duplicate key "c" (first defined at line 3); each key may appear once'


def test_duplicate_key_quoted_and_plain_are_the_same_key():
    assert problem('name: a\n"name": b\n') == ("duplicate-key", 2, 1)


def test_duplicate_key_with_crlf_line_ends():
    assert problem("a: 1\r\nb: 2\r\na: 3\r\n") == ("duplicate-key", 3, 1)


@pytest.mark.parametrize("text", [
    "a: !!python/object/apply:os.system ['echo hi']\n",
    "a: !!python/object/apply:os.system\n  args: ['echo hi']\n",
    "a: !!python/name:os.system\n",
])
def test_python_tags_rejected(text):
    assert problem(text) == ("yaml-tag", 1, 4)
    assert "tag:yaml.org,2002:python/" in message(text)
    assert "not allowed" in message(text)


@pytest.mark.parametrize("text", [
    "a: !foo bar\n", "a: !!binary aGVsbG8=\n", "a: !!timestamp 2024-01-01\n", "a: !!set {x}\n",
    "a: !!bool yes\n", "a: !!int 0x10\n",
])
def test_other_tags_rejected(text):
    assert problem(text) == ("yaml-tag", 1, 4)


def test_billion_laughs_rejected():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    text = "\n".join(lines) + "\n"
    code, line, _col = problem(text)
    # Each level is 10 times the last: a=11 nodes, b=111, c=1111, d=11111, e=111111. The
    # running total passes 100,000 within line 5 (e), long before the 10^9 of the last line.
    assert (code, line) == ("alias-limit", 5)
    assert "alias" in message(text)


# Where the nesting limit is hit depends on the libyaml build inside PyYAML: the root mapping is
# level 1, so ptrack's own limit stops at the 100th "[" (column 8 + 100, after "ptrack: "); the
# libyaml of PyYAML >= 6.0.4 reads ahead and stops at its own limit first, the 1,000th "["
# (column 8 + 1,000). Either way the problem and its message are the same.
DEEP_COLUMNS = (108, 1008)


def test_nesting_20000_deep_rejected():
    code, line, column = problem(deep(20_000))
    assert (code, line) == ("too-deep", 1) and column in DEEP_COLUMNS
    assert message(deep(20_000)) == "nesting deeper than 100 levels"


def test_nesting_at_the_limit_is_fine():
    assert data("[" * 100 + "]" * 100 + "\n") is not None


def test_nesting_200000_deep_rejected_in_a_subprocess(tmp_path):
    # libyaml's own composer once crashed (segfault) on this; run it where a crash cannot take
    # pytest down, through the real command line.
    (tmp_path / "deep.yaml").write_text(deep(200_000))
    proc = subprocess.run([sys.executable, "-m", "ptrack", "validate", "deep.yaml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode in (1, 2), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    # no campaign locale, no ptrack.yaml: zh-CN
    assert proc.stdout in [f"deep.yaml:1:{col}: 错误 [too-deep] 嵌套超过了 100 层\n" for col in DEEP_COLUMNS]


@pytest.mark.parametrize("text, where", [
    ("a: b\n\tc: d\n", (2, 1)),
    ("a:\n\t- b\n", (2, 1)),
    ("a: |\n  x\n\tb\n", (3, 1)),
])
def test_tabs(text, where):
    assert problem(text) == ("syntax", *where)
    line, column = where
    assert message(text) == (f"line {line}, column {column}: a tab character; YAML indentation must use "
                             "spaces, not tabs")


def test_second_document_rejected():
    assert problem("a: 1\n---\nb: 2\n") == ("syntax", 2, 1)
    assert "only one YAML document" in message("a: 1\n---\nb: 2\n")


def test_leading_document_marker_is_fine():
    assert data("---\na: 1\n...\n") == {"a": 1}


@pytest.mark.parametrize("text, expected", [
    ("a: [1, 2\n", ("syntax", 2, 1)),
    ("a: b: c\n", ("syntax", 1, 5)),
    ("a:\n  - b\n c: d\n", ("syntax", 3, 2)),
    ("a: 'open\n", ("syntax", 1, 4)),  # at the quote that is never closed
    ("a: *nowhere\n", ("syntax", 1, 4)),
    ("? [a]\n: b\n", ("syntax", 1, 3)),
    ("a: 1\nb: \x07\n", ("syntax", 2, 4)),
    ("名字: 1\n名字: \x07\n", ("syntax", 2, 5)),  # columns count characters, not bytes
])
def test_syntax_problems(text, expected):
    assert problem(text) == expected


@pytest.mark.parametrize("text, where, expected", [
    # the file ends inside a list or a mapping (saved while typing): the bracket that is open, not
    # "a value is missing between two commas"
    ("ptrack: 1\ndepends_on: [a,\n", (3, 1), "the “[” at line 2, column 13 is not closed with “]”"),
    ("a: [1, {b: 2,\n# 注释\n\n", (4, 1), "the “{” at line 1, column 8 is not closed with “}”"),
    ("a: [1,,2]\n", (1, 7), "line 1, column 7: a value is missing here"),  # not at the end: as it was
])
def test_a_file_that_ends_inside_brackets_names_the_open_one(text, where, expected):
    assert problem(text) == ("syntax", *where)
    assert message(text).startswith(expected)


def test_control_character_message():
    assert message("a: \x07\n") == (
        "line 1, column 4: a control character, which YAML does not allow; remove it")


def test_lone_surrogate_in_text_is_a_problem_not_a_crash():
    assert problem("a: 1\nb: x\ud800\n") == ("encoding", 2, 5)


@pytest.mark.parametrize("text", ["", "  \n\n", "\n"])
def test_empty(text):
    assert problem(text) == ("empty", 1, 1)
    assert message(text) == "the file is empty; a campaign starts with 'ptrack: 1'"


def test_comment_only_file_is_empty_not_a_null_document():
    assert problem("# nothing here\n# nor here\n") == ("empty", 1, 1)
    assert message("# nothing here\n") == (
        "the file has no data (only comments?); a campaign starts with 'ptrack: 1'")


def test_a_lone_null_is_empty_at_its_position():
    assert problem("# header\n~\n") == ("empty", 2, 1)


def test_numbers_too_large_for_a_float_stay_text():
    # 1e400 overflows to infinity; as text, the schema reports "expected a number".
    assert data("a: 1e400\nb: -1e400\nc: 1e300\n") == {"a": "1e400", "b": "-1e400", "c": 1e300}


def test_non_mapping_roots_load_as_they_are():
    # The loader returns them; validation reports "not a mapping" (see test_validate).
    assert data("- a\n- b\n") == ["a", "b"]
    assert data("hello\n") == "hello"
    assert data("42\n") == 42


# --- the source map ---------------------------------------------------------------------------

MAP_TEXT = """\
a:
  b: [x, {c: 1}]
  d:
    - e
    - f: 2
g: 3
"""


@pytest.mark.parametrize("path, key, where", [
    ((), False, (1, 1)),
    (("a",), True, (1, 1)),          # the key "a"
    (("a",), False, (2, 3)),         # its value, the mapping starting at "b"
    (("a", "b"), True, (2, 3)),
    (("a", "b"), False, (2, 6)),     # the flow list
    (("a", "b", 0), False, (2, 7)),  # list items
    (("a", "b", 1), False, (2, 10)),
    (("a", "b", 1, "c"), True, (2, 11)),
    (("a", "b", 1, "c"), False, (2, 14)),
    (("a", "d"), False, (4, 5)),
    (("a", "d", 0), False, (4, 7)),
    (("a", "d", 1), False, (5, 7)),
    (("a", "d", 1, "f"), True, (5, 7)),
    (("a", "d", 1, "f"), False, (5, 10)),
    (("g",), True, (6, 1)),
    (("g",), False, (6, 4)),
    # missing paths: the nearest ancestor that exists
    (("a", "zz"), False, (2, 3)),
    (("a", "b", 7), False, (2, 6)),
    (("a", "d", 1, "nope"), True, (5, 7)),
    (("g", "deeper"), False, (6, 4)),
    (("nope", "x", 3), False, (1, 1)),
])
def test_locate(path, key, where):
    loc = parse_yaml(MAP_TEXT, "c.yaml").source.locate(path, key=key)
    assert (loc.line, loc.column) == where
    assert loc.file == "c.yaml"
    assert loc.path == path


def test_locate_after_leading_comments():
    loc = parse_yaml("# header\n\nptrack: 1\n").source.locate(("ptrack",), key=True)
    assert (loc.line, loc.column) == (3, 1)


# --- files and bytes --------------------------------------------------------------------------

def load_problem(path) -> tuple[str, int, int, str]:
    with pytest.raises(YamlProblem) as info:
        load_yaml(path)
    p = info.value
    return p.code, p.line, p.column, str(p.message)


def test_non_utf8_byte_located(write):
    path = write("latin1.yaml", "a: 1\nb: café\n".encode("latin-1"))
    code, line, col, msg = load_problem(path)
    assert (code, line, col) == ("encoding", 2, 7)
    assert msg.startswith("byte 0xe9 is not valid UTF-8; save the file as UTF-8")


def test_non_utf8_column_counts_characters_before_it(write):
    path = write("mixed.yaml", "名字: 好".encode("utf-8") + b"\xff\n")
    assert load_problem(path)[:3] == ("encoding", 1, 6)


def test_utf8_bom_accepted(write):
    path = write("bom.yaml", b"\xef\xbb\xbfa: 1\n")
    assert load_yaml(path).data == {"a": 1}


def test_utf8_bom_positions_unchanged(write):
    path = write("bom.yaml", b"\xef\xbb\xbfa: 1\na: 2\n")
    assert load_problem(path)[:3] == ("duplicate-key", 2, 1)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_accepted(write, encoding):
    raw = "a: 你好\nb: 2\n".encode(encoding)
    if encoding != "utf-16":  # the plain codec writes its own BOM
        raw = "\ufeff".encode(encoding) + raw
    path = write("u16.yaml", raw)
    assert load_yaml(path).data == {"a": "你好", "b": 2}


def test_utf16_without_bom_is_binary(write):
    path = write("u16.yaml", "a: 1\n".encode("utf-16-le"))
    assert load_problem(path)[:3] == ("encoding", 1, 2)


def test_binary_rejected(write):
    # \x89 P N G \r \n \x1a \n \x00: the NUL is the first byte of line 3.
    path = write("logo.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    code, line, col, msg = load_problem(path)
    assert (code, line, col) == ("encoding", 3, 1)
    assert msg == "this is a binary file (NUL byte), not YAML text"


def test_empty_file(write):
    assert load_problem(write("empty.yaml", b""))[:3] == ("empty", 1, 1)


def test_whitespace_only_file(write):
    assert load_problem(write("blank.yaml", b"  \n\t\n\n"))[:3] == ("empty", 1, 1)


def test_directory_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="is a directory, not a campaign file"):
        load_yaml(tmp_path)


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="nope.yaml: no such file"):
        load_yaml(tmp_path / "nope.yaml")


def test_file_name_shown_relative_to_cwd(write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = load_yaml(write("sub/c.yaml", "a: 1\n"))
    assert doc.file == "sub/c.yaml"
    assert str(doc.source.locate(("a",))) == "sub/c.yaml:1:4"


def test_reading_stops_at_the_byte_limit(write):
    from ptrack.core.loader import read_bytes_limited

    path = write("c.yaml", b"0123456789")
    assert read_bytes_limited(path, limit=10) == b"0123456789"
    with pytest.raises(YamlProblem) as info:
        read_bytes_limited(path, limit=9)
    assert (info.value.code, str(info.value.message)) == ("too-large", "the file is larger than the limit of 9 bytes")


def test_a_link_to_a_device_is_refused_before_anything_is_read(tmp_path):
    # /dev/zero's size is 0 and it never ends: read, it filled memory until a MemoryError
    link = tmp_path / "c.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(UsageError) as info:
        load_yaml(link, "c.yaml")
    assert str(info.value) == ("c.yaml: is a character device (such as /dev/zero), not a regular file; ptrack reads "
                               "campaign files and ptrack.yaml from regular files only")


def test_a_link_is_shown_as_the_link(tmp_path, monkeypatch):
    from ptrack.core.loader import display_path

    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "real.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "c.yaml").symlink_to("plans/real.yaml")
    monkeypatch.chdir(tmp_path)
    assert display_path("c.yaml") == "c.yaml"
    assert display_path(tmp_path / "c.yaml") == "c.yaml"
    assert display_path(".") == "."


def test_spans_locate_every_key_and_value():
    text = "a: 'x'   # c\nb:\n  - {c: 1}\n  - |\n    t\n"
    doc = parse_yaml(text, spans=True)
    spans = doc.source.spans
    root = spans[id(doc.data)]
    assert {k: (text[ks:ke], text[vs:ve], style) for k, (ks, ke, vs, ve, style) in root.items()} == {
        "a": ("a", "'x'", "'"), "b": ("b", "- {c: 1}\n  - |\n    t\n", "s")}
    items = spans[id(doc.data["b"])]
    assert [(text[s:e], style) for s, e, style in items] == [("{c: 1}", "{"), ("|\n    t\n", "|")]
    assert parse_yaml(text).source.spans is None  # only on request
