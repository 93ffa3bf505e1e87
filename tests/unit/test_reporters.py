"""Reporters: exact output strings of every format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from ptrack import __version__
from ptrack.core.compute import compute_snapshot
from ptrack.core.diagnostics import Diagnostic, Location, Severity
from ptrack.reporters import (
    CHECK_REPORTERS,
    STATUS_REPORTERS,
    CheckReport,
    FileResult,
    StatusReport,
    campaign_json,
    check_step_summary,
    display_width,
    dump_json,
    status_document,
    status_json_of,
    md_cell,
    render_table,
)
from tests.helpers import campaign_from_yaml

# -- check -----------------------------------------------------------------------------------------

# A file name with a comma and a colon, a message with %, a newline, a comma and a colon.
RISK = Diagnostic("risk-overdue", Severity.ERROR, 'risk "素材变更" is 1 day past: 100% done,\nsee notes',
                  Location("campaigns/a,b:c.yaml", 12, 7, ("tasks", 0, "risks", 0, "due")), "c", "t1")
LATE = Diagnostic("late-start", Severity.WARNING, 'task "A" | <b>',
                  Location("campaigns/a.yaml", 3, 5, ("tasks", 1), (None, "t2")), "a", "t2")
SCHEMA = Diagnostic("schema", Severity.ERROR, "bad", Location("bad.yaml", 1, 1, ()), None, None)
RULE_IDS = ("late-start", "risk-overdue")


def report(strict: bool = False) -> CheckReport:
    return CheckReport([FileResult("campaigns/a,b:c.yaml", [RISK], "c"),
                        FileResult("campaigns/a.yaml", [LATE], "a"),
                        FileResult("bad.yaml", [SCHEMA], None),
                        FileResult("ok.yaml", [], "ok")], strict=strict, rules=RULE_IDS)


def warnings_only(strict: bool = False) -> CheckReport:
    return CheckReport([FileResult("campaigns/a.yaml", [LATE], "a")], strict=strict, rules=RULE_IDS)


def test_registry_names():
    assert set(CHECK_REPORTERS) == {"text", "github", "json", "junit", "codequality"}
    assert set(STATUS_REPORTERS) == {"table", "json", "markdown"}


def test_check_text():
    assert CHECK_REPORTERS["text"](report()) == (
        # the message's newline is folded: one finding, one line
        'campaigns/a,b:c.yaml:12:7: error [risk-overdue] risk "素材变更" is 1 day past: 100% done, see notes\n'
        'campaigns/a.yaml:3:5: warning [late-start] task "A" | <b>\n'
        "bad.yaml:1:1: error [schema] bad\n"
        "2 errors, 1 warning, 0 notices in 4 files\n"
    )
    clean = CheckReport([FileResult("ok.yaml", [], "ok")])
    assert CHECK_REPORTERS["text"](clean) == "0 errors, 0 warnings, 0 notices in 1 file\n"


def test_check_github_escapes_data_and_properties():
    assert CHECK_REPORTERS["github"](report()) == (
        # properties: % -> %25, : -> %3A, , -> %2C; data: % -> %25, newline -> %0A (, and : stay)
        "::error file=campaigns/a%2Cb%3Ac.yaml,line=12,col=7,title=ptrack [risk-overdue]::"
        'risk "素材变更" is 1 day past: 100%25 done,%0Asee notes\n'
        '::warning file=campaigns/a.yaml,line=3,col=5,title=ptrack [late-start]::task "A" | <b>\n'
        "::error file=bad.yaml,line=1,col=1,title=ptrack [schema]::bad\n"
        "2 errors, 1 warning, 0 notices in 4 files\n"
    )


def test_check_github_escapes_percent_and_carriage_return_in_properties():
    d = Diagnostic("schema", Severity.NOTICE, "a\r\nb", Location("100%/x.yaml", 2, 3), None, None)
    out = CHECK_REPORTERS["github"](CheckReport([FileResult("100%/x.yaml", [d], None)]))
    assert out.splitlines()[0] == "::notice file=100%25/x.yaml,line=2,col=3,title=ptrack [schema]::a%0D%0Ab"


def test_check_json_exact_document():
    text = CHECK_REPORTERS["json"](report())
    assert text == json.dumps({
        "findings": [
            {"campaign": "c", "column": 7, "file": "campaigns/a,b:c.yaml", "line": 12,
             "message": 'risk "素材变更" is 1 day past: 100% done,\nsee notes', "path": "tasks[0].risks[0].due",
             "id_path": "tasks[0].risks[0].due", "rule": "risk-overdue", "severity": "error", "task": "t1"},
            # "path" by position (as JSON Pointer tools count), "id_path" by the task's id
            {"campaign": "a", "column": 5, "file": "campaigns/a.yaml", "line": 3, "message": 'task "A" | <b>',
             "path": "tasks[1]", "id_path": "tasks[t2]", "rule": "late-start", "severity": "warning", "task": "t2"},
            {"campaign": None, "column": 1, "file": "bad.yaml", "line": 1, "message": "bad",
             "path": "(document)", "id_path": "(document)", "rule": "schema", "severity": "error", "task": None},
        ],
        "summary": {"error": 2, "notice": 0, "warning": 1},
    }, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert "素材变更" in text  # real UTF-8, no \u escapes
    assert text.startswith('{\n  "findings": [\n    {\n      "campaign": "c",\n')


def _junit(rep: CheckReport) -> ET.Element:
    text = CHECK_REPORTERS["junit"](rep)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<testsuites ')
    assert text.endswith("</testsuites>\n")
    return ET.fromstring(text.split("\n", 1)[1])


def test_check_junit_structure():
    root = _junit(report())
    assert (root.tag, root.get("name"), root.get("tests"), root.get("failures"), root.get("errors")) == (
        "testsuites", "ptrack", "7", "2", "0")  # 2 + 2 + 1 + 2 test cases; RISK and SCHEMA fail
    suites = root.findall("testsuite")
    assert [(s.get("name"), s.get("tests"), s.get("failures")) for s in suites] == [
        ("campaigns/a,b:c.yaml", "2", "1"), ("campaigns/a.yaml", "2", "0"), ("bad.yaml", "1", "1"),
        ("ok.yaml", "2", "0")]
    # a campaign file: one test case per rule
    risky = suites[0]
    assert [(c.get("classname"), c.get("name")) for c in risky] == [
        ("campaigns/a,b:c.yaml", "late-start"), ("campaigns/a,b:c.yaml", "risk-overdue")]
    assert list(risky[0]) == []  # late-start passed
    failure = risky[1].find("failure")
    assert (failure.get("type"), failure.get("message")) == ("error", "1 finding")
    assert failure.text == RISK.format_text()
    # a warning is not a failure: it is listed in system-out
    late = suites[1].find("testcase[@name='late-start']")
    assert late.find("failure") is None
    assert late.find("system-out").text == 'campaigns/a.yaml:3:5: warning [late-start] task "A" | <b>'
    # a file that did not validate: one test case per problem code
    assert [c.get("name") for c in suites[2]] == ["schema"]
    assert suites[2][0].find("failure").text == "bad.yaml:1:1: error [schema] bad"


def test_check_junit_strict_makes_warnings_failures():
    root = _junit(report(strict=True))
    assert root.get("failures") == "3"
    late = root.find("testsuite[@name='campaigns/a.yaml']/testcase[@name='late-start']")
    failure = late.find("failure")
    assert (failure.get("type"), failure.text) == ("warning", LATE.format_text())
    assert late.find("system-out") is None
    assert _junit(warnings_only()).get("failures") == "0"
    assert _junit(warnings_only(strict=True)).get("failures") == "1"


# -- GitLab Code Quality ------------------------------------------------------------------------------

def _fingerprint(*identity: str) -> str:
    import hashlib

    return hashlib.sha256("\x1f".join(("ptrack",) + identity).encode("utf-8")).hexdigest()[:32]


def test_check_codequality_exact_document():
    text = CHECK_REPORTERS["codequality"](report())
    assert text == json.dumps([
        # an error fails the check: critical; the message on one line
        {"check_name": "risk-overdue", "description": 'risk "素材变更" is 1 day past: 100% done, see notes',
         # no subject given (as for a validation problem): its place in the document, without the
         # task's index (the task id is there)
         "fingerprint": _fingerprint("c", "risk-overdue", "t1", "tasks.risks[0].due"),
         "location": {"lines": {"begin": 12}, "path": "campaigns/a,b:c.yaml"}, "severity": "critical"},
        {"check_name": "late-start", "description": 'task "A" | <b>',
         "fingerprint": _fingerprint("a", "late-start", "t2", "tasks"),
         "location": {"lines": {"begin": 3}, "path": "campaigns/a.yaml"}, "severity": "minor"},
        # no campaign (the file did not validate): the file stands for it
        {"check_name": "schema", "description": "bad", "fingerprint": _fingerprint("bad.yaml", "schema", "", "(document)"),
         "location": {"lines": {"begin": 1}, "path": "bad.yaml"}, "severity": "critical"},
    ], ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert text.encode("utf-8").startswith(b"[\n  {")  # no BOM, real UTF-8
    clean = CheckReport([FileResult("ok.yaml", [], "ok")])
    assert CHECK_REPORTERS["codequality"](clean) == "[]\n"


@pytest.mark.parametrize("severity, strict, expected", [
    (Severity.ERROR, False, "critical"),    # an error always fails the check
    (Severity.WARNING, False, "minor"),
    (Severity.WARNING, True, "critical"),   # --strict: warnings fail too
    (Severity.NOTICE, False, "info"),
    (Severity.NOTICE, True, "info"),        # notices never fail
])
def test_codequality_severity(severity, strict, expected):
    from ptrack.reporters import codequality_severity

    d = Diagnostic("x", severity, "m", Location("a.yaml", 1, 1))
    assert codequality_severity(d, strict=strict) == expected


def test_codequality_severity_of_an_error_that_does_not_fail(monkeypatch):
    # Every error fails the check today; were one not to, it would be "major", the mapping's
    # plain step for an error.
    import ptrack.reporters as reporters

    monkeypatch.setattr(reporters, "has_failure", lambda ds, strict=False: False)
    d = Diagnostic("x", Severity.ERROR, "m", Location("a.yaml", 1, 1))
    assert reporters.codequality_severity(d) == "major"


def test_codequality_fingerprints_ignore_lines_messages_and_task_positions():
    from ptrack.reporters import codequality_fingerprints

    def risk(line, index, message, subject="r1"):
        return Diagnostic("risk-overdue", Severity.ERROR, message, Location("c.yaml", line, 9, ("tasks", index, "risks", 0, "due")),
                          "spring", "poster", subject)

    before = codequality_fingerprints([risk(11, 0, "1 day past")])
    # the lines moved, the task moved down the list, the day (and so the message) changed
    assert codequality_fingerprints([risk(40, 3, "2 days past")]) == before
    assert before == [_fingerprint("spring", "risk-overdue", "poster", "r1")]
    # another risk of the same task, another task, another campaign, another rule: other prints
    others = [risk(11, 0, "x", "r2"),
              Diagnostic("risk-overdue", Severity.ERROR, "x", Location("c.yaml", 1, 1), "spring", "video", "r1"),
              Diagnostic("risk-overdue", Severity.ERROR, "x", Location("c.yaml", 1, 1), "autumn", "poster", "r1"),
              Diagnostic("task-overdue", Severity.ERROR, "x", Location("c.yaml", 1, 1), "spring", "poster", "r1")]
    assert len(set(codequality_fingerprints(others) + before)) == 5


def test_codequality_fingerprints_are_unique_when_identities_repeat():
    from ptrack.reporters import codequality_fingerprints

    # two schema problems at the same place (a validator may say two things about one node)
    a = Diagnostic("schema", Severity.ERROR, "one", Location("x.yaml", 4, 3, ("tasks", 0)), None, None)
    b = Diagnostic("schema", Severity.ERROR, "two", Location("x.yaml", 4, 3, ("tasks", 0)), None, None)
    prints = codequality_fingerprints([a, b])
    assert prints == [_fingerprint("x.yaml", "schema", "", "tasks[0]"),
                      _fingerprint("x.yaml", "schema", "", "tasks[0]", "1")]


def test_check_step_summary():
    assert check_step_summary(report()) == (
        "## ptrack check ❌ failed\n"
        "\n"
        "2 errors, 1 warning, 0 notices in 4 files.\n"
        "\n"
        "| severity | rule | location | message |\n"
        "|---|---|---|---|\n"
        # newline -> space; | and <> escaped for the table cell
        '| error | `risk-overdue` | `campaigns/a,b:c.yaml:12:7` | risk "素材变更" is 1 day past: 100% done, see notes |\n'
        '| warning | `late-start` | `campaigns/a.yaml:3:5` | task "A" \\| \\<b\\> |\n'
        "| error | `schema` | `bad.yaml:1:1` | bad |\n"
        "\n"
    )
    assert check_step_summary(warnings_only()) == (
        "## ptrack check ✅ passed\n\n0 errors, 1 warning, 0 notices in 1 file.\n\n"
        "| severity | rule | location | message |\n|---|---|---|---|\n"
        '| warning | `late-start` | `campaigns/a.yaml:3:5` | task "A" \\| \\<b\\> |\n\n')
    assert check_step_summary(warnings_only(strict=True)).startswith("## ptrack check ❌ failed\n")
    assert check_step_summary(CheckReport([FileResult("ok.yaml", [], "ok")])) == (
        "## ptrack check ✅ passed\n\n0 errors, 0 warnings, 0 notices in 1 file.\n\n")


def test_md_cell():
    assert md_cell("a|b\nc_d*e`f[g]<h>\\") == "a\\|b c\\_d\\*e\\`f\\[g\\]\\<h\\>\\\\"
    assert md_cell(None) == ""


# -- status ------------------------------------------------------------------------------------------

CAMPAIGN = """\
ptrack: 1
campaign: {id: spring, name: 春季推广, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: zh-CN}
people:
  wx: {name: 王雪, department: 市场部}
tasks:
  - id: poster
    name: 海报设计初稿
    module: 内容营销
    owner: wx
    department: 市场部
    channels: [线下门店, 抖音]
    planned: {start: 2024-03-01, end: 2024-03-05}
    actual: {start: 2024-03-01}
    progress: 15
    risks:
      - {issue: 素材需求变更, owner: wx, due: 2024-03-07}
  - id: video
    name: Video edit
    module: Content
    owner: wx
    planned: {start: 2024-03-01, end: 2024-03-10}
"""
AS_OF = date(2024, 3, 1)


def status(**kw) -> StatusReport:
    snapshot = compute_snapshot(campaign_from_yaml(CAMPAIGN, "campaigns/spring.yaml"), as_of=AS_OF)
    return StatusReport(AS_OF, [snapshot], **kw)


# poster: planned 1 / 5 = 20, actual 15, -5, green, 1 - 0.75 -> 0 days, forecast: the earned
#   schedule, 5 x 0.85 = 4.25 -> 5 working days left after 3/1 = 3/6
# video: planned 1 / 10 = 10, actual 0, -10 (not past 10: green), 1 - 0 = 1 day, forecast: its
#   start passed, so 10 days from 3/2 = 3/11
# campaign: planned (5 x 20 + 10 x 10) / 15 = 13.3, actual (5 x 15) / 15 = 5, -8.3; the S-curve is
#   at 13.3 >= 5 on 3/1 itself: on plan; forecast = the latest task's, 3/11, set by video (not
#   started: its planned duration)
HEADLINE_ZH = ("春季推广（spring）截至 2024-03-01：计划进度 13.3%，实际进度 5.0%，偏差 -8.3，进行中，正常，"
               '符合计划，预计完成 2024-03-11（由"Video edit"决定：按计划工期）')
# the critical path: video sets the forecast finish 3/11 (anchor min(end 3/31, 3/11) = 3/11): float 0;
#   poster finishes 3/6 with no successor: float 11 - 6 = 5 (calendar none)
CRITICAL_ZH = "关键路径：Video edit"


def test_status_table_aligns_chinese_by_display_width():
    assert STATUS_REPORTERS["table"](status()).split("\n") == [
        HEADLINE_ZH,
        CRITICAL_ZH,
        "",
        "编号    任务名称      类型    所属模块  主责任人  计划进度%  实际进度%  进度偏差  当前状态  健康度  落后工作日"
        "  预计完成    总浮动  关键",
        "------  ------------  ------  --------  --------  ---------  ---------  --------  --------  ------  ----------"
        "  ----------  ------  ----",
        "poster  海报设计初稿  交付型  内容营销  王雪           20.0       15.0      -5.0  进行中    正常             0"
        "  2024-03-06       5  -",
        "video   Video edit    交付型  Content   王雪           10.0        0.0     -10.0  未开始    正常             1"
        "  2024-03-11       0  关键",
        "",
    ]


def test_status_table_by_module_in_english():
    assert STATUS_REPORTERS["table"](status(by="module", locale="en")) == (
        "春季推广 (spring) as of 2024-03-01: planned 13.3%, actual 5.0%, deviation -8.3, in progress, green, "
        'on plan, forecast finish 2024-03-11 (set by "Video edit": its planned duration)\n'
        "Critical path: Video edit\n"
        "\n"
        "Module    Tasks  Plan %  Actual %   Dev.  Health\n"
        "--------  -----  ------  --------  -----  ------\n"
        "Content       1    10.0       0.0  -10.0  green\n"
        "内容营销      1    20.0      15.0   -5.0  green\n"
    )


def test_status_table_by_channel_counts_a_task_in_each_of_its_channels():
    lines = STATUS_REPORTERS["table"](status(by="channel", locale="en")).split("\n")
    assert lines[3:] == [
        "Channel   Tasks  Plan %  Actual %   Dev.  Health",
        "--------  -----  ------  --------  -----  ------",
        "抖音          1    20.0      15.0   -5.0  green",
        "线下门店      1    20.0      15.0   -5.0  green",
        "(none)        1    10.0       0.0  -10.0  green",
        "",
    ]


def test_status_table_colour_only_when_asked():
    from ptrack.process import terminal_text, unstyle

    plain = STATUS_REPORTERS["table"](status())
    assert "\x1b[" not in plain
    coloured = STATUS_REPORTERS["table"](status(color=True))
    # the reporter marks ptrack's colours; the terminal's write path makes them escape codes
    assert "\x1b[32m" in terminal_text(coloured, color=True)  # green health and deviation
    assert "\x1b[" not in terminal_text(coloured, color=False)
    # padding is computed on the text without escapes
    assert unstyle(coloured) == plain


def test_status_markdown():
    assert STATUS_REPORTERS["markdown"](status()) == (
        "## 春季推广\n"
        "\n"
        f"{HEADLINE_ZH}\n"
        "\n"
        f"{CRITICAL_ZH}\n"
        "\n"
        "| 编号 | 任务名称 | 类型 | 所属模块 | 主责任人 | 计划进度% | 实际进度% | 进度偏差 | 当前状态 | 健康度 | 落后工作日"
        " | 预计完成 | 总浮动 | 关键 |\n"
        "|---|---|---|---|---|---:|---:|---:|---|---|---:|---|---:|---|\n"
        "| poster | 海报设计初稿 | 交付型 | 内容营销 | 王雪 | 20.0 | 15.0 | -5.0 | 进行中 | 正常 | 0 | 2024-03-06 | 5 | - |\n"
        "| video | Video edit | 交付型 | Content | 王雪 | 10.0 | 0.0 | -10.0 | 未开始 | 正常 | 1 | 2024-03-11 | 0 | 关键 |\n"
    )


def test_status_json_has_the_design_shape():
    text = STATUS_REPORTERS["json"](status())
    assert text.endswith("}\n") and "春季推广" in text  # UTF-8, final newline
    doc = json.loads(text)
    assert doc["ptrack"] == __version__
    assert doc["as_of"] == "2024-03-01"
    [c] = doc["campaigns"]
    for key in ("id", "name", "file", "planned_progress", "actual_progress", "deviation", "status", "health",
                "days_behind", "tasks", "milestones", "goals", "risks", "groups"):
        assert key in c, key
    assert {k: c[k] for k in ("id", "name", "file", "planned_progress", "actual_progress", "deviation",
                              "status", "health", "days_behind")} == {
        "id": "spring", "name": "春季推广", "file": "campaigns/spring.yaml", "planned_progress": 13.3,
        "actual_progress": 5.0, "deviation": -8.3, "status": "in_progress", "health": "green", "days_behind": 0}
    poster = c["tasks"][0]
    task_keys = ("id", "name", "module", "owner", "department", "planned_start", "planned_end", "actual_start",
                 "actual_end", "planned_progress", "actual_progress", "deviation", "status", "health",
                 "days_behind", "risks")
    assert {k: poster[k] for k in task_keys} == {
        "id": "poster", "name": "海报设计初稿", "module": "内容营销", "owner": "wx", "department": "市场部",
        "planned_start": "2024-03-01", "planned_end": "2024-03-05", "actual_start": "2024-03-01",
        "actual_end": None, "planned_progress": 20.0, "actual_progress": 15.0, "deviation": -5.0,
        "status": "in_progress", "health": "green", "days_behind": 0,
        "risks": [{"id": None, "task": "poster", "issue": "素材需求变更", "solution": None, "owner": "wx",
                   "due": "2024-03-07", "resolved": False, "severity": None, "state": "open",
                   "due_soon": False, "days_overdue": 0}]}  # 3/7 is 6 days away: not due soon
    video = c["tasks"][1]
    assert (video["department"], video["actual_start"], video["status"], video["days_behind"]) == (
        None, None, "not_started", 1)
    assert c["risks"] == poster["risks"]
    assert (c["milestones"], c["goals"]) == ([], [])
    assert set(c["groups"]) == {"module", "department", "owner", "channel"}
    assert [(g["key"], g["tasks"]) for g in c["groups"]["channel"]] == [
        ("抖音", ["poster"]), ("线下门店", ["poster"]), (None, ["video"])]
    owner = c["groups"]["owner"][0]
    assert (owner["key"], owner["planned_progress"], owner["actual_progress"], owner["weight"]) == (
        "wx", 13.3, 5.0, 15.0)


def test_status_json_is_sorted_and_stable():
    text = STATUS_REPORTERS["json"](status())
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert text == STATUS_REPORTERS["json"](status())


# -- the table helper -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, width", [("abc", 3), ("海报", 4), ("A/B测试", 7), ("", 0)])
def test_display_width(text, width):
    assert display_width(text) == width


def test_render_table_cuts_long_cells_by_display_width():
    out = render_table(["名称", "n"], [["一二三四五六七八九十", "1"], ["ab", "22"]], right={1}, max_width=9)
    # 9 columns at most: 4 wide characters (8 columns) + the ellipsis
    assert out.split("\n") == [
        "名称        n",
        "---------  --",
        "一二三四…   1",
        "ab         22",
    ]


# -- status.json from per-campaign fragments ---------------------------------------------------------

def test_status_json_from_fragments_is_the_document_byte_for_byte(example, hostile):
    """The site encodes each campaign once (its own status.json, then the portfolio's): the
    assembled text must be exactly what encoding the whole document gives, for no campaign, one,
    and two (one with a baseline), hostile strings included."""
    from ptrack.git.baseline import Baseline

    base = Baseline("first", "0123abc", date(2024, 3, 1), {})
    as_of = example.as_of
    cases = [([], {}), ([example], {}), ([example, hostile], {hostile.campaign.id: base})]
    for snapshots, baselines in cases:
        expected = dump_json(status_document(snapshots, as_of, baselines))
        fragments = [campaign_json(s, baselines.get(s.campaign.id)) for s in snapshots]
        assert status_json_of(fragments, as_of) == expected
    json.loads(status_json_of([campaign_json(hostile)], as_of))  # and it parses
