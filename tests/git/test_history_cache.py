"""The history's reuse of checks across versions (``history.REUSE_CHECKS``): each distinct task
chunk checked against the schema's task definition once, each distinct rest of the file parsed
and checked once, each (chunk, index)'s model built once. Whatever the versions hold, the day
points, the notes and every version's LoadResult are the same as with every version checked and
built whole."""

from __future__ import annotations

import copy
import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

from ptrack.git import history as history_module
from ptrack.git.history import load_history
from ptrack.core.validate import load_campaign_bytes
from tests.git_support import task

REPO = Path(__file__).resolve().parents[2]


def _plan() -> dict:
    return {
        "ptrack": 1,
        "campaign": {"id": "demo", "name": "Demo launch", "start": "2024-03-01", "end": "2024-04-30",
                     "calendar": "none", "locale": "en", "lead": "ann"},
        "policy": {"stale_after_days": 3},
        "people": {"ann": {"name": "Ann"}, "bob": {"name": "Bob"}, "cid": {"name": "Cid"}},
        "goals": [{"id": "signups", "name": "Sign-ups", "kind": "cumulative", "target": 100, "due": "2024-04-30",
                   "measurements": [{"date": "2024-03-02", "value": 5}]}],
        "tasks": [
            task("alpha", "Alpha", "2024-03-01", "2024-03-10", progress=0),
            task("beta", "Beta", "2024-03-01", "2024-03-20", owner="bob", progress=0, depends_on=["alpha"]),
            task("gamma", "Gamma", "2024-03-05", "2024-03-25", owner="cid", progress=0,
                 quantity={"done": 0, "total": 10, "unit": "posts"}),
            # outside the window: a warning in every version that holds it as it is
            task("delta", "Delta", "2024-02-25", "2024-03-15", progress=0, collaborators=["bob"]),
            task("eps", "Epsilon", "2024-03-10", "2024-04-10", owner="bob", progress=0,
                 risks=[{"issue": "Printer late", "owner": "cid"}]),
        ],
    }


def _by_id(data: dict, tid: str) -> dict:
    return next(t for t in data["tasks"] if t["id"] == tid)


def _history(make_repo, dump) -> Path:
    """One commit a day (two on 03-03) from 03-01 to 03-20, each a different kind of version."""
    repo = make_repo()
    rel = "campaigns/demo.yaml"
    data = _plan()
    day = iter(range(1, 100))
    steps = []

    def step(change) -> None:
        nonlocal data
        data = copy.deepcopy(data)
        out = change(data)
        content = out if isinstance(out, str) else data  # a change returns text or edits data
        n = next(day)
        steps.append(n)
        repo.write(rel, content if isinstance(content, str) else dump(content))
        repo.commit(f"2024-03-{n:02d}T10:00:00+08:00", "Ann")

    step(lambda d: None)  # the plan
    step(lambda d: _by_id(d, "alpha").update(progress=20))
    # two versions on one day: the later one is the day's point
    step(lambda d: _by_id(d, "beta").update(progress=10))
    repo.write(rel, dump({**data, "tasks": data["tasks"][:4] + [{**data["tasks"][4], "progress": 5}]}))
    repo.commit(f"2024-03-{steps[-1]:02d}T18:00:00+08:00", "Bob")
    step(lambda d: dump(d).replace("campaign:", "campaign: [", 1))  # not YAML
    step(lambda d: _by_id(d, "gamma").update(progress=150))  # schema: one task out of range
    step(lambda d: _by_id(d, "gamma").update(progress=30, quantity={"done": 3, "total": 10, "unit": "posts"}))
    step(lambda d: _by_id(d, "delta").update(owner="zed"))  # semantic: unknown person
    step(lambda d: _by_id(d, "delta").update(owner="ann"))
    step(lambda d: _by_id(d, "alpha").update(depends_on=["beta"]))  # semantic: a dependency cycle
    step(lambda d: _by_id(d, "alpha").pop("depends_on"))
    step(lambda d: d["tasks"].append(task("zeta", "Zeta", "2024-03-12", "2024-03-30", progress=0)))  # added
    step(lambda d: d["tasks"].reverse())  # reordered: every task at another index
    step(lambda d: d["tasks"].pop(2))  # removed: the tasks after it move up
    step(lambda d: d["goals"][0]["measurements"].append({"date": "2024-03-14", "value": 20}))  # rest only
    step(lambda d: d.update(extra_key=1))  # schema: the rest of the file
    step(lambda d: d.pop("extra_key"))
    step(lambda d: d["tasks"].append(copy.deepcopy(d["tasks"][0])))  # semantic: a duplicate task id
    step(lambda d: d["tasks"].pop())
    step(lambda d: d["tasks"].insert(0, d["tasks"].pop()))  # moved back and forth: chunks seen before
    step(lambda d: d["tasks"].append(d["tasks"].pop(0)))
    step(lambda d: _by_id(d, "beta").update(progress=60, actual={"start": "2024-03-02"}))
    step(lambda d: d["tasks"].insert(1, {"id": "eta", "name": "Eta"}))  # schema: required key missing
    return repo.root / rel


def _read(path: Path, reuse: bool, as_of: date, monkeypatch):
    monkeypatch.setattr(history_module, "REUSE_CHECKS", reuse)
    with load_history(path) as history:
        points = history.points(as_of)
        notes = list(history.notes)
        loads = [history.load(v) for v in history.versions]
        cache = history._entries
        reused = (len(cache.task_ok), len(cache.models), len(cache.rests))
    return points, notes, loads, reused


def _same_loads(a, b) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert (x is None) == (y is None)
        if x is None:
            continue
        assert x.file == y.file
        assert x.diagnostics == y.diagnostics
        assert x.campaign == y.campaign
        if x.campaign is not None:
            assert [t.path for t in x.campaign.tasks] == [t.path for t in y.campaign.tasks]
            assert [r.path for r in x.campaign.all_risks()] == [r.path for r in y.campaign.all_risks()]


def test_reused_checks_give_the_same_points_and_results(make_repo, dump, monkeypatch):
    path = _history(make_repo, dump)
    as_of = date(2024, 3, 31)
    points, notes, loads, reused = _read(path, True, as_of, monkeypatch)
    whole_points, whole_notes, whole_loads, whole_reused = _read(path, False, as_of, monkeypatch)
    assert points == whole_points
    assert notes == whole_notes
    _same_loads(loads, whole_loads)
    # the test covers what it means to: valid and invalid versions of every kind, and reuse
    assert reused[0] > 0 and reused[1] > 0 and reused[2] > 0
    assert whole_reused == (0, 0, 0)
    assert (len(loads), len(points), len(notes)) == (23, 15, 7)  # 22 days, 7 with an invalid version
    assert sum(1 for r in loads if r.ok) == 16
    assert reused[1] < sum(len(r.campaign.tasks) for r in loads if r.ok)  # models shared by versions
    # a valid version's result carries no warnings: the quick load could not put them on their
    # lines (delta is outside the window in every version, a warning the full load locates)
    assert all(r.diagnostics == [] for r in loads if r is not None and r.ok)
    # an invalid version keeps the whole file's diagnostics, located on its lines
    with load_history(path) as history:
        raws = [history.repo.blob(v.blob) for v in history.versions]
    for raw, got in zip(raws, loads):
        if not got.ok:  # the whole file's load, whatever the cache holds
            assert got.diagnostics == load_campaign_bytes(raw, got.file).diagnostics


def _bench_history():
    spec = importlib.util.spec_from_file_location("bench_history", REPO / "benchmarks" / "bench_history.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_history", bench)  # its dataclasses look their module up
    spec.loader.exec_module(sys.modules["bench_history"])
    return sys.modules["bench_history"]


@pytest.mark.parametrize("as_of", [date(2024, 3, 15), date(2024, 7, 1)])
def test_reused_checks_on_a_benchmark_history(tmp_path, monkeypatch, as_of):
    """The benchmark's repository, smaller: 40 tasks, 160 commits over six months."""
    bench = _bench_history()
    commits, _ = bench.build_history(40, 160, tmp_path)
    path = bench.make_repository(tmp_path / "repo", commits)
    points, notes, loads, reused = _read(path, True, as_of, monkeypatch)
    whole_points, whole_notes, whole_loads, _ = _read(path, False, as_of, monkeypatch)
    assert points and points == whole_points
    assert notes == whole_notes
    _same_loads(loads, whole_loads)
    assert reused[0] > 0


def test_policy_defaults_that_clash_with_a_version_make_it_invalid_as_a_full_load_does(make_repo, dump):
    """ptrack.yaml's defaults under the campaign's own policy can put deviation_warn above
    deviation_fail: the full load rejects such a version, and the quick load must not take it."""
    repo = make_repo()
    data = _plan()
    data["policy"].update(deviation_warn=5, deviation_fail=15)  # the file's own default warn is 10
    path = repo.write("campaigns/demo.yaml", data)
    repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    data["policy"].pop("deviation_warn")  # valid alone; ptrack.yaml's default warn now applies
    repo.write("campaigns/demo.yaml", data)
    repo.commit("2024-03-02T10:00:00+08:00", "Ann")
    defaults = {"deviation_warn": 20}  # 20 > the campaign's 15, only with ptrack.yaml
    with load_history(path, policy_defaults=defaults) as history:
        raws = [history.repo.blob(v.blob) for v in history.versions]
        loads = [history.load(v) for v in history.versions]
        points = history.points(date(2024, 3, 5))
        file = history.file
    full = [load_campaign_bytes(raw, file, defaults) for raw in raws]
    assert [r.ok for r in full] == [True, False]
    assert [r.ok for r in loads] == [True, False]
    assert loads[1].diagnostics == full[1].diagnostics
    assert [p.date for p in points] == [date(2024, 3, 1)]  # the clashing version is left out
