"""GitLab's intake: ``ptrack update --from-open-issues`` (the ``intake`` job of .gitlab-ci.yml)
and ``--from-issue PAYLOAD.json`` applied for real. A fake GitLab on 127.0.0.1
(tests/gitlab_support.py) plays the REST API (the project, its issues and their notes, merge
requests) and serves a real bare git repository over smart HTTP, checking the intake token on
every fetch and push; a clone of it is the job's checkout. Every test drives the real command
(in process) with GitLab CI's variables.

The campaign is test_intake.py's (the GitHub intake), with GitLab usernames. As of 2024-03-06:
- poster, planned 03-01..03-10 (10 days, calendar none), 6 days elapsed: planned 6/10 = 60%;
  progress 20, so deviation 20 - 60 = -40 (red: more than 20 points behind);
- video, planned 03-05..03-14, 2 days elapsed: planned 2/10 = 20%; quantity 2 of 10 = 20%.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecosystem_support import git
from gitlab_support import FakeGitLab
from test_intake import CAMPAIGN as GITHUB_CAMPAIGN
from test_intake import FILE, Origin, update_body

TOKEN = "glpat-intake-Zq9-never-shown-0123456789"
AS_OF = "2024-03-06"
CAMPAIGN = (GITHUB_CAMPAIGN.replace("github: Boss-Li", "gitlab: Boss-Li").replace("github: wang-xue", "gitlab: wang.xue")
            .replace("github: zhao-min", "gitlab: zhao.min").replace("github: qian-jin", "gitlab: qian.jin")
            .replace("# no GitHub login", "# no GitLab username"))

WANG = {"id": 4242, "username": "wang.xue", "name": "王雪"}
ZHAO = {"id": 4243, "username": "zhao.min", "name": "赵敏"}
QIAN = {"id": 4244, "username": "qian.jin", "name": "钱进"}
LEAD = {"id": 4245, "username": "boss-li", "name": "李总"}  # people.lead.gitlab is Boss-Li: case ignored
STRANGER = {"id": 9999, "username": "stranger", "name": "Stranger"}
MR1 = "https://gitlab.example.cn/acme/campaigns/-/merge_requests/1"


class Project(Origin):
    """The fake GitLab with its repository (a bare ``origin`` it serves), the job's checkout (a
    clone), and how to run the command there."""

    def __init__(self, tmp_path: Path, gitlab: FakeGitLab, run_cli, monkeypatch, mode: str | None = None):
        settings = "campaigns: campaigns/*.yaml\nforge: gitlab\n" + (f"intake: {{mode: {mode}}}\n" if mode else "")
        super().__init__(tmp_path, gitlab.origin, CAMPAIGN, settings)
        self.gitlab, self.run_cli, self.monkeypatch = gitlab, run_cli, monkeypatch

    def submit(self, description: str, user: dict) -> dict:
        return self.gitlab.open_issue(description, user=user)

    def env(self, **extra: str | None) -> None:
        self.monkeypatch.chdir(self.checkout)
        values = {"CI_API_V4_URL": self.gitlab.api_url, "CI_PROJECT_ID": self.gitlab.project,
                  "PTRACK_INTAKE_TOKEN": TOKEN, "CI_SERVER_URL": None, "CI_PROJECT_PATH": None,
                  "CI_REPOSITORY_URL": None, "CI_DEFAULT_BRANCH": None, "GIT_COMMITTER_NAME": None,
                  "GIT_COMMITTER_EMAIL": None, "GIT_CONFIG_COUNT": None, **extra}
        for name, value in values.items():
            if value is None:
                self.monkeypatch.delenv(name, raising=False)
            else:
                self.monkeypatch.setenv(name, value)

    def run(self, *args: str, **env: str | None):
        self.env(**env)
        code, out, err = self.run_cli("update", *(args or ("--from-open-issues",)), "--as-of", AS_OF)
        seen = out + err + "".join(n["body"] for ns in self.gitlab.issue_notes.values() for n in ns)
        seen += "".join(mr["description"] for mr in self.gitlab.merge_requests)
        assert TOKEN not in seen and "Traceback" not in seen
        assert TOKEN not in (self.checkout / ".git" / "config").read_text("utf-8")  # never stored
        return code, out, err


@pytest.fixture
def gitlab(tmp_path):
    with FakeGitLab(TOKEN, origin=tmp_path / "srv" / "acme" / "campaigns.git") as fake:
        yield fake


@pytest.fixture
def project(tmp_path, gitlab, run_cli, monkeypatch):
    return Project(tmp_path, gitlab, run_cli, monkeypatch)


@pytest.fixture
def commit_project(tmp_path, gitlab, run_cli, monkeypatch):
    return Project(tmp_path, gitlab, run_cli, monkeypatch, mode="commit")


# -- applied ---------------------------------------------------------------------------------------

def test_an_update_becomes_a_merge_request_with_the_figures(project):
    issue = project.submit(update_body(task="poster", progress="65", note="海报第二版定稿"), WANG)
    code, out, err = project.run()
    assert (code, err) == (0, "")
    # the change on its own branch, one commit on main; main has not moved
    assert project.branches() == ["main", "ptrack/issue-1"] and project.head("main") == project.base
    sha = project.head("ptrack/issue-1")
    assert git(project.origin, "rev-parse", f"{sha}^") == project.base
    # the author is the person, by GitLab's private commit address; the committer the token's bot
    assert git(project.origin, "log", "-1", "--format=%an <%ae>|%cn <%ce>", sha) == (
        "王雪 <4242-wang.xue@users.noreply.gitlab.example.cn>|"
        "ptrack <77-project_1217_bot_ptrack@users.noreply.gitlab.example.cn>")
    assert git(project.origin, "log", "-1", "--format=%B", sha) == (
        "更新 poster（#1）\n\ncampaigns/spring.yaml：任务 poster：progress 20 → 65，已添加备注\n\n"
        "来自 https://gitlab.example.cn/acme/campaigns/-/issues/1 中的表单，由 @wang.xue 提交；ptrack 写入。")
    assert project.show(sha) == CAMPAIGN.replace(
        "    progress: 20      # 每天下班前更新\n", "    progress: 65      # 每天下班前更新\n").replace(
        "        due: 2024-03-07\n", "        due: 2024-03-07\n    notes: 2024-03-06 海报第二版定稿\n")
    # the merge request, from the branch into main, its branch removed once merged
    [mr] = project.gitlab.merge_requests
    assert (mr["source_branch"], mr["target_branch"], mr["title"], mr["remove_source_branch"]) == (
        "ptrack/issue-1", "main", "更新 poster（#1）", True)
    assert mr["description"].startswith("已更新活动 `spring` 的任务 `poster`（海报设计）：#1。以下数据截至 2024-03-06。")
    # the reply: planned 60% both times; actual 20% -> 65%; deviation -40 -> +5; red -> green
    [reply] = project.gitlab.replies(1)
    digest = reply.split()[2]
    assert reply == (
        f"<!-- ptrack:intake {digest} applied -->\n"
        f"已更新活动 `spring` 的任务 `poster`（海报设计）：[合并请求 !1]({MR1})。以下数据截至 2024-03-06。\n\n"
        "变更：campaigns/spring.yaml：任务 poster：progress 20 → 65，已添加备注\n\n"
        "|   | 计划进度 | 实际进度 | 进度偏差（百分点） | 当前状态 |\n"
        "|---|---|---|---|---|\n"
        "| 更新前 | 60.0% | 20.0% | -40.0 | 进行中 · 严重 |\n"
        "| 更新后 | 60.0% | 65.0% | +5.0 | 进行中 · 正常 |\n\n"
        "检查：此项没有问题（整个活动 0 个错误、0 个警告）。\n")
    assert issue["state"] == "closed"
    assert out == (f"ptrack：Issue #1 已写入：[合并请求 !1]({MR1})\n"
                   "ptrack：1 个未关闭的 Issue，其中 1 个是进度更新或报告风险表单：已写入 1\n")
    # the job's checkout is left as it was, its remote-tracking refs too
    assert git(project.checkout, "status", "--porcelain") == "" and git(project.checkout, "rev-parse", "HEAD") == project.base
    assert git(project.checkout, "worktree", "list").count("\n") == 0


def test_the_token_goes_in_headers_only_and_git_authenticates_with_it(project):
    project.submit(update_body(task="video", done="4"), ZHAO)
    assert project.run()[0] == 0
    api = project.gitlab.calls
    assert api and all(c.headers["private-token"] == TOKEN and TOKEN not in c.path for c in api)
    assert [(c.method, c.path.split("?")[0]) for c in api] == [
        ("GET", "/api/v4/projects/1217"),
        ("GET", "/api/v4/projects/1217/issues"),
        ("GET", "/api/v4/projects/1217/issues/1/notes"),
        ("GET", "/api/v4/user"),                       # the committer: the token's bot
        ("GET", "/api/v4/projects/1217/merge_requests"),
        ("POST", "/api/v4/projects/1217/merge_requests"),
        ("POST", "/api/v4/projects/1217/issues/1/notes"),
        ("PUT", "/api/v4/projects/1217/issues/1")]
    assert api[1].query["state"] == "opened" and api[7].body == {"state_event": "close"}
    # git fetched and pushed over HTTP with the token as the password of Basic authentication
    pushes = [c for c in project.gitlab.git_calls if c.path.endswith("/git-receive-pack")]
    assert pushes and all(c.headers["authorization"].startswith("Basic ") for c in project.gitlab.git_calls)
    assert all(TOKEN not in c.path for c in project.gitlab.git_calls)


def test_commit_mode_lands_on_main_with_a_commit_link(commit_project):
    project = commit_project
    project.submit(update_body(task="video", done="5", locale="en"), ZHAO)
    code, out, err = project.run()
    assert (code, err) == (0, "")
    sha = project.head("main")
    assert git(project.origin, "rev-parse", f"{sha}^") == project.base and project.branches() == ["main"]
    assert "    quantity: {done: 5, total: 10, unit: 条}\n" in project.show("main")
    # video: actual 2/10 = 20% -> 5/10 = 50%; planned 20%; deviation 0 -> +30
    [reply] = project.gitlab.replies(1)
    assert f"：[`{sha[:7]}`](https://gitlab.example.cn/acme/campaigns/-/commit/{sha})。" in reply
    assert "| 更新前 | 20.0% | 20.0% | 0.0 | 进行中 · 正常 |\n| 更新后 | 20.0% | 50.0% | +30.0 | 进行中 · 正常 |" in reply
    assert project.gitlab.merge_requests == []


def test_an_edited_form_updates_its_merge_request(project):
    issue = project.submit(update_body(task="poster", progress="65"), WANG)
    assert project.run()[0] == 0
    first = project.head("ptrack/issue-1")
    # reopened and corrected by its author: the same branch (rewritten from main) and merge request
    issue["state"] = "opened"
    project.gitlab.edit_issue(1, update_body(task="poster", progress="70"), by=WANG)
    code, out, _ = project.run()
    assert code == 0 and "已写入 1" in out
    [mr] = project.gitlab.merge_requests
    assert mr["updated"] == 1 and "| 更新后 | 60.0% | 70.0% | +10.0 | 进行中 · 正常 |" in mr["description"]
    second = project.head("ptrack/issue-1")
    assert second != first and git(project.origin, "rev-parse", f"{second}^") == project.base
    assert "    progress: 70      # 每天下班前更新\n" in project.show(second)
    assert [r.splitlines()[1] for r in project.gitlab.replies(1)] == [
        f"已更新活动 `spring` 的任务 `poster`（海报设计）：[合并请求 !1]({MR1})。以下数据截至 2024-03-06。"] * 2


def test_two_updates_on_a_moved_main_both_land(commit_project, monkeypatch):
    """Two forms in one run, and someone merges a change of the same line while the first is
    being applied: its push is refused as stale, it fetches the new main and applies its
    operation there (no text merge); the second applies on top of the first. Each reply's
    "before" is what was there: 30 (the merge), then 65 (the first form)."""
    from ptrack.forge import workspace

    project = commit_project
    project.submit(update_body(task="poster", progress="65"), WANG)
    project.submit(update_body(task="poster", progress="70", note="赶工"), ZHAO)
    other = project.tmp / "other"
    git(project.tmp, "clone", "-q", str(project.origin), str(other))
    real_push = workspace.Workspace.push
    pushes = []

    def push(self, target, *, force=False):
        pushes.append(target)
        if len(pushes) == 1:  # a person's merge lands just before the first form's push
            text = (other / FILE).read_text("utf-8").replace("progress: 20 ", "progress: 30 ")
            (other / FILE).write_text(text, encoding="utf-8")
            git(other, "commit", "-qam", "poster 30%")
            git(other, "push", "-q", "origin", "main")
        return real_push(self, target, force=force)

    monkeypatch.setattr(workspace.Workspace, "push", push)
    code, out, err = project.run()
    assert (code, err) == (0, ""), out
    assert pushes == ["main", "main", "main"]  # the first refused once (stale), then both landed
    log = git(project.origin, "log", "--format=%s|%an", "main").splitlines()
    assert log == ["更新 poster（#2）|赵敏", "更新 poster（#1）|王雪", "poster 30%|Test", "the plan|Test"]
    text = project.show("main")
    assert "    progress: 70      # 每天下班前更新\n" in text and "    notes: 2024-03-06 赶工\n" in text
    assert "| 更新前 | 60.0% | 30.0% | -30.0 | 进行中 · 严重 |\n| 更新后 | 60.0% | 65.0% | +5.0 | 进行中 · 正常 |" \
        in project.gitlab.replies(1)[0]
    assert "| 更新前 | 60.0% | 65.0% | +5.0 | 进行中 · 正常 |\n| 更新后 | 60.0% | 70.0% | +10.0 | 进行中 · 正常 |" \
        in project.gitlab.replies(2)[0]
    assert out.endswith("ptrack：2 个未关闭的 Issue，其中 2 个是进度更新或报告风险表单：已写入 2\n")


def test_a_form_applied_before_is_not_applied_twice(commit_project):
    project = commit_project
    issue = project.submit(update_body(task="poster", note="一次"), WANG)
    assert project.run()[0] == 0
    landed = project.head("main")
    issue["state"] = "opened"  # say the close was lost
    code, out, _ = project.run()
    assert code == 0 and out.startswith("ptrack: issue #1: this version of the form was applied before\n")
    assert project.head("main") == landed and len(project.gitlab.replies(1)) == 1 and issue["state"] == "closed"


# -- refused ---------------------------------------------------------------------------------------

def test_a_form_from_someone_not_allowed_gets_a_note_naming_the_reason(project):
    issue = project.submit(update_body(task="poster", progress="65"), STRANGER)
    code, out, err = project.run()
    assert (code, out) == (1, "")
    assert err == ("ptrack：Issue #1 未能写入：\n"
                   "@stranger 不在活动 spring 的人员名单中：请在活动文件 people 下你的条目中加上 `gitlab: stranger`"
                   "（可请项目负责人添加）\n"
                   "ptrack：1 个未关闭的 Issue，其中 1 个是进度更新或报告风险表单：未能写入 1\n")
    [reply] = project.gitlab.replies(1)
    assert reply.splitlines()[1:] == [
        "本次表单未能写入：", "",
        "- @\u200bstranger 不在活动 spring 的人员名单中：请在活动文件 people 下你的条目中加上 `gitlab: stranger`"
        "（可请项目负责人添加）", "",
        "请直接编辑本 Issue 修改（保存后会重新处理），或将其关闭。"]
    assert issue["state"] == "opened" and project.branches() == ["main"] and project.gitlab.merge_requests == []
    # the next run (a schedule, another issue's webhook) leaves it alone until it is edited
    calls = len(project.gitlab.calls)
    assert project.run() == (0, "ptrack：Issue #1：这一版表单此前未能写入，等待修改后再处理\n"
                                "ptrack：1 个未关闭的 Issue，其中 1 个是进度更新或报告风险表单：等待修改 1\n", "")
    assert len(project.gitlab.replies(1)) == 1 and len(project.gitlab.calls) == calls + 3  # project, issues, notes


def test_a_refused_value_edited_then_applies(project):
    issue = project.submit(update_body(task="poster", progress="六十"), WANG)
    assert project.run()[0] == 1
    assert "- **实际进度(%) / Progress (%)**: “六十”不是 0 到 100 之间的数字（如 60）" in project.gitlab.replies(1)[0]
    project.gitlab.edit_issue(1, update_body(task="poster", progress="６０％"), by=WANG)  # a Chinese keyboard
    assert project.run()[0] == 0
    assert "progress 20 → 60" in project.gitlab.replies(1)[1] and issue["state"] == "closed"


def test_an_edit_by_someone_not_allowed_is_refused(project):
    issue = project.submit(update_body(task="poster", progress="65"), WANG)
    project.gitlab.edit_issue(1, update_body(task="poster", progress="95"), by=QIAN)  # qian owns no part of poster
    assert project.run()[0] == 1
    assert "@\u200bqian.jin（qian）无权更新 poster" in project.gitlab.replies(1)[0]
    assert project.branches() == ["main"]
    # the lead may edit anyone's form (usernames compare without case)
    project.gitlab.edit_issue(1, update_body(task="poster", progress="66"), by=LEAD)
    assert project.run()[0] == 0 and issue["state"] == "closed"
    assert "    progress: 66      # 每天下班前更新\n" in project.show("ptrack/issue-1")


# -- left alone, failures, usage -------------------------------------------------------------------

def test_ordinary_issues_are_left_alone_without_a_word(project):
    project.submit("The page is slow.\n\n### Steps\n\n1. open it", STRANGER)
    project.submit("", STRANGER)
    assert project.run("--from-open-issues", "--lang", "en") == (
        0, "ptrack: 2 open issue(s), none of them an update or risk form: nothing to do\n", "")
    assert [c.path.split("?")[0] for c in project.gitlab.calls] == ["/api/v4/projects/1217",
                                                                    "/api/v4/projects/1217/issues"]
    assert project.gitlab.git_calls == [] and all(not ns for ns in project.gitlab.issue_notes.values())


def test_a_webhook_payload_names_the_issue_and_gitlab_says_what_it_holds(project):
    """``--from-issue "$TRIGGER_PAYLOAD"``: only the issue's number is taken from the payload;
    its text and author come from the API (whoever holds the trigger token could write any
    payload)."""
    project.submit(update_body(task="video", done="3"), ZHAO)
    project.submit(update_body(task="poster", progress="65"), WANG)
    payload = {"object_kind": "issue", "event_type": "issue", "user": {"username": "boss-li"},
               "project": {"id": 1217}, "object_attributes": {
                   "iid": 2, "action": "open", "state": "opened", "author_id": 4245,
                   "description": update_body(task="poster", progress="100")}}
    path = project.tmp / "TRIGGER_PAYLOAD"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    code, out, err = project.run("--from-issue", str(path))
    assert (code, err) == (0, "") and out == f"ptrack：Issue #2 已写入：[合并请求 !1]({MR1})\n"
    assert "    progress: 65      # 每天下班前更新\n" in project.show("ptrack/issue-2")
    assert project.gitlab.issues[1]["state"] == "opened" and project.gitlab.replies(1) == []
    path.write_text(json.dumps({"object_kind": "note", "object_attributes": {"id": 5}}), encoding="utf-8")
    assert project.run("--from-issue", str(path), "--lang", "en") == (
        2, "", "ptrack: error: the payload names no issue (object_attributes.iid): --from-issue takes the payload "
               "of a GitLab Issues webhook ($TRIGGER_PAYLOAD)\n")


def test_without_a_token_or_a_project_it_is_a_usage_error(project):
    assert project.run("--from-open-issues", "--lang", "en", PTRACK_INTAKE_TOKEN=None) == (
        2, "", "ptrack: error: no GitLab token for intake: add the CI/CD variable PTRACK_INTAKE_TOKEN, a project "
               "access token with the api and write_repository scopes (Masked and Protected); see docs/gitlab.md\n")
    code, _, err = project.run("--from-open-issues", CI_API_V4_URL=None, CI_PROJECT_ID=None)
    assert code == 2 and "无法确定 GitLab 项目" in err
    assert project.gitlab.calls == []


def test_gitlab_down_is_a_message_not_a_traceback(project):
    project.submit(update_body(task="poster", progress="65"), WANG)
    project.gitlab.faults = [(502, {"message": "502 Bad Gateway"}, {})] * 3
    assert project.run("--from-open-issues", "--lang", "en") == (
        1, "", "ptrack: error: GitLab answered 502 to GET /projects/1217: 502 Bad Gateway\n")


def test_a_push_refused_is_said_once(commit_project):
    """The token may not write the repository: the form is not applied, the reply says why, and
    the next run, failing the same way, does not say it again."""
    project = commit_project
    issue = project.submit(update_body(task="poster", progress="65"), WANG)
    project.gitlab.git_token = "glpat-another-token"
    code, _, err = project.run()
    hint = ("(GitLab 拒绝了 git 使用的 PTRACK_INTAKE_TOKEN：它需要 write_repository 范围和 Developer 角色"
            "（推送到受保护的默认分支需要 Maintainer）)")
    assert code == 1 and err.startswith("ptrack：错误：git fetch: fatal: could not read Username for 'http://127.0.0.1:")
    assert f"terminal prompts disabled {hint}\n" in err
    [reply] = project.gitlab.replies(1)
    assert reply.splitlines()[1].startswith("更新未能写入：git fetch: fatal: could not read Username")
    assert reply.splitlines()[1].endswith(f"{hint}。活动文件没有改动；intake 作业下次运行时会再试（维护者也可以重新运行流水线）。")
    assert project.run()[0] == 1 and len(project.gitlab.replies(1)) == 1
    assert issue["state"] == "opened" and project.head("main") == project.base


def test_a_protected_default_branch_refuses_commit_mode(commit_project):
    """A Developer's token may not push to a protected main: GitLab's own words reach the reply
    (a refusal, not a moved branch: no retry loop)."""
    project = commit_project
    hook = project.origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nwhile read old new ref; do\n  if [ \"$ref\" = refs/heads/main ]; then\n"
                    "    echo 'GitLab: You are not allowed to push code to protected branches on this project.' >&2\n"
                    "    exit 1\n  fi\ndone\n", encoding="utf-8")
    hook.chmod(0o755)
    project.submit(update_body(task="poster", progress="65"), WANG)
    code, _, err = project.run()
    assert code == 1
    [reply] = project.gitlab.replies(1)
    assert "更新未能写入：git push: [remote rejected] (pre-receive hook declined) remote: " in reply
    assert "remote: GitLab: You are not allowed to push code to protected branches on this project." in reply
    pushes = [c for c in project.gitlab.git_calls if c.method == "POST" and c.path.endswith("/git-receive-pack")]
    assert len(pushes) == 1 and project.head("main") == project.base
