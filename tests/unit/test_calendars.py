"""Working-day calendars (DESIGN §4): none, weekends, country codes with holidays and 调休."""

from __future__ import annotations

from datetime import date

import pytest

from ptrack.core.calendars import BeyondCalendar, UnknownCalendar, WorkCalendar, check_calendar_code, get_calendar
from ptrack.errors import PtrackError

D = date


# -- none / weekends ------------------------------------------------------------------------------

def test_none_counts_every_day():
    cal = WorkCalendar("none")
    # 2024-03-01 .. 2024-03-10 inclusive: 10 calendar days
    assert cal.count(D(2024, 3, 1), D(2024, 3, 10)) == 10
    # a single day counts once; an empty range (last < first) counts 0
    assert cal.count(D(2024, 3, 2), D(2024, 3, 2)) == 1
    assert cal.count(D(2024, 3, 5), D(2024, 3, 4)) == 0
    assert cal.is_working_day(D(2024, 3, 2))  # a Saturday


def test_weekends_counts_monday_to_friday():
    cal = WorkCalendar("weekends")
    # Fri 03-01, (Sat 2, Sun 3 off), Mon 4 .. Fri 8, (Sat 9, Sun 10 off): 1 + 5 = 6
    assert cal.count(D(2024, 3, 1), D(2024, 3, 10)) == 6
    assert cal.is_working_day(D(2024, 3, 1))
    assert not cal.is_working_day(D(2024, 3, 2))
    assert not cal.is_working_day(D(2024, 3, 3))
    # a weekend alone has no working day
    assert cal.count(D(2024, 3, 2), D(2024, 3, 3)) == 0


def test_default_calendar_is_weekends():
    assert WorkCalendar().code == "weekends"


# -- CN: public holidays and make-up working days (调休) ---------------------------------------

def test_cn_qingming_2024_with_sunday_make_up_day():
    cal = WorkCalendar("CN")
    # Mon 4/1, Tue 4/2, Wed 4/3 work; Thu 4/4 - Sat 4/6 清明 off; Sun 4/7 is a make-up working day
    # 3 + 1 = 4
    assert cal.count(D(2024, 4, 1), D(2024, 4, 7)) == 4
    assert cal.is_working_day(D(2024, 4, 7))
    assert not cal.is_working_day(D(2024, 4, 4))


def test_cn_spring_festival_2025_holidays_and_make_up_days():
    cal = WorkCalendar("CN")
    # Holidays Tue 1/28 .. Tue 2/4; make-up working days Sunday 1/26 and Saturday 2/8
    for day in range(28, 32):
        assert not cal.is_working_day(D(2025, 1, day))
    for day in range(1, 5):
        assert not cal.is_working_day(D(2025, 2, day))
    assert cal.is_working_day(D(2025, 1, 26))  # Sunday, 调休 working day
    assert cal.is_working_day(D(2025, 2, 8))  # Saturday, 调休 working day
    assert not cal.is_working_day(D(2025, 1, 25))  # an ordinary Saturday
    assert not cal.is_working_day(D(2025, 2, 9))  # an ordinary Sunday
    assert cal.is_working_day(D(2025, 1, 27))
    assert cal.is_working_day(D(2025, 2, 5))


def test_cn_count_across_spring_festival_2025():
    cal = WorkCalendar("CN")
    # 1/20 .. 2/12:
    #   Mon 1/20 .. Fri 1/24 = 5, Sun 1/26 (调休) = 1, Mon 1/27 = 1            -> 7
    #   1/28 .. 2/4 holiday                                                   -> 0
    #   Wed 2/5 .. Fri 2/7 = 3, Sat 2/8 (调休) = 1, Mon 2/10 .. Wed 2/12 = 3   -> 7
    # total 14 (a plain weekday count would say 18)
    assert cal.count(D(2025, 1, 20), D(2025, 2, 12)) == 14
    assert WorkCalendar("weekends").count(D(2025, 1, 20), D(2025, 2, 12)) == 18


def test_cn_nth_working_day_across_spring_festival():
    cal = WorkCalendar("CN")
    # from Mon 1/27: 1st = 1/27 itself, 2nd = 2/5 (the festival is skipped)
    assert cal.nth_working_day(D(2025, 1, 27), 1) == D(2025, 1, 27)
    assert cal.nth_working_day(D(2025, 1, 27), 2) == D(2025, 2, 5)
    # from Sat 1/25 (not working): 1st = Sun 1/26 (调休)
    assert cal.nth_working_day(D(2025, 1, 25), 1) == D(2025, 1, 26)
    with pytest.raises(ValueError):
        cal.nth_working_day(D(2025, 1, 27), 0)


def test_cn_add_working_days_across_spring_festival():
    cal = WorkCalendar("CN")
    # the day itself never counts: 1 after Fri 1/24 is Sun 1/26 (调休), not Mon 1/27
    assert cal.add_working_days(D(2025, 1, 24), 1) == D(2025, 1, 26)
    # 5 after Mon 1/27: 2/5, 2/6, 2/7, Sat 2/8 (调休), Mon 2/10
    assert cal.add_working_days(D(2025, 1, 27), 5) == D(2025, 2, 10)


def test_cn_previous_working_day():
    cal = WorkCalendar("CN")
    # inside the festival the last working day is Mon 1/27
    assert cal.previous_working_day(D(2025, 2, 4)) == D(2025, 1, 27)
    assert cal.previous_working_day(D(2025, 2, 8)) == D(2025, 2, 8)


def test_cn_whole_years():
    cal = WorkCalendar("CN")
    # 2025: 261 weekdays (365 days from a Wednesday) minus 18 weekday holidays (元旦 1, 春节 6,
    # 清明 1, 劳动节 3, 端午 1, 国庆+中秋 6) plus 5 make-up days (1/26, 2/8, 4/27, 9/28, 10/11) = 248
    assert cal.count(D(2025, 1, 1), D(2025, 12, 31)) == 248
    # 2024: 262 weekdays minus 19 weekday holidays plus 8 make-up days = 251 (the official figure)
    assert cal.count(D(2024, 1, 1), D(2024, 12, 31)) == 251
    # both years at once, after the table was built for 2025 then extended back to 2024
    assert cal.count(D(2024, 1, 1), D(2025, 12, 31)) == 251 + 248


# -- other countries ------------------------------------------------------------------------------

def test_us_subdivision_has_its_own_holidays():
    ca, us = WorkCalendar("US-CA"), WorkCalendar("US")
    # Mon 3/25 .. Fri 4/5 2024: 10 weekdays; California observes Cesar Chavez Day on Mon 4/1
    assert us.count(D(2024, 3, 25), D(2024, 4, 5)) == 10
    assert ca.count(D(2024, 3, 25), D(2024, 4, 5)) == 9
    assert not ca.is_working_day(D(2024, 4, 1))
    assert us.is_working_day(D(2024, 4, 1))
    # federal holidays apply too: Thanksgiving (Thu 11/28), and in California the day after
    assert not us.is_working_day(D(2024, 11, 28))
    assert not ca.is_working_day(D(2024, 11, 29))


@pytest.mark.parametrize("code", ["none", "weekends", "CN", "US", "DE", "JP", "US-CA"])
def test_known_codes_are_accepted(code):
    assert check_calendar_code(code) is None


@pytest.mark.parametrize("code, words", [
    ("XX", ['"XX" is not a calendar the holidays package knows', "none, weekends", "US-CA"]),
    ("US-ZZ", ['"US-ZZ" is not a calendar the holidays package knows']),
    ("cn", ['"cn" is not a calendar: use none, weekends or a country code such as CN']),
    ("weekend", ['"weekend" is not a calendar']),
    ("", ['"" is not a calendar']),
])
def test_unknown_codes_are_rejected_with_a_message(code, words):
    message = check_calendar_code(code)
    assert message is not None
    message = str(message)  # a ptrack.i18n.Message: its English text
    for word in words:
        assert word in message
    with pytest.raises(UnknownCalendar) as info:
        WorkCalendar(code)
    assert str(info.value) == message
    assert isinstance(info.value, PtrackError)  # the CLI turns it into exit 2, not a traceback


# -- the table --------------------------------------------------------------------------------------

def test_long_ranges_extend_the_table():
    cal = WorkCalendar("weekends")
    # 2024 alone: 52 weeks (260 weekdays) + Mon 12/30 and Tue 12/31 = 262
    assert cal.count(D(2024, 1, 1), D(2024, 12, 31)) == 262
    # 2020-01-01 .. 2030-12-31: 11 x 365 + 3 leap days = 4018 days = exactly 574 weeks -> 2870
    assert cal.count(D(2020, 1, 1), D(2030, 12, 31)) == 2870
    # what was counted before the table grew is unchanged
    assert cal.count(D(2024, 1, 1), D(2024, 12, 31)) == 262


def test_nth_working_day_beyond_the_table_extends_it():
    cal = WorkCalendar("none")
    assert cal.count(D(2024, 1, 1), D(2024, 1, 1)) == 1  # table: 2024 only
    # 1000th day from 2024-01-01 = +999 days: 366 (2024) + 365 (2025) = 731 -> 2026-01-01,
    # + 268 -> 2026-09-26
    assert cal.nth_working_day(D(2024, 1, 1), 1000) == D(2026, 9, 26)


def test_a_working_day_past_the_year_9999_or_before_the_year_1_is_an_error_not_a_crash():
    cal = WorkCalendar("weekends")
    # 9999-12-31 is a Friday, Python's last date: the working day after it would be in 10000
    assert cal.shift(D(9999, 12, 30), 1) == D(9999, 12, 31)
    with pytest.raises(BeyondCalendar) as raised:
        cal.shift(D(9999, 12, 30), 2)
    assert raised.value.exit_code == 1
    assert raised.value.text("en") == ("calendar weekends: the working days to count run before the year 1 or after "
                                       "9999; is a date far in the past or the future (9999-12-31)?")
    for ask in (lambda: cal.shift(D(9999, 12, 31), 1), lambda: cal.add_working_days(D(9999, 12, 31), 1),
                lambda: cal.nth_working_day(D(9999, 12, 1), 400)):
        with pytest.raises(BeyondCalendar):
            ask()
    # 0001-01-01 is a Monday, the first date: no working day before it
    assert cal.shift(D(1, 1, 2), -1) == D(1, 1, 1)
    for ask in (lambda: cal.shift(D(1, 1, 1), -1), lambda: cal.shift(D(1, 1, 2), -2),
                lambda: cal.nth_working_day_back(D(1, 3, 1), 400)):
        with pytest.raises(BeyondCalendar):
            ask()


def test_get_calendar_is_shared():
    assert get_calendar("CN") is get_calendar("CN")
    assert get_calendar("CN") is not get_calendar("weekends")


# -- the country codes, read from the holidays registry's source --------------------------------

def _registry_codes() -> frozenset[str]:
    from holidays import registry

    return frozenset(code for entry in registry.COUNTRIES.values() for code in entry[1:] if len(code) == 2)


def test_country_codes_read_from_the_registry_source_are_the_registrys():
    """``check_calendar_code`` reads holidays/registry.py instead of importing holidays; it must
    find exactly the codes the imported registry has (multi-line entries and aliases such as
    "UK" included)."""
    from ptrack.core import calendars

    codes = calendars._registry_codes_from_source()
    assert codes == _registry_codes()
    assert {"CN", "US", "DE", "JP", "GB", "UK"} <= codes


def test_a_registry_that_is_not_a_plain_table_falls_back_to_importing_holidays(tmp_path, monkeypatch):
    import importlib.util

    from ptrack.core import calendars

    fake = tmp_path / "holidays"
    fake.mkdir()
    entries = "".join(f'    "country_{i}": ("Country{i}", "Q{chr(65 + i % 26)}", "Q{i:02d}"),\n' for i in range(120))
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args):
        if name == "holidays":
            return importlib.util.spec_from_file_location("holidays", fake / "__init__.py",
                                                          submodule_search_locations=[str(fake)])
        return real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    # A plain table is read: 120 entries, codes QA..QZ.
    (fake / "registry.py").write_text("COUNTRIES: RegistryDict = {\n" + entries + "}\n", "utf-8")
    assert calendars._registry_codes_from_source() == {f"Q{chr(65 + k)}" for k in range(26)}
    # One computed entry: not a plain table, so the caller imports the registry instead.
    (fake / "registry.py").write_text("COUNTRIES: RegistryDict = {\n" + entries + '    **EXTRA,\n}\n', "utf-8")
    assert calendars._registry_codes_from_source() is None
    calendars._country_codes.cache_clear()
    try:
        assert calendars._country_codes() == _registry_codes()
    finally:
        calendars._country_codes.cache_clear()
    (fake / "registry.py").unlink()
    assert calendars._registry_codes_from_source() is None


def test_a_country_calendar_imports_only_that_countrys_module():
    """holidays.countries/__init__ imports every country (~250 modules); building the CN
    calendar loads only holidays.countries.china, gives the same working days as holidays'
    own path, and leaves the real package importable afterwards."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from datetime import date, timedelta\n"
        "from ptrack.core.calendars import get_calendar\n"
        "cal = get_calendar('CN')\n"
        "ours = [cal.is_working_day(date(2024, 1, 1) + timedelta(days=i)) for i in range(731)]\n"
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))\n"
        "import holidays\n"
        "from holidays.countries import Germany, China\n"
        "theirs = holidays.country_holidays('CN', years=(2024, 2025))\n"
        "print(ours == [theirs.is_working_day(date(2024, 1, 1) + timedelta(days=i)) for i in range(731)])\n"
        "print(len([m for m in sys.modules if m.startswith('holidays.countries.')]) > 200, Germany.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "['holidays.countries.china']\nTrue\nTrue Germany\n"
