"""Real git repositories for the tests, with controlled commit dates and authors.

Shared by ``tests/git`` (its ``make_repo`` fixture, tests/git/conftest.py) and ``tests/browser``
(a site built from a repository with history). ``GitRepo.write(path, text_or_data)`` then
``commit(when, author)`` with ``GIT_AUTHOR_DATE``/``GIT_COMMITTER_DATE`` and ``-c
user.name/-c user.email``. ``isolated_git_env(config)`` switches global and system git
configuration off, so that the machine's settings (a signing key, a default branch name,
``log.showSignature``) cannot change what the tests see.
"""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path

import yaml

# Variables that would change what git or ptrack does in a test.
GIT_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
           "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE",
           "GITHUB_BASE_REF", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "PTRACK_AS_OF")


def isolated_git_env(config: Path, base: dict | None = None) -> dict[str, str]:
    """``base`` (default: os.environ) without ``GIT_ENV``, with an empty global git config at
    ``config`` and no system config."""
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("")
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in GIT_ENV}
    env.update({"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"})
    return env


class GitRepo:
    """A work tree at ``root``. ``env``: the environment of its git commands (default: the
    current os.environ, e.g. as the isolating fixture of tests/git set it)."""

    def __init__(self, root: Path, env: dict | None = None):
        self.root = root
        self.env = env

    @classmethod
    def init(cls, root: Path, env: dict | None = None) -> "GitRepo":
        root.mkdir(parents=True, exist_ok=True)
        repo = cls(root, env)
        repo.git("init", "-q")
        repo.git("symbolic-ref", "HEAD", "refs/heads/main")
        return repo

    def git(self, *args: str, env: dict | None = None) -> str:
        base = os.environ if self.env is None else self.env
        proc = subprocess.run(["git", "-C", str(self.root), *args], capture_output=True, text=True,
                              env={**base, **(env or {})})
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


def new_campaign() -> dict:
    """A fresh copy of the two-task campaign (alpha: 10 days, beta: 20 days, calendar none)."""
    return copy.deepcopy(CAMPAIGN)


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def tasks_of(data: dict) -> dict[str, dict]:
    return {t["id"]: t for t in data["tasks"]}


# A month of work in three commit days (UTC+8), for the build:
#   03-01 Ann    the plan (alpha ends 03-10)
#   03-03 Carol  alpha 20%, its planned end moved to 03-12 (+2 working days, calendar none)
#   03-03 Bob    beta 5% (same day, later: the day's point is this version)
#   03-05 Dave   alpha 50%
BUILD_HISTORY = (
    ("2024-03-03T10:00:00+08:00", "Carol", {"alpha": {"progress": 20, "end": "2024-03-12"}}),
    ("2024-03-03T16:00:00+08:00", "Bob", {"beta": {"progress": 5}}),
    ("2024-03-05T11:00:00+08:00", "Dave", {"alpha": {"progress": 50}}),
)


def commit_build_history(repo: GitRepo, rel: str = "campaigns/demo.yaml") -> Path:
    """Commit ``BUILD_HISTORY`` of the two-task campaign into ``repo``; returns the file."""
    data = new_campaign()
    path = repo.write(rel, data)
    repo.commit("2024-03-01T09:00:00+08:00", "Ann", "plan")
    for when, who, edits in BUILD_HISTORY:
        for tid, edit in edits.items():
            entry = tasks_of(data)[tid]
            if "progress" in edit:
                entry["progress"] = edit["progress"]
            if "end" in edit:
                entry["planned"]["end"] = edit["end"]
        repo.write(rel, data)
        repo.commit(when, who)
    return path
