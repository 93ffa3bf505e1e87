"""Fixtures for the git-based features: real repositories built in ``tmp_path``.

``make_repo()`` -> ``GitRepo`` (tests/git_support.py): ``write(path, text_or_data)`` then
``commit(when, author)`` with controlled ``GIT_AUTHOR_DATE``/``GIT_COMMITTER_DATE`` and ``-c
user.name/-c user.email``. Global and system git configuration are switched off so that the
machine's settings (a signing key, a default branch name, ``log.showSignature``) cannot change
what the tests see.

``campaign()`` -> a fresh campaign as data (calendar ``none``: every day is a working day, so
the numbers can be worked out by hand); ``dump(data)`` -> its YAML text.
"""

from __future__ import annotations

import pytest

from tests.git_support import GIT_ENV, GitRepo, dump, new_campaign, tasks_of as _tasks_of


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch, tmp_path):
    config = tmp_path / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in GIT_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_repo(tmp_path):
    def make(name: str = "repo") -> GitRepo:
        return GitRepo.init(tmp_path / name)

    return make


@pytest.fixture
def campaign():
    """A fresh copy of the two-task campaign (alpha: 10 days, beta: 20 days, calendar none)."""
    return new_campaign


@pytest.fixture
def tasks_of():
    return _tasks_of


@pytest.fixture(name="dump")
def _dump_fixture():
    """``dump(data)`` -> YAML text of a campaign."""
    return dump
