"""Fixtures for the git-based features: real repositories built in ``tmp_path``.

``make_repo()`` -> ``GitRepo``: ``write(path, text_or_data)`` then ``commit(when, author)``
with controlled ``GIT_AUTHOR_DATE``/``GIT_COMMITTER_DATE`` and ``-c user.name/-c user.email``.
Global and system git configuration are switched off so that the machine's settings (a
signing key, a default branch name, ``log.showSignature``) cannot change what the tests see.

``campaign()`` -> a fresh campaign as data (calendar ``none``: every day is a working day, so
the numbers can be worked out by hand); ``dump(data)`` -> its YAML text.
"""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import pytest
import yaml

_GIT_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
            "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE",
            "GITHUB_BASE_REF", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "PTRACK_AS_OF")


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    config = tmp_path / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in _GIT_ENV:
        monkeypatch.delenv(name, raising=False)


class GitRepo:
    def __init__(self, root: Path):
        self.root = root

    def git(self, *args: str, env: dict | None = None) -> str:
        import os

        proc = subprocess.run(["git", "-C", str(self.root), *args], capture_output=True, text=True,
                              env={**os.environ, **(env or {})})
        if proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout.strip()

    def write(self, rel: str, content) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else dump(content)
        path.write_text(text, encoding="utf-8")
        return path

    def commit(self, when: str, author: str = "Ann", message: str = "update plan", *,
               all_files: bool = True) -> str:
        """Commit everything (``git add -A``) as ``author`` at ``when`` (ISO 8601 with offset)."""
        if all_files:
            self.git("add", "-A")
        env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        self.git("-c", f"user.name={author}", "-c", f"user.email={author.lower()}@example.com",
                 "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.rev()

    def merge(self, branch: str, when: str, author: str = "Hal") -> str:
        env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        self.git("-c", f"user.name={author}", "-c", f"user.email={author.lower()}@example.com",
                 "merge", "-q", "--no-ff", "--no-edit", branch, "-m", f"Merge {branch}", env=env)
        return self.rev()

    def rev(self, rev: str = "HEAD") -> str:
        return self.git("rev-parse", rev)


@pytest.fixture
def make_repo(tmp_path):
    def make(name: str = "repo") -> GitRepo:
        root = tmp_path / name
        root.mkdir(parents=True)
        repo = GitRepo(root)
        repo.git("init", "-q")
        repo.git("symbolic-ref", "HEAD", "refs/heads/main")
        return repo

    return make


def task(tid: str, name: str, start: str, end: str, **extra) -> dict:
    return {"id": tid, "name": name, "owner": extra.pop("owner", "ann"),
            "planned": {"start": start, "end": end}, **extra}


CAMPAIGN = {
    "ptrack": 1,
    "campaign": {"id": "demo", "name": "Demo launch", "start": "2024-03-01", "end": "2024-03-31",
                 "calendar": "none", "locale": "en"},
    "policy": {"stale_after_days": 3},
    "tasks": [task("alpha", "Alpha", "2024-03-01", "2024-03-10", progress=0),
              task("beta", "Beta", "2024-03-01", "2024-03-20", owner="bob", progress=0)],
}


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def campaign():
    """A fresh copy of the two-task campaign (alpha: 10 days, beta: 20 days, calendar none)."""
    return lambda: copy.deepcopy(CAMPAIGN)


@pytest.fixture
def tasks_of():
    return lambda data: {t["id"]: t for t in data["tasks"]}


@pytest.fixture(name="dump")
def _dump_fixture():
    """``dump(data)`` -> YAML text of a campaign."""
    return dump
