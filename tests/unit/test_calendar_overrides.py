"""``campaign.calendar_overrides`` (a campaign's own days off and working days) and the
``calendar-estimated`` notice (a country calendar after the holidays package's last published
schedule).

The calendar facts these tests count on (CN, holidays 0.109; test_the_2027_estimate checks them):
China's published schedules (放假安排 with 调休) end with 2026, so 2027 is the package's estimate:
Spring Festival's statutory days, Friday 2/5 (the eve) .. Monday 2/8, and Tuesday 2/9 and
Wednesday 2/10 "observed" (in lieu of the weekend), no make-up working day. February 2027 starts
on a Monday:

    Mon  1  2  3  4  5*    (* off in the estimate: 2/5, 2/8, 2/9, 2/10)
    Mon  8* 9* 10* 11 12
    Mon 15 16 17 18 19  Sat 20
    Mon 22 23 24 25 26

The plan these tests write instead (as a team would once the schedule is published; the days
are this test's, not the State Council's): days off 2/5..2/11 (Friday to Thursday) and Saturday
2/20 a make-up working day.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from datetime import date
from pathlib import Path

from ptrack.core.calendars import (NO_OVERRIDES, CalendarOverrides, WorkCalendar, get_calendar,
                                   published_until)
from ptrack.core.compute import compute_snapshot
from ptrack.core.replan import plan_replan
from ptrack.core.rules import run_rules
from tests.helpers import campaign_from_yaml

D = date.fromisoformat
ROOT = Path(__file__).resolve().parents[2]

OVERRIDES = """\
  calendar_overrides:
    days_off:
      - {start: 2027-02-05, end: 2027-02-11, name: 春节}
    working_days:
      - {date: 2027-02-20, name: 春节调休}
"""

PLAN = """\
ptrack: 1
campaign:
  id: cny-2027
  name: 2027 春节营销
  start: 2027-02-01
  end: 2027-02-26
  calendar: CN
  locale: en
{overrides}tasks:
  - id: push
    name: 春节主推
    planned: {{start: 2027-02-01, end: 2027-02-26}}
"""

NOTICE = ("calendar CN: the working days of 2027 are an estimate; holidays 0.109 has the published "
          "holiday schedule (public holidays with their make-up working days) up to 2026 only. Once the "
          "schedule for 2027 is published, write it under campaign.calendar_overrides (days_off, "
          "working_days), or upgrade holidays (pip install -U holidays)")
NOTICE_ZH = ("工作日历 CN：2027 年的工作日是估算的，holidays 0.109 只收录到 2026 年的官方放假安排（含调休上班日）。"
             "2027 年的放假安排公布后，请写入 campaign.calendar_overrides（days_off 放假、working_days 调休上班），"
             "或升级 holidays（pip install -U holidays）")


def plan(overrides: str = OVERRIDES):
    return campaign_from_yaml(PLAN.format(overrides=overrides))


def feb(*days: int) -> list[date]:
    return [date(2027, 2, d) for d in days]


def test_the_2027_estimate():
    cn = get_calendar("CN")
    working = [d for d in feb(*range(1, 27)) if cn.is_working_day(d)]
    assert working == feb(1, 2, 3, 4, 11, 12, 15, 16, 17, 18, 19, 22, 23, 24, 25, 26)
    # the package's last published year is read from its own data (ChinaStaticHolidays), not written here
    from holidays.countries.china import ChinaStaticHolidays

    assert published_until("CN") == max(ChinaStaticHolidays.special_public_holidays) == 2026


def test_overrides_on_top_of_the_calendar():
    c = plan()
    cal = c.work_calendar
    # weekdays 20 - 2/5, 2/8, 2/9, 2/10, 2/11 (the written days off) + Saturday 2/20 = 16
    assert [d for d in feb(*range(1, 27)) if cal.is_working_day(d)] == feb(
        1, 2, 3, 4, 12, 15, 16, 17, 18, 19, 20, 22, 23, 24, 25, 26)
    assert cal.count(D("2027-02-01"), D("2027-02-26")) == 16
    # one calendar per (code, overrides), shared by every campaign that writes the same days
    assert cal is plan().work_calendar is get_calendar("CN", c.calendar_overrides)
    assert cal is not get_calendar("CN")
    assert c.calendar_overrides == CalendarOverrides(frozenset(feb(5, 6, 7, 8, 9, 10, 11)), frozenset(feb(20)))
    assert plan("").calendar_overrides is NO_OVERRIDES and plan("").work_calendar is get_calendar("CN")
    # on any calendar: every day but the days off (none); Monday to Friday and the Saturday (weekends)
    ov = c.calendar_overrides
    assert WorkCalendar("none", ov).count(D("2027-02-01"), D("2027-02-28")) == 28 - 7
    assert WorkCalendar("weekends", ov).count(D("2027-02-01"), D("2027-02-28")) == 20 - 5 + 1
    # O(1) questions still work across years (the table extends, the overrides stay applied)
    assert WorkCalendar("weekends", ov).nth_working_day(D("2027-02-04"), 2) == D("2027-02-12")


def test_planned_progress_with_and_without_the_overrides():
    as_of = D("2027-02-15")
    # with the overrides: 16 working days (above); by Monday 2/15: 2/1 2/2 2/3 2/4 2/12 2/15 = 6;
    # 100 x 6/16 = 37.5
    [task] = compute_snapshot(plan(), as_of=as_of).tasks
    assert task.planned_progress == 37.5
    # the estimate: 16 working days too (2/5 2/8 2/9 2/10 off, 2/11 working, no make-up Saturday);
    # by 2/15: 2/1 2/2 2/3 2/4 2/11 2/12 2/15 = 7; 100 x 7/16 = 43.75 -> 43.8
    [task] = compute_snapshot(plan(""), as_of=as_of).tasks
    assert task.planned_progress == 43.8
    # as of the make-up Saturday 2/20: 2/16..2/20 add 5 -> 11/16 = 68.75 -> 68.8 (the estimate: 2/16..2/19 -> 11/16)
    assert compute_snapshot(plan(), as_of=D("2027-02-20")).tasks[0].planned_progress == 68.8
    assert compute_snapshot(plan(), as_of=D("2027-02-19")).tasks[0].planned_progress == 62.5  # 10/16


def _estimated(campaign, locale: str = "en") -> list[str]:
    snapshot = compute_snapshot(campaign, as_of=campaign.start)
    return [d.format_text() for d in run_rules(snapshot, locale, only={"calendar-estimated"})]


def test_the_notice_appears_and_goes_away():
    # no overrides in 2027: the notice, at campaign.calendar, in the campaign's language (or the command's)
    assert _estimated(plan("")) == [f"c.yaml:7:13: notice [calendar-estimated] {NOTICE}"]
    assert _estimated(plan(""), "zh-CN") == [f"c.yaml:7:13: 提示 [calendar-estimated] {NOTICE_ZH}"]
    # anything of the campaign's own in 2027: the schedule has been written
    assert _estimated(plan()) == []
    assert _estimated(plan("  calendar_overrides: {working_days: [2027-09-26]}\n")) == []
    # overrides of another year do not count
    assert [d.split("] ")[0] for d in _estimated(plan("  calendar_overrides: {days_off: [2026-12-31]}\n"))] == [
        "c.yaml:7:13: notice [calendar-estimated"]
    # a 2026 campaign: published; one task of it in 2027 is not
    in_2026 = PLAN.format(overrides="").replace("2027-02-26", "2026-12-31").replace("2027-02-01", "2026-12-01")
    assert _estimated(campaign_from_yaml(in_2026)) == []
    late = in_2026 + "  - {id: late, name: Late, planned: {start: 2026-12-28, end: 2027-01-05}}\n"
    assert [d.split("] ")[1] for d in _estimated(campaign_from_yaml(late))] == [NOTICE]
    # a calendar without published schedules has nothing to say; the rule can be switched off
    assert _estimated(dataclasses.replace(plan(""), calendar="US")) == []
    off = PLAN.format(overrides="") + "policy: {rules: {calendar-estimated: off}}\n"
    assert _estimated(campaign_from_yaml(off)) == []


def test_published_until_reads_the_package():
    assert published_until("CN") == 2026
    assert published_until("TW") == 2025  # Taiwan's 行政院 schedules (補班) up to 2025 in 0.109
    # rule-based calendars, and one whose static data has no make-up days lately (Bulgaria's last in 2016)
    assert [published_until(code) for code in ("US", "DE", "BG", "weekends", "none")] == [None] * 5


def test_the_cascade_honours_the_overrides():
    text = """\
    ptrack: 1
    campaign:
      id: spring
      name: Spring
      start: 2027-03-01
      end: 2027-03-31
      calendar: CN
      locale: en
    {overrides}tasks:
      - {{id: a, name: A, planned: {{start: 2027-03-01, end: 2027-03-05}}}}
      - {{id: b, name: B, planned: {{start: 2027-03-08, end: 2027-03-10}}, depends_on: [a]}}
    """
    own = "  calendar_overrides: {days_off: [{date: 2027-03-11, name: 公司年会}]}\n"

    def moves(overrides: str) -> list[tuple]:
        c = campaign_from_yaml(textwrap.dedent(text).format(overrides=overrides))
        p = plan_replan(c, "a", end=D("2027-03-09"), as_of=D("2027-03-01"), cascade=True)
        return [(m.task, m.new_start.isoformat(), m.new_end.isoformat(), m.days) for m in p.moves]

    # a ends Tuesday 3/9 instead of Friday 3/5 (+2: 3/8, 3/9); b starts 3/10 and keeps its 3 working
    # days: 3/10, (3/11 the company's day off), 3/12, 3/15 -> its end moves 3/10 -> 3/15, 2 working
    # days later (3/12, 3/15)
    assert moves(own) == [("b", "2027-03-10", "2027-03-15", 2)]
    # without it: 3/10, 3/11, 3/12 -> +2 working days
    assert moves("") == [("b", "2027-03-10", "2027-03-12", 2)]


def test_the_gantt_shades_an_override_day_off():
    from ptrack.render.gantt import gantt_model
    from ptrack.render.gantt_html import _non_working_runs, gantt_layout, render_gantt_section

    snapshot = compute_snapshot(plan(), as_of=D("2027-02-15"))
    lay = gantt_layout(snapshot, gantt_model(snapshot, "en"), "en")
    runs = {(lay.x_start.toordinal() + first, n) for first, n in _non_working_runs(snapshot, lay)}
    days_off = {date.fromordinal(first + k) for first, n in runs for k in range(n)}
    # 2/5..2/11 is one run of seven days off (a Friday to a Thursday); Saturday 2/20 is not shaded, its Sunday is
    assert set(feb(5, 6, 7, 8, 9, 10, 11)) <= days_off
    assert (D("2027-02-05").toordinal(), 7) in runs
    assert D("2027-02-20") not in days_off and D("2027-02-21") in days_off
    # the estimate shades 2/5..2/10 and leaves the Thursday 2/11 a working day
    plain = compute_snapshot(plan(""), as_of=D("2027-02-15"))
    plain_runs = {(lay.x_start.toordinal() + f, n) for f, n in _non_working_runs(plain, lay)}
    assert (D("2027-02-05").toordinal(), 6) in plain_runs
    # and the section draws those runs
    html = render_gantt_section(snapshot, gantt_model(snapshot, "en"), "en")
    x = (D("2027-02-05") - lay.x_start).days * lay.ppd
    assert re.search(rf'<rect class="gx-off" x="{x}" y="0" width="{7 * lay.ppd}"', html)


CLONE_SOURCE = """\
ptrack: 1
campaign:
  id: spring-2026
  name: 2026 春季上新
  start: 2026-03-02
  end: 2026-03-31
  calendar: CN
  locale: {locale}
  calendar_overrides:
    days_off:
      - {{date: 2026-03-04, name: 公司年会}}
tasks:
  - {{id: kv, name: 主视觉, planned: {{start: 2026-03-02, end: 2026-03-06}}}}
"""


def test_clone_into_an_estimated_year(run_cli, write, tmp_path):
    source = write("spring-2026.yaml", CLONE_SOURCE.format(locale="en"))
    code, out, err = run_cli("clone", source, "-o", tmp_path / "spring-2027.yaml", "--to", "2027-03-01")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    # kv's end: 3/6/2026 is 3 working days after the anchor 3/2 on the source's calendar with its own
    # day off (3/3, 3/5, 3/6; 3/4 the company's), so 3 working days after Monday 3/1/2027: 3/2, 3/3, 3/4
    assert any(re.search(r"kv .*planned\.end +2026-03-06 +2027-03-04 +T\+3 working days", line) for line in lines)
    # 2026's day off stays in the source; the new file has no overrides, so 2027 is an estimate
    assert "Cleared: 1 calendar change of another year (calendar_overrides; that year's schedule stays in " \
           "the source)" in lines
    new = (tmp_path / "spring-2027.yaml").read_text(encoding="utf-8")
    assert "calendar_overrides" not in new and "公司年会" not in new
    assert lines[-1] == f"{tmp_path / 'spring-2027.yaml'}:7:13: notice [calendar-estimated] {NOTICE}"
    # in the command's language
    code, out, _ = run_cli("clone", source, "-o", tmp_path / "b.yaml", "--to", "2027-03-01", "--lang", "zh-CN",
                           "--dry-run")
    assert code == 0 and out.splitlines()[-1] == f"{tmp_path / 'b.yaml'}:7:13: 提示 [calendar-estimated] {NOTICE_ZH}"


def test_clone_keeps_the_new_years_overrides(run_cli, write, tmp_path):
    text = CLONE_SOURCE.format(locale="en").replace(
        "      - {date: 2026-03-04, name: 公司年会}\n",
        "      - {date: 2026-03-04, name: 公司年会}\n      - {date: 2027-03-03, name: 公司年会}\n")
    source = write("spring-2026.yaml", text)
    code, out, _ = run_cli("clone", source, "-o", tmp_path / "spring-2027.yaml", "--to", "2027-03-01")
    assert code == 0
    new = (tmp_path / "spring-2027.yaml").read_text(encoding="utf-8")
    assert "  calendar_overrides:\n    days_off:\n      - {date: 2027-03-03, name: 公司年会}\ntasks:" in new
    # laid out on the new year's own day off: 3/2, (3/3 off), 3/4, 3/5; and no notice (2027 written)
    assert "end: 2027-03-05" in new
    assert "calendar-estimated" not in out


def test_a_clone_within_published_years_says_nothing(run_cli, write, tmp_path):
    source = write("spring-2026.yaml", CLONE_SOURCE.format(locale="en"))
    code, out, _ = run_cli("clone", source, "-o", tmp_path / "autumn.yaml", "--to", "2026-09-01", "--dry-run")
    assert code == 0 and "calendar-estimated" not in out


BAD = """\
ptrack: 1
campaign:
  id: bad
  name: Bad
  start: 2027-02-01
  end: 2027-02-26
  calendar: CN
  locale: {locale}
  calendar_overrides:
    days_off:
      - {{start: 2027-02-11, end: 2027-02-05, name: 春节}}
      - {{start: 2027-02-05, end: 2027-02-08}}
      - 2027-02-08
      - 2027-04-05
      - {{start: 2027-05-01}}
      - 5
    working_days:
      - 2027-02-20
      - {{date: 2027-04-05, nmae: oops}}
      - {{date: 2027-04-05}}
tasks: []
"""


def test_validation_errors(run_cli, write):
    path = write("bad.yaml", BAD.format(locale="en"))
    code, out, _ = run_cli("validate", path)
    assert code == 1
    # the schema's problems first (they stop the rest)
    assert out.splitlines() == [
        f"{path}:15:9: error [schema] campaign.calendar_overrides.days_off[4]: missing required key \"end\"",
        f"{path}:16:9: error [schema] campaign.calendar_overrides.days_off[5]: 5 is not a day: write a date "
        "(2027-04-05), {date: 2027-02-20, name: NAME} or a range {start: 2027-02-05, end: 2027-02-11, name: NAME}",
        f"{path}:19:28: error [schema] campaign.calendar_overrides.working_days[1]: unknown key \"nmae\" (did you "
        "mean \"name\"?)",
    ]
    # once the schema passes, the rest: a day both off and a working day, said once at the first entry
    fixed = BAD.format(locale="en").replace("      - {start: 2027-05-01}\n      - 5\n", "").replace(
        "nmae: oops", "name: oops")
    path = write("bad.yaml", fixed)
    code, out, _ = run_cli("validate", path)
    assert code == 1
    assert out.splitlines() == [
        f"{path}:11:34: error [date-order] calendar_overrides.days_off: the range 2027-02-11..2027-02-05 ends "
        "before it starts",
        f"{path}:13:9: error [calendar-override] calendar_overrides.days_off: 2027-02-08 is written twice (first "
        "at line 12); keep one",
        f"{path}:17:9: error [calendar-override] calendar_overrides: 2027-04-05 is both a day off (line 14) and a "
        "working day; keep it in one list",
        f"{path}:18:9: error [calendar-override] calendar_overrides.working_days: 2027-04-05 is written twice "
        "(first at line 17); keep one",
    ]
    path = write("bad.yaml", fixed.replace("locale: en", "locale: zh-CN"))
    code, out, _ = run_cli("validate", path)
    assert out.splitlines() == [
        f"{path}:11:34: 错误 [date-order] 日历调整 days_off（放假）：日期段 2027-02-11..2027-02-05 的结束早于开始",
        f"{path}:13:9: 错误 [calendar-override] 日历调整 days_off（放假）：2027-02-08 写了两次（第 12 行已写过），只保留一处",
        f"{path}:17:9: 错误 [calendar-override] 日历调整：2027-04-05 既是放假日（第 14 行）又是调休上班日，只能留在其中一个列表里",
        f"{path}:18:9: 错误 [calendar-override] 日历调整 working_days（调休上班）：2027-04-05 写了两次（第 17 行已写过），"
        "只保留一处",
    ]


def test_status_check_and_a_sheet_round_trip(run_cli, write, tmp_path):
    path = write("cny.yaml", PLAN.format(overrides=OVERRIDES))
    code, out, _ = run_cli("status", path, "--as-of", "2027-02-15", "--format", "json")
    assert code == 0 and '"planned_progress": 37.5' in out
    code, out, _ = run_cli("check", path, "--as-of", "2027-02-01")
    assert code == 0 and "calendar-estimated" not in out
    # the sheet carries the calendar's code, not the overrides (they live in the YAML): the export's
    # planned % is the plan's; a file imported from it computes on the calendar alone (and says so)
    code, _, _ = run_cli("export", path, "--format", "csv", "-o", tmp_path / "cny.csv", "--as-of", "2027-02-15")
    assert code == 0
    row = (tmp_path / "cny.csv").read_text(encoding="utf-8-sig").splitlines()[1].split(",")
    assert row[10] == "37.5" and row[-1] == "CN"
    code, _, _ = run_cli("import", tmp_path / "cny.csv", "-o", tmp_path / "back.yaml")
    assert code == 0 and "calendar_overrides" not in (tmp_path / "back.yaml").read_text(encoding="utf-8")
    code, out, _ = run_cli("check", tmp_path / "back.yaml", "--as-of", "2027-02-01")
    assert "[calendar-estimated]" in out


def test_every_use_of_a_campaign_calendar_goes_through_work_calendar():
    """The overrides flow through every place a campaign's working days are counted: nothing but
    the calendar module, the model's ``work_calendar``, the scaffold's sample (a new file, no
    overrides) and the clone (which builds the source's and the new file's from the draft) calls
    ``get_calendar`` itself."""
    callers = sorted(str(p.relative_to(ROOT / "src")) for p in (ROOT / "src" / "ptrack").rglob("*.py")
                     if "get_calendar(" in p.read_text(encoding="utf-8"))
    assert callers == ["ptrack/core/calendars.py", "ptrack/core/model.py", "ptrack/edit/clone.py",
                       "ptrack/git/history.py", "ptrack/init.py"]
    history = (ROOT / "src" / "ptrack" / "git" / "history.py").read_text(encoding="utf-8")
    assert history.count("get_calendar(") == 1 and 'get_calendar("weekends")' in history


def test_the_overrides_are_shown_in_status_json_and_on_the_dashboard(run_cli, write, tmp_path):
    """The overrides say which days the figures count: status JSON lists them (7 days off, 2/5..2/11,
    and the make-up Saturday 2/20); the dashboard says how many beside the calendar's code. A plan
    without overrides has neither."""
    import json

    path = write("cny.yaml", PLAN.format(overrides=OVERRIDES))
    code, out, _ = run_cli("status", path, "--as-of", "2027-02-15", "--format", "json")
    (campaign,) = json.loads(out)["campaigns"]
    assert campaign["calendar_overrides"] == {
        "days_off": [f"2027-02-{d:02d}" for d in range(5, 12)], "working_days": ["2027-02-20"]}
    assert run_cli("build", path, "--out", tmp_path / "site", "--as-of", "2027-02-15")[0] == 0
    page = (tmp_path / "site" / "cny-2027" / "index.html").read_text("utf-8")
    assert "<dd>CN (own changes: days off 7, working days 1)</dd>" in page

    bare = write("bare.yaml", PLAN.format(overrides=""))
    code, out, _ = run_cli("status", bare, "--as-of", "2027-02-15", "--format", "json")
    assert "calendar_overrides" not in json.loads(out)["campaigns"][0]
    assert run_cli("build", bare, "--out", tmp_path / "bare", "--as-of", "2027-02-15")[0] == 0
    assert "<dd>CN</dd>" in (tmp_path / "bare" / "cny-2027" / "index.html").read_text("utf-8")


def test_a_range_longer_than_a_year_is_an_error(run_cli, write):
    """A year typed wrong ({start: 2027-02-05, end: 2207-02-11}) made a range of 65,744 days that
    the calendar counted for minutes (0001-01-01..9999-12-31 hung check): one entry covers at most
    366 days. 2027-02-05..2207-02-11: 180 years of 365 days, 44 leap days (2028..2204, 2100 not
    one) and 7 days, both ends counted: 65,700 + 44 - 1 + 7 = 65,750."""
    plan = PLAN.format(overrides=OVERRIDES.replace("end: 2027-02-11", "end: 2207-02-11"))
    path = write("long.yaml", plan)
    code, out, _ = run_cli("validate", path)
    assert (code, out) == (1, f"{path}:11:34: error [calendar-override] calendar_overrides.days_off: the range "
                              "2027-02-05..2207-02-11 is 65750 days long; one entry covers at most 366 days (is a "
                              "year mistyped?)\n")
    # a leap year's whole year is one entry (2028-01-01..2028-12-31: 366 days)
    ok = PLAN.format(overrides=OVERRIDES.replace("{start: 2027-02-05, end: 2027-02-11",
                                                 "{start: 2028-01-01, end: 2028-12-31"))
    assert run_cli("validate", write("year.yaml", ok))[0] == 0
