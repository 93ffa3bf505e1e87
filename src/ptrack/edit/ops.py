"""Operations: what an edit does, as data.

An operation is a frozen dataclass with ``apply(draft)``: it reads the campaign's data from the
``Draft``, changes it through the draft's methods and records what it changed (``Change``). It
never sees text: the editor turns the draft's data back into text afterwards. Operations address
what they change by path, where a step is a mapping key (str), a list index (int) or ``ById``
(the list item whose ``id`` is given): ``("tasks", ById("poster"), "planned", "end")`` names
the same node in today's file and in tomorrow's, however the tasks were reordered, which is what
re-applying an edit to a newer version of the file needs.

The generic operations here work on any path; ``ptrack.edit.campaign`` has the ones that know
the format (a task's progress, a risk's resolution, a goal's measurements).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ptrack.errors import PtrackError


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT = _Absent()  # no value: a key that is not there (Change.old of an addition, .new of a removal)


class EditError(PtrackError):
    """The edit cannot be made: it names something the file does not have (an unknown task, a
    goal without measurements...), or the file holds something the editor cannot change
    safely. Nothing is written. Exit code 1, like an invalid file."""

    exit_code = 1


@dataclass(frozen=True)
class ById:
    """A path step: the item of a list whose ``key`` (default ``id``) equals ``id``."""

    id: str
    key: str = "id"

    def __str__(self) -> str:
        return self.id


Step = Union[str, int, ById]
Path = tuple  # tuple[Step, ...]


def path_text(path: Path) -> str:
    """``("tasks", ById("a"), "planned", "end")`` -> ``tasks[a].planned.end``."""
    out = ""
    for step in path:
        if isinstance(step, (int, ById)):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + str(step)
    return out or "(document)"


@dataclass(frozen=True)
class Change:
    """One thing an edit changed. ``path`` is concrete (keys and indices) in the edited data;
    ``old``/``new`` are ABSENT for an addition/removal. ``subject`` ("task", "a") and ``label``
    ("progress", "actual.start", "risks[1].resolved") are how a summary names it; ``kind`` says
    how: set, add, remove, rename, note, measurement-added, measurement-replaced."""

    path: tuple
    old: object = ABSENT
    new: object = ABSENT
    label: str = ""
    subject: tuple = ()
    kind: str = "set"


class Operation:
    """Base of every operation: ``apply(draft)`` edits the draft and records its changes."""

    def apply(self, draft) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Generic operations: any path

@dataclass(frozen=True)
class Set(Operation):
    """Set the value at ``path``: replace it, or add the key (mappings on the way that are
    missing or null are created). ``order``: where a new key goes among its mapping's keys (a
    key goes before the first key that comes after it in ``order``); default: the order of the
    campaign schema's properties for that mapping, else at the end. ``style``: "flow" or "block"
    for a new mapping or list (default: like its siblings, else one line when it holds only
    scalars). ``like``: a path whose quoting a new scalar copies (a new date quoted like the
    file's other dates)."""

    path: Path
    value: object
    order: tuple = ()
    style: str | None = None
    like: Path | None = None

    def apply(self, draft) -> None:
        old = draft.get(self.path, ABSENT)
        where = draft.set(self.path, self.value, order=self.order or None, style=self.style, like=self.like)
        if old is ABSENT or old != self.value:
            draft.record(Change(where, old, draft.get(where), path_text(self.path), (),
                                "set" if old is not ABSENT else "add"))


@dataclass(frozen=True)
class Delete(Operation):
    """Remove the key or list item at ``path``; ``missing_ok``: nothing to do when it is not
    there (else an EditError)."""

    path: Path
    missing_ok: bool = False

    def apply(self, draft) -> None:
        if self.missing_ok and not draft.exists(self.path):
            return
        where = draft.resolve(self.path)
        old = draft.delete(where)
        draft.record(Change(where, old, ABSENT, path_text(self.path), (), "remove"))


@dataclass(frozen=True)
class Insert(Operation):
    """Insert ``value`` into the list at ``path`` before position ``index`` (``len`` or -1:
    at the end). A missing list is created (with ``order`` for its key)."""

    path: Path
    index: int
    value: object
    order: tuple = ()
    style: str | None = None

    def apply(self, draft) -> None:
        where = draft.insert(self.path, self.index, self.value, order=self.order or None, style=self.style)
        draft.record(Change(where, ABSENT, draft.get(where), path_text(self.path), (), "add"))


@dataclass(frozen=True)
class Append(Operation):
    """Append ``value`` to the list at ``path`` (created when missing)."""

    path: Path
    value: object
    order: tuple = ()
    style: str | None = None

    def apply(self, draft) -> None:
        Insert(self.path, -1, self.value, self.order, self.style).apply(draft)


@dataclass(frozen=True)
class Rename(Operation):
    """Rename the mapping key at ``path`` to ``new_key``, keeping its place and its value."""

    path: Path
    new_key: str

    def apply(self, draft) -> None:
        where = draft.resolve(self.path)
        draft.rename(where, self.new_key)
        draft.record(Change(where[:-1] + (self.new_key,), where[-1], self.new_key, path_text(self.path), (),
                            "rename"))
