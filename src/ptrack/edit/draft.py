"""The campaign's data while operations apply to it.

A ``Draft`` starts from the data the loader built and never changes it: the first write below a
container copies that container and every container above it (copy-on-write), so that what no
operation touched stays the very same object. The editor relies on that: comparing the draft
with the original, it descends only where an object was replaced, and knows each copy's original
(``source``), so that it rewrites only the text of what changed. A value an operation brings is
copied in as plain data (dates become ``YYYY-MM-DD`` text, as the loader reads them).
"""

from __future__ import annotations

import difflib
import math
from datetime import date, datetime

from ptrack.edit.ops import ABSENT, ById, Change, EditError, path_text
from ptrack.i18n import N_, t

# What an item of each list is called in messages ("no task ...", "the tasks are: ...").
_KINDS = {"tasks": N_("edit.kind.task"), "goals": N_("edit.kind.goal"), "milestones": N_("edit.kind.milestone"),
          "risks": N_("edit.kind.risk"), "measurements": N_("edit.kind.measurement"),
          "deliverables": N_("edit.kind.deliverable")}
_KINDS_PLURAL = {"tasks": N_("edit.kinds.task"), "goals": N_("edit.kinds.goal"),
                 "milestones": N_("edit.kinds.milestone"), "risks": N_("edit.kinds.risk"),
                 "measurements": N_("edit.kinds.measurement"), "deliverables": N_("edit.kinds.deliverable")}


class Draft:
    """``data`` (the edited data; ``original`` stays as loaded), the ``changes`` operations
    recorded, and what the editor needs to write them: each copied container's ``source``,
    renamed keys, and the style hints operations gave for new values."""

    def __init__(self, data, *, file: str = "<text>", locale: str | None = None):
        self.original = data
        self.data = data
        self.file = file
        self.locale = locale
        self.changes: list[Change] = []
        self.notes: list[object] = []  # what operations report besides changes (a cascade's plan)
        self.source: dict[int, object] = {}  # id(copy) -> the original container it copies
        self.renamed: dict[int, dict[str, str]] = {}  # id(mapping) -> {new key: original key}
        self.styles: dict[int, str] = {}  # id(new mapping or list) -> "flow" | "block"
        self.likes: dict[tuple[int, str], tuple[object, object]] = {}  # (id(mapping), key) -> (container, key)
        self._owned: set[int] = set()  # containers this draft made (copies, new values): written in place
        self._alive: list[object] = []  # keeps them alive, so that their ids stay theirs

    # -- messages ----------------------------------------------------------------------------

    def t(self, message: str, /, **values) -> str:
        """The message ``message`` (a catalog key) in the draft's language."""
        return t(self.locale or "en", message, **values)

    def error(self, message: str, /, **values) -> EditError:
        """An EditError saying ``message`` (a catalog key) about this file."""
        return EditError(self.t(message, file=self.file, **values))

    def record(self, change: Change) -> None:
        self.changes.append(change)

    @property
    def changed(self) -> bool:
        return self.data is not self.original

    # -- reading -----------------------------------------------------------------------------

    def resolve(self, path) -> tuple:
        """The concrete path (keys and indices) of ``path``; EditError when a step is missing."""
        node = self.data
        out: list = []
        for step in path:
            if isinstance(step, ById):
                if not isinstance(node, list):
                    raise self.error(N_("edit.not_list"), path=path_text(tuple(out)))
                index = self.index_of(tuple(out), step)
                out.append(index)
                node = node[index]
            elif isinstance(step, int):
                if not isinstance(node, list) or not -len(node) <= step < len(node):
                    raise self.error(N_("edit.missing"), path=path_text(tuple(out) + (step,)))
                step = step % len(node)
                out.append(step)
                node = node[step]
            else:
                if not isinstance(node, dict) or step not in node:
                    raise self.error(N_("edit.missing"), path=path_text(tuple(out) + (step,)))
                out.append(step)
                node = node[step]
        return tuple(out)

    def get(self, path, default=ABSENT):
        """The value at ``path`` (steps as in ``resolve``), or ``default`` when it is not there."""
        node = self.data
        for step in path:
            if isinstance(step, ById):
                if not isinstance(node, list):
                    return default
                node = next((x for x in node if isinstance(x, dict) and str(x.get(step.key)) == step.id), ABSENT)
                if node is ABSENT:
                    return default
            elif isinstance(step, int):
                if not isinstance(node, list) or not -len(node) <= step < len(node):
                    return default
                node = node[step]
            else:
                if not isinstance(node, dict) or step not in node:
                    return default
                node = node[step]
        return node

    def exists(self, path) -> bool:
        return self.get(path) is not ABSENT

    def index_of(self, list_path, step: ById | str) -> int:
        """The index of the item whose id is ``step`` in the list at ``list_path``; an EditError
        naming the closest id ("did you mean"), or listing the ids when there are few."""
        step = step if isinstance(step, ById) else ById(step)
        items = self.get(list_path)
        items = items if isinstance(items, list) else []
        for i, item in enumerate(items):
            if isinstance(item, dict) and str(item.get(step.key)) == step.id:
                return i
        name = str(list_path[-1]) if list_path else ""
        ids = [str(item.get(step.key)) for item in items if isinstance(item, dict) and step.key in item]
        match = difflib.get_close_matches(step.id, ids, n=1, cutoff=0.6)
        more = ""
        if match:
            more = self.t(N_("edit.did_you_mean"), match=match[0])
        elif ids and len(ids) <= 12:
            more = self.t(N_("edit.known"), kinds=self.t(_KINDS_PLURAL.get(name, N_("edit.kinds.item"))),
                          ids=", ".join(ids))
        return self._raise_missing(name, step.id, more)

    def _raise_missing(self, name: str, wanted: str, more: str):
        raise self.error(N_("edit.no_item"), kind=self.t(_KINDS.get(name, N_("edit.kind.item"))), id=wanted, more=more)

    # -- writing -----------------------------------------------------------------------------

    def set(self, path, value, *, order=None, style: str | None = None, like=None) -> tuple:
        """Set the value at ``path`` (see ``ops.Set``); returns its concrete path."""
        if not path:
            raise self.error(N_("edit.missing"), path=path_text(()))
        # the deepest existing mapping on the way; the rest of the path is created
        concrete: list = []
        node = self.data
        steps = list(path)
        while len(steps) > 1:
            step = steps[0]
            if isinstance(step, str) and isinstance(node, dict) and node.get(step) is None:
                break  # missing or null: created below
            concrete.append(self.resolve(tuple(concrete) + (step,))[-1])
            node = self.get(tuple(concrete))
            steps.pop(0)
        if any(not isinstance(s, str) for s in steps[1:]) or (len(steps) > 1 and not isinstance(steps[0], str)):
            raise self.error(N_("edit.missing"), path=path_text(tuple(path)))
        key = steps[0]
        for inner in reversed(steps[1:]):
            value = {inner: value}
        value = self._plain(value, path)
        if style and isinstance(value, (dict, list)):
            self.styles[id(value)] = style
        parent = self._own(tuple(concrete))
        if isinstance(parent, list):
            if not isinstance(key, (int, ById)):
                raise self.error(N_("edit.not_mapping"), path=path_text(tuple(concrete)))
            index = self.resolve(tuple(concrete) + (key,))[-1]
            parent[index] = value
            return tuple(concrete) + (index,)
        if not isinstance(parent, dict):
            raise self.error(N_("edit.not_mapping"), path=path_text(tuple(concrete)))
        if not isinstance(key, str):
            raise self.error(N_("edit.not_list"), path=path_text(tuple(concrete)))
        if key in parent:
            parent[key] = value
        else:
            self._insert_key(parent, key, value, order if order is not None else field_order(tuple(concrete)))
        final = tuple(concrete) + tuple(steps)
        if like is not None and self.exists(like):
            holder = self.get(final[:-1])
            if not isinstance(self.get(final), (dict, list)):
                where = self.resolve(like)
                self.likes[(id(holder), final[-1])] = (self.get(where[:-1]), where[-1])
        return final

    def delete(self, path) -> object:
        """Remove the key or item at the concrete ``path``; returns what it held."""
        parent = self._own(tuple(path[:-1]))
        return parent.pop(path[-1])

    def insert(self, path, index: int, value, *, order=None, style: str | None = None) -> tuple:
        """Insert ``value`` into the list at ``path`` before ``index`` (-1: at the end)."""
        value = self._plain(value, path)
        if style and isinstance(value, (dict, list)):
            self.styles[id(value)] = style
        current = self.get(path)
        if current is ABSENT or current is None:
            new_list = [value]
            self._owned.add(id(new_list))
            self._alive.append(new_list)
            where = self.set(path, new_list, order=order)
            return where + (0,)
        where = self.resolve(path)
        items = self._own(where)
        if not isinstance(items, list):
            raise self.error(N_("edit.not_list"), path=path_text(where))
        position = len(items) if index == -1 or index >= len(items) else index % (len(items) + 1)
        items.insert(position, value)
        return where + (position,)

    def rename(self, path, new_key: str) -> None:
        """Rename the key at the concrete ``path``, keeping its place."""
        parent = self._own(tuple(path[:-1]))
        old_key = path[-1]
        if not isinstance(parent, dict):
            raise self.error(N_("edit.not_mapping"), path=path_text(tuple(path[:-1])))
        if new_key == old_key:
            return
        if new_key in parent:
            raise self.error(N_("edit.key_exists"), path=path_text(tuple(path[:-1])), name=new_key)
        items = [(new_key if k == old_key else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)
        names = self.renamed.setdefault(id(parent), {})
        names[new_key] = names.pop(old_key, old_key)

    # -- copy-on-write -----------------------------------------------------------------------

    def _own(self, path: tuple):
        """The container at the concrete ``path``, copied (with its parents) unless this draft
        made it."""
        node = self.data
        if id(node) not in self._owned:
            node = self._copy(node)
            self.data = node
        for step in path:
            child = node[step]
            if not isinstance(child, (dict, list)):
                raise self.error(N_("edit.not_mapping"), path=path_text(path))
            if id(child) not in self._owned:
                child = self._copy(child)
                node[step] = child
            node = child
        return node

    def _copy(self, container):
        copy = dict(container) if isinstance(container, dict) else list(container)
        self.source[id(copy)] = self.source.get(id(container), container)
        self._owned.add(id(copy))
        self._alive.append(copy)
        return copy

    def _insert_key(self, mapping: dict, key: str, value, order) -> None:
        rank = {k: i for i, k in enumerate(order or ())}
        mine = rank.get(key, len(rank))
        keys = list(mapping)
        pos = next((i for i, k in enumerate(keys) if rank.get(k, -1) > mine), len(keys))
        if pos == len(keys):
            mapping[key] = value
            return
        items = list(mapping.items())
        items.insert(pos, (key, value))
        mapping.clear()
        mapping.update(items)

    def _plain(self, value, path):
        """``value`` as the loader would have read it: dicts with text keys, lists, text, numbers,
        booleans, null; a date becomes ``YYYY-MM-DD``. New containers belong to the draft."""
        if isinstance(value, datetime):
            raise TypeError(f"{path_text(tuple(path))}: a campaign holds dates, not times")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise self.error(N_("edit.bad_text"), path=path_text(tuple(path))) from None
            return value
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(N_("edit.bad_number"), path=path_text(tuple(path)), value=value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if not isinstance(k, str):
                    raise TypeError(f"{path_text(tuple(path))}: keys are text, not {k!r}")
                out[k] = self._plain(v, tuple(path) + (k,))
            style = self.styles.get(id(value))
        elif isinstance(value, (list, tuple)):
            out = [self._plain(v, tuple(path) + (i,)) for i, v in enumerate(value)]
            style = self.styles.get(id(value))
        else:
            raise TypeError(f"{path_text(tuple(path))}: cannot write {type(value).__name__} into a campaign")
        if style:
            self.styles[id(out)] = style
        self._owned.add(id(out))
        self._alive.append(out)
        return out


# ---------------------------------------------------------------------------------------------
# Field order: the campaign schema's properties, in order

_ORDERS: dict[tuple, tuple[str, ...]] = {}


def field_order(path: tuple) -> tuple[str, ...]:
    """The order of the keys of the mapping at the concrete ``path`` as the campaign schema
    lists them (``("tasks", 3)`` -> id, name, description, ...); () when the schema does not
    say (a person's mapping of goal results, ...)."""
    shape = tuple("[]" if isinstance(p, int) else p for p in path)
    if shape not in _ORDERS:
        _ORDERS[shape] = _schema_order(shape)
    return _ORDERS[shape]


def _schema_order(shape: tuple) -> tuple[str, ...]:
    from ptrack.core.validate import load_schema

    schema = load_schema()
    definitions = schema.get("definitions", {})

    def deref(node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 10:
            node = definitions.get(node["$ref"].rsplit("/", 1)[-1], {})
            seen += 1
        if isinstance(node, dict):
            for alt in node.get("oneOf", ()) + node.get("anyOf", ()):
                alt = deref(alt)
                if isinstance(alt, dict) and alt.get("type") in ("object", "array"):
                    return alt
        return node

    node = deref(schema)
    for step in shape:
        if not isinstance(node, dict):
            return ()
        if step == "[]":
            node = deref(node.get("items", {}))
        elif step in node.get("properties", {}):
            node = deref(node["properties"][step])
        else:
            extra = node.get("additionalProperties")
            node = deref(extra) if isinstance(extra, dict) else None
    return tuple(node.get("properties", {})) if isinstance(node, dict) else ()
