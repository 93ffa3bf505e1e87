"""``ptrack validate`` through the command line (in process, see ``run_cli``): exit codes, the
text format, which files it picks up, and ``ptrack.yaml``."""

from __future__ import annotations

import json

import shutil
import subprocess

import pytest

from tests.helpers import EXAMPLE
from tests.helpers import MINIMAL_CAMPAIGN as VALID


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """An empty git repository as the current folder: the search for ptrack.yaml stops here."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_example_is_valid(run_cli, repo):
    # the example's locale is zh-CN: its summary line is Chinese
    assert run_cli("validate", EXAMPLE) == (0, "", "1 个活动文件均有效\n")
    assert run_cli("validate", "--lang", "en", EXAMPLE) == (0, "", "1 campaign file valid\n")


def test_invalid_file_exit_1_and_exact_format(run_cli, repo, write):
    write("c.yaml", VALID.format(id="spring") + "    progress: 101\n")
    code, out, err = run_cli("validate", "c.yaml")
    assert code == 1
    assert out == ("c.yaml:12:15: error [schema] tasks[a].progress: 101 is too large; "
                   "it must be at most 100\n")
    assert err == "1 error, 0 warnings, 0 notices in 1 file\n"


def test_warnings_only_exit_0(run_cli, repo, write):
    write("c.yaml", VALID.format(id="spring").replace("start: 2024-03-01, end", "start: 2024-02-20, end"))
    code, out, err = run_cli("validate", "c.yaml")
    assert code == 0
    assert out == ('c.yaml:11:14: warning [outside-window] task "a": planned 2024-02-20..2024-03-10 '
                   "falls outside the campaign window 2024-03-01..2024-05-31\n")
    assert err == "0 errors, 1 warning, 0 notices in 1 file\n"


def test_yaml_problem_exit_1(run_cli, repo, write):
    write("c.yaml", "ptrack: 1\nptrack: 1\n")
    # no locale anywhere: zh-CN
    assert run_cli("validate", "c.yaml") == (
        1,
        "c.yaml:2:1: 错误 [duplicate-key] 键“ptrack”重复了（第 1 行已有）；每个键只能出现一次\n",
        "1 个错误，0 个警告，0 个提示（共 1 个文件）\n")
    assert run_cli("validate", "--lang", "en", "c.yaml") == (
        1,
        'c.yaml:2:1: error [duplicate-key] duplicate key "ptrack" (first defined at line 1); '
        "each key may appear once\n",
        "1 error, 0 warnings, 0 notices in 1 file\n")


def test_missing_file_exit_2(run_cli, repo):
    assert run_cli("validate", "nope.yaml") == (2, "", "ptrack：错误：nope.yaml：文件或文件夹不存在\n")
    assert run_cli("validate", "--lang", "en", "nope.yaml") == (
        2, "", "ptrack: error: nope.yaml: no such file or folder\n")


def test_unknown_option_exit_2(run_cli, repo):
    code, out, err = run_cli("validate", "--bogus")
    assert code == 2
    assert "错误：没有这个选项：--bogus" in err  # click's usage error, in the command's language
    code, out, err = run_cli("validate", "--lang", "en", "--bogus")
    assert code == 2
    assert "No such option" in err and "--bogus" in err  # click's wording varies by version


def test_directory_argument_picks_up_yaml_files(run_cli, repo, write):
    write("plans/one.yaml", VALID.format(id="one"))
    write("plans/two.yml", VALID.format(id="two"))
    write("plans/three.yaml", VALID.format(id="three").replace("name: A", "name: ''"))
    write("plans/notes.txt", "not: yaml: at all\n")
    write("plans/ptrack.yaml", "campaigns: x\n")  # a config file is not a campaign
    write("plans/sub/deeper.yaml", "broken: [\n")  # not recursive
    code, out, err = run_cli("validate", "plans")
    assert code == 1
    assert out == "plans/three.yaml:10:11: error [schema] tasks[a].name: must not be empty\n"
    assert err == "1 error, 0 warnings, 0 notices in 3 files\n"


def test_empty_directory_exit_2(run_cli, repo):
    (repo / "empty").mkdir()
    code, out, err = run_cli("validate", "empty")
    assert code == 2
    assert err.startswith("ptrack：错误：没有找到活动文件：empty；")


def test_default_glob_without_config(run_cli, repo, write):
    write("campaigns/a.yaml", VALID.format(id="a"))
    write("campaigns/b.yaml", VALID.format(id="b"))
    assert run_cli("validate") == (0, "", "2 campaign files valid\n")


def test_config_glob_used_when_no_path_given(run_cli, repo, write):
    write("ptrack.yaml", "title: 营销活动\ncampaigns: plans/**/*.yaml\n")
    write("plans/2024/spring.yaml", VALID.format(id="spring"))
    write("plans/2024/summer.yaml", VALID.format(id="summer").replace("id: a", "id: A"))
    write("campaigns/ignored.yaml", "not a campaign\n")  # the default glob is not used
    code, out, err = run_cli("validate")
    assert code == 1
    assert out.startswith('plans/2024/summer.yaml:9:9: error [schema] tasks[A].id: "A" is not a valid id')
    assert err == "1 error, 0 warnings, 0 notices in 2 files\n"


def test_config_found_from_a_subfolder_but_not_above_the_repository(run_cli, repo, write, monkeypatch):
    write("ptrack.yaml", "campaigns: [campaigns/*.yaml]\n")
    write("campaigns/a.yaml", VALID.format(id="a"))
    (repo / "docs").mkdir()
    monkeypatch.chdir(repo / "docs")
    assert run_cli("validate") == (0, "", "1 campaign file valid\n")
    inner = repo / "docs" / "inner"  # a nested repository: its own root, no config
    subprocess.run(["git", "init", "-q", str(inner)], check=True)
    monkeypatch.chdir(inner)
    code, out, err = run_cli("validate")
    assert code == 2
    assert err.startswith("ptrack：错误：没有找到活动文件：campaigns/*.yaml；")


def test_config_glob_matching_nothing_exit_2(run_cli, repo, write):
    write("ptrack.yaml", "campaigns: plans/*.yaml\n")
    assert run_cli("validate") == (
        2, "", "ptrack：错误：没有找到活动文件：plans/*.yaml（来自 ptrack.yaml）；请指定文件或文件夹，或运行 "
        "`ptrack init` 新建一个\n")
    write("ptrack.yaml", "campaigns: plans/*.yaml\nlocale: en\n")
    assert run_cli("validate") == (
        2, "", "ptrack: error: no campaign files found in plans/*.yaml (from ptrack.yaml); name "
        "a file or folder, or run `ptrack init` to create one\n")


@pytest.mark.parametrize("config, message", [
    pytest.param("title: x\ncampagins: plans/*.yaml\n",
                 'ptrack.yaml:2:1: unknown setting "campagins"; known: campaigns, forge, intake, locale, notify, policy, repo_url, site_url, title',
                 id="unknown-setting"),
    pytest.param("policy:\n  deviation_warn: 10\n  stale_days: 3\n",
                 'ptrack.yaml:3:3: unknown policy setting "stale_days"; known: collaborator_share, '
                 "deviation_fail, deviation_warn, due_soon_days, forecast, min_days_behind, rules, stale_after_days",
                 id="unknown-policy-setting"),
    pytest.param("campaigns: {a: 1}\n",
                 "ptrack.yaml:1:1: campaigns must be a glob such as campaigns/*.yaml, or a list of them",
                 id="campaigns-type"),
    pytest.param("policy:\n  deviation_warn: lots\n",
                 'ptrack.yaml:2:19: policy.deviation_warn: expected a number, got text "lots"',
                 id="policy-value-type"),
    pytest.param("policy:\n  rules: {late-start: loud}\n",
                 'ptrack.yaml:2:23: policy.rules.late-start: "loud" is not one of "error", '
                 '"warning", "notice", "off"',
                 id="policy-rule-severity"),
    pytest.param("policy:\n  collaborator_share: 1.5\n",
                 "ptrack.yaml:2:23: policy.collaborator_share: 1.5 is too large; it must be at most 1",
                 id="policy-collaborator-share-above-1"),
    pytest.param("policy:\n  deviation_warn: 30\n",
                 "ptrack.yaml:2:19: policy.deviation_warn is larger than policy.deviation_fail; "
                 "the warning threshold must not exceed the failing one",
                 id="policy-warn-above-fail"),
    pytest.param("title: [a\n",
                 "ptrack.yaml:2:1: the “[” at line 1, column 8 is not closed with “]”, or two of its items "
                 "have no comma between them",
                 id="broken-yaml"),
    pytest.param("- a\n", "ptrack.yaml:1:1: ptrack.yaml must be a mapping of settings", id="list"),
])
def test_bad_config_exit_2_with_location(run_cli, repo, write, config, message):
    write("ptrack.yaml", config)
    write("campaigns/a.yaml", VALID.format(id="a"))
    assert run_cli("validate") == (2, "", f"ptrack: error: {message}\n")


def test_config_policy_defaults_reach_the_campaign(run_cli, repo, write):
    write("ptrack.yaml", "policy:\n  deviation_warn: 5\n  deviation_fail: 8\n")
    write("campaigns/a.yaml", VALID.format(id="a"))
    assert run_cli("validate") == (0, "", "1 campaign file valid\n")


def test_config_collaborator_share_reaches_the_workload(run_cli, repo, write):
    write("ptrack.yaml", "policy:\n  collaborator_share: 0.25\n")
    write("campaigns/a.yaml", VALID.format(id="a"))
    code, out, _ = run_cli("status", "--format", "json", "--as-of", "2024-03-01")
    assert code == 0
    assert json.loads(out)["campaigns"][0]["workload"]["collaborator_share"] == 0.25


def test_two_files_with_the_same_campaign_id(run_cli, repo, write):
    write("campaigns/a.yaml", VALID.format(id="spring"))
    write("campaigns/b.yaml", VALID.format(id="spring"))
    code, out, err = run_cli("validate")
    assert code == 1
    assert out == ('campaigns/b.yaml:3:7: error [duplicate-id] campaign id "spring" is also used by '
                   "campaigns/a.yaml; each campaign needs its own id\n")
    assert err == "1 error, 0 warnings, 0 notices in 2 files\n"


def test_same_file_twice_counts_once(run_cli, repo, write):
    write("c.yaml", VALID.format(id="spring"))
    assert run_cli("validate", "c.yaml", "c.yaml") == (0, "", "1 campaign file valid\n")


def test_example_copied_twice_is_a_duplicate(run_cli, repo):
    (repo / "campaigns").mkdir()
    shutil.copy(EXAMPLE, repo / "campaigns" / "a.yaml")
    shutil.copy(EXAMPLE, repo / "campaigns" / "b.yaml")
    code, out, _err = run_cli("validate")
    assert code == 1
    assert out.startswith("campaigns/b.yaml:18:7: 错误 [duplicate-id]")


def test_policy_defaults_and_campaign_policy_must_agree(tmp_path, monkeypatch, run_cli):
    # ptrack.yaml warns at 5 and fails at 8; the campaign warns at 15: each valid alone, not together.
    (tmp_path / ".git").mkdir()
    (tmp_path / "ptrack.yaml").write_text("policy: {deviation_warn: 5, deviation_fail: 8}\n",
                                          encoding="utf-8")
    (tmp_path / "c.yaml").write_text(
        "ptrack: 1\n"
        "campaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31, locale: en}\n"
        "policy:\n"
        "  deviation_warn: 15\n"
        "tasks: []\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("validate", "c.yaml")
    assert code == 1
    assert out.splitlines()[0] == (
        "c.yaml:3:1: error [policy] with the defaults of ptrack.yaml, deviation_warn (15) is larger "
        "than deviation_fail (8); the warning threshold must not exceed the failing one")
