"""The one error family of ptrack. No click import here: the CLI maps these to exit codes."""

from __future__ import annotations


class PtrackError(Exception):
    """Base class of every error ptrack raises on purpose; the CLI prints it and exits 2."""

    exit_code = 2


class UsageError(PtrackError):
    """The command line asked for something impossible (missing file, bad date, ...)."""
