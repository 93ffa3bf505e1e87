"""The stale-task rule: only changes to a task's own entry count; git problems never fail a check."""

from __future__ import annotations

import json

from ptrack.git.tracking import task_last_updates


def _stale_setup(repo, campaign, tasks_of):
    """alpha and beta in progress from 03-02 (Ann); on 03-09 Bob updates beta only, and Cy edits
    the campaign's name (a change to the file, not to any task). stale_after_days: 3."""
    data = campaign()
    path = repo.write("c.yaml", data)
    repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    tasks_of(data)["alpha"]["progress"] = 30
    tasks_of(data)["beta"]["progress"] = 10
    repo.write("c.yaml", data)
    repo.commit("2024-03-02T10:00:00+08:00", "Ann")
    tasks_of(data)["beta"]["progress"] = 40
    repo.write("c.yaml", data)
    repo.commit("2024-03-09T10:00:00+08:00", "Bob")
    data["campaign"]["name"] = "Demo launch (renamed)"
    repo.write("c.yaml", data)
    repo.commit("2024-03-09T11:00:00+08:00", "Cy")
    return path, data


def _stale(out: str) -> list[tuple]:
    return [(f["task"], f["line"], f["severity"]) for f in json.loads(out)["findings"] if f["rule"] == "stale-task"]


def test_only_the_touched_task_is_fresh(make_repo, campaign, tasks_of, run_cli):
    path, _ = _stale_setup(make_repo(), campaign, tasks_of)
    code, out, err = run_cli("check", str(path), "--as-of", "2024-03-09", "--format", "json")
    # alpha: last changed 03-02, 7 days > 3 -> stale, reported at its entry (line of "- id: alpha").
    line = path.read_text().splitlines().index("- id: alpha") + 1
    assert _stale(out) == [("alpha", line, "warning")]
    [finding] = [f for f in json.loads(out)["findings"] if f["rule"] == "stale-task"]
    assert finding["message"] == ('task "Alpha" is in progress and its entry has not changed for 7 days '
                                  "(last change 2024-03-02 by Ann; policy.stale_after_days: 3)")
    assert err == ""
    assert task_last_updates(path, __import__("datetime").date(2024, 3, 9)) == {
        "alpha": (__import__("datetime").date(2024, 3, 2), "Ann"),
        "beta": (__import__("datetime").date(2024, 3, 9), "Bob")}


def test_threshold_is_more_than_stale_after_days(make_repo, campaign, tasks_of, run_cli):
    path, _ = _stale_setup(make_repo(), campaign, tasks_of)
    _, out, _ = run_cli("check", str(path), "--as-of", "2024-03-05", "--format", "json")
    assert _stale(out) == []  # 3 days is not more than 3
    _, out, _ = run_cli("check", str(path), "--as-of", "2024-03-06", "--format", "json")
    assert [t for t, _, _ in _stale(out)] == ["alpha", "beta"]  # 4 days


def test_uncommitted_edit_makes_a_task_fresh(make_repo, campaign, tasks_of, run_cli, dump):
    path, data = _stale_setup(make_repo(), campaign, tasks_of)
    tasks_of(data)["alpha"]["progress"] = 35
    path.write_text(dump(data))
    _, out, _ = run_cli("check", str(path), "--as-of", "2024-03-09", "--format", "json")
    assert _stale(out) == []


def test_policy_can_switch_it_off_and_strict_fails(make_repo, campaign, tasks_of, run_cli, dump):
    repo = make_repo()
    path, data = _stale_setup(repo, campaign, tasks_of)
    code, _, _ = run_cli("check", str(path), "--as-of", "2024-03-09", "--strict")
    assert code == 1
    data["policy"]["rules"] = {"stale-task": "off", "deviation-behind": "off"}
    path.write_text(dump(data))
    code, out, _ = run_cli("check", str(path), "--as-of", "2024-03-09", "--format", "json")
    assert _stale(out) == []


def test_no_git_means_no_stale_rule_and_no_failure(make_repo, campaign, tasks_of, run_cli, monkeypatch, tmp_path,
                                                   dump):
    path, _ = _stale_setup(make_repo(), campaign, tasks_of)
    other = path.parent / "d.yaml"
    d = campaign()
    d["campaign"]["id"] = "demo-2"
    other.write_text(dump(d))
    args = ("check", str(path), str(other), "--as-of", "2024-03-09", "--format", "json")
    code_git, out_git, _ = run_cli(*args)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    code, out, err = run_cli(*args)
    findings = json.loads(out)["findings"]
    assert findings == [f for f in json.loads(out_git)["findings"] if f["rule"] != "stale-task"]
    assert _stale(out_git) and code == code_git
    # One note for the whole run, however many files.
    assert err == "ptrack: note: stale-task skipped: git is not installed or not on PATH\n"


def test_outside_git_or_uncommitted_is_silent(make_repo, campaign, run_cli, tmp_path, dump):
    plain = tmp_path / "plain.yaml"
    plain.write_text(dump(campaign()))
    code, out, err = run_cli("check", str(plain), "--as-of", "2024-03-02")
    assert (code, err) == (0, "")
    repo = make_repo()
    repo.write("README", "x")
    repo.commit("2024-03-01T10:00:00+08:00")
    fresh = repo.write("c.yaml", campaign())
    code, out, err = run_cli("check", str(fresh), "--as-of", "2024-03-02")
    assert (code, err) == (0, "")
