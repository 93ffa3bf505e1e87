"""``ptrack update``'s edits (``ptrack.edit.update`` through the one editor): edits in place that
keep comments, order, quoting and blank lines; refusal of edits that would make the file
invalid; atomic writes."""

from __future__ import annotations

import difflib
import os
import textwrap
from datetime import date
from pathlib import Path

import pytest

from ptrack.edit import EditError, edit_file, edit_text
from ptrack.edit.campaign import summary
from ptrack.edit.update import goal_operations, task_operations
from ptrack.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "import" / "update"
EXAMPLE = ROOT / "examples" / "campaign.yaml"
D = date(2024, 10, 23)

SMALL = """\
ptrack: 1
campaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31, calendar: none}
goals:
  - {id: g, name: G, kind: cumulative, target: 10, due: 2024-03-31}
tasks:
  - id: a
    name: A
    planned: {start: 2024-03-01, end: 2024-03-10}
    progress: 10
"""


def TaskEdit(task_id, on, **options):
    return task_operations(task_id, on=on, **options)


def GoalEdit(goal_id, value, on):
    return goal_operations(goal_id, value, on)


def apply_update(text, operations, file="c.yaml"):
    return edit_text(text, operations, file=file, locale="en")


def update_file(path, operations):
    return edit_file(path, operations, locale="en")


def edited(text: str, *edits) -> str:
    for edit in edits:
        outcome = apply_update(text, edit)
        assert outcome.diagnostics == [], [d.format_text() for d in outcome.diagnostics]
        text = outcome.text
    return text


def changed_lines(before: str, after: str) -> list[tuple[str, list[str], list[str]]]:
    """(tag, old lines, new lines) of every difference."""
    a, b = before.splitlines(), after.splitlines()
    return [(tag, a[i1:i2], b[j1:j2])
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
            if tag != "equal"]


def test_a_file_full_of_comments_changes_only_on_the_edited_lines():
    before = (FIXTURES / "commented.yaml").read_text("utf-8")
    after = edited(
        before,
        TaskEdit("poster", D, progress=60, start=date(2024, 10, 8), note="第二版已定稿"),
        TaskEdit("videos", D, done=5, resolve_risk=1),
        TaskEdit("live", D, start=date(2024, 10, 28)),
        GoalEdit("exposure", 3100000, D),
        GoalEdit("conversion", 1.8, date(2024, 10, 22)),
    )
    expected = (FIXTURES / "commented.expected.yaml").read_text("utf-8")
    assert after.splitlines() == expected.splitlines()
    assert changed_lines(before, after) == [
        ("insert", [], ["      - {date: 2024-10-23, value: 3100000}"]),
        ("insert", [], ["    measurements:", "      - {date: 2024-10-22, value: 1.8}"]),
        ("insert", [], ["    actual: {start: 2024-10-08}"]),  # after planned, above the comment
        # the value's span only: the spaces around it stay, the comments keep their columns
        ("replace", ["    progress:    40          # aligned comment", "    notes: 第一版已提交       # 备注"],
         ["    progress:    60          # aligned comment", "    notes: |-                 # 备注", "      第一版已提交",
          "      2024-10-23 第二版已定稿"]),  # the note dated D
        ("replace", ["    quantity: {done: 3, total: 12, unit: 条}"], ["    quantity: {done: 5, total: 12, unit: 条}"]),
        ("replace", ["        resolved: false"], ["        resolved: 2024-10-23"]),
        ("insert", [], ["    actual: {start: 2024-10-28}"]),
    ]


def test_lines_a_yaml_library_would_normalise_stay_as_they_were():
    text = SMALL.replace("ptrack: 1", "ptrack:    1      # spaced").replace("name: A", "name:   'A'")
    after = edited(text, TaskEdit("a", D, progress=20))
    assert changed_lines(text, after) == [("replace", ["    progress: 10"], ["    progress: 20"])]


def test_example_edits_touch_only_their_lines():
    before = EXAMPLE.read_text("utf-8")
    after = edited(before, TaskEdit("ab-test", D, progress=40, note="首页资源位已上线"),
                   TaskEdit("dealer-training", D, start=date(2024, 4, 22)),
                   TaskEdit("retro-report", D, note="先写大纲"),
                   GoalEdit("sales", 60000, date(2024, 4, 21)))
    assert changed_lines(before, after) == [
        ("insert", [], ["      - {date: 2024-04-21, value: 60000}"]),
        ("insert", [], ["    actual: {start: 2024-04-22}"]),
        ("replace", ["    progress: 10"], ["    progress: 40"]),
        ("insert", [], ["    notes: 2024-10-23 首页资源位已上线"]),  # after its risks, the task's last lines
        ("insert", [], ["    notes: 2024-10-23 先写大纲"]),  # after the task's last line, before the blank line
    ]


def test_quoting_and_block_style_follow_the_file():
    text = textwrap.dedent("""\
        ptrack: 1
        campaign:
            id: c
            name: C
            start: "2024-03-01"
            end: "2024-03-31"
        tasks:
        -   id: a
            name: A
            planned:
                start: "2024-03-01"
                end: "2024-03-10"
            risks:
            -   issue: x
                due: '2024-03-05'
        """)
    after = edited(text, TaskEdit("a", D, end=date(2024, 3, 9), resolve_risk=1))
    assert changed_lines(text, after) == [
        ("insert", [], ["    actual:", '        end: "2024-03-09"']),
        ("insert", [], ["        resolved: '2024-10-23'"]),
    ]


def test_end_sets_progress_100_and_notes_append():
    after = edited(SMALL, TaskEdit("a", D, end=date(2024, 3, 8), note="one"), TaskEdit("a", D, note="two"))
    assert after.endswith("    actual: {end: 2024-03-08}\n    progress: 100\n    notes: |-\n      2024-10-23 one\n"
                          "      2024-10-23 two\n")


def test_a_measurement_on_the_same_date_is_replaced_and_others_kept_in_date_order():
    text = edited(SMALL, GoalEdit("g", 5, date(2024, 3, 10)), GoalEdit("g", 2, date(2024, 3, 5)),
                  GoalEdit("g", 6, date(2024, 3, 10)))
    # the goal is a flow mapping, so the list goes inside it
    assert "measurements: [{date: 2024-03-05, value: 2}, {date: 2024-03-10, value: 6}]}" in text
    outcome = apply_update(text, GoalEdit("g", 6, date(2024, 3, 10)))
    assert not outcome.changed and summary(outcome) == "c.yaml: no change"


def test_summary_lines():
    outcome = apply_update(SMALL, TaskEdit("a", D, progress=35.0, start=date(2024, 3, 2)))
    assert summary(outcome) == "c.yaml: task a: progress 10 -> 35, actual.start 2024-03-02"
    outcome = apply_update(SMALL, GoalEdit("g", 2.5, date(2024, 3, 10)))
    assert summary(outcome) == "c.yaml: goal g: measurement 2024-03-10: 2.5 (added)"
    outcome = apply_update(edited(SMALL, GoalEdit("g", 2.5, date(2024, 3, 10))), GoalEdit("g", 3, date(2024, 3, 10)))
    assert summary(outcome) == "c.yaml: goal g: measurement 2024-03-10: 2.5 -> 3 (replaced)"


def test_summary_lines_in_the_campaigns_language():
    # no locale given: the campaign's (zh-CN when it names none)
    outcome = edit_text(SMALL, TaskEdit("a", D, progress=35.0, note="x"), file="c.yaml")
    assert summary(outcome) == "c.yaml：任务 a：progress 10 → 35，已添加备注"
    outcome = edit_text(SMALL.replace("calendar: none}", "calendar: none, locale: zh-TW}"),
                        GoalEdit("g", 2, date(2024, 3, 10)), file="c.yaml")
    assert summary(outcome) == "c.yaml：目標 g：測量值 2024-03-10：2（新增）"
    with pytest.raises(EditError, match="^c.yaml：没有任务“aa”（是否指“a”？）$"):
        edit_text(SMALL, TaskEdit("aa", D, progress=1), file="c.yaml")


def test_an_edit_that_would_make_the_file_invalid_is_refused():
    outcome = apply_update(SMALL, TaskEdit("a", D, start=date(2024, 3, 9), end=date(2024, 3, 5)))
    assert [d.format_text() for d in outcome.diagnostics] == [
        'c.yaml:9:38: error [date-order] task "a": actual end 2024-03-05 is before actual start 2024-03-09']


@pytest.mark.parametrize("edit, message", [
    (TaskEdit("b", D, progress=1), 'c.yaml: no task "b"; the tasks are: a'),
    (TaskEdit("aa", D, progress=1), 'c.yaml: no task "aa" (did you mean "a"?)'),
    (GoalEdit("gg", 1, D), 'c.yaml: no goal "gg" (did you mean "g"?)'),
    (TaskEdit("a", D, done=3), 'c.yaml: task "a" has no quantity (done/total); use --progress instead'),
    (TaskEdit("a", D, resolve_risk=1), 'c.yaml: task "a" has no risks'),
])
def test_what_the_file_does_not_have(edit, message):
    with pytest.raises(EditError) as info:
        apply_update(SMALL, edit)
    assert str(info.value) == message and info.value.exit_code == 1


def test_a_file_without_a_final_line_break_gets_its_new_lines_at_the_end():
    text = SMALL.rstrip("\n")
    after = edited(text, TaskEdit("a", D, note="n"))
    assert after == text + "\n    notes: 2024-10-23 n"


# -- files ---------------------------------------------------------------------------------------

def test_update_file_keeps_bom_and_crlf(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.replace("\n", "\r\n").encode("utf-8"))
    update_file(path, TaskEdit("a", D, progress=20))
    assert path.read_bytes() == b"\xef\xbb\xbf" + SMALL.replace("progress: 10", "progress: 20").replace(
        "\n", "\r\n").encode("utf-8")


def test_a_refused_edit_leaves_the_file_byte_identical(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(SMALL.encode("utf-8"))
    stat = path.stat()
    outcome = update_file(path, TaskEdit("a", D, end=date(2024, 2, 1), start=date(2024, 3, 2)))
    assert outcome.refused and not outcome.invalid_before
    assert path.read_bytes() == SMALL.encode("utf-8") and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert os.listdir(tmp_path) == ["c.yaml"]


def test_an_invalid_file_is_not_touched(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(SMALL.replace("progress: 10", "progress: 101"), encoding="utf-8")
    outcome = update_file(path, TaskEdit("a", D, progress=20))
    assert outcome.invalid_before
    assert [d.code for d in outcome.diagnostics] == ["schema"]
    assert "progress: 101" in path.read_text("utf-8")


def test_an_interrupted_write_leaves_the_original_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    path.write_text(SMALL, encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(UsageError, match="c.yaml: cannot write: no space left on the disk"):
        update_file(path, TaskEdit("a", D, progress=20))
    assert path.read_text("utf-8") == SMALL
    assert os.listdir(tmp_path) == ["c.yaml"]
