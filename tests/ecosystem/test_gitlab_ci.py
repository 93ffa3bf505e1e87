"""The .gitlab-ci.yml that `ptrack init --forge gitlab` writes: valid against GitLab's CI schema
(check-jsonschema's built-in copy), and its real jobs run by gitlab-ci-local (npm) with the shell
executor in a temporary git repository, with this checkout's ptrack on PATH
(PTRACK_INSTALL=preinstalled: the runner has ptrack, nothing is installed from PyPI) and the
merge-request comment posted to a fake GitLab API on 127.0.0.1 (tests/gitlab_support.py).

scripts/test.sh installs gitlab-ci-local (pinned) and rsync, which it needs; check-jsonschema
comes with the test extra. In CI a missing tool fails these tests."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
import yaml

from ecosystem_support import ROOT, clean_env, git, git_repo, need, ptrack_exe
from gitlab_support import FakeGitLab
from ptrack.init import GITLAB_CI_FILE, plan_scaffold

GITLAB_CI_LOCAL = ROOT / ".tools" / "node_modules" / ".bin" / "gitlab-ci-local"
DAY = "2025-03-03"
TOKEN = "glpat-Zq9-never-shown-4d5e6f7a8b9c"
PAGES_URL = "https://acme.gitlab.io/campaigns"


def _gitlab_ci(lang: str = "en", requirement: str = "ptrack-campaigns==9.9.0") -> str:
    files = plan_scaffold(lang=lang, today=date(2025, 3, 3), requirement=requirement, forge="gitlab")
    return next(f.text for f in files if f.path == GITLAB_CI_FILE)


# -- GitLab's schema -------------------------------------------------------------------------------

def _check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("check-jsonschema", path=str(Path(ptrack_exe()).parent)) or shutil.which("check-jsonschema")
    need(exe is not None, "check-jsonschema is not installed (the test extra has it)")
    return subprocess.run([exe, "--builtin-schema", "vendor.gitlab-ci", str(path)], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("requirement", ["ptrack-campaigns==0.1.0",
                                         "ptrack-campaigns @ git+https://github.com/acme/ptrack@" + "a" * 40])
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_valid_against_gitlabs_ci_schema(tmp_path, lang, requirement):
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text(_gitlab_ci(lang, requirement), encoding="utf-8")
    proc = _check_jsonschema(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok -- validation done" in proc.stdout


def test_the_schema_check_finds_mistakes(tmp_path):
    # a clean result must mean something: GitLab's schema refuses an unknown artifacts `when`
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text(_gitlab_ci().replace("    when: always\n", "    when: sometimes\n", 1), encoding="utf-8")
    proc = _check_jsonschema(path)
    assert proc.returncode == 1 and "sometimes" in proc.stdout + proc.stderr


# -- what the jobs are -----------------------------------------------------------------------------

def test_jobs_rules_reports_and_the_pinned_version():
    ci = yaml.safe_load(_gitlab_ci(requirement="ptrack-campaigns==9.9.0"))
    assert ci["variables"]["PTRACK_REQUIREMENT"] == "ptrack-campaigns==9.9.0"  # the ptrack running init
    assert ci["variables"]["GIT_DEPTH"] == "0"  # the whole history: the diff base, stale tasks, trend
    assert ci["variables"]["TZ"] == "UTC"       # en's default; zh-CN: Asia/Shanghai
    assert yaml.safe_load(_gitlab_ci("zh-CN"))["variables"]["TZ"] == "Asia/Shanghai"
    template = ci[".ptrack"]
    assert 'python3 -m pip install --quiet "$PTRACK_REQUIREMENT"' in template["before_script"][1]
    assert '"$PTRACK_INSTALL" = "preinstalled"' in template["before_script"][1]
    assert "command -v git" in template["before_script"][0]  # slim images have no git: installed first
    jobs = {name: job for name, job in ci.items() if isinstance(job, dict) and "script" in job}
    assert set(jobs) == {"check", "plan-diff", "pages", "notify", "intake"}
    assert all(job["extends"] == ".ptrack" for job in jobs.values())
    check = jobs["check"]
    assert check["script"] == ["ptrack check --report codequality=gl-code-quality-report.json "
                               "--report junit=ptrack-junit.xml"]
    assert check["artifacts"]["when"] == "always"  # the reports of a failing check are uploaded
    assert check["artifacts"]["reports"] == {"codequality": "gl-code-quality-report.json", "junit": "ptrack-junit.xml"}
    intake_only = {"if": '$CI_PIPELINE_SOURCE == "trigger" || $PTRACK_INTAKE == "true"', "when": "never"}
    assert check["rules"][0] == intake_only and [r["if"] for r in check["rules"][1:]] == [
        '$CI_PIPELINE_SOURCE == "merge_request_event"',
        '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "schedule"']
    assert "allow_failure" not in check["rules"][1] and check["rules"][2]["allow_failure"] is True
    assert jobs["pages"]["script"][-1] == 'ptrack build --out public --site-url "$CI_PAGES_URL"'
    assert jobs["pages"]["artifacts"]["paths"] == ["public"] and jobs["pages"]["needs"] == []
    assert jobs["pages"]["rules"][0] == intake_only
    assert jobs["notify"]["rules"] == [{"if": '$PTRACK_INTAKE == "true"', "when": "never"},
                                       {"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    intake = jobs["intake"]
    assert intake["script"] == ["ptrack update --from-open-issues"]
    assert intake["rules"] == [{"if": '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && ($CI_PIPELINE_SOURCE == "trigger" '
                                      '|| $PTRACK_INTAKE == "true")'}]
    # one run at a time, never stopped halfway by a newer pipeline
    assert (intake["resource_group"], intake["interruptible"], intake["needs"]) == ("ptrack-intake", False, [])
    assert jobs["notify"]["cache"]["paths"] == [".ptrack/"]  # the send-once record, from one run to the next
    assert jobs["plan-diff"]["script"][-1] == "ptrack comment plan-diff.md"
    assert jobs["plan-diff"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    text = _gitlab_ci()
    assert "0 9 * * 1-5" in text and "Asia/Shanghai" in text and "PTRACK_GITLAB_TOKEN" in text


def test_git_is_installed_when_the_image_lacks_it(tmp_path):
    """The first line of every job, run by sh with a PATH that has no git (as python:3.12-slim):
    apt-get installs it; with PTRACK_INSTALL=preinstalled (no network) it only says so; with git
    there, nothing is done."""
    snippet = yaml.safe_load(_gitlab_ci())[".ptrack"]["before_script"][0]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> {log}\n', encoding="utf-8")
    (bin_dir / "apt-get").chmod(0o755)

    def run(**env: str) -> str:
        proc = subprocess.run(["/bin/sh", "-c", snippet], env={"PATH": str(bin_dir), **env}, capture_output=True,
                              text=True, timeout=30)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert run(PTRACK_INSTALL="pip") == ""
    assert log.read_text("utf-8") == "update -qq\ninstall -y -qq --no-install-recommends git\n"
    log.unlink()
    assert run(PTRACK_INSTALL="preinstalled") == (
        "ptrack: git is not installed in the image: no plan history, no plan diff, no intake\n")
    assert not log.exists()
    (bin_dir / "git").write_text("#!/bin/sh\n", encoding="utf-8")
    (bin_dir / "git").chmod(0o755)
    assert run(PTRACK_INSTALL="pip") == "" and not log.exists()


# -- the jobs, run by gitlab-ci-local --------------------------------------------------------------

def _available() -> bool:
    return shutil.which("node") is not None and GITLAB_CI_LOCAL.exists() and shutil.which("rsync") is not None


@pytest.fixture
def project(tmp_path) -> Path:
    """A repository as `ptrack init --forge gitlab` leaves it, committed on main."""
    need(_available(), f"gitlab-ci-local needs Node, {GITLAB_CI_LOCAL} and rsync")
    repo = git_repo(tmp_path / "campaigns")
    proc = subprocess.run([ptrack_exe(), "init", "--forge", "gitlab", "--lang", "en", "--name", "Spring launch"],
                          cwd=repo, env=clean_env(PTRACK_AS_OF=DAY), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    git(repo, "remote", "add", "origin", "https://gitlab.example.com/acme/campaigns.git")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "ptrack init")
    return repo


def _pipeline(repo: Path, *args: str, source: str = "push", variables: dict[str, str] | None = None,
              expect: int = 0) -> str:
    """Run gitlab-ci-local (shell executor) in ``repo``: the jobs named in ``args``, else the
    pipeline of ``source``; returns its output. The jobs find this checkout's ptrack on PATH."""
    bin_dir = str(Path(ptrack_exe()).parent)
    env = clean_env(HOME=str(repo.parent / "home"), PATH=bin_dir + ":" + clean_env()["PATH"])
    cmd = [str(GITLAB_CI_LOCAL), "--force-shell-executor", "--no-color", "--variable", "PTRACK_INSTALL=preinstalled",
           "--variable", f"PTRACK_AS_OF={DAY}", "--variable", f"CI_PIPELINE_SOURCE={source}",
           "--ignore-predefined-vars", "CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_API_V4_URL,CI_PROJECT_ID,CI_PAGES_URL"]
    if source == "merge_request_event":
        cmd += ["--unset-variable", "CI_COMMIT_BRANCH"]  # as in GitLab: a merge-request pipeline has none
    for name, value in (variables or {}).items():
        cmd += ["--variable", f"{name}={value}"]
    proc = subprocess.run(cmd + list(args), cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    logs = "".join(p.read_text(encoding="utf-8", errors="replace")
                   for p in (repo / ".gitlab-ci-local" / "output").glob("*.log"))
    assert TOKEN not in output + logs  # never shown, in any job log
    assert proc.returncode == expect, output
    return output


def _validate_code_quality(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM
    issues = json.loads(raw.decode("utf-8"))
    assert isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and isinstance(issue["fingerprint"], str)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["path"], str)
        assert isinstance(issue["location"]["lines"]["begin"], int)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    return issues


def _mr_variables(gitlab: FakeGitLab, base: str, token: str | None = TOKEN) -> dict[str, str]:
    variables = {"CI_MERGE_REQUEST_IID": str(gitlab.iid), "CI_API_V4_URL": gitlab.api_url,
                 "CI_PROJECT_ID": gitlab.project, "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
                 "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}
    if token:
        variables["PTRACK_GITLAB_TOKEN"] = token
    return variables


def test_which_jobs_run_in_which_pipeline(project):
    def jobs(source: str, **variables: str) -> dict[str, str]:
        out = _pipeline(project, "--list-csv", source=source, variables=variables)
        rows = [line.split(";") for line in out.splitlines() if line.count(";") >= 4]
        header = rows[0]
        return {row[header.index("name")]: row[header.index("allowFailure")] for row in rows[1:]}

    assert jobs("push") == {"check": "true", "pages": "false"}  # main: the check may fail, the page is published
    assert jobs("schedule") == {"pages": "false", "notify": "false"}
    # a pipeline trigger (the Issues webhook), or a schedule with PTRACK_INTAKE=true: intake alone
    assert jobs("trigger") == {"intake": "false"}
    assert jobs("schedule", PTRACK_INTAKE="true") == {"intake": "false"}
    git(project, "checkout", "-q", "-b", "feature")
    assert jobs("merge_request_event") == {"check": "false", "plan-diff": "true"}
    assert jobs("trigger") == {}  # only on the default branch


def test_merge_request_pipeline_check_fails_with_reports_and_the_plan_diff_comment(project):
    base = git(project, "rev-parse", "HEAD")
    git(project, "checkout", "-q", "-b", "feature")
    campaign = project / "campaigns" / "spring-launch.yaml"
    # the risk's deadline moved before the day: an overdue risk, the check fails
    campaign.write_text(campaign.read_text(encoding="utf-8").replace("due: 2025-03-08", "due: 2025-03-01"),
                        encoding="utf-8")
    git(project, "commit", "-q", "-am", "The visual style risk was due last week")
    with FakeGitLab(TOKEN) as gitlab:
        out = _pipeline(project, source="merge_request_event", variables=_mr_variables(gitlab, base), expect=1)
        assert "check" in out and "FAIL" in out
        assert "error [risk-overdue]" in out  # the text in the job log
        issues = _validate_code_quality(project / "gl-code-quality-report.json")
        assert [(i["check_name"], i["severity"], i["location"]["path"]) for i in issues] == [
            ("risk-overdue", "critical", "campaigns/spring-launch.yaml")]
        root = ET.parse(project / "ptrack-junit.xml").getroot()
        failures = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
        assert root.tag == "testsuites" and root.get("failures") == "1" and failures == ["risk-overdue"]
        # the plan diff, as a comment on the merge request
        [note] = gitlab.ours()
        assert note["body"].startswith("<!-- ptrack:plan-diff -->\n## Plan changes")
        assert "The visual style may change" in note["body"]
        assert f"ptrack: posted the plan changes as a comment on merge request !7 (note {note['id']})." in out

        # a second push: the comment is updated in place
        campaign.write_text(campaign.read_text(encoding="utf-8").replace("progress: 20 ", "progress: 35 "),
                            encoding="utf-8")
        git(project, "commit", "-q", "-am", "Posters 35%")
        out = _pipeline(project, "plan-diff", source="merge_request_event", variables=_mr_variables(gitlab, base))
        assert gitlab.ours() == [note] and note["updated"] == 1
        assert "actual progress 20.0% → 35.0%" in note["body"] and "The visual style may change" in note["body"]
        assert f"ptrack: updated its comment on merge request !7 (note {note['id']})." in out

        # no token: the job says so and passes; nothing is sent
        calls = len(gitlab.calls)
        out = _pipeline(project, "plan-diff", source="merge_request_event",
                        variables=_mr_variables(gitlab, base, token=None))
        assert "ptrack: no comment posted: PTRACK_GITLAB_TOKEN is not set." in out and "PASS" in out
        assert len(gitlab.calls) == calls


def test_the_intake_job_applies_an_update_issue_against_a_fake_gitlab(project, tmp_path):
    """The intake job's real script, run by gitlab-ci-local in a trigger pipeline (what the
    project's Issues webhook starts): the fake GitLab holds the project's repository (served over
    HTTP, the token checked on every fetch and push) and one update issue; the job opens a merge
    request with the person's commit, replies with the figures and closes the issue."""
    from gitlab_support import FakeGitLab

    campaign = project / "campaigns" / "spring-launch.yaml"
    campaign.write_text(campaign.read_text(encoding="utf-8").replace(
        "designer: {name: Design lead, department: Design}",
        "designer: {name: Design lead, department: Design, gitlab: zhang.design}"), encoding="utf-8")
    git(project, "commit", "-q", "-am", "the designer's GitLab username")
    with FakeGitLab(TOKEN, origin=tmp_path / "srv" / "acme" / "campaigns.git") as gitlab:
        gitlab.origin.parent.mkdir(parents=True)
        git(tmp_path, "clone", "-q", "--bare", str(project), str(gitlab.origin))
        git(project, "remote", "set-url", "origin", gitlab.git_url)  # what gitlab-ci-local reads the project from
        git(project, "fetch", "-q", str(gitlab.origin), "+refs/heads/main:refs/remotes/origin/main")
        git(project, "remote", "set-head", "origin", "main")
        template = (project / ".gitlab" / "issue_templates" / "Progress update.md").read_text(encoding="utf-8")
        description = template.replace("### Campaign ID\n\n", "### Campaign ID\n\nspring-launch\n", 1).replace(
            "### Task ID\n\n", "### Task ID\n\ncontent\n", 1).replace(
            "### Progress (%)\n\n", "### Progress (%)\n\n80\n", 1)
        issue = gitlab.open_issue(description, user={"id": 31, "username": "zhang.design", "name": "Zhang"},
                                  title="Progress update: Posters and short videos")
        gitlab.open_issue("Hello, the page is slow.", user={"id": 32, "username": "someone", "name": "S"})
        variables = {"CI_API_V4_URL": gitlab.api_url, "CI_PROJECT_ID": gitlab.project, "PTRACK_INTAKE_TOKEN": TOKEN}
        out = _pipeline(project, source="trigger", variables=variables)
        assert "intake" in out and "PASS" in out and "check" not in out.split("intake", 1)[0]
        assert "ptrack: issue #1 applied: [merge request !1](https://gitlab.example.cn/acme/campaigns/-/merge_requests/1)" \
            in out
        assert "ptrack: 2 open issue(s), 1 of them update or risk forms: applied 1" in out
        [mr] = gitlab.merge_requests
        assert (mr["source_branch"], mr["target_branch"]) == ("ptrack/issue-1", "main")
        sha = git(gitlab.origin, "rev-parse", "refs/heads/ptrack/issue-1")
        assert git(gitlab.origin, "log", "-1", "--format=%an <%ae>|%s", sha) == (
            "Design lead <31-zhang.design@users.noreply.gitlab.example.cn>|Update content (#1)")
        assert "progress: 80 " in git(gitlab.origin, "show", f"{sha}:campaigns/spring-launch.yaml")
        assert issue["state"] == "closed" and gitlab.issues[2]["state"] == "opened"
        [reply] = gitlab.replies(1)
        assert "| After |" in reply and f"[merge request !1]({mr['web_url']})" in reply
        assert gitlab.replies(2) == []
        pushes = [c for c in gitlab.git_calls if c.method == "POST" and c.path.endswith("/git-receive-pack")]
        assert len(pushes) == 1 and all(c.headers["authorization"].startswith("Basic ") for c in gitlab.git_calls)
        # no token: the job says which variable it needs and fails (someone set up the trigger)
        out = _pipeline(project, "intake", source="trigger", variables={**variables, "PTRACK_INTAKE_TOKEN": ""},
                        expect=1)
        assert "no GitLab token for intake: add the CI/CD variable PTRACK_INTAKE_TOKEN" in out


def test_default_branch_pipeline_publishes_the_pages(project):
    out = _pipeline(project, source="push", variables={"CI_PAGES_URL": PAGES_URL})
    assert "PASS" in out and "pages" in out
    index = project / "public" / "index.html"
    assert index.is_file() and "Spring launch" in index.read_text(encoding="utf-8")
    schema = json.loads((project / "public" / "schema" / "campaign-1.schema.json").read_text(encoding="utf-8"))
    assert schema["$id"] == PAGES_URL + "/schema/campaign-1.schema.json"  # --site-url "$CI_PAGES_URL"
    # the sample is clean on its day: the check passed and left empty reports
    assert _validate_code_quality(project / "gl-code-quality-report.json") == []
    assert ET.parse(project / "ptrack-junit.xml").getroot().get("failures") == "0"


def test_scheduled_notify_job(project):
    out = _pipeline(project, "notify", source="schedule")
    assert "ptrack notify: no notify.channels in ptrack.yaml yet: nothing was sent" in out and "PASS" in out
    config = project / "ptrack.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "site_url: https://acme.gitlab.io/campaigns\nnotify:\n"
                      "  channels:\n    team: {type: slack, webhook_env: PTRACK_SLACK_WEBHOOK}\n", encoding="utf-8")
    git(project, "commit", "-q", "-am", "notify the team on Slack")
    out = _pipeline(project, "notify", source="schedule", variables={"PTRACK_NOTIFY_DRY_RUN": "true"})
    assert "PASS" in out and "dry run" in out.lower() and "Spring launch" in out


# -- docs/gitlab.md tells the truth about the file -------------------------------------------------

def test_docs_name_every_job_and_variable_and_their_example_is_valid(tmp_path):
    import re

    docs = (ROOT / "docs" / "gitlab.md").read_text(encoding="utf-8")
    ci = yaml.safe_load(_gitlab_ci())
    jobs = [name for name, job in ci.items() if isinstance(job, dict) and "script" in job]
    assert all(f"| `{name}` |" in docs for name in jobs)
    settable = {"PTRACK_REQUIREMENT", "PTRACK_INSTALL", "PTRACK_IMAGE", "TZ", "GIT_DEPTH"}
    assert settable <= set(ci["variables"]) and all(f"`{v}" in docs for v in settable)
    for name in ("PTRACK_GITLAB_TOKEN", "PTRACK_NOTIFY_DRY_RUN", "0 9 * * 1-5", "Asia/Shanghai",
                 "gl-code-quality-report.json", "ptrack-junit.xml", "PTRACK_INTAKE_TOKEN", "PTRACK_INTAKE=true",
                 "ptrack update --from-open-issues", "resource_group", "write_repository"):
        assert name in docs and name in _gitlab_ci(), name
    # the templates' names, as the forms' definition gives them
    from ptrack.forge.fields import RISK, UPDATE

    assert (f"| zh-CN (also without a `locale`) | `.gitlab/issue_templates/{UPDATE.template_name('zh-CN')}.md` | "
            f"`{RISK.template_name('zh-CN')}.md` |") in docs
    for locale in ("zh-TW", "en"):
        assert f"| {locale} | `{UPDATE.template_name(locale)}.md` | `{RISK.template_name(locale)}.md` |" in docs
    # the example of a job of your own, added to the file init writes, is still valid GitLab CI
    example = re.search(r"```yaml\n(weekly-report:.*?)```", docs, re.S).group(1)
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text(_gitlab_ci() + "\n" + example, encoding="utf-8")
    proc = _check_jsonschema(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["weekly-report"]["extends"] == ".ptrack"


def test_readme_lists_every_command():
    from ptrack.cli import cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Commands", 1)[1].split("```", 2)[1]
    assert sorted(name for name in cli.commands) == sorted({line.split()[1] for line in block.splitlines()
                                                            if line.startswith("ptrack ")})
    assert "--format text|github|json|junit|codequality" in block and "--forge github|gitlab" in block
