"""Stale tasks and health changes from a real git repository in a temp folder.

Calendar ``none`` (every day a working day): for D = 3/6 the previous working day P is 3/5.

- 3/1 (Ann): alpha 3/1..3/10 at 10%, beta 3/1..3/20 at 60%, both started 3/1.
- 3/4 (Bob): beta 60 -> 62.
- 3/6 (Bob): beta 62 -> 5.

As of 3/6, stale_after_days 3: alpha's entry last changed 3/1, 5 days ago (> 3): stale, to its
owner ann. beta changed 3/6: not stale.
Health of beta: the version committed by the end of 3/5 (62%) as of 3/5 -> planned 5/20 = 25%,
ahead: green. Now: 6/20 = 30% planned, 5% done, 25 behind (> 20): red. So "green -> red".
Outside git the previous day is the same file as of 3/5: 25% planned, 5% done, 20 behind (not
past 20, past 10): amber, so "amber -> red" -- the test tells the two apart.
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from ptrack.core.config import Config
from ptrack.notify.digest import collect_digests
from tests.git_support import GitRepo, isolated_git_env

CAMPAIGN = """\
ptrack: 1
campaign: {{id: demo, name: Demo, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: en, lead: lee}}
policy: {{stale_after_days: 3}}
people:
  lee: {{name: Lee}}
  ann: {{name: Ann}}
  bob: {{name: Bob}}
tasks:
  - id: alpha
    name: Alpha
    owner: ann
    planned: {{start: 2024-03-01, end: 2024-03-10}}
    actual: {{start: 2024-03-01}}
    progress: 10
  - id: beta
    name: Beta
    owner: bob
    planned: {{start: 2024-03-01, end: 2024-03-20}}
    actual: {{start: 2024-03-01}}
    progress: {beta}
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def repo(tmp_path):
    r = GitRepo.init(tmp_path / "repo", env=isolated_git_env(tmp_path / "gitconfig"))
    r.write("campaigns/demo.yaml", CAMPAIGN.format(beta=60))
    r.commit("2024-03-01T10:00:00+08:00", "Ann")
    r.write("campaigns/demo.yaml", CAMPAIGN.format(beta=62))
    r.commit("2024-03-04T10:00:00+08:00", "Bob")
    r.write("campaigns/demo.yaml", CAMPAIGN.format(beta=5))
    r.commit("2024-03-06T10:00:00+08:00", "Bob")
    return r


def _lines(run):
    return {d.recipient.person_id or "@team": [f"[{s.key}] {i.text}" for s in d.sections for i in s.items]
            for d in run.digests}


def test_stale_tasks_and_health_changes_from_git(repo, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", repo.env["GIT_CONFIG_GLOBAL"])
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    run = collect_digests([repo.root / "campaigns" / "demo.yaml"], Config(root=repo.root), date(2024, 3, 6))
    got = _lines(run)
    assert got["ann"] == ["[stale] Alpha: in progress, not updated for 5 days (last change 2024-03-01 by Ann)"]
    assert "[health] Beta (Bob): green → red" in got["@team"]
    assert "bob" not in got  # beta changed today; nothing due within 3/7..3/9


def test_outside_git_the_file_itself_as_of_the_previous_day(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(CAMPAIGN.format(beta=5), encoding="utf-8")
    run = collect_digests([path], Config(root=tmp_path), date(2024, 3, 6))
    got = _lines(run)
    assert "[health] Beta (Bob): amber → red" in got["@team"]
    assert "ann" not in got  # no history: nothing is known to be stale


def test_a_version_after_the_previous_day_is_not_used(repo, monkeypatch):
    # As of 3/4 (P = 3/3) the version of 3/1 is the previous one (the 3/4 commit is after P): beta
    # 60% as of 3/3 (15% planned) is green, and green now (62% vs 20%). alpha (10% done): 3/3 ->
    # 30% planned, 20 behind (amber); 3/4 -> 40%, 30 behind (red). alpha's entry last changed 3/1,
    # 3 days before 3/4, not more than 3: not stale yet.
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", repo.env["GIT_CONFIG_GLOBAL"])
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    repo.git("checkout", "-q", "HEAD~1")
    run = collect_digests([repo.root / "campaigns" / "demo.yaml"], Config(root=repo.root), date(2024, 3, 4))
    got = _lines(run)
    assert "ann" not in got
    # the campaign turns amber with a red task; urgent (red) lines come first in a section
    assert [line for line in got["@team"] if line.startswith("[health]")] == [
        "[health] Alpha (Ann): amber → red", "[health] Campaign: green → amber"]
