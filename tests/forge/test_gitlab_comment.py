"""`ptrack comment` and ptrack.forge.gitlab against a fake GitLab REST API on 127.0.0.1
(tests/gitlab_support.py): the merge request's comment is created, then updated in place (found
by its hidden marker among the comments of the token's user), left alone when unchanged; no
token or no merge request: nothing is sent and a line says why; GitLab's refusals are explained;
the token never appears in any output."""

from __future__ import annotations

import pytest

from gitlab_support import BOT, HUMAN, FakeGitLab
from ptrack.forge.gitlab import (NOTE_LIMIT, GitLabClient, GitLabError, MergeRequest, comment_body, marker,
                                 upsert_merge_request_comment)

TOKEN = "glpat-Xy7-secret-token-0123456789"
DIFF_1 = "## Plan changes\n\n- poster: planned end 2024-03-10 → 2024-03-12 (+2 working days)\n"
DIFF_2 = "## Plan changes\n\n- poster: progress 50% → 70%\n"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ptrack.yaml: messages in the default language unless --lang


@pytest.fixture
def gitlab():
    with FakeGitLab(TOKEN) as fake:
        yield fake


@pytest.fixture
def mr_env(gitlab, monkeypatch):
    """The variables of a GitLab merge-request pipeline, pointing at the fake."""
    monkeypatch.setenv("CI_API_V4_URL", gitlab.api_url)
    monkeypatch.setenv("CI_PROJECT_ID", gitlab.project)
    monkeypatch.setenv("CI_MERGE_REQUEST_IID", str(gitlab.iid))
    monkeypatch.setenv("PTRACK_GITLAB_TOKEN", TOKEN)
    return gitlab


def _comment(run_cli, write, text, *args):
    write("plan-diff.md", text)
    code, out, err = run_cli("comment", "plan-diff.md", "--lang", "en", *args)
    assert TOKEN not in out + err
    return code, out, err


def test_created_then_updated_in_place_then_unchanged(run_cli, write, mr_env):
    gitlab = mr_env
    gitlab.add(HUMAN, "LGTM, but see " + marker("plan-diff"))  # someone quoting the marker: not ours
    gitlab.add(BOT, "added 1 commit " + marker("plan-diff"), system=True)  # a system note: never ours
    code, out, _ = _comment(run_cli, write, DIFF_1)
    assert code == 0
    [note] = gitlab.ours()
    assert len(gitlab.notes) == 3
    assert out == f"ptrack: posted the plan changes as a comment on merge request !7 (note {note['id']}).\n"
    assert note["body"] == "<!-- ptrack:plan-diff -->\n" + DIFF_1
    # a new push: the same comment is edited, no second one
    code, out, _ = _comment(run_cli, write, DIFF_2)
    assert code == 0 and out == f"ptrack: updated its comment on merge request !7 (note {note['id']}).\n"
    assert gitlab.ours() == [note] and note["body"] == "<!-- ptrack:plan-diff -->\n" + DIFF_2 and note["updated"] == 1
    assert gitlab.notes[0]["body"] == "LGTM, but see <!-- ptrack:plan-diff -->"  # untouched
    # the same text again: nothing is written
    puts = [c for c in gitlab.calls if c.method in ("POST", "PUT")]
    code, out, _ = _comment(run_cli, write, DIFF_2)
    assert code == 0 and out == f"ptrack: its comment on merge request !7 is up to date (note {note['id']}).\n"
    assert [c for c in gitlab.calls if c.method in ("POST", "PUT")] == puts
    # what went over the wire: the token in its header only, JSON bodies, the project's notes
    assert all(c.headers["private-token"] == TOKEN for c in gitlab.calls)
    assert all(TOKEN not in c.path for c in gitlab.calls)
    assert [(c.method, c.path.split("?")[0]) for c in puts] == [
        ("POST", "/api/v4/projects/1217/merge_requests/7/notes"),
        ("PUT", f"/api/v4/projects/1217/merge_requests/7/notes/{note['id']}")]


def test_another_key_is_another_comment(run_cli, write, mr_env):
    assert _comment(run_cli, write, DIFF_1)[0] == 0
    assert _comment(run_cli, write, "## Check\n", "--key", "check-summary")[0] == 0
    assert [n["body"].splitlines()[0] for n in mr_env.ours()] == ["<!-- ptrack:plan-diff -->",
                                                                 "<!-- ptrack:check-summary -->"]


def test_found_on_a_later_page(run_cli, write, mr_env):
    gitlab = mr_env
    for n in range(130):
        gitlab.add(HUMAN, f"comment {n}")
    ours = gitlab.add(BOT, "<!-- ptrack:plan-diff -->\nold")
    code, out, _ = _comment(run_cli, write, DIFF_1)
    assert code == 0 and "updated" in out and len(gitlab.ours()) == 1 and ours["body"].endswith(DIFF_1)
    pages = [(c.query["per_page"], c.query["page"]) for c in gitlab.calls if c.method == "GET" and "/notes" in c.path]
    assert pages == [("100", "1"), ("100", "2")]  # 131 comments: the second page has ptrack's


def test_stdin(run_cli, mr_env, monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(DIFF_1))
    code, out, _ = run_cli("comment", "--lang", "zh-CN")
    assert code == 0 and out.startswith("ptrack：已在合并请求 !7 上发表计划变更评论")
    assert mr_env.ours()[0]["body"].endswith(DIFF_1)


def test_no_token_skips_with_a_line(run_cli, write, mr_env, monkeypatch):
    monkeypatch.delenv("PTRACK_GITLAB_TOKEN")
    code, out, err = _comment(run_cli, write, DIFF_1)
    assert (code, err) == (0, "")
    assert out.startswith("ptrack: no comment posted: PTRACK_GITLAB_TOKEN is not set. CI_JOB_TOKEN cannot post comments;")
    assert mr_env.calls == []
    # --token-env names another variable
    monkeypatch.setenv("MY_TOKEN", TOKEN)
    code, out, _ = _comment(run_cli, write, DIFF_1, "--token-env", "MY_TOKEN")
    assert code == 0 and "posted" in out and len(mr_env.ours()) == 1


def test_outside_a_merge_request_skips_with_a_line(run_cli, write, mr_env, monkeypatch):
    monkeypatch.delenv("CI_MERGE_REQUEST_IID")
    code, out, _ = _comment(run_cli, write, DIFF_1)
    assert (code, out) == (0, "ptrack: no comment posted: this is not a merge-request pipeline "
                              "(CI_MERGE_REQUEST_IID is not set).\n")
    assert mr_env.calls == []


@pytest.mark.parametrize("token, project, iid, hint", [
    ("glpat-wrong-token-000000", "1217", "7", "The token in PTRACK_GITLAB_TOKEN is not valid (expired or revoked?)."),
    (TOKEN, "1217", "8", "GitLab does not show this project or merge request to the token in PTRACK_GITLAB_TOKEN"),
])
def test_refusals_are_explained(run_cli, write, mr_env, monkeypatch, token, project, iid, hint):
    monkeypatch.setenv("PTRACK_GITLAB_TOKEN", token)
    monkeypatch.setenv("CI_MERGE_REQUEST_IID", iid)
    code, out, err = _comment(run_cli, write, DIFF_1)
    assert code == 1 and token not in out + err
    assert out.startswith(f"ptrack: error: the comment on merge request !{iid} was not posted: GitLab answered ")
    assert hint in out
    assert mr_env.ours() == []


def test_forbidden_and_a_token_echoed_by_the_server_is_scrubbed(run_cli, write, mr_env):
    mr_env.faults = [(200, BOT, {}), (200, [], {}), (403, {"message": f"403 Forbidden (token {TOKEN})"}, {})]
    code, out, err = _comment(run_cli, write, DIFF_1)
    assert code == 1
    assert ("GitLab answered 403 to POST /projects/1217/merge_requests/7/notes: 403 Forbidden (token ***)." in out)
    assert "give it the api scope and at least the Reporter role" in out


@pytest.mark.parametrize("args, text, message", [
    (("--key", "a b"), DIFF_1, '--key: "a b" is not a name'),
    (("--token-env", "1X"), DIFF_1, '--token-env: "1X" is not an environment variable name'),
    ((), " \n", "plan-diff.md is empty: nothing to post"),
])
def test_usage_errors(run_cli, write, mr_env, args, text, message):
    code, out, err = _comment(run_cli, write, text, *args)
    assert code == 2 and message in err and mr_env.calls == []


def test_missing_file_and_incomplete_pipeline_variables(run_cli, write, mr_env, monkeypatch):
    code, _, err = run_cli("comment", "nope.md")
    assert code == 2 and "nope.md：文件不存在" in err  # no campaign, no ptrack.yaml: zh-CN
    monkeypatch.delenv("CI_API_V4_URL")
    monkeypatch.delenv("CI_SERVER_URL", raising=False)
    code, _, err = _comment(run_cli, write, DIFF_1)
    assert code == 2 and "without CI_API_V4_URL or CI_PROJECT_ID" in err


def test_self_managed_gitlab_with_its_own_certificate_authority(run_cli, write, monkeypatch, tmp_path):
    """A self-managed GitLab on HTTPS with a company CA: the runner's CI_SERVER_TLS_CA_FILE is
    trusted; without it the certificate is refused, and said so (no retry: it would not pass)."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    with FakeGitLab(TOKEN, tls=ca.issue_cert("127.0.0.1")) as gitlab:
        for name, value in (("CI_API_V4_URL", gitlab.api_url), ("CI_PROJECT_ID", gitlab.project),
                            ("CI_MERGE_REQUEST_IID", str(gitlab.iid)), ("PTRACK_GITLAB_TOKEN", TOKEN)):
            monkeypatch.setenv(name, value)
        code, out, _ = _comment(run_cli, write, DIFF_1)
        assert code == 1 and "GitLab could not be reached (GET /user): TLS error: CERTIFICATE_VERIFY_FAILED" in out
        assert gitlab.calls == []  # the handshake failed: no request
        ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
        monkeypatch.setenv("CI_SERVER_TLS_CA_FILE", str(tmp_path / "ca.pem"))
        code, out, _ = _comment(run_cli, write, DIFF_1)
        assert code == 0 and "posted" in out and len(gitlab.ours()) == 1


# -- the client ------------------------------------------------------------------------------------

def _mr(gitlab: FakeGitLab) -> MergeRequest:
    return MergeRequest(gitlab.api_url, gitlab.project, gitlab.iid)


def test_retries_a_get_but_never_repeats_a_post(gitlab):
    sleeps: list[float] = []
    client = GitLabClient(gitlab.api_url, TOKEN, sleep=sleeps.append)
    gitlab.faults = [(503, {"message": "502 Bad Gateway"}, {}), (429, {"message": "Retry later"}, {"Retry-After": "3"})]
    assert client.current_user()["id"] == BOT["id"]
    assert sleeps == [1.0, 3.0]  # back-off after the 503, Retry-After after the 429
    gitlab.faults = [(500, {"message": "500 Internal Server Error"}, {})]
    with pytest.raises(GitLabError) as caught:
        client.create_merge_request_note(gitlab.project, gitlab.iid, "x")
    assert caught.value.status == 500 and gitlab.notes == []  # a POST may have been applied: not sent again
    assert [c.method for c in gitlab.calls].count("POST") == 1


def test_a_long_retry_after_is_not_waited_for(gitlab):
    sleeps: list[float] = []
    client = GitLabClient(gitlab.api_url, TOKEN, sleep=sleeps.append)
    gitlab.faults = [(429, {"message": "Retry later"}, {"Retry-After": "3600"})]
    with pytest.raises(GitLabError, match="429"):
        client.current_user()
    assert sleeps == []


def test_unreachable_gitlab(gitlab):
    from notify_support import refused_port

    sleeps: list[float] = []
    client = GitLabClient(f"http://127.0.0.1:{refused_port()}/api/v4", TOKEN, sleep=sleeps.append)
    with pytest.raises(GitLabError) as caught:
        client.current_user()
    assert caught.value.status is None and "connection refused" in str(caught.value)
    assert sleeps == [1.0, 2.0]  # two retries


def test_a_token_that_may_not_say_who_it_is_still_finds_the_comment(gitlab):
    gitlab.user_status = 403
    ours = gitlab.add(BOT, "<!-- ptrack:plan-diff -->\nold")
    client = GitLabClient(gitlab.api_url, TOKEN, sleep=lambda s: None)
    outcome = upsert_merge_request_comment(client, _mr(gitlab), comment_body(DIFF_1, "plan-diff"), "plan-diff")
    assert (outcome.action, outcome.note_id) == ("updated", ours["id"])


def test_comment_body_is_cut_to_gitlabs_limit():
    body = comment_body("x" * (NOTE_LIMIT + 10), "plan-diff", "en")
    assert len(body) <= NOTE_LIMIT
    assert body.startswith("<!-- ptrack:plan-diff -->\nxxx")
    assert body.endswith("… (cut here: a GitLab comment holds at most 1,000,000 characters; the job log has it all)\n")
    assert comment_body("short\n\n", "k") == "<!-- ptrack:k -->\nshort\n"
