"""The one editor: every change to a campaign file goes through here.

``ptrack update``, and whatever else rewrites a campaign (a cascade of planned dates:
``replan``; a clone to a new file: ``clone``; an update form applied by a workflow:
``ptrack.forge.intake``), describes its change as **operations** (frozen dataclasses, so a
change can be kept, logged, and re-applied to a newer version of the file) and hands them to one
**transaction**, which is:

- **all or nothing**: the operations apply in order to the loaded data; any error (an unknown
  task, an invalid result) and nothing is written;
- **surgical**: only the text of what changed is rewritten (a value's span, new lines for a new
  key or item, the lines of a removed one), using the loader's source map; comments, blank
  lines, key order, quoting, flow or block style and every other byte stay as they were;
- **checked**: the new text is read back and must hold exactly the data the operations made,
  then it is validated like ``ptrack validate`` (``policy_defaults``: ptrack.yaml's policy); an
  edit that would make the file invalid is refused, and a file invalid before is not touched;
- **locked**: an ``flock`` on the file is held from the read to the write, so two edits of one
  file run one after the other and neither is lost (``ptrack.edit.lock`` explains the lock and
  why it survives the rename of an atomic write);
- **atomic**: one ``ptrack.fsutil.atomic_write`` (temp file + rename), through a symbolic link
  to the file it points to (the link stays a link); a BOM and CRLF line breaks are kept.

Using it::

    from ptrack.edit import edit_file, edit_text, Set, Delete, Append, Insert, Rename, ById
    from ptrack.edit.campaign import SetPlanned, SetProgress, summary

    ops = [SetPlanned("poster", end=date(2024, 3, 9)),
           Set(("tasks", ById("video"), "planned", "start"), "2024-03-11")]
    result = edit_file("campaigns/spring.yaml", ops, dry_run=True)   # nothing written
    result.text        # the new text (the old one when refused or unchanged)
    result.changes     # [Change(path, old, new, label, subject, kind), ...] in order
    result.refused     # True: result.diagnostics says why (file:line:col of the new text)
    summary(result)    # "campaigns/spring.yaml: task poster: planned.end 2024-03-08 -> 2024-03-09; ..."
    result = edit_file("campaigns/spring.yaml", ops)                 # written: result.written

    # a new file from a source (a clone): the source is only read, under a shared lock
    edit_file("campaigns/618-2024.yaml", ops, output="campaigns/618-2025.yaml")

    edit_text(text, ops, file="c.yaml")   # the same without a file: text in, EditResult out

**Paths** name nodes: a step is a key (str), an index (int, negative from the end) or
``ById("poster")`` (the list item whose ``id`` is "poster"; ``ById("x", key="name")`` for
another key). Ids keep a path valid across versions of the file, which is what re-applying an
operation to a newer main needs.

**Generic operations** (``ptrack.edit.ops``), on any path:

- ``Set(path, value, order=(), style=None, like=None)``: replace the value, or add the key;
  mappings missing (or null) on the way are created. A new key goes where the campaign
  schema's field order puts it (``order`` to say otherwise); a new mapping or list is written
  like its siblings (flow ``{a: 1}`` or block), else on one line when it holds only scalars
  (``style="flow"|"block"`` to choose); a new scalar copies the quoting of ``like`` (a path).
  Values are plain data: dict, list, str, int, float, bool, None, and ``datetime.date`` (written
  ``YYYY-MM-DD``). A replaced scalar keeps its quoting and the column of a comment after it.
- ``Delete(path, missing_ok=False)``: remove a key or a list item, and its lines.
- ``Insert(path, index, value)`` / ``Append(path, value)``: a list item (the list is created
  when missing), on new lines like its neighbours (``- {date: ..., value: ...}``).
- ``Rename(path, new_key)``: a key renamed in place (a person id remapped, say); its value and
  comments stay.

**Campaign operations** (``ptrack.edit.campaign``), by id, with the summaries of ``ptrack
update``: ``SetProgress(task, value)``, ``SetActual(task, start=, end=)`` (an end makes
``progress`` 100), ``SetPlanned(task, start=, end=)``, ``SetDone(task, value)``,
``ResolveRisk(task | None, risk, on)`` (a risk by id or 1-based position; ``None``: the
campaign's own risks), ``AddNote(task, text, on=None)`` (dated ``2024-04-16 text`` with ``on``),
``RecordMeasurement(goal, on, value)``, ``AchieveMilestone(milestone, on, results=((goal,
value), ...), reviewed_by=None)`` (a milestone reached, with the goal values recorded at it),
``AddRisk(task | None, issue, solution=, owner=, due=, id=)`` (a new open risk: the risk form).

**Re-plans and clones**, each one operation that works out its own changes from the file under
the lock: ``ptrack.edit.replan.Replan(task, as_of, start=, end=, cascade=, reason=)`` (``ptrack
update --planned-*``: the task and, with ``cascade``, the successors its move forces, from
``ptrack.core.replan``; ``planned.reason`` written or removed) and
``ptrack.edit.clone.Clone(to, campaign_id, anchor=, name=, persons=, calendar=)`` (``ptrack
clone``, applied with ``output=``: every date moved, the facts cleared). What they report
besides their changes (the moves and conflicts, the clone's table) is in ``Draft.notes``, which
the transaction hands back as ``EditResult.notes``.

**Writing an operation**: subclass ``Operation`` as a frozen dataclass with ``apply(draft)``.
Read with ``draft.get(path)`` / ``draft.exists(path)`` / ``draft.index_of(list_path, id)`` (an
EditError with "did you mean" when the id is unknown), change with ``draft.set``,
``draft.insert``, ``draft.delete``, ``draft.rename`` (never mutate what ``get`` returns: the
draft copies on write, which is how the editor knows what changed), and
``draft.record(Change(...))`` what the summary should say. Raise ``draft.error(key, ...)`` (an
``EditError``, exit code 1, in the campaign's language) for a change the file cannot take.
``ptrack.edit.campaign`` has examples.

**Errors**: ``EditError`` (exit 1) for an edit the file cannot take; ``LockTimeout`` (exit 2)
when another command holds the file longer than ``lock_timeout`` seconds (default 30);
``UsageError`` (exit 2) for a path that is missing, not a regular file, or not writable. Messages
follow ``locale``, else the campaign's ``locale``.

Modules: ``ops`` (operations, paths, changes), ``draft`` (copy-on-write data), ``campaign``
(format-aware operations, summaries), ``patch`` (data back to text, span by span), ``emit``
(YAML text of new values), ``engine`` (the transaction), ``lock``, ``update`` (``ptrack
update``'s options as operations), ``replan`` and ``clone`` (and the tables their commands print).
"""

from __future__ import annotations

from ptrack import lazy_names

_PUBLIC = {
    "edit_file": "ptrack.edit.engine",
    "edit_text": "ptrack.edit.engine",
    "EditResult": "ptrack.edit.engine",
    "LockTimeout": "ptrack.edit.lock",
    "ABSENT": "ptrack.edit.ops",
    "Append": "ptrack.edit.ops",
    "ById": "ptrack.edit.ops",
    "Change": "ptrack.edit.ops",
    "Delete": "ptrack.edit.ops",
    "EditError": "ptrack.edit.ops",
    "Insert": "ptrack.edit.ops",
    "Operation": "ptrack.edit.ops",
    "Rename": "ptrack.edit.ops",
    "Set": "ptrack.edit.ops",
    "Draft": "ptrack.edit.draft",
}

__all__ = sorted(_PUBLIC)
__getattr__, __dir__ = lazy_names("ptrack.edit", _PUBLIC, globals())
