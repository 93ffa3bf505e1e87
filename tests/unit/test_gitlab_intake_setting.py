"""GitLab's intake, the pieces without a server: where it works (GitLab CI's variables), how git
gets the token (an HTTP header through git's environment), and a GitLab issue as a
``Submission`` (its editor from GitLab's system notes)."""

from __future__ import annotations

import base64

import pytest

from ptrack.errors import UsageError
from ptrack.forge.gitlab import intake_setting, payload_issue, submission_from_issue
from ptrack.forge.workspace import Remote, token_remote

TOKEN = "glpat-unit-0123456789abcdef"
CI = {"CI_API_V4_URL": "https://gitlab.example.cn/api/v4", "CI_PROJECT_ID": "1217", "PTRACK_INTAKE_TOKEN": TOKEN,
      "CI_REPOSITORY_URL": "https://gitlab-ci-token:glcbt-64_jobtoken@gitlab.example.cn:8443/acme/campaigns.git",
      "CI_DEFAULT_BRANCH": "trunk", "CI_SERVER_TLS_CA_FILE": "/builds/acme.tmp/CI_SERVER_TLS_CA_FILE"}


def test_the_setting_comes_from_gitlab_cis_variables():
    setting = intake_setting(CI)
    assert (setting.api_url, setting.project, setting.token, setting.default_branch, setting.ca_file) == (
        "https://gitlab.example.cn/api/v4", "1217", TOKEN, "trunk", "/builds/acme.tmp/CI_SERVER_TLS_CA_FILE")
    # the clone's address without the job's token in it
    assert setting.git_url == "https://gitlab.example.cn:8443/acme/campaigns.git"
    assert TOKEN not in repr(setting)
    # CI_SERVER_URL and CI_PROJECT_PATH will do; the rest comes from the API then
    other = intake_setting({"CI_SERVER_URL": "https://git.acme.cn/", "CI_PROJECT_PATH": "mkt/campaigns",
                            "PTRACK_INTAKE_TOKEN": f" {TOKEN}\n"})
    assert (other.api_url, other.project, other.token, other.git_url, other.default_branch) == (
        "https://git.acme.cn/api/v4", "mkt/campaigns", TOKEN, None, None)


@pytest.mark.parametrize("missing, message", [
    ("PTRACK_INTAKE_TOKEN", "no GitLab token for intake: add the CI/CD variable PTRACK_INTAKE_TOKEN"),
    ("CI_PROJECT_ID", "cannot tell which GitLab project"),
    ("CI_API_V4_URL", "cannot tell which GitLab project"),
])
def test_what_is_missing_is_named(missing, message):
    with pytest.raises(UsageError, match=message):
        intake_setting({k: v for k, v in CI.items() if k != missing}, locale="en")
    with pytest.raises(UsageError, match='CI_API_V4_URL: "ftp://x" is not an http'):
        intake_setting({**CI, "CI_API_V4_URL": "ftp://x"}, locale="en")


def test_git_gets_the_token_as_a_header_for_that_address_only():
    remote = token_remote("https://gitlab.example.cn/acme/campaigns.git", TOKEN, environ={})
    env = dict(remote.env)
    # "oauth2:<token>" in base64: HTTP Basic, as GitLab takes an access token over HTTPS
    assert env == {"GIT_CONFIG_COUNT": "1",
                   "GIT_CONFIG_KEY_0": "http.https://gitlab.example.cn/acme/campaigns.git.extraHeader",
                   "GIT_CONFIG_VALUE_0": "Authorization: Basic "
                                         + base64.b64encode(f"oauth2:{TOKEN}".encode()).decode()}
    assert remote.target == "https://gitlab.example.cn/acme/campaigns.git" and remote.name == "ptrack-intake"
    assert TOKEN not in repr(remote) and "Basic" not in repr(remote)
    # settings the environment already passes to git keep their places
    later = dict(token_remote("https://x/y.git", TOKEN, environ={"GIT_CONFIG_COUNT": "2"}).env)
    assert later["GIT_CONFIG_COUNT"] == "3" and "GIT_CONFIG_KEY_2" in later and "GIT_CONFIG_KEY_0" not in later
    assert Remote("origin").target == "origin" and Remote("origin").env == ()


def test_git_refusing_the_token_is_explained():
    remote = token_remote("https://x/y.git", TOKEN, auth_hint="the token needs write_repository", environ={})
    said = "fatal: could not read Username for 'https://x': terminal prompts disabled"
    assert remote.explain(said) == f"{said} (the token needs write_repository)"
    forbidden = "remote: You are not allowed to push code to this project. fatal: unable to access " \
                "'https://x/y.git/': The requested URL returned error: 403"
    assert remote.explain(forbidden).endswith("(the token needs write_repository)")
    assert remote.explain("! [rejected] HEAD -> main (fetch first)") == "! [rejected] HEAD -> main (fetch first)"
    assert Remote("origin").explain(said) == said  # the clone's own credentials: nothing to add


ISSUE = {"iid": 12, "title": "进度更新：海报", "description": "### 任务编号 / Task ID\n\nposter", "state": "opened",
         "web_url": "https://gitlab.example.cn/acme/campaigns/-/issues/12",
         "author": {"id": 4242, "username": "wang.xue", "name": "王雪"}}


def _note(username: str, body: str, system: bool = True) -> dict:
    return {"body": body, "system": system, "author": {"username": username}}


def test_a_gitlab_issue_as_a_submission():
    sub = submission_from_issue(ISSUE, [], default_branch="main")
    assert (sub.forge, sub.number, sub.url, sub.title, sub.author, sub.author_id, sub.editor, sub.state) == (
        "gitlab", 12, ISSUE["web_url"], "进度更新：海报", "wang.xue", 4242, None, "open")
    assert submission_from_issue({**ISSUE, "state": "closed", "description": None}, [],
                                 default_branch="main").state == "closed"


def test_the_editor_is_whoever_changed_the_description_last():
    notes = [_note("qian.jin", "changed the description"), _note("boss-li", "changed title from **a** to **b**"),
             _note("zhao.min", "changed the description", system=False),  # a comment quoting it: no edit
             _note("boss-li", "changed the description"), _note("ptrack", "closed")]
    assert submission_from_issue(ISSUE, notes, default_branch="main").editor == "boss-li"
    # the author's own edit: no one else to authorise (usernames compare without case)
    assert submission_from_issue(ISSUE, [_note("Wang.Xue", "changed the description")],
                                 default_branch="main").editor is None


def test_a_webhook_payload_gives_the_issue_number_only():
    assert payload_issue({"object_kind": "issue", "object_attributes": {"iid": 3, "description": "x"}}) == 3
    for bad in ({"object_kind": "note", "object_attributes": {"iid": 3}}, {"object_attributes": {"iid": "3"}},
                {"object_kind": "issue", "object_attributes": {"iid": True}}, {"object_kind": "issue"}):
        with pytest.raises(UsageError, match="no issue"):
            payload_issue(bad, locale="en")
