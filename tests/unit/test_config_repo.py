"""ptrack.yaml's repo_url and forge (core/config.py): the address is checked and normalised, the
forge defaults by host, mistakes name their line and column."""

from __future__ import annotations

import pytest

from ptrack.core.config import default_forge, load_config, normalise_repo_url
from ptrack.errors import UsageError


def _load(tmp_path, text: str):
    """Load ``text`` as tmp_path/ptrack.yaml (messages name it relative to the current folder)."""
    (tmp_path / ".git").mkdir(exist_ok=True)  # the search for ptrack.yaml stops here
    (tmp_path / "ptrack.yaml").write_text(text, encoding="utf-8")
    return load_config(tmp_path)


@pytest.mark.parametrize("given, expected", [
    ("https://github.com/acme/campaigns", "https://github.com/acme/campaigns"),
    ("https://github.com/acme/campaigns/", "https://github.com/acme/campaigns"),
    ("https://github.com/acme/campaigns.git", "https://github.com/acme/campaigns"),
    ("  https://gitlab.com/acme/market/campaigns  ", "https://gitlab.com/acme/market/campaigns"),
    ("http://git.acme.cn:8443/team/plan_2024", "http://git.acme.cn:8443/team/plan_2024"),
])
def test_repo_url_is_normalised(given, expected):
    assert normalise_repo_url(given) == (expected, None)


@pytest.mark.parametrize("given, problem", [
    ("github.com/acme/campaigns", "not-a-url"),
    ("ftp://github.com/acme/campaigns", "not-a-url"),
    ("https://github.com/acme/campaigns?tab=issues", "not-a-url"),
    ("https://github.com/acme/campaigns#readme", "not-a-url"),
    ("https://github.com/acme/my campaigns", "not-a-url"),
    ("https://[bad/acme/x", "not-a-url"),
    ("https://x:99999/a/b", "not-a-url"),
    (42, "not-a-url"),
    ("", "not-a-url"),
    ("https://ghp_secret@github.com/acme/campaigns", "credentials"),
    ("https://user:pw@gitlab.com/acme/campaigns", "credentials"),
    ("https://github.com/acme", "path"),
    ("https://github.com/", "path"),
    ("https://github.com/acme/camp(aigns)", "path"),
    ("https://github.com/acme/%3Cscript%3E", "path"),
    ("https://github.com/acme/..", "path"),
])
def test_repo_url_problems(given, problem):
    assert normalise_repo_url(given) == (None, problem)


def test_forge_defaults_by_host():
    assert default_forge(None) == "github"
    assert default_forge("https://github.com/a/b") == "github"
    assert default_forge("https://gitlab.com/a/b") == "gitlab"
    assert default_forge("https://gitlab.acme.cn/a/b") == "gitlab"
    assert default_forge("https://git.acme.cn/a/b") == "github"  # say forge: gitlab for any other host


def test_config_reads_repo_url_and_forge(tmp_path):
    config = _load(tmp_path, "repo_url: https://git.acme.cn/market/campaigns.git\nforge: gitlab\n")
    assert (config.repo_url, config.forge) == ("https://git.acme.cn/market/campaigns", "gitlab")
    config = _load(tmp_path, "repo_url: https://gitlab.com/acme/c\n")
    assert config.forge == "gitlab"
    config = _load(tmp_path, "title: x\n")
    assert (config.repo_url, config.forge) == (None, "github")
    config = _load(tmp_path, "site_url: https://acme.github.io/c/\n")
    assert config.person_url("wang-xue") == "https://acme.github.io/c/people/wang-xue/"
    assert _load(tmp_path, "title: x\n").person_url("wang-xue") is None


def test_bad_repo_url_names_its_line_and_column_in_the_config_s_language(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as info:
        _load(tmp_path, "locale: en\nrepo_url: https://ghp_abc@github.com/acme/c\n")
    assert str(info.value) == ("ptrack.yaml:2:11: repo_url must not hold a user name, password or token; write "
                               "the repository's plain address, e.g. https://github.com/acme/campaigns")
    assert "ghp_abc" not in str(info.value)
    with pytest.raises(UsageError) as info:
        _load(tmp_path, "repo_url: https://github.com/acme\n")
    # the error is said when printed, in the command's language (ptrack.process.command_locale:
    # --lang, else ptrack.yaml's locale, else ...); str() is the English text
    assert info.value.text("zh-CN") == ("ptrack.yaml:1:11：repo_url “https://github.com/acme”没有指明仓库：主机名后面应是所有者"
                                        "（或群组）和仓库名，只含字母、数字和 _ . ~ -，例如 https://github.com/acme/campaigns")


def test_bad_forge(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as info:
        _load(tmp_path, "locale: en\nforge: gitea\n")
    assert str(info.value) == 'ptrack.yaml:2:8: forge "gitea" is not one of github, gitlab'


# -- intake: how a submitted update form lands -------------------------------------------------

def test_intake_mode(tmp_path):
    assert _load(tmp_path, "title: x\n").intake_mode == "pr"
    assert _load(tmp_path, "intake: {mode: commit}\n").intake_mode == "commit"
    assert _load(tmp_path, "intake:\n  mode: pr\n").intake_mode == "pr"


@pytest.mark.parametrize("text, message", [
    ("locale: en\nintake: commit\n", "ptrack.yaml:2:9: intake must be a mapping, e.g. intake: {mode: pr}"),
    ("locale: en\nintake: {mode: push}\n", 'ptrack.yaml:2:16: intake.mode "push" is not one of pr, commit'),
    ("locale: en\nintake: {mode: pr, branch: x}\n", 'ptrack.yaml:2:20: unknown intake setting "branch"; known: mode'),
    ("intake: {mode: push}\n", "ptrack.yaml:1:16: intake.mode“push”不是 pr, commit 之一"),
])
def test_intake_mistakes_name_their_place(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as info:
        _load(tmp_path, text)
    assert str(info.value) == message


@pytest.mark.parametrize("text", ["", "\n", "# 市场部看板的设置，稍后再填\n"])
def test_an_empty_or_comment_only_ptrack_yaml_is_no_settings(tmp_path, text):
    """A ptrack.yaml just created (empty, or only comments) holds no settings: the defaults, as
    without the file (it said "the file is empty; a campaign file starts with ptrack: 1", exit 2)."""
    config = _load(tmp_path, text)
    assert (config.file, config.campaigns, config.repo_url, config.forge, config.locale) == (
        tmp_path / "ptrack.yaml", ("campaigns/*.yaml",), None, "github", None)
