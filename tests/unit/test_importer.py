"""``ptrack import``: reading real-world tracking sheets (CSV and openpyxl-written XLSX), every
bad cell reported by its sheet cell, stable ids, and the round trip export -> import -> export."""

from __future__ import annotations

import csv
import io
import os
from datetime import date, datetime
from pathlib import Path

import pytest

from ptrack.core.compute import compute_snapshot
from ptrack.sheets.importer import (fraction_column, import_table, match_header, parse_date, parse_percent,
                             slug, split_people, Sheet)
from ptrack.core.loader import parse_yaml
from ptrack.core.model import build_campaign
from ptrack.core.validate import load_campaign, validate_document

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "import"
EXAMPLE = ROOT / "examples" / "campaign.yaml"

EN_HEADERS = ["Task", "Description", "Module", "Owner", "Collaborators", "Department", "Planned start",
              "Planned end", "Actual start", "Actual end", "Planned progress (%)", "Actual progress (%)",
              "Deviation (%)", "Status", "Risk", "Solution", "Deadline", "Notes", "Task ID"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # cell references use paths relative to the current folder


def xlsx(path: Path, rows: list[list], *, merges=(), formats=None, title: str = "Sheet1") -> Path:
    """An openpyxl-written workbook: ``rows`` from A1, ``merges`` like "A1:S1", ``formats``
    {"L6": "0%"}."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    wb.save(path)
    return path


def csv_file(path: Path, rows: list[list], *, bom: bool = True, encoding: str = "utf-8") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode(encoding))
    return path


def data_of(result) -> dict:
    assert result.problems == []
    doc = parse_yaml(result.text, "out.yaml")
    errors = [d.format_text() for d in validate_document(doc.data, doc.source) if d.severity.value == "error"]
    assert errors == []
    return doc.data


def tasks_by_id(data: dict) -> dict:
    return {t["id"]: t for t in data["tasks"]}


# -- cells ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, key", [
    ("任务名称", "name"), ("计划进度(%)", "planned_progress"), ("计划进度（%）", "planned_progress"),
    (" 实际进度 ( % ) ", "actual_progress"), ("*主责任人", "owner"), ("计划完成时间", "planned_end"),
    ("PLANNED START", "planned_start"), ("planned_start", "planned_start"), ("Task ID", "id"),
    ("任务编号", "id"), ("Task", "name"), ("Deadline", "risk_due"), ("耗时统计", None), ("", None),
])
def test_headers_in_chinese_english_and_variants(text, key):
    assert match_header(text) == key


@pytest.mark.parametrize("value, expected", [
    ("2024-03-01", date(2024, 3, 1)), ("2024/3/1", date(2024, 3, 1)), ("2024.3.1", date(2024, 3, 1)),
    ("2024年3月1日", date(2024, 3, 1)), ("2024 年 3 月 1 号", date(2024, 3, 1)), ("20240301", date(2024, 3, 1)),
    ("2024-03-01 00:00:00", date(2024, 3, 1)), ("２０２４－０３－０１", date(2024, 3, 1)),
    ("3月15日前", None), (datetime(2024, 3, 1, 9, 30), date(2024, 3, 1)), (date(2024, 3, 1), date(2024, 3, 1)),
    (45352, date(2024, 3, 1)), (45352.0, date(2024, 3, 1)), ("45352", date(2024, 3, 1)),
    ("2024-13-01", None), ("2024-02-30", None), ("soon", None), (2024, None), ("15", None), (True, None),
])
def test_dates(value, expected):
    got = parse_date(value)
    if value == "3月15日前":  # no year: resolved later from the sheet or --year
        assert got[1:] == (3, 15)
    else:
        assert got == expected


@pytest.mark.parametrize("value, excel_percent, fractions, expected", [
    ("15%", False, False, 15), ("15%", False, True, 15), ("15 ％", False, False, 15), (15, False, False, 15),
    ("15", False, False, 15), (0.15, False, True, 15), ("0.15", False, True, 15), (0.15, True, False, 15),
    (1, True, False, 100), (0.5, False, False, 0.5), (46.7, False, False, 46.7), ("abc", False, False, None),
    ("abc%", False, False, None), (None, False, False, None),
])
def test_percentages(value, excel_percent, fractions, expected):
    assert parse_percent(value, excel_percent=excel_percent, fractions=fractions) == expected


def test_a_column_of_numbers_within_0_and_1_is_read_as_fractions():
    def sheet(*values):
        return Sheet("s.csv", [[v] for v in values])
    assert fraction_column(sheet(0.15, 0.5, 1, None, "20%"), [0, 1, 2, 3, 4], 0)  # "20%" does not count
    assert not fraction_column(sheet(0.5, 30), [0, 1], 0)  # 30 is in points, so 0.5 is 0.5%
    assert not fraction_column(sheet(0, 1), [0, 1], 0)  # no fraction at all: points
    s = sheet(0.15, 50)
    s.percent.add((1, 0))  # an Excel percentage cell is a fraction whatever the column holds
    assert fraction_column(s, [0, 1], 0)


@pytest.mark.parametrize("text, names", [
    ("*设计主管", ["设计主管"]), ("*设计专员A、*运营专员B", ["设计专员A", "运营专员B"]),
    ("张三, 李四，王五;赵六；孙七", ["张三", "李四", "王五", "赵六", "孙七"]), ("张三/李四", ["张三", "李四"]),
    ("张三 李四", ["张三", "李四"]), ("Alice Wang", ["Alice Wang"]), ("Alice Wang, Bob", ["Alice Wang", "Bob"]),
    ("张三\n李四", ["张三", "李四"]), ("Mallory <b>x</b>", ["Mallory <b>x</b>"]), ("张三、张三", ["张三"]),
    ("", []), (None, []),
])
def test_people_split(text, names):
    assert split_people(text) == names


def test_slug_is_ascii_only():
    assert slug("Poster draft (v2)") == "poster-draft-v2"
    assert slug("海报") == ""


# -- a messy XLSX --------------------------------------------------------------------------------

MESSY_HEADERS = ["任务名称", "任务描述", "所属模块", "主责任人 ", "协同责任人", "对接部门", "计划开始时间",
                 "计划结束时间", "实际开始时间", "实际结束时间", "计划进度（%）", "实际进度（%）", "进度偏差(%)",
                 "当前状态", "风险问题", "解决方案", "解决时限", "备注", "耗时统计", "Owner email"]


def messy_xlsx(path: Path) -> Path:
    title = ["综合营销推广方案执行进度跟踪表"] + [None] * 19
    rows = [
        title,
        [None] * 20,
        MESSY_HEADERS,
        # row 4: an Excel date cell, a serial number, 2024/3/1, "15%", numbered risks, a deadline
        # without a year ("3月7日前"), "-" where the second risk has no solution
        ["海报设计初稿", "完成3套主题海报设计", "内容营销", "*设计主管", "*设计专员A、*运营专员B", "市场部",
         datetime(2024, 3, 1), 45356, "2024/3/1", None, 20, "15%", -5, "进行中",
         "1. 素材需求变更，增加1套风格\n2. 预算超支", "与*市场经理确认最终风格\n-", "3月7日前", "交付物需同步存档",
         "3天", "design@example.com"],
        # row 5: a section heading merged across the table
        ["二、渠道推广"] + [None] * 19,
        # rows 6-7: the module merged down two rows; 2024.3.25, 2024年4月19日, 3月25日, an Excel
        # percentage cell (0.15 shown as 15%), a plain 0.5 in a column of fractions
        ["短视频投放", "在抖音、小红书投放10条短视频", "渠道推广", "*运营专员B", "*内容专员C", "市场部",
         "2024.3.25", "2024年4月19日", "3月25日", None, None, 0.15, None, "进行中", None, None, None, None, None, None],
        ["达人种草", None, None, "*运营专员B", "张三 李四", "市场部", "2024-03-18", "2024-04-12",
         "2024-03-18", "2024-04-12", None, 1, None, "已完成", None, None, None, None, None, None],
        [None] * 20,  # a blank row
        ["用户调研", None, "数据监测", "Alice Wang", None, None, "2024-04-08", "2024-04-19", None, None,
         None, 0.5, None, "已取消", None, None, None, "  延至下季度  ", None, None],
        ["门店陈列", None, "活动落地", "*设计主管", None, "销售部", "2024-04-01", "2024-04-19", None, None,
         None, None, None, "暂停", None, None, None, None, None, None],
    ]
    return xlsx(path, rows, merges=["A1:T1", "A5:T5", "C6:C7"], formats={"L6": "0%"})


def test_messy_xlsx(tmp_path):
    result = import_table(messy_xlsx(tmp_path / "tracking.xlsx"), output="spring.yaml", calendar="CN")
    data = data_of(result)
    assert result.notes == [
        "tracking.xlsx: 已忽略的列：S 耗时统计, T Owner email",
        "tracking.xlsx!A5: 已跳过分组标题行“二、渠道推广”",
    ]
    assert data["campaign"] == {"id": "spring", "name": "综合营销推广方案执行进度跟踪表", "start": "2024-03-01",
                                "end": "2024-04-19", "calendar": "CN", "locale": "zh-CN"}
    assert data["people"] == {"person-1": {"name": "设计主管"}, "person-2": {"name": "设计专员A"},
                              "person-3": {"name": "运营专员B"}, "person-4": {"name": "内容专员C"},
                              "person-5": {"name": "张三"}, "person-6": {"name": "李四"},
                              "alice-wang": {"name": "Alice Wang"}}
    assert data["tasks"] == [
        {"id": "task-1", "name": "海报设计初稿", "description": "完成3套主题海报设计", "module": "内容营销",
         "owner": "person-1", "collaborators": ["person-2", "person-3"], "department": "市场部",
         "planned": {"start": "2024-03-01", "end": "2024-03-05"}, "actual": {"start": "2024-03-01"},
         "progress": 15,
         "risks": [{"issue": "素材需求变更，增加1套风格", "solution": "与*市场经理确认最终风格", "due": "2024-03-07"},
                   {"issue": "预算超支"}],
         "notes": "交付物需同步存档"},
        {"id": "task-2", "name": "短视频投放", "description": "在抖音、小红书投放10条短视频", "module": "渠道推广",
         "owner": "person-3", "collaborators": ["person-4"], "department": "市场部",
         "planned": {"start": "2024-03-25", "end": "2024-04-19"}, "actual": {"start": "2024-03-25"},
         "progress": 15},
        # the module came from the merged cell; 1 in a fraction column is 100%, and with the
        # actual end set it is implied, so not stored
        {"id": "task-3", "name": "达人种草", "module": "渠道推广", "owner": "person-3",
         "collaborators": ["person-5", "person-6"], "department": "市场部",
         "planned": {"start": "2024-03-18", "end": "2024-04-12"},
         "actual": {"start": "2024-03-18", "end": "2024-04-12"}},
        {"id": "task-4", "name": "用户调研", "module": "数据监测", "owner": "alice-wang",
         "planned": {"start": "2024-04-08", "end": "2024-04-19"}, "progress": 50, "status": "cancelled",
         "notes": "延至下季度"},
        {"id": "task-5", "name": "门店陈列", "module": "活动落地", "owner": "person-1", "department": "销售部",
         "planned": {"start": "2024-04-01", "end": "2024-04-19"}, "status": "on_hold"},
    ]
    assert result.text.startswith(
        "# yaml-language-server: $schema=https://ptrack-campaigns.github.io/ptrack/schema/campaign-1.schema.json\n"
        "# 由 ptrack import 从 tracking.xlsx 导入。")


def test_generated_ids_are_stable_across_imports(tmp_path):
    path = messy_xlsx(tmp_path / "tracking.xlsx")
    first = import_table(path, output="a.yaml").text
    again = import_table(path, output="a.yaml").text
    assert first == again
    assert "person-1" in first and "task-5" in first


def test_two_level_header_and_english_locale(tmp_path):
    rows = [
        ["Task", "Owner", "Planned", None, "Actual", None, "Progress"],
        [None, None, "Start", "End", "Start", "End", None],
        ["Poster draft", "Alice", "2024-03-01", "2024-03-05", "2024-03-01", None, "40%"],
        ["Poster draft", "Bob", "2024-03-04", "2024-03-08", None, None, None],
    ]
    path = xlsx(tmp_path / "plan.xlsx", rows, merges=["C1:D1", "E1:F1", "A1:A2", "B1:B2", "G1:G2"])
    result = import_table(path, output="plan.yaml")
    data = data_of(result)
    assert data["campaign"]["locale"] == "en" and data["campaign"]["name"] == "plan"
    assert [(t["id"], t["owner"], t["planned"]) for t in data["tasks"]] == [
        ("poster-draft", "alice", {"start": "2024-03-01", "end": "2024-03-05"}),
        ("poster-draft-2", "bob", {"start": "2024-03-04", "end": "2024-03-08"}),
    ]
    assert data["tasks"][0]["progress"] == 40 and data["tasks"][0]["actual"] == {"start": "2024-03-01"}


# -- CSV -----------------------------------------------------------------------------------------

SEED_ROWS = [
    ["综合营销推广方案执行进度跟踪表"],
    EN_HEADERS[:18],
    ["Poster", "3 posters", "Content", "*Design lead", "*Designer A", "Marketing", "2024/3/1", "2024/3/5",
     "2024/3/1", "", "20", "15%", "-5", "in progress", "", "", "", "'=not a formula"],
    ["", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["Videos", "", "Channels", "*Ops B", "*Content C, *Designer A", "Marketing", "3月25日", "4月19日", "", "",
     "", "0", "", "", "Budget\nReview slow", "Ask the director", "2024-03-30\n2024-04-02", ""],
]


def test_csv_with_and_without_bom_and_in_gbk(tmp_path):
    texts = []
    for name, kwargs in (("bom.csv", {}), ("plain.csv", {"bom": False}),
                         ("gbk.csv", {"bom": False, "encoding": "gb18030"})):
        result = import_table(csv_file(tmp_path / name, SEED_ROWS, **kwargs), output="c.yaml")
        data = data_of(result)
        texts.append(result.text.split("\n", 2)[2])  # after the line naming the file
    assert texts[0] == texts[1] == texts[2]
    people = data["people"]
    assert people == {"design-lead": {"name": "Design lead"}, "designer-a": {"name": "Designer A"},
                      "ops-b": {"name": "Ops B"}, "content-c": {"name": "Content C"}}
    poster, videos = data["tasks"]
    assert poster["id"] == "poster" and poster["notes"] == "=not a formula"
    # no year in 3月25日: the year of the sheet's other dates
    assert videos["planned"] == {"start": "2024-03-25", "end": "2024-04-19"}
    assert videos["risks"] == [{"issue": "Budget", "solution": "Ask the director", "due": "2024-03-30"},
                               {"issue": "Review slow", "due": "2024-04-02"}]
    assert data["campaign"]["locale"] == "en"


def test_dates_without_a_year_take_the_year_option(tmp_path):
    rows = [EN_HEADERS[:8], ["A", "", "", "", "", "", "3月1日", "3月5日"]]
    path = csv_file(tmp_path / "t.csv", rows)
    assert import_table(path).problems == [
        't.csv!G2: "3月1日" has no year and no other date in the sheet has one; pass --year',
        't.csv!H2: "3月5日" has no year and no other date in the sheet has one; pass --year',
    ]
    data = data_of(import_table(path, year=2025))
    assert data["tasks"][0]["planned"] == {"start": "2025-03-01", "end": "2025-03-05"}


def test_the_seeds_own_sample_rows_are_reported(tmp_path):
    """The seed's template: a title row, its 18 headers and its two sample rows. The first says
    it ended on 2024-03-06 but is 15% done; the second was cut short (no dates)."""
    header = ["任务名称", "任务描述", "所属模块", "主责任人", "协同责任人", "对接部门", "计划开始时间", "计划结束时间",
              "实际开始时间", "实际结束时间", "计划进度(%)", "实际进度(%)", "进度偏差(%)", "当前状态", "风险问题",
              "解决方案", "解决时限", "备注"]
    rows = [["综合营销推广方案执行进度跟踪表"], header,
            ["海报设计初稿", "完成3套主题海报设计", "内容营销", "*设计主管", "*设计专员A", "市场部", "2024-03-01",
             "2024-03-05", "2024-03-01", "2024-03-06", "20", "15", "-5", "进行中", "素材需求变更,增加1套风格",
             "与*市场经理确认最终风格", "2024-03-07", "交付物需同步存档"],
            ["短视频投放", "在抖音、小红书投放10条短视频", "渠道推广", "*运营专员B", "*内容专员C"]]
    result = import_table(csv_file(tmp_path / "seed.csv", rows, bom=False), output="seed.yaml")
    assert result.text is None
    assert result.problems == [
        "seed.csv!L3: 实际进度 15 与实际结束时间 2024-03-06 矛盾（已结束的任务进度为 100%）；请清除其中一项",
        "seed.csv!G4: 计划开始时间为空；每个任务都必须填写",
        "seed.csv!H4: 计划结束时间为空；每个任务都必须填写",
    ]


# -- bad cells -----------------------------------------------------------------------------------

def test_every_bad_cell_is_reported_with_its_sheet_cell(tmp_path):
    def row(name, start="2024-03-01", end="2024-03-10", **cells):
        values = dict(zip(EN_HEADERS, [name, None, None, "Ann", None, None, start, end] + [None] * 11))
        values.update({k.replace("_", " "): v for k, v in cells.items()})
        return [values[h] for h in EN_HEADERS]

    rows = [
        ["Campaign tracking"],
        EN_HEADERS,
        row("ok", **{"Task ID": "ok"}),
        row("bad progress", **{"Actual progress (%)": "abc", "Task ID": "T 2"}),  # id "t-2": fine
        row("too much", **{"Actual progress (%)": 150}),
        row("two owners", **{"Owner": "Ann, Bob"}),
        row("bad date", end="2024-13-01"),
        row("backwards", start="2024-03-10", end="2024-03-01"),
        row("done but not", **{"Actual end": "2024-03-09", "Actual progress (%)": "50%"}),
        row("bad id", **{"Task ID": "任务一"}),
        row("dupe", **{"Task ID": "ok"}),
        row(None, **{"Notes": "a row without a task name"}),
        row("orphans", **{"Risk": "late\nslow", "Solution": "a\nb\nc", "Deadline": "2024-03-05\nnever"}),
        row("actual backwards", **{"Actual start": "2024-03-05", "Actual end": "2024/3/4"}),
    ]
    rows[-1].append(None)  # the last row is one cell longer: harmless
    path = xlsx(tmp_path / "tracking.xlsx", rows)
    result = import_table(path, output="out.yaml", locale="en")
    assert result.text is None
    assert result.problems == [
        'tracking.xlsx!L4: "abc" is not a percentage',
        'tracking.xlsx!L5: "150" is not between 0 and 100',
        'tracking.xlsx!D6: "Ann, Bob" names several people; a task has one main owner (put the others under '
        "Collaborators)",
        'tracking.xlsx!H7: "2024-13-01" is not a date',
        "tracking.xlsx!H8: the planned end 2024-03-01 is before the planned start 2024-03-10",
        "tracking.xlsx!L9: actual progress 50 contradicts Actual end 2024-03-09 (a finished task is 100%); "
        "clear one of them",
        'tracking.xlsx!S10: "任务一" is not a valid task id; use lowercase letters, digits and "-" (e.g. poster-draft)',
        'tracking.xlsx!S11: task id "ok" is used twice (first at tracking.xlsx!S3)',
        "tracking.xlsx!A12: Task is empty; every task needs one",
        "tracking.xlsx!P13: line 3 has no matching line in the Risk cell",
        'tracking.xlsx!Q13: "never" is not a date',
        "tracking.xlsx!J14: the actual end 2024-03-04 is before the actual start 2024-03-05",
    ]
    assert not (tmp_path / "out.yaml").exists()


def test_dependencies_by_id_or_by_name(tmp_path):
    def row(name, tid, deps):
        return [name, None, None, None, None, None, "2024-03-01", "2024-03-05"] + [None] * 10 + [tid, deps]

    rows = [EN_HEADERS + ["Depends on"], row("A", "T 2", None), row("B", None, "A, t-2"),
            row("C", None, "t-2 b")]
    data = data_of(import_table(csv_file(tmp_path / "t.csv", rows), output="t.yaml"))
    assert [(t["id"], t.get("depends_on")) for t in data["tasks"]] == [
        ("t-2", None), ("b", ["t-2"]), ("c", ["t-2", "b"])]
    rows.append(row("D", None, "nothing"))
    assert import_table(csv_file(tmp_path / "t.csv", rows), output="t.yaml").problems == [
        't.csv!T5: "nothing" is neither a task id nor a task name in this sheet']


def test_a_dependency_cycle_is_reported_at_the_row(tmp_path):
    rows = [EN_HEADERS + ["Depends on"],
            ["A", None, None, None, None, None, "2024-03-01", "2024-03-05"] + [None] * 10 + ["a", "b"],
            ["B", None, None, None, None, None, "2024-03-01", "2024-03-05"] + [None] * 10 + ["b", "A"]]
    result = import_table(csv_file(tmp_path / "t.csv", rows), output="t.yaml")
    assert result.problems == ["t.csv!T2: dependency cycle: a -> b -> a (each depends on the next)"]


def test_no_header_and_missing_columns(tmp_path):
    assert import_table(csv_file(tmp_path / "x.csv", [["a", "b"], ["1", "2"]])).problems == [
        "x.csv: no header row in the first 30 rows; expected columns such as 任务名称, 计划开始时间, 计划结束时间 "
        "(or Task, Planned start, Planned end)"]
    assert import_table(csv_file(tmp_path / "y.csv", [["Task", "Owner", "Planned start", "Notes"]])).problems == [
        "y.csv: the sheet has no Planned end column"]
    assert import_table(csv_file(tmp_path / "z.csv", [EN_HEADERS])).problems == [
        "z.csv: no task rows below the header (row 1)"]


def test_a_broken_workbook_is_a_problem_not_a_traceback(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (problem,) = import_table(tmp_path / "broken.xlsx").problems
    assert problem.startswith("broken.xlsx: not a readable Excel workbook")


# -- round trip ----------------------------------------------------------------------------------

AS_OF = date(2024, 9, 20)  # the date export.*.csv were written as of


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _exported_rows(result, as_of: date, locale: str) -> list[list[str]]:
    from ptrack.sheets.tabular import csv_text, safe_cell, tracking_rows

    doc = parse_yaml(result.text, "rt.yaml")
    snapshot = compute_snapshot(build_campaign(doc.data, "rt.yaml", doc.source), as_of=as_of)
    headers, rows = tracking_rows(snapshot, locale=locale)
    return [headers] + [[csv_text(safe_cell(v)) for v in row] for row in rows]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_export_fixture_round_trips(locale, tmp_path):
    """tests/fixtures/import/export.*.csv are exports of source.yaml; importing one and
    exporting the result gives the same rows, computed columns included."""
    fixture = FIXTURES / f"export.{locale}.csv"
    if os.environ.get("PTRACK_UPDATE_GOLDEN") == "1":
        from ptrack.sheets.tabular import csv_bytes

        source = load_campaign(FIXTURES / "source.yaml").campaign
        fixture.write_bytes(csv_bytes(compute_snapshot(source, as_of=AS_OF), locale=locale))
    result = import_table(fixture, output="autumn-2024.yaml", calendar="CN")
    data = data_of(result)
    assert _exported_rows(result, AS_OF, locale) == _csv_rows(fixture.read_bytes())
    tasks = tasks_by_id(data)
    assert tasks["poster"]["risks"] == [{"issue": "素材需求变更，增加1套风格", "solution": "与市场经理确认最终风格",
                                         "due": "2024-09-05", "resolved": "2024-09-04"}]
    assert tasks["videos"]["risks"][1] == {"issue": "+20% 投放预算待审批"}
    assert tasks["videos"]["notes"] == "=SUM 不是公式\n第二行备注"
    assert tasks["videos"]["progress"] == 46.7 and tasks["report"]["depends_on"] == ["videos", "expo"]
    assert tasks["expo"]["status"] == "on_hold" and tasks["research"]["status"] == "cancelled"
    # the Kind column: the timebox comes back as one (written after the name); work stays unwritten
    assert list(tasks["videos"])[:4] == ["id", "name", "kind", "module"] and tasks["videos"]["kind"] == "timebox"
    assert "kind" not in tasks["poster"]


def test_the_kind_column_takes_ids_and_labels_in_every_language(tmp_path):
    rows = [["Task", "Planned start", "Planned end", "任务类型"],
            ["A", "2024-03-01", "2024-03-10", "时间盒"], ["B", "2024-03-01", "2024-03-10", "Event"],
            ["C", "2024-03-01", "2024-03-10", "timebox"], ["D", "2024-03-01", "2024-03-10", "固定日期活動"],
            ["E", "2024-03-01", "2024-03-10", "交付型"], ["F", "2024-03-01", "2024-03-10", ""]]
    data = data_of(import_table(csv_file(tmp_path / "k.csv", rows)))
    assert [t.get("kind") for t in data["tasks"]] == ["timebox", "event", "timebox", "event", None, None]
    rows[1][3] = "投放"
    assert import_table(csv_file(tmp_path / "bad.csv", rows)).problems == [
        'bad.csv!D2: "投放" is not a kind of task; write work (交付型), timebox (时间盒) or event (固定日期活动)']


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_real_round_trip_of_the_example(fmt, locale, tmp_path):
    """export (ptrack.sheets.tabular) -> import -> export gives the same rows for the example."""
    from ptrack.sheets.tabular import tracking_rows, write_csv, write_xlsx

    as_of = date(2024, 4, 15)
    snapshot = compute_snapshot(load_campaign(EXAMPLE).campaign, as_of=as_of)
    path = tmp_path / f"tracking.{fmt}"
    (write_csv if fmt == "csv" else write_xlsx)(snapshot, path, locale=locale)
    result = import_table(path, output="spring-launch-2024.yaml", calendar="CN")
    data_of(result)
    doc = parse_yaml(result.text, "rt.yaml")
    again = compute_snapshot(build_campaign(doc.data, "rt.yaml", doc.source), as_of=as_of)
    assert tracking_rows(again, locale=locale) == tracking_rows(snapshot, locale=locale)
    # the kinds came back: the example's timeboxes and its trade fair (an event)
    assert [t.kind for t in again.campaign.tasks] == [t.kind for t in snapshot.campaign.tasks]
    assert {t.kind for t in again.campaign.tasks} == {"work", "timebox", "event"}
    # and the files themselves
    path2 = tmp_path / f"again.{fmt}"
    (write_csv if fmt == "csv" else write_xlsx)(again, path2, locale=locale)
    if fmt == "csv":
        assert path2.read_bytes() == path.read_bytes()


def test_a_workbook_with_several_sheets_names_the_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表用于跟踪推广进度"])
    ws = wb.create_sheet("进度表")
    ws.append(["Task", "Planned start", "Planned end"])
    ws.append(["A", "2024-03-01", "2024-13-01"])
    wb.save(tmp_path / "multi.xlsx")
    assert import_table(tmp_path / "multi.xlsx").problems == ['multi.xlsx!进度表!C2: "2024-13-01" is not a date']
