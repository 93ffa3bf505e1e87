"""``ptrack update --from-issue EVENT.json``: a submitted form applied for real. A bare git
repository in tmp is GitHub's copy ("origin"), a clone of it is the workflow's checkout, and a
fake GitHub REST API on 127.0.0.1 (tests/github_support.py) takes the comments, the pull
requests and the closing of issues. Every test drives the real command (in process) on an
``issues`` event written as GitHub writes it.

The campaign (calendar none, so every day counts), as of 2024-03-06:
- poster, planned 03-01..03-10 (10 days), 6 days elapsed: planned 6/10 = 60%; progress 20, so
  deviation 20 - 60 = -40 (red: more than 20 points behind);
- video, planned 03-05..03-14 (10 days), 2 days elapsed: planned 2/10 = 20%; quantity 2 of 10 =
  20%, deviation 0.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml

from ecosystem_support import git
from github_support import FakeGitHub
from ptrack.forge.fields import RISK, UPDATE, form_body

TOKEN = "ghs_intake-test-token-0123456789abcdef"
AS_OF = "2024-03-06"

CAMPAIGN = textwrap.dedent("""\
    # 春季新品推广：执行跟踪
    ptrack: 1
    campaign:
      id: spring
      name: 春季新品推广
      lead: lead
      start: 2024-03-01
      end: 2024-03-31
      calendar: none
      locale: zh-CN
    people:
      lead: {name: 营销总监, github: Boss-Li}
      wang: {name: 王雪, github: wang-xue}
      zhao: {name: 赵敏, github: zhao-min}
      qian: {name: 钱进, github: qian-jin}   # owns the budget risk, no task
      sun: {name: 孙丽}                       # no GitHub login
    risks:
      - id: budget
        issue: 预算审批延迟
        owner: qian
        due: 2024-03-08
    tasks:
      - id: poster
        name: 海报设计
        owner: wang
        collaborators: [zhao]
        planned: {start: 2024-03-01, end: 2024-03-10}
        actual: {start: 2024-03-01}
        progress: 20      # 每天下班前更新
        risks:
          - issue: 素材需求变更
            owner: sun
            due: 2024-03-07

      - id: video
        name: 短视频
        owner: zhao
        planned: {start: 2024-03-05, end: 2024-03-14}
        quantity: {done: 2, total: 10, unit: 条}
    """)
FILE = "campaigns/spring.yaml"


class Origin:
    """A forge's copy of the repository (``origin``, bare) seeded with ``campaign`` and
    ``settings`` as ptrack.yaml, and the job's checkout (a clone of it); what a test reads back."""

    def __init__(self, tmp_path: Path, origin: Path, campaign: str, settings: str):
        self.tmp, self.origin = tmp_path, origin
        seed = tmp_path / "seed"
        seed.mkdir()
        git(seed, "init", "-q", "-b", "main")
        (seed / "campaigns").mkdir()
        (seed / FILE).write_text(campaign, encoding="utf-8")
        (seed / "ptrack.yaml").write_text(settings, encoding="utf-8")
        git(seed, "add", "-A")
        git(seed, "commit", "-qm", "the plan")
        origin.parent.mkdir(parents=True, exist_ok=True)
        git(tmp_path, "clone", "-q", "--bare", str(seed), str(origin))
        self.checkout = tmp_path / "checkout"
        git(tmp_path, "clone", "-q", str(origin), str(self.checkout))
        self.base = self.head("main")

    def head(self, branch: str) -> str:
        return git(self.origin, "rev-parse", f"refs/heads/{branch}")

    def show(self, rev: str, path: str = FILE) -> str:
        return git(self.origin, "show", f"{rev}:{path}") + "\n"  # (git() strips the final line break)

    def branches(self) -> list[str]:
        return git(self.origin, "for-each-ref", "--format=%(refname:short)", "refs/heads").split()


class Repo(Origin):
    """origin (bare), the checkout (a clone), the fake GitHub, and how to run the command."""

    def __init__(self, tmp_path: Path, github: FakeGitHub, run_cli, monkeypatch, mode: str | None = None):
        settings = "campaigns: campaigns/*.yaml\n" + (f"intake: {{mode: {mode}}}\n" if mode else "")
        super().__init__(tmp_path, tmp_path / "origin.git", CAMPAIGN, settings)
        self.github, self.run_cli, self.monkeypatch = github, run_cli, monkeypatch
        self.outputs = tmp_path / "github-output.txt"

    def submit(self, body: str, login: str, *, user_id: int = 1001) -> dict:
        return self.github.open_issue(body, login=login, user_id=user_id)

    def run(self, issue: dict, *extra: str, action: str = "opened", sender: str | None = None):
        event = self.tmp / f"event-{issue['number']}-{action}.json"
        event.write_text(json.dumps(self.github.event(issue, action=action, sender=sender), ensure_ascii=False),
                         encoding="utf-8")
        self.monkeypatch.chdir(self.checkout)
        self.monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        self.monkeypatch.setenv("GITHUB_API_URL", self.github.api_url)
        self.monkeypatch.setenv("GITHUB_OUTPUT", str(self.outputs))
        self.monkeypatch.delenv("GIT_COMMITTER_NAME", raising=False)
        self.monkeypatch.delenv("GIT_COMMITTER_EMAIL", raising=False)
        self.outputs.write_text("", encoding="utf-8")
        code, out, err = self.run_cli("update", "--from-issue", str(event), "--as-of", AS_OF, *extra)
        assert TOKEN not in out + err
        assert all(TOKEN not in c["body"] for cs in self.github.comments.values() for c in cs)
        return code, out, err

    def replies(self, number: int) -> list[str]:
        return [c["body"] for c in self.github.comments.get(number, [])]

    def job_outputs(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.outputs.read_text("utf-8").splitlines() if line)


@pytest.fixture
def github(tmp_path):
    with FakeGitHub(TOKEN, origin=tmp_path / "origin.git") as fake:
        yield fake


@pytest.fixture
def repo(tmp_path, github, run_cli, monkeypatch):
    return Repo(tmp_path, github, run_cli, monkeypatch)


@pytest.fixture
def commit_repo(tmp_path, github, run_cli, monkeypatch):
    return Repo(tmp_path, github, run_cli, monkeypatch, mode="commit")


def update_body(*, locale="zh-CN", crlf=True, **values) -> str:
    text = form_body(UPDATE, {"campaign": "spring", **values}, locale)
    return text.replace("\n", "\r\n") if crlf else text


NOTE = "海报第二版定稿\n### 明天\n- [ ] 发给市场部确认"


# -- applied ---------------------------------------------------------------------------------

def test_an_update_becomes_a_pull_request_with_the_figures(repo):
    issue = repo.submit(update_body(task="poster", progress="65", note=NOTE), "wang-xue", user_id=4242)
    code, out, err = repo.run(issue)
    assert (code, err) == (0, "")
    # the change is on its own branch, one commit on top of main; main has not moved
    assert repo.branches() == ["main", "ptrack/issue-1"]
    assert repo.head("main") == repo.base
    sha = repo.head("ptrack/issue-1")
    assert git(repo.origin, "rev-parse", f"{sha}^") == repo.base
    assert git(repo.origin, "log", "-1", "--format=%an <%ae>|%cn <%ce>", sha) == (
        "王雪 <4242+wang-xue@users.noreply.github.com>|"
        "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>")
    assert git(repo.origin, "log", "-1", "--format=%B", sha) == (
        "更新 poster（#1）\n\ncampaigns/spring.yaml：任务 poster：progress 20 → 65，已添加备注\n\n"
        "来自 https://github.com/acme/campaigns/issues/1 中的表单，由 @wang-xue 提交；ptrack 写入。")
    # only the progress and the new notes: the comment and every other byte stay
    assert repo.show(sha) == CAMPAIGN.replace(
        "    progress: 20      # 每天下班前更新\n",
        "    progress: 65      # 每天下班前更新\n").replace(
        "        due: 2024-03-07\n",
        "        due: 2024-03-07\n    notes: |-\n      2024-03-06 海报第二版定稿\n      ### 明天\n"
        "      - [ ] 发给市场部确认\n")
    # the pull request, from the branch into main
    [pull] = repo.github.pulls
    assert (pull["head"]["ref"], pull["base"]["ref"], pull["title"]) == ("ptrack/issue-1", "main", "更新 poster（#1）")
    # the reply: planned 60% both times; actual 20% -> 65%; deviation -40 -> +5; red -> green
    reply = (
        "<!-- ptrack:intake {digest} applied -->\n"
        "已更新活动 `spring` 的任务 `poster`（海报设计）：[拉取请求 #2](https://github.com/acme/campaigns/pull/2)。"
        "以下数据截至 2024-03-06。\n\n"
        "变更：campaigns/spring.yaml：任务 poster：progress 20 → 65，已添加备注\n\n"
        "|   | 计划进度 | 实际进度 | 进度偏差（百分点） | 当前状态 |\n"
        "|---|---|---|---|---|\n"
        "| 更新前 | 60.0% | 20.0% | -40.0 | 进行中 · 严重 |\n"
        "| 更新后 | 60.0% | 65.0% | +5.0 | 进行中 · 正常 |\n\n"
        "检查：此项没有问题（整个活动 0 个错误、0 个警告）。\n")
    [posted] = repo.replies(1)
    digest = posted.split()[2]
    assert posted == reply.format(digest=digest)
    assert pull["body"].startswith("已更新活动 `spring` 的任务 `poster`（海报设计）：#1。以下数据截至 2024-03-06。")
    assert pull["body"].endswith("\n\n来自 https://github.com/acme/campaigns/issues/1 中的表单，由 @wang-xue 提交；ptrack 写入。\n")
    assert "| 更新后 | 60.0% | 65.0% | +5.0 | 进行中 · 正常 |" in pull["body"]
    assert repo.github.issues[1]["state"] == "closed" and repo.github.issues[1]["state_reason"] == "completed"
    assert out == "ptrack：Issue #1 已写入：[拉取请求 #2](https://github.com/acme/campaigns/pull/2)\n"
    assert repo.job_outputs() == {"action": "applied", "commit": sha, "pushed": "ptrack/issue-1", "landed": "false",
                                  "change-url": "https://github.com/acme/campaigns/pull/2"}
    # the checkout the workflow runs in is left as it was
    assert git(repo.checkout, "status", "--porcelain") == "" and git(repo.checkout, "rev-parse", "HEAD") == repo.base
    assert git(repo.checkout, "worktree", "list").count("\n") == 0  # the temporary worktree is gone


def test_the_api_calls_carry_the_token_in_the_header_only(repo):
    repo.run(repo.submit(update_body(task="video", done="4"), "zhao-min"))
    calls = repo.github.calls
    assert calls and all(c.headers["authorization"] == f"Bearer {TOKEN}" for c in calls)
    assert all(TOKEN not in c.path for c in calls)
    assert {c.headers["x-github-api-version"] for c in calls} == {"2022-11-28"}
    assert [(c.method, c.path.split("?")[0]) for c in calls] == [
        ("GET", "/repos/acme/campaigns/issues/1/comments"),
        ("GET", "/repos/acme/campaigns/pulls"),
        ("POST", "/repos/acme/campaigns/pulls"),
        ("POST", "/repos/acme/campaigns/issues/1/comments"),
        ("PATCH", "/repos/acme/campaigns/issues/1")]


def test_commit_mode_lands_on_main(commit_repo):
    repo = commit_repo
    issue = repo.submit(update_body(task="video", done="5", locale="en", crlf=False), "zhao-min")
    code, out, err = repo.run(issue)
    assert (code, err) == (0, "")
    sha = repo.head("main")
    assert git(repo.origin, "rev-parse", f"{sha}^") == repo.base and repo.branches() == ["main"]
    assert "    quantity: {done: 5, total: 10, unit: 条}\n" in repo.show("main")
    # video: actual 2/10 = 20% -> 5/10 = 50%; planned 20%; deviation 0 -> +30 (a reply in the
    # campaign's language, whatever the labels' language)
    [posted] = repo.replies(1)
    assert f"：[`{sha[:7]}`](https://github.com/acme/campaigns/commit/{sha})。" in posted
    assert "| 更新前 | 20.0% | 20.0% | 0.0 | 进行中 · 正常 |\n| 更新后 | 20.0% | 50.0% | +30.0 | 进行中 · 正常 |" in posted
    assert repo.job_outputs()["landed"] == "true" and repo.job_outputs()["pushed"] == "main"
    assert repo.github.pulls == []


def test_two_updates_on_a_moved_main_both_land(commit_repo, monkeypatch):
    """Both read main at the same commit; the first lands while the second is being applied, so
    the second's push is refused as stale: it fetches the new main and applies its operation
    again there. Both set the same line (a text merge would conflict): the second wins, and its
    reply's "before" is what the first left."""
    from ptrack.forge import workspace

    repo = commit_repo
    first = repo.submit(update_body(task="poster", progress="65"), "wang-xue")
    second = repo.submit(update_body(task="poster", progress="70", note="赶工"), "zhao-min")
    real_push = workspace.Workspace.push
    pushes = []

    def push(self, target, *, force=False):
        pushes.append(target)
        if len(pushes) == 1:  # the second update is about to push: the first lands now
            monkeypatch.setattr(workspace.Workspace, "push", real_push)
            assert repo.run(first)[0] == 0
            monkeypatch.setattr(workspace.Workspace, "push", push)
        return real_push(self, target, force=force)

    monkeypatch.setattr(workspace.Workspace, "push", push)
    code, _, err = repo.run(second)
    assert (code, err) == (0, "")
    log = git(repo.origin, "log", "--format=%s|%an", "main").splitlines()
    assert log == ["更新 poster（#2）|赵敏", "更新 poster（#1）|王雪", "the plan|Test"]
    text = repo.show("main")
    assert "    progress: 70      # 每天下班前更新\n" in text and "      2024-03-06 赶工\n" not in text
    assert "    notes: 2024-03-06 赶工\n" in text
    assert pushes == ["main", "main"]  # refused once (stale), then landed
    [reply] = repo.replies(2)
    assert "| 更新前 | 60.0% | 65.0% | +5.0 | 进行中 · 正常 |\n| 更新后 | 60.0% | 70.0% | +10.0 | 进行中 · 正常 |" in reply


def test_a_campaign_risk_resolved_and_risks_reported(commit_repo):
    repo = commit_repo
    # qian owns the campaign's budget risk: the Resolve link leaves the task empty
    resolve = repo.submit(update_body(task="", resolve_risk="budget"), "qian-jin")
    assert repo.run(resolve)[0] == 0
    assert "    due: 2024-03-08\n    resolved: 2024-03-06\n" in repo.show("main")
    # a collaborator reports a risk of the task; qian (a risk owner) one of the campaign
    task_risk = repo.submit(form_body(RISK, {"campaign": "spring", "task": "poster", "issue": "印刷厂排期延后\n影响门店",
                                            "solution": "换备选印刷厂", "owner": "zhao", "due": "2024/3/9"}, "zh-CN"),
                            "zhao-min")
    assert repo.run(task_risk)[0] == 0
    campaign_risk = repo.submit(form_body(RISK, {"campaign": "spring", "issue": "竞品同期上市"}, "en"), "qian-jin")
    assert repo.run(campaign_risk)[0] == 0
    data = yaml.safe_load(repo.show("main"))
    assert data["tasks"][0]["risks"][-1] == {"issue": "印刷厂排期延后\n影响门店", "solution": "换备选印刷厂",
                                             "owner": "zhao", "due": __import__("datetime").date(2024, 3, 9)}
    assert data["risks"][-1] == {"issue": "竞品同期上市"}
    assert "变更：campaigns/spring.yaml：活动 spring：新增风险：竞品同期上市" in repo.replies(3)[0]
    assert all(repo.github.issues[n]["state"] == "closed" for n in (1, 2, 3))


def test_the_same_body_is_applied_once(commit_repo):
    repo = commit_repo
    issue = repo.submit(update_body(task="poster", note="一次"), "wang-xue")
    assert repo.run(issue)[0] == 0
    landed = repo.head("main")
    repo.github.issues[1]["state"] = "open"  # say the close was lost
    code, out, _ = repo.run(repo.github.issues[1], action="edited")
    assert code == 0 and "was applied before" in out
    assert repo.head("main") == landed and len(repo.replies(1)) == 1
    assert repo.github.issues[1]["state"] == "closed"


def test_nothing_to_change(commit_repo):
    repo = commit_repo
    issue = repo.submit(update_body(task="poster", progress="20"), "wang-xue")
    assert repo.run(issue) == (0, "ptrack：Issue #1：无需修改\n", "")
    assert repo.head("main") == repo.base
    assert repo.replies(1)[0].endswith("\n无需修改：活动文件中 poster 已是这些内容。\n")
    assert repo.github.issues[1]["state"] == "closed"


def test_the_checks_findings_about_the_task_are_in_the_reply(commit_repo):
    repo = commit_repo
    # poster at 25%: 25 - 60 = -35 points, past deviation_fail (20): an error of the check
    assert repo.run(repo.submit(update_body(task="poster", progress="25"), "wang-xue"))[0] == 0
    reply = repo.replies(1)[0]
    assert "| 更新后 | 60.0% | 25.0% | -35.0 | 进行中 · 严重 |" in reply
    tail = reply.split("\n\n")[-1].splitlines()
    # poster is on the critical path too (a warning); the findings are in the campaign's language
    # (the forecast's words are the rules' own: only their start is pinned here)
    assert tail[:2] == ["检查（整个活动 1 个错误、1 个警告），与此项有关的：",
                        '- **错误** `deviation-behind` 任务"海报设计"落后计划 35.0 个百分点（计划 60.0%，实际 25.0%，'
                        "落后 3 个工作日）"]
    assert tail[2].startswith('- **警告** `critical-slip` 任务"海报设计"在关键路径上') and len(tail) == 3


def test_landed_but_the_reply_failed(commit_repo):
    repo = commit_repo
    repo.github.comment_failures = 1
    code, out, err = repo.run(repo.submit(update_body(task="poster", progress="65"), "wang-xue"))
    assert code == 1  # the job fails, so someone looks
    assert repo.head("main") != repo.base  # but the update landed
    assert out.startswith("ptrack：Issue #1 已写入：") or err.startswith("ptrack：Issue #1 已写入：")
    assert "GitHub 对 POST /repos/acme/campaigns/issues/1/comments 回复了 500：Server Error" in out + err
    assert repo.job_outputs()["action"] == "applied"


# -- refused ---------------------------------------------------------------------------------

@pytest.mark.parametrize("login, values, lines", [
    ("stranger", {"task": "poster", "progress": "65"},
     ["- @\u200bstranger 不在活动 spring 的人员名单中：请在活动文件 people 下你的条目中加上 `github: stranger`（可请项目负责人添加）"]),
    ("qian-jin", {"task": "poster", "progress": "65"},
     ["- @\u200bqian-jin（qian）无权更新 poster：只有主责任人、协同责任人、风险负责人和项目负责人可以更新"]),
    ("wang-xue", {"task": "poster", "progress": "六十", "actual_start": "3月1日"},
     ["- **实际进度(%) / Progress (%)**: “六十”不是 0 到 100 之间的数字（如 60）",
      "- **实际开始日期 / Actual start**: “3月1日”不是日期，请写成 YYYY-MM-DD（如 2024-04-16）"]),
    ("wang-xue", {"task": "postr", "progress": "65"},
     ["- **任务编号 / Task ID**: 没有任务“postr”（是否指“poster”？）"]),
    ("wang-xue", {"task": "poster"},
     ["- 没有要更新的内容：请填写实际进度、已完成数量、实际日期、要解决的风险或进展说明"]),
    ("wang-xue", {"task": "poster", "resolve_risk": "3"},
     ["- **标记已解决的风险 / Resolve risk**: 任务 poster 没有风险“3”；它的风险：1"]),
    ("wang-xue", {"task": "", "progress": "65"}, ["- **任务编号 / Task ID**: 必填"]),
])
def test_a_refused_form_gets_a_reply_naming_the_field(repo, login, values, lines):
    issue = repo.submit(update_body(**values), login)
    code, out, err = repo.run(issue)
    assert (code, out) == (1, "")
    assert err.startswith("ptrack：Issue #1 未能写入：\n")
    [reply] = repo.replies(1)
    assert reply.splitlines()[1:] == ["本次表单未能写入：", "", *lines, "",
                                      "请直接编辑本 Issue 修改（保存后会重新处理），或将其关闭。"]
    assert repo.github.issues[1]["state"] == "open"
    assert repo.branches() == ["main"] and repo.head("main") == repo.base and repo.github.pulls == []
    assert "Traceback" not in out + err


def test_an_edit_that_would_make_the_file_invalid_is_refused_with_the_line(repo):
    issue = repo.submit(update_body(task="poster", actual_end="2024-02-20"), "wang-xue")
    assert repo.run(issue)[0] == 1
    [reply] = repo.replies(1)
    assert "- 这次更新会使活动文件无效：\n- campaigns/spring.yaml:" in reply  # the path in the repository
    assert "/tmp" not in reply and "ptrack-intake-" not in reply


def test_an_edit_by_someone_not_allowed_is_refused(repo):
    issue = repo.submit(update_body(task="poster", progress="65"), "wang-xue")
    code, _, _ = repo.run(issue, action="edited", sender="qian-jin")
    assert code == 1
    assert "@\u200bqian-jin（qian）无权更新 poster" in repo.replies(1)[0]
    # the lead may edit anyone's form
    repo.github.issues[1]["body"] = update_body(task="poster", progress="66")
    assert repo.run(repo.github.issues[1], action="edited", sender="boss-li")[0] == 0  # logins ignore case


def test_a_refused_form_edited_then_applies(repo):
    issue = repo.submit(update_body(task="poster", progress="百分之六十"), "wang-xue")
    assert repo.run(issue)[0] == 1
    issue["body"] = update_body(task="poster", progress="６０％")  # full-width, from a Chinese keyboard
    assert repo.run(issue, action="edited")[0] == 0
    assert len(repo.replies(1)) == 2 and "progress 20 → 60" in repo.replies(1)[1]
    assert repo.github.issues[1]["state"] == "closed"


def test_a_lead_resolves_in_english_and_the_reply_follows_lang(repo):
    issue = repo.submit(update_body(task="poster", resolve_risk="1", locale="en"), "Boss-Li")
    assert repo.run(issue, "--lang", "en")[0] == 0
    reply = repo.replies(1)[0]
    assert "Applied to task `poster` (海报设计) of `spring`: [pull request #2]" in reply
    assert "Changes: campaigns/spring.yaml: task poster: risks[1].resolved 2024-03-06" in reply


# -- ignored and failed ----------------------------------------------------------------------

def test_an_ordinary_issue_and_a_closed_one_are_left_alone(repo):
    issue = repo.submit("The page is slow.\n\n### Steps\n\n1. open it", "someone")
    assert repo.run(issue) == (0, "ptrack: issue #1 is not an update or risk form: nothing to do\n", "")
    closed = repo.submit(update_body(task="poster", progress="65"), "wang-xue")
    closed["state"] = "closed"
    assert repo.run(closed, "--lang", "zh-CN") == (0, "ptrack：Issue #2 状态为 closed，无需处理\n", "")
    assert repo.github.calls == [] and repo.github.comments == {}


def test_github_refusing_pull_requests_is_explained(repo):
    repo.github.pulls_forbidden = True
    code, out, err = repo.run(repo.submit(update_body(task="poster", progress="65"), "wang-xue"))
    assert (code, out) == (1, "")
    assert "GitHub 对 POST /repos/acme/campaigns/pulls 回复了 403" in err
    assert "Allow GitHub Actions to create and approve pull requests" in repo.replies(1)[0]
    assert repo.github.issues[1]["state"] == "open"


def test_the_pull_request_hint_is_in_the_campaigns_language(repo):
    # what to do about GitHub's 403 is ptrack's advice, said in Chinese to a zh-CN campaign (only
    # GitHub's own setting names stay English, as GitHub's pages show them)
    repo.github.pulls_forbidden = True
    repo.run(repo.submit(update_body(task="poster", progress="65"), "wang-xue"))
    [reply] = repo.replies(1)
    assert ("使用 GITHUB_TOKEN 时，请在 Settings → Actions → General → Workflow permissions 中勾选"
            "“Allow GitHub Actions to create and approve pull requests”；见 docs/intake.md") in reply
    assert "allow it under" not in reply and "see docs/intake.md" not in reply


def test_git_missing_is_said_on_the_issue_in_the_campaigns_language(repo, monkeypatch):
    issue = repo.submit(update_body(task="poster", progress="65"), "wang-xue")
    with monkeypatch.context() as without_git:
        without_git.setenv("PATH", str(repo.tmp / "no-git-here"))
        code, out, err = repo.run(issue)
    assert (code, out) == (1, "")
    assert err == "ptrack：错误：git rev-parse: 未安装 git，或 git 不在 PATH 中\n"
    [reply] = repo.replies(1)
    assert reply.endswith("\n更新未能写入：git rev-parse: 未安装 git，或 git 不在 PATH 中。活动文件没有改动；"
                          "维护者可以重新运行工作流。\n")
    assert repo.github.issues[1]["state"] == "open" and repo.branches() == ["main"]


def test_github_down_is_a_message_not_a_traceback(repo):
    repo.github.faults = [(502, {"message": "Bad gateway"}, {})] * 3
    code, out, err = repo.run(repo.submit(update_body(task="poster", progress="65"), "wang-xue"))
    assert (code, out) == (1, "")
    assert err == "GitHub answered 502 to GET /repos/acme/campaigns/issues/1/comments: Bad gateway\n"


def test_without_a_token_it_is_a_usage_error(repo, monkeypatch):
    issue = repo.submit(update_body(task="poster", progress="65"), "wang-xue")
    event = repo.tmp / "event.json"
    event.write_text(json.dumps(repo.github.event(issue)), encoding="utf-8")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("PTRACK_GITHUB_TOKEN", raising=False)
    monkeypatch.chdir(repo.checkout)
    assert repo.run_cli("update", "--from-issue", str(event), "--lang", "en") == (
        2, "", "ptrack: error: no GitHub token: set GITHUB_TOKEN (or PTRACK_GITHUB_TOKEN) for the step; "
               "see docs/intake.md\n")


# -- a body alone, on the working tree ---------------------------------------------------------

def test_a_body_applied_to_the_working_tree(repo, run_cli, monkeypatch):
    monkeypatch.chdir(repo.checkout)
    (repo.tmp / "body.md").write_bytes(update_body(task="poster", progress="65", note=NOTE).encode("utf-8"))
    assert run_cli("update", "--from-issue", str(repo.tmp / "body.md"), "--as-of", AS_OF) == (
        0, "campaigns/spring.yaml：任务 poster：progress 20 → 65，已添加备注\n"
           "计划进度 60.0%，实际进度 20.0% → 65.0%，偏差 +5.0，进行中\n", "")
    assert "    progress: 65      # 每天下班前更新\n" in (repo.checkout / FILE).read_text("utf-8")
    (repo.tmp / "bad.md").write_text(update_body(task="poster", progress="120"), encoding="utf-8")
    assert run_cli("update", "--from-issue", str(repo.tmp / "bad.md"), "--as-of", AS_OF) == (
        1, "", "ptrack：表单未能写入：\n  实际进度(%) / Progress (%): “120”不是 0 到 100 之间的数字（如 60）\n")
    (repo.tmp / "none.md").write_text("hello\n", encoding="utf-8")
    assert run_cli("update", "--from-issue", str(repo.tmp / "none.md"), "--lang", "en")[0] == 1


def test_a_source_that_is_no_event_or_body_is_a_message(tmp_path, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # more than the 2 MiB an event or a body may have (GitHub's bodies hold 65,536 characters)
    (tmp_path / "huge.md").write_bytes(b"a" * (2 * 1024 * 1024 + 1))
    assert run_cli("update", "--from-issue", "huge.md", "--lang", "zh-CN") == (
        2, "", "ptrack：错误：huge.md：文件超过了 2097152 字节的上限\n")
    (tmp_path / "latin1.md").write_bytes("### Task ID\n\nPr\xe9sentation\n".encode("latin-1"))
    assert run_cli("update", "--from-issue", "latin1.md", "--lang", "en") == (
        2, "", "ptrack: error: latin1.md: not UTF-8 text\n")

