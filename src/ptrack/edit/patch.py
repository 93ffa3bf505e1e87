"""From a draft back to text: the spans that change, and nothing else.

``render(text, source, draft)`` compares the draft's data with the data the text was loaded
from, using the loader's spans (``parse_yaml(text, spans=True)``): an object the draft did not
replace is skipped at once (it is the very same object); a copied mapping or list is compared key
by key or item by item with its original; a changed scalar has its span replaced, written in the
style it had (quotes kept, a comment after it kept in its column); a new key or item becomes new
lines with the indentation of its siblings (or ``, key: value`` inside a flow mapping); a removed
one loses its lines. The edits are applied to the original text at once, so every byte outside
them stays as it was.

The caller (``ptrack.edit.engine``) reads the result back and checks that it holds exactly the
draft's data; a shape this module does not handle raises ``Unpatchable``.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import unicodedata

from ptrack.edit.emit import (Layout, entry_lines, flow_text, inline_scalar, is_scalar, item_lines, key_text,
                              literal_lines, literal_ok, mapping_lines, value_lines, wants_block)


class Unpatchable(Exception):
    """The change cannot be written into this text surgically (an overlap of edits, a node
    written in a way the patcher does not know)."""


_COMMENT_AFTER = re.compile(r"( +)#")
_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*")


class _Where:
    """Where a node sits: in a flow collection or not; the column of its key or dash (block);
    the position right after its parent's ``:`` or ``-``; whether it is a list item; its depth;
    the original container it belongs to, with its spans (for the style of its siblings)."""

    __slots__ = ("flow", "column", "indicator", "item", "depth", "parent", "parent_spans")

    def __init__(self, flow, column, indicator, item, depth, parent=None, parent_spans=None):
        self.flow = flow
        self.column = column
        self.indicator = indicator
        self.item = item
        self.depth = depth
        self.parent = parent
        self.parent_spans = parent_spans


def render(text: str, source, draft) -> str:
    """The text of ``draft.data``, made from ``text`` (the text ``draft.original`` was loaded
    from, with its ``source`` map holding spans)."""
    return _Patcher(text, source, draft).run()


class _Patcher:
    def __init__(self, text: str, source, draft):
        self.text = text
        self.spans = source.spans
        self.root_span = source.root_span
        self.draft = draft
        self.sources = draft.source
        self.edits: list[tuple[int, int, int, int, str]] = []  # start, end, -depth, seq, text
        self._layout: Layout | None = None

    # -- driver ------------------------------------------------------------------------------

    def run(self) -> str:
        old, new = self.draft.original, self.draft.data
        self.node(old, new, self.root_span, _Where(False, 0, 0, False, 0))
        return self.apply()

    def apply(self) -> str:
        edits = sorted(self.edits)
        out: list[str] = []
        cursor = 0
        for start, end, _, _, replacement in edits:
            if start < cursor:
                raise Unpatchable("two edits overlap")
            out.append(self.text[cursor:start])
            out.append(replacement)
            cursor = end
        out.append(self.text[cursor:])
        return "".join(out)

    def edit(self, start: int, end: int, replacement: str, depth: int) -> None:
        self.edits.append((start, end, -depth, len(self.edits), replacement))

    # -- positions ---------------------------------------------------------------------------

    def line_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def line_end(self, pos: int) -> int:
        i = self.text.find("\n", pos)
        return len(self.text) if i < 0 else i

    def column(self, pos: int) -> int:
        return pos - self.line_start(pos)

    def starts_line(self, pos: int) -> bool:
        return not self.text[self.line_start(pos):pos].strip()

    def swallows(self, pos: int, column: int) -> bool:
        """The first line from ``pos`` on that is not blank is a comment indented deeper than
        ``column``: a literal block inserted at ``pos`` would take it in as text."""
        while pos < len(self.text):
            end = self.line_end(pos)
            line = self.text[pos:end]
            if line.strip():
                return line.lstrip().startswith("#") and len(line) - len(line.lstrip()) > column
            pos = end + 1
        return False

    def after_colon(self, key_end: int) -> int:
        i = key_end
        while i < len(self.text) and self.text[i] in " \t":
            i += 1
        if i >= len(self.text) or self.text[i] != ":":
            raise Unpatchable("no ':' after a key")
        return i + 1

    def dash(self, item_start: int) -> int:
        i = item_start - 1
        while i >= 0 and self.text[i] in " \t\n":
            i -= 1
        if i < 0 or self.text[i] != "-":
            raise Unpatchable("no '-' before a list item")
        return i

    def end(self, value, span) -> int:
        """Where the text of an original node ends: its last character (a block scalar's trailing
        line breaks and a block collection's trailing comments are not its own)."""
        start, stop, style = span
        kind = style.lstrip("&")
        if kind in ("m", "s"):
            entries = self.spans[id(value)]
            if isinstance(value, dict):
                last = next(reversed(value))
                return self.end(value[last], entries[last][2:5])
            return self.end(value[-1], entries[-1])
        if kind in ("|", ">"):
            body = self.text[start:stop].rstrip("\n")
            lines = body.split("\n")
            while len(lines) > 1 and not lines[-1].strip():
                lines.pop()
            return start + len("\n".join(lines))
        return stop

    def layout(self) -> Layout:
        """The file's indentation, read from its first block mappings and lists."""
        if self._layout is None:
            mapping = dash = item = None
            todo = [(self.draft.original, self.root_span)]
            seen = 0
            while todo and seen < 200 and (mapping is None or dash is None):
                value, span = todo.pop(0)
                seen += 1
                if not isinstance(value, dict) or span[2].lstrip("&") != "m":
                    if isinstance(value, list) and span[2].lstrip("&") == "s":
                        entries = self.spans[id(value)]
                        todo += list(zip(value, entries))
                    continue
                entries = self.spans[id(value)]
                for key, child in value.items():
                    ks, _, vs, _, style = entries[key]
                    kind = style.lstrip("&")
                    if kind == "m" and mapping is None:
                        mapping = self.column(vs) - self.column(ks)
                    elif kind == "s" and dash is None:
                        first = self.spans[id(child)][0][0]
                        d = self.dash(first)
                        dash = self.column(d) - self.column(ks)
                        item = self.column(first) - self.column(d)
                    todo.append((child, entries[key][2:5]))
            self._layout = Layout(mapping if mapping and mapping > 0 else 2, dash if dash is not None and dash >= 0 else 2,
                                  item if item and item > 0 else 2)
        return self._layout

    # -- comparing ---------------------------------------------------------------------------

    def source_of(self, value):
        """The original container ``value`` (a draft container) is a copy of, else None."""
        return self.sources.get(id(value))

    def node(self, old, new, span, where: _Where) -> None:
        if new is old:
            return
        if not is_scalar(new) and self.source_of(new) is old and span[2].lstrip("&") not in ("*",):
            if isinstance(new, dict):
                self.mapping(old, new, span, where)
            else:
                self.sequence(old, new, span, where)
            return
        if is_scalar(old) and is_scalar(new) and type(old) is type(new) and old == new:
            return
        self.replace(old, new, span, where)

    def hint(self, value, where: _Where, near: int | None = None) -> str | None:
        """flow or block for a new container: the operation's choice, else its siblings' (in a
        list, the item ``near`` it first: the one it follows)."""
        hint = self.draft.styles.get(id(value))
        if hint or is_scalar(value) or where.parent_spans is None:
            return hint
        want = "m" if isinstance(value, dict) else "s"
        flow = "{" if isinstance(value, dict) else "["
        entries = list(where.parent_spans.values() if isinstance(where.parent_spans, dict) else where.parent_spans)
        if near is not None:
            entries.insert(0, entries[near])
        for style in (e[4] if len(e) == 5 else e[2] for e in entries):
            style = style.lstrip("&")
            if style == want:
                return "block"
            if style == flow:
                return "flow"
        return None

    def like(self, container, key) -> str:
        """The quoting a new scalar at ``container[key]`` copies (``Set(like=...)``)."""
        found = self.draft.likes.get((id(container), key))
        if found is None:
            return ""
        holder, at = found
        original = self.source_of(holder) or holder
        entries = self.spans.get(id(original))
        if entries is None:
            return ""
        try:
            span = entries[at]
        except (KeyError, IndexError, TypeError):
            return ""
        style = (span[4] if len(span) == 5 else span[2]).lstrip("&")
        return style if style in ("'", '"') else ""

    # -- mappings ----------------------------------------------------------------------------

    def mapping(self, old: dict, new: dict, span, where: _Where) -> None:
        entries = self.spans[id(old)]
        flow = span[2].lstrip("&") == "{"
        renamed = self.draft.renamed.get(id(new), {})
        back: dict[str, str] = {}
        for key in new:
            original = renamed.get(key, key)
            if original in old and original not in back.values():
                back[key] = original
        if not new or not back:
            self.replace(old, new, span, where)
            return
        order = list(old)
        kept = [back[k] for k in new if k in back]
        if kept != [k for k in order if k in set(kept)]:
            self.replace(old, new, span, where)  # keys moved: this mapping is written anew
            return
        depth = where.depth + 1
        # removed keys, in runs of neighbours
        removed = [i for i, k in enumerate(order) if k not in set(kept)]
        for first, last in _runs(removed):
            self.remove_entries(old, entries, order, first, last, flow, depth)
        # kept keys: renamed ones, and their values
        for key, original in back.items():
            ks, ke, vs, ve, style = entries[original]
            if key != original:
                self.edit(ks, ke, key_text(key, flow=flow), depth)
            child = _Where(flow, self.column(ks) if not flow else None, None, False, depth, old, entries)
            child.indicator = ke  # resolved lazily: the ':' follows the key
            self.node(old[original], new[key], (vs, ve, style), child)
        # added keys, in runs after the kept key before them
        keys = list(new)
        column = self.column(entries[order[0]][0]) if not flow else None
        run: list[str] = []
        anchor = None
        for key in keys + [None]:
            if key is not None and key not in back:
                run.append(key)
                continue
            if run:
                self.add_entries(old, entries, new, run, anchor, back, flow, column, depth, where)
                run = []
            if key is not None:
                anchor = back[key]

    def remove_entries(self, old, entries, order, first, last, flow, depth) -> None:
        ks_first = entries[order[first]][0]
        if flow:
            if first > 0:
                prev = order[first - 1]
                start = self.end(old[prev], entries[prev][2:5])
                self.edit(start, self.end(old[order[last]], entries[order[last]][2:5]), "", depth)
            else:
                self.edit(ks_first, entries[order[last + 1]][0], "", depth)
            return
        if self.starts_line(ks_first):
            stop = self.end(old[order[last]], entries[order[last]][2:5])
            self.edit(self.line_start(ks_first), min(self.line_end(stop) + 1, len(self.text)), "", depth)
        else:  # the first key of a list item, on the dash's line: the next key moves up
            self.edit(ks_first, entries[order[last + 1]][0], "", depth)

    def add_entries(self, old, entries, new, run, anchor, back, flow, column, depth, where) -> None:
        if flow:
            parts = [f"{key_text(k, flow=True)}: {flow_text(new[k], like=self.like(new, k), like_of=self.like)}"
                     for k in run]
            if anchor is not None:
                self.edit(self.end(old[anchor], entries[anchor][2:5]), self.end(old[anchor], entries[anchor][2:5]),
                          ", " + ", ".join(parts), depth)
            else:
                first = next(back[k] for k in new if k in back)
                self.edit(entries[first][0], entries[first][0], ", ".join(parts) + ", ", depth)
            return
        at = self.line_end(self.end(old[anchor], entries[anchor][2:5])) + 1 if anchor is not None else None
        layout = self.layout()
        if at is not None and (at > len(self.text) or self.swallows(at, column)):
            layout = dataclasses.replace(layout, blocks=False)  # (at the end of a file without a last line break too)
        peers = _Where(False, column, None, False, depth, old, entries)
        lines: list[str] = []
        for k in run:
            value = new[k]
            lines += entry_lines(k, value, column, layout, self.hint(value, peers), like=self.like(new, k),
                                 like_of=self.like)
        if anchor is not None:
            self.insert_lines(self.end(old[anchor], entries[anchor][2:5]), lines, depth)
        else:
            first = next(back[k] for k in new if k in back)
            at = entries[first][0]
            self.edit(at, at, "\n".join(lines)[column:] + "\n" + " " * column, depth)

    def insert_lines(self, after: int, lines: list[str], depth: int) -> None:
        """New lines below the line holding position ``after``."""
        end = self.line_end(after)
        if end >= len(self.text):
            self.edit(len(self.text), len(self.text), "\n" + "\n".join(lines), depth)
        else:
            self.edit(end + 1, end + 1, "\n".join(lines) + "\n", depth)

    # -- lists -------------------------------------------------------------------------------

    def sequence(self, old: list, new: list, span, where: _Where) -> None:
        entries = self.spans[id(old)]
        flow = span[2].lstrip("&") == "["
        positions: dict[int, list[int]] = {}
        for i, item in enumerate(old):
            positions.setdefault(id(item), []).append(i)
        matched: list[int | None] = []
        cursor = 0
        for item in new:
            origin = item if is_scalar(item) or id(item) in positions else self.source_of(item)
            found = positions.get(id(origin)) if origin is not None else None
            index = None
            if found:
                k = bisect.bisect_left(found, cursor)
                if k < len(found):
                    index = found[k]
                    cursor = index + 1
            matched.append(index)
        kept = [i for i in matched if i is not None]
        if not new or not kept:
            self.replace(old, new, span, where)
            return
        depth = where.depth + 1
        kept_set = set(kept)
        removed = [i for i in range(len(old)) if i not in kept_set]
        for first, last in _runs(removed):
            self.remove_items(old, entries, first, last, flow, depth)
        for item, index in zip(new, matched):
            if index is None:
                continue
            vs, ve, style = entries[index]
            child = _Where(flow, None, None, True, depth, old, entries)
            if not flow:
                d = self.dash(vs)
                child.column, child.indicator = self.column(d), d + 1
            self.node(old[index], item, (vs, ve, style), child)
        run: list = []
        anchor = None
        for item, index in list(zip(new, matched)) + [(None, -1)]:
            if index is None:
                run.append(item)
                continue
            if run:
                self.add_items(old, entries, run, anchor, kept[0], flow, depth)
                run = []
            if index != -1:
                anchor = index

    def remove_items(self, old, entries, first, last, flow, depth) -> None:
        vs_first = entries[first][0]
        if flow:
            if first > 0:
                self.edit(self.end(old[first - 1], entries[first - 1]), self.end(old[last], entries[last]), "", depth)
            else:
                self.edit(vs_first, entries[last + 1][0], "", depth)
            return
        d = self.dash(vs_first)
        if self.starts_line(d):
            stop = self.end(old[last], entries[last])
            self.edit(self.line_start(d), min(self.line_end(stop) + 1, len(self.text)), "", depth)
        else:
            self.edit(d, self.dash(entries[last + 1][0]), "", depth)

    def add_items(self, old, entries, run, anchor, first_kept, flow, depth) -> None:
        if flow:
            parts = [flow_text(x, like_of=self.like) for x in run]
            if anchor is not None:
                at = self.end(old[anchor], entries[anchor])
                self.edit(at, at, ", " + ", ".join(parts), depth)
            else:
                at = entries[first_kept][0]
                self.edit(at, at, ", ".join(parts) + ", ", depth)
            return
        layout = self.layout()
        d = self.dash(entries[first_kept][0])
        column = self.column(d)
        peers = _Where(False, column, None, True, depth, old, entries)
        at = self.line_end(self.end(old[anchor], entries[anchor])) + 1 if anchor is not None else None
        item_layout = Layout(layout.mapping, layout.dash, self.column(entries[first_kept][0]) - column or layout.item,
                             blocks=at is None or (at <= len(self.text) and not self.swallows(at, column)))
        lines: list[str] = []
        near = anchor if anchor is not None else first_kept
        for x in run:
            lines += item_lines(x, column, item_layout, self.hint(x, peers, near), like_of=self.like)
        if anchor is not None:
            self.insert_lines(self.end(old[anchor], entries[anchor]), lines, depth)
        else:
            self.edit(d, d, "\n".join(lines)[column:] + "\n" + " " * column, depth)

    # -- replacing a node --------------------------------------------------------------------

    def replace(self, old, new, span, where: _Where) -> None:
        start, stop, style = span
        kind = style.lstrip("&")
        depth = where.depth + 1
        if where.depth == 0:  # the document itself, written anew
            if kind == "m" and isinstance(new, dict) and new:
                text = "\n".join(mapping_lines(new, 0, self.layout(), like_of=self.like))
            else:
                text = flow_text(new, like_of=self.like)
            self.edit(start, self.end(old, span), text, depth)
            return
        if kind in ("m", "s"):
            # a block collection: from after its key's ':' (or its dash) to its end
            region_start = self.indicator(where)
            region_end = self.end(old, span)
        else:
            region_start, region_end = start, self.end(old, span)
        if where.flow:
            text = flow_text(new, like=kind if kind in ("'", '"') else "", like_of=self.like)
            self.edit(region_start, region_end, text, depth)
            return
        if is_scalar(new):
            self.replace_scalar(new, start, region_start, region_end, kind, where, depth)
            return
        hint = self.hint(new, where)
        if not wants_block(new, hint):
            text = flow_text(new, like_of=self.like)
            if kind in ("m", "s") or start == stop:
                text = " " + text
            self.edit(region_start, region_end, text, depth)
            return
        layout = self.layout()
        if where.item:
            # a list item that becomes a block mapping: its first key stays on the dash's line
            lines = item_lines(new, where.column, layout, hint, like_of=self.like)
            self.edit(self.dash(start) if kind not in ("m", "s") else where.indicator - 1,
                      region_end, "\n".join(lines)[where.column:], depth)
            return
        _, below = value_lines(new, where.column, layout, hint, like_of=self.like)
        if kind in ("m", "s"):
            self.edit(region_start, region_end, "\n" + "\n".join(below), depth)
            return
        # an inline node becomes a block below its key: the key's line keeps any comment
        line_end = self.line_end(region_end)
        if not self.text[region_end:line_end].strip():
            colon = self.indicator(where)
            self.edit(colon, line_end, "", depth)
        else:
            self.edit(region_start, region_end, "", depth)
        self.edit(line_end, line_end, "\n" + "\n".join(below), depth)

    def indicator(self, where: _Where) -> int:
        """The position right after the ':' of the node's key (or its '-')."""
        if where.item:
            return where.indicator
        return self.after_colon(where.indicator)

    def replace_scalar(self, new, start, region_start, region_end, kind, where, depth) -> None:
        layout = self.layout()
        after = self.line_end(region_end) + 1
        blocks = (kind in ("|", ">") or not self.swallows(after, where.column or 0)) and (
            after <= len(self.text) or not (isinstance(new, str) and new.endswith("\n")))
        if isinstance(new, str) and blocks and literal_ok(new):
            if kind in ("|", ">"):
                header_end = _BLOCK_HEADER.match(self.text, start).end()
                first = self.text.find("\n", header_end) + 1
                body = self.text[first:region_end]
                indent = next((len(x) - len(x.lstrip(" ")) for x in body.split("\n") if x.strip()), None)
                if indent is None:
                    indent = where.column + (layout.item if where.item else layout.mapping)
                header, lines = literal_lines(new, indent)
                self.edit(start, header_end, header, depth)
                if region_end > first > 0:
                    self.edit(first, region_end, "\n".join(lines), depth)
                else:
                    at = self.line_end(header_end)
                    self.edit(at, at, "\n" + "\n".join(lines), depth)
                return
            indent = where.column + (layout.item if where.item else layout.mapping)
            header, lines = literal_lines(new, indent)
            if kind in ("m", "s"):  # a block collection becomes text: from the ':' (or '-') on
                self.edit(region_start, region_end, " " + header + "\n" + "\n".join(lines), depth)
                return
            self.replace_inline(region_start, region_end, (" " if start == region_end else "") + header, depth)
            at = self.line_end(region_end)
            self.edit(at, at, "\n" + "\n".join(lines), depth)
            return
        text = inline_scalar(new, like=kind if kind in ("'", '"') else "")
        if kind in ("m", "s") or (start == region_end and self.text[start - 1:start] not in (" ", "\t")):
            text = " " + text
        self.replace_inline(region_start, region_end, text, depth)

    def replace_inline(self, start: int, end: int, text: str, depth: int) -> None:
        """Replace ``start:end`` with ``text``; a comment after it on its line keeps its column
        (as far as the spaces before it allow)."""
        old_text = self.text[start:end]
        after = _COMMENT_AFTER.match(self.text, end, self.line_end(end))
        if after and old_text and "\n" not in old_text:
            spaces = len(after.group(1))
            keep = max(1, spaces - (_width(text) - _width(old_text)))
            self.edit(start, end + spaces, text + " " * keep, depth)
            return
        self.edit(start, end, text, depth)


def _runs(indices: list[int]):
    """[1, 2, 3, 7, 9, 10] -> (1, 3), (7, 7), (9, 10)."""
    run_start = prev = None
    for i in indices:
        if prev is not None and i == prev + 1:
            prev = i
            continue
        if run_start is not None:
            yield run_start, prev
        run_start = prev = i
    if run_start is not None:
        yield run_start, prev


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal or editor: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
