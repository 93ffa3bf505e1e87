"""`ptrack check`, `ptrack status` and `ptrack schema` end to end: exit codes, formats, environment.

``run_cli`` (tests/conftest.py) calls ``ptrack.cli.main(argv)``, catches ``SystemExit`` and
returns ``(code, stdout, stderr)`` captured by capsys, with GITHUB_ACTIONS, GITHUB_STEP_SUMMARY,
PTRACK_AS_OF and NO_COLOR removed from the environment first.
"""

from __future__ import annotations

import json
import sys
from importlib import resources

import pytest

# Calendar none. One task 3/1 .. 3/10 at 50% and a risk due 3/5:
#   as of 3/5: planned 50, actual 50, risk due today -> clean
#   as of 3/6: planned 60, -10 (not past 10), risk 1 day overdue -> one error
CAMPAIGN = """\
ptrack: 1
campaign: {id: spring, name: 春季推广, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: en}
tasks:
  - id: poster
    name: 海报设计
    module: 内容营销
    planned: {start: 2024-03-01, end: 2024-03-10}
    actual: {start: 2024-03-01}
    progress: 50
    risks:
      - {issue: 素材变更, due: 2024-03-05}
  - id: video
    name: 短视频
    module: 渠道推广
    planned: {start: 2024-03-01, end: 2024-03-31}
    actual: {start: 2024-03-01}
    progress: 50
policy: {rules: {critical-slip: off}}  # the critical path is not what these tests are about
"""
CLEAN_DAY = "2024-03-05"
RISK_DAY = "2024-03-06"
RISK_LINE = ('c.yaml:11:28: error [risk-overdue] risk "素材变更" is 1 day past its deadline 2024-03-05 '
             "(owner: unassigned)")

# Planned 3/11 .. 3/20, not started: as of 3/12 a late start (warning only)
LATE = """\
ptrack: 1
campaign: {id: late, name: Late, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: en}
tasks:
  - {id: a, name: A, planned: {start: 2024-03-11, end: 2024-03-31}}
policy: {rules: {critical-slip: off}}  # alone, A is the critical path and 2 days behind: not what these test
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run in an empty folder: no ptrack.yaml above, file names shown relative to it."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def files(write):
    write("c.yaml", CAMPAIGN)
    write("late.yaml", LATE)


# -- exit codes ------------------------------------------------------------------------------------

def test_check_clean_exits_0(run_cli, files):
    code, out, err = run_cli("check", "c.yaml", "--as-of", CLEAN_DAY)
    assert (code, out, err) == (0, "0 errors, 0 warnings, 0 notices in 1 file\n", "")


def test_check_error_finding_exits_1(run_cli, files):
    code, out, err = run_cli("check", "c.yaml", "--as-of", RISK_DAY)
    assert code == 1
    assert out == f"{RISK_LINE}\n1 error, 0 warnings, 0 notices in 1 file\n"


def test_check_warning_fails_only_with_strict(run_cli, files):
    warning = "late.yaml:4:39: warning [late-start] task \"A\" was planned to start 2024-03-11 and has not started"
    code, out, _ = run_cli("check", "late.yaml", "--as-of", "2024-03-12")
    assert (code, out.splitlines()[0]) == (0, warning)
    code, out, _ = run_cli("check", "late.yaml", "--as-of", "2024-03-12", "--strict")
    assert (code, out.splitlines()[0]) == (1, warning)


def test_check_invalid_file_exits_1_without_traceback(run_cli, write):
    write("bad.yaml", "ptrack: 1\ncampaign: {id: x, locale: en}\n")
    code, out, err = run_cli("check", "bad.yaml", "--as-of", CLEAN_DAY)
    assert code == 1
    assert out.splitlines()[0] == 'bad.yaml:1:1: error [schema] missing required key "tasks"'
    assert out.splitlines()[-1] == "4 errors, 0 warnings, 0 notices in 1 file"  # tasks, end, name, start
    write("bad.yaml", "ptrack: 1\ncampaign: {id: x}\n")  # no locale: zh-CN
    code, out, err = run_cli("check", "bad.yaml", "--as-of", CLEAN_DAY)
    assert out.splitlines()[0] == "bad.yaml:1:1: 错误 [schema] 缺少必填的键“tasks”"
    assert out.splitlines()[-1] == "4 个错误，0 个警告，0 个提示（共 1 个文件）"
    assert "Traceback" not in out + err


@pytest.mark.parametrize("args, message", [
    (["check", "c.yaml", "--as-of", "2024-13-01"], 'ptrack: error: --as-of: "2024-13-01" is not a date; write YYYY-MM-DD'),
    (["check", "c.yaml", "--as-of", "yesterday"], 'ptrack: error: --as-of: "yesterday" is not a date'),
    (["status", "c.yaml", "--as-of", "1/3/2024"], 'ptrack: error: --as-of: "1/3/2024" is not a date'),
    (["check", "c.yaml", "--bogus"], "No such option"),  # click: "No such option: --bogus" / "'--bogus'"
    (["check", "c.yaml", "--format", "xml"], "'xml' is not one of"),
    (["status", "c.yaml", "--by", "colour"], "'colour' is not one of"),
    (["check", "missing.yaml"], "ptrack：错误：missing.yaml：文件或文件夹不存在"),
    (["status", "missing.yaml", "--lang", "en"], "ptrack: error: missing.yaml: no such file or folder"),
    (["check"], "ptrack：错误：没有找到活动文件：campaigns/*.yaml；"),  # no campaign, no ptrack.yaml: zh-CN
    (["check", "--lang", "en"], "ptrack: error: no campaign files found in campaigns/*.yaml"),
])
def test_usage_errors_exit_2(run_cli, files, args, message):
    code, out, err = run_cli(*args)
    assert code == 2
    assert message in err
    assert out == ""
    assert "Traceback" not in err


# -- the as-of date ----------------------------------------------------------------------------------

def test_ptrack_as_of_is_used_when_the_option_is_absent(run_cli, files, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", RISK_DAY)
    code, out, _ = run_cli("check", "c.yaml")
    assert (code, out.splitlines()[0]) == (1, RISK_LINE)
    monkeypatch.setenv("PTRACK_AS_OF", CLEAN_DAY)
    assert run_cli("check", "c.yaml")[0] == 0


def test_as_of_option_wins_over_the_environment(run_cli, files, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", RISK_DAY)
    assert run_cli("check", "c.yaml", "--as-of", CLEAN_DAY)[0] == 0
    monkeypatch.setenv("PTRACK_AS_OF", "not-a-date")  # not even read when --as-of is given
    assert run_cli("check", "c.yaml", "--as-of", CLEAN_DAY)[0] == 0


def test_bad_ptrack_as_of_is_a_usage_error(run_cli, files, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", "2024-02-30")
    code, _, err = run_cli("status", "c.yaml")
    assert code == 2
    assert 'ptrack: error: PTRACK_AS_OF: "2024-02-30" is not a date; write YYYY-MM-DD' in err


def test_status_headline_follows_the_as_of_date(run_cli, files, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", CLEAN_DAY)
    assert " as of 2024-03-05: " in run_cli("status", "c.yaml")[1]
    assert " as of 2024-03-06: " in run_cli("status", "c.yaml", "--as-of", RISK_DAY)[1]


# -- GitHub Actions ----------------------------------------------------------------------------------

def test_github_actions_picks_the_github_format(run_cli, files, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = run_cli("check", "c.yaml", "--as-of", RISK_DAY)
    assert code == 1
    assert out == ("::error file=c.yaml,line=11,col=28,title=ptrack [risk-overdue]::risk \"素材变更\" is 1 day "
                   "past its deadline 2024-03-05 (owner: unassigned)\n"
                   "1 error, 0 warnings, 0 notices in 1 file\n")
    # an explicit --format wins
    assert run_cli("check", "c.yaml", "--as-of", RISK_DAY, "--format", "text")[1].startswith(RISK_LINE)
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert run_cli("check", "c.yaml", "--as-of", RISK_DAY)[1].startswith(RISK_LINE)


def test_step_summary_gets_the_markdown_appended(run_cli, files, monkeypatch, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert run_cli("check", "c.yaml", "--as-of", RISK_DAY)[0] == 1
    assert summary.read_text(encoding="utf-8") == (
        "# earlier step\n"
        "## ptrack check ❌ failed\n"
        "\n"
        "1 error, 0 warnings, 0 notices in 1 file.\n"
        "\n"
        "| severity | rule | location | message |\n"
        "|---|---|---|---|\n"
        '| error | `risk-overdue` | `c.yaml:11:28` | risk "素材变更" is 1 day past its deadline 2024-03-05 '
        "(owner: unassigned) |\n"
        "\n")
    assert run_cli("check", "c.yaml", "--as-of", CLEAN_DAY)[0] == 0
    assert summary.read_text(encoding="utf-8").endswith(
        "## ptrack check ✅ passed\n\n0 errors, 0 warnings, 0 notices in 1 file.\n\n")


def test_unwritable_step_summary_is_a_warning_not_a_failure(run_cli, files, monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no-such-dir" / "summary.md"))
    code, out, err = run_cli("check", "c.yaml", "--as-of", CLEAN_DAY)
    assert code == 0
    assert "ptrack: warning: cannot write the step summary to" in err


# -- other check formats ----------------------------------------------------------------------------

def test_check_json_and_junit(run_cli, files):
    code, out, _ = run_cli("check", "c.yaml", "--as-of", RISK_DAY, "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert doc["summary"] == {"error": 1, "warning": 0, "notice": 0}
    assert [(f["rule"], f["file"], f["line"], f["column"], f["campaign"], f["task"]) for f in doc["findings"]] == [
        ("risk-overdue", "c.yaml", 11, 28, "spring", "poster")]
    code, out, _ = run_cli("check", "c.yaml", "--as-of", RISK_DAY, "--format", "junit")
    assert code == 1
    # a test case per rule: the 12 snapshot rules (stale-task needs git: not one here)
    assert out.startswith('<?xml version="1.0" encoding="utf-8"?>\n<testsuites name="ptrack" tests="12" failures="1"')


def test_check_lang_switches_the_message_language(run_cli, files):
    out = run_cli("check", "c.yaml", "--as-of", RISK_DAY, "--lang", "zh-CN")[1]
    assert out.splitlines()[0] == 'c.yaml:11:28: 错误 [risk-overdue] 风险"素材变更"已超过解决时限 2024-03-05 1 天（负责人：未指定）'


# -- status --------------------------------------------------------------------------------------------

def test_status_table_without_a_terminal_has_no_colour(run_cli, files):
    code, out, err = run_cli("status", "c.yaml", "--as-of", CLEAN_DAY)
    assert (code, err) == (0, "")
    assert "\x1b[" not in out
    # poster 10 days, planned 5 / 10 = 50; video 31 days, planned 5 / 31 = 16.1; both at 50
    # planned (10 x 50 + 31 x 16.1) / 41 = 24.37 -> 24.4; actual 50; +25.6
    # the S-curve is at 2k / 41 on day k <= 10 (48.8% on 3/10), 21 / 41 = 51.2% on 3/11: 50% is
    # reached 3/11, 6 days after D (3/6 .. 3/11); forecast, the remaining work at the planned pace:
    # poster 10 x 0.5 = 5 days -> 3/10; video 31 x 0.5 = 15.5 -> 16 days -> 3/21, the campaign's
    assert out.splitlines()[0] == ("春季推广 (spring) as of 2024-03-05: planned 24.4%, actual 50.0%, deviation +25.6, "
                                   "in progress, green, 6 working days ahead, forecast finish 2024-03-21 "
                                   '(set by "短视频": the remaining work at the planned pace)')


def test_status_colour_on_a_terminal_unless_no_color(run_cli, files, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # capsys' stream, for this test only
    assert "\x1b[32m" in run_cli("status", "c.yaml", "--as-of", CLEAN_DAY)[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_cli("status", "c.yaml", "--as-of", CLEAN_DAY)[1]
    assert "\x1b[" not in run_cli("status", "c.yaml", "--as-of", CLEAN_DAY, "--color", "never")[1]


def test_status_color_always_colours_a_pipe(run_cli, files, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[32m" in run_cli("status", "c.yaml", "--as-of", CLEAN_DAY, "--color", "always")[1]


def test_status_by_module(run_cli, files):
    code, out, _ = run_cli("status", "c.yaml", "--as-of", CLEAN_DAY, "--by", "module")
    # poster: 5 / 10 = 50 planned, 50 actual; video: 5 / 31 = 16.1 planned, 50 actual
    assert code == 0
    # poster: 5 days left -> 3/10; video: 16 -> 3/21, the forecast finish
    assert out.split("\n")[1] == "Critical path: 短视频"
    assert out.split("\n")[3:] == [
        "Module    Tasks  Plan %  Actual %   Dev.  Health",
        "--------  -----  ------  --------  -----  ------",
        "内容营销      1    50.0      50.0   +0.0  green",
        "渠道推广      1    16.1      50.0  +33.9  green",
        "",
    ]


def test_status_json_and_markdown(run_cli, files):
    code, out, _ = run_cli("status", "c.yaml", "--as-of", CLEAN_DAY, "--format", "json")
    doc = json.loads(out)
    assert (code, doc["as_of"], [c["id"] for c in doc["campaigns"]]) == (0, CLEAN_DAY, ["spring"])
    assert doc["campaigns"][0]["file"] == "c.yaml"
    out = run_cli("status", "c.yaml", "--as-of", CLEAN_DAY, "--format", "markdown")[1]
    assert out.startswith("## 春季推广\n\n")


def test_status_of_an_invalid_file_exits_1(run_cli, write, files):
    write("bad.yaml", "ptrack: 1\ncampaign: {id: x, locale: en}\n")
    code, out, err = run_cli("status", "c.yaml", "bad.yaml", "--as-of", CLEAN_DAY)
    assert code == 1
    assert err.startswith('bad.yaml:1:1: error [schema] missing required key "tasks"\n')
    assert out.startswith("春季推广 (spring) as of 2024-03-05")  # the valid campaign is still shown


def test_folder_argument(run_cli, files):
    code, out, _ = run_cli("check", ".", "--as-of", "2024-03-12")
    # c.yaml: the risk is overdue (error); poster is past its end at 50% (task-overdue warning,
    # deviation 50 - 100 error); late.yaml: a late start (warning)
    assert code == 1
    assert out.splitlines()[-1] == "2 errors, 2 warnings, 0 notices in 2 files"
    assert [line.split(" [")[1].split("]")[0] for line in out.splitlines()[:-1]] == [
        "task-overdue", "deviation-behind", "risk-overdue", "late-start"]


# -- schema --------------------------------------------------------------------------------------------

def test_schema_prints_the_packaged_schema(run_cli):
    code, out, _ = run_cli("schema")
    packaged = resources.files("ptrack.schema").joinpath("campaign.schema.json").read_text("utf-8")
    assert code == 0
    assert out == packaged
    assert json.loads(out) == json.loads(packaged)
