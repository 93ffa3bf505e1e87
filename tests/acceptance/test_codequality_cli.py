"""`ptrack check` for GitLab: `--format codequality`, `--report FORMAT=FILE`, the automatic Code
Quality report under GitLab CI, and fingerprints that survive moved lines, a moved task, another
language and another day."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

# Calendar none. "poster" 3/1 .. 3/10 at 50%, its second risk due 3/5 (the first is resolved);
# "video" 3/1 .. 3/31 at 0% with an id'd risk due 3/4. As of 3/6:
#   poster: planned 6/10 = 60, actual 50: 10 behind, not past deviation_warn 10 -> nothing
#   video: planned 6/31 = 19.4, actual 0, 19.4 behind -> deviation-behind warning (past 10, not 20)
#   risks: poster's 2nd 1 day overdue, video's "budget" 2 days overdue -> two risk-overdue errors
CAMPAIGN = """\
ptrack: 1
campaign: {id: spring, name: 春季推广, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: en}
policy: {rules: {critical-slip: off}}
tasks:
  - id: poster
    name: 海报设计
    planned: {start: 2024-03-01, end: 2024-03-10}
    actual: {start: 2024-03-01}
    progress: 50
    risks:
      - {issue: 供应商延期, due: 2024-03-02, resolved: 2024-03-02}
      - {issue: 素材变更, due: 2024-03-05}
  - id: video
    name: 短视频
    planned: {start: 2024-03-01, end: 2024-03-31}
    actual: {start: 2024-03-01}
    progress: 0
    risks:
      - {id: budget, issue: 预算未批, due: 2024-03-04}
"""
DAY = "2024-03-06"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _issues(text: str) -> list[dict]:
    issues = json.loads(text)
    assert isinstance(issues, list)
    for issue in issues:  # the subset GitLab reads, and nothing else
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert set(issue["location"]) == {"path", "lines"} and set(issue["location"]["lines"]) == {"begin"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    return issues


def test_codequality_to_stdout(run_cli, write):
    write("c.yaml", CAMPAIGN)
    code, out, err = run_cli("check", "c.yaml", "--as-of", DAY, "--format", "codequality")
    assert code == 1, err
    assert [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"])
            for i in _issues(out)] == [
        ("risk-overdue", "critical", "c.yaml", 12),     # poster's 2nd risk, its `due`
        ("deviation-behind", "minor", "c.yaml", 17),    # video's progress
        ("risk-overdue", "critical", "c.yaml", 19),     # video's "budget"
    ]
    assert _issues(out)[0]["description"] == 'risk "素材变更" is 1 day past its deadline 2024-03-05 (owner: unassigned)'


def test_report_files_and_text_in_the_log(run_cli, write, tmp_path):
    write("c.yaml", CAMPAIGN)
    code, out, err = run_cli("check", "c.yaml", "--as-of", DAY, "--report", "codequality=reports/cq.json",
                             "--report", "junit=reports/junit.xml")
    assert code == 1  # failing, and the reports are written all the same
    assert out.splitlines()[-1] == "2 errors, 1 warning, 0 notices in 1 file"  # the text, for the log
    raw = (tmp_path / "reports" / "cq.json").read_bytes()
    assert raw[:1] == b"["  # no BOM
    assert len(_issues(raw.decode("utf-8"))) == 3
    root = ET.fromstring((tmp_path / "reports" / "junit.xml").read_bytes())
    assert (root.tag, root.get("failures")) == ("testsuites", "1")  # the rule risk-overdue fails
    assert not list((tmp_path / "reports").glob("*.tmp"))


def test_under_gitlab_ci_the_code_quality_report_is_automatic(run_cli, write, tmp_path, monkeypatch):
    write("c.yaml", CAMPAIGN)
    monkeypatch.setenv("GITLAB_CI", "true")
    code, out, _ = run_cli("check", "c.yaml", "--as-of", DAY)
    assert code == 1
    assert out.startswith("c.yaml:12:") and "error [risk-overdue]" in out  # text in the log
    auto = tmp_path / "gl-code-quality-report.json"
    assert len(_issues(auto.read_text(encoding="utf-8"))) == 3
    auto.unlink()
    # a --report codequality=FILE says where instead; an explicit --format is obeyed as given
    assert run_cli("check", "c.yaml", "--as-of", DAY, "--report", "codequality=cq.json")[0] == 1
    assert (tmp_path / "cq.json").exists() and not auto.exists()
    code, out, _ = run_cli("check", "c.yaml", "--as-of", DAY, "--format", "json")
    assert json.loads(out)["summary"]["error"] == 2 and not auto.exists()
    # not GitLab: no file
    monkeypatch.setenv("GITLAB_CI", "false")
    run_cli("check", "c.yaml", "--as-of", DAY)
    assert not auto.exists()


def test_fingerprints_survive_moved_lines_tasks_language_and_day(run_cli, write):
    path = write("c.yaml", CAMPAIGN)

    def prints(*args):
        code, out, _ = run_cli("check", "c.yaml", "--format", "codequality", *args)
        assert code == 1
        return {(i["check_name"], i["fingerprint"]): i["location"]["lines"]["begin"] for i in _issues(out)}

    before = prints("--as-of", DAY)
    # Lines inserted above everything (comments and a new first task), a new risk put before the
    # overdue one in the list, the messages in Chinese, the next day (other numbers in them).
    moved = CAMPAIGN.replace("tasks:\n", "# 计划\n# (updated)\ntasks:\n  - id: teaser\n    name: 预热\n"
                             "    planned: {start: 2024-03-01, end: 2024-03-02}\n    actual: {start: 2024-03-01, end: 2024-03-02}\n", 1)
    moved = moved.replace("      - {issue: 供应商延期", "      - {issue: 新风险, due: 2024-03-30}\n      - {issue: 供应商延期", 1)
    path.write_text(moved, encoding="utf-8")
    after = prints("--as-of", DAY, "--lang", "zh-CN")
    assert set(after) == set(before)  # the same three fingerprints
    # 6 lines above the tasks (2 comments, a 4-line task) and the new risk above all three findings
    assert [after[k] - before[k] for k in sorted(before, key=before.get)] == [7, 7, 7]
    # One day on: the risks 2 and 3 days overdue (other messages), the same prints; poster is now
    # 70 - 50 = 20 points behind, a new finding with a print of its own.
    later = set(prints("--as-of", "2024-03-07"))
    assert set(before) < later and [k[0] for k in later - set(before)] == ["deviation-behind"]
    # Resolving one risk takes its finding away and leaves the others' fingerprints alone.
    path.write_text(moved.replace("{id: budget, issue: 预算未批, due: 2024-03-04}",
                                  "{id: budget, issue: 预算未批, due: 2024-03-04, resolved: 2024-03-05}"), encoding="utf-8")
    assert set(prints("--as-of", DAY)) == set(before) - {k for k in before if before[k] == 19}


@pytest.mark.parametrize("value, message", [
    ("junit", '--report: "junit" is not FORMAT=FILE'),
    ("xml=a.xml", '--report: "xml" is not one of text, github, json, junit, codequality'),
    ("junit=", '--report: "junit=" is not FORMAT=FILE'),
])
def test_bad_report_is_a_usage_error(run_cli, write, tmp_path, value, message):
    write("c.yaml", CAMPAIGN)
    code, out, err = run_cli("check", "c.yaml", "--as-of", DAY, "--report", value)
    assert (code, out) == (2, "") and message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml"]
