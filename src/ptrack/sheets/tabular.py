"""The seed's tracking table as CSV and XLSX (DESIGN §2): export side.

``tracking_rows`` is the table as plain values: the 18 columns of the seed in order, then
``EXTRA_TRACKING_COLUMNS`` (what an import needs to rebuild the campaign without loss). The
writers only encode it:

- Dates are ISO ``YYYY-MM-DD`` strings in the rows; the XLSX writer stores them as real date cells
  (format ``yyyy-mm-dd``). Progress, deviation and days behind are numbers (percentage *points*,
  0-100, never fractions); the rest is text; an empty cell is ``None``.
- Owner and collaborators are shown by person name. Lists (collaborators, channels, depends_on)
  are joined with the language's list separator (message ``punct.list``: "、" in Chinese, ", " in en).
  A dependency with a type or a lag is written in MS Project's notation after the id:
  ``kv-design(FS+2)``, ``shooting(SS)`` (``ptrack.core.model.dependency_text``; import reads it back).
- Every risk of the task is one line in the risk cell (``\\n`` between risks), and the solution
  and deadline cells hold the matching line of each risk, so line i of the three cells is one
  risk. Where a risk has no solution or deadline its line is ``-`` (a blank marker that keeps the
  lines aligned even when a reader strips the cell); a cell with no value at all is empty. A
  resolved risk's line ends with ``（已解决 2024-03-06）`` / `` (resolved 2024-03-06)`` (no date
  when the file says only ``resolved: true``). Line breaks inside one risk's text become spaces.
- Spreadsheet formula injection is neutralised on the way out (``safe_cell``): a text cell starting
  with ``= + - @ \\t \\r`` gets a leading apostrophe (OWASP). Numbers stay numbers, so a negative
  deviation is still ``-6.3``. An import strips one apostrophe before those characters.

Files are written atomically and byte-for-byte deterministically (CSV: UTF-8 with BOM, CRLF;
XLSX: the document times are the as-of date, the zip entry times XlsxWriter's fixed 1980-01-01).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

from ptrack.core.compute import CampaignSnapshot, RiskSnapshot, TaskSnapshot
from ptrack.core.model import dependency_text
from ptrack.errors import PtrackError
from ptrack.fsutil import atomic_write
from ptrack.i18n import EXTRA_TRACKING_COLUMNS, NO_VALUE, TRACKING_COLUMNS, normalise_locale, t, tracking_headers

Cell = str | float | int | None

COLUMN_KEYS: tuple[str, ...] = tuple(c[0] for c in TRACKING_COLUMNS + EXTRA_TRACKING_COLUMNS)
DATE_COLUMNS = frozenset({"planned_start", "planned_end", "actual_start", "actual_end"})
NUMBER_COLUMNS = frozenset({"planned_progress", "actual_progress", "deviation", "days_behind"})
RISK_COLUMNS = ("risk", "solution", "risk_due")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029")


# ---------------------------------------------------------------------------------------------
# The rows

def _one_line(text: str | None) -> str:
    return _LINE_BREAKS.sub(" ", text) if text else ""


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _points(value: float) -> float:
    return value + 0.0  # no -0.0


def risk_marker(rs: RiskSnapshot, locale: str) -> str:
    """The suffix of a resolved risk's line: ``（已解决 2024-03-06）`` / `` (resolved 2024-03-06)``;
    ``""`` for an open one."""
    if rs.state != "resolved":
        return ""
    word = t(locale, "report.resolved_marker")
    when = rs.risk.resolved_on
    text = f"{word} {when.isoformat()}" if when else word
    return t(locale, "punct.paren", text=text)


def _parallel(lines: list[str]) -> str | None:
    if not any(lines):
        return None
    return "\n".join(line or "-" for line in lines)


def _risk_cells(ts: TaskSnapshot, locale: str) -> tuple[str | None, str | None, str | None]:
    if not ts.risks:
        return None, None, None
    issues = [_one_line(rs.risk.issue) + risk_marker(rs, locale) for rs in ts.risks]
    solutions = [_one_line(rs.risk.solution) for rs in ts.risks]
    dues = [_iso(rs.risk.due) or "" for rs in ts.risks]
    return "\n".join(issues), _parallel(solutions), _parallel(dues)


def _row(s: CampaignSnapshot, ts: TaskSnapshot, locale: str) -> list[Cell]:
    task, c = ts.task, s.campaign
    sep = t(locale, "punct.list")
    risk, solution, risk_due = _risk_cells(ts, locale)
    values: dict[str, Cell] = {
        "name": task.name,
        "description": task.description,
        "module": task.module,
        "owner": c.person_name(task.owner),
        "collaborators": sep.join(c.person_name(p) for p in task.collaborators) or None,
        "department": task.department,
        "planned_start": _iso(task.planned_start),
        "planned_end": _iso(task.planned_end),
        "actual_start": _iso(task.actual_start),
        "actual_end": _iso(task.actual_end),
        "planned_progress": _points(ts.planned_progress),
        "actual_progress": _points(ts.actual_progress),
        "deviation": NO_VALUE if ts.deviation is None else _points(ts.deviation),  # cancelled: "—"
        "status": t(locale, f"status.{ts.status.value}"),
        "risk": risk,
        "solution": solution,
        "risk_due": risk_due,
        "notes": task.notes,
        "id": task.id,
        "channels": sep.join(task.channels) or None,
        "depends_on": sep.join(dependency_text(d) for d in task.dependencies) or None,
        "kind": t(locale, f"kind.{task.kind}"),
        "health": t(locale, f"health.{ts.health.value}"),
        "days_behind": ts.days_behind,
        "calendar": c.calendar,
    }
    return [values[k] for k in COLUMN_KEYS]


def tracking_rows(snapshot: CampaignSnapshot, *, locale: str | None) -> tuple[list[str], list[list[Cell]]]:
    """(headers, rows) of the tracking table in file order of the tasks; ``locale`` None means
    the campaign's own. Headers: the seed's 18 then the extra columns, in zh-CN or English."""
    loc = normalise_locale(locale or snapshot.campaign.locale)
    return tracking_headers(loc), [_row(snapshot, ts, loc) for ts in snapshot.tasks]


# ---------------------------------------------------------------------------------------------
# Cell safety

def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet take this text for a formula (it starts with = + - @ TAB CR)?"""
    return text.startswith(FORMULA_PREFIXES)


def safe_cell(value: Cell) -> Cell:
    """Neutralise spreadsheet formulas in a CSV: text starting with = + - @ TAB CR gets a leading
    apostrophe, and so does text that starts with apostrophes before one of those (``'=x`` ->
    ``''=x``), so that an import, which takes exactly one apostrophe off, reads back what was
    written. Numbers and ``None`` pass unchanged."""
    if isinstance(value, str) and looks_like_formula(value.lstrip("'")):
        return "'" + value
    return value


def csv_text(value: Cell) -> str:
    """How one value is written in the CSV (after ``safe_cell``): numbers in their shortest form
    (``100``, ``53.7``, ``-6.3``), ``None`` as an empty field."""
    if value is None:
        return ""
    if isinstance(value, bool):  # pragma: no cover - no boolean columns
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        value += 0.0
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# ---------------------------------------------------------------------------------------------
# CSV

def csv_bytes(snapshot: CampaignSnapshot, *, locale: str | None) -> bytes:
    """UTF-8 with a BOM (Excel then opens Chinese correctly), CRLF line ends, minimal quoting."""
    headers, rows = tracking_rows(snapshot, locale=locale)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_text(safe_cell(h)) for h in headers])
    for row in rows:
        writer.writerow([csv_text(safe_cell(v)) for v in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def write_csv(snapshot: CampaignSnapshot, path: Path | str, *, locale: str | None) -> Path:
    return atomic_write(path, csv_bytes(snapshot, locale=locale))


# ---------------------------------------------------------------------------------------------
# XLSX

# The characters XML 1.0 cannot hold: the C0 controls but TAB, LF and CR (openpyxl's
# ILLEGAL_CHARACTERS_RE, copied so that writing does not import openpyxl), and the non-characters
# U+FFFE and U+FFFF (the old openpyxl writer put them in raw, making the file unreadable).
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037\ufffe\uffff]")
_XLSX_OPTIONS = {
    "in_memory": True,  # no temp files; every zip entry is dated 1980-01-01 00:00:00 (Excel's epoch)
    "strings_to_formulas": False,  # we only call write_string(), but never let text become anything else
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
_CHAR_PIXELS = 7  # XlsxWriter's max digit width (Calibri 11): a width of n characters is 7n pixels


def fixed_timestamp(snapshot: CampaignSnapshot) -> datetime:
    """The only time written into an XLSX (created = modified): midnight at the start of the as-of
    date."""
    d = snapshot.as_of
    return datetime(max(d.year, 1980), d.month, d.day)


def _xlsx_value(key: str, value: Cell) -> Cell | date:
    if key in DATE_COLUMNS and isinstance(value, str):
        return date.fromisoformat(value)
    if key == "risk_due" and isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return date.fromisoformat(value)  # one risk with a deadline: a real date cell
    return value


def _clean_xml(value):
    """XML cannot hold most control characters and turns a lone CR into LF on reading: line breaks
    become LF (what Excel uses inside a cell), the other controls U+FFFD. (XlsxWriter would write
    them as ``_x0001_`` escapes, which openpyxl, and so ``ptrack import``, reads back verbatim.)"""
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("\ufffd", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value


def _column_width(key: str, header: str, values: list[Cell]) -> float:
    from ptrack.reporters import display_width

    if key in DATE_COLUMNS:
        return 12
    longest = display_width(header)
    for v in set(values):  # status, owner, module... repeat: measure each text once
        if isinstance(v, str):
            for line in v.split("\n"):
                # printable ASCII is one column a character (wcwidth's answer, without asking it)
                longest = max(longest, len(line) if line.isascii() and line.isprintable() else display_width(line))
        elif v is not None:
            longest = max(longest, len(csv_text(v)))
    return float(min(max(longest + 2, 8), 60))


def xlsx_bytes(snapshot: CampaignSnapshot, *, locale: str | None) -> bytes:
    """One sheet: a bold, frozen header row, column widths from the content, dates as date cells
    (``yyyy-mm-dd``), progress as numbers (``0.0``), wrapped multi-line risk cells, autofilter.
    Text is always written as text (never a formula, number or link). Byte-identical for the same
    inputs: the document times are the as-of date, every zip entry is dated 1980-01-01.

    A text that a spreadsheet would take for a formula (``=SUM…``, ``-2``) is a text cell with
    Excel's quote-prefix style: shown as written, kept as text when edited, and read back as
    written (no visible ``'`` guard as in the CSV).

    Written with XlsxWriter (2.9x faster than openpyxl's writer); ``ptrack import`` reads with
    openpyxl. An Excel cell holds at most 32,767 characters (UTF-16 units), and XlsxWriter would
    cut a longer text silently: such a text raises ``CellTooLong`` (naming the task, the column
    and the line of the campaign file) before anything is written."""
    from xlsxwriter import Workbook

    loc = normalise_locale(locale or snapshot.campaign.locale)
    headers, rows = tracking_rows(snapshot, locale=loc)
    too_long = _too_long_for_excel(snapshot, headers, rows, loc)
    if too_long:
        raise CellTooLong(too_long)

    out = io.BytesIO()
    wb = Workbook(out, _XLSX_OPTIONS)
    wb.set_properties({"title": _clean_xml(snapshot.campaign.name), "author": "ptrack",  # author: creator and
                       "created": fixed_timestamp(snapshot)})  # lastModifiedBy; created: also modified
    ws = wb.add_worksheet(t(loc, "report.sheet_name"))

    bold = wb.add_format({"bold": True, "valign": "top"})
    formats: dict[tuple[str | None, bool, bool], object] = {}

    def fmt(number_format: str | None, wrap: bool, quote: bool = False):
        prepared = formats.get((number_format, wrap, quote))
        if prepared is None:
            props: dict[str, object] = {"valign": "top"}
            if wrap:
                props["text_wrap"] = True
            if number_format:
                props["num_format"] = number_format
            if quote:
                props["quote_prefix"] = True
            prepared = formats[(number_format, wrap, quote)] = wb.add_format(props)
        return prepared

    for col, header in enumerate(headers):
        ws.write_string(0, col, _clean_xml(header), bold)
    number_formats = ["0" if key == "days_behind" else "0.0" if key in NUMBER_COLUMNS else None
                      for key in COLUMN_KEYS]
    plain = [fmt(number_format, False) for number_format in number_formats]
    date_format = fmt("yyyy-mm-dd", False)
    write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
    for r, row in enumerate(rows, start=1):
        for col, (key, value) in enumerate(zip(COLUMN_KEYS, row)):
            if value is None:
                write_blank(r, col, None, plain[col])  # styled, no value
                continue
            shown = _xlsx_value(key, value)
            if isinstance(shown, str):
                shown = _clean_xml(shown)
                wrap = "\n" in shown
                if looks_like_formula(shown):  # a text cell, as Excel keeps '=x typed in a cell
                    write_string(r, col, shown, fmt(number_formats[col], wrap, True))
                elif wrap:
                    write_string(r, col, shown, fmt(number_formats[col], True))
                elif shown:
                    write_string(r, col, shown, plain[col])
                else:  # an empty cell, as openpyxl wrote it, not an empty text
                    write_blank(r, col, None, plain[col])
            elif isinstance(shown, date):
                ws.write_datetime(r, col, shown, date_format)
            else:
                write_number(r, col, shown, plain[col])
    for col, key in enumerate(COLUMN_KEYS):
        width = _column_width(key, headers[col], [row[col] for row in rows])
        # In pixels, so that the file holds width="<width>" exactly (set_column() would add the
        # cell padding: 12 -> 12.71)
        ws.set_column_pixels(col, col, round(width * _CHAR_PIXELS))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, len(rows) + 1) - 1, len(headers) - 1)
    wb.close()
    return out.getvalue()


EXCEL_CELL_MAX = 32_767  # characters (UTF-16 code units) in one cell, Excel's limit
# The task field (under the task's path in the file) each text column comes from
_FIELD_OF_COLUMN = {"risk": "risks", "solution": "risks", "risk_due": "risks"}


class CellTooLong(PtrackError):
    """Texts too long for an Excel cell: the XLSX cannot be written without cutting them.
    ``messages``: one per cell, with the campaign file's line and column (exit code 1)."""

    exit_code = 1

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _utf16_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _too_long_for_excel(snapshot: CampaignSnapshot, headers: list[str], rows: list[list[Cell]],
                        locale: str) -> list[str]:
    out = []
    for ts, row in zip(snapshot.tasks, rows):
        for key, header, value in zip(COLUMN_KEYS, headers, row):
            # a text over 32,767 UTF-16 units has at least 16,384 characters: only those are measured
            if isinstance(value, str) and len(value) > EXCEL_CELL_MAX // 2:
                n = _utf16_len(_clean_xml(value))
                if n > EXCEL_CELL_MAX:
                    task = ts.task
                    where = snapshot.campaign.locate(task.path + (_FIELD_OF_COLUMN.get(key, key),))  # or the task
                    out.append(f"{where}: " + t(locale, "export.cell_too_long", task=task.id, name=task.name,
                                                 column=header, n=f"{n:,}", limit=f"{EXCEL_CELL_MAX:,}"))
    return out


def write_xlsx(snapshot: CampaignSnapshot, path: Path | str, *, locale: str | None) -> Path:
    return atomic_write(path, xlsx_bytes(snapshot, locale=locale))
