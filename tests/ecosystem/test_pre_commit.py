"""The pre-commit hooks of .pre-commit-hooks.yaml, run by real `pre-commit` from a copy of this
repository (the working tree, committed into a temporary git repository, since pre-commit
installs hooks from a git revision) in a temporary campaign repository. pre-commit builds its
own virtualenv and pip-installs ptrack into it, as it would for a user."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import yaml

from ecosystem_support import ROOT, clean_env, copy_source_tree, git, git_repo, need
from ptrack.init import plan_scaffold

DAY = date(2025, 3, 3)


def _pre_commit_available() -> bool:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def campaign_repo(tmp_path_factory):
    need(_pre_commit_available(), "pre-commit is not installed (the test extra has it)")
    base = tmp_path_factory.mktemp("pre-commit")
    hooks = git_repo(copy_source_tree(base / "ptrack"))
    git(hooks, "add", "-A")
    git(hooks, "commit", "-q", "-m", "ptrack working tree")
    rev = git(hooks, "rev-parse", "HEAD")

    repo = git_repo(base / "campaigns-repo")
    config = {"repos": [{"repo": str(hooks), "rev": rev,
                         "hooks": [{"id": "ptrack-validate"}, {"id": "ptrack-check"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    good = next(f.text for f in plan_scaffold(lang="en", today=DAY, requirement="ptrack==1")
                if f.path.startswith("campaigns/"))
    (repo / "campaigns").mkdir()
    (repo / "campaigns" / "good.yaml").write_text(good, encoding="utf-8")
    # The same campaign with a progress of 150 (the schema allows 0-100).
    bad = re.sub(r"progress: \d+", "progress: 150", good, count=1)
    (repo / "campaigns" / "bad.yaml").write_text(bad, encoding="utf-8")
    (repo / "notes.yaml").write_text("not: [a campaign\n", encoding="utf-8")  # outside campaigns/
    git(repo, "add", "-A")
    return repo, base / "cache", 1 + bad.splitlines().index(next(line for line in bad.splitlines()
                                                                  if "progress: 150" in line))


def _run(repo: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = clean_env(PRE_COMMIT_HOME=str(cache), PTRACK_AS_OF=DAY.isoformat(), PRE_COMMIT_COLOR="never")
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=300)


def test_validate_hook_blocks_a_bad_file_and_passes_a_good_one(campaign_repo):
    repo, cache, bad_line = campaign_repo
    started = time.monotonic()
    bad = _run(repo, cache, "ptrack-validate", "--files", "campaigns/bad.yaml")
    print(f"first pre-commit run (builds the hook environment): {time.monotonic() - started:.1f} s")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert re.search(rf"^campaigns/bad\.yaml:{bad_line}:\d+: error ", bad.stdout, re.M), bad.stdout
    assert "Failed" in bad.stdout
    good = _run(repo, cache, "ptrack-validate", "--files", "campaigns/good.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"^ptrack validate\.+Passed$", good.stdout, re.M), good.stdout
    other = _run(repo, cache, "ptrack-validate", "--files", "notes.yaml")
    assert other.returncode == 0 and "(no files to check)Skipped" in other.stdout


def test_check_hook_checks_every_campaign(campaign_repo):
    repo, cache, _ = campaign_repo
    both = _run(repo, cache, "ptrack-check", "--files", "campaigns/good.yaml")
    assert both.returncode == 1 and "campaigns/bad.yaml" in both.stdout  # the whole portfolio
    (repo / "campaigns" / "bad.yaml").unlink()
    git(repo, "add", "-A")
    clean = _run(repo, cache, "ptrack-check", "--files", "campaigns/good.yaml")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"^ptrack check\.+Passed$", clean.stdout, re.M)


def test_hook_manifest():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"ptrack-validate", "ptrack-check"}
    validate, check = hooks["ptrack-validate"], hooks["ptrack-check"]
    assert validate["entry"] == "ptrack validate" and validate["language"] == "python"
    assert validate["types"] == ["yaml"] and validate.get("pass_filenames", True)
    assert check["entry"] == "ptrack check" and check["pass_filenames"] is False
    pattern = re.compile(validate["files"])
    assert pattern.search("campaigns/spring.yaml") and pattern.search("campaigns/a.yml")
    assert not pattern.search("ptrack.yaml") and not pattern.search("examples/campaign.yaml")
