"""A spreadsheet (CSV or XLSX) as a grid of raw cells, read at a cost that follows the cells that
exist: ``ptrack import`` reads what it finds here (``ptrack.sheets.importer``).

What a ``Sheet`` holds: the rows that have a value, each a list of raw values (str, int, float,
datetime, bool) from column A to its last value, ``None`` for an empty cell; rows and columns are
0-based. A sheet's claimed size is never used: an XLSX says in ``<dimension>`` how big it is, and
one stray cell at ZZ20000 or A1048576 makes that 14 million or a million rows. So:

- XLSX is streamed (openpyxl's worksheet parser, the one its read-only worksheets use, one
  ``<row>`` at a time; subclassed, hence pyproject's ``openpyxl<3.2``); a row that holds no
  value (a styled empty cell, an empty ``<row>``) is not kept, so nothing is allocated for the
  rows and columns between the table and a stray cell. Merged ranges (which read-only mode does not
  apply) are applied to the rows that exist: a range merged down several rows fills its value
  into each (``所属模块`` for a group of tasks), one merged across a row of the table width marks a
  section heading. Hidden rows and formulas saved without their computed value (openpyxl writes
  them so; Excel and LibreOffice compute on save) are recorded, for the importer to say so.
- CSV is decoded whole (UTF-8 with or without a BOM, UTF-16 with a BOM, else GB18030, Excel's
  "CSV" on Chinese Windows), the delimiter (``,`` TAB ``;``) chosen on the first records, then
  read once. A field may be as long as the file (``csv``'s default limit, 131,072 characters,
  is raised for the read and put back): ``ptrack export`` writes every risk of a task in one cell,
  and what it writes must read back.
- Bounds, so that no file makes ptrack run out of memory: a CSV of at most ``MAX_CSV_BYTES``; an
  XLSX whose parts each unpack to at most ``MAX_XLSX_PART_BYTES`` (zip checks the declared size
  while it reads); at most ``MAX_CELLS`` cells kept (a row counts up to its last value). Past a
  bound the read stops with a message (``ImportProblem``), never a ``MemoryError``.
- Formula guards: in a CSV, one apostrophe before ``= + - @`` TAB or CR is the guard against
  formula injection that ``ptrack export`` (and many web applications, after OWASP) write, and is
  removed; ``''=x`` reads as ``'=x``, which is how the export writes a text that starts with an
  apostrophe itself (``ptrack.sheets.tabular.safe_cell``). An XLSX cell is read exactly as
  stored: Excel keeps the ``'`` a user types before ``=`` out of the value (it sets the cell's
  quote-prefix style), and so does ``ptrack export``, so a ``'`` in an XLSX value is the user's.
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from ptrack.errors import UsageError
from ptrack.i18n import M_, t

MAX_CSV_BYTES = 32 * 2**20  # a tracking table of 10,000 tasks is ~10 MB
MAX_XLSX_PART_BYTES = 256 * 2**20  # one unpacked part (a sheet's XML, the shared strings)
MAX_CELLS = 2_000_000  # cells kept, a row counting up to its last value (~50,000 tasks x 40 columns)
HEADER_RECORDS = 31  # the CSV records the delimiter is chosen on: the header scan's 30 rows + 1

EXCEL_EPOCH = datetime(1899, 12, 30)
_CSV_GUARD = re.compile(r"'+[=+\-@\t\r]")


class ImportProblem(Exception):
    """The file cannot be read as a table at all (not a cell problem); exit code 1."""


@dataclass
class Sheet:
    """The cells of one sheet that hold a value. ``rows`` maps a 0-based row to its values (a
    list, column A first); a dense list of rows is accepted too (rows without a value dropped)."""

    label: str  # "tracking.xlsx" or "tracking.xlsx!Sheet2": the prefix of cell references
    rows: dict[int, list[object]]
    percent: set[tuple[int, int]] = field(default_factory=set)  # cells formatted as percentages
    headings: set[int] = field(default_factory=set)  # rows that are one merged section heading
    epoch: datetime = EXCEL_EPOCH
    hidden: set[int] = field(default_factory=set)  # rows hidden in the workbook
    uncomputed: set[tuple[int, int]] = field(default_factory=set)  # formulas saved without a value
    name: str | None = None  # the worksheet's name (XLSX)

    def __post_init__(self) -> None:
        if isinstance(self.rows, list):
            self.rows = {r: list(row) for r, row in enumerate(self.rows) if any(v is not None for v in row)}

    def value(self, r: int, c: int):
        row = self.rows.get(r)
        return row[c] if row is not None and c < len(row) else None

    def row(self, r: int) -> list[object]:
        return self.rows.get(r) or []

    def row_numbers(self, start: int = 0, stop: int | None = None) -> list[int]:
        """The rows holding a value, in order, from ``start`` (inclusive) to ``stop`` (exclusive)."""
        numbers = sorted(self.rows)
        lo = bisect.bisect_left(numbers, start)
        hi = len(numbers) if stop is None else bisect.bisect_left(numbers, stop)
        return numbers[lo:hi]

    def ref(self, r: int, c: int) -> str:
        return f"{self.label}!{column_letter(c)}{r + 1}"


def column_letter(c: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class Book:
    """An opened CSV or workbook: its sheets' names and the candidate sheets to import, read one
    at a time (``sheets()``); use it in a ``with`` block (a workbook keeps its zip open)."""

    file: str
    names: tuple[str, ...] = ()  # every sheet of a workbook, in order (empty for a CSV)
    hidden: frozenset[str] = frozenset()  # the workbook's hidden sheets
    _candidates: Iterator[Sheet] = iter(())
    _close: object = None

    def sheets(self) -> Iterator[Sheet]:
        return self._candidates

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc) -> None:
        if callable(self._close):
            self._close()


def open_book(path: Path, file: str, sheet: str | None = None, *, score: Callable[[Sheet], int],
              locale: str = "en") -> Book:
    """The candidate sheets of ``path``: one for a CSV (read with the delimiter whose first
    records ``score`` highest: how well they show a header row); for an XLSX the named sheet,
    else every worksheet, the active one first and hidden ones last. Raises UsageError for a
    missing file, a file that is not a regular file, an unknown format or an unknown sheet;
    ImportProblem for a file that cannot be read (messages in ``locale``)."""
    if not path.exists():
        raise UsageError(M_("loader.no_such_file", file=file))
    if path.is_dir():
        raise UsageError(M_("import.is_directory", file=file))
    if not path.is_file():  # a FIFO would block, /dev/zero never ends
        raise UsageError(M_("import.not_regular", file=file))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        if sheet:
            raise UsageError(M_("import.sheet_csv"))
        return Book(file, _candidates=iter([_read_csv(path, file, locale, score)]))
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, file, sheet, locale)
    if suffix == ".xls":
        raise UsageError(M_("import.xls", file=file))
    raise UsageError(M_("import.not_a_sheet", file=file))


class _Cells:
    """Counts the cells kept against ``MAX_CELLS``."""

    def __init__(self, file: str, locale: str) -> None:
        self.file, self.locale, self.n = file, locale, 0

    def add(self, n: int) -> None:
        self.n += n
        if self.n > MAX_CELLS:
            raise ImportProblem(f"{self.file}: {t(self.locale, 'import.too_many_cells', limit=f'{MAX_CELLS:,}')}")


# ---------------------------------------------------------------------------------------------
# CSV

def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", "replace")  # Excel's "CSV" on Chinese Windows


def _read_bounded(path: Path, limit: int, file: str, locale: str) -> bytes:
    with path.open("rb") as fh:
        raw = fh.read(limit + 1)
    if len(raw) > limit:
        raise ImportProblem(f"{file}: {t(locale, 'import.too_large', limit=f'{limit // 2**20} MB')}")
    return raw


def csv_unguard(text: str) -> str:
    """One formula-guard apostrophe off: ``'=x`` -> ``=x``, ``''=x`` -> ``'=x``; else ``text``."""
    return text[1:] if text[:1] == "'" and _CSV_GUARD.match(text) else text


def _read_csv(path: Path, file: str, locale: str, score: Callable[[Sheet], int]) -> Sheet:
    text = _decode(_read_bounded(path, MAX_CSV_BYTES, file, locale))
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, len(text) + 1))  # a field can be as long as the file
    try:
        best, best_score = ",", -1
        for delimiter in (",", "\t", ";"):
            head = itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), HEADER_RECORDS)
            points = score(Sheet(file, _csv_rows(head, _Cells(file, locale))))
            if points > best_score:
                best, best_score = delimiter, points
        return Sheet(file, _csv_rows(csv.reader(io.StringIO(text, newline=""), delimiter=best),
                                     _Cells(file, locale)))
    except csv.Error as exc:
        raise ImportProblem(f"{file}: {t(locale, 'import.csv_unreadable', error=str(exc))}") from None
    finally:
        csv.field_size_limit(old_limit)


def _csv_rows(records, cells: _Cells) -> dict[int, list[object]]:
    rows: dict[int, list[object]] = {}
    for r, record in enumerate(records):
        values: list[object] = [csv_unguard(v) if v else None for v in record]
        while values and values[-1] is None:
            values.pop()
        if values:
            cells.add(len(values))
            rows[r] = values
    return rows


# ---------------------------------------------------------------------------------------------
# XLSX

def _check_parts(path: Path, file: str, locale: str) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            big = [i for i in z.infolist() if i.file_size > MAX_XLSX_PART_BYTES]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportProblem(f"{file}: {t(locale, 'import.not_a_workbook', error=exc.__class__.__name__)}") from None
    if big:
        raise ImportProblem(f"{file}: {t(locale, 'import.too_large_part', part=big[0].filename, limit=f'{MAX_XLSX_PART_BYTES // 2**20} MB')}")


def _open_xlsx(path: Path, file: str, name: str | None, locale: str) -> Book:
    from openpyxl import load_workbook

    _check_parts(path, file, locale)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # BadZipFile, KeyError, openpyxl's InvalidFileException and friends
        raise ImportProblem(f"{file}: {t(locale, 'import.not_a_workbook', error=f'{exc.__class__.__name__}: {exc}')}") from None
    try:
        names = tuple(wb.sheetnames)
        worksheets = {ws.title: ws for ws in wb.worksheets}  # chart sheets have no cells
        hidden = frozenset(n for n, ws in worksheets.items() if ws.sheet_state != "visible")
        if name is not None:
            if name not in names:
                raise UsageError(M_("import.no_sheet", file=file, name=name, sheets=", ".join(names)))
            if name not in worksheets:
                raise UsageError(M_("import.chart_sheet", file=file, name=name))
            order = [name]
        else:
            active = wb.active.title if wb.active is not None and wb.active.title in worksheets else None
            order = sorted(worksheets, key=lambda n: (n != active, n in hidden, names.index(n)))
    except BaseException:
        wb.close()
        raise
    cells = _Cells(file, locale)
    epoch = getattr(wb, "epoch", EXCEL_EPOCH)

    def candidates() -> Iterator[Sheet]:
        for sheet_name in order:
            label = file if len(names) == 1 else f"{file}!{sheet_name}"
            try:
                yield _stream_worksheet(worksheets[sheet_name], label, epoch, cells)
            except (ImportProblem, UsageError):
                raise
            except Exception as exc:  # a damaged sheet: bad XML, a bad row number, a missing string
                raise ImportProblem(f"{label}: {t(locale, 'import.not_a_worksheet', error=f'{exc.__class__.__name__}: {exc}')}") \
                    from None

    return Book(file, names, hidden, candidates(), wb.close)


def _is_percent_format(fmt: str | None) -> bool:
    if not fmt or "%" not in fmt:
        return False
    return "%" in re.sub(r'"[^"]*"|\\.', "", fmt)  # a quoted or escaped % is a literal sign


def _parser(ws):
    """openpyxl's worksheet parser (what its read-only worksheets use), also recording hidden
    rows and formula cells without a computed value."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.hidden_rows: set[int] = set()
            self.uncomputed: set[tuple[int, int]] = set()

        def parse_row(self, row):
            hidden = row.get("hidden") in ("1", "true")
            index, cells = super().parse_row(row)
            self.row_dimensions.clear()  # openpyxl keeps one per styled row; not needed here
            if hidden:
                self.hidden_rows.add(index - 1)
            return index, cells

        def parse_cell(self, element):
            cell = super().parse_cell(element)
            # a formula's value is its <v>; openpyxl writes <v/> (never computed), while a formula
            # that computed "" is t="str" with an empty <v>
            if cell["value"] is None and element.get("t") != "str" and element.find(FORMULA_TAG) is not None:
                self.uncomputed.add((cell["row"] - 1, cell["column"] - 1))
            return cell

    wb = ws.parent
    return Parser(ws._get_source(), ws._shared_strings, data_only=True, epoch=wb.epoch,
                  date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)


def _stream_worksheet(ws, label: str, epoch, cells: _Cells) -> Sheet:
    from openpyxl.cell.read_only import ReadOnlyCell

    percent_style: dict[int, bool] = {}

    def is_percent(style_id: int) -> bool:
        if style_id not in percent_style:
            fmt = ReadOnlyCell(ws, 1, 1, 0, "n", style_id).number_format
            percent_style[style_id] = _is_percent_format(fmt)
        return percent_style[style_id]

    rows: dict[int, list[object]] = {}
    percent: set[tuple[int, int]] = set()
    parser = _parser(ws)
    counted = 0
    with parser.source:
        for index, parsed in parser.parse():
            r = index - 1
            values: dict[int, object] = {}
            for cell in parsed:
                value = cell["value"]
                if value is None or (isinstance(value, str) and value.strip() == ""):
                    continue
                c = cell["column"] - 1
                values[c] = value
                if isinstance(value, (int, float)) and not isinstance(value, bool) and is_percent(cell["style_id"]):
                    percent.add((r, c))
            if len(parser.uncomputed) > counted:  # kept too, so counted
                cells.add(len(parser.uncomputed) - counted)
                counted = len(parser.uncomputed)
            if not values:
                continue
            width = max(values) + 1
            cells.add(width)
            row = rows.setdefault(r, [])  # a row number given twice: one row
            if len(row) < width:
                row.extend([None] * (width - len(row)))
            for c, value in values.items():
                row[c] = value
    sheet = Sheet(label, rows, percent, epoch=epoch, name=ws.title,
                  hidden={r for r in parser.hidden_rows if r in rows}, uncomputed=parser.uncomputed)
    merged = parser.merged_cells
    _apply_merges(sheet, [m.ref for m in merged.mergeCell] if merged is not None else [])
    return sheet


def _apply_merges(sheet: Sheet, refs: list[str]) -> None:
    """A range merged down several rows fills its top-left value into every cell of the rows that
    exist (columns up to the widest row); one merged across a single row of three or more columns
    with a value is a heading; the covered cells of a range are empty, as Excel shows them."""
    from openpyxl.utils import range_boundaries

    rows = sheet.rows
    numbers = sorted(rows)
    widest = max((len(row) for row in rows.values()), default=0)
    for ref in refs:
        try:
            c0, r0, c1, r1 = (v - 1 for v in range_boundaries(ref))
        except (ValueError, TypeError):
            continue  # a damaged range: leave the cells as they are
        top_left = sheet.value(r0, c0)
        last = min(c1, widest - 1)
        lo, hi = bisect.bisect_left(numbers, r0), bisect.bisect_right(numbers, r1)
        for r in numbers[lo:hi]:
            row = rows[r]
            if r1 > r0:
                if len(row) <= last:
                    row.extend([None] * (last + 1 - len(row)))
                for c in range(c0, last + 1):
                    row[c] = top_left
                    if (r0, c0) in sheet.percent:
                        sheet.percent.add((r, c))
            else:
                for c in range(c0 + 1, min(c1, len(row) - 1) + 1):
                    row[c] = None
        if r1 == r0 and c1 - c0 >= 2 and top_left is not None:
            sheet.headings.add(r0)  # one row merged across: a title or a section heading
