"""Baselines and slips: who moved which planned end, when, by how many working days."""

from __future__ import annotations

import json
from datetime import date

from ptrack.git.baseline import baseline_dates, compute_baseline
from ptrack.git.history import load_history
from ptrack.core.validate import load_campaign


def _slipping(repo, campaign, tasks_of):
    """alpha's planned end: 03-10 (Ann, 03-01), 03-12 (Carol, 03-03), 03-15 (Dave, 03-06),
    back to 03-14 (Erin, 03-07: earlier, not a slip). beta is only updated (Bob, 03-04)."""
    data = campaign()
    path = repo.write("c.yaml", data)
    repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    for when, who, end in (("2024-03-03T10:00:00+08:00", "Carol", "2024-03-12"),
                           ("2024-03-04T10:00:00+08:00", "Bob", None),
                           ("2024-03-06T10:00:00+08:00", "Dave", "2024-03-15"),
                           ("2024-03-07T10:00:00+08:00", "Erin", "2024-03-14")):
        if end:
            tasks_of(data)["alpha"]["planned"]["end"] = end
        else:
            tasks_of(data)["beta"]["progress"] = 10
        repo.write("c.yaml", data)
        repo.commit(when, who)
        if who == "Carol":
            repo.git("tag", "v1")
    return path


def _baseline(path, rev=None, as_of=date(2024, 3, 31)):
    campaign = load_campaign(path).campaign
    with load_history(path) as history:
        return compute_baseline(history, campaign, as_of, rev)


def test_slips_who_and_when(make_repo, campaign, tasks_of):
    path = _slipping(make_repo(), campaign, tasks_of)
    b = _baseline(path)
    alpha, beta = b.tasks["alpha"], b.tasks["beta"]
    assert (alpha.start, alpha.end) == (date(2024, 3, 1), date(2024, 3, 10))
    # Calendar none: 03-10 -> 03-14 is 4 working days; two moves later (+2 by Carol, +3 by Dave).
    assert alpha.slip_days == 4
    assert [(s.date.isoformat(), s.author, s.old_end.isoformat(), s.new_end.isoformat(), s.days)
            for s in alpha.slips] == [("2024-03-03", "Carol", "2024-03-10", "2024-03-12", 2),
                                      ("2024-03-06", "Dave", "2024-03-12", "2024-03-15", 3)]
    assert (beta.slip_days, beta.slips) == (0, ())
    assert b.rev == "first" and b.date == date(2024, 3, 1)


def test_baseline_at_a_tag_counts_only_later_slips(make_repo, campaign, tasks_of):
    path = _slipping(make_repo(), campaign, tasks_of)
    b = _baseline(path, "v1")
    alpha = b.tasks["alpha"]
    assert (alpha.end, alpha.slip_days) == (date(2024, 3, 12), 2)
    assert [s.author for s in alpha.slips] == ["Dave"]
    assert baseline_dates(path, "v1")["alpha"] == (date(2024, 3, 1), date(2024, 3, 12))
    assert baseline_dates(path)["alpha"] == (date(2024, 3, 1), date(2024, 3, 10))


def test_slips_as_of_a_past_day(make_repo, campaign, tasks_of):
    path = _slipping(make_repo(), campaign, tasks_of)
    assert [s.author for s in _baseline(path, as_of=date(2024, 3, 5)).tasks["alpha"].slips] == ["Carol"]


def test_uncommitted_slip_counts(make_repo, campaign, tasks_of, dump):
    repo = make_repo()
    path = _slipping(repo, campaign, tasks_of)
    data = campaign()
    tasks_of(data)["alpha"]["planned"]["end"] = "2024-03-18"
    tasks_of(data)["beta"]["progress"] = 10
    path.write_text(dump(data))
    slips = _baseline(path, as_of=date(2024, 3, 9)).tasks["alpha"].slips
    assert [(s.author, s.commit, s.date.isoformat(), s.days) for s in slips][-1] == (None, None, "2024-03-09", 4)


def test_status_json_with_and_without_baseline(make_repo, campaign, tasks_of, run_cli):
    path = _slipping(make_repo(), campaign, tasks_of)
    code, out, _ = run_cli("status", str(path), "--as-of", "2024-03-08", "--format", "json")
    assert code == 0
    task = json.loads(out)["campaigns"][0]["tasks"][0]
    assert "baseline_end" not in task and "slips" not in task  # unchanged without --baseline
    code, out, err = run_cli("status", str(path), "--as-of", "2024-03-08", "--format", "json",
                             "--baseline", "first")
    assert (code, err) == (0, "")
    doc = json.loads(out)["campaigns"][0]
    assert doc["baseline"]["rev"] == "first" and doc["baseline"]["date"] == "2024-03-01"
    alpha = doc["tasks"][0]
    assert {k: alpha[k] for k in ("baseline_start", "baseline_end", "slip_days")} == {
        "baseline_start": "2024-03-01", "baseline_end": "2024-03-10", "slip_days": 4}
    assert [(s["author"], s["old_end"], s["new_end"], s["days"]) for s in alpha["slips"]] == [
        ("Carol", "2024-03-10", "2024-03-12", 2), ("Dave", "2024-03-12", "2024-03-15", 3)]
    assert doc["tasks"][1]["slips"] == [] and doc["tasks"][1]["slip_days"] == 0


def test_status_table_and_markdown_show_the_baseline(make_repo, campaign, tasks_of, run_cli):
    """With --baseline the task table gains the baseline end and the slip, and a line on the
    baseline; without it, neither (the columns are unchanged)."""
    path = _slipping(make_repo(), campaign, tasks_of)
    # gamma is added in the working tree: not in the baseline
    text = path.read_text(encoding="utf-8").rstrip("\n") + (
        "\n- id: gamma\n  name: Gamma\n  owner: ann\n  planned:\n    start: '2024-03-05'\n    end: '2024-03-09'\n")
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli("status", str(path), "--as-of", "2024-03-08", "--baseline", "first")
    assert (code, err) == (0, "")
    # alpha: 03-10 in the baseline, now 03-14: 4 working days later (calendar none); one task.
    # Float: beta (20 days, 10 %) has 18 days left at the planned pace: 03-26 sets the forecast
    # finish (beta's entry has not changed since 03-04, more than stale_after_days 3: stale, not
    # extrapolated), before the end 03-31, so the anchor is 03-26: alpha 26 - 22 = 4, beta 0
    # (critical), gamma 26 - 13 = 13.
    assert out.splitlines()[1:] == [
        "Critical path: Beta",
        f"Baseline first ({_first_commit(path)[:7]}, 2024-03-01): tasks ending later than in it: 1; "
        "working days slipped in all: 4",
        "",
        "ID     Task   Kind  Module  Owner  Plan %  Actual %   Dev.  Status       Health  Days behind  Forecast"
        "            Float  Critical  Baseline end  Slip",
        "-----  -----  ----  ------  -----  ------  --------  -----  -----------  ------  -----------  ------------------"
        "  -----  --------  ------------  ----",
        "alpha  Alpha  Work  -       ann      57.1       0.0  -57.1  not started  red               8  2024-03-22"
        "              4  -         2024-03-10      +4",
        "beta   Beta   Work  -       bob      40.0      10.0  -30.0  in progress  red               6  2024-03-26 (stale)"
        "      0  critical  2024-03-20       0",
        "gamma  Gamma  Work  -       ann      80.0       0.0  -80.0  not started  red               4  2024-03-13"
        "             13  -         -              new",
    ]
    code, out, _ = run_cli("status", str(path), "--as-of", "2024-03-08", "--baseline", "first",
                           "--format", "markdown", "--lang", "zh-CN")
    assert code == 0
    assert "| 编号 | 任务名称 |" in out and "| 基线完成 | 较基线推迟 |" in out
    assert "|---|---|---:|\n" in out  # the slip right-aligned
    assert "| 2024-03-10 | +4 |" in out and "| - | 新增 |" in out
    assert "：计划完成晚于基线的任务 1 个，合计推迟 4 个工作日\n" in out
    code, out, _ = run_cli("status", str(path), "--as-of", "2024-03-08")
    assert "Baseline" not in out and "Slip" not in out


def _first_commit(path) -> str:
    import subprocess

    return subprocess.run(["git", "rev-list", "--max-parents=0", "HEAD"], cwd=path.parent, check=True,
                          capture_output=True, text=True).stdout.split()[0]


def test_baseline_errors_exit_2(make_repo, campaign, tasks_of, run_cli, tmp_path, dump):
    path = _slipping(make_repo(), campaign, tasks_of)
    code, _, err = run_cli("status", str(path), "--baseline", "no-such-tag")
    assert code == 2 and '"no-such-tag" is not a commit, branch or tag' in err
    outside = tmp_path / "x.yaml"
    outside.write_text(dump(campaign()))
    code, _, err = run_cli("status", str(outside), "--baseline", "first")
    assert code == 2 and "not in a git repository" in err and "Traceback" not in err


def test_check_baseline_notices(make_repo, campaign, tasks_of, run_cli):
    path = _slipping(make_repo(), campaign, tasks_of)
    code, out, _ = run_cli("check", str(path), "--as-of", "2024-03-08", "--baseline", "first", "--format", "json")
    findings = [f for f in json.loads(out)["findings"] if f["rule"] == "baseline-slip"]
    assert code == 1  # beta is 30 points behind plan (an error); notices never fail a check
    assert [(f["task"], f["severity"]) for f in findings] == [("alpha", "notice")]
    assert findings[0]["message"] == (
        'task "Alpha" now ends 2024-03-14, 4 working days later than in the baseline first (2024-03-10); '
        "moved later 2 times, by Carol, Dave")
