"""The transaction: operations in, one validated text out, written once (or not at all).

``edit_text`` is the pure part (text in, text out); ``edit_file`` adds the file: the lock, the
bytes (BOM, CRLF), links, the atomic write. See the package docstring (``ptrack.edit``) for how
to use them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ptrack.core.diagnostics import Diagnostic, Severity
from ptrack.edit.draft import Draft
from ptrack.edit.lock import LOCK_TIMEOUT, locked_file
from ptrack.edit.ops import Change, EditError, Operation, path_text
from ptrack.errors import UsageError
from ptrack.i18n import M_, normalise_locale, os_problem, said_in, say, t

BOM = b"\xef\xbb\xbf"


@dataclass
class EditResult:
    """What a transaction did. ``file``: the path as given; ``target``: the file read and
    written (the file a link points to; else ``file``). ``text``: the new text (the old one
    when nothing changed or the edit was refused), with the file's own line breaks. ``changes``:
    what the operations recorded, in order. ``diagnostics``: the errors that stopped it, of the
    file as it was (``invalid_before``) or of the result (``refused``). ``notes``: what the
    operations reported besides their changes (``Draft.notes``: a cascade's plan, a clone's
    moves). ``locale``: the language of the messages (``--lang``, else the campaign's)."""

    file: str
    target: str = ""
    text: str = ""
    changes: list[Change] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    invalid_before: bool = False
    changed: bool = False
    written: bool = False
    locale: str = "en"
    notes: list = field(default_factory=list)  # what the operations report besides changes (Draft.notes)
    linked: bool = False  # ``file`` is a link to ``target``
    output: bool = False  # ``target`` is another file, written from ``file`` (edit_file's output)

    @property
    def refused(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


def edit_text(text: str, operations: Sequence[Operation], *, file: str = "<text>", locale: str | None = None,
              policy_defaults: Mapping[str, object] | None = None) -> EditResult:
    """Apply ``operations`` to the text of a campaign file, in order, all or nothing.

    The text must be a valid campaign (else ``invalid_before``, nothing applied). The result is
    written surgically (``ptrack.edit.patch``), read back and checked to hold exactly the data the
    operations made, then validated like ``ptrack validate`` (with ``policy_defaults``, the
    policy of ptrack.yaml): an invalid result is ``refused``. Raises EditError when an operation
    names what the file does not have."""
    from ptrack.core.loader import YamlProblem, parse_yaml, problem_to_diagnostic, sniff_locale
    from ptrack.core.validate import document_problems
    from ptrack.edit.patch import Unpatchable, render

    crlf = "\r\n" in text and text.count("\r\n") == text.count("\n")
    work = text.replace("\r\n", "\n") if crlf else text
    try:
        doc = parse_yaml(work, file, spans=True)
    except YamlProblem as problem:
        said = normalise_locale(locale or sniff_locale(work))  # the file's language, read from its text
        return EditResult(file, text=text, diagnostics=[problem_to_diagnostic(problem, file, said)],
                          invalid_before=True, locale=said)
    loc = _locale(locale, doc.data)
    errors = _errors(document_problems(doc, policy_defaults, locale=locale))
    if errors:
        return EditResult(file, text=text, diagnostics=errors, invalid_before=True, locale=loc)
    draft = Draft(doc.data, file=file, locale=loc)
    for operation in operations:
        operation.apply(draft)
    result = EditResult(file, text=text, changes=draft.changes, locale=loc, notes=draft.notes)
    if not draft.changed or draft.data == doc.data:
        return result
    try:
        new = render(work, doc.source, draft)
        after = parse_yaml(new, file)
    except (Unpatchable, YamlProblem) as exc:
        raise EditError(t(loc, "edit.unpatchable", file=file, reason=say(getattr(exc, "message", str(exc)), loc))) from None
    if after.data != draft.data:
        where = path_text(_first_difference(after.data, draft.data))
        raise EditError(t(loc, "edit.unpatchable", file=file, reason=where))
    result.diagnostics = _errors(document_problems(after, policy_defaults, locale=locale))
    if not result.refused:
        result.text = new.replace("\n", "\r\n") if crlf else new
        result.changed = True
    return result


def edit_file(path: Path | str, operations: Sequence[Operation], *, output: Path | str | None = None,
              overwrite: bool = False, dry_run: bool = False, locale: str | None = None,
              policy_defaults: Mapping[str, object] | None = None,
              lock_timeout: float = LOCK_TIMEOUT, file: str | None = None) -> EditResult:
    """``edit_text`` on a file, under its lock, written atomically unless ``dry_run``.
    ``file``: the name messages give it (default: the path as the user would write it; intake,
    which edits in a temporary worktree, gives the path inside the repository).

    A link is followed: the file it points to is locked, read and written, and the link stays.
    The file's BOM and CRLF line breaks are kept. With ``output``, the result goes to that file
    instead (a new file: UsageError when it exists, unless ``overwrite``) and the source is only
    read, under a shared lock. Nothing is written when the file or the result is invalid, or
    when the operations changed nothing."""
    from ptrack.core.loader import YamlProblem, decode_bytes, display_path, problem_to_diagnostic, read_open_file
    from ptrack.fsutil import atomic_write, write_target

    path = Path(path)
    file = file or display_path(path)
    target = write_target(path)
    destination = write_target(Path(output)) if output is not None else target
    if output is not None and destination.exists() and not overwrite:
        raise UsageError(said_in(M_("edit.output_exists", file=display_path(output)), locale))
    with locked_file(target, file=file, timeout=lock_timeout, exclusive=output is None, locale=locale) as fh:
        try:
            raw = read_open_file(fh)
            if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise EditError(said_in(M_("edit.utf16", file=file), locale))
            text = decode_bytes(raw)
        except YamlProblem as problem:
            said = _locale(locale, None)
            return EditResult(file, display_path(target), diagnostics=[problem_to_diagnostic(problem, file, said)],
                              invalid_before=True, locale=said)
        result = edit_text(text, operations, file=file, locale=locale, policy_defaults=policy_defaults)
        result.target = display_path(destination)
        result.linked = output is None and path.is_symlink()
        result.output = output is not None
        if not result.changed or result.refused or dry_run:
            return result
        data = (BOM if raw.startswith(BOM) else b"") + result.text.encode("utf-8")
        try:
            atomic_write(destination, data)
        except OSError as exc:
            raise UsageError(t(result.locale, "edit.cannot_write", file=result.target,
                               reason=say(os_problem(exc, with_file=False), result.locale))) from None
        result.written = True
    return result


def _locale(locale: str | None, data) -> str:
    """``locale`` when given, else the campaign's (``campaign.locale``; zh-CN by default)."""
    if locale:
        return normalise_locale(locale)
    campaign = data.get("campaign") if isinstance(data, dict) else None
    value = campaign.get("locale") if isinstance(campaign, dict) else None
    return normalise_locale(value if isinstance(value, str) else None) if data is not None else "en"


def _errors(diagnostics) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity is Severity.ERROR]


def _first_difference(a, b, path=()) -> tuple:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if a.get(key, EditError) != b.get(key, EditError):
                return _first_difference(a.get(key), b.get(key), path + (key,))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, path + (i,))
    return path
