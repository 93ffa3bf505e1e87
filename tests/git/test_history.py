"""History: versions from git, one point per day, hand-computed values, renames, merges, shallow
clones, files outside git, subfolders, the process budget and the `history` command."""

from __future__ import annotations

import json
import subprocess
from datetime import date

import pytest

from ptrack.git import gitio
from ptrack.git.history import _task_chunks, load_history
from ptrack.git.tracking import task_last_updates, trend_points
from ptrack.core.loader import parse_yaml


def _three_days(repo, campaign, tasks_of):
    """Four commits over three days (all +08:00, Beijing time):

    1. 03-01 10:00 Ann: alpha 0, beta 0
    2. 03-02 09:00 Bob: alpha 10
    3. 03-02 18:00 Ann: alpha 30            <- the last version of 03-02
    4. 03-05 07:00 Bob: beta 20             (03-04 23:00 UTC: the committer's day is 03-05)
    """
    data = campaign()
    path = repo.write("campaigns/demo.yaml", data)
    repo.commit("2024-03-01T10:00:00+08:00", "Ann", "plan")
    tasks_of(data)["alpha"]["progress"] = 10
    repo.write("campaigns/demo.yaml", data)
    repo.commit("2024-03-02T09:00:00+08:00", "Bob")
    tasks_of(data)["alpha"]["progress"] = 30
    repo.write("campaigns/demo.yaml", data)
    repo.commit("2024-03-02T18:00:00+08:00", "Ann")
    tasks_of(data)["beta"]["progress"] = 20
    repo.write("campaigns/demo.yaml", data)
    repo.commit("2024-03-05T07:00:00+08:00", "Bob")
    return path, data


def test_points_hand_computed(make_repo, campaign, tasks_of):
    repo = make_repo()
    path, _ = _three_days(repo, campaign, tasks_of)
    with load_history(path) as history:
        points = history.points(date(2024, 3, 31))
    assert [(p.date.isoformat(), p.author) for p in points] == [
        ("2024-03-01", "Ann"), ("2024-03-02", "Ann"), ("2024-03-05", "Bob")]
    # Calendar none; weights = planned days: alpha 10, beta 20.
    # 03-01: alpha planned 1/10 = 10.0, beta 1/20 = 5.0; campaign (10*10 + 20*5)/30 = 6.7; actual 0.
    # 03-02: alpha 20.0 planned / 30 actual, beta 10.0 / 0; campaign planned 400/30 = 13.3,
    #        actual 300/30 = 10.0, deviation -3.3 (the 18:00 version, not the 09:00 one).
    # 03-05: alpha 50.0 / 30, beta 25.0 / 20; planned 1000/30 = 33.3, actual 700/30 = 23.3, -10.0.
    assert [(p.planned_progress, p.actual_progress, p.deviation) for p in points] == [
        (6.7, 0.0, -6.7), (13.3, 10.0, -3.3), (33.3, 23.3, -10.0)]
    assert points[1].tasks["alpha"].actual_progress == 30.0
    assert points[2].tasks["beta"].planned_progress == 25.0
    assert points[2].tasks["beta"].status == "in_progress"


def test_day_is_the_committers_local_day(make_repo, campaign):
    repo = make_repo()
    path = repo.write("c.yaml", campaign())
    # 07:00 in Beijing is 23:00 the day before in UTC: the point is on the Beijing day.
    repo.commit("2024-03-05T07:00:00+08:00")
    data = campaign()
    data["tasks"][0]["progress"] = 5
    repo.write("c.yaml", data)
    # 23:30 in New York is 04:30 the next day in UTC: the point is on the New York day.
    repo.commit("2024-03-06T23:30:00-05:00")
    with load_history(path) as history:
        assert [v.day.isoformat() for v in history.versions] == ["2024-03-05", "2024-03-06"]
        assert [v.utc.date().isoformat() for v in history.versions] == ["2024-03-04", "2024-03-07"]
        assert [p.date.isoformat() for p in history.points(date(2024, 3, 31))] == ["2024-03-05", "2024-03-06"]


def test_points_stop_at_as_of(make_repo, campaign, tasks_of):
    repo = make_repo()
    path, _ = _three_days(repo, campaign, tasks_of)
    assert trend_points(path, date(2024, 3, 2)) == [(date(2024, 3, 1), 0.0), (date(2024, 3, 2), 10.0)]


def test_invalid_versions_are_skipped_with_a_note(make_repo, campaign):
    repo = make_repo()
    path = repo.write("c.yaml", campaign())
    repo.commit("2024-03-01T10:00:00+08:00")
    data = campaign()
    data["tasks"][0]["progress"] = 40
    repo.write("c.yaml", data)
    good = repo.commit("2024-03-02T09:00:00+08:00")
    data["tasks"][0]["planned"]["end"] = "2024-02-01"  # before its start: invalid
    repo.write("c.yaml", data)
    bad = repo.commit("2024-03-02T18:00:00+08:00", "Bob")
    repo.write("c.yaml", "ptrack: 1\ncampaign: [unclosed\n")  # not even YAML
    worse = repo.commit("2024-03-03T09:00:00+08:00", "Bob")
    with load_history(path) as history:
        points = history.points(date(2024, 3, 31))
        notes = history.notes
    # 03-02 falls back to the valid 09:00 version; 03-03 has no valid version, so no point.
    assert [(p.date.isoformat(), p.commit) for p in points][1:] == [("2024-03-02", good)]
    assert len(points) == 2
    assert any(bad[:7] in n and "not a valid campaign" in n and "planned end" in n for n in notes)
    assert any(worse[:7] in n for n in notes)


def test_process_budget_and_each_blob_read_once(make_repo, campaign):
    repo = make_repo()
    data = campaign()
    path = repo.write("c.yaml", data)
    for day in range(1, 21):
        data["tasks"][0]["progress"] = day
        repo.write("c.yaml", data)
        repo.commit(f"2024-03-{day:02d}T10:00:00+08:00")
    before = gitio.SPAWNED
    with load_history(path) as history:
        points = history.points(date(2024, 3, 31))
        history.task_changes()
    # rev-parse, log, rev-list (first-parent line), one cat-file --batch: never one per commit.
    assert gitio.SPAWNED - before == 4
    assert len(points) == 20


def test_rename_is_followed(make_repo, campaign):
    repo = make_repo()
    data = campaign()
    repo.write("campaigns/old-name.yaml", data)
    first = repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    repo.git("mv", "campaigns/old-name.yaml", "campaigns/demo.yaml")
    repo.commit("2024-03-02T10:00:00+08:00", "Bob", "rename")
    data["tasks"][0]["progress"] = 50
    path = repo.write("campaigns/demo.yaml", data)
    repo.commit("2024-03-03T10:00:00+08:00", "Cy")
    with load_history(path) as history:
        assert [(v.path, v.author) for v in history.versions] == [
            ("campaigns/old-name.yaml", "Ann"), ("campaigns/demo.yaml", "Bob"), ("campaigns/demo.yaml", "Cy")]
        assert [p.date.day for p in history.points(date(2024, 3, 31))] == [1, 2, 3]
        # The rename changed no task; the first commit added both, Cy changed alpha.
        assert [(c.task_id, c.author) for c in history.task_changes()] == [
            ("alpha", "Ann"), ("beta", "Ann"), ("alpha", "Cy")]
        assert history.versions[0].commit == first


def test_merge_commit(make_repo, campaign, tasks_of):
    """A branch moves alpha's end (Fay), main updates beta (Gus), Hal merges: the merge is on
    the branch's day line, the changes are credited to their authors, not to the merge."""
    repo = make_repo()
    data = campaign()
    path = repo.write("c.yaml", data)
    repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    repo.git("checkout", "-q", "-b", "feature")
    branch = campaign()
    tasks_of(branch)["alpha"]["planned"]["end"] = "2024-03-12"
    repo.write("c.yaml", branch)
    fay = repo.commit("2024-03-03T10:00:00+08:00", "Fay")
    repo.git("checkout", "-q", "main")
    tasks_of(data)["beta"]["progress"] = 40
    repo.write("c.yaml", data)
    repo.commit("2024-03-04T10:00:00+08:00", "Gus")
    merge = repo.merge("feature", "2024-03-05T10:00:00+08:00", "Hal")
    with load_history(path) as history:
        merged = [v for v in history.versions if v.commit == merge]
        assert len(merged) == 1 and len(merged[0].parent_blobs) == 2
        # 03-03 was only on the feature branch: no point that day; 03-05 is the merged plan.
        points = history.points(date(2024, 3, 31))
        assert [(p.date.day, p.author) for p in points] == [(1, "Ann"), (4, "Gus"), (5, "Hal")]
        assert points[-1].tasks["beta"].actual_progress == 40.0
        assert points[-1].tasks["alpha"].planned_progress == 41.7  # 5 of 12 days
        changes = [(c.task_id, c.author, c.commit) for c in history.task_changes() if c.old is not None]
        assert changes == [("alpha", "Fay", fay), ("beta", "Gus", repo.rev("HEAD^1"))]


def test_shallow_clone_uses_what_is_there(make_repo, campaign, tmp_path):
    repo = make_repo("origin")
    _path = repo.write("c.yaml", campaign())
    repo.commit("2024-03-01T10:00:00+08:00")
    data = campaign()
    data["tasks"][0]["progress"] = 20
    repo.write("c.yaml", data)
    repo.commit("2024-03-02T10:00:00+08:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)
    with load_history(clone / "c.yaml") as history:
        assert history.repo.shallow
        assert len(history.versions) == 1
        assert any("shallow" in n and "fetch-depth: 0" in n for n in history.notes)
        assert [p.date.day for p in history.points(date(2024, 3, 31))] == [2]


def test_not_a_repository_and_uncommitted(make_repo, campaign, tmp_path, dump):
    outside = tmp_path / "plain" / "c.yaml"
    outside.parent.mkdir()
    outside.write_text(dump(campaign()))
    with load_history(outside) as history:
        assert not history.in_git and history.missing == "not-a-repository"
        assert "not in a git repository" in history.notes[0]
        [point] = history.points(date(2024, 3, 2))
        assert (point.date, point.commit, point.planned_progress) == (date(2024, 3, 2), None, 13.3)
    repo = make_repo()
    repo.write("README", "x")
    repo.commit("2024-03-01T10:00:00+08:00")
    fresh = repo.write("c.yaml", campaign())
    with load_history(fresh) as history:
        assert history.missing == "not-committed"
        assert "not committed yet" in history.notes[0] and "working tree only" in history.notes[0]
    assert task_last_updates(fresh, date(2024, 3, 2)) == {}


def test_git_missing(monkeypatch, make_repo, campaign, tmp_path):
    repo = make_repo()
    path = repo.write("c.yaml", campaign())
    repo.commit("2024-03-01T10:00:00+08:00")
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    with load_history(path) as history:
        assert history.missing == "git-missing"
        assert "git is not installed or not on PATH" in history.notes[0]


def test_task_chunks_match_a_full_parse():
    text = ("ptrack: 1\ntasks:\n  # a comment\n  - id: a\n    name: |\n      text\n      - not an item\n"
            "    planned: {start: 2024-03-01, end: 2024-03-02}\n\n  - id: b\n    name: B\n"
            "risks: []\n")
    chunks = _task_chunks(text)
    assert [parse_yaml(c).data[0] for c in chunks] == parse_yaml(text).data["tasks"]
    assert _task_chunks("ptrack: 1\ntasks: []\n") is None
    assert _task_chunks("tasks:\n- id: a\n- id: b\nrisks: []\n") == ["- id: a\n", "- id: b\n"]
    assert _task_chunks("tasks:\n  - id: a\n  x: 1\n") is None  # not the plain layout: full parse
    assert _task_chunks("tasks:\n\t- id: a\n") is None


def test_history_cli_json_exact(make_repo, campaign, run_cli, monkeypatch):
    repo = make_repo()
    data = campaign()
    data["tasks"] = data["tasks"][:1]
    repo.write("campaigns/demo.yaml", data)
    first = repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    data["tasks"][0]["progress"] = 25
    repo.write("campaigns/demo.yaml", data)
    second = repo.commit("2024-03-02T10:00:00+08:00", "Bob")
    monkeypatch.chdir(repo.root / "campaigns")  # from a subfolder of the repository
    code, out, err = run_cli("history", "demo.yaml", "--as-of", "2024-03-31")
    assert (code, err) == (0, "")
    alpha = {"status": "in_progress", "health": "green"}
    assert json.loads(out) == {
        "campaign": "demo", "file": "demo.yaml",
        "points": [
            {"date": "2024-03-01", "commit": first, "author": "Ann", "planned_progress": 10.0,
             "actual_progress": 0.0, "deviation": -10.0,
             "tasks": {"alpha": {"planned_progress": 10.0, "actual_progress": 0.0, "deviation": -10.0,
                                 "status": "not_started", "health": "green"}}},
            {"date": "2024-03-02", "commit": second, "author": "Bob", "planned_progress": 20.0,
             "actual_progress": 25.0, "deviation": 5.0,
             "tasks": {"alpha": {"planned_progress": 20.0, "actual_progress": 25.0, "deviation": 5.0, **alpha}}},
        ],
        "replans": []}
    code, out, _ = run_cli("history", "demo.yaml", "--as-of", "2024-03-31", "--format", "csv")
    assert code == 0
    assert out.splitlines() == [
        "campaign,date,commit,author,task,planned_progress,actual_progress,deviation,status,health,replan",
        f"demo,2024-03-01,{first},Ann,,10.0,0.0,-10.0,not_started,green,",
        f"demo,2024-03-01,{first},Ann,alpha,10.0,0.0,-10.0,not_started,green,",
        f"demo,2024-03-02,{second},Bob,,20.0,25.0,5.0,in_progress,green,",
        f"demo,2024-03-02,{second},Bob,alpha,20.0,25.0,5.0,in_progress,green,",
    ]


def test_history_cli_several_campaigns_and_outside_git(run_cli, campaign, tmp_path, monkeypatch, dump):
    other = campaign()
    other["campaign"]["id"] = "other"
    (tmp_path / "a.yaml").write_text(dump(campaign()))
    (tmp_path / "b.yaml").write_text(dump(other))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("history", "a.yaml", "b.yaml", "--as-of", "2024-03-02")
    assert code == 0
    doc = json.loads(out)
    assert [c["campaign"] for c in doc["campaigns"]] == ["demo", "other"]
    assert [p["commit"] for p in doc["campaigns"][0]["points"]] == [None]
    assert "not in a git repository" in err and "Traceback" not in err


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_history_formats_match_the_registry(fmt):
    from ptrack.cli import HISTORY_FORMATS
    from ptrack.git.history import HISTORY_REPORTERS

    assert fmt in HISTORY_FORMATS and tuple(HISTORY_REPORTERS) == HISTORY_FORMATS
