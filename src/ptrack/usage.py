"""Click's own words in the command's language: usage errors ("No such option", "Missing
argument", "Invalid value for '--as-of'"...), the usage line and the hint under it.

Click says everything through ``gettext`` (its modules call ``_()`` and ``ngettext()`` with its
English text), which is how click expects to be translated. While a ptrack command runs,
``click_in_language`` puts ptrack's own lookup in their place: click's English text is a key of
``CLICK_MESSAGES``, whose translation comes from ptrack's catalogs in the command's language
(``ptrack.process.command_locale``); a text click adds in a later version and that is not listed
here stays in English. On leaving, click's functions are put back. ``--help`` and ``--version``
are left in English, as the option help texts are.
"""

from __future__ import annotations

import contextlib
import gettext
import importlib

from ptrack.i18n import N_, NP_, template

# click's English text -> ptrack's message key. A plural message (ngettext) is listed under its
# singular text. Texts of several click versions (8.1's "No such option: {name}", 8.2's
# "No such option {name!r}.") share a key where they say the same.
CLICK_MESSAGES: dict[str, str] = {
    "Usage:": N_("click.usage"),
    "Try '{command} {option}' for help.": N_("click.try_help"),
    "Error: {message}": N_("click.error"),
    "No such option: {name}": N_("click.no_such_option"),
    "No such option {name!r}.": N_("click.no_such_option_quoted"),
    "Did you mean {possibility}?": NP_("click.did_you_mean"),
    "No such command {name!r}.": N_("click.no_such_command"),
    "No such command '{name}'.": N_("click.no_such_command_plain"),
    "Missing command.": N_("click.missing_command"),
    "Missing argument": N_("click.missing_argument"),
    "Missing option": N_("click.missing_option"),
    "Missing parameter": N_("click.missing_parameter"),
    "Missing {param_type}": N_("click.missing_type"),
    "Missing parameter: {param_name}": N_("click.missing_parameter_name"),
    "Invalid value for {param_hint}: {message}": N_("click.invalid_value_for"),
    "Invalid value: {message}": N_("click.invalid_value"),
    "Got unexpected extra argument ({args})": NP_("click.extra_arguments"),
    "Option {name!r} requires an argument.": NP_("click.option_needs_argument"),
    "{option} option requires an argument": N_("click.option_needs_argument_old"),
    "Option {name!r} does not take a value.": N_("click.option_takes_no_value"),
    "{option} option does not take a value": N_("click.option_takes_no_value_old"),
    "Argument {name!r} takes {nargs} values.": N_("click.argument_values"),
    "{value!r} is not {choice}.": NP_("click.not_one_of"),
    "{value!r} is not one of {choices}.": N_("click.not_one_of_old"),
    "Choose from:\n\t{choices}": N_("click.choose_from"),
    "{value!r} is not a valid {number_type}.": N_("click.not_a_number"),
    "{value} is not in the range {range}.": N_("click.out_of_range"),
    "{value!r} is not a valid boolean. Recognized values: {states}": N_("click.not_a_boolean"),
    "{name} {filename!r} does not exist.": N_("click.path_missing"),
    "{name} {filename!r} is a file.": N_("click.path_is_file"),
    "{name} {filename!r} is a directory.": N_("click.path_is_directory"),
    "{name} {filename!r} is not readable.": N_("click.path_not_readable"),
    "{name} {filename!r} is not writable.": N_("click.path_not_writable"),
    "{name} {filename!r} is not executable.": N_("click.path_not_executable"),
    "{name} '{filename}' does not exist.": N_("click.path_missing_plain"),
    "{name} '{filename}' is a directory.": N_("click.path_is_directory_plain"),
    "{name} '{filename}' is a file.": N_("click.path_is_file_plain"),
    "file": N_("click.file"),
    "directory": N_("click.directory"),
    "path": N_("click.path"),
    "Could not open file {filename!r}: {message}": N_("click.cannot_open"),
    "unknown error": N_("click.unknown_error"),
    "Aborted!": N_("click.aborted"),
}

# The modules of click that say something, and the names they say it with.
_MODULES = ("click.core", "click.exceptions", "click.types", "click.parser", "click.formatting",
            "click.decorators", "click.utils", "click.termui")


class _Words:
    """``gettext`` and ``ngettext`` for click, answering from ptrack's catalogs in ``locale()``."""

    def __init__(self, locale) -> None:
        self.locale = locale

    def gettext(self, message: str) -> str:
        key = CLICK_MESSAGES.get(message)
        return template(self.locale(), key) if key else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        key = CLICK_MESSAGES.get(singular)
        if key is None:
            return gettext.ngettext(singular, plural, n)
        return template(self.locale(), key, n)


@contextlib.contextmanager
def click_in_language(locale):
    """While inside, click speaks the language ``locale()`` returns (asked when click first says
    something: a command that prints no usage error never looks for a language)."""
    words = _Words(locale)
    saved: list[tuple[object, str, object]] = []
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a click without this module
            continue
        for attr, replacement in (("_", words.gettext), ("ngettext", words.ngettext)):
            if hasattr(module, attr):
                saved.append((module, attr, getattr(module, attr)))
                setattr(module, attr, replacement)
    try:
        yield
    finally:
        for module, attr, original in reversed(saved):
            setattr(module, attr, original)


def wants_english(args) -> bool:
    """``--help``, ``-h`` and ``--version`` stay in English (the option help is English)."""
    return not args or any(a in ("--help", "-h", "--version", "-V") for a in args)
