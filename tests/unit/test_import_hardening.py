"""``ptrack import`` on hostile and awkward sheets (issue 18, Import): a cost that follows the cells
that exist, long fields, formulas saved without values, several sheets, hidden rows, decimal
commas, formula guards; and the export side that the round trip needs (no visible guard in the
XLSX, long texts refused instead of cut). Every file is a real one, written by openpyxl,
XlsxWriter or ptrack's own export in the test."""

from __future__ import annotations

import csv
import io
import os
import resource
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from ptrack.core.compute import compute_snapshot
from ptrack.core.loader import parse_yaml
from ptrack.core.model import build_campaign
from ptrack.core.validate import validate_document
from ptrack.sheets.importer import import_table, parse_percent
from ptrack.sheets.tabular import COLUMN_KEYS, csv_bytes, safe_cell, tracking_rows, xlsx_bytes
from tests.helpers import campaign_from_yaml

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2024, 3, 20)
HEADERS = ["Task", "Owner", "Planned start", "Planned end", "Actual progress (%)", "Notes"]
ROWS = [["Poster", "Ann", "2024-03-01", "2024-03-08", 40, "first"],
        ["Video", "Bob", "2024-03-04", "2024-03-15", None, None],
        ["Launch", "Ann", "2024-03-11", "2024-03-22", None, None]]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # cell references use paths relative to the current folder


def xlsx(name: str, rows: list[list], *, title: str = "Plan", more=None) -> Path:
    """An openpyxl workbook with ``rows`` from A1; ``more(wb, ws)`` may change it before saving."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    if more:
        more(wb, ws)
    wb.save(name)
    return Path(name)


def csv_file(name: str, rows: list[list], *, delimiter: str = ",") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    Path(name).write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return Path(name)


def tasks_of(result) -> list[dict]:
    assert result.problems == []
    doc = parse_yaml(result.text, "out.yaml")
    assert [d for d in validate_document(doc.data, doc.source) if d.severity.value == "error"] == []
    return doc.data["tasks"]


def rows_of(text: str, as_of: date = AS_OF, locale: str = "en"):
    """The tracking rows of an imported campaign text (what an export of it would hold)."""
    doc = parse_yaml(text, "rt.yaml")
    return tracking_rows(compute_snapshot(build_campaign(doc.data, "rt.yaml", doc.source), as_of=as_of),
                         locale=locale)


# -- one stray cell far away ---------------------------------------------------------------------

def _run_limited(args: list[str], cwd: Path, limit: int = 2**30) -> subprocess.CompletedProcess:
    """``python -m ptrack ARGS`` under an address-space limit: a reader that allocates by the
    sheet's claimed size ends in MemoryError instead of taking the machine's memory. (The
    timeout is a safety net, not a measurement: bench_import.py measures.)"""
    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "ptrack", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, preexec_fn=limited, timeout=300)


def test_a_stray_cell_at_zz20000_costs_nothing_and_is_named(tmp_path):
    """The sheet's dimension says A1:ZZ20000 (14 million cells); the cells that exist are 19."""
    def stray(wb, ws):
        ws["ZZ20000"] = "x"

    xlsx("stray.xlsx", [HEADERS] + ROWS, more=stray)
    with zipfile.ZipFile("stray.xlsx") as z:
        assert '<dimension ref="A1:ZZ20000"' in z.read("xl/worksheets/sheet1.xml").decode()
    proc = _run_limited(["import", "stray.xlsx", "-o", "out.yaml", "--lang", "en"], tmp_path)
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[0] == "stray.xlsx!ZZ20000: outside the table (no header above it); ignored"
    assert proc.stdout == "wrote out.yaml: 3 tasks, 2 people, 2024-03-01..2024-03-22\n"


def test_a_stray_cell_at_the_last_row_is_reported_not_a_memory_error(tmp_path):
    """A1048576 is Excel's last row: "x" there is a task without dates, said at its own cells."""
    def stray(wb, ws):
        ws["A1048576"] = "x"

    xlsx("stray.xlsx", [HEADERS] + ROWS, more=stray)
    proc = _run_limited(["import", "stray.xlsx", "-o", "out.yaml", "--lang", "en"], tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", (
        "stray.xlsx!C1048576: Planned start is empty; every task needs one\n"
        "stray.xlsx!D1048576: Planned end is empty; every task needs one\n"
        "2 problems in stray.xlsx; nothing written\n"))


def rewrite_sheet(path: Path, change) -> None:
    """Replace the first sheet's XML by ``change(xml)`` (what another writer would have written)."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts["xl/worksheets/sheet1.xml"] = change(parts["xl/worksheets/sheet1.xml"].decode()).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


@pytest.mark.parametrize("ref", ["A1:A1", "A1:XFD1048576"])
def test_a_sheet_whose_dimension_lies_is_read_by_its_cells(ref):
    """Read-only sheets believe <dimension>: too small would cut the table, too large would pad
    it. The rows are read as they are in the file."""
    import re

    path = xlsx("lying.xlsx", [HEADERS] + ROWS)
    rewrite_sheet(path, lambda xml: re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', xml))
    tasks = tasks_of(import_table(path, output="out.yaml"))
    assert [(t["name"], t["planned"]["end"]) for t in tasks] == [
        ("Poster", "2024-03-08"), ("Video", "2024-03-15"), ("Launch", "2024-03-22")]
    assert tasks[0]["progress"] == 40 and tasks[0]["notes"] == "first"


def test_too_many_cells_is_a_problem_not_a_memory_error(monkeypatch):
    from ptrack.sheets import grid

    # the header and Poster 6 cells each, Video and Launch 4 (up to their last value): 20
    monkeypatch.setattr(grid, "MAX_CELLS", 19)
    for path in (xlsx("big.xlsx", [HEADERS] + ROWS), csv_file("big.csv", [HEADERS] + ROWS)):
        result = import_table(path, output="out.yaml", locale="en")
        assert result.problems == [f"{path.name}: more than 19 cells (a row counts up to its last filled cell); "
                                   "ptrack reads tracking tables up to that size"]


def test_a_csv_larger_than_the_bound_is_not_read(monkeypatch):
    from ptrack.sheets import grid

    monkeypatch.setattr(grid, "MAX_CSV_BYTES", 2**20)
    path = csv_file("huge.csv", [HEADERS] + ROWS + [["pad", "", "", "", "", "x" * 2**20]])
    assert import_table(path, output="out.yaml", locale="zh-CN").problems == [
        "huge.csv: 文件大于 1 MB，远超跟踪表的大小；请确认文件是否正确"]


def test_an_xlsx_part_that_unpacks_past_the_bound_is_not_read(monkeypatch):
    from ptrack.sheets import grid

    monkeypatch.setattr(grid, "MAX_XLSX_PART_BYTES", 2**20)
    padding = [[f"pad {i}", "", "", "", "", "x" * 20_000] for i in range(60)]  # 1.2 MB of sheet XML
    path = xlsx("bomb.xlsx", [HEADERS] + ROWS + padding)
    assert import_table(path, output="out.yaml", locale="en").problems == [
        "bomb.xlsx: its part xl/worksheets/sheet1.xml unpacks to more than 1 MB; not read"]


def test_a_damaged_sheet_is_a_problem_not_a_traceback():
    path = xlsx("bad.xlsx", [HEADERS] + ROWS)
    rewrite_sheet(path, lambda xml: xml.replace('<row r="3"', '<row r="x3"'))
    (problem,) = import_table(path, output="out.yaml").problems
    assert problem.startswith("bad.xlsx: not a readable Excel worksheet (ValueError: ")


# -- merged cells, hidden rows and formulas under streaming --------------------------------------

def test_hidden_rows_are_skipped_with_a_note():
    def hide(wb, ws):
        ws.row_dimensions[3].hidden = True  # "Video", filtered out in Excel

    result = import_table(xlsx("plan.xlsx", [HEADERS] + ROWS, more=hide), output="out.yaml", locale="en")
    assert [t["name"] for t in tasks_of(result)] == ["Poster", "Launch"]
    assert result.notes[0] == 'plan.xlsx!A3: skipped a hidden row ("Video")'


def test_formulas_without_computed_values_are_named_by_cell():
    """openpyxl saves formulas without their values; Excel would compute them on opening."""
    rows = [HEADERS,
            ["Poster", "Ann", "2024-03-01", "2024-03-08", "=20*2", '="see "&"brief"'],
            ["Video", "Bob", "2024-03-04", "2024-03-15", 30, None]]

    def filled_down(wb, ws):
        for r in range(4, 9):  # the progress formula copied past the last task
            ws[f"E{r}"] = f"=B{r}"

    result = import_table(xlsx("plan.xlsx", rows, more=filled_down), output="out.yaml", locale="en")
    tasks = tasks_of(result)
    assert "progress" not in tasks[0] and "notes" not in tasks[0] and tasks[1]["progress"] == 30
    assert result.notes[:3] == [
        "plan.xlsx!E2: Actual progress (%): a formula saved without its computed value (the file was never "
        "recalculated); read as empty. Open and save the file in Excel or LibreOffice to keep the value",
        "plan.xlsx!F2: Notes: a formula saved without its computed value (the file was never recalculated); "
        "read as empty. Open and save the file in Excel or LibreOffice to keep the value",
        "plan.xlsx!E4, plan.xlsx!E5, plan.xlsx!E6, plan.xlsx!E7, plan.xlsx!E8: 5 formula cells saved without "
        "computed values, in rows that hold nothing else; those rows were read as empty",
    ]


def test_a_required_cell_that_is_an_uncomputed_formula_says_so():
    rows = [HEADERS, ["Poster", "Ann", "2024-03-01", "=C2+7", None, None]]
    result = import_table(xlsx("plan.xlsx", rows), output="out.yaml", locale="zh-CN")
    assert result.problems == ["plan.xlsx!D2: Planned end是公式，但没有保存计算结果；每个任务都必须填写"
                               "（请用 Excel 或 LibreOffice 打开并保存后再导入）"]


def test_formulas_with_computed_values_are_read_without_a_note():
    """XlsxWriter, like Excel, stores a formula's value: that value is imported."""
    from xlsxwriter import Workbook

    wb = Workbook("plan.xlsx")
    ws = wb.add_worksheet("Plan")
    for r, row in enumerate([HEADERS] + [ROWS[0][:4]]):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    ws.write_formula(1, 4, "=20*2", None, 40)
    ws.write_formula(1, 5, '="see brief"', None, "see brief")
    wb.close()
    result = import_table("plan.xlsx", output="out.yaml", locale="en")
    assert (tasks_of(result)[0]["progress"], tasks_of(result)[0]["notes"]) == (40, "see brief")
    assert not any("formula" in n for n in result.notes)
    # a formula that computed an empty text is t="str" with an empty value, as Excel writes it
    rewrite_sheet(Path("plan.xlsx"), lambda xml: xml.replace("<v>see brief</v>", "<v></v>"))
    result = import_table("plan.xlsx", output="out.yaml", locale="en")
    assert "notes" not in tasks_of(result)[0] and not any("formula" in n for n in result.notes)


def test_merged_ranges_apply_to_the_rows_that_exist_only():
    """A module merged down A2:A4 fills each task's cell; a merged range that reaches far below the
    table (C2:C1048576, a careless "merge column") costs nothing and adds no rows."""
    headers = ["Module", "Task", "Planned start", "Planned end"]
    rows = [headers, ["Content", "Poster", "2024-03-01", "2024-03-08"], [None, "Video", "2024-03-04", "2024-03-15"],
            [None, "Launch", "2024-03-11", "2024-03-22"], ["二、渠道", None, None, None]]

    def merge(wb, ws):
        ws.merge_cells("A2:A4")
        ws.merge_cells("A5:D5")

    path = xlsx("plan.xlsx", rows, more=merge)  # openpyxl would make a million cells to write F2:F1048576
    rewrite_sheet(path, lambda xml: xml.replace('<mergeCells count="2">',
                                                '<mergeCells count="3"><mergeCell ref="F2:F1048576"/>'))
    result = import_table(path, output="out.yaml", locale="en")
    assert [(t["name"], t["module"]) for t in tasks_of(result)] == [
        ("Poster", "Content"), ("Video", "Content"), ("Launch", "Content")]
    assert result.notes == ['plan.xlsx!A5: skipped the heading row "二、渠道"',
                            "calendar: weekends (Monday to Friday); pass --calendar CN for Chinese public holidays "
                            "and make-up working days"]


# -- which sheet ---------------------------------------------------------------------------------

def test_the_imported_sheet_is_named_and_the_others_listed():
    """The active sheet (说明) has no header; a chart sheet and a hidden sheet are not tables."""
    def sheets(wb, ws):
        from openpyxl.chart import BarChart, Reference

        ws.append(["本表用于跟踪推广进度"])
        chart = BarChart()
        chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=1))
        wb.create_chartsheet("图表").add_chart(chart)
        plan = wb.create_sheet("进度表")
        for row in [HEADERS] + ROWS:
            plan.append(row)
        hidden = wb.create_sheet("模板")
        hidden.append(HEADERS)
        hidden.sheet_state = "hidden"

    path = xlsx("multi.xlsx", [], title="说明", more=sheets)
    result = import_table(path, output="out.yaml", locale="zh-CN")
    assert len(tasks_of(result)) == 3
    assert result.notes[0] == "multi.xlsx: 已导入工作表“进度表”；未读取：说明、图表、模板（隐藏）（可用 --sheet 工作表名 指定其他工作表）"
    from ptrack.errors import UsageError

    with pytest.raises(UsageError, match='multi.xlsx: "图表" is a chart sheet, not a table'):
        import_table(path, output="out.yaml", sheet="图表")


def test_a_hidden_sheet_is_tried_after_the_visible_ones():
    def sheets(wb, ws):
        template = wb.create_sheet("Template", 0)  # first in the workbook, hidden
        template.append(HEADERS)
        template.append(["Sample", "Ann", "2024-01-01", "2024-01-02", None, None])
        template.sheet_state = "hidden"
        wb.active = 1

    result = import_table(xlsx("multi.xlsx", [HEADERS] + ROWS, more=sheets), output="out.yaml", locale="en")
    assert [t["name"] for t in tasks_of(result)] == ["Poster", "Video", "Launch"]
    assert result.notes[0] == ('multi.xlsx: imported the sheet "Plan"; not read: Template (hidden) '
                               "(choose another with --sheet NAME)")


# -- long fields ---------------------------------------------------------------------------------

def test_a_csv_field_of_200000_characters_is_read():
    notes = "长" * 200_000
    path = csv_file("long.csv", [HEADERS, ["Poster", "Ann", "2024-03-01", "2024-03-08", "40", notes]])
    before = csv.field_size_limit()
    assert tasks_of(import_table(path, output="out.yaml"))[0]["notes"] == notes
    assert csv.field_size_limit() == before  # the process-wide limit is put back


RISKY = """
ptrack: 1
campaign: {id: risky, name: Risky, start: 2024-03-01, end: 2024-03-29, calendar: weekends, locale: en}
tasks:
  - id: launch
    name: Launch
    planned: {start: 2024-03-01, end: 2024-03-29}
    notes: NOTES
    risks:
RISKS
"""


def risky(n_risks: int, notes: str = "short") -> str:
    risks = "\n".join(f"      - {{issue: 'Risk {i}: the venue supplier has not confirmed the date', "
                      f"solution: 'Call the backup supplier', due: 2024-03-{i % 28 + 1:02d}}}"
                      for i in range(n_risks))
    return RISKY.replace("NOTES", notes).replace("RISKS", risks)


def test_ptrack_csv_export_of_many_risks_round_trips():
    """3,000 risks: the risk cell ptrack writes is ~186,000 characters, over csv's default limit."""
    snapshot = compute_snapshot(campaign_from_yaml(risky(3000)), as_of=AS_OF)
    data = csv_bytes(snapshot, locale="en")
    Path("risks.csv").write_bytes(data)
    assert len(tracking_rows(snapshot, locale="en")[1][0][COLUMN_KEYS.index("risk")]) > 131_072
    result = import_table("risks.csv", output="risky.yaml")
    (task,) = tasks_of(result)
    assert len(task["risks"]) == 3000 and task["risks"][2999] == {
        "issue": "Risk 2999: the venue supplier has not confirmed the date", "solution": "Call the backup supplier",
        "due": "2024-03-04"}  # 2999 % 28 + 1 = 4
    assert csv_bytes(compute_snapshot(build_campaign(*_doc(result.text)), as_of=AS_OF), locale="en") == data


def _doc(text: str):
    doc = parse_yaml(text, "rt.yaml")
    return doc.data, "rt.yaml", doc.source


def test_an_xlsx_export_of_a_text_longer_than_a_cell_is_refused():
    """40,000 characters do not fit in a cell (32,767); XlsxWriter would cut them silently."""
    from ptrack.sheets.tabular import CellTooLong

    campaign = campaign_from_yaml(risky(1, notes="x" * 40_000), file="campaigns/risky.yaml")
    with pytest.raises(CellTooLong) as caught:
        xlsx_bytes(compute_snapshot(campaign, as_of=AS_OF), locale="zh-CN")
    # the notes are on line 8 of the (dedented) file, their value at column 12
    assert caught.value.messages == [
        "campaigns/risky.yaml:8:12: 任务 launch（Launch）的“备注”有 40,000 个字符，超过 Excel 单元格上限 32,767，"
        "因此不写出 XLSX（截断的内容无法原样导回）；请缩短内容，或导出为没有此上限的 CSV"]


def test_the_cell_limit_counts_utf16_units_and_the_largest_text_round_trips():
    """Excel counts UTF-16 units: 16,384 emoji are 32,768 units (refused); 32,767 units fit and
    read back exactly."""
    from ptrack.sheets.tabular import CellTooLong

    emoji = campaign_from_yaml(risky(1, notes="'" + "\U0001F600" * 16_384 + "'"))
    with pytest.raises(CellTooLong, match=r"column Notes: 32,768 characters; an Excel cell holds at most 32,767"):
        xlsx_bytes(compute_snapshot(emoji, as_of=AS_OF), locale="en")
    fits = "y" * 32_767
    snapshot = compute_snapshot(campaign_from_yaml(risky(1, notes=fits)), as_of=AS_OF)
    Path("fits.xlsx").write_bytes(xlsx_bytes(snapshot, locale="en"))
    assert tasks_of(import_table("fits.xlsx", output="out.yaml"))[0]["notes"] == fits


# -- decimal comma -------------------------------------------------------------------------------

@pytest.mark.parametrize("value, fractions, expected", [
    ("15,5", False, 15.5), ("15,5%", False, 15.5), ("15,5 %", False, 15.5), ("0,155", True, 15.5),
    ("１５，５", False, 15.5), ("100,0", False, 100), ("1,234.5", False, 1234.5), ("1.234,5", False, 1234.5),
    ("1,000", False, 1), ("1,2,3", False, 123),
])
def test_a_decimal_comma_in_a_percentage(value, fractions, expected):
    """One comma and no point: a decimal comma (a percentage never needs a thousands separator).
    With both, the last one is the decimal separator; several commas alone are thousands
    separators. The range check then reports what is not a percentage."""
    assert parse_percent(value, excel_percent=False, fractions=fractions) == expected


def test_a_semicolon_csv_with_decimal_commas_imports():
    """What a German or French Excel saves as "CSV": ';' between fields, ',' in numbers."""
    rows = [HEADERS, ["Poster", "Ann", "2024-03-01", "2024-03-08", "15,5", "first"],
            ["Video", "Bob", "2024-03-04", "2024-03-15", "0,5", None]]
    tasks = tasks_of(import_table(csv_file("eu.csv", rows, delimiter=";"), output="out.yaml"))
    assert [t.get("progress") for t in tasks] == [15.5, 0.5]


# -- formula guards ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, csv_cell", [
    ("=SUM(A1)", "'=SUM(A1)"), ("'=literal", "''=literal"), ("''=two", "'''=two"), ("-2", "'-2"),
    ("'quoted", "'quoted"), ("'", "'"), ("plain", "plain"),
])
def test_the_csv_guard_is_one_apostrophe_and_is_escaped(text, csv_cell):
    from ptrack.sheets.grid import csv_unguard

    assert safe_cell(text) == csv_cell
    assert csv_unguard(csv_cell) == text


GUARDED = """
ptrack: 1
campaign: {id: guarded, name: Guarded, start: 2024-03-01, end: 2024-03-29, calendar: weekends, locale: en}
tasks:
  - id: a
    name: "'=already quoted"
    description: "=SUM(A1:A3)"
    module: "-2"
    planned: {start: 2024-03-01, end: 2024-03-08}
    risks:
      - {issue: "@mention the venue", solution: "'-minus kept"}
    notes: "''=two apostrophes"
  - id: b
    name: "'plain apostrophe"
    planned: {start: 2024-03-04, end: 2024-03-15}
    notes: "+1 more"
"""


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_texts_that_look_like_formulas_round_trip(fmt):
    """export -> import -> export: the same rows, apostrophes and all."""
    snapshot = compute_snapshot(campaign_from_yaml(GUARDED), as_of=AS_OF)
    Path(f"t.{fmt}").write_bytes((csv_bytes if fmt == "csv" else xlsx_bytes)(snapshot, locale="en"))
    result = import_table(f"t.{fmt}", output="guarded.yaml")
    a, b = tasks_of(result)
    assert (a["name"], a["description"], a["module"], a["notes"], b["name"], b["notes"]) == (
        "'=already quoted", "=SUM(A1:A3)", "-2", "''=two apostrophes", "'plain apostrophe", "+1 more")
    assert a["risks"] == [{"issue": "@mention the venue", "solution": "'-minus kept"}]
    assert rows_of(result.text) == tracking_rows(snapshot, locale="en")


def test_an_xlsx_text_starting_with_an_apostrophe_keeps_it():
    """In an XLSX the apostrophe is the user's: Excel keeps the guard typed before '=' out of the
    value (quote-prefix style), so a value that starts with one was meant."""
    rows = [HEADERS, ["Poster", "Ann", "2024-03-01", "2024-03-08", None, "'=not a guard"]]
    assert tasks_of(import_table(xlsx("plan.xlsx", rows), output="out.yaml"))[0]["notes"] == "'=not a guard"


def test_a_csv_guard_is_taken_off_once():
    rows = [HEADERS, ["Poster", "Ann", "2024-03-01", "2024-03-08", None, "'=guarded"],
            ["Video", "Bob", "2024-03-04", "2024-03-15", None, "''=kept one"],
            ["Launch", "Ann", "2024-03-11", "2024-03-22", None, "'not a guard"]]
    tasks = tasks_of(import_table(csv_file("plan.csv", rows), output="out.yaml"))
    assert [t["notes"] for t in tasks] == ["=guarded", "'=kept one", "'not a guard"]
