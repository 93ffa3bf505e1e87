"""Shared fixtures: ``run_cli`` (the command line, in process) and ``write`` (files in tmp_path)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ptrack.launch import main

# Variables that change what the CLI does (output format, step summary, as-of date, the base of
# a diff, where `comment` posts).
_CLI_ENV = ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_BASE_REF", "PTRACK_AS_OF", "NO_COLOR", "GITLAB_CI",
            "CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
            "PTRACK_GITLAB_TOKEN")


@pytest.fixture(autouse=True)
def _every_message_key_is_in_the_catalogs():
    """A test that makes ptrack ask for a message key no catalog has (``t()`` then shows the key
    itself) fails: a key built at run time needs an N_ marker, a new key its translations (README,
    "Messages")."""
    from ptrack import i18n

    before = set(i18n.MISSING_KEYS)
    yield
    new = i18n.MISSING_KEYS - before
    i18n.MISSING_KEYS.difference_update(new)
    assert not new, f"message keys missing from the catalogs: {sorted(new)}"


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run ``ptrack ARGS...`` in this process; returns ``(exit_code, stdout, stderr)``.

    It calls ``ptrack.launch.main(argv)``, the console script's own entry point (``validate
    PATHS`` runs there without click, everything else goes on to ``ptrack.cli.main``), rather
    than ``CliRunner().invoke(cli)``: ``main`` runs click with ``standalone_mode=False`` and maps
    ``PtrackError`` and click's usage errors to exit code 2 itself, and that mapping is part of
    what the tests check. The commands end with ``sys.exit``; the ``SystemExit`` is caught here
    (no exit at all, e.g. ``--help``, means 0). Output is captured with pytest's ``capsys``,
    whose streams are UTF-8, so ``main`` leaves them alone. Exceptions other than
    ``SystemExit`` propagate (like ``catch_exceptions=False``): a traceback fails the test.
    The environment variables that switch formats or the as-of date are removed first."""
    for name in _CLI_ENV:
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()  # drop anything printed before
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def write(tmp_path):
    """``write(name, text)`` -> Path: write a file under ``tmp_path`` (parents created).

    ``write(folder, name, text)`` writes under ``folder`` instead. ``text`` is dedented, so it
    can be indented inside a test; ``bytes`` are written as they are."""

    def _write(*args) -> Path:
        folder, (name, text) = (Path(args[0]), args[1:]) if len(args) == 3 else (tmp_path, args)
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write
