"""The honest as-of with git history: progress as committed by D, the same in every command.

The campaign (calendar none: every day is a working day) has alpha planned 3/1..3/10 (10 days)
and beta 3/1..3/20 (20 days). Its history, committed in UTC+8:

    03-01 Ann   the plan: nothing done
    03-04 Bob   alpha started 3/2, 20 %
    03-08 Bob   alpha 90 %, beta started 3/6, 30 %

As of 3/5 the team knew alpha at 20 %: planned 5 / 10 = 50, deviation -30, earned 2 days,
5 - 2 = 3 working days behind: red, a deviation-behind error. The file says 90 % (recorded 3/8).
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from ptrack.core.asof import GIT, LATEST


@pytest.fixture
def history(make_repo, campaign, tasks_of):
    repo = make_repo()
    data = campaign()
    data["policy"] = {"stale_after_days": 7}
    path = repo.write("c.yaml", data)
    repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    alpha = tasks_of(data)["alpha"]
    alpha.update(actual={"start": "2024-03-02"}, progress=20)
    repo.write("c.yaml", data)
    repo.commit("2024-03-04T10:00:00+08:00", "Bob")
    alpha["progress"] = 90
    tasks_of(data)["beta"].update(actual={"start": "2024-03-06"}, progress=30)
    repo.write("c.yaml", data)
    repo.commit("2024-03-08T10:00:00+08:00", "Bob")
    return repo, path


def _status(run_cli, path, as_of):
    code, out, err = run_cli("status", str(path), "--as-of", as_of, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)["campaigns"][0]
    return {t["id"]: t for t in doc["tasks"]}, doc, err


def test_status_uses_progress_as_committed_by_d(history, run_cli):
    _, path = history
    tasks, doc, err = _status(run_cli, path, "2024-03-05")
    alpha, beta = tasks["alpha"], tasks["beta"]
    assert (alpha["actual_progress"], alpha["deviation"], alpha["days_behind"], alpha["health"]) == (
        20.0, -30.0, 3, "red")
    # beta's start (3/6) and progress (3/8) came later: as of 3/5 it had not started
    assert (beta["actual_progress"], beta["actual_start"], beta["status"]) == (0.0, None, "not_started")
    assert doc["progress_source"] == GIT
    assert err == ""  # git had the version: nothing to say
    # as of 3/8 (and later) the file is the record: 90 %
    tasks, doc, _ = _status(run_cli, path, "2024-03-08")
    assert tasks["alpha"]["actual_progress"] == 90.0 and doc["progress_source"] == "file"


def test_before_the_first_commit_progress_is_the_latest_with_one_notice(history, run_cli):
    _, path = history
    tasks, doc, err = _status(run_cli, path, "2024-02-29")
    # no version by 2/29: the file's progress, except that dated facts after D are dropped:
    # alpha started 3/2 (after D), so it had not started: 0, whatever was recorded later
    assert tasks["alpha"]["actual_progress"] == 0.0 and tasks["alpha"]["actual_start"] is None
    assert doc["progress_source"] == LATEST
    assert err.count("ptrack: note:") == 1
    assert "c.yaml was written after 2024-02-29 and git has no version of it by then" in err


def test_check_build_export_and_notify_agree_with_status(history, run_cli, tmp_path):
    _, path = history
    # check: the deviation-behind error of alpha at 20 % (the file's 90 % would be ahead of plan)
    code, out, _ = run_cli("check", str(path), "--as-of", "2024-03-05", "--format", "json")
    behind = [f for f in json.loads(out)["findings"] if f["rule"] == "deviation-behind"]
    # beta too: planned 5 / 20 = 25, nothing done by 3/5
    assert code == 1 and [(f["task"], f["severity"]) for f in behind] == [("alpha", "error"), ("beta", "error")]
    assert "actual 20.0%" in behind[0]["message"]
    # build: the site's status.json
    site = tmp_path / "site"
    code, _, err = run_cli("build", str(path), "--as-of", "2024-03-05", "--out", str(site))
    assert code == 0, err
    built = json.loads((site / "demo" / "status.json").read_text("utf-8"))["campaigns"][0]
    assert {t["id"]: t["actual_progress"] for t in built["tasks"]} == {"alpha": 20.0, "beta": 0.0}
    # export: the tracking table's actual progress column
    code, out, _ = run_cli("export", str(path), "--format", "csv", "-o", "-", "--as-of", "2024-03-05", "--lang", "en")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert {r["Task ID"]: r["Actual progress (%)"] for r in rows} == {"alpha": "20", "beta": "0"}
    # notify: the digest's weekly-review focus names alpha at 20 %
    code, out, err = run_cli("notify", str(path), "--as-of", "2024-03-05", "--dry-run", "--format", "json")
    assert code == 0, err
    assert "actual 20.0%" in out and "actual 90.0%" not in out


def test_stale_task_is_marked_and_not_extrapolated(make_repo, campaign, tasks_of, run_cli):
    # alpha at 30 % since 3/2 (Ann); nothing changes it until 3/12: more than stale_after_days 3
    repo = make_repo()
    data = campaign()
    data["policy"] = {"stale_after_days": 3, "forecast": "pace"}
    tasks_of(data)["alpha"].update(actual={"start": "2024-03-01"}, progress=30)
    path = repo.write("c.yaml", data)
    repo.commit("2024-03-02T10:00:00+08:00", "Ann")
    tasks, doc, _ = _status(run_cli, path, "2024-03-06")
    # 4 days since its last change: stale. At its own pace (30 % in 6 days = 5 a day) it would need
    # 14 more days; stale, it is not extrapolated: the earned schedule, 10 x 0.7 = 7 days -> 3/13
    alpha = tasks["alpha"]
    assert alpha["stale"] is True
    assert (alpha["forecast_method"], alpha["forecast_finish"]) == ("schedule", "2024-03-13")
    # not stale yet on 3/5 (3 days): its own pace, 70 / 6 points a day (30 in 5 days) = 11.67 -> 12
    # days after 3/5 -> 3/17
    tasks, _, _ = _status(run_cli, path, "2024-03-05")
    assert (tasks["alpha"]["stale"], tasks["alpha"]["forecast_method"], tasks["alpha"]["forecast_finish"]) == (
        False, "pace", "2024-03-17")
    # the table marks the stale forecast
    _, out, _ = run_cli("status", str(path), "--as-of", "2024-03-06", "--lang", "en", "--color", "never")
    assert "2024-03-13 (stale)" in out
