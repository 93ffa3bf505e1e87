"""The one error family of ptrack. No click import here: the CLI maps these to exit codes."""

from __future__ import annotations


class PtrackError(Exception):
    """Base class of every error ptrack raises on purpose; the CLI prints it and exits 2.

    Its message is text, or a ``ptrack.i18n.Message`` (``M_(key, ...)``) that the CLI says in the
    command's language: ``text(locale)``. ``str()`` gives the English text."""

    exit_code = 2

    def __init__(self, message="", *args) -> None:
        super().__init__(message, *args)
        self.message = message

    def __str__(self) -> str:
        return str(self.message) if not isinstance(self.message, str) else super().__str__()

    def text(self, locale: str | None) -> str:
        """The message in ``locale`` (a plain text message as it is)."""
        if isinstance(self.message, str):
            return str(self)
        return self.message.text(locale)  # a ptrack.i18n.Message


class UsageError(PtrackError):
    """The command line asked for something impossible (missing file, bad date, ...)."""
