"""``ptrack.forge.github.GitHubClient`` against the fake GitHub REST API on 127.0.0.1: pages
followed by their ``Link`` header (on the API's own address only), retries where a retry is
safe, GitHub's refusals as messages without the token, and the event → submission adapter."""

from __future__ import annotations

import pytest

from github_support import BOT, FakeGitHub
from ptrack.errors import UsageError
from ptrack.forge.github import GitHubClient, GitHubError, GitHubForge, submission_from_event
from ptrack.forge.intake import ChangeRequest

TOKEN = "github_pat_11ABCDEFG0123456789_secret"


@pytest.fixture
def github():
    with FakeGitHub(TOKEN) as fake:
        yield fake


def client(github, sleeps=None) -> GitHubClient:
    return GitHubClient(github.api_url, TOKEN, sleep=(sleeps.append if sleeps is not None else lambda s: None))


def test_comments_are_read_page_by_page(github):
    issue = github.open_issue("x", login="a")
    for i in range(230):
        github.add_comment(issue["number"], f"c{i}", BOT)
    comments = client(github).issue_comments(github.repo, issue["number"])
    assert [c["body"] for c in comments] == [f"c{i}" for i in range(230)]
    pages = [c.query.get("page", "1") for c in github.calls]
    assert pages == ["1", "2", "3"] and {c.query["per_page"] for c in github.calls} == {"100"}


def test_a_next_page_elsewhere_is_not_followed(github):
    issue = github.open_issue("x", login="a")
    github.faults = [(200, [{"body": "one"}], {"Link": '<https://evil.example/repos/acme/campaigns/issues/1/'
                                                       'comments?page=2>; rel="next"'})]
    assert client(github).issue_comments(github.repo, issue["number"]) == [{"body": "one"}]
    assert len(github.calls) == 1  # the token went nowhere else


def test_a_post_is_never_repeated_but_a_patch_and_a_get_are(github):
    sleeps: list[float] = []
    issue = github.open_issue("x", login="a")
    github.faults = [(500, {"message": "Server Error"}, {})]
    with pytest.raises(GitHubError) as caught:
        client(github, sleeps).create_issue_comment(github.repo, issue["number"], "hello")
    assert caught.value.status == 500 and github.comments == {} and sleeps == []
    github.faults = [(502, {"message": "Bad gateway"}, {})]
    assert client(github, sleeps).close_issue(github.repo, issue["number"])["state"] == "closed"
    assert sleeps == [1.0]
    # GitHub's secondary rate limit: 403 with Retry-After, waited for
    github.faults = [(403, {"message": "You have exceeded a secondary rate limit."}, {"Retry-After": "2"})]
    assert client(github, sleeps).issue_comments(github.repo, issue["number"]) == []
    assert sleeps == [1.0, 2.0]


def test_refusals_say_what_github_said_and_never_the_token(github):
    bad = GitHubClient(github.api_url, "wrong-" + TOKEN, sleep=lambda s: None)
    with pytest.raises(GitHubError) as caught:
        bad.issue_comments(github.repo, 1)
    assert str(caught.value) == "GitHub answered 401 to GET /repos/acme/campaigns/issues/1/comments: Bad credentials"
    github.faults = [(422, {"message": f"token {TOKEN} is odd", "errors": []}, {})]
    with pytest.raises(GitHubError) as caught:
        client(github).create_pull(github.repo, title="t", head="h", base="main", body="b")
    assert TOKEN not in str(caught.value) and "token *** is odd" in str(caught.value)


def test_a_pull_request_is_opened_then_updated(github):
    forge = GitHubForge(client(github), github.repo)
    first = forge.change_request(branch="ptrack/issue-1", base="main", title="t1", body="b1")
    assert first == ChangeRequest(1, "https://github.com/acme/campaigns/pull/1", created=True)
    again = forge.change_request(branch="ptrack/issue-1", base="main", title="t2", body="b2")
    assert again == ChangeRequest(1, "https://github.com/acme/campaigns/pull/1", created=False)
    assert [(p["title"], p["body"], p.get("updated")) for p in github.pulls] == [("t2", "b2", 1)]
    assert forge.change_label(first, "zh-CN") == "拉取请求 #1" and forge.change_label(first, "en") == "pull request #1"
    assert forge.commit_url("abc") == "https://github.com/acme/campaigns/commit/abc"


def test_submission_from_an_issues_event(github):
    issue = github.open_issue("### Task ID\n\na", login="Wang-Xue", user_id=77)
    sub = submission_from_event(github.event(issue, action="edited", sender="wang-xue", default_branch="trunk"))
    assert (sub.number, sub.author, sub.author_id, sub.editor, sub.state, sub.default_branch) == (
        1, "Wang-Xue", 77, None, "open", "trunk")  # the author editing their own form is no other editor
    sub = submission_from_event(github.event(issue, action="edited", sender="boss-li"))
    assert sub.editor == "boss-li"
    assert submission_from_event({**github.event(issue), "issue": {**issue, "pull_request": {"url": "x"}}}).state \
        == "pull request"
    assert submission_from_event({**github.event(issue), "issue": {**issue, "body": None}}).body == ""
    with pytest.raises(UsageError, match="the event holds no issue"):
        submission_from_event({"action": "push"}, locale="en")
    # the digest names the body, whatever its line breaks
    assert submission_from_event(github.event({**issue, "body": "a\r\nb"})).digest == \
        submission_from_event(github.event({**issue, "body": "a\nb\n"})).digest
