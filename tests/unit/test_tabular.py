"""The tracking table export: rows, CSV and XLSX (read back), formula injection, determinism."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from ptrack.compute import compute_snapshot
from ptrack.i18n import EXTRA_TRACKING_COLUMNS, TRACKING_COLUMNS, tracking_headers
from ptrack.tabular import (COLUMN_KEYS, DATE_COLUMNS, csv_bytes, csv_text, safe_cell, tracking_rows, write_csv,
                            write_xlsx, xlsx_bytes)
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
        "id": "kol-seeding", "channels": "抖音、小红书", "depends_on": "key-messages", "health": "严重",
        "days_behind": 5}
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
    """The value tracking_rows gives, as openpyxl reads it back from our file."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")  # XML has no lone CR
    value = safe_cell(value)
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
    widths = [ws.column_dimensions[c].width for c in "ABCDEFG"]
    assert all(8 <= w <= 60 for w in widths) and widths[1] > widths[2]  # descriptions are wider than modules
    risk_due = ws.cell(row=3, column=COLUMN_KEYS.index("risk_due") + 1)  # poster-draft: one risk
    assert risk_due.is_date and risk_due.value == datetime(2024, 3, 7)


def test_xlsx_never_holds_a_formula(hostile, tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(write_xlsx(hostile, tmp_path / "t.xlsx", locale="en")).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    values = {c.value for c in cells}
    assert {"'=cmd|' /C calc'!A0", "'@SUM(1)", "'+1 dept", "'-2", "'=HYPERLINK(\"http://x\")", "\ncarriage"} <= values
    assert -90.0 in values  # the deviation stays a negative number
    with zipfile.ZipFile(tmp_path / "t.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet


def test_xlsx_bytes_are_deterministic(example, tmp_path, monkeypatch):
    import time

    first = write_xlsx(example, tmp_path / "a.xlsx", locale="zh-CN").read_bytes()
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 86400 * 3)  # zipfile stamps entries with time.time()
    second = write_xlsx(example, tmp_path / "b.xlsx", locale="zh-CN").read_bytes()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2024, 4, 15, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode("utf-8")
    assert "2024-04-15T00:00:00Z" in core and core.count("2024-04-15T00:00:00Z") == 2
    assert xlsx_bytes(snapshot_of(EXAMPLE, date(2024, 4, 16)), locale="zh-CN") != first
