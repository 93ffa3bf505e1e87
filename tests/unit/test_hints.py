"""ptrack.core.hints: the YAML parser's problems in plain words at the line of the mistake, and
the values a Chinese keyboard types (full-width punctuation and digits, 60%, 2024/10/1)."""

from __future__ import annotations

import pytest

from ptrack.core.hints import as_date, number_hint, text_hint
from ptrack.core.loader import YamlProblem, parse_yaml

# 1 ptrack / 2 campaign: / 3 id / 4 tasks: / 5 - id: a / 6 name / 7 planned / 8 - id: b / 9 name
BASE = """\
ptrack: 1
campaign:
  id: s
tasks:
  - id: a
    name: 海报
    planned: {start: 2024-03-01, end: 2024-03-10}
  - id: b
    name: 文案
"""


def problem(old: str, new: str, locale: str = "en") -> tuple[int, int, str]:
    assert old in BASE, old
    with pytest.raises(YamlProblem) as info:
        parse_yaml(BASE.replace(old, new, 1))
    return info.value.line, info.value.column, info.value.text(locale)


@pytest.mark.parametrize("old, new, expected", [
    # the parser notices the full-width colon on the next line; the hint is at the colon itself
    ("    name: 海报\n", "    name：海报\n",
     (6, 9, "line 6: the colon after “name” is a full-width colon “：”; YAML needs an ASCII colon and a space: "
            "name: 海报")),
    ("    name: 海报\n", "    name:海报\n",
     (6, 9, "line 6: no space after the colon of “name”; YAML reads “name:…” as one word: write name: 海报")),
    ("    name: 海报\n", "    海报\n",
     (6, 5, "line 6: “海报” is neither “key: value” nor a list item “- …”: a colon and a space are missing, or the "
            "line belongs to the value above and needs the same indentation")),
    ("  - id: b\n", "   - id: b\n",
     (8, 4, "line 8: this list item's “-” is at column 4, but the items of the list that starts at line 5 have "
            "theirs at column 3: line them up")),
    ("    name: 文案\n", "  name: 文案\n",
     (9, 3, "line 9 starts at column 3, where the items of the list that starts at line 5 have their “- ”, but "
            "it is not an item: if it belongs to the item above, indent it to column 5 like that item's keys; "
            "if it is a new item, start it with “- ”")),
    ("    planned: {start: 2024-03-01, end: 2024-03-10}\n",
     "    planned: {start: 2024-03-01, end: 2024-03-10}\n     x: 1\n",
     (8, 6, "line 8 starts at column 6, but the keys it sits among (from line 5) start at column 5: line it "
            "up with them")),
    ("    name: 海报\n", "    name: 海报\n     oops: 1\n",
     (7, 6, "line 7 is indented more than the key above it, so YAML reads it as part of that key's value: "
            "indent it like the key above (or, if it really is part of the value, put the value in quotes)")),
    ("  - id: a\n", "  -id: a\n",
     (5, 3, "line 5: a list item needs a space after its “-”: - id: a")),
    ("    name: 海报\n", "    name: 活动: 一期\n",
     (6, 13, "line 6, column 13: a “: ” inside a value; put the whole value in quotes (\"…\")")),
    ("    name: 海报\n", "    name: 海报\n\u3000  x: 1\n",
     (7, 1, "line 7 is indented with a full-width space “　” (U+3000); indent with ASCII spaces only")),
    ("end: 2024-03-10}", "end: 2024-03-10",
     (8, 7, "the “{” at line 7, column 14 is not closed with “}”, or two of its items have no comma between them")),
    ("{start: 2024-03-01, end", "{start: 2024-03-01，end",
     (7, 32, "line 7: a full-width comma “，” inside [ ] or { }; separate the items with an ASCII comma “,”")),
    ("    name: 文案\n", '    name: "文案\n',
     (9, 11, "the quote \" at line 9, column 11 is never closed: add the closing \"")),
    ("    name: 文案\n", "    name: *重点\n",
     (9, 11, "line 9, column 11: a value that starts with “*” is an alias or anchor in YAML; put the value in "
             "quotes (\"*…\")")),
    ("    name: 文案\n", "    name: @小明\n",
     (9, 11, "line 9, column 11: a value cannot start with “@”; put the value in quotes (\"@…\")")),
    ("    name: 文案\n", '    name: "C:\\q"\n',
     (9, 14, "line 9, column 14: inside double quotes “\\” starts an escape; use single quotes, or write \\\\")),
    ("    name: 文案\n", '    name: "文案" 二\n',
     (9, 16, "line 9, column 16: something follows a value that has ended (after a closing quote only a comment "
             "may follow): put the whole value in quotes, or remove what follows")),
    ("    name: 文案\n", "    name: - 文案\n",
     (9, 11, "line 9, column 11: a list item “- ” cannot follow a key on the same line: start the list on the "
             "next line, indented, or write it as [a, b]")),
    ("    name: 文案\n", "    name: !x!y 文案\n",
     (9, 11, "line 9, column 11: “!” starts a YAML tag; put the value in quotes (\"!…\")")),
])
def test_the_parser_s_problems_in_plain_words_at_the_mistake(old, new, expected):
    assert problem(old, new) == expected


def test_the_same_in_chinese():
    assert problem("  - id: b\n", "   - id: b\n", "zh-CN") == (
        8, 4, "第 8 行：这个列表项的“-”在第 4 列，但从第 5 行开始的列表，各项的“-”都在第 3 列：请对齐")
    assert problem("    name: 海报\n", "    name：海报\n", "zh-TW") == (
        6, 9, "第 6 行：“name”後面的冒號是全形冒號“：”，YAML 要用半形冒號加空格：name: 海报")  # the file's own text


def test_a_value_with_a_fullwidth_colon_is_no_key():
    # "活动：一期" is text (a Chinese word before the colon): it parses, and gives no hint
    assert parse_yaml("name: 活动：一期\n").data == {"name": "活动：一期"}


@pytest.mark.parametrize("value, expected", [
    ("2024/10/1", "2024-10-01"), ("2024.10.1", "2024-10-01"), ("2024-10-1", "2024-10-01"),
    ("2024年10月1日", "2024-10-01"), ("2024 年 10 月 1 日", "2024-10-01"), ("２０２４/１０/１", "2024-10-01"),
    ("2024年2月30日", None), ("10/1/2024", None), ("下周一", None), (20241001, None),
])
def test_a_date_written_another_way(value, expected):
    assert as_date(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("60%", "write 60, without the % sign"),
    ("12.5 ％", "write 12.5, without the % sign"),
    ("６０", "it is typed with full-width digits: write 60"),
    ("a，b", "it has a full-width comma “，”: separate the items with an ASCII comma, [a, b]"),
    ("progress：40", "it has a full-width colon “：”: write an ASCII colon and a space, progress: 40"),
    ("high", None),
])
def test_a_number_typed_another_way(value, expected):
    hint = number_hint(value)
    assert (hint.text("en") if hint else None) == expected


def test_text_hints_say_how_to_write_the_list():
    assert text_hint("抖音，小红书，微信").text("zh-CN") == (
        "其中有全角逗号“，”：列表各项之间要用半角逗号分隔，写成 [抖音, 小红书, 微信]")
    assert text_hint("wang-xue") is None
