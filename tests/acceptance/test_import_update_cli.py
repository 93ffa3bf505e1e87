"""``ptrack import`` and ``ptrack update`` through the command line (in process, see ``run_cli``):
exit codes 0/1/2, exact messages, nothing written on error, the result passes ``ptrack validate``."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "campaign.yaml"
FIXTURES = ROOT / "tests" / "fixtures" / "import"

HEADERS = ["任务名称", "主责任人", "协同责任人", "计划开始时间", "计划结束时间", "实际开始时间", "实际进度(%)",
           "风险问题", "解决方案", "解决时限", "备注"]


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """An empty git repository as the current folder (no ptrack.yaml above it)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def sheet(path: Path, rows) -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows([HEADERS] + rows)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return path


GOOD = [["海报设计", "*设计主管", "*设计专员A", "2024/3/1", "2024/3/5", "2024/3/1", "40%", "素材延迟", "加班", "3月4日", ""],
        ["短视频投放", "*运营专员B", "", "2024-03-04", "2024-03-29", "", "", "", "", "", "首批10条"]]


# -- import --------------------------------------------------------------------------------------

def test_import_writes_a_valid_campaign(run_cli, repo):
    sheet(repo / "tracking.csv", GOOD)
    code, out, err = run_cli("import", "tracking.csv", "-o", "campaigns/spring.yaml", "--calendar", "CN",
                             "--name", "春季推广")
    assert (code, out, err) == (0, "已写入 campaigns/spring.yaml：2 个任务，3 位人员，2024-03-01 至 2024-03-29\n", "")
    text = (repo / "campaigns" / "spring.yaml").read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=https://ptrack-campaigns.github.io/ptrack/schema/campaign-1.schema.json\n")
    assert "  id: spring\n  name: 春季推广\n" in text
    assert run_cli("validate", "campaigns/spring.yaml") == (0, "", "1 个活动文件均有效\n")
    assert sorted(p.name for p in (repo / "campaigns").iterdir()) == ["spring.yaml"]  # no temp file left


def test_import_notes_go_to_stderr(run_cli, repo):
    sheet(repo / "tracking.csv", GOOD)
    code, out, err = run_cli("import", "tracking.csv", "-o", "c.yaml", "--lang", "en")
    assert code == 0 and out == "wrote c.yaml: 2 tasks, 3 people, 2024-03-01..2024-03-29\n"
    assert err == ("calendar: weekends (Monday to Friday); pass --calendar CN for Chinese public holidays and "
                   "make-up working days\n")
    assert "  locale: en\n" in (repo / "c.yaml").read_text("utf-8")


def test_bad_cells_exit_1_and_nothing_is_written(run_cli, repo):
    rows = [r[:] for r in GOOD]
    rows[0][4] = "2024-13-01"
    rows[1][6] = "abc"
    sheet(repo / "tracking.csv", rows)
    code, out, err = run_cli("import", "tracking.csv", "-o", "c.yaml", "--lang", "en", "--calendar", "CN")
    assert code == 1 and out == ""
    assert err == ('tracking.csv!E2: "2024-13-01" is not a date\n'
                   'tracking.csv!G3: "abc" is not a percentage\n'
                   "2 problems in tracking.csv; nothing written\n")
    assert not (repo / "c.yaml").exists()


def test_an_existing_output_needs_force(run_cli, repo):
    sheet(repo / "tracking.csv", GOOD)
    (repo / "c.yaml").write_text("keep me\n", encoding="utf-8")
    assert run_cli("import", "tracking.csv", "-o", "c.yaml") == (
        2, "", "ptrack：错误：c.yaml 已经存在；加上 --force 可以覆盖它\n")  # no campaign, no ptrack.yaml: zh-CN
    assert run_cli("import", "tracking.csv", "-o", "c.yaml", "--lang", "en") == (
        2, "", "ptrack: error: c.yaml exists; pass --force to overwrite it\n")
    assert (repo / "c.yaml").read_text("utf-8") == "keep me\n"
    code, _, _ = run_cli("import", "tracking.csv", "-o", "c.yaml", "--force")
    assert code == 0 and (repo / "c.yaml").read_text("utf-8").startswith("# yaml-language-server")


@pytest.mark.parametrize("args, message", [
    (["import", "missing.csv", "-o", "c.yaml"], "ptrack：错误：missing.csv：文件不存在\n"),
    (["import", "missing.csv", "-o", "c.yaml", "--lang", "en"], "ptrack: error: missing.csv: no such file\n"),
    (["import", "old.xls", "-o", "c.yaml", "--lang", "en"],
     "ptrack: error: old.xls: the old .xls format is not supported; save it as .xlsx or CSV UTF-8\n"),
    (["import", "tracking.csv", "-o", "c.yaml", "--calendar", "XX"], None),
    (["import", "tracking.csv", "-o", "c.yaml", "--id", "Spring 2024", "--lang", "en"],
     "ptrack: error: --id: \"Spring 2024\" is not a valid id; use lowercase letters, digits and '-' "
     "(e.g. spring-launch-2024)\n"),
    (["import", "tracking.csv"], None),  # -o is required
    (["import", "tracking.csv", "-o", "c.yaml", "--bogus"], None),
])
def test_import_usage_errors_exit_2(run_cli, repo, args, message):
    sheet(repo / "tracking.csv", GOOD)
    (repo / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    code, out, err = run_cli(*args)
    assert code == 2 and out == ""
    if message is not None:
        assert err == message
    assert not (repo / "c.yaml").exists()


def test_import_of_an_export_round_trips(run_cli, repo, monkeypatch):
    """ptrack export -> ptrack import -> ptrack export gives the same file."""
    monkeypatch.setenv("PTRACK_AS_OF", "2024-04-15")
    assert run_cli("export", EXAMPLE, "--format", "csv", "-o", "a.csv")[0] == 0
    assert run_cli("import", "a.csv", "-o", "spring.yaml", "--calendar", "CN")[0] == 0
    assert run_cli("export", "spring.yaml", "--format", "csv", "-o", "b.csv")[0] == 0
    assert (repo / "b.csv").read_bytes() == (repo / "a.csv").read_bytes()


def _planned(run_cli, path, day: str) -> dict[str, float]:
    code, out, err = run_cli("status", path, "--as-of", day, "--format", "json")
    assert code in (0, 1), err  # 1: the example has overdue risks; the numbers are what matter here
    (campaign,) = json.loads(out)["campaigns"]
    return {t["id"]: t["planned_progress"] for t in campaign["tasks"]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_default_round_trip_keeps_the_planned_progress_of_a_cn_calendar(run_cli, repo, fmt, lang):
    """export -> import with default options -> status: the same planned progress for every task.
    The export carries the campaign's calendar (工作日历 / Calendar column), so the import does
    not fall back to weekends.

    store-launch is planned 2024-04-01..04-19. On the CN calendar, 4-6 April are the Qingming
    holidays and Sunday 7 April is a make-up working day: working days 1-3, 7, 8-12, 15-19 = 14,
    of which 1-3, 7, 8-12, 15 = 10 by the end of 15 April: 100 x 10 / 14 = 71.4. On weekends it
    would be Mon-Fri 1-5, 8-12, 15-19 = 15, of which 11 by 15 April: 100 x 11 / 15 = 73.3."""
    day = "2024-04-15"
    original = _planned(run_cli, EXAMPLE, day)
    assert original["store-launch"] == 71.4
    code, _, err = run_cli("export", EXAMPLE, "--format", fmt, "--lang", lang, "--as-of", day, "-o", f"t.{fmt}")
    assert code == 0, err
    code, _, err = run_cli("import", f"t.{fmt}", "-o", "spring.yaml")
    assert code == 0, err
    assert err == ""  # no "calendar: weekends" note: the sheet said CN
    assert "  calendar: CN\n" in (repo / "spring.yaml").read_text("utf-8")
    assert _planned(run_cli, "spring.yaml", day) == original
    # what the default import gave before the export carried the calendar
    code, _, err = run_cli("import", f"t.{fmt}", "-o", "weekends.yaml", "--calendar", "weekends")
    assert code == 0
    assert err == ('日历：weekends（--calendar），而非表格中的 "CN"\n' if lang == "zh-CN"
                   else 'calendar: weekends (--calendar), not the sheet\'s "CN"\n')
    assert _planned(run_cli, "weekends.yaml", day)["store-launch"] == 73.3


def test_a_sheet_without_the_calendar_column_still_imports_on_weekends(run_cli, repo):
    """The seed's own 18-column table has no calendar: weekends, and the note saying how to choose."""
    sheet(repo / "tracking.csv", GOOD)
    code, _, err = run_cli("import", "tracking.csv", "-o", "c.yaml")
    assert code == 0 and err.startswith("日历：weekends（周一至周五）")
    assert "  calendar: weekends\n" in (repo / "c.yaml").read_text("utf-8")


def _with_calendars(path: Path, calendars: list[str]) -> Path:
    rows = [r[:] + [cal] for r, cal in zip(GOOD, calendars)]
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows([HEADERS + ["工作日历"]] + rows)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return path


def test_the_calendar_column_must_name_one_calendar(run_cli, repo):
    _with_calendars(repo / "tracking.csv", ["CN", "weekends"])
    code, out, err = run_cli("import", "tracking.csv", "-o", "c.yaml", "--lang", "en")
    assert (code, out) == (1, "")
    assert err == ('tracking.csv!L3: calendar "weekends" differs from "CN" in tracking.csv!L2: a campaign has one '
                   "working calendar\n1 problem in tracking.csv; nothing written\n")
    _with_calendars(repo / "tracking.csv", ["XX", ""])
    code, out, err = run_cli("import", "tracking.csv", "-o", "c.yaml", "--lang", "en")
    assert code == 1 and err.startswith('tracking.csv!L2: "XX" is not a calendar: use none, weekends or a country '
                                        "code such as CN\n")
    assert not (repo / "c.yaml").exists()


# -- update --------------------------------------------------------------------------------------

@pytest.fixture
def campaign(repo):
    path = repo / "c.yaml"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


def test_update_a_task(run_cli, campaign, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", "2024-04-16")
    code, out, err = run_cli("update", "c.yaml", "kol-seeding", "--done", "17", "--resolve-risk", "1",
                             "--note", "备选达人已签约", "--lang", "en")
    assert (code, err) == (0, "")
    assert out == ("c.yaml: task kol-seeding: quantity.done 15 -> 17, risks[1].resolved false -> 2024-04-16, "
                   "note added\n")
    assert run_cli("validate", "c.yaml")[0] == 0
    # without --lang: the campaign's language (the example is zh-CN)
    assert run_cli("update", "c.yaml", "kol-seeding", "--done", "18") == (
        0, "c.yaml：任务 kol-seeding：quantity.done 17 → 18\n", "")


def test_update_a_goal(run_cli, campaign):
    assert run_cli("update", "c.yaml", "--goal", "sales", "--value", "61,000", "--date", "2024-04-21",
                   "--lang", "en") == (0, "c.yaml: goal sales: measurement 2024-04-21: 61000 (added)\n", "")
    assert "      - {date: 2024-04-21, value: 61000}\n" in campaign.read_text("utf-8")


def test_update_start_and_end_accept_today(run_cli, campaign, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", "2024-04-22")
    assert run_cli("update", "c.yaml", "may-day-promo", "--start", "today")[1] == (
        "c.yaml：任务 may-day-promo：actual.start 2024-04-22\n")


def test_a_refused_update_exits_1_and_leaves_the_file(run_cli, repo):
    path = repo / "c.yaml"
    path.write_text("ptrack: 1\n"
                    "campaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31}\n"
                    "tasks:\n"
                    "  - id: a  # done\n"
                    "    name: A\n"
                    "    planned: {start: 2024-03-01, end: 2024-03-05}\n"
                    "    actual: {start: 2024-03-01, end: 2024-03-05}\n", encoding="utf-8")
    before = path.read_bytes()
    code, out, err = run_cli("update", "c.yaml", "a", "--progress", "30", "--lang", "en")
    assert (code, out) == (1, "")
    assert err == ('c.yaml:8:15: error [progress-inconsistent] task "a": actual.end is set, so the '
                   "task is done, but progress is 30; set progress to 100 or remove actual.end\n"
                   "ptrack: c.yaml not updated: the edit would make the file invalid\n")
    assert path.read_bytes() == before


def test_an_unknown_task_exits_1_with_a_suggestion(run_cli, campaign):
    before = campaign.read_bytes()
    assert run_cli("update", "c.yaml", "poster-drafts", "--progress", "50", "--lang", "en") == (
        1, "", 'ptrack: error: c.yaml: no task "poster-drafts" (did you mean "poster-draft"?)\n')
    assert run_cli("update", "c.yaml", "--goal", "sale", "--value", "1", "--lang", "en")[2] == (
        'ptrack: error: c.yaml: no goal "sale" (did you mean "sales"?)\n')
    assert run_cli("update", "c.yaml", "poster-drafts", "--progress", "50") == (
        1, "", "ptrack：错误：c.yaml：没有任务“poster-drafts”（是否指“poster-draft”？）\n")
    assert campaign.read_bytes() == before


def test_an_invalid_file_is_not_updated(run_cli, repo):
    (repo / "c.yaml").write_text("ptrack: 1\nptrack: 1\n", encoding="utf-8")
    code, out, err = run_cli("update", "c.yaml", "a", "--progress", "5", "--lang", "en")
    assert (code, out) == (1, "")
    assert err.endswith("ptrack: c.yaml not updated: the file has errors; fix them first\n")


@pytest.mark.parametrize("args, message", [
    (["update", "missing.yaml", "a", "--progress", "5", "--lang", "en"], "ptrack: error: missing.yaml: no such file\n"),
    (["update", "c.yaml", "a", "--lang", "en"], "ptrack: error: nothing to update: give --progress, --start, --end, "
                                                "--done, --resolve-risk or --note\n"),
    (["update", "c.yaml", "--lang", "en"],
     "ptrack: error: give a TASK_ID (or --resolve-risk REF, --milestone ID, --goal ID --value V)\n"),
    (["update", "c.yaml", "a", "--goal", "sales", "--value", "1", "--lang", "en"],
     "ptrack: error: --goal records a measurement; give either TASK_ID and task options or --goal\n"),
    (["update", "c.yaml", "--goal", "sales", "--lang", "en"], "ptrack: error: --goal needs --value V\n"),
    (["update", "c.yaml", "a", "--value", "3", "--lang", "en"], "ptrack: error: --value goes with --goal ID\n"),
    (["update", "c.yaml", "--goal", "sales", "--value", "lots", "--lang", "en"],
     'ptrack: error: --value: "lots" is not a number\n'),
    (["update", "c.yaml", "a", "--start", "2024-02-30", "--lang", "en"],
     'ptrack: error: --start: "2024-02-30" is not a date; write YYYY-MM-DD\n'),
    # without --lang: the campaign's language (the example is zh-CN), with the fix for "60%"
    (["update", "c.yaml", "--goal", "sales", "--value", "60%"], "ptrack：错误：--value：“60%”不是数字；写成 60，不带 % 号\n"),
    (["update", "c.yaml", "a", "--start", "2024/10/1"],
     "ptrack：错误：--start：“2024/10/1”不是日期；日期要写成 YYYY-MM-DD，即 2024-10-01\n"),
    (["update", "c.yaml", "a", "--progress", "120"], None),
    (["update", "c.yaml", "a", "--bogus"], None),
])
def test_update_usage_errors_exit_2(run_cli, campaign, args, message):
    before = campaign.read_bytes()
    code, out, err = run_cli(*args)
    assert code == 2 and out == ""
    if message is not None:
        assert err == message
    assert campaign.read_bytes() == before


def test_an_interrupted_write_leaves_the_original(run_cli, campaign, monkeypatch):
    before = campaign.read_bytes()

    def broken(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", broken)
    assert run_cli("update", "c.yaml", "ecom-promo", "--progress", "40", "--lang", "en") == (
        2, "", "ptrack: error: c.yaml: cannot write: input/output error (a disk or network problem)\n")
    assert campaign.read_bytes() == before
    assert sorted(p.name for p in campaign.parent.iterdir() if not p.name.startswith(".git")) == ["c.yaml"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_as_of_a_past_day_imports(run_cli, repo, fmt):
    """The sheet of a past day is what the team saw that day: it imports back (exit 0) and
    validates, with nothing recorded after that day. The example's key-messages ran 3/1-3/5 and
    finished on 3/5; as of Sunday 3/3 it has started and not finished (before issue 15 the sheet
    held its actual end 3/5 beside a progress below 100, and the import refused it)."""
    code, _, err = run_cli("export", EXAMPLE, "--format", fmt, "-o", f"a.{fmt}", "--as-of", "2024-03-03")
    assert code == 0, err
    code, out, err = run_cli("import", f"a.{fmt}", "-o", "past.yaml", "--calendar", "CN")
    assert code == 0, err
    assert out == "已写入 past.yaml：27 个任务，10 位人员，2024-03-01 至 2024-05-31\n"
    assert run_cli("validate", "past.yaml")[0] == 0
    text = (repo / "past.yaml").read_text("utf-8")
    actual_lines = [line for line in text.splitlines() if line.strip().startswith("actual:")]
    # two tasks had started by 3/3 (key-messages and poster-draft, both on 3/1); none had ended
    assert actual_lines == ["    actual: {start: 2024-03-01}"] * 2
