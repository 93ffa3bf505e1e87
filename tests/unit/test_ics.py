"""The iCalendar export: exact escaping and folding, a real parser reads it back, stable UIDs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import difflib
import os

import pytest

from ptrack.sheets.ics import escape_text, fold_line, render_ics

from tests.helpers import EXAMPLE, EXAMPLE_AS_OF, snapshot_of

ROOT = Path(__file__).resolve().parents[2]
AS_OF = EXAMPLE_AS_OF





def assert_golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME byte for byte; PTRACK_UPDATE_GOLDEN=1 rewrites it instead."""
    path = ROOT / "tests" / "golden" / name
    if os.environ.get("PTRACK_UPDATE_GOLDEN") == "1":
        path.write_bytes(text.encode("utf-8"))
        return
    expected = path.read_bytes().decode("utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), name, "now"))
        pytest.fail(f"{name} differs from the golden file (PTRACK_UPDATE_GOLDEN=1 to accept):\n{diff[:6000]}")


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


# -- escaping and folding, exact ---------------------------------------------------------------

def test_escape_text():
    assert escape_text("a\\b;c,d\ne\r\nf\rg") == "a\\\\b\\;c\\,d\\ne\\nf\\ng"
    assert escape_text("x:y \"q\"") == "x:y \"q\""  # colon and quotes need no escape in TEXT
    assert escape_text("bell\x07") == "bell "
    assert escape_text(None) == ""


def test_fold_line_ascii_exact():
    line = "DESCRIPTION:" + "a" * 70
    assert fold_line(line) == "DESCRIPTION:" + "a" * 63 + "\r\n " + "a" * 7
    assert fold_line("SUMMARY:short") == "SUMMARY:short"
    assert fold_line("X:" + "b" * 73) == "X:" + "b" * 73  # exactly 75 octets: not folded


def test_fold_line_never_splits_a_multibyte_character():
    line = "SUMMARY:" + "风险" * 40  # 8 + 240 octets
    folded = fold_line(line)
    parts = folded.split("\r\n")
    assert parts[0] == "SUMMARY:" + "风险" * 11  # 8 + 22 x 3 = 74 octets; a 23rd character would make 77
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert folded.replace("\r\n ", "") == line


def test_fold_line_keeps_escape_sequences_whole():
    line = "DESCRIPTION:" + "a" * 62 + "\\n" + "b"
    assert fold_line(line) == "DESCRIPTION:" + "a" * 62 + "\r\n \\nb"


def test_fold_line_on_many_lines_keeps_characters_and_escapes_whole():
    import random

    rng = random.Random(17)
    pieces = ["a", "Z", "7", " ", "风", "险", "😀", "é", "\\", ";", ",", "\n"]
    for _ in range(2000):
        line = "DESCRIPTION:" + escape_text("".join(rng.choice(pieces) for _ in range(rng.randrange(0, 120))))
        folded = fold_line(line)
        parts = folded.split("\r\n ")
        assert "".join(parts) == line
        assert all(len(part.encode("utf-8")) <= (75 if i == 0 else 74) for i, part in enumerate(parts))
        for part in parts[:-1]:  # no part ends inside an escape: its trailing backslashes pair up
            assert (len(part) - len(part.rstrip("\\"))) % 2 == 0, (line, parts)
        if len(line.encode("utf-8")) <= 75:
            assert folded == line


# -- the calendar --------------------------------------------------------------------------------

def test_example_matches_golden(example):
    assert_golden("calendar.ics", render_ics(example, locale="zh-CN"))


def test_structure_crlf_and_line_lengths(example):
    text = render_ics(example, locale=None)
    assert text == render_ics(example, locale="zh-CN")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ptrack//ptrack campaign calendar//EN\r\n"
                           "CALSCALE:GREGORIAN\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    assert text.count("BEGIN:VEVENT") == text.count("END:VEVENT") == 5 + 27 + 6
    assert text == render_ics(snapshot_of(EXAMPLE), locale="zh-CN")  # deterministic


def test_a_real_parser_reads_every_event(example):
    icalendar = pytest.importorskip("icalendar")
    cal = icalendar.Calendar.from_ical(render_ics(example, locale="zh-CN"))
    events = list(cal.walk("VEVENT"))
    assert len(events) == 38
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == 38
    m = by_uid["spring-launch-2024.milestone.assets-final@ptrack"]
    assert m.decoded("DTSTART") == date(2024, 3, 11) and m.decoded("DTEND") == date(2024, 3, 12)
    assert str(m["SUMMARY"]) == "里程碑：物料定稿"
    assert m.decoded("DTSTAMP").isoformat() == "2024-04-15T00:00:00+00:00"
    task = by_uid["spring-launch-2024.task.kol-seeding@ptrack"]
    assert task.decoded("DTSTART") == date(2024, 4, 12)
    assert str(task["SUMMARY"]) == "任务截止：达人合作种草"
    assert "负责人：王雪\n当前状态：延期\n进度：75.0% / 100.0%" in str(task["DESCRIPTION"])
    assert str(by_uid["spring-launch-2024.task.user-research@ptrack"]["STATUS"]) == "CANCELLED"
    risk = by_uid["spring-launch-2024.risk.competitor-launch@ptrack"]
    assert risk.decoded("DTSTART") == date(2024, 4, 26)
    assert "（整个活动）" in str(risk["DESCRIPTION"])
    # resolved risks are left out
    assert "spring-launch-2024.risk.poster-style-change@ptrack" not in by_uid
    starts = [e.decoded("DTSTART") for e in events]
    assert starts == sorted(starts)


def test_hostile_text_round_trips_through_a_parser(hostile):
    icalendar = pytest.importorskip("icalendar")
    text = render_ics(hostile, locale="en")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    assert "SUMMARY:Risk deadline: semi\\; colon\\, back\\\\slash\r\n" in text
    cal = icalendar.Calendar.from_ical(text)
    assert "\r\nX-WR-CALNAME:Evil | <script>alert(1)</script> #1\\; a:b\r\n" in text  # an X- property is TEXT
    by_uid = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert str(by_uid["hostile.risk.third@ptrack"]["SUMMARY"]) == "Risk deadline: semi; colon, back\\slash"
    # risks without an id: <task or campaign>.<position>; the resolved second risk of "pipe" is left out
    assert str(by_uid["hostile.risk.pipe.1@ptrack"]["SUMMARY"]) == "Risk deadline: =1+1"
    assert "hostile.risk.pipe.2@ptrack" not in by_uid
    long = by_uid["hostile.risk.campaign.1@ptrack"]
    assert str(long["SUMMARY"]) == ("Risk deadline: Campaign, wide; risk \\ with a very long text that needs "
                                    "folding: 风险问题需要折行处理，中文字符不能被截断在中间。")
    task = by_uid["hostile.task.multiline@ptrack"]
    assert str(task["SUMMARY"]) == "Due: Multi\nline\nname %% comment"
    assert "Solution: -5 is not a number here" in str(long["DESCRIPTION"])


def test_uids_do_not_depend_on_the_as_of_date(example):
    later = render_ics(snapshot_of(EXAMPLE, date(2024, 4, 16)), locale="zh-CN")
    uids = lambda text: sorted(line for line in _unfold(text) if line.startswith("UID:"))  # noqa: E731
    now = render_ics(example, locale="zh-CN")
    assert "DTSTAMP:20240416T000000Z" in later and "DTSTAMP:20240415T000000Z" in now
    assert uids(now) == uids(later)


# -- a person's feed (site/people/<id>/tasks.ics) ------------------------------------------------

def _person_ics(example, person: str, **kw) -> str:
    from ptrack.core.people import collect_people
    from ptrack.sheets.ics import render_person_ics

    people = collect_people([example], AS_OF)
    return render_person_ics(people.get(person), AS_OF, locale=kw.pop("locale", "zh-CN"), **kw)


def test_person_feed_spans_each_task_and_marks_risk_deadlines(example):
    icalendar = pytest.importorskip("icalendar")
    text = _person_ics(example, "marketing-manager", site_url="https://acme.example/c")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\nX-PUBLISHED-TTL:PT6H\r\n" in text
    cal = icalendar.Calendar.from_ical(text)
    assert str(cal["X-WR-CALNAME"]) == "王雪 · 我的任务"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    # her 9 tasks (owner or collaborator, none cancelled) and her one open risk with a deadline
    assert len(events) == 9 + 1
    kol = events["marketing-manager.spring-launch-2024.task.kol-seeding@ptrack"]
    # planned 2024-03-18..04-12: an all-day event whose end is the day after (RFC 5545)
    assert (kol.decoded("DTSTART"), kol.decoded("DTEND")) == (date(2024, 3, 18), date(2024, 4, 13))
    assert str(kol["SUMMARY"]) == "达人合作种草（新品上市综合营销推广）"
    assert str(kol["DESCRIPTION"]).split("\n")[:5] == [
        "活动：新品上市综合营销推广", "角色：主责任人", "当前状态：延期", "进度：75.0% / 100.0%",
        "计划：2024-03-18 – 2024-04-12"]
    assert str(kol["URL"]) == "https://acme.example/c/spring-launch-2024/index.html#task-kol-seeding"
    assert str(kol["STATUS"]) == "CONFIRMED"
    assert str(events["marketing-manager.spring-launch-2024.task.campus-popup@ptrack"]["STATUS"]) == "TENTATIVE"
    assert "协同责任人" in str(events["marketing-manager.spring-launch-2024.task.midterm-analysis@ptrack"]["DESCRIPTION"])
    risk = events["marketing-manager.spring-launch-2024.risk.kol-schedule-conflict@ptrack"]
    assert (risk.decoded("DTSTART"), risk.decoded("DTEND")) == (date(2024, 4, 12), date(2024, 4, 13))
    assert str(risk["SUMMARY"]) == "风险解决时限：2位头部达人档期冲突，另有3位腰部达人内容未过审，合作顺延"
    assert risk.decoded("DTSTAMP").isoformat() == "2024-04-15T00:00:00+00:00"  # the as-of date, no clock
    starts = [e.decoded("DTSTART") for e in cal.walk("VEVENT")]
    assert starts == sorted(starts)


def test_person_feed_is_deterministic_and_has_no_url_without_a_site(example):
    text = _person_ics(example, "sales-d")
    assert text == _person_ics(example, "sales-d")
    assert "\r\nURL:" not in text
    assert _person_ics(example, "sales-d", locale="en").count("BEGIN:VEVENT") == text.count("BEGIN:VEVENT")
