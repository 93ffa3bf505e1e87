"""``ptrack validate PATHS`` runs without click (ptrack.launch) and must say exactly what the
click command says. ``ptrack validate -- PATHS`` takes the click command, so each case compares
the two as whole processes: exit code, stdout and stderr byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import EXAMPLE
from tests.helpers import MINIMAL_CAMPAIGN as VALID


def ptrack(*args, cwd: Path) -> tuple[int, bytes, bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")}
    proc = subprocess.run([sys.executable, "-m", "ptrack", *map(str, args)], capture_output=True, cwd=cwd, env=env)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def project(tmp_path):
    """A git repository holding a ptrack.yaml and campaigns: valid, with a warning, invalid
    schema, a YAML error, two files sharing a campaign id, and Chinese text."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "ptrack.yaml").write_text("campaigns: campaigns/*.yaml\n", "utf-8")
    c = tmp_path / "campaigns"
    c.mkdir()
    (c / "a.yaml").write_text(VALID.format(id="spring"), "utf-8")
    (c / "b.yaml").write_text(VALID.format(id="summer").replace("start: 2024-03-01, end", "start: 2024-02-20, end"), "utf-8")
    (tmp_path / "bad.yaml").write_text(VALID.format(id="x") + "    progress: 101\n    notez: 红色\n", "utf-8")
    (tmp_path / "broken.yaml").write_text("ptrack: 1\nptrack: 1\n", "utf-8")
    (tmp_path / "dup.yaml").write_text(VALID.format(id="spring"), "utf-8")
    (tmp_path / "zh.yaml").write_text(VALID.format(id="chun").replace("name: A", "name: 海报设计"), "utf-8")
    return tmp_path


@pytest.mark.parametrize("args", [
    [],                                     # the campaigns glob of ptrack.yaml
    ["campaigns/a.yaml"],
    ["campaigns"],                          # a folder
    ["bad.yaml"],                           # schema errors, exit 1
    ["broken.yaml"],                        # a YAML problem
    ["campaigns/a.yaml", "dup.yaml"],       # a campaign id used twice
    ["zh.yaml", "campaigns/b.yaml", "bad.yaml"],
    ["missing.yaml"],                       # a usage error, exit 2
    [str(EXAMPLE)],
])
def test_fast_path_says_what_click_says(project, args):
    fast = ptrack("validate", *args, cwd=project)
    click = ptrack("validate", "--", *args, cwd=project)
    assert fast == click
    assert fast[0] in (0, 1, 2) and fast[2]  # every case ends with a line on stderr


def test_fast_path_exact_output(project):
    code, out, err = ptrack("validate", "bad.yaml", "campaigns/a.yaml", cwd=project)
    assert code == 1
    assert out.decode("utf-8") == (
        "bad.yaml:12:15: error [schema] tasks[a].progress: 101 is too large; it must be at most 100\n"
        'bad.yaml:13:5: error [schema] tasks[a]: unknown key "notez" (did you mean "notes"?)\n')
    assert err == b"2 errors, 0 warnings, 0 notices in 2 files\n"
    assert ptrack("validate", "missing.yaml", cwd=project) == (
        2, b"", b"ptrack: error: missing.yaml: no such file or folder\n")


@pytest.mark.parametrize("args", [["validate", "--help"], ["validate", "-h"], ["--version"], ["validate", "--x"]])
def test_anything_but_paths_goes_to_click(project, args):
    """Options are click's: help, version, and its usage error for an unknown option."""
    code, out, err = ptrack(*args, cwd=project)
    if args[-1] == "--x":
        assert code == 2 and b"No such option '--x'" in err
    else:
        assert code == 0 and (b"Usage: ptrack validate" in out or out.startswith(b"ptrack, version"))


def test_the_fast_path_imports_neither_click_nor_the_compute_stage(project):
    """What makes it fast (see benchmarks/bench_validate.py): no click, no compute, no
    fastjsonschema compile, no holidays import for a country calendar."""
    (project / "cn.yaml").write_text(VALID.format(id="cn").replace("  end: 2024-05-31\n", "  end: 2024-05-31\n  calendar: CN\n"), "utf-8")
    code = ("import sys\nfrom ptrack.launch import main\n"
            "try:\n    main(['validate', 'cn.yaml'])\nexcept SystemExit as exc:\n    print('exit', exc.code)\n"
            "print(sorted(m for m in ('click', 'ptrack.cli', 'ptrack.core.compute', 'ptrack.reporters', 'fastjsonschema',"
            " 'jsonschema', 'holidays', 'matplotlib') if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project)
    assert proc.stdout == "exit 0\n[]\n", proc.stderr
    assert proc.stderr == "1 campaign file valid\n"
