"""`ptrack build` with git history: the trend from the day points, baseline bars in the Gantt,
the baseline fields in status.json, "last updated N days ago by X" on the page, one history
read per campaign, a build outside git, and byte-identical rebuilds.

The repository (tests/git_support.py ``commit_build_history``): alpha's planned end moves from
03-10 to 03-12 on 03-03 (Carol); Bob updates beta later that day; Dave updates alpha on 03-05.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from ptrack.git.tracking import site_history, task_last_updates, trend_points
from tests.git_support import commit_build_history

AS_OF = "2024-03-08"
DAY = date(2024, 3, 8)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def repo_file(make_repo):
    return commit_build_history(make_repo())


@pytest.fixture
def recorded(monkeypatch):
    """What the build hands to the trend and Gantt models. The build computes the models in its
    own process (the chart process only draws them), so the recording sees the calls whether
    the charts are drawn in a child or here."""
    from ptrack.render import charts, gantt

    seen: dict[str, object] = {}
    trend, real_gantt = charts.trend_model, gantt.gantt_model

    def record_trend(snapshot, locale, history=None):
        seen["trend"] = (snapshot, history)
        return trend(snapshot, locale, history)

    def record_gantt(snapshot, locale, **kw):
        seen["gantt"] = (snapshot, kw.get("baseline"))
        return real_gantt(snapshot, locale, **kw)

    monkeypatch.setattr(charts, "trend_model", record_trend)
    monkeypatch.setattr(gantt, "gantt_model", record_gantt)
    return seen


def _build(run_cli, path, out, *args):
    code, stdout, err = run_cli("build", path, "--out", out, "--as-of", AS_OF, *args)
    assert code == 0, err
    assert "Traceback" not in err
    return err


def test_trend_shows_one_point_per_day_from_git(run_cli, repo_file, tmp_path, recorded):
    from ptrack.render.charts import trend_model

    _build(run_cli, repo_file, tmp_path / "site")
    snapshot, history = recorded["trend"]
    expected = trend_points(repo_file, DAY)
    assert [d for d, _ in expected] == [date(2024, 3, 1), date(2024, 3, 3), date(2024, 3, 5)]
    model = trend_model(snapshot, "en", history)
    assert list(model.history) == expected
    assert model.history[0][1] == 0.0 and model.history[-1][1] > model.history[1][1] > 0
    assert "actual (history)" in [e.label for e in model.legend]
    page = (tmp_path / "site" / "demo" / "index.html").read_text(encoding="utf-8")
    assert "one point per day with commits (3 days)" in page


def test_gantt_has_baseline_bars_where_the_plan_moved(run_cli, repo_file, tmp_path, recorded):
    from ptrack.render.chrome import BASELINE_COLOUR
    from ptrack.render.gantt import gantt_model

    _build(run_cli, repo_file, tmp_path / "site")
    snapshot, baseline = recorded["gantt"]
    model = gantt_model(snapshot, "en", baseline=baseline)
    rows = {r.key: r for r in model.rows if r.kind == "task"}
    alpha, beta = rows["alpha"], rows["beta"]
    assert (alpha.baseline_start, alpha.baseline_end) == (date(2024, 3, 1), date(2024, 3, 10))
    assert alpha.end == date(2024, 3, 12)  # moved 2 days later: the grey bar ends before the plan
    assert (beta.baseline_start, beta.baseline_end) == (beta.start, beta.end)  # never moved
    assert ("span", "baseline plan", BASELINE_COLOUR) in [(e.kind, e.label, e.colour) for e in model.legend]
    svg = (tmp_path / "site" / "demo" / "gantt.svg").read_text(encoding="utf-8")
    assert f'fill="{BASELINE_COLOUR}"' in svg and "baseline plan 2024-03-01 – 2024-03-10" in svg


def test_status_json_has_the_baseline_fields_of_status_baseline(run_cli, repo_file, tmp_path):
    _build(run_cli, repo_file, tmp_path / "site")
    code, out, err = run_cli("status", repo_file, "--as-of", AS_OF, "--format", "json", "--baseline", "first")
    assert code == 0, err
    expected = json.loads(out)
    site = json.loads((tmp_path / "site" / "status.json").read_text(encoding="utf-8"))
    one = json.loads((tmp_path / "site" / "demo" / "status.json").read_text(encoding="utf-8"))
    assert site == one == expected
    alpha = one["campaigns"][0]["tasks"][0]
    assert (alpha["baseline_end"], alpha["slip_days"], [s["author"] for s in alpha["slips"]]) == (
        "2024-03-10", 2, ["Carol"])


def test_page_shows_last_update_and_slip(run_cli, repo_file, tmp_path):
    _build(run_cli, repo_file, tmp_path / "site")
    page = (tmp_path / "site" / "demo" / "index.html").read_text(encoding="utf-8")
    assert task_last_updates(repo_file, DAY) == {"alpha": (date(2024, 3, 5), "Dave"),
                                                 "beta": (date(2024, 3, 3), "Bob")}
    assert '<span class="sub updated">last updated 3 days ago by Dave</span>' in page
    assert "last updated 5 days ago by Bob" in page
    assert "2 working days later than the baseline (2024-03-10)" in page  # alpha's planned end


def test_last_update_one_day_and_chinese(run_cli, repo_file, tmp_path):
    code, _, err = run_cli("build", repo_file, "--out", tmp_path / "en", "--as-of", "2024-03-06")
    assert code == 0, err
    assert "last updated 1 day ago by Dave" in (tmp_path / "en" / "demo" / "index.html").read_text(encoding="utf-8")
    code, _, err = run_cli("build", repo_file, "--out", tmp_path / "zh", "--as-of", AS_OF, "--lang", "zh-CN")
    assert code == 0, err
    page = (tmp_path / "zh" / "demo" / "index.html").read_text(encoding="utf-8")
    assert "3 天前由 Dave 更新" in page and "比基线（2024-03-10）晚 2 个工作日" in page


def test_one_history_read_per_campaign(run_cli, repo_file, tmp_path):
    """rev-parse, git log, cat-file --batch and rev-list --first-parent: four git processes in
    all, whatever the number of commits, for trend, last updates and baseline together."""
    from ptrack.git import gitio

    before = gitio.SPAWNED
    _build(run_cli, repo_file, tmp_path / "site")
    assert gitio.SPAWNED - before == 4
    # and the shared read answers what the one-question functions answer
    got = site_history(repo_file, DAY, baseline_rev="first")
    assert got.trend == trend_points(repo_file, DAY)
    assert got.last_updates == task_last_updates(repo_file, DAY)


def test_same_repository_and_as_of_give_identical_bytes(run_cli, repo_file, tmp_path):
    _build(run_cli, repo_file, tmp_path / "one")
    _build(run_cli, repo_file, tmp_path / "two")
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []


def test_build_outside_git_says_why_once(run_cli, repo_file, tmp_path, recorded):
    outside = tmp_path / "outside" / "demo.yaml"
    outside.parent.mkdir()
    shutil.copy(repo_file, outside)
    err = _build(run_cli, outside, tmp_path / "site")
    assert "not in a git repository" not in err  # the page says it; the terminal stays quiet
    assert recorded["trend"][1] == [] and recorded["gantt"][1] == {}
    site = tmp_path / "site" / "demo"
    page = (site / "index.html").read_text(encoding="utf-8")
    assert page.count("this campaign file is not in a git repository") == 1
    assert "last updated" not in page and "than the baseline" not in page
    assert (site / "trend.png").stat().st_size > 0
    task = json.loads((site / "status.json").read_text(encoding="utf-8"))["campaigns"][0]["tasks"][0]
    assert "baseline_end" not in task and "slips" not in task


def test_uncommitted_file_says_so(run_cli, repo_file, tmp_path):
    new = repo_file.parent / "new.yaml"
    new.write_text(repo_file.read_text(encoding="utf-8").replace("id: demo", "id: fresh"), encoding="utf-8")
    _build(run_cli, new, tmp_path / "site")
    page = (tmp_path / "site" / "fresh" / "index.html").read_text(encoding="utf-8")
    assert page.count("this campaign file is not committed to git") == 1


def test_baseline_option(run_cli, repo_file, tmp_path, make_repo):
    # a tag: the plan as it was then
    from ptrack.git.gitio import Repository

    with Repository.discover(repo_file) as r:
        r.git("tag", "v1", "HEAD~1")
    _build(run_cli, repo_file, tmp_path / "tag", "--baseline", "v1")
    alpha = json.loads((tmp_path / "tag" / "status.json").read_text(encoding="utf-8"))["campaigns"][0]
    assert alpha["baseline"]["rev"] == "v1" and alpha["tasks"][0]["slip_days"] == 0
    # none: no baseline anywhere
    _build(run_cli, repo_file, tmp_path / "none", "--baseline", "none")
    doc = json.loads((tmp_path / "none" / "status.json").read_text(encoding="utf-8"))["campaigns"][0]
    assert "baseline" not in doc and "slip_days" not in doc["tasks"][0]
    assert "than the baseline" not in (tmp_path / "none" / "demo" / "index.html").read_text(encoding="utf-8")
    # asked for explicitly and not there: exit 2, nothing written (as status --baseline)
    code, _, err = run_cli("build", repo_file, "--out", tmp_path / "bad", "--as-of", AS_OF, "--baseline", "nope")
    assert code == 2 and '"nope" is not a commit, branch or tag' in err and not (tmp_path / "bad").exists()
    outside = tmp_path / "outside.yaml"
    shutil.copy(repo_file, outside)
    code, _, err = run_cli("build", outside, "--out", tmp_path / "bad", "--baseline", "first")
    assert code == 2 and "not in a git repository" in err and "Traceback" not in err
    code, out, _ = run_cli("build", "--help")
    assert "--baseline REV" in out and "`none`: no baseline" in " ".join(out.split())
