"""``ptrack import``: the seed's tracking table (CSV or XLSX) -> a campaign file.

The sheet is read as a grid of the raw cells that exist (``ptrack.sheets.grid``: streamed, bounded,
never sized by what the file claims), the header row is found by matching known column headers
(Chinese or English, with spaces, case and full-width punctuation ignored), then every row below
it becomes a task. Every bad cell is collected and reported by its sheet cell
(``tracking.xlsx!H7: "2024-13-01" is not a date``); nothing is produced while any cell is bad.

Decisions, kept here next to the code that makes them:

- Cell references are ``FILE!H7`` for CSV and XLSX alike (CSV row = record number, as Excel
  shows it when it opens the file); a workbook with several sheets adds the sheet:
  ``FILE!Sheet!H7``.
- Which sheet: ``--sheet``; else the active sheet when it has a header row, else the first other
  one that does (visible sheets before hidden ones; chart sheets are not tables). With several
  sheets a note names the one imported and lists the others (hidden ones marked).
- Rows skipped, each with a note by its reference: a merged section heading; a row hidden in the
  workbook (filtered out or hidden by hand: what the user does not see is not imported); a row
  whose only values lie outside the table, under no header (a stray cell such as ``ZZ20000``).
  A row holding only blank markers or nothing is skipped silently, as is the header repeated.
- Formulas: the value the file stored is read. A formula saved without one (openpyxl and other
  libraries write formulas without computing them) is read as empty and said per cell; in a
  required cell it is a problem that says why the cell is empty. Formulas in the computed
  columns (计划进度, 进度偏差...) need no value and get no note.
- Formula guards: a CSV's leading ``'`` before ``= + - @`` TAB CR is the injection guard
  ``ptrack export`` writes and is taken off, once (``''=x`` -> ``'=x``); an XLSX value is taken as
  stored (see ``ptrack.sheets.grid``).
- Dates: ``2024-03-01``, ``2024/3/1``, ``2024.3.1``, ``2024年3月1日``, ``20240301``, a time after
  the date, a trailing ``前`` (deadline "3月15日前"), Excel date cells and Excel serial numbers
  (20000..80000, i.e. 1954..2119). A date without a year (``3月1日``) takes ``--year``, else the
  most common year among the sheet's full dates (ties: the earliest); with neither it is an error.
- Percentages: ``"15%"`` is always 15. A cell formatted as a percentage in Excel holds a
  fraction (0.15 -> 15). Plain numbers are percentage points, except when every plain number of
  the column lies in 0..1 and at least one has a fraction: then the column is read as fractions
  (0.15 -> 15, 1 -> 100). So 0.5 in a column that also holds 30 is 0.5%. A comma alone is a
  decimal comma (``15,5`` -> 15.5, as European spreadsheets write it: a percentage never needs a
  thousands separator, so ``1,000`` is 1); with a point as well, the last of the two is the
  decimal separator (``1.234,5`` = ``1,234.5`` = 1234.5, then out of range).
- Names: a leading ``*`` is dropped (``*设计主管`` -> ``设计主管``). A cell of several people is
  split on ``、 , ， ; ；`` and line breaks; on ``/`` only next to a Chinese character
  (``张三/李四``, not ``</b>``); on spaces only when every part holds a Chinese character
  (``张三 李四``), so ``Alice Wang`` stays one person. Channels and dependencies split the same way.
- People ids: a name written in ASCII becomes its slug (``Alice Wang`` -> ``alice-wang``); any
  other name ``person-1``, ``person-2``... in order of first appearance (owner, then
  collaborators, row by row). Same sheet, same ids; no pinyin.
- Task ids: the ID column (任务编号 / Task ID) when present; else the slug of an ASCII name, else
  ``task-N`` with N the task's position in the sheet. Collisions get ``-2``, ``-3``.
- Computed columns (计划进度, 进度偏差, 当前状态, 健康度, 落后工作日) are not stored, except the
  statuses 已取消/暂停 (cancelled/on_hold), which cannot be computed.
- Calendar: ``--calendar`` wins; else the 工作日历 / Calendar column, which ``ptrack export`` fills
  with the campaign's calendar on every row (so export -> import computes the same planned
  progress; every filled cell must name the same calendar); else ``weekends``, with a note. A
  sheet without the column (the seed's own table) imports as before.
- Risks: one per line of the 风险问题 cell; the 解决方案 and 解决时限 cells hold the matching
  lines. A trailing marker ``(已解决 2024-03-06)`` / ``(resolved)`` marks a risk resolved.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from ptrack.errors import UsageError
from ptrack.i18n import EXTRA_TRACKING_COLUMNS, LOCALES, TRACKING_COLUMNS, M_, N_, normalise_locale, t
from ptrack.core.kinds import KINDS
from ptrack.core.loader import display_path
from ptrack.core.model import FS, parse_dependency_text
from ptrack.sheets.grid import EXCEL_EPOCH as _EXCEL_EPOCH
from ptrack.sheets.grid import ImportProblem, Sheet, column_letter, open_book

HEADER_SCAN_ROWS = 30
SERIAL_RANGE = (20000, 80000)  # Excel serial numbers taken as dates: 1954-10-03 .. 2119-01-10
_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")

REQUIRED = ("name", "planned_start", "planned_end")

# Header spellings beyond the i18n ones (normalised: NFKC, case-folded, letters and digits only).
_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("任务", "任务名", "任务名称", "事项", "工作任务", "task", "taskname", "name"),
    "description": ("描述", "任务说明", "说明", "工作内容", "description", "details"),
    "module": ("模块", "所属模块", "module"),
    "owner": ("负责人", "责任人", "主责任人", "主负责人", "owner", "mainowner", "responsible"),
    "collaborators": ("协同人", "协同负责人", "协作人", "协同责任人", "collaborator",
                      "collaborators", "coowners", "support"),
    "department": ("部门", "对接部门", "department", "dept"),
    "planned_start": ("计划开始", "计划开始日期", "开始时间计划", "plannedstart", "planstart",
                      "plannedstartdate", "startplanned"),
    "planned_end": ("计划结束", "计划完成", "计划完成时间", "计划结束日期", "计划完成日期",
                    "plannedend", "planend", "plannedfinish", "plannedenddate", "endplanned"),
    "actual_start": ("实际开始", "实际开始日期", "actualstart", "actualstartdate", "startactual"),
    "actual_end": ("实际结束", "实际完成", "实际完成时间", "实际结束日期", "实际完成日期",
                   "actualend", "actualfinish", "actualenddate", "endactual"),
    "planned_progress": ("计划进度", "计划完成率", "plannedprogress", "plan", "planprogress"),
    "actual_progress": ("实际进度", "进度", "完成进度", "完成率", "完成度", "实际完成率",
                        "actualprogress", "progress", "actual"),
    "deviation": ("偏差", "进度偏差", "deviation", "dev"),
    "status": ("状态", "当前状态", "任务状态", "status"),
    "risk": ("风险", "风险问题", "问题", "风险及问题", "risk", "risks", "issue", "issues"),
    "solution": ("解决方案", "应对措施", "解决措施", "solution", "solutions"),
    "risk_due": ("解决时限", "解决期限", "解决时间", "deadline", "deadlines", "riskdeadline", "due"),
    "notes": ("备注", "说明备注", "notes", "note", "remarks", "comments"),
    "id": ("任务编号", "编号", "任务id", "taskid", "id"),
    "channels": ("渠道", "投放渠道", "推广渠道", "channels", "channel"),
    "depends_on": ("前置任务", "依赖", "依赖任务", "dependson", "predecessors", "dependencies"),
    "kind": ("任务类型", "类型", "工作类型", "kind", "tasktype", "type"),
    "health": ("健康度", "health"),
    "days_behind": ("落后工作日", "workingdaysbehind", "daysbehind"),
    "calendar": ("日历", "工作日历", "节假日日历", "calendar", "workingcalendar", "workcalendar"),
}
_SUFFIXES = ("时间", "日期", "date", "time")
_HEADER_MAX = 100  # characters: no header is longer ("Planned progress (%)" has 20)

_BLANK = frozenset(("", "-", "--", "—", "——", "–", "/", "无", "暂无", "n/a", "na", "none", "null"))
_CANCELLED = frozenset(("已取消", "取消", "cancelled", "canceled"))
_ON_HOLD = frozenset(("暂停", "已暂停", "挂起", "暂缓", "onhold", "paused", "hold"))
_DERIVED = frozenset(("未开始", "进行中", "已完成", "完成", "延期", "已延期", "notstarted",
                      "inprogress", "done", "completed", "delayed", "overdue"))
# "/" separates only where it touches a Chinese character (张三/李四), not in "</b>" or "http://"
_SEPARATORS = re.compile(r"[、,，;；\n]+|(?<=[\u3400-\u9fff])\s*[/／]\s*|\s*[/／]\s*(?=[\u3400-\u9fff])")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_RESOLVED_MARK = re.compile(
    r"\s*[（(\[【]\s*(?:已解决|resolved)\s*[:：]?\s*([0-9]{4}-[0-9]{2}-[0-9]{2})?\s*[）)\]】]\s*\Z",
    re.IGNORECASE)
_NUMBERED = re.compile(r"\s*(\d+)\s*[.、)）:：]\s*")

_DATE_YMD = re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\Z")
_DATE_CN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?\Z")
_DATE_CN_NO_YEAR = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?\Z")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})\Z")
_TIME_SUFFIX = re.compile(r"(?:\s+|[Tt])\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\Z")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)\Z")


def _norm(text) -> str:
    """Header text for matching: NFKC (full-width -> ASCII), case-folded, letters/digits only."""
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(ch for ch in s if ch.isalnum())


def _strip_suffix(text: str) -> str:
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def _header_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for key, zh, en in TRACKING_COLUMNS + EXTRA_TRACKING_COLUMNS:
        for spelling in (zh, en):
            table.setdefault(_norm(spelling), key)
    for key, spellings in _ALIASES.items():
        for spelling in spellings:
            table.setdefault(_norm(spelling), key)
    for locale in LOCALES:  # the headers an export in any language writes (zh-TW: 任務名稱 ...)
        for key, _zh, _en in TRACKING_COLUMNS + EXTRA_TRACKING_COLUMNS:
            table.setdefault(_norm(t(locale, "sheet." + key)), key)
    for spelling, key in list(table.items()):
        table.setdefault(_strip_suffix(spelling), key)
    return table


_HEADERS = _header_table()


def match_header(text) -> str | None:
    """The tracking-table key of a header cell (``计划进度（%）`` -> ``planned_progress``)."""
    if text is None or (isinstance(text, str) and len(text) > _HEADER_MAX):
        return None  # a long text is content (the header scan meets every cell of 30 rows)
    n = _norm(text)
    if not n:
        return None
    return _HEADERS.get(n) or _HEADERS.get(_strip_suffix(n))


# ---------------------------------------------------------------------------------------------
# The header

@dataclass
class Header:
    top: int  # 0-based index of the (first) header row
    row: int  # 0-based index of the (last) header row
    first_data_row: int
    columns: dict[str, int]  # key -> column index
    texts: dict[int, str]  # column index -> header text as written
    ignored: list[int]  # columns with a header ptrack does not know
    duplicates: list[int]  # second columns for the same key
    score: int
    cjk: bool  # headers written in Chinese


def _text_of(value) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def find_header(sheet: Sheet) -> Header | None:
    """The header row: the row (among the first 30) matching the most known headers, at least
    three of them including the task name. The row below may complete a two-level header
    (计划时间 over 开始 / 结束); it is taken as such only when it names two more columns."""
    scanned = sheet.row_numbers(0, HEADER_SCAN_ROWS)
    single = {r: _header_at(sheet, r, two_level=False) for r in scanned}
    best: Header | None = None
    for r in scanned:
        header = single[r]
        two = _header_at(sheet, r, two_level=True)
        alone = max((h.score for h in (single[r], single.get(r + 1)) if h is not None), default=0)
        if two is not None and two.score >= alone + 2:
            header = two
        if header is not None and (best is None or header.score > best.score):
            best = header
    return best


def _combined(parent: str | None, child: str) -> str | None:
    if parent is None or len(parent) > _HEADER_MAX or len(child) > _HEADER_MAX:
        return None
    p, c = _strip_suffix(_norm(parent)), _norm(child)
    for text in (p + c, c + p, _strip_suffix(c) + p):
        key = _HEADERS.get(text) or _HEADERS.get(_strip_suffix(text))
        if key:
            return key
    return None


def _header_at(sheet: Sheet, r: int, *, two_level: bool) -> Header | None:
    width = len(sheet.row(r))
    if two_level:
        if r + 1 not in sheet.rows:
            return None
        width = max(width, len(sheet.row(r + 1)))
    columns: dict[str, int] = {}
    texts: dict[int, str] = {}
    ignored: list[int] = []
    duplicates: list[int] = []
    parent = None
    cjk = 0
    for c in range(width):
        top = _text_of(sheet.value(r, c))
        if top is not None:
            parent = top
        text, key = top, match_header(top)
        child = _text_of(sheet.value(r + 1, c)) if two_level else None
        if child is not None:
            combined = _combined(parent, child)
            child_key = match_header(child)
            if combined is not None:
                text, key = f"{parent} {child}", combined
            elif child_key is not None:
                text, key = child, child_key
            elif top is None:
                text, key = child, None
        if text is None:
            continue
        if key is None:
            ignored.append(c)
        elif key in columns:
            duplicates.append(c)
        else:
            columns[key] = c
            cjk += bool(_CJK.search(text))
        texts[c] = text
    if "name" not in columns or len(columns) < 3:
        return None
    last = r + 1 if two_level else r
    return Header(r, last, last + 1, columns, texts, ignored, duplicates, len(columns),
                  cjk * 2 >= len(columns))


# ---------------------------------------------------------------------------------------------
# Cells

_YEARLESS = object()


def _clean_text(value) -> str | None:
    """A text cell: stripped, blank markers as None, numbers as written (618.0 -> "618"). (A CSV's
    formula-guard apostrophe is taken off as the file is read: ``ptrack.sheets.grid``.)"""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if text.casefold() in _BLANK:
        return None
    return text


def _person_name(text: str) -> str:
    return text.lstrip("*＊").strip()


def split_people(text: str | None) -> list[str]:
    """``设计专员A、*运营专员B`` -> [设计专员A, 运营专员B]; spaces split only Chinese names."""
    if not text:
        return []
    parts = [p.strip() for p in _SEPARATORS.split(text)]
    out: list[str] = []
    for part in parts:
        words = part.split()
        if len(words) > 1 and all(_CJK.search(w) for w in words):
            out.extend(words)
        elif part:
            out.append(part)
    names = [_person_name(p) for p in out]
    return list(dict.fromkeys(n for n in names if n and n.casefold() not in _BLANK))


def split_list(text: str | None) -> list[str]:
    """Channels and dependencies: the same separators as people, no ``*`` to drop."""
    if not text:
        return []
    parts: list[str] = []
    for part in _SEPARATORS.split(text):
        words = part.split()
        if len(words) > 1 and all(_CJK.search(w) for w in words):
            parts.extend(words)
        elif part.strip():
            parts.append(part.strip())
    return list(dict.fromkeys(p for p in parts if p.casefold() not in _BLANK))


def parse_date(value, epoch=_EXCEL_EPOCH):
    """A date, ``_YEARLESS`` plus (month, day) for 3月1日, or None when the cell is not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _serial(value, epoch)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for tail in ("之前", "以前", "前"):
        if text.endswith(tail):
            text = text[: -len(tail)].strip()
            break
    text = _TIME_SUFFIX.sub("", text)
    for pattern in (_DATE_YMD, _DATE_CN, _DATE_COMPACT):
        m = pattern.match(text)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    m = _DATE_CN_NO_YEAR.match(text)
    if m:
        month, day = int(m[1]), int(m[2])
        try:
            date(2000, month, day)  # a leap year: 2月29日 is a date in some years
        except ValueError:
            return None
        return (_YEARLESS, month, day)
    if re.fullmatch(r"\d+(?:\.0+)?", text):
        return _serial(float(text), epoch)
    return None


def _serial(value: float, epoch) -> date | None:
    if not (SERIAL_RANGE[0] <= value < SERIAL_RANGE[1]):
        return None
    from_epoch = epoch if isinstance(epoch, datetime) else _EXCEL_EPOCH
    return (from_epoch + timedelta(days=int(value))).date()


def _number_text(value) -> str:
    """A number cell's text with a decimal point (NFKC first: full-width digits and commas).
    A comma is a decimal comma when it is the only separator and appears once (``15,5`` ->
    ``15.5``, as a German or French Excel writes it); with a point too, the last of the two is
    the decimal separator (``1.234,5`` and ``1,234.5`` are both 1234.5); several commas alone
    separate thousands. A percentage never reaches 1,000, so ``1,000`` reads as 1 (a decimal
    comma), the only reading that can be a percentage."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if "," not in text:
        return text
    if "." in text:
        if text.rfind(",") > text.rfind("."):
            return text.replace(".", "").replace(",", ".")
        return text.replace(",", "")
    return text.replace(",", ".") if text.count(",") == 1 else text.replace(",", "")


def _plain_number(value) -> float | None:
    """A plain number (not a percentage text) from a cell, or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = _number_text(value)
    return float(text) if _NUMBER.match(text) else None


def fraction_column(sheet: Sheet, rows: list[int], col: int) -> bool:
    """Is this percent column written as fractions (0.15 for 15%)? See the module docstring."""
    values = []
    for r in rows:
        if (r, col) in sheet.percent:
            continue
        v = _plain_number(sheet.value(r, col))
        if v is not None:
            values.append(v)
    return bool(values) and all(0 <= v <= 1 for v in values) and any(0 < v < 1 for v in values)


def parse_percent(value, *, excel_percent: bool, fractions: bool) -> float | None:
    """15, "15%", 0.15 (in a fraction column or an Excel percentage cell) -> 15; None if not a
    number. Range is checked by the caller."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        v = float(value) * (100 if excel_percent or fractions else 1)
    else:
        text = _number_text(value)
        if text.endswith("%"):
            body = text[:-1].strip()
            if not _NUMBER.match(body):
                return None
            v = float(body)
        elif _NUMBER.match(text):
            v = float(text) * (100 if fractions else 1)
        else:
            return None
    v = round(v, 6)
    return v


def _number(v: float):
    return int(v) if float(v).is_integer() else v


# ---------------------------------------------------------------------------------------------
# Ids

def slug(text: str, limit: int = 40) -> str:
    """An id from ASCII text: lower case, runs of other characters -> '-'."""
    s = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKC", text).casefold()).strip("-")
    if len(s) > limit:
        s = s[:limit].rstrip("-")
    return s


def _is_ascii(text: str) -> bool:
    return unicodedata.normalize("NFKC", text).isascii()


def _unique(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
        candidate = f"{base}-{n}"
        n += 1
    used.add(candidate)
    return candidate


# ---------------------------------------------------------------------------------------------
# The import

@dataclass
class ImportResult:
    """What an import produced: the campaign text (when no cell is bad), notes and problems."""

    source: str
    locale: str
    text: str | None = None
    data: dict | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    tasks: int = 0
    people: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and self.text is not None


@dataclass
class _Row:
    r: int  # 0-based sheet row
    task: dict
    cells: dict[str, int]  # key -> column, for locating later problems
    depends_on: list[str] = field(default_factory=list)  # as written (ids or names, with a link's
    # type and lag: "kv-design(FS+2)"), resolved to depends_on items later


# The messages msg() and bad() are given without their "import." prefix
_MESSAGE_KEYS = (
    N_("import.actual_end_before_start"), N_("import.bad_id"), N_("import.calendar_default"),
    N_("import.comment"), N_("import.duplicate_id"), N_("import.end_before_start"), N_("import.heading_row"),
    N_("import.ignored_columns"), N_("import.missing"), N_("import.missing_column"), N_("import.no_tasks"),
    N_("import.no_year"), N_("import.not_a_date"), N_("import.not_a_percent"), N_("import.orphan_line"),
    N_("import.percent_range"), N_("import.progress_vs_end"), N_("import.several_owners"),
    N_("import.unknown_dependency"), N_("import.unknown_status"), N_("import.bad_calendar"),
    N_("import.calendar_differs"), N_("import.calendar_overridden"), N_("import.formula_no_value"),
    N_("import.formula_no_value_required"), N_("import.formula_rows"), N_("import.hidden_row"),
    N_("import.hidden_sheet"), N_("import.outside_table"), N_("import.sheet_imported"), N_("import.unknown_kind"),
)


class _Collector:
    def __init__(self, sheet: Sheet, header: Header, locale: str):
        self.sheet = sheet
        self.header = header
        self.locale = locale
        self.problems: list[tuple[int, int, str]] = []

    def msg(self, key: str, **values) -> str:
        return t(self.locale, "import." + key, **values)

    def bad(self, r: int, c: int, key: str, **values) -> None:
        if key == "missing" and (r, c) in self.sheet.uncomputed:  # empty because never computed
            key = "formula_no_value_required"
        self.problems.append((r, c, f"{self.sheet.ref(r, c)}: {self.msg(key, **values)}"))

    def column(self, key: str) -> str:
        c = self.header.columns.get(key)
        if c is not None:
            return self.header.texts[c]
        return t(self.locale, "sheet." + key)


def import_table(path: Path | str, *, output: Path | str | None = None, campaign_id: str | None = None,
                 name: str | None = None, calendar: str | None = None, locale: str | None = None,
                 year: int | None = None, sheet: str | None = None,
                 message_locale: str | None = None) -> ImportResult:
    """Read ``path`` and build the campaign. Raises UsageError for a missing file or a bad
    option; every content problem ends up in ``ImportResult.problems``. Messages are in
    ``locale``, else the headers' language once the header row is found; before that (a file
    that cannot be read) in ``message_locale`` (the command's language), else English."""
    path = Path(path)
    file = display_path(path)
    msg_locale = normalise_locale(locale or message_locale) if (locale or message_locale) else "en"
    if campaign_id is not None and not _ID.match(campaign_id):
        raise UsageError(M_("import.bad_id_option", id=campaign_id))
    if calendar is not None:
        from ptrack.core.calendars import check_calendar_code

        problem = check_calendar_code(calendar)
        if problem:
            raise UsageError(M_("config.at", where="--calendar", problem=problem))
    try:
        with open_book(path, file, sheet, score=_header_score, locale=msg_locale) as book:
            found = None
            for candidate in book.sheets():
                header = find_header(candidate)
                if header is not None:
                    found = (candidate, header)
                    break
    except ImportProblem as exc:
        return ImportResult(file, msg_locale, problems=[str(exc)])
    if found is None:
        return ImportResult(file, msg_locale,
                            problems=[f"{file}: {t(msg_locale, 'import.no_header', n=HEADER_SCAN_ROWS)}"])
    table, header = found
    sheet_locale = "zh-CN" if header.cjk else "en"
    locale = normalise_locale(locale) if locale else sheet_locale
    result = ImportResult(file, locale)
    col = _Collector(table, header, locale)

    if len(book.names) > 1:
        others = [col.msg("hidden_sheet", sheet=n) if n in book.hidden else n for n in book.names if n != table.name]
        result.notes.append(f"{file}: {col.msg('sheet_imported', sheet=table.name, others=t(locale, 'punct.list').join(others))}")

    for key in REQUIRED:
        if key not in header.columns:
            result.problems.append(f"{table.label}: {col.msg('missing_column', column=col.column(key))}")
    if result.problems:
        return result

    if header.ignored or header.duplicates:
        shown = ", ".join(f"{column_letter(c)} {header.texts[c]}"
                          for c in sorted(header.ignored + header.duplicates))
        result.notes.append(f"{table.label}: {col.msg('ignored_columns', columns=shown)}")

    data_rows = _data_rows(col, result.notes)
    if not data_rows:
        result.problems.append(f"{table.label}: {col.msg('no_tasks', row=header.row + 1)}")
        return result

    reference_year = year or _reference_year(table, header, data_rows)
    fractions = ("actual_progress" in header.columns
                 and fraction_column(table, data_rows, header.columns["actual_progress"]))

    rows: list[_Row] = []
    for r in data_rows:
        rows.append(_read_row(col, r, reference_year, fractions, result))
    sheet_calendar = _sheet_calendar(col, data_rows)

    _assign_ids(col, rows)
    people = _assign_people(rows)
    _resolve_dependencies(col, rows)

    col.problems.sort(key=lambda p: (p[0], p[1]))
    result.problems.extend(p[2] for p in col.problems)
    if result.problems:
        return result

    tasks = [row.task for row in rows]
    dates = [d for task in tasks for part in ("planned", "actual") for d in (task.get(part) or {}).values()]
    title = _title(table, header)
    out_stem = Path(output).stem if output else path.stem
    campaign = {
        "id": campaign_id or slug(out_stem) or slug(path.stem) or "campaign",
        "name": name or title or path.stem,
        "start": min(dates),
        "end": max(dates),
        "calendar": calendar or sheet_calendar or "weekends",
        "locale": locale,
    }
    if calendar is None and sheet_calendar is None:
        result.notes.append(col.msg("calendar_default"))
    elif calendar is not None and sheet_calendar is not None and calendar != sheet_calendar:
        result.notes.append(col.msg("calendar_overridden", calendar=calendar, sheet=sheet_calendar))
    data: dict = {"ptrack": 1, "campaign": campaign}
    if people:
        data["people"] = {pid: {"name": pname} for pid, pname in people.items()}
    data["tasks"] = tasks
    result.data = data
    result.tasks = len(tasks)
    result.people = len(people)
    text = render_campaign(data, comment=col.msg("comment", file=path.name))
    problems = _check_rendered(text, data, rows, col)
    if problems:
        result.problems.extend(problems)
        return result
    result.text = text
    return result


def _header_score(sheet: Sheet) -> int:
    header = find_header(sheet)
    return header.score if header else 0


# Columns whose cells are computed by ptrack, not read: a formula there needs no value
_NOT_READ = frozenset(("planned_progress", "deviation", "health", "days_behind"))
_LISTED = 5  # cell references a note lists before "…"


def _data_rows(col: _Collector, notes: list[str]) -> list[int]:
    """The task rows below the header. Skipped, each with a note by its cell reference: a merged
    section heading, a row whose only values lie outside the table (no header above them: a stray
    cell far away), a row hidden in the workbook; skipped silently: the header repeated (printed
    pages). A formula saved without its computed value in a cell that is read gets a note too
    (the task is imported with the cell empty; a required cell is a problem, see ``bad``)."""
    table, header = col.sheet, col.header
    name_col = header.columns["name"]
    read = {c: key for key, c in header.columns.items() if key not in _NOT_READ}
    rows: list[int] = []
    blank: set[int] = set()
    for r in table.row_numbers(header.first_data_row):
        filled = [c for c, v in enumerate(table.row(r)) if _clean_text(v) is not None]
        if not filled:
            blank.add(r)
            continue
        if r in table.headings and len(filled) == 1:
            notes.append(f"{table.ref(r, 0)}: {col.msg('heading_row', text=_clean_text(table.value(r, filled[0])))}")
            continue
        if not any(c in header.texts for c in filled):
            cells = ", ".join(table.ref(r, c) for c in filled)
            notes.append(f"{cells}: {col.msg('outside_table')}")
            continue
        name_cell = _clean_text(table.value(r, name_col))
        if name_cell is not None and _norm(name_cell) == _norm(header.texts[name_col]):
            continue  # the header repeated (printed pages)
        if r in table.hidden:
            shown = name_cell if name_cell is not None else _clean_text(table.value(r, filled[0]))
            notes.append(f"{table.ref(r, name_col)}: {col.msg('hidden_row', text=shown)}")
            continue
        for c in sorted(read):
            if (r, c) in table.uncomputed and read[c] not in REQUIRED:
                notes.append(f"{table.ref(r, c)}: {col.msg('formula_no_value', column=header.texts[c])}")
        rows.append(r)
    # formulas filled down past the last task, never computed: the rows look empty; say so once
    only = sorted((r, c) for r, c in table.uncomputed
                  if r >= header.first_data_row and c in read and (r not in table.rows or r in blank))
    if only:
        shown = ", ".join(table.ref(r, c) for r, c in only[:_LISTED])
        notes.append(f"{shown}{', …' if len(only) > _LISTED else ''}: {col.msg('formula_rows', n=len(only))}")
    return rows


def _sheet_calendar(col: _Collector, rows: list[int]) -> str | None:
    """The campaign's calendar from the 工作日历 / Calendar column (what ``ptrack export`` writes
    on every row), or None when the sheet has no such column or it is empty. Every filled cell
    must name a calendar, and the same one: a campaign has one working calendar."""
    c = col.header.columns.get("calendar")
    if c is None:
        return None
    from ptrack.core.calendars import check_calendar_code

    first: tuple[str, int] | None = None
    for r in rows:
        raw = col.sheet.value(r, c)
        # "none" (calendar days) is a calendar here, not a blank marker
        value = "none" if isinstance(raw, str) and raw.strip().casefold() == "none" else _clean_text(raw)
        if value is None:
            continue
        if check_calendar_code(value) is not None:
            col.bad(r, c, "bad_calendar", value=value)
        elif first is None:
            first = (value, r)
        elif value != first[0]:
            col.bad(r, c, "calendar_differs", value=value, first=first[0], ref=col.sheet.ref(first[1], c))
    return first[0] if first else None


def _title(sheet: Sheet, header: Header) -> str | None:
    """The first line of text above the header (the sheet's title row), if any."""
    for r in sheet.row_numbers(0, header.top):
        for v in sheet.row(r):
            text = _clean_text(v)
            if text and "\n" not in text:
                return text
    return None


def _reference_year(sheet: Sheet, header: Header, rows: list[int]) -> int | None:
    """The year for dates written without one: the most common year of the sheet's full dates
    (ties: the earliest), or None when no date has a year."""
    years: Counter[int] = Counter()
    for key in ("planned_start", "planned_end", "actual_start", "actual_end", "risk_due"):
        c = header.columns.get(key)
        if c is None:
            continue
        for r in rows:
            for v in _lines(sheet.value(r, c)):
                d = parse_date(v, sheet.epoch) if v is not None else None
                if isinstance(d, date):
                    years[d.year] += 1
    if not years:
        return None
    top = max(years.values())
    return min(y for y, n in years.items() if n == top)


def _resolve_year(parsed, reference_year: int | None):
    if isinstance(parsed, tuple):
        if reference_year is None:
            return _YEARLESS
        try:
            return date(reference_year, parsed[1], parsed[2])
        except ValueError:
            return None
    return parsed


def _read_row(col: _Collector, r: int, reference_year, fractions: bool, result: ImportResult) -> _Row:
    sheet, header = col.sheet, col.header
    cells = header.columns

    def raw(key):
        c = cells.get(key)
        return None if c is None else sheet.value(r, c)

    def text(key):
        return _clean_text(raw(key))

    def a_date(key):
        value = raw(key)
        if _clean_text(value) is None:
            return None
        return _date_cell(col, r, cells[key], value, reference_year)

    task: dict = {}
    name = text("name")
    if name is None:
        col.bad(r, cells["name"], "missing", column=col.column("name"))
    else:
        task["name"] = name
    for key in ("description", "module"):
        value = text(key)
        if value is not None:
            task[key] = value
    owners = split_people(text("owner"))
    if len(owners) > 1:
        col.bad(r, cells["owner"], "several_owners", value=text("owner"), column=col.column("collaborators"))
    elif owners:
        task["owner"] = owners[0]
    collaborators = split_people(text("collaborators"))
    if collaborators:
        task["collaborators"] = collaborators
    department = text("department")
    if department is not None:
        task["department"] = department
    channels = split_list(text("channels"))
    if channels:
        task["channels"] = channels

    planned = {}
    for part, key in (("start", "planned_start"), ("end", "planned_end")):
        d = a_date(key)
        if d is None and _clean_text(raw(key)) is None:
            col.bad(r, cells[key], "missing", column=col.column(key))
        elif isinstance(d, date):
            planned[part] = d
    actual = {}
    for part, key in (("start", "actual_start"), ("end", "actual_end")):
        if key in cells:
            d = a_date(key)
            if isinstance(d, date):
                actual[part] = d
    if len(planned) == 2:
        task["planned"] = planned
        if planned["end"] < planned["start"]:
            col.bad(r, cells["planned_end"], "end_before_start", end=planned["end"], start=planned["start"])
    if actual:
        task["actual"] = actual
        if len(actual) == 2 and actual["end"] < actual["start"]:
            col.bad(r, cells["actual_end"], "actual_end_before_start", end=actual["end"], start=actual["start"])

    if "actual_progress" in cells and _clean_text(raw("actual_progress")) is not None:
        c = cells["actual_progress"]
        value = raw("actual_progress")
        p = parse_percent(value, excel_percent=(r, c) in sheet.percent, fractions=fractions)
        shown = _clean_text(value)
        if p is None:
            col.bad(r, c, "not_a_percent", value=shown)
        elif not 0 <= p <= 100:
            col.bad(r, c, "percent_range", value=shown)
        elif "end" in actual and p < 100:
            col.bad(r, c, "progress_vs_end", progress=_number(p), end=actual["end"],
                    column=col.column("actual_end"))
        elif not ("end" in actual and p == 100):
            task["progress"] = _number(p)

    row_deps = split_list(text("depends_on"))

    kind = text("kind")
    if kind is not None:
        found = _kind_of(kind)
        if found is None:
            col.bad(r, cells["kind"], "unknown_kind", value=kind)
        elif found != "work":  # the default stays unwritten; written after the name, as the schema lists it
            task = _with_key(task, "kind", found, before=tuple(k for k in task if k != "name"))

    status = text("status")
    if status is not None:
        n = _norm(status)
        if n in _CANCELLED:
            task["status"] = "cancelled"
        elif n in _ON_HOLD:
            task["status"] = "on_hold"
        elif n not in _DERIVED:
            result.notes.append(f"{sheet.ref(r, cells['status'])}: {col.msg('unknown_status', value=status)}")

    risks = _risks(col, r, reference_year)
    if risks:
        task["risks"] = risks
    notes = text("notes")
    if notes is not None:
        task["notes"] = notes
    return _Row(r, task, dict(cells), row_deps)


def _kind_of(text: str) -> str | None:
    """A Kind cell as a kind id: the id itself (work, timebox, event) or its label in any
    catalog (交付型, 时间盒, 固定日期活动, Timebox...); None when it is neither."""
    n = _norm(text)
    for kind in KINDS:
        if n == _norm(kind) or any(n == _norm(t(loc, f"kind.{kind}")) for loc in LOCALES):
            return kind
    return None


def _date_cell(col: _Collector, r: int, c: int, value, reference_year, *, shown=None):
    parsed = _resolve_year(parse_date(value, col.sheet.epoch), reference_year)
    shown = shown if shown is not None else _clean_text(value)
    if parsed is _YEARLESS:
        col.bad(r, c, "no_year", value=shown)
        return None
    if parsed is None:
        col.bad(r, c, "not_a_date", value=shown)
        return None
    return parsed


def _lines(value) -> list[str | None]:
    """The lines of a multi-line cell, trailing blank lines dropped; numbering (1. / 1、) removed
    when every line is numbered 1, 2, 3..."""
    if isinstance(value, (datetime, date)) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return [value]
    text = _clean_text(value)
    if text is None:
        return []
    lines = [line.strip(" \u3000") for line in text.split("\n")]  # a tab may be content
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) > 1:
        matches = [_NUMBERED.match(line) for line in lines]
        if all(m and int(m[1]) == i + 1 for i, m in enumerate(matches)):
            lines = [line[m.end():] for line, m in zip(lines, matches)]
    return [_clean_text(line) for line in lines]


def _risks(col: _Collector, r: int, reference_year) -> list[dict]:
    cells = col.header.columns
    if "risk" not in cells:
        return []
    sheet = col.sheet
    issues = _lines(sheet.value(r, cells["risk"]))
    risks: list[dict | None] = []
    for issue in issues:
        if issue is None:
            risks.append(None)
            continue
        risk: dict = {}
        m = _RESOLVED_MARK.search(issue)
        if m:
            issue = issue[: m.start()].strip()
            risk["resolved"] = date.fromisoformat(m[1]) if m[1] else True
        risk = {"issue": issue, **risk}
        risks.append(risk)
    for key, field_name in (("solution", "solution"), ("risk_due", "due")):
        if key not in cells:
            continue
        c = cells[key]
        for i, line in enumerate(_lines(sheet.value(r, c))):
            if line is None:
                continue
            if i >= len(risks) or risks[i] is None:
                col.bad(r, c, "orphan_line", n=i + 1, column=col.column("risk"))
                continue
            if field_name == "due":
                d = _date_cell(col, r, c, line, reference_year, shown=_clean_text(line))
                if d is None:
                    continue
                line = d
            risk = risks[i]
            ordered = {"issue": risk.pop("issue"), field_name: line}
            ordered.update(risk)
            risks[i] = _order_risk(ordered)
    return [rk for rk in risks if rk is not None]


def _order_risk(risk: dict) -> dict:
    order = ("issue", "solution", "due", "resolved")
    return {k: risk[k] for k in order if k in risk}


def _assign_ids(col: _Collector, rows: list[_Row]) -> None:
    used: set[str] = set()
    first: dict[str, int] = {}
    id_col = col.header.columns.get("id")
    explicit: dict[int, str] = {}
    if id_col is not None:
        for i, row in enumerate(rows):
            value = _clean_text(col.sheet.value(row.r, id_col))
            if value is None:
                continue
            candidate = re.sub(r"[\s_]+", "-", unicodedata.normalize("NFKC", value).strip().casefold())
            if not _ID.match(candidate):
                col.bad(row.r, id_col, "bad_id", value=value)
                continue
            if candidate in first:
                col.bad(row.r, id_col, "duplicate_id", value=candidate,
                        first=col.sheet.ref(first[candidate], id_col))
                continue
            first[candidate] = row.r
            used.add(candidate)
            explicit[i] = candidate
    for i, row in enumerate(rows):
        tid = explicit.get(i)
        if tid is None:
            name = row.task.get("name") or ""
            base = slug(name) if name and _is_ascii(name) else ""
            tid = _unique(base or f"task-{i + 1}", used)
        row.task = {"id": tid, **row.task}


def _assign_people(rows: list[_Row]) -> dict[str, str]:
    """Person ids for every owner and collaborator, in order of first appearance; the task's
    owner/collaborators are rewritten to ids. Returns id -> name."""
    by_name: dict[str, str] = {}
    used: set[str] = set()
    counter = 0

    def pid(name: str) -> str:
        nonlocal counter
        if name not in by_name:
            base = slug(name) if _is_ascii(name) else ""
            if not base:
                counter += 1
                base = f"person-{counter}"
            by_name[name] = _unique(base, used)
        return by_name[name]

    for row in rows:
        task = row.task
        if "owner" in task:
            task["owner"] = pid(task["owner"])
        if "collaborators" in task:
            task["collaborators"] = list(dict.fromkeys(pid(n) for n in task["collaborators"]))
    return {v: k for k, v in by_name.items()}


def _resolve_dependencies(col: _Collector, rows: list[_Row]) -> None:
    """前置任务 / Depends on: task ids or task names of this sheet -> ids."""
    ids = {row.task["id"] for row in rows}
    by_name: dict[str, str] = {}
    for row in rows:
        name = row.task.get("name")
        if name is not None:
            by_name.setdefault(_norm(name), row.task["id"])

    def resolve(text: str) -> str | None:
        candidate = re.sub(r"[\s_]+", "-", unicodedata.normalize("NFKC", text).strip().casefold())
        if candidate in ids:
            return candidate
        return by_name.get(_norm(text))

    c = col.header.columns.get("depends_on")
    for row in rows:
        out: dict[str, object] = {}  # predecessor id -> its item (the first one written wins)
        for text in row.depends_on:
            found = resolve(text)
            link = parse_dependency_text(text) if found is None else None
            if link is not None and resolve(link[0]) is not None:  # "kv-design(FS+2)", "主视觉（SS）"
                ref = resolve(link[0])
                item = ref if link[1:] == (FS, 0) else {"task": ref, **({"lag": link[2]} if link[2] else {}),
                                                          **({"type": link[1]} if link[1] != FS else {})}
                out.setdefault(ref, item)
                continue
            if found is None and len(text.split()) > 1:  # "a b": ids separated by spaces
                parts = [resolve(p) for p in text.split()]
                if all(parts):
                    for part in parts:
                        out.setdefault(part, part)
                    continue
            if found is None:
                col.bad(row.r, c, "unknown_dependency", value=text)
            else:
                out.setdefault(found, found)
        if out:
            row.task = _with_key(row.task, "depends_on", list(out.values()),
                                 before=("status", "risks", "notes"))


def _with_key(task: dict, key: str, value, *, before: tuple[str, ...]) -> dict:
    out: dict = {}
    for k, v in task.items():
        if k in before and key not in out:
            out[key] = value
        out[k] = v
    out.setdefault(key, value)
    return out


# ---------------------------------------------------------------------------------------------
# Writing

def schema_url() -> str:
    from ptrack.core.validate import load_schema

    return load_schema()["$id"]


_PLAIN_NOT_STR = re.compile(
    r"(?:[-+]?[0-9]+|[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|~|null|Null|NULL|true|false"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z")


def _yaml_value(value):
    """Plain data -> ruamel nodes: multi-line text as a literal block, text that ptrack's loader
    would read as something else quoted, dates as dates."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _yaml_value(v)
        return m
    if isinstance(value, list):
        s = CommentedSeq(_yaml_value(v) for v in value)
        return s
    if isinstance(value, str):
        if "\n" in value:
            return LiteralScalarString(value)
        if _PLAIN_NOT_STR.match(value) or value != value.strip():
            return DoubleQuotedScalarString(value)
        return value
    return value


_FLOW_KEYS = frozenset(("planned", "actual", "collaborators", "channels", "depends_on"))


def render_campaign(data: dict, *, comment: str) -> str:
    """The campaign file: schema line, a comment, then one block per top-level key, tasks
    separated by blank lines, dates and small mappings in flow style like the example."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)

    def dump(node) -> str:
        buf = io.StringIO()
        yaml.dump(node, buf)
        return buf.getvalue()

    parts = [f"# yaml-language-server: $schema={schema_url()}\n# {comment}\n"]
    parts.append(dump(_yaml_value({"ptrack": data["ptrack"]})))
    parts.append(dump(_yaml_value({"campaign": data["campaign"]})))
    if "people" in data:
        people = _yaml_value({"people": data["people"]})
        for person in people["people"].values():
            person.fa.set_flow_style()
        parts.append(dump(people))
    tasks = _yaml_value({"tasks": data["tasks"]})
    for task in tasks["tasks"]:
        for key in _FLOW_KEYS & set(task):
            task[key].fa.set_flow_style()
    text = dump(tasks)
    text = re.sub(r"\n(?=  - id: )", "\n\n", text).replace("tasks:\n\n", "tasks:\n", 1)
    parts.append(text)
    return "\n".join(parts)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _check_rendered(text: str, data: dict, rows: list[_Row], col: _Collector) -> list[str]:
    """Parse the text with ptrack's own loader: it must read back as the data, and validate.
    Problems the cell checks did not catch (a dependency cycle) are reported at the task's row."""
    from ptrack.core.diagnostics import Severity
    from ptrack.core.loader import parse_yaml
    from ptrack.core.validate import validate_document

    doc = parse_yaml(text, "<import>")
    if doc.data != _plain(data):  # pragma: no cover - a bug in the writer, not in the sheet
        raise AssertionError("the generated campaign does not read back as the imported data")
    out = []
    for d in validate_document(doc.data, doc.source, col.locale):
        if d.severity is not Severity.ERROR:
            continue
        path = d.location.path
        where = col.sheet.label
        if len(path) >= 2 and path[0] == "tasks" and isinstance(path[1], int) and path[1] < len(rows):
            row = rows[path[1]]
            key = {"planned": "planned_start", "actual": "actual_start", "progress": "actual_progress",
                   "risks": "risk", "depends_on": "depends_on", "owner": "owner",
                   "collaborators": "collaborators", "id": "id"}.get(path[2] if len(path) > 2 else "", "name")
            c = row.cells.get(key, row.cells["name"])
            where = col.sheet.ref(row.r, c)
        out.append(f"{where}: {d.message}")
    return out


def check_output(output: Path | str, *, force: bool) -> None:
    p = Path(output)
    if p.is_dir():
        raise UsageError(M_("import.output_directory", file=str(output)))
    if p.exists() and not force:
        raise UsageError(M_("import.output_exists", file=str(output)))


def write_campaign(result: ImportResult, output: Path | str) -> None:
    from ptrack.fsutil import atomic_write

    try:
        atomic_write(output, result.text)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write: {exc.strerror or exc}") from None
