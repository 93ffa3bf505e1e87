"""The ``ptrack`` command's entry point: ``ptrack validate PATHS`` without click, the rest with it.

``ptrack validate`` is the pre-commit hook's command and runs on every commit, so it must start
fast: importing click and building the command tree costs about as much as validating a
campaign. When the command line is ``validate`` followed by nothing but paths (no option, nothing
starting with ``-``), it runs here with the same output, exit codes and error handling as
through click (both use ``ptrack.process``: ``run_validate``, ``guarded``); anything else
(``--help``, ``--version``, ``validate -- PATHS``, every other command, a mistake) goes to
``ptrack.cli``.
"""

from __future__ import annotations

import sys


def fast_path(args: list[str]) -> bool:
    """``args`` (the command line after ``ptrack``) is ``validate`` with paths only."""
    return args[:1] == ["validate"] and not any(a.startswith("-") for a in args[1:])


def main(argv=None) -> None:
    """The console script (``argv`` None: ``sys.argv``) or a caller's command line."""
    args = sys.argv[1:] if argv is None else [str(a) for a in argv]
    if not fast_path(args):
        from ptrack.cli import main as cli_main

        cli_main(argv)
        return
    from ptrack.process import end_process, guarded, prepare_process, run_validate, set_command

    prepare_process()
    set_command(args)
    try:
        guarded(lambda: sys.exit(run_validate(tuple(args[1:]))))
    finally:
        if argv is None:  # callers that pass argv (tests, embedding) keep their collector as it was
            end_process()
