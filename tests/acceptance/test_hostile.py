"""Hostile inputs through the real command line: a clean exit code and a location, never a
traceback. One file per case in ``hostile/``; the tests are parametrised by listing the folder.

Each file is copied into an empty folder (with a ``.git`` so ``ptrack.yaml`` is not looked for
above it) and run as ``python -m ptrack validate FILE`` and ``... check --as-of 2024-04-15 FILE``
in a subprocess, so a crash of the C parser would fail one test instead of killing pytest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE = Path(__file__).parent / "hostile"

# file -> (line, column, code) of the first diagnostic ptrack must print for it.
EXPECTED = {
    "alias-bomb.yaml": (5, 36, "alias-limit"),        # e: 10 aliases of 11,111 nodes each
    "binary.yaml": (3, 1, "encoding"),                # PNG header: the NUL after "\r\n\x1a\n"
    "control-character.yaml": (9, 15, "syntax"),      # a BEL character in a task name
    "cycle.yaml": (11, 18, "dependency-cycle"),       # a -> b -> c -> a, at a's depends_on
    # 20,000 "[": the 100th one is level 101 (column 108), unless the libyaml inside PyYAML
    # (>= 6.0.4) stops at its own limit of 1,000 first, reading ahead (column 1008)
    "deep-nesting.yaml": (1, (108, 1008), "too-deep"),
    "duplicate-keys.yaml": (11, 5, "duplicate-key"),  # the second "name" of the task
    "empty.yaml": (1, 1, "empty"),
    "impossible-date.yaml": (10, 22, "schema"),       # 2024-02-30
    "list-root.yaml": (1, 1, "schema"),
    "multiple-documents.yaml": (8, 1, "syntax"),      # the second "---"
    "non-utf8.yaml": (9, 14, "encoding"),             # latin-1 "é" of "Café"
    "python-tag.yaml": (9, 11, "yaml-tag"),           # !!python/object/apply:os.system
    "syntax-error.yaml": (11, 7, "syntax"),           # a flow mapping left open on line 10
    "tabs.yaml": (9, 1, "syntax"),
    "unknown-keys.yaml": (7, 1, "schema"),            # "sponsor" (and "ownr" on line 11)
    "wrong-top-level-type.yaml": (2, 11, "schema"),   # campaign: text instead of a mapping
}

CASES = sorted(p.name for p in HOSTILE.iterdir() if p.is_file())
COMMANDS = {"validate": ["validate"], "check": ["check", "--as-of", "2024-04-15"]}


def test_every_hostile_file_has_an_expectation():
    assert CASES == sorted(EXPECTED)


def _env() -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "PTRACK_AS_OF")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _run_on(name: str, tmp_path, *args: str) -> tuple[str, str]:
    """``ptrack ARGS name`` on a copy of the hostile file ``name`` in a repository of its own:
    it must exit 1 without a traceback. Returns (stdout, stderr)."""
    (tmp_path / ".git").mkdir()
    shutil.copyfile(HOSTILE / name, tmp_path / name)
    proc = subprocess.run([sys.executable, "-m", "ptrack", *args, name],
                          cwd=tmp_path, capture_output=True, timeout=60, env=_env())
    out = proc.stdout.decode("utf-8")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 1, (proc.returncode, out, err)
    assert "Traceback" not in out + err
    return out, err


def _starts_at_the_problem(line_text: str, name: str) -> bool:
    """``line_text`` is the file's expected diagnostic: ``name:line:col: error [code] ...`` (the
    severity in the campaign's language: a file without a locale speaks zh-CN, ``错误``)."""
    line, col, code = EXPECTED[name]
    columns = col if isinstance(col, tuple) else (col,)
    return any(line_text.startswith(f"{name}:{line}:{c}: {word} [{code}] ") for c in columns
               for word in ("error", "错误"))


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("name", CASES)
def test_hostile_input(name, command, tmp_path):
    out, err = _run_on(name, tmp_path, *COMMANDS[command])
    assert _starts_at_the_problem(out.splitlines()[0], name), out
    summary = out.splitlines()[-1] if command == "check" else err
    assert summary.rstrip("\n").endswith(("in 1 file", "（共 1 个文件）"))


@pytest.mark.parametrize("name", CASES)
def test_hostile_input_to_notify(name, tmp_path):
    # ptrack notify prints a file's problems on stderr (stdout is for the digests) and exits 1
    out, err = _run_on(name, tmp_path, "notify", "--dry-run", "--as-of", "2024-04-15")
    assert _starts_at_the_problem(err.splitlines()[0], name), err
    assert "== " not in out  # no digest for an invalid file


def test_deep_nesting_file_is_what_it_says():
    text = (HOSTILE / "deep-nesting.yaml").read_text()
    assert text == "ptrack: " + "[" * 20_000 + "]" * 20_000 + "\n"
