"""Validation: schema errors and semantic checks, each with its human message and YAML position.

Every case states the campaign inline and the exact diagnostics, in
``file:line:col: severity [code] message`` form."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ptrack.core.diagnostics import Severity
from ptrack.core.loader import parse_yaml
from ptrack.core.validate import load_campaign, validate_document

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "campaign.yaml"

# Line numbers of the campaign below, which most cases extend:
#  1 ptrack / 2 campaign / 3 id / 4 name / 5 start / 6 end / 7 tasks / 8 - id: a / 9 name /
# 10 planned
BASE = """\
ptrack: 1
campaign:
  id: spring
  name: Spring
  start: 2024-03-01
  end: 2024-05-31
tasks:
  - id: a
    name: A
    planned: {start: 2024-03-01, end: 2024-03-10}
"""


def diagnostics(text: str):
    doc = parse_yaml(textwrap.dedent(text), "c.yaml")
    return validate_document(doc.data, doc.source, "en")


def lines(text: str) -> list[str]:
    return [d.format_text() for d in diagnostics(text)]


def task(tid: str, extra: str = "", start: str = "2024-03-01", end: str = "2024-03-10") -> str:
    """A task item of three lines (plus ``extra`` lines), indented for the ``tasks:`` list."""
    return (f"  - id: {tid}\n    name: T\n    planned: {{start: {start}, end: {end}}}\n"
            + textwrap.indent(textwrap.dedent(extra), "    "))


HEAD = BASE.split("tasks:\n")[0]  # lines 1-6


def test_base_is_valid():
    assert lines(BASE) == []


def test_example_campaign_has_no_diagnostics():
    result = load_campaign(EXAMPLE)
    assert result.diagnostics == []
    assert result.campaign is not None
    assert result.campaign.id == "spring-launch-2024"


# --- schema errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    pytest.param(
        BASE + "    ownr: design-lead\n",
        ['c.yaml:11:5: error [schema] tasks[a]: unknown key "ownr" (did you mean "owner"?)'],
        id="unknown-key-did-you-mean-at-the-key"),
    pytest.param(
        BASE.replace("  end: 2024-05-31\n", "  end: 2024-05-31\n  colour: red\n"),
        ['c.yaml:7:3: error [schema] campaign: unknown key "colour"; allowed keys: id, name, '
         "description, lead, start, end, calendar, calendar_overrides, locale"],
        id="unknown-key-lists-allowed-keys"),
    pytest.param(
        BASE + "sponsor: x\n",
        ['c.yaml:11:1: error [schema] unknown key "sponsor"; allowed keys: ptrack, campaign, '
         "policy, people, goals, milestones, tasks, risks, retro"],
        id="unknown-top-level-key"),
    pytest.param(
        BASE.replace("  name: Spring\n", ""),
        ['c.yaml:3:3: error [schema] campaign: missing required key "name"'],
        id="missing-required-key"),
    pytest.param(
        HEAD,
        ['c.yaml:1:1: error [schema] missing required key "tasks"'],
        id="missing-top-level-key"),
    pytest.param(
        BASE.replace("name: A", "name: [A, B]"),
        ["c.yaml:9:11: error [schema] tasks[a].name: expected text, got a list"],
        id="wrong-type-list"),
    pytest.param(
        HEAD + "tasks:\n",
        ["c.yaml:7:7: error [schema] tasks: expected a list, got null"],
        id="wrong-type-null"),
    pytest.param(
        BASE + "    progress: high\n",
        ['c.yaml:11:15: error [schema] tasks[a].progress: expected a number, got text "high"'],
        id="wrong-type-text"),
    pytest.param(
        BASE.replace("start: 2024-03-01\n  end", "start: 2024-02-30\n  end"),
        ['c.yaml:5:10: error [schema] campaign.start: "2024-02-30" is not a date; write '
         "YYYY-MM-DD, e.g. 2024-03-01"],
        id="impossible-date"),
    pytest.param(
        BASE.replace("end: 2024-03-10", "end: 2024-3-9"),
        ['c.yaml:10:39: error [schema] tasks[a].planned.end: "2024-3-9" is not a date; write 2024-03-09 '
         "(dates are YYYY-MM-DD)"],
        id="date-pattern"),
    pytest.param(
        BASE.replace("id: spring", "id: Spring_2024"),
        ['c.yaml:3:7: error [schema] campaign.id: "Spring_2024" is not a valid id; use lowercase '
         "letters, digits and '-', starting with a letter or digit (e.g. poster-draft)"],
        id="id-pattern"),
    pytest.param(
        BASE.replace("  end: 2024-05-31\n", "  end: 2024-05-31\n  locale: zh-cn\n"),
        ['c.yaml:7:11: error [schema] campaign.locale: "zh-cn" is not one of "zh-CN", "en", "zh-TW" '
         '(did you mean "zh-CN"?)'],
        id="enum-locale"),
    pytest.param(
        BASE + "    status: canceled\n",
        ['c.yaml:11:13: error [schema] tasks[a].status: "canceled" is not one of "cancelled", '
         '"on_hold" (did you mean "cancelled"?)'],
        id="enum-status"),
    pytest.param(
        BASE.replace("  end: 2024-05-31\n", "  end: 2024-05-31\n  calendar: weekend\n"),
        ['c.yaml:7:13: error [unknown-calendar] campaign.calendar: "weekend" is not a calendar: '
         'use none, weekends or a country code such as CN (did you mean "weekends"?)'],
        id="calendar-suggestion"),
    pytest.param(
        BASE.replace("ptrack: 1", "ptrack: 2"),
        ["c.yaml:1:9: error [schema] ptrack: must be 1, not 2"],
        id="const"),
    pytest.param(
        BASE + "    progress: 101\n",
        ["c.yaml:11:15: error [schema] tasks[a].progress: 101 is too large; it must be at most 100"],
        id="progress-101"),
    pytest.param(
        BASE + "    quantity: {done: 1, total: 0}\n",
        ["c.yaml:11:32: error [schema] tasks[a].quantity.total: 0 is too small; it must be more "
         "than 0"],
        id="exclusive-minimum"),
    pytest.param(
        BASE + "    risks:\n      - issue: 物料延期\n        resolved: yes\n",
        ['c.yaml:13:19: error [schema] tasks[a].risks[0].resolved: "yes" must be true, false or '
         "the date it was resolved (YYYY-MM-DD)"],
        id="resolved-yes"),
    pytest.param(
        BASE + "    channels: [抖音, 抖音]\n",
        ['c.yaml:11:15: error [schema] tasks[a].channels: "抖音" is listed twice'],
        id="unique-items"),
    pytest.param(
        BASE.replace("name: A", "name: ''"),
        ["c.yaml:9:11: error [schema] tasks[a].name: must not be empty"],
        id="empty-name"),
])
def test_schema_errors(text, expected):
    assert lines(text) == expected


def test_all_schema_problems_are_collected():
    text = (BASE.replace("id: spring", "id: Spring")
            .replace("  end: 2024-05-31\n", "  end: 2024-05-31\n  foo: 1\n")
            + "    progress: 101\n")
    assert lines(text) == [
        "c.yaml:3:7: error [schema] campaign.id: \"Spring\" is not a valid id; use lowercase "
        "letters, digits and '-', starting with a letter or digit (e.g. poster-draft)",
        'c.yaml:7:3: error [schema] campaign: unknown key "foo"; allowed keys: id, name, '
        "description, lead, start, end, calendar, calendar_overrides, locale",
        "c.yaml:12:15: error [schema] tasks[a].progress: 101 is too large; it must be at most 100",
    ]


@pytest.mark.parametrize("text, kind", [("- a\n- b\n", "a list"), ("hello\n", "text"),
                                        ("42\n", "a number")])
def test_root_must_be_a_mapping(text, kind):
    assert lines(text) == [
        f"c.yaml:1:1: error [schema] a campaign file is a mapping starting with 'ptrack: 1', not {kind}"]


def test_schema_diagnostics_carry_the_json_path():
    (d,) = diagnostics(BASE + "    progress: 101\n")
    assert d.location.path == ("tasks", 0, "progress")
    assert d.severity is Severity.ERROR


# --- semantic checks --------------------------------------------------------------------------

PEOPLE = "people:\n  boss: {name: 老板}\n  design-lead: {name: 设计主管}\n"  # lines 7-9


@pytest.mark.parametrize("text, expected", [
    pytest.param(
        HEAD + "tasks:\n" + task("a") + task("b") + task("a"),
        ['c.yaml:14:9: error [duplicate-id] task id "a" is used twice (first at line 8)'],
        id="duplicate-task"),
    pytest.param(
        HEAD + "goals:\n  - {id: g, name: G, kind: level, target: 3, due: 2024-05-01}\n"
        "  - {id: g, name: H, kind: level, target: 3, due: 2024-05-01}\ntasks: []\n",
        ['c.yaml:9:10: error [duplicate-id] goal id "g" is used twice (first at line 8)'],
        id="duplicate-goal"),
    pytest.param(
        HEAD + "milestones:\n  - {id: m, name: M, date: 2024-04-01}\n"
        "  - {id: m, name: N, date: 2024-04-02}\ntasks: []\n",
        ['c.yaml:9:10: error [duplicate-id] milestone id "m" is used twice (first at line 8)'],
        id="duplicate-milestone"),
    pytest.param(
        HEAD + "risks:\n  - {id: r, issue: X}\ntasks:\n" + task("a", "risks:\n  - {id: r, issue: Y}\n"),
        ['c.yaml:14:14: error [duplicate-id] risk id "r" is used twice (first at line 8)'],
        id="duplicate-risk-campaign-and-task"),
    pytest.param(
        HEAD + PEOPLE + "tasks:\n" + task("a", "owner: desgn-lead\ncollaborators: [boss, zed]\n"),
        ['c.yaml:14:12: error [unknown-person] tasks[a].owner: "desgn-lead" is not one of the '
         'people (did you mean "design-lead"?)',
         'c.yaml:15:27: error [unknown-person] tasks[a].collaborators[1]: "zed" is not one of the '
         "people"],
        id="unknown-person-owner-collaborator"),
    pytest.param(
        HEAD.replace("  end: 2024-05-31\n", "  end: 2024-05-31\n  lead: bos\n") + PEOPLE
        + "risks:\n  - {issue: X, owner: nobody}\ntasks: []\n",
        ['c.yaml:7:9: error [unknown-person] campaign.lead: "bos" is not one of the people '
         '(did you mean "boss"?)',
         'c.yaml:12:23: error [unknown-person] risks[0].owner: "nobody" is not one of the people'],
        id="unknown-person-lead-risk"),
    pytest.param(
        HEAD + "tasks:\n" + task("poster") + task("b", "depends_on: [postr, poster]\n"),
        ['c.yaml:14:18: error [unknown-task] tasks[b].depends_on: "postr" is not a task id '
         '(did you mean "poster"?)'],
        id="unknown-task-depends-on"),
    pytest.param(
        HEAD + "goals:\n  - {id: sales, name: G, kind: cumulative, target: 100, due: 2024-05-31}\n"
        "milestones:\n  - id: m\n    name: M\n    date: 2024-04-01\n    tasks: [a, nope]\n"
        "    results: {sale: 5}\ntasks:\n" + task("a"),
        ['c.yaml:13:16: error [unknown-task] milestones[m].tasks: "nope" is not a task id',
         'c.yaml:14:15: error [unknown-goal] milestones[m].results: "sale" is not a goal id '
         '(did you mean "sales"?)'],
        id="milestone-unknown-task-and-goal"),
    pytest.param(
        HEAD.replace("end: 2024-05-31", "end: 2024-02-01") + "tasks: []\n",
        ["c.yaml:6:8: error [date-order] campaign.end 2024-02-01 is before campaign.start "
         "2024-03-01"],
        id="date-order-campaign"),
    pytest.param(
        HEAD + "tasks:\n" + task("a", start="2024-03-10", end="2024-03-05"),
        ['c.yaml:10:39: error [date-order] task "a": planned end 2024-03-05 is before planned '
         "start 2024-03-10"],
        id="date-order-planned"),
    pytest.param(
        HEAD + "tasks:\n" + task("a", "actual: {start: 2024-03-05, end: 2024-03-02}\n"),
        ['c.yaml:11:38: error [date-order] task "a": actual end 2024-03-02 is before actual '
         "start 2024-03-05"],
        id="date-order-actual"),
    pytest.param(
        HEAD + "goals:\n  - {id: g, name: G, kind: level, target: 3, start: 2024-04-01, "
        "due: 2024-03-15}\ntasks: []\n",
        ['c.yaml:8:70: error [date-order] goal "g": due 2024-03-15 is before its start '
         "2024-04-01"],
        id="date-order-goal"),
    pytest.param(
        HEAD + "goals:\n  - {id: g, name: G, kind: level, target: 3, due: 2024-02-15}\ntasks: []\n",
        ['c.yaml:8:51: error [date-order] goal "g": due 2024-02-15 is before its start '
         "2024-03-01"],
        id="date-order-goal-default-start"),
    pytest.param(
        HEAD + "tasks:\n" + task("a", "depends_on: [a]\n"),
        ['c.yaml:11:18: error [dependency-cycle] task "a" depends on itself'],
        id="cycle-self"),
    pytest.param(
        HEAD + "tasks:\n" + task("a", "depends_on: [b]\n") + task("b", "depends_on: [a]\n"),
        ["c.yaml:11:18: error [dependency-cycle] dependency cycle: a -> b -> a (each depends on "
         "the next)"],
        id="cycle-2"),
    pytest.param(
        HEAD + "tasks:\n" + task("a", "depends_on: [b]\n") + task("b", "depends_on: [c]\n")
        + task("c", "depends_on: [a]\n"),
        ["c.yaml:11:18: error [dependency-cycle] dependency cycle: a -> b -> c -> a (each depends "
         "on the next)"],
        id="cycle-3"),
    pytest.param(
        HEAD + "tasks:\n" + task("x") + task("a", "depends_on: [x, c]\n") + task("b", "depends_on: [a]\n")
        + task("c", "depends_on: [b]\n"),
        # the second entry of a's depends_on (c) closes the cycle: line 14, column 21
        ["c.yaml:14:21: error [dependency-cycle] dependency cycle: a -> c -> b -> a (each "
         "depends on the next)"],
        id="cycle-3-pointing-at-the-closing-entry"),
    pytest.param(
        HEAD + "tasks:\n" + task("a", "actual: {start: 2024-03-01, end: 2024-03-05}\nprogress: 80\n"),
        ['c.yaml:12:15: error [progress-inconsistent] task "a": actual.end is set, so the task '
         "is done, but progress is 80; set progress to 100 or remove actual.end"],
        id="progress-inconsistent-actual-end"),
    pytest.param(
        HEAD + "tasks:\n" + task("a", "quantity: {done: 12, total: 10, unit: 条}\n"),
        ['c.yaml:11:22: error [progress-inconsistent] task "a": quantity.done 12 is more than '
         "quantity.total 10"],
        id="progress-inconsistent-quantity"),
    pytest.param(
        HEAD + "tasks:\n" + task("a", start="2024-02-20", end="2024-03-05"),
        ['c.yaml:10:14: warning [outside-window] task "a": planned 2024-02-20..2024-03-05 falls '
         "outside the campaign window 2024-03-01..2024-05-31"],
        id="outside-window-task"),
    pytest.param(
        HEAD + "milestones:\n  - {id: m, name: M, date: 2024-06-01}\ntasks: []\n",
        ['c.yaml:8:28: warning [outside-window] milestone "m" on 2024-06-01 falls outside the '
         "campaign window 2024-03-01..2024-05-31"],
        id="outside-window-milestone"),
    pytest.param(
        HEAD.replace("  end: 2024-05-31\n", "  end: 2024-05-31\n  calendar: XX\n") + "tasks: []\n",
        ['c.yaml:7:13: error [unknown-calendar] campaign.calendar: "XX" is not a calendar the '
         "holidays package knows: use none, weekends or a supported country code such as CN, "
         "US, DE, JP (with a subdivision: US-CA)"],
        id="unknown-calendar-XX"),
    pytest.param(
        HEAD.replace("  end: 2024-05-31\n", "  end: 2024-05-31\n  calendar: cn\n") + "tasks: []\n",
        ['c.yaml:7:13: error [unknown-calendar] campaign.calendar: "cn" is not a calendar: use '
         'none, weekends or a country code such as CN (did you mean "CN"?)'],
        id="unknown-calendar-lowercase-cn"),
    pytest.param(
        HEAD + "policy: {deviation_warn: 30, deviation_fail: 20}\ntasks: []\n",
        ["c.yaml:7:26: error [policy] policy.deviation_warn is larger than policy.deviation_fail; "
         "the warning threshold must not exceed the failing one"],
        id="policy-warn-above-fail"),
])
def test_semantic_checks(text, expected):
    assert lines(text) == expected


@pytest.mark.parametrize("calendar", ["none", "weekends", "CN", "US-CA"])
def test_known_calendars(calendar):
    text = HEAD.replace("  end: 2024-05-31\n", f"  end: 2024-05-31\n  calendar: {calendar}\n")
    assert lines(text + "tasks: []\n") == []


def test_without_people_owners_are_free_text():
    text = HEAD + "tasks:\n" + task("a", "owner: 任何人 Anyone\ncollaborators: [外包团队]\n")
    assert lines(text) == []


def test_with_people_known_references_pass():
    text = HEAD + PEOPLE + "tasks:\n" + task("a", "owner: design-lead\ncollaborators: [boss]\n")
    assert lines(text) == []


def test_semantic_diagnostics_name_campaign_and_task():
    (d,) = diagnostics(HEAD + "tasks:\n" + task("a", "depends_on: [a]\n"))
    assert (d.campaign, d.task, d.location.path) == ("spring", "a", ("tasks", 0, "depends_on", 0))


def test_all_semantic_problems_are_collected_in_position_order():
    text = (HEAD.replace("  end: 2024-05-31\n", "  end: 2024-05-31\n  calendar: XX\n")
            + "tasks:\n" + task("a", "depends_on: [a]\n", start="2024-03-10", end="2024-03-01")
            + task("a"))
    assert [(d.code, d.location.line, d.location.column) for d in diagnostics(text)] == [
        ("unknown-calendar", 7, 13),
        ("date-order", 11, 39),
        ("dependency-cycle", 12, 18),
        ("duplicate-id", 13, 9),
    ]


def test_warnings_alone_keep_the_campaign(write):
    path = write("c.yaml", HEAD + "tasks:\n" + task("a", start="2024-02-20", end="2024-03-05"))
    result = load_campaign(path)
    assert [d.severity for d in result.diagnostics] == [Severity.WARNING]
    assert result.campaign is not None


def test_errors_drop_the_campaign(write):
    result = load_campaign(write("c.yaml", HEAD + "tasks:\n" + task("a", "depends_on: [a]\n")))
    assert result.campaign is None
    assert [d.code for d in result.diagnostics] == ["dependency-cycle"]


def test_yaml_problems_become_diagnostics(write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = load_campaign(write("c.yaml", "a: 1\na: 2\n"), locale="en")
    assert [d.format_text() for d in result.diagnostics] == [
        'c.yaml:2:1: error [duplicate-key] duplicate key "a" (first defined at line 1); each key '
        "may appear once"]
    # without --lang: the campaign's locale, found in the text of a file that does not parse
    result = load_campaign(write("d.yaml", "campaign:\n  locale: zh-TW\n  locale: en\n"))
    assert [d.format_text() for d in result.diagnostics] == [
        "d.yaml:3:3: 錯誤 [duplicate-key] 鍵“locale”重複了（第 2 行已有）；每個鍵只能出現一次"]


# --- the schema check split by task (what ptrack.git.history reuses across versions) -------------

def _whole_and_split(text: str) -> tuple[bool, bool]:
    """(the schema passes the whole document, it passes every task and the rest)."""
    from ptrack.core.validate import SchemaValueError, _fast_validator, rest_passes_schema, task_passes_schema

    data = parse_yaml(textwrap.dedent(text), "c.yaml").data
    try:
        _fast_validator()(data)
        whole = True
    except SchemaValueError:
        whole = False
    rest = {k: v for k, v in data.items() if k != "tasks"}
    return whole, rest_passes_schema(rest) and all(task_passes_schema(t) for t in data["tasks"])


def _case_texts() -> list[str]:
    """Every document of the schema and semantic cases above, the example and a few more."""
    texts = [BASE, EXAMPLE.read_text("utf-8")]
    for case in (test_schema_errors, test_semantic_checks):
        texts += [p.values[0] for p in case.pytestmark[0].args[1]]
    texts += [BASE + "  - id: b\n    name: B\n    planned: {start: 2024-03-01, end: 2024-03-10}\n",
              BASE + "  - id: a\n    name: A\n    planned: {start: 2024-03-01, end: 2024-03-10}\n",
              BASE + "  - 42\n", BASE + "  - id: b\n", BASE.replace("ptrack: 1", "ptrack: 2"),
              BASE.replace("tasks:", "colour: red\ntasks:")]
    return [t for t in texts if isinstance(parse_yaml(textwrap.dedent(t), "c.yaml").data, dict)
            and isinstance(parse_yaml(textwrap.dedent(t), "c.yaml").data.get("tasks"), list)]


def test_schema_split_gives_the_whole_documents_verdict():
    from ptrack.core.validate import schema_split_available

    assert schema_split_available()
    verdicts = [_whole_and_split(t) for t in _case_texts()]
    assert len(verdicts) > 30
    assert all(whole == split for whole, split in verdicts), verdicts
    assert {whole for whole, _ in verdicts} == {True, False}


def test_schema_split_only_for_a_plain_task_list(monkeypatch):
    """A constraint on the task list as a whole (uniqueItems, or minItems under allOf) turns the
    split off."""
    import copy

    from ptrack.core import validate

    schema = copy.deepcopy(validate.load_schema())
    schema["properties"]["tasks"]["uniqueItems"] = True
    monkeypatch.setattr(validate, "load_schema", lambda: schema)
    validate._split_validators.cache_clear()
    validate._fast_validator.cache_clear()
    try:
        assert not validate.schema_split_available()
        del schema["properties"]["tasks"]["uniqueItems"]
        validate._split_validators.cache_clear()
        assert validate.schema_split_available()
        schema["allOf"] = [{"properties": {"tasks": {"minItems": 1}}}]
        validate._split_validators.cache_clear()
        assert not validate.schema_split_available()
    finally:
        monkeypatch.undo()
        validate._split_validators.cache_clear()
        validate._fast_validator.cache_clear()
    assert validate.schema_split_available()
