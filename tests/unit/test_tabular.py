"""The tracking table export: rows, CSV and XLSX (read back), formula injection, determinism."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from ptrack.core.compute import compute_snapshot
from ptrack.i18n import EXTRA_TRACKING_COLUMNS, TRACKING_COLUMNS, tracking_headers
from ptrack.sheets.tabular import (COLUMN_KEYS, DATE_COLUMNS, _column_width, csv_bytes, csv_text, safe_cell, tracking_rows,
                            write_csv, write_xlsx, xlsx_bytes)
from tests.helpers import EXAMPLE, EXAMPLE_AS_OF, campaign_from_yaml, snapshot_of

ROOT = Path(__file__).resolve().parents[2]
AS_OF = EXAMPLE_AS_OF





def _row(rows, headers, **match):
    key, value = next(iter(match.items()))
    i = COLUMN_KEYS.index(key)
    found = [r for r in rows if r[i] == value]
    assert len(found) == 1
    return dict(zip(COLUMN_KEYS, found[0]))


# -- rows --------------------------------------------------------------------------------------

def test_columns_are_the_seeds_18_then_the_extra_ones(example):
    headers, rows = tracking_rows(example, locale="zh-CN")
    assert headers == tracking_headers("zh-CN")
    assert headers[:18] == ["任务名称", "任务描述", "所属模块", "主责任人", "协同责任人", "对接部门", "计划开始时间",
                            "计划结束时间", "实际开始时间", "实际结束时间", "计划进度(%)", "实际进度(%)",
                            "进度偏差(%)", "当前状态", "风险问题", "解决方案", "解决时限", "备注"]
    assert COLUMN_KEYS == tuple(c[0] for c in TRACKING_COLUMNS + EXTRA_TRACKING_COLUMNS)
    assert tracking_rows(example, locale="en")[0][:3] == ["Task", "Description", "Module"]
    assert len(rows) == len(example.tasks) and all(len(r) == len(headers) for r in rows)
    assert tracking_rows(example, locale=None) == tracking_rows(example, locale="zh-CN")


def test_a_row_holds_names_iso_dates_numbers_and_localised_status(example):
    headers, rows = tracking_rows(example, locale="zh-CN")
    row = _row(rows, headers, id="kol-seeding")
    assert row == {
        "name": "达人合作种草", "description": "签约20位抖音、小红书达人，完成种草视频及笔记发布", "module": "渠道推广",
        "owner": "王雪", "collaborators": "刘畅、周婷", "department": "市场部",
        "planned_start": "2024-03-18", "planned_end": "2024-04-12", "actual_start": "2024-03-18", "actual_end": None,
        "planned_progress": 100.0, "actual_progress": 75.0, "deviation": -25.0, "status": "延期",
        "risk": "2位头部达人档期冲突，另有3位腰部达人内容未过审，合作顺延",
        "solution": "更换同量级备选达人，并压缩审稿周期至2天", "risk_due": "2024-04-12", "notes": None,
        "id": "kol-seeding", "channels": "抖音、小红书", "depends_on": "key-messages", "kind": "交付型",
        "health": "严重", "days_behind": 5, "calendar": "CN"}
    en = _row(tracking_rows(example, locale="en")[1], None, id="poster-final")
    assert en["collaborators"] == "孙悦, 王雪" and en["depends_on"] == "poster-draft, key-messages"
    assert en["status"] == "done" and en["health"] == "green"


def test_several_risks_share_a_cell_line_by_line(hostile):
    headers, rows = tracking_rows(hostile, locale="en")
    row = _row(rows, headers, id="pipe")
    # line i of the three cells is risk i; "-" where a risk has no solution or deadline; a
    # resolved risk is marked at the end; the line break inside one risk's text became a space
    assert row["risk"] == "=1+1\nline1 line2 (resolved 2024-03-05)\nsemi; colon, back\\slash"
    assert row["solution"] == "\tTab solution\n-\nfix, now; ok"
    assert row["risk_due"] == "2024-03-10\n-\n2024-04-20"
    zh = _row(tracking_rows(hostile, locale="zh-CN")[1], None, id="pipe")
    assert zh["risk"].split("\n")[1] == "line1 line2（已解决 2024-03-05）"


def test_a_resolved_risk_without_a_date_is_marked_too():
    campaign = campaign_from_yaml("""
        ptrack: 1
        campaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31, calendar: none}
        tasks:
          - id: a
            name: A
            planned: {start: 2024-03-01, end: 2024-03-10}
            risks: [{issue: done already, resolved: true}]
        """)
    _, rows = tracking_rows(compute_snapshot(campaign, as_of=AS_OF), locale="en")
    values = dict(zip(COLUMN_KEYS, rows[0]))
    assert values["risk"] == "done already (resolved)"
    assert values["solution"] is None and values["risk_due"] is None and values["owner"] is None


# -- formula injection -------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"), ("@SUM(1)", "'@SUM(1)"), ("+1", "'+1"), ("-2", "'-2"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=b", "a=b"), ("", ""), (-6.3, -6.3), (0, 0), (None, None),
    # a text that starts with the guard itself gets one more, so that an import taking one off
    # gives it back; an apostrophe before anything else is left alone
    ("'=x", "''=x"), ("''-2", "'''-2"), ("'quoted", "'quoted"), ("'", "'"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_text_of_numbers():
    assert [csv_text(v) for v in (100.0, 53.7, -6.3, -0.0, 5, None, "x")] == ["100", "53.7", "-6.3", "0", "5", "", "x"]


# -- CSV ---------------------------------------------------------------------------------------

def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


@pytest.mark.parametrize("name", ["example", "hostile"])
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_csv_reads_back_as_tracking_rows(name, locale, request, tmp_path):
    snap = request.getfixturevalue(name)
    path = write_csv(snap, tmp_path / "t.csv", locale=locale)
    data = path.read_bytes()
    headers, rows = tracking_rows(snap, locale=locale)
    assert _read_csv(data) == [headers] + [[csv_text(safe_cell(v)) for v in r] for r in rows]
    assert data.count(b"\r\n") >= len(rows) + 1
    assert data == csv_bytes(snap, locale=locale)  # deterministic
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]  # atomic write left no temp file


def test_csv_neutralises_formulas_but_not_numbers(hostile):
    table = _read_csv(csv_bytes(hostile, locale="en"))
    cells = [c for row in table for c in row]
    assert "'=cmd|' /C calc'!A0" in cells and "'@SUM(1)" in cells and "'+1 dept" in cells and "'-2" in cells
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert all(not c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)
    dev = COLUMN_KEYS.index("deviation")
    assert table[1][dev] == "-90"  # a negative number stays a number
    assert all(not c.startswith("-") or c.lstrip("-").replace(".", "").isdigit() for c in cells)


def test_csv_line_ends_are_crlf_and_multiline_cells_are_quoted(hostile):
    data = csv_bytes(hostile, locale="en")
    text = data[3:].decode("utf-8")
    assert text.endswith("\r\n")
    assert '"\'=1+1\nline1 line2 (resolved 2024-03-05)\nsemi; colon, back\\slash"' in text


# -- XLSX --------------------------------------------------------------------------------------

def _xlsx_cell(key: str, value):
    """The value tracking_rows gives, as openpyxl reads it back from our file (no CSV-style
    apostrophe guard: a text cell holds the text as it is)."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")  # XML has no lone CR
    if isinstance(value, str) and (key in DATE_COLUMNS or (key == "risk_due" and len(value) == 10)):
        return datetime.fromisoformat(value)
    return value


@pytest.mark.parametrize("name", ["example", "hostile"])
def test_xlsx_reads_back_as_tracking_rows(name, request, tmp_path):
    from openpyxl import load_workbook

    snap = request.getfixturevalue(name)
    path = write_xlsx(snap, tmp_path / "t.xlsx", locale="en")
    ws = load_workbook(path).active
    headers, rows = tracking_rows(snap, locale="en")
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    assert got[0] == headers
    assert got[1:] == [[_xlsx_cell(k, v) for k, v in zip(COLUMN_KEYS, r)] for r in rows]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_xlsx_layout(example, tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(write_xlsx(example, tmp_path / "t.xlsx", locale="zh-CN")).active
    assert ws.title == "跟踪表"
    assert ws.freeze_panes == "A2"
    assert all(c.font.bold for c in ws[1])
    assert ws["A2"].value == "核心卖点与传播口径"
    planned_start = ws.cell(row=2, column=COLUMN_KEYS.index("planned_start") + 1)
    assert planned_start.is_date and planned_start.number_format == "yyyy-mm-dd"
    assert planned_start.value == datetime(2024, 3, 1)
    progress = ws.cell(row=7, column=COLUMN_KEYS.index("actual_progress") + 1)  # xhs-notes
    assert progress.data_type == "n" and progress.value == 50.0 and progress.number_format == "0.0"
    deviation = ws.cell(row=7, column=COLUMN_KEYS.index("deviation") + 1)
    assert deviation.data_type == "n" and deviation.value == -12.5
    # adjacent columns of one width are one range: openpyxl keys it by its first column only
    widths = [w for _, w in sorted((i, d.width) for d in ws.column_dimensions.values() for i in range(d.min, d.max + 1))]
    assert len(widths) == len(COLUMN_KEYS) and all(8 <= w <= 60 for w in widths)
    assert widths[1] > widths[2]  # descriptions are wider than modules
    risk_due = ws.cell(row=3, column=COLUMN_KEYS.index("risk_due") + 1)  # poster-draft: one risk
    assert risk_due.is_date and risk_due.value == datetime(2024, 3, 7)


def test_xlsx_never_holds_a_formula(hostile, tmp_path):
    """Text that a spreadsheet would take for a formula is a text cell with Excel's quote-prefix
    style (what Excel itself stores for '=x typed in a cell): shown without a visible guard."""
    from openpyxl import load_workbook

    ws = load_workbook(write_xlsx(hostile, tmp_path / "t.xlsx", locale="en")).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    formula_like = {"=cmd|' /C calc'!A0", "@SUM(1)", "+1 dept", "-2", "=HYPERLINK(\"http://x\")"}
    by_value = {c.value: c for c in cells}
    assert formula_like | {"\ncarriage"} <= set(by_value)
    assert all(by_value[v].data_type == "s" and by_value[v].quotePrefix for v in formula_like)
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)
    assert not by_value["pipe"].quotePrefix  # plain text keeps the plain style
    assert -90.0 in by_value  # the deviation stays a negative number
    with zipfile.ZipFile(tmp_path / "t.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
        styles = z.read("xl/styles.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet
    assert 'quotePrefix="1"' in styles


def test_xlsx_sheet_xml_has_the_frozen_bold_header_and_the_autofilter(example, hostile, tmp_path):
    import xml.etree.ElementTree as ET

    from openpyxl import load_workbook

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    path = write_xlsx(example, tmp_path / "t.xlsx", locale="en")
    headers, rows = tracking_rows(example, locale="en")
    last = f"Y{len(rows) + 1}"
    assert len(headers) == 25
    with zipfile.ZipFile(path) as z:
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        styles = ET.fromstring(z.read("xl/styles.xml"))
    pane = sheet.find("m:sheetViews/m:sheetView/m:pane", ns)
    assert (pane.get("ySplit"), pane.get("xSplit"), pane.get("topLeftCell"), pane.get("state")) == (
        "1", None, "A2", "frozen")
    assert sheet.find("m:autoFilter", ns).get("ref") == f"A1:{last}"
    fonts = styles.findall("m:fonts/m:font", ns)
    xfs = styles.findall("m:cellXfs/m:xf", ns)

    def bold(cell) -> bool:
        return fonts[int(xfs[int(cell.get("s", 0))].get("fontId", 0))].find("m:b", ns) is not None

    header, first = sheet.findall("m:sheetData/m:row", ns)[:2]
    assert len(header.findall("m:c", ns)) == len(headers) and all(bold(c) for c in header.findall("m:c", ns))
    assert not any(bold(c) for c in first.findall("m:c", ns))
    # the same read back by openpyxl: widths exactly as computed (adjacent columns of one width
    # are one <col min max> range), wrapping only multi-line text
    ws = load_workbook(path).active
    assert ws.auto_filter.ref == f"A1:{last}" and ws.freeze_panes == "A2"
    widths = {i: dim.width for dim in ws.column_dimensions.values() for i in range(dim.min, dim.max + 1)}
    assert widths == {i + 1: _column_width(k, headers[i], [r[i] for r in rows]) for i, k in enumerate(COLUMN_KEYS)}
    assert ws.cell(row=2, column=COLUMN_KEYS.index("days_behind") + 1).number_format == "0"
    ws = load_workbook(write_xlsx(hostile, tmp_path / "h.xlsx", locale="en")).active
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert all(c.alignment.vertical == "top" for c in cells)
    assert all(bool(c.alignment.wrap_text) == (isinstance(c.value, str) and "\n" in c.value) for c in cells)
    assert sum(bool(c.alignment.wrap_text) for c in cells) >= 4  # the risk cells of "pipe", the multi-line name


def test_xlsx_of_no_tasks_is_the_header_with_its_filter():
    from openpyxl import load_workbook

    campaign = campaign_from_yaml("""
        ptrack: 1
        campaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31, calendar: none}
        tasks: []
        """)
    ws = load_workbook(io.BytesIO(xlsx_bytes(compute_snapshot(campaign, as_of=AS_OF), locale="en"))).active
    assert ws.max_row == 1 and ws.auto_filter.ref == "A1:Y1" and ws.freeze_panes == "A2"


def test_xlsx_text_that_xml_cannot_hold(tmp_path):
    from openpyxl import load_workbook

    campaign = campaign_from_yaml(r"""
        ptrack: 1
        campaign: {id: c, name: "C\x01\uFFFE", start: 2024-03-01, end: 2024-03-31, calendar: none}
        tasks:
          - id: a
            name: "ctl\x01\x0b\x1f\uFFFF end"
            description: "_x0041_ stays"
            module: "  spaced  "
            notes: ""
            planned: {start: 2024-03-01, end: 2024-03-10}
        """)
    wb = load_workbook(write_xlsx(compute_snapshot(campaign, as_of=AS_OF), tmp_path / "t.xlsx", locale="en"))
    values = dict(zip(COLUMN_KEYS, next(wb.active.iter_rows(min_row=2, values_only=True))))
    assert values["name"] == "ctl\ufffd\ufffd\ufffd\ufffd end"  # not XlsxWriter's _x0001_ escapes
    assert values["description"] == "_x0041_ stays"  # written as _x005F_x0041_, read back as it was
    assert values["module"] == "  spaced  " and values["notes"] is None
    assert wb.properties.title == "C\ufffd\ufffd"


def test_xlsx_bytes_are_deterministic(example, tmp_path, monkeypatch):
    import time

    import xlsxwriter.core

    first = write_xlsx(example, tmp_path / "a.xlsx", locale="zh-CN").read_bytes()
    real = time.time

    class _AnyDatetime(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, datetime)

    class Later(datetime, metaclass=_AnyDatetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2031, 1, 2, 3, 4, 5, tzinfo=tz)

    monkeypatch.setattr(time, "time", lambda: real() + 86400 * 3)
    monkeypatch.setattr(xlsxwriter.core, "datetime", Later)  # what XlsxWriter would stamp "created" with
    second = write_xlsx(example, tmp_path / "b.xlsx", locale="zh-CN").read_bytes()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}  # XlsxWriter's in-memory mode
        core = z.read("docProps/core.xml").decode("utf-8")
        app = z.read("docProps/app.xml").decode("utf-8")
    assert "2024-04-15T00:00:00Z" in core and core.count("2024-04-15T00:00:00Z") == 2  # created, modified
    assert "<dc:creator>ptrack</dc:creator>" in core and "<cp:lastModifiedBy>ptrack</cp:lastModifiedBy>" in core
    assert f"<dc:title>{example.campaign.name}</dc:title>" in core
    assert "2031" not in core + app and "1980" not in core + app
    assert xlsx_bytes(snapshot_of(EXAMPLE, date(2024, 4, 16)), locale="zh-CN") != first


def test_xlsxwriter_is_imported_only_to_write_an_xlsx_and_openpyxl_only_to_read_one():
    import subprocess
    import sys

    code = ("import sys; from ptrack.cli import main\n"
            "for args in (['validate', sys.argv[1]], ['check', sys.argv[1], '--as-of', sys.argv[2]]):\n"
            "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
            "seen = ['xlsxwriter' in sys.modules, 'openpyxl' in sys.modules]\n"
            "from tests.helpers import snapshot_of, EXAMPLE\n"
            "from ptrack.sheets.tabular import xlsx_bytes\n"
            "xlsx_bytes(snapshot_of(EXAMPLE), locale='en')\n"
            "seen += ['xlsxwriter' in sys.modules, 'openpyxl' in sys.modules]\n"
            "sys.stderr.write(f'\\nimported: {seen}\\n')")
    proc = subprocess.run([sys.executable, "-c", code, str(EXAMPLE), AS_OF.isoformat()], check=False,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "\nimported: [False, False, True, False]\n" in proc.stderr, proc.stderr
