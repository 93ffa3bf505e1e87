"""Packaging: the sdist and wheel of the distribution `ptrack-campaigns`, built from the working
tree with `python -m build` and passing `twine check` (as the release workflow does); the wheel
holds every package data file the code needs (schema, render templates and assets, init's
scaffold and the forges' CI templates, the message catalogs compiled by the build), the `ptrack` console script and the one version; installed from that wheel (not the
editable checkout), ptrack runs; `pipx install .` works."""

from __future__ import annotations

import configparser
import io
import os
import subprocess
import sys
import tarfile
import time
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from ecosystem_support import ROOT, clean_env, copy_source_tree, git_repo, need
from ptrack import __version__
from ptrack.core.validate import load_schema

PACKAGE = ROOT / "src" / "ptrack"
DATA_DIRS = ("schema", "render/templates", "render/assets", "scaffold", "forge/templates")


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the working tree: building in place would leave build/ in the checkout."""
    return copy_source_tree(tmp_path_factory.mktemp("source") / "ptrack")


@pytest.fixture(scope="module")
def dists(source, tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel, built as the release workflow builds them: ``python -m build``
    makes the sdist, then the wheel from the unpacked sdist (so the sdist must be complete)."""
    out = tmp_path_factory.mktemp("dist")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=600)
    print(f"python -m build: {time.monotonic() - started:.1f} s")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == [f"ptrack_campaigns-{__version__}-py3-none-any.whl",
                                                     f"ptrack_campaigns-{__version__}.tar.gz"]
    return {"sdist": out / f"ptrack_campaigns-{__version__}.tar.gz",
            "wheel": out / f"ptrack_campaigns-{__version__}-py3-none-any.whl"}


@pytest.fixture(scope="module")
def wheel(dists) -> Path:
    return dists["wheel"]


def test_twine_check_passes(dists):
    """What the release workflow runs before publishing: the metadata PyPI will show (the README
    as the long description) renders."""
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(dists["sdist"]),
                           str(dists["wheel"])], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2


def test_sdist_has_the_license_readme_and_sources(dists):
    with tarfile.open(dists["sdist"]) as tf:
        names = set(tf.getnames())
    top = f"ptrack_campaigns-{__version__}"
    assert {f"{top}/LICENSE", f"{top}/README.md", f"{top}/pyproject.toml", f"{top}/PKG-INFO",
            f"{top}/src/ptrack/cli.py", f"{top}/src/ptrack/schema/campaign.schema.json"} <= names


def _source_files(folder: str) -> list[str]:
    return sorted(p.relative_to(PACKAGE.parent).as_posix() for p in (PACKAGE / folder).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


@pytest.mark.parametrize("folder", DATA_DIRS)
def test_wheel_has_every_data_file(wheel, folder):
    files = _source_files(folder)
    assert files, f"src/ptrack/{folder} is empty"
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [f for f in files if f not in names] == []


def test_wheel_has_every_module_and_the_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = sorted(p.relative_to(PACKAGE.parent).as_posix() for p in PACKAGE.rglob("*.py")
                     if "__pycache__" not in p.parts)
    assert [m for m in modules if m not in names] == []
    assert "ptrack/schema/campaign.schema.json" in names
    assert "ptrack/forge/templates/github/ptrack.yml" in names
    assert "ptrack/forge/templates/gitlab/gitlab-ci.yml" in names


def test_wheel_has_the_compiled_message_catalogs(wheel, source):
    """The build compiles every .po (the source copy has no .mo) into the wheel, which ships the
    .mo files only; each holds the messages of its .po."""
    import gettext

    from ptrack.i18n import LOCALES

    assert not list((source / "src").rglob("*.mo"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert sorted(n for n in names if "/locale/" in n) == sorted(
            f"ptrack/locale/{tag.replace('-', '_')}/LC_MESSAGES/ptrack.mo" for tag in LOCALES)
        catalogs = {tag: gettext.GNUTranslations(io.BytesIO(zf.read(
            f"ptrack/locale/{tag.replace('-', '_')}/LC_MESSAGES/ptrack.mo"))) for tag in LOCALES}
    assert catalogs["en"].gettext("html.skip") == "Skip to content"
    assert catalogs["zh-CN"].gettext("html.skip") == "跳到正文"
    assert catalogs["zh-TW"].gettext("html.as_of") == "資料截至 {date}"
    assert catalogs["en"].ngettext("days.behind", "days.behind", 1) == "1 working day behind"
    assert len(catalogs["zh-CN"]._catalog) > 300


def test_wheel_metadata_entry_point_and_version(wheel):
    with zipfile.ZipFile(wheel) as zf:
        dist_info = next(n.split("/")[0] for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(zf.read(f"{dist_info}/METADATA").decode())
        entry_points = configparser.ConfigParser()
        entry_points.read_string(zf.read(f"{dist_info}/entry_points.txt").decode())
    # the distribution is "ptrack-campaigns" ("ptrack" on PyPI is an unrelated tool); the command
    # and the import name stay `ptrack`
    assert metadata["Name"] == "ptrack-campaigns" and metadata["Version"] == __version__
    assert wheel.name == f"ptrack_campaigns-{__version__}-py3-none-any.whl"
    assert dist_info == f"ptrack_campaigns-{__version__}.dist-info"
    assert dict(entry_points["console_scripts"]) == {"ptrack": "ptrack.launch:main"}
    assert metadata["License-Expression"] == "MIT" and metadata["Requires-Python"] == ">=3.10"
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL"))
    assert urls["Schema"] == load_schema()["$id"]  # the schema's address, served by the project's Pages
    # the version is written once, in ptrack/__init__.py; pyproject reads it from there
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and 'version = {attr = "ptrack.__version__"}' in pyproject


def test_ptrack_version(run_cli):
    code, out, _ = run_cli("--version")
    assert code == 0 and out == f"ptrack, version {__version__}\n"


def test_installed_wheel_runs_from_its_package_data(wheel, tmp_path):
    """Install the wheel alone into a folder (its dependencies come from the test environment)
    and run its console script: init (scaffold templates), validate (schema), build (render
    templates and assets), with no help from the source checkout."""
    target = tmp_path / "target"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check",
                           "-q", "--target", str(target), str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    env = clean_env(PYTHONPATH=str(target), PTRACK_AS_OF="2025-03-03")
    where = subprocess.run([sys.executable, "-c", "import ptrack; print(ptrack.__file__)"], env=env,
                           capture_output=True, text=True)
    assert where.stdout.startswith(str(target)), where.stdout + where.stderr
    script = target / "bin" / "ptrack"
    run = [sys.executable, str(script)] if script.exists() else [sys.executable, "-m", "ptrack"]
    repo = git_repo(tmp_path / "team")
    for args in (["init", "--lang", "en"], ["validate"], ["build", "--out", "site"],
                 ["build", "--out", "site-tw", "--lang", "zh-TW"]):
        proc = subprocess.run([*run, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"ptrack {' '.join(args)}: {proc.stderr}"
    assert (repo / "site" / "assets").is_dir() and (repo / "site" / "index.html").is_file()
    gitlab = git_repo(tmp_path / "gitlab-team")  # the GitLab templates come from the wheel too
    proc = subprocess.run([*run, "init", "--forge", "gitlab"], cwd=gitlab, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "PTRACK_REQUIREMENT" in (gitlab / ".gitlab-ci.yml").read_text(encoding="utf-8")
    # the messages come from the wheel's catalogs
    assert '<a class="skip-link" href="#main">Skip to content</a>' in (repo / "site" / "index.html").read_text()
    assert '<html lang="zh-TW">' in (repo / "site-tw" / "index.html").read_text(encoding="utf-8")
    assert "根據活動檔案產生，資料截至 2025-03-03。" in (repo / "site-tw" / "index.html").read_text(encoding="utf-8")


def _pipx_available() -> bool:
    proc = subprocess.run([sys.executable, "-m", "pipx", "--version"], capture_output=True, text=True)
    return proc.returncode == 0


def test_pipx_install(source, tmp_path):
    need(_pipx_available(), "pipx is not installed (the test extra has it)")
    home = tmp_path / "pipx"
    env = clean_env(PIPX_HOME=str(home / "home"), PIPX_BIN_DIR=str(home / "bin"), PIPX_MAN_DIR=str(home / "man"),
                    PIPX_DEFAULT_PYTHON=sys.executable, USE_EMOJI="0")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "pipx", "install", str(source)], env=env,
                          capture_output=True, text=True, timeout=600)
    print(f"pipx install: {time.monotonic() - started:.1f} s")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ptrack = home / "bin" / "ptrack"
    version = subprocess.run([str(ptrack), "--version"], env=env, capture_output=True, text=True)
    assert version.stdout == f"ptrack, version {__version__}\n", version.stderr
    repo = git_repo(tmp_path / "team")
    for args in (["init"], ["check", "--strict"]):
        proc = subprocess.run([str(ptrack), *args], cwd=repo, env=dict(env, PTRACK_AS_OF="2025-03-03"),
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"ptrack {' '.join(args)}: {proc.stdout}{proc.stderr}"
    assert os.access(ptrack, os.X_OK)
