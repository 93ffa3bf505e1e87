"""`ptrack init [DIR] [--lang] [--name] [--id]`: what it writes, that it never overwrites, that
the sample campaign is valid and clean on the day it is written whatever the holidays around it,
and that validate / check / build then work in DIR with no path (through ptrack.yaml)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from ecosystem_support import ROOT, clean_env, git_repo, ptrack_exe
from ptrack import __version__
from ptrack.core.calendars import published_until
from ptrack.core.config import load_config
from ptrack.init import (CONFIG_FILE, DIST_NAME, GITLAB_CI_FILE, INTAKE_WORKFLOW_FILE, NOTIFY_WORKFLOW_FILE,
                         PRE_COMMIT_FILE, README_FILE, RISK_FORM_FILE, UPDATE_FORM_FILE,
                         WORKFLOW_FILE, init_project, pip_requirement, plan_scaffold, requirement_from, sample_progress)
from ptrack.pipeline import check_files
from ptrack.core.validate import load_schema

DAY = "2025-03-03"
TARGETS = {CONFIG_FILE, WORKFLOW_FILE, NOTIFY_WORKFLOW_FILE, INTAKE_WORKFLOW_FILE, UPDATE_FORM_FILE, RISK_FORM_FILE,
           PRE_COMMIT_FILE, README_FILE}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def test_init_writes_the_nine_files(run_cli, tmp_path):
    code, out, err = run_cli("init", tmp_path / "team", "--as-of", DAY)
    assert code == 0, err
    files = _tree(tmp_path / "team")
    assert set(files) == TARGETS | {"campaigns/product-launch-2025.yaml", ".gitignore"}
    assert files[".gitignore"] == b"# ptrack: local state (ptrack notify's send-once record and its lock)\n.ptrack/\n"
    assert "  .gitignore（新建：让 .ptrack/ 这一 ptrack 本地状态不进入 git）" in out.splitlines()
    assert "已在" in out and "campaigns/product-launch-2025.yaml" in out  # zh-CN by default
    campaign = files["campaigns/product-launch-2025.yaml"].decode()
    assert campaign.splitlines()[0] == f"# yaml-language-server: $schema={load_schema()['$id']}"
    data = yaml.safe_load(campaign)
    assert data["campaign"]["locale"] == "zh-CN" and data["campaign"]["calendar"] == "CN"
    assert len(data["tasks"]) == 5
    assert {"2025-02-23", "2025-04-07"} == {str(data["campaign"]["start"]), str(data["campaign"]["end"])}
    config = yaml.safe_load(files[CONFIG_FILE])
    assert config["campaigns"] == "campaigns/*.yaml" and config["locale"] == "zh-CN"
    readme = files[README_FILE].decode()
    assert readme.startswith("# 市场部活动看板") and "campaigns/product-launch-2025.yaml" in readme
    assert "pipx install ptrack-campaigns" in readme  # the distribution's name; the command is ptrack
    assert "@@" not in "".join(f.decode() for f in files.values())
    assert not list((tmp_path / "team").rglob("*.tmp")), "atomic writes leave no temp file"


def test_init_in_english_with_a_name(run_cli, tmp_path):
    code, out, err = run_cli("init", tmp_path, "--lang", "en", "--name", "Double 11: Flagship Store", "--as-of", DAY)
    assert code == 0, err
    assert out.startswith(f"Created 9 files in {os.path.normpath(tmp_path)}:")
    campaign = (tmp_path / "campaigns" / "double-11-flagship-store.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(campaign)
    assert data["campaign"] == {**data["campaign"], "id": "double-11-flagship-store",
                                "name": "Double 11: Flagship Store", "locale": "en", "calendar": "weekends"}
    readme = (tmp_path / README_FILE).read_text(encoding="utf-8")
    assert readme.startswith("# Marketing campaigns") and "pipx install ptrack-campaigns" in readme


@pytest.mark.parametrize("args, file", [
    (("--name", "双11旗舰店大促"), "campaigns/campaign-2025-03.yaml"),  # no ASCII: a dated id
    (("--name", "双11旗舰店大促", "--id", "double-11"), "campaigns/double-11.yaml"),
])
def test_ids_and_file_names(run_cli, tmp_path, args, file):
    code, _, err = run_cli("init", tmp_path, *args, "--as-of", DAY)
    assert code == 0, err
    data = yaml.safe_load((tmp_path / file).read_text(encoding="utf-8"))
    assert data["campaign"]["name"] == "双11旗舰店大促"


def test_init_in_the_current_folder(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("init", "--lang", "en", "--as-of", DAY)
    assert code == 0, err
    assert (tmp_path / CONFIG_FILE).is_file()


@pytest.mark.parametrize("existing", [README_FILE, ".github/workflows/ptrack.yml", "campaigns/product-launch-2025.yaml"])
def test_never_overwrites_and_writes_nothing(run_cli, tmp_path, existing):
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("ours\n")
    before = _tree(tmp_path)
    code, out, err = run_cli("init", tmp_path, "--lang", "en", "--as-of", DAY)
    assert code == 1 and out == ""
    assert "these files already exist" in err and f"  {existing}\n" in err and "Nothing was written" in err
    assert _tree(tmp_path) == before


def test_reports_every_existing_file(run_cli, tmp_path):
    assert run_cli("init", tmp_path, "--as-of", DAY)[0] == 0
    code, _, err = run_cli("init", tmp_path, "--as-of", DAY)
    assert code == 1
    assert "已有以下文件" in err and all(f"  {name}\n" in err for name in TARGETS)


@pytest.mark.parametrize("args, message", [
    (("--id", "Spring Launch"), "ptrack：错误：--id：“Spring Launch”不是有效的编号"),  # zh-CN: init's default
    (("--id", "Spring Launch", "--lang", "en"), '--id: "Spring Launch" is not an id'),
    (("--name", "two\nlines", "--lang", "en"), "--name: give the campaign's name on one line"),
    (("--lang", "fr"), "错误：'--lang' 的值无效：'fr' 不是 'zh-CN', 'en' 之一。"),
    (("--as-of", "2025-02-30"), "“2025-02-30”不是日期"),
])
def test_usage_errors_write_nothing(run_cli, tmp_path, args, message):
    code, _, err = run_cli("init", tmp_path / "new", *args)
    assert code == 2 and message in err
    assert not (tmp_path / "new").exists()


def test_dir_that_is_a_file(run_cli, tmp_path):
    (tmp_path / "f").write_text("x")
    code, _, err = run_cli("init", tmp_path / "f")
    assert code == 2


def test_a_failed_write_keeps_nothing(tmp_path, monkeypatch):
    import ptrack.fsutil

    real, calls = ptrack.fsutil.atomic_write, []

    def flaky(path, data, **kw):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(path))
        return real(path, data, **kw)

    monkeypatch.setattr(ptrack.fsutil, "atomic_write", flaky)
    from ptrack.errors import UsageError

    with pytest.raises(UsageError, match="No space left on device"):
        init_project(tmp_path, lang="en", today=date(2025, 3, 3), requirement="ptrack==1")
    assert _tree(tmp_path) == {}


# -- the sample campaign is clean on its day, whatever the calendar ----------------------------

def _days():
    """Every day around the Chinese Spring Festival and National Day holidays (long breaks and
    make-up working days), and every 5th day of two years."""
    days = set()
    for start, end in (("2025-01-20", "2025-02-15"), ("2025-09-24", "2025-10-15"), ("2026-02-07", "2026-03-01")):
        d = date.fromisoformat(start)
        while d <= date.fromisoformat(end):
            days.add(d)
            d += timedelta(days=1)
    days.update(date(2025, 1, 1) + timedelta(days=5 * n) for n in range(146))
    return sorted(days)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_sample_campaign_is_valid_and_clean_on_its_day(tmp_path, lang):
    git_repo(tmp_path)
    config = load_config(tmp_path)
    path = tmp_path / "c.yaml"
    dirty = {}
    for day in _days():
        text = next(f.text for f in plan_scaffold(lang=lang, today=day, requirement="ptrack==1")
                    if f.path.startswith("campaigns/"))
        path.write_text(text, encoding="utf-8")
        report = check_files([path], config, day, strict=True, git=False)
        # a sample that reaches a year the holidays package only estimates (CN after its last
        # published 放假安排) says so, and nothing else
        data = yaml.safe_load(text)
        days = [data["campaign"]["start"], data["campaign"]["end"]] + [
            d for t in data["tasks"] for d in (t["planned"]["start"], t["planned"]["end"])]
        last = published_until(data["campaign"].get("calendar", "weekends"))
        estimated = last is not None and max(days).year > last
        found = [d for d in report.diagnostics if d.code != "calendar-estimated"]
        if found or estimated != any(d.code == "calendar-estimated" for d in report.diagnostics):
            dirty[day.isoformat()] = [d.format_text() for d in report.diagnostics]
    assert not dirty


def test_sample_progress_is_the_plan_rounded_up():
    # 2025-03-03 is a Monday; the task runs Fri 02-28 .. Fri 03-14 (11 working days Mon-Fri);
    # done by Monday: Fri + Mon = 2 -> 18.2% -> rounded up to 20.
    assert sample_progress("weekends", date(2025, 3, 3)) == 20
    # Spring Festival 2026 (15-23 Feb off, Sat 14 and Sat 28 Feb worked): as of Fri 13 Feb the
    # task runs 10..24 Feb: 10-13 Feb, 14 Feb (make-up) and 24 Feb = 6 working days, 4 done
    # by the 13th -> 66.7% -> 70.
    assert sample_progress("CN", date(2026, 2, 13)) == 70


# -- after init: the commands find ptrack.yaml --------------------------------------------------

def _ptrack(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ptrack_exe(), *args], cwd=cwd, env=clean_env(PTRACK_AS_OF=DAY),
                          capture_output=True, text=True, timeout=120)


def test_commands_use_ptrack_yaml_after_init(tmp_path):
    repo = git_repo(tmp_path / "team")
    init = _ptrack(repo, "init", "--lang", "en", "--name", "Spring launch")
    assert init.returncode == 0, init.stderr
    validate = _ptrack(repo, "validate")
    assert validate.returncode == 0 and "1 campaign file valid" in validate.stderr
    check = _ptrack(repo, "check", "--strict")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 errors, 0 warnings" in check.stdout + check.stderr
    build = _ptrack(repo, "build", "--out", "site")
    assert build.returncode == 0, build.stderr
    status = json.loads((repo / "site" / "spring-launch" / "status.json").read_text(encoding="utf-8"))
    assert status["as_of"] == DAY
    # From a subfolder, and after moving the campaigns where only ptrack.yaml says they are.
    (repo / "plans").mkdir()
    (repo / "campaigns" / "spring-launch.yaml").rename(repo / "plans" / "spring-launch.yaml")
    (repo / "campaigns").rmdir()
    config = (repo / CONFIG_FILE).read_text(encoding="utf-8")
    (repo / CONFIG_FILE).write_text(config.replace("campaigns: campaigns/*.yaml", "campaigns: plans/*.yaml"))
    status = _ptrack(repo / "plans", "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    assert [c["id"] for c in json.loads(status.stdout)["campaigns"]] == ["spring-launch"]


# -- how CI installs ptrack -------------------------------------------------------------------

@pytest.mark.parametrize("direct_url, expected", [
    (None, "ptrack-campaigns==0.3.0"),
    ({"url": "file:///home/me/ptrack", "dir_info": {"editable": True}}, "ptrack-campaigns==0.3.0"),
    ({"url": "https://github.com/acme/ptrack", "vcs_info": {"vcs": "git", "commit_id": "a" * 40,
                                                            "requested_revision": "v0.3.0"}},
     "ptrack-campaigns @ git+https://github.com/acme/ptrack@" + "a" * 40),
    ({"url": "https://example.com/ptrack_campaigns-0.3.0.tar.gz", "archive_info": {}},
     "ptrack-campaigns @ https://example.com/ptrack_campaigns-0.3.0.tar.gz"),
])
def test_requirement_from_how_ptrack_was_installed(direct_url, expected):
    assert requirement_from("ptrack-campaigns", "0.3.0", direct_url) == expected


def test_the_requirement_names_the_distribution():
    # The test environment installs this checkout in editable mode (a local path CI cannot
    # install): the requirement is the distribution's name on PyPI and this version.
    assert DIST_NAME == "ptrack-campaigns"
    assert pip_requirement() == f"ptrack-campaigns=={__version__}"


def test_pre_commit_config_follows_the_requirement():
    def config(requirement):
        files = {f.path: f.text for f in plan_scaffold(lang="en", today=date(2025, 3, 3), requirement=requirement)}
        return yaml.safe_load(files[PRE_COMMIT_FILE]), files[WORKFLOW_FILE]

    local, workflow = config("ptrack==0.3.0")
    assert local["repos"][0]["repo"] == "local"
    hook = local["repos"][0]["hooks"][0]
    ours = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert hook["id"] == "ptrack-validate" and hook["entry"] == ours["ptrack-validate"]["entry"]
    assert hook["files"] == ours["ptrack-validate"]["files"]
    assert 'PTRACK_REQUIREMENT: "ptrack==0.3.0"' in workflow
    remote, workflow = config("ptrack @ git+https://github.com/acme/ptrack@" + "b" * 40)
    assert remote["repos"][0] == {"repo": "https://github.com/acme/ptrack", "rev": "b" * 40,
                                  "hooks": [{"id": "ptrack-validate"}]}
    assert f"(ptrack {__version__})" in workflow


def test_help_lists_init(run_cli):
    code, out, _ = run_cli("init", "--help")
    assert code == 0 and re.search(r"Never\s+overwrites", out) and re.search(r"--lang \[zh-CN\|en\]", out)
    assert re.search(r"--forge \[github\|gitlab\]", out)


# -- --forge gitlab --------------------------------------------------------------------------------

def test_init_for_gitlab_writes_gitlab_ci_and_no_github_files(run_cli, tmp_path):
    code, out, err = run_cli("init", tmp_path, "--forge", "gitlab", "--lang", "en", "--as-of", DAY)
    assert code == 0, err
    files = _tree(tmp_path)
    update_form, risk_form = ".gitlab/issue_templates/Progress update.md", ".gitlab/issue_templates/Report a risk.md"
    assert set(files) == {CONFIG_FILE, GITLAB_CI_FILE, update_form, risk_form, PRE_COMMIT_FILE, README_FILE,
                          "campaigns/product-launch-2025.yaml", ".gitignore"}
    assert out.startswith(f"Created 7 files in {os.path.normpath(tmp_path)}:")
    assert out.rstrip().endswith("On GitLab: add the CI/CD variable PTRACK_GITLAB_TOKEN and a pipeline schedule; for "
                                 "updates from issue links, give each person their `gitlab:` username in the campaign "
                                 "file and set up PTRACK_INTAKE_TOKEN and an Issues webhook (see README.md and "
                                 "docs/gitlab.md).")
    readme = files[README_FILE].decode()
    assert "| `.gitlab-ci.yml` |" in readme and ".github" not in readme and "GitHub" not in readme
    assert "`PTRACK_GITLAB_TOKEN`" in readme and "0 9 * * 1-5" in readme and "merge request" in readme
    assert "## Updates from a phone (issue templates)" in readme and "`PTRACK_INTAKE_TOKEN`" in readme
    config = files[CONFIG_FILE].decode()
    assert "# site_url: https://GROUP.gitlab.io/PROJECT" in config and "the notify\n# job of .gitlab-ci.yml" in config
    assert "\n# repo_url: https://gitlab.com/GROUP/PROJECT\nforge: gitlab\n" in config
    assert "\n# intake: {mode: pr}\n" in config
    loaded = load_config(tmp_path)
    assert loaded.campaigns and (loaded.forge, loaded.repo_url, loaded.locale) == ("gitlab", None, "en")
    # the templates are the ones `ptrack forms` writes: English, named as ptrack.yaml's language says
    assert files[update_form].decode().startswith("<!-- ") and "### Progress (%)" in files[update_form].decode()
    assert "@@" not in "".join(f.decode() for f in files.values())
    # the forge-neutral files are the same as for GitHub
    github = {f.path: f.text for f in plan_scaffold(lang="en", today=date(2025, 3, 3), requirement=pip_requirement())}
    for name in ("campaigns/product-launch-2025.yaml", PRE_COMMIT_FILE):
        assert files[name].decode() == github[name]


def test_init_for_gitlab_in_chinese(run_cli, tmp_path):
    code, out, err = run_cli("init", tmp_path, "--forge", "gitlab", "--as-of", DAY)
    assert code == 0, err
    assert "在 GitLab 上：添加 CI/CD 变量 PTRACK_GITLAB_TOKEN 和定时流水线" in out
    readme = (tmp_path / README_FILE).read_text(encoding="utf-8")
    assert "提交合并请求（Merge Request）" in readme and "GitHub" not in readme
    assert "## 手机上更新（Issue 模板）" in readme
    # the issue's own name for the template: .gitlab/issue_templates/进度更新.md
    template = (tmp_path / ".gitlab" / "issue_templates" / "进度更新.md").read_text(encoding="utf-8")
    assert "### 实际进度(%) / Progress (%)" in template
    assert (tmp_path / ".gitlab" / "issue_templates" / "报告风险.md").is_file()
    ci = (tmp_path / GITLAB_CI_FILE).read_text(encoding="utf-8")
    assert 'TZ: "Asia/Shanghai"' in ci and f'PTRACK_REQUIREMENT: "{pip_requirement()}"' in ci


def test_forge_github_is_the_default(run_cli, tmp_path):
    assert run_cli("init", tmp_path / "a", "--as-of", DAY)[0] == 0
    assert run_cli("init", tmp_path / "b", "--forge", "github", "--as-of", DAY)[0] == 0
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_gitlab_ci_file_is_never_overwritten(run_cli, tmp_path):
    (tmp_path / GITLAB_CI_FILE).write_text("ours\n")
    code, _, err = run_cli("init", tmp_path, "--forge", "gitlab", "--lang", "en", "--as-of", DAY)
    assert code == 1 and f"  {GITLAB_CI_FILE}\n" in err
    assert _tree(tmp_path) == {GITLAB_CI_FILE: b"ours\n"}


def test_unknown_forge(run_cli, tmp_path):
    code, _, err = run_cli("init", tmp_path / "new", "--forge", "svn")
    assert code == 2 and "'svn' 不是 'github', 'gitlab' 之一" in err
    from ptrack.errors import UsageError

    with pytest.raises(UsageError, match='--forge: "svn" is not one of github, gitlab'):
        plan_scaffold(lang="en", today=date(2025, 3, 3), requirement="x", forge="svn")


def test_the_cli_offers_every_forge_of_the_registry():
    from ptrack.cli import INIT_FORGES
    from ptrack.forge.scaffold import FORGES

    assert INIT_FORGES == tuple(FORGES)


def test_every_forge_fills_every_place_in_both_languages():
    import re as _re

    from ptrack.forge.scaffold import FORGES, fragments

    from ptrack.init import _template

    places = set()
    for lang in ("zh-CN", "en"):
        for name in ("ptrack.yaml", "README.md", "campaign.yaml"):
            places |= {m.lower() for m in _re.findall(r"@@FORGE_([A-Z_]+)@@", _template(f"{lang}/{name}"))}
    assert places == {"files", "review", "notify_secret", "notify_try", "notify_where", "site_url", "repo", "intake",
                      "intake_settings"}
    for forge in FORGES:
        for lang in ("zh-CN", "en"):
            assert set(fragments(forge, lang)) == places, (forge, lang)


@pytest.mark.parametrize("before, after, said", [
    # no newline at the end: one is added before ptrack's lines; the rest stays byte for byte
    (b"node_modules/\r\n*.log", b"node_modules/\r\n*.log\n# ptrack: local state (ptrack notify's send-once "
     b"record and its lock)\n.ptrack/\n", "  .gitignore (.ptrack/ added at its end: ptrack's local state stays out of git)"),
    (b"", b"# ptrack: local state (ptrack notify's send-once record and its lock)\n.ptrack/\n",
     "  .gitignore (.ptrack/ added at its end: ptrack's local state stays out of git)"),
    # already ignored, in any of the usual spellings: left alone, nothing said
    (b"/.ptrack\nbuild/\n", b"/.ptrack\nbuild/\n", None),
    (b"site/\n  .ptrack/  \n", b"site/\n  .ptrack/  \n", None),
])
def test_init_adds_ptrack_state_to_an_existing_gitignore(run_cli, tmp_path, before, after, said):
    (tmp_path / ".gitignore").write_bytes(before)
    code, out, err = run_cli("init", tmp_path, "--lang", "en", "--as-of", DAY)
    assert code == 0, err
    assert (tmp_path / ".gitignore").read_bytes() == after
    assert (said in out.splitlines()) if said else ".gitignore" not in out


def test_init_twice_adds_it_once_and_git_then_ignores_the_state(run_cli, tmp_path):
    assert run_cli("init", tmp_path, "--as-of", DAY)[0] == 0
    first = (tmp_path / ".gitignore").read_bytes()
    for name in TARGETS | {"campaigns/product-launch-2025.yaml"}:
        (tmp_path / name).unlink()
    assert run_cli("init", tmp_path, "--as-of", DAY)[0] == 0
    assert (tmp_path / ".gitignore").read_bytes() == first
    # git itself agrees: the send-once record and its lock are ignored
    (tmp_path / ".ptrack").mkdir()
    (tmp_path / ".ptrack" / "notify-sent.json").write_text("{}")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, env=clean_env())
    ignored = subprocess.run(["git", "-C", str(tmp_path), "check-ignore", ".ptrack/notify-sent.json",
                              ".ptrack/notify-sent.json.lock"], capture_output=True, text=True, env=clean_env())
    assert ignored.stdout.split() == [".ptrack/notify-sent.json", ".ptrack/notify-sent.json.lock"]


def test_a_refused_init_leaves_gitignore_alone(run_cli, tmp_path):
    (tmp_path / README_FILE).write_text("ours\n")
    (tmp_path / ".gitignore").write_bytes(b"dist/\n")
    assert run_cli("init", tmp_path, "--as-of", DAY)[0] == 1
    assert (tmp_path / ".gitignore").read_bytes() == b"dist/\n"
