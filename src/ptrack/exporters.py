"""``ptrack export --format``: each format's bytes from a snapshot, by name (a registry)."""

from __future__ import annotations

from typing import Callable

from ptrack.core.compute import CampaignSnapshot
from ptrack.render.mermaid import mermaid_gantt
from ptrack.sheets.ics import render_ics
from ptrack.sheets.tabular import csv_bytes, xlsx_bytes


def _mermaid_bytes(snapshot: CampaignSnapshot, *, locale: str | None) -> bytes:
    return mermaid_gantt(snapshot, locale=locale).encode("utf-8")


def _ics_bytes(snapshot: CampaignSnapshot, *, locale: str | None) -> bytes:
    return render_ics(snapshot, locale=locale).encode("utf-8")


EXPORTERS: dict[str, Callable[..., bytes]] = {
    "csv": csv_bytes,
    "xlsx": xlsx_bytes,
    "mermaid": _mermaid_bytes,
    "ics": _ics_bytes,
}
BINARY_FORMATS = frozenset({"xlsx"})  # need a file; the others may go to stdout


def export_bytes(snapshot: CampaignSnapshot, fmt: str, *, locale: str | None) -> bytes:
    return EXPORTERS[fmt](snapshot, locale=locale)
