"""The one editor (``ptrack.edit``): operations as data, applied all or nothing, written
surgically (only the spans that change; every other byte kept), read back and validated.

The texts below are small campaigns; each test states the edit and the exact text it gives.
"""

from __future__ import annotations

import random
import textwrap
from datetime import date

import pytest

from ptrack.core.loader import parse_yaml
from ptrack.edit import (ABSENT, Append, ById, Change, Delete, EditError, Insert, Operation, Rename, Set,
                         edit_file, edit_text)
from ptrack.edit.campaign import AddNote, ResolveRisk, SetPlanned, summary

BASE = """\
ptrack: 1
campaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: en}
people:
  ann: {name: Ann}   # the lead
  bob: {name: Bob}
tasks:
  - id: a   # first
    name: A
    owner: ann
    collaborators: [bob]
    planned: {start: 2024-03-01, end: 2024-03-10}
    progress: 10
    risks:
      - issue: one
        due: 2024-03-05
      - {issue: two, due: 2024-03-06}

  - {id: b, name: B, planned: {start: 2024-03-02, end: 2024-03-09}}
  - id: c
    name: "C c"
    planned:
      start: '2024-03-03'
      end: '2024-03-08'
    notes: |
      line one
      line two
"""


def edit(*operations, text: str = BASE) -> str:
    result = edit_text(text, list(operations), file="c.yaml")
    assert result.diagnostics == [], [d.format_text() for d in result.diagnostics]
    return result.text


def replaced(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# -- scalars ---------------------------------------------------------------------------------

def test_a_scalar_is_replaced_in_its_span_and_keeps_its_quoting():
    assert edit(Set(("tasks", ById("a"), "progress"), 35)) == replaced("    progress: 10\n", "    progress: 35\n")
    assert edit(Set(("tasks", ById("c"), "name"), "C d")) == replaced('name: "C c"', 'name: "C d"')
    assert edit(SetPlanned("c", end=date(2024, 3, 9))) == replaced("end: '2024-03-08'", "end: '2024-03-09'")
    assert edit(Set(("tasks", ById("b"), "planned", "end"), "2024-03-10")) == replaced(
        "end: 2024-03-09}}", "end: 2024-03-10}}")


def test_a_comment_after_a_value_keeps_its_column():
    text = "ptrack: 1\ncampaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31}\n" \
           "tasks:\n  - id: a\n    name: 海报        # 名称\n    planned: {start: 2024-03-01, end: 2024-03-05}\n"
    # 海报 is 4 columns wide, 海报设计稿 10: the comment moves only when the spaces run out
    assert edit(Set(("tasks", 0, "name"), "海报设计"), text=text) == text.replace(
        "name: 海报        # 名称", "name: 海报设计    # 名称")
    assert edit(Set(("tasks", 0, "name"), "海报设计稿件已定"), text=text) == text.replace(
        "name: 海报        # 名称", "name: 海报设计稿件已定 # 名称")


def test_text_that_would_read_as_something_else_is_quoted():
    for value, written in [("123", '"123"'), ("true", '"true"'), ("null", '"null"'),
                           ("a: b", '"a: b"'), ("x # y", '"x # y"'), ("- x", '"- x"'), (" x", '" x"'),
                           ("2024-03-01", "2024-03-01"), ("C#", "C#"), ("on", "on"), ("中文", "中文")]:
        assert edit(Set(("tasks", ById("a"), "name"), value)) == replaced("    name: A\n", f"    name: {written}\n")


def test_control_characters_are_written_as_escapes():
    assert edit(Set(("tasks", ById("a"), "name"), "bell\x07 esc\x1b nul\x00 nel\x85")) == replaced(
        "    name: A\n", '    name: "bell\\a esc\\e nul\\0 nel\\N"\n')
    # a multi-line text with a control character cannot be a literal block
    assert edit(Set(("tasks", ById("c"), "notes"), "a\x07b\nc")) == replaced(
        "    notes: |\n      line one\n      line two\n", '    notes: "a\\ab\\nc"\n')


def test_a_note_is_added_to_notes_that_hold_an_escaped_control_character():
    text = replaced("    notes: |\n      line one\n      line two\n", '    notes: "ring\\x07 twice"   # bell\n')
    assert edit(AddNote("c", "second"), text=text) == replaced(
        '    notes: "ring\\x07 twice"   # bell\n', '    notes: "ring\\a twice\\nsecond" # bell\n', text)
    assert edit(AddNote("c", "third\x07"), text=text) == replaced(
        '    notes: "ring\\x07 twice"   # bell\n', '    notes: "ring\\a twice\\nthird\\a" # bell\n', text)


def test_multi_line_text_is_a_literal_block_like_the_files():
    assert edit(Set(("tasks", ById("c"), "notes"), "x\ny\n")) == replaced(
        "      line one\n      line two\n", "      x\n      y\n")
    assert edit(Set(("tasks", ById("c"), "notes"), "x\ny")) == replaced(
        "    notes: |\n      line one\n      line two\n", "    notes: |-\n      x\n      y\n")
    assert edit(Set(("tasks", ById("c"), "notes"), "one line")) == replaced(
        "    notes: |\n      line one\n      line two\n", "    notes: one line\n")
    assert edit(Set(("tasks", ById("a"), "name"), "A\nB")) == replaced(
        "    name: A\n", "    name: |-\n      A\n      B\n")


# -- mappings --------------------------------------------------------------------------------

def test_a_new_key_goes_where_the_schema_orders_it_with_the_siblings_indentation():
    # task keys: id, name, description, module, owner, ... planned, actual, progress ...
    assert edit(Set(("tasks", ById("a"), "description"), "Desc")) == replaced(
        "    name: A\n", "    name: A\n    description: Desc\n")
    assert edit(Set(("tasks", ById("a"), "actual", "start"), "2024-03-02")) == replaced(
        "    progress: 10\n", "    actual: {start: 2024-03-02}\n    progress: 10\n")
    # in a flow mapping: ", key: value" in its place
    assert edit(Set(("tasks", ById("b"), "progress"), 5)) == replaced(
        "end: 2024-03-09}}", "end: 2024-03-09}, progress: 5}")
    assert edit(Set(("tasks", ById("b"), "module"), "M")) == replaced(
        "name: B, planned", "name: B, module: M, planned")
    # a mapping missing on the way is created; a top-level key goes in the format's order
    assert edit(Set(("policy", "deviation_warn"), 5)) == replaced(
        "people:\n", "policy: {deviation_warn: 5}\npeople:\n")


def test_a_new_mapping_follows_its_siblings_style():
    # task c writes planned as a block: actual follows it, quoted like planned's dates
    from ptrack.edit.campaign import SetActual

    assert edit(SetActual("c", start=date(2024, 3, 4))) == replaced(
        "      end: '2024-03-08'\n", "      end: '2024-03-08'\n    actual:\n      start: '2024-03-04'\n")
    assert edit(Set(("tasks", ById("c"), "budget"), {"planned": 100}, style="flow")) == replaced(
        "    notes: |", "    budget: {planned: 100}\n    notes: |")


def test_a_key_before_all_others_keeps_a_list_items_dash():
    assert edit(Set(("tasks", ById("a"), "weight"), 2, order=("weight", "id"))) == replaced(
        "  - id: a   # first\n", "  - weight: 2\n    id: a   # first\n")


def test_removing_keys():
    assert edit(Delete(("tasks", ById("a"), "risks"))) == replaced(
        "    risks:\n      - issue: one\n        due: 2024-03-05\n      - {issue: two, due: 2024-03-06}\n", "")
    assert edit(Delete(("tasks", ById("a"), "owner")), Delete(("tasks", ById("a"), "collaborators"))) == replaced(
        "    owner: ann\n    collaborators: [bob]\n", "")
    assert edit(Delete(("campaign", "calendar")), Delete(("campaign", "start")), Set(("campaign", "start"), "2024-03-01")
                ) == replaced("end: 2024-03-31, calendar: none, locale", "end: 2024-03-31, locale")
    assert edit(Delete(("campaign", "id")), Set(("campaign", "id"), "d")) == replaced("{id: c, name: C", "{id: d, name: C")
    text = replaced("people:\n", "policy:\n  rules:\n    late-start: warning   # for now\npeople:\n")
    assert edit(Delete(("policy", "rules", "late-start")), text=text) == replaced(
        "  rules:\n    late-start: warning   # for now\n", "  rules: {}   # for now\n", text)
    assert edit(Delete(("tasks", ById("x"), "notes"), missing_ok=True)) == BASE


def test_renaming_a_key_keeps_its_value_and_comment():
    assert edit(Rename(("people", "ann"), "anna"), Set(("tasks", ById("a"), "owner"), "anna")) == replaced(
        "  ann: {name: Ann}   # the lead", "  anna: {name: Ann}   # the lead").replace("owner: ann", "owner: anna")


# -- lists -----------------------------------------------------------------------------------

def test_list_items_are_added_like_their_neighbours():
    assert edit(Append(("tasks", ById("a"), "collaborators"), "ann")) == replaced("[bob]", "[bob, ann]")
    assert edit(Insert(("tasks", ById("a"), "collaborators"), 0, "ann")) == replaced("[bob]", "[ann, bob]")
    assert edit(Append(("tasks", ById("a"), "risks"), {"issue": "three"})) == replaced(
        "      - {issue: two, due: 2024-03-06}\n", "      - {issue: two, due: 2024-03-06}\n      - {issue: three}\n")
    assert edit(Insert(("tasks", ById("a"), "risks"), 0, {"issue": "zero", "due": "2024-03-04"}, style="block")) == \
        replaced("      - issue: one\n", "      - issue: zero\n        due: 2024-03-04\n      - issue: one\n")
    # a new list: block, its items on one line when they hold only scalars
    assert edit(Append(("tasks", ById("c"), "risks"), {"issue": "new"})) == replaced(
        "    notes: |", "    risks:\n      - {issue: new}\n    notes: |")
    assert edit(Append(("tasks", ById("b"), "channels"), "抖音")) == replaced(
        "name: B, planned", "name: B, channels: [抖音], planned")


def test_removing_list_items():
    assert edit(Delete(("tasks", ById("a"), "risks", 0))) == replaced("      - issue: one\n        due: 2024-03-05\n", "")
    assert edit(Delete(("tasks", ById("a"), "collaborators", 0))) == replaced("[bob]", "[]")
    assert edit(Delete(("tasks", ById("b")))) == replaced(
        "  - {id: b, name: B, planned: {start: 2024-03-02, end: 2024-03-09}}\n", "")
    assert edit(Delete(("tasks", ById("a"), "risks", 0)), Delete(("tasks", ById("a"), "risks", 0))) == replaced(
        "    risks:\n      - issue: one\n        due: 2024-03-05\n      - {issue: two, due: 2024-03-06}\n",
        "    risks: []\n")


def test_a_task_is_appended_in_the_lists_block_style():
    task = {"id": "d", "name": "D", "planned": {"start": date(2024, 3, 1), "end": date(2024, 3, 2)},
            "risks": [{"issue": "x"}]}
    assert edit(Append(("tasks",), task)) == BASE + (
        "  - id: d\n    name: D\n    planned: {start: 2024-03-01, end: 2024-03-02}\n    risks:\n      - {issue: x}\n")


def test_several_operations_on_one_node_make_one_change():
    assert edit(AddNote("a", "one"), AddNote("a", "two"), Set(("tasks", ById("a"), "progress"), 20)) == replaced(
        "    progress: 10\n", "    progress: 20\n").replace(
        "      - {issue: two, due: 2024-03-06}\n", "      - {issue: two, due: 2024-03-06}\n    notes: |-\n      one\n"
                                                    "      two\n")


# -- the transaction -------------------------------------------------------------------------

def test_changes_are_recorded_in_order():
    result = edit_text(BASE, [Set(("tasks", ById("a"), "progress"), 20), Delete(("tasks", ById("b"))),
                              Rename(("people", "bob"), "rob"), Set(("tasks", ById("a"), "collaborators", 0), "rob")],
                       file="c.yaml")
    assert [(c.path, c.old, c.new, c.label, c.kind) for c in result.changes] == [
        (("tasks", 0, "progress"), 10, 20, "tasks[a].progress", "set"),
        (("tasks", 1), {"id": "b", "name": "B", "planned": {"start": "2024-03-02", "end": "2024-03-09"}}, ABSENT,
         "tasks[b]", "remove"),
        (("people", "rob"), "bob", "rob", "people.bob", "rename"),
        (("tasks", 0, "collaborators", 0), "bob", "rob", "tasks[a].collaborators[0]", "set"),
    ]
    assert summary(result) == ("c.yaml: tasks[a].progress 10 -> 20, tasks[b] removed, people.bob renamed to rob, "
                               "tasks[a].collaborators[0] bob -> rob")


def test_all_or_nothing():
    with pytest.raises(EditError, match='^c.yaml: no task "zz"; the tasks are: a, b, c$'):
        edit_text(BASE, [Set(("tasks", ById("a"), "progress"), 20), Set(("tasks", ById("zz"), "progress"), 1)],
                  file="c.yaml")
    # an invalid result is refused with the diagnostics of the new text
    result = edit_text(BASE, [Set(("tasks", ById("a"), "progress"), 20), Set(("tasks", ById("b"), "progress"), 120)],
                       file="c.yaml")
    assert result.refused and not result.changed and result.text == BASE
    assert [d.format_text() for d in result.diagnostics] == [
        "c.yaml:18:79: error [schema] tasks[b].progress: 120 is too large; it must be at most 100"]


def test_an_edit_through_an_alias_writes_the_value_out_and_an_edit_of_an_anchor_is_refused():
    text = replaced("planned: {start: 2024-03-01, end: 2024-03-10}", "planned: &p {start: 2024-03-01, end: 2024-03-10}")
    text = replaced("planned: {start: 2024-03-02, end: 2024-03-09}", "planned: *p", text)
    assert edit(SetPlanned("b", end=date(2024, 3, 9)), text=text) == replaced(
        "planned: *p", "planned: {start: 2024-03-01, end: 2024-03-09}", text)
    # the anchor's text is what the alias reads too: changing it would change task b as well
    with pytest.raises(EditError, match=r"cannot be made in place \(tasks\[1\]\.planned\.end\)"):
        edit_text(text, [SetPlanned("a", end=date(2024, 3, 9))], file="c.yaml")


def test_a_custom_operation():
    @dataclass_frozen
    class Shift(Operation):
        """Move every planned end of a module by a day (cascade-like): many spans, one write."""

        days: int

        def apply(self, draft):
            for i, task in enumerate(draft.get(("tasks",))):
                end = date.fromisoformat(task["planned"]["end"])
                new = date.fromordinal(end.toordinal() + self.days)
                draft.set(("tasks", i, "planned", "end"), new)
                draft.record(Change(("tasks", i, "planned", "end"), str(end), new.isoformat(), "planned.end",
                                    ("task", task["id"])))

    result = edit_text(BASE, [Shift(1)], file="c.yaml")
    assert result.text == BASE.replace("end: 2024-03-10}", "end: 2024-03-11}").replace(
        "end: 2024-03-09}}", "end: 2024-03-10}}").replace("end: '2024-03-08'", "end: '2024-03-09'")
    assert summary(result) == ("c.yaml: task a: planned.end 2024-03-10 -> 2024-03-11; task b: planned.end "
                               "2024-03-09 -> 2024-03-10; task c: planned.end 2024-03-08 -> 2024-03-09")


def dataclass_frozen(cls):
    from dataclasses import dataclass

    return dataclass(frozen=True)(cls)


def test_dry_run_and_a_new_output_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "c.yaml"
    path.write_text(BASE, encoding="utf-8")
    ops = [ResolveRisk("a", 2, date(2024, 3, 6))]
    result = edit_file(path, ops, dry_run=True)
    assert result.changed and not result.written and path.read_text("utf-8") == BASE
    assert result.text == replaced("{issue: two, due: 2024-03-06}", "{issue: two, due: 2024-03-06, resolved: 2024-03-06}")
    out = tmp_path / "next.yaml"
    result = edit_file(path, ops, output=out)
    assert result.written and out.read_text("utf-8") == result.text and path.read_text("utf-8") == BASE
    assert summary(result) == "next.yaml (from c.yaml): task a: risks[2].resolved 2024-03-06"
    with pytest.raises(Exception, match="next.yaml exists; name a new file"):
        edit_file(path, ops, output=out)


# -- any text, any style: the bytes outside the edit stay ------------------------------------

STYLES = [
    "    notes: plain text   # comment\n",
    "    notes: 'single ''quoted'''\n",
    '    notes: "double \\x07 quoted"\n',
    "    notes: |\n      literal\n      block\n",
    "    notes: >-\n      folded\n      block\n",
    "    notes: ''\n",
    "    notes: plain\n      continued\n",
    "",
]
PIECES = ["", " ", "a", "中文", "#", " #", ": ", ":", "-", "- ", "'", '"', "\\", "\n", "\t", "\x07", "\x00", "\x1b",
          "\x85", "\u2028", "\ufeff", "null", "true", "1", "1.5", "1e3", "0x1", "2024-01-01", "~", "&a", "*a", "!t",
          "%", "@", "`", "|", ">", "{", "}", "[", "]", ",", "?", "  ", "\r", "\r\n", "é", "😀", "---", "..."]


@pytest.mark.parametrize("style", STYLES)
def test_any_text_in_any_style_reads_back_and_nothing_else_moves(style):
    rng = random.Random(f"ptrack-edit:{style}")
    head = ("ptrack: 1\ncampaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31}\ntasks:\n"
            "  - id: a\n    name: A\n    planned: {start: 2024-03-01, end: 2024-03-05}\n")
    tail = "  - id: b   # next\n    name: B\n    planned: {start: 2024-03-01, end: 2024-03-05}\n"
    text = head + style + tail
    for _ in range(60):
        value = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6)))
        for op in (Set(("tasks", 0, "notes"), value), AddNote("a", value)):
            result = edit_text(text, [op], file="c.yaml")
            assert not result.refused, (value, result.diagnostics)
            if not result.changed:
                continue
            assert result.text.startswith(head) and result.text.endswith(tail), (style, value, result.text)
            notes = parse_yaml(result.text).data["tasks"][0].get("notes")
            expected = value if isinstance(op, Set) else None
            if expected is not None:
                assert notes == expected


def test_indentation_is_the_files_own():
    text = textwrap.dedent("""\
        ptrack: 1
        campaign:
            id: c
            name: C
            start: 2024-03-01
            end: 2024-03-31
        goals:
        -   id: g
            name: G
            kind: level
            target: 3
            due: 2024-03-31
        tasks:
        -   id: a
            name: A
            planned: {start: 2024-03-01, end: 2024-03-05}
        """)
    from ptrack.edit.campaign import RecordMeasurement

    assert edit(RecordMeasurement("g", date(2024, 3, 10), 2.5), Set(("tasks", 0, "risks"), [{"issue": "x", "owner": "y"}],
                                                                  style="block"), text=text) == text.replace(
        "    due: 2024-03-31\n", "    due: 2024-03-31\n    measurements:\n    -   {date: 2024-03-10, value: 2.5}\n"
    ) + "    risks:\n    -   {issue: x, owner: y}\n"


# -- random operations on files of every shape: the text always reads back as the draft -----

ODD_FILES = {
    "flow": "{ptrack: 1, campaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31},\n"
            " tasks: [{id: a, name: A, planned: {start: 2024-03-01, end: 2024-03-05}, risks: [{issue: x}]},\n"
            "  {id: b, name: \"B b\", planned: {start: 2024-03-01, end: 2024-03-05}}]}\n",
    "indent4": "---\n# comment\nptrack: 1\ncampaign:\n    id: c   # id\n    name: C\n    start: 2024-03-01\n"
               "    end: 2024-03-31\ntasks:\n-   id: a\n    name: A\n\n    planned:\n        start: 2024-03-01     # s\n"
               "        end: 2024-03-05\n    risks:\n    -   issue: x\n        solution: >\n            folded text\n"
               "            more\n\n    # between\n-   id: b\n    name: B\n    planned: {start: 2024-03-01, end: 2024-03-05}\n"
               "...\n",
    "no-final-line-break": "ptrack: 1\ncampaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31}\ntasks:\n"
                           "  - id: a\n    name: A\n    planned: {start: 2024-03-01, end: 2024-03-05}\n    notes: |-\n"
                           "      x\n      y",
    "multi-line": "ptrack: 1\ncampaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31}\ntasks:\n  - id: a\n"
                  "    name: a plain\n      multi line\n    description: \"quoted\n      multi\"\n"
                  "    planned: {start: 2024-03-01,\n      end: 2024-03-05}\n    channels: [\n      x,\n      y\n    ]\n",
    "tagged": "ptrack: 1\ncampaign: {id: c, name: !!str C, start: 2024-03-01, end: 2024-03-31}\ntasks:\n  - id: a\n"
              "    name: !!str 123\n    planned: !!map {start: 2024-03-01, end: 2024-03-05}\n",
    "nested-lists": "ptrack: 1\ncampaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31}\nx:\n- - a\n  - b\n- - c\n"
                    "tasks:\n- id: a\n  name: A\n  planned:\n    start: 2024-03-01\n    end: 2024-03-05\n",
    "base": BASE,
}


def _nodes(node, path=()):
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _nodes(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _nodes(v, path + (i,))


@pytest.mark.parametrize("name", sorted(ODD_FILES) + ["example", "commented"])
def test_random_operations_read_back_as_the_draft(name):
    """Hundreds of random sets, deletions, insertions and renames (of any value: control
    characters, multi-line text, mappings, lists) on files of every shape: the patched text
    always parses to exactly the draft's data (what the engine checks before it writes)."""
    from pathlib import Path

    from ptrack.edit.draft import Draft
    from ptrack.edit.patch import render

    root = Path(__file__).resolve().parents[2]
    text = {"example": (root / "examples" / "campaign.yaml").read_text("utf-8"),
            "commented": (root / "tests" / "fixtures" / "import" / "update" / "commented.yaml").read_text("utf-8"),
            }.get(name) or ODD_FILES[name]
    rng = random.Random(f"edit-fuzz:{name}")

    def value():
        r = rng.random()
        if r < 0.5:
            return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4)))
        if r < 0.6:
            return rng.randint(-5, 200)
        if r < 0.7:
            return rng.random() * 100
        if r < 0.75:
            return rng.choice([True, False, None])
        if r < 0.85:
            return {"k": "v", "n": rng.randint(0, 9)}
        return ["a", {"b": 1}] if r < 0.9 else ["x", "y"]

    for _ in range(60):
        doc = parse_yaml(text, "c.yaml", spans=True)
        nodes = list(_nodes(doc.data))[1:]
        draft = Draft(doc.data, file="c.yaml", locale="en")
        try:
            for _ in range(rng.randint(1, 5)):
                path, node = rng.choice(nodes)
                r = rng.random()
                if r < 0.4:
                    Set(path, value()).apply(draft)
                elif r < 0.6:
                    Delete(path, missing_ok=True).apply(draft)
                elif r < 0.75 and isinstance(node, list):
                    Insert(path, rng.randint(0, len(node)), value()).apply(draft)
                elif r < 0.85 and isinstance(node, dict):
                    Set(path + (f"new{rng.randint(0, 9)}",), value()).apply(draft)
                elif isinstance(path[-1], str):
                    Rename(path, path[-1] + "_x").apply(draft)
        except EditError:
            continue  # a path an earlier operation removed
        new = render(text, doc.source, draft)
        assert parse_yaml(new, "c.yaml").data == draft.data, (name, [c.label for c in draft.changes])


# -- the operations of update forms and `ptrack update`'s milestones --------------------------

WITH_MILESTONES = BASE.replace("tasks:\n", """\
goals:
  - {id: reach, name: Reach, kind: cumulative, target: 100, due: 2024-03-31}
  - {id: leads, name: Leads, kind: cumulative, target: 10, due: 2024-03-31}
milestones:
  - id: assets
    name: Assets final
    date: '2024-03-10'
    results: {reach: 20}   # so far
risks:
  - id: budget
    issue: Budget approval
    owner: ann
    due: 2024-03-04
tasks:
""", 1)


def test_a_milestone_achieved_with_its_results():
    from ptrack.edit.campaign import AchieveMilestone

    result = edit_text(WITH_MILESTONES, [AchieveMilestone("assets", date(2024, 3, 11),
                                                          (("reach", 2_000_000.0), ("leads", 7.5)), "ann")],
                       file="c.yaml", locale="en")
    # achieved quoted like the planned date; a result replaced in place, a new one added after it
    assert result.text == replaced("    results: {reach: 20}   # so far\n",
                                   "    achieved: '2024-03-11'\n    results: {reach: 2000000, leads: 7.5}   # so far\n"
                                   "    reviewed_by: ann\n", WITH_MILESTONES)
    assert summary(result) == ("c.yaml: milestone assets: achieved 2024-03-11, results.reach 20 -> 2000000, "
                               "results.leads 7.5, reviewed_by ann")


@pytest.mark.parametrize("operation, message", [
    (("assetz", None, (("reach", 1.0),)), 'c.yaml: no milestone "assetz" (did you mean "assets"?)'),
    (("assets", None, (("reech", 1.0),)), 'c.yaml: no goal "reech" (did you mean "reach"?)'),
])
def test_a_milestone_result_names_what_the_file_has(operation, message):
    from ptrack.edit.campaign import AchieveMilestone

    with pytest.raises(EditError) as info:
        edit_text(WITH_MILESTONES, [AchieveMilestone(*operation)], file="c.yaml", locale="en")
    assert str(info.value) == message


def test_a_new_risk_under_a_task_and_for_the_campaign():
    from ptrack.edit.campaign import AddRisk

    result = edit_text(WITH_MILESTONES, [
        AddRisk("a", "Printer late: 2 days", solution="Backup printer", owner="bob", due=date(2024, 3, 7)),
        AddRisk(None, "Venue cancelled", owner="ann"),
        AddRisk("c", "Copy not approved", due=date(2024, 3, 6)),
    ], file="c.yaml", locale="en")
    text = replaced("      - {issue: two, due: 2024-03-06}\n",
                    "      - {issue: two, due: 2024-03-06}\n"
                    '      - {issue: "Printer late: 2 days", solution: Backup printer, owner: bob, due: 2024-03-07}\n',
                    WITH_MILESTONES)
    text = replaced("    due: 2024-03-04\ntasks:\n",
                    "    due: 2024-03-04\n  - issue: Venue cancelled\n    owner: ann\ntasks:\n", text)
    # a task without risks gets the list (where the schema puts it: after notes), its due date
    # quoted like the task's planned dates
    text = text + "    risks:\n      - {issue: Copy not approved, due: '2024-03-06'}\n"
    assert result.text == text
    assert summary(result) == ('c.yaml: task a: risk added: Printer late: 2 days; campaign c: risk added: '
                               'Venue cancelled; task c: risk added: Copy not approved')
    with pytest.raises(EditError, match="a risk needs its issue"):
        edit_text(BASE, [AddRisk("a", "  ")], file="c.yaml", locale="en")


def test_a_campaign_level_risk_is_resolved_by_id_or_position():
    for ref in ("budget", 1, "1"):
        result = edit_text(WITH_MILESTONES, [ResolveRisk(None, ref, date(2024, 3, 5))], file="c.yaml", locale="en")
        assert result.text == replaced("    due: 2024-03-04\ntasks:", "    due: 2024-03-04\n    resolved: 2024-03-05\ntasks:",
                                       WITH_MILESTONES)
        assert summary(result) == "c.yaml: campaign c: risks[1].resolved 2024-03-05"
    with pytest.raises(EditError) as info:
        edit_text(WITH_MILESTONES, [ResolveRisk(None, "budgte", date(2024, 3, 5))], file="c.yaml", locale="en")
    assert str(info.value) == 'c.yaml: no risk "budgte" (did you mean "budget"?)'


def test_a_dated_note():
    result = edit_text(BASE, [AddNote("c", "third", date(2024, 3, 5)), AddNote("b", "  第一条  ", date(2024, 3, 6))],
                       file="c.yaml", locale="en")
    # the notes end without a line break now: |- (as every note the editor adds)
    assert result.text == replaced("    notes: |\n      line one\n      line two\n",
                                   "    notes: |-\n      line one\n      line two\n      2024-03-05 third\n").replace(
        "end: 2024-03-09}}", "end: 2024-03-09}, notes: 2024-03-06 第一条}")
