"""Working-day calendars.

``none``: every day is a working day. ``weekends``: Monday to Friday. A country code (``CN``,
``US``, ``DE``, ``US-CA`` for a subdivision): that country's weekdays minus its public holidays
plus its make-up working days (China's 调休: a Sunday that is a working day counts), from the
``holidays`` package.

A campaign's own changes (``campaign.calendar_overrides``: days off and working days it writes
itself, e.g. next year's published 放假安排 before the ``holidays`` package has it) apply on top of
any of these: a calendar is identified by its code and its overrides (``get_calendar(code,
overrides)``, ``Campaign.work_calendar``).

A calendar answers in O(1): it keeps a running count of working days per day over the years it
covers, so ``count(a, b)`` is one subtraction however long the campaign.

For a country whose working days are set by a schedule published each year (China's 放假安排
with its 调休 make-up days; Taiwan, Russia, ...), the ``holidays`` package has the published
schedules up to some year only and estimates the years after it: ``published_until(code)``.
"""

from __future__ import annotations

import bisect
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta
from functools import lru_cache

from ptrack.errors import PtrackError

_ONE = timedelta(days=1)
_CODE = re.compile(r"^([A-Z]{2})(?:-([A-Z0-9]{1,3}))?$")


class UnknownCalendar(PtrackError):
    pass


class BeyondCalendar(PtrackError):
    """A working day the calendar would have to find before year 1 or after year 9999 (Python's
    dates): a date in the file or on the command line far in the past or future (9999-12-31),
    or days off that leave no working day after it. Exit code 1, like an invalid file."""

    exit_code = 1

    def __init__(self, code: str) -> None:
        from ptrack.i18n import M_

        super().__init__(M_("calendar.beyond", calendar=code))


def check_calendar_code(code: str):
    """None when ``code`` names a calendar; otherwise a message saying what is wrong (a
    ``ptrack.i18n.Message``: ``str()`` is its English text)."""
    if code in ("none", "weekends"):
        return None
    from ptrack.i18n import M_

    match = _CODE.match(code)
    if not match:
        return M_("calendar.not_a_calendar", code=code)
    unknown = M_("calendar.unknown", code=code)
    if match.group(1) not in _country_codes():
        return unknown
    if match.group(2):  # only a subdivision needs the country's calendar built to be checked
        try:
            _country(match.group(1), match.group(2), (2024,))
        except (NotImplementedError, KeyError, AttributeError):
            return unknown
    return None


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    """Two-letter codes of the countries the holidays package has, from its registry (no
    calendar is built, which would cost ~0.1 s on the validate path)."""
    codes = _registry_codes_from_source()
    if codes is not None:
        return codes
    from holidays import registry

    return frozenset(code for entry in registry.COUNTRIES.values() for code in entry[1:]
                     if len(code) == 2)


_REGISTRY_ENTRY = re.compile(r'\s*"\w+":\s*\(([^()]*)\),?')
_QUOTED = re.compile(r'"([^"\\]*)"')


def _registry_codes_from_source() -> frozenset[str] | None:
    """The same codes read from the text of the installed ``holidays/registry.py``, whose
    ``COUNTRIES`` is a literal table of ``"name": ("Class", "CN", "CHN", ...)`` lines: importing
    the holidays package (dateutil, importlib.metadata, its base classes) costs ~25 ms of a
    ``ptrack validate`` that needs nothing else from it. None when the file or the table is not
    there or does not look like that (then the registry is imported)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("holidays")
        folders = list(spec.submodule_search_locations or ()) if spec else []
        text = None
        for folder in folders:
            try:
                with open(f"{folder}/registry.py", encoding="utf-8") as fh:
                    text = fh.read()
                break
            except OSError:
                continue
    except (ImportError, ValueError):  # pragma: no cover - a broken installation
        return None
    if text is None:
        return None
    head = re.search(r"^COUNTRIES\b[^=\n]*=\s*\{", text, re.M)
    end = text.find("\n}\n", head.end()) if head else -1
    if end < 0:
        return None
    block = text[head.end():end]
    entries = _REGISTRY_ENTRY.findall(block)
    # The table must be nothing but such entries (a comment or a computed value would mean it
    # is not a plain literal any more), and there are a couple of hundred.
    if len(entries) < 100 or _REGISTRY_ENTRY.sub("", block).strip():
        return None
    return frozenset(code for entry in entries for code in _QUOTED.findall(entry)[1:] if len(code) == 2)


def _country(country: str, subdiv: str | None, years: tuple[int, ...]):
    import holidays

    with _one_country_module(country):
        return holidays.country_holidays(country, subdiv=subdiv, years=years)


@contextmanager
def _one_country_module(code: str):
    """While building one country's calendar, import only that country's module.

    ``holidays.country_holidays`` imports ``holidays.countries.<name>``, and so first the
    package ``holidays.countries``, whose ``__init__`` imports all ~250 country modules (~0.1 s
    of every command that computes on a country calendar). Here a bare package object with the
    same search path stands in for it, so only the one module (and what it imports itself) is
    loaded; it is taken out again afterwards, so a later ``import holidays.countries`` gets the
    real package. Nothing changes when the package is already imported, or the country is not
    in the registry (holidays then raises as usual)."""
    import importlib.util
    import sys
    import types

    stub = None
    try:
        if "holidays.countries" not in sys.modules:
            from holidays import registry

            name = next((n for n, entry in registry.COUNTRIES.items() if code in entry[1:]), None)
            spec = importlib.util.find_spec("holidays.countries") if name else None
            if spec is not None and spec.submodule_search_locations:
                stub = types.ModuleType("holidays.countries")
                stub.__path__ = list(spec.submodule_search_locations)
                stub.__package__ = "holidays.countries"
                sys.modules["holidays.countries"] = stub
        yield
    finally:
        if stub is not None and sys.modules.get("holidays.countries") is stub:
            del sys.modules["holidays.countries"]


@dataclass(frozen=True)
class CalendarOverrides:
    """A campaign's own changes to its calendar: days that are off, and days that are working
    days (a make-up Saturday, 调休上班), whatever the calendar says. Hashable, so a calendar with
    overrides is cached like one without."""

    days_off: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.days_off or self.working_days)

    @property
    def years(self) -> frozenset[int]:
        """The years the overrides say something about."""
        return frozenset(d.year for d in self.days_off | self.working_days)


NO_OVERRIDES = CalendarOverrides()


def override_days(item) -> list[date]:
    """The days of one ``calendar_overrides`` entry as the file has it (valid): a date, ``{date:
    D}`` or ``{start: D, end: E}`` (both included; none when E is before D)."""
    if isinstance(item, str):
        return [date.fromisoformat(item)]
    if "date" in item:
        return [date.fromisoformat(item["date"])]
    first, last = date.fromisoformat(item["start"]), date.fromisoformat(item["end"])
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def build_overrides(data: dict | None) -> CalendarOverrides:
    """``campaign.calendar_overrides`` of a valid file as ``CalendarOverrides``."""
    if not data:
        return NO_OVERRIDES
    return CalendarOverrides(
        frozenset(d for item in data.get("days_off") or () for d in override_days(item)),
        frozenset(d for item in data.get("working_days") or () for d in override_days(item)))


class WorkCalendar:
    """Working days of one calendar, counted over whole years, extended on demand."""

    def __init__(self, code: str = "weekends", overrides: CalendarOverrides = NO_OVERRIDES):
        problem = check_calendar_code(code)
        if problem:
            raise UnknownCalendar(problem)
        self.code = code
        self.overrides = overrides
        self._first_year = 0
        self._last_year = -1
        self._base = date(1, 1, 1)
        self._cum: list[int] = []  # _cum[i] = working days in [base, base + i]

    # -- the table ----------------------------------------------------------------------------
    def _ensure(self, first: date, last: date) -> None:
        lo, hi = first.year, last.year
        if self._first_year <= lo and hi <= self._last_year:
            return
        if self._last_year >= self._first_year:  # extend what we have
            lo, hi = min(lo, self._first_year), max(hi, self._last_year)
        self._build(lo, hi)

    def _build(self, lo: int, hi: int) -> None:
        flags = self._working_flags(lo, hi)
        cum = []
        running = 0
        for flag in flags:
            running += flag
            cum.append(running)
        self._first_year, self._last_year = lo, hi
        self._base = date(lo, 1, 1)
        self._cum = cum

    def _working_flags(self, lo: int, hi: int) -> list[int]:
        flags = self._calendar_flags(lo, hi)
        start, end = date(lo, 1, 1), date(hi, 12, 31)
        for days, flag in ((self.overrides.days_off, 0), (self.overrides.working_days, 1)):
            for day in days:
                if start <= day <= end:
                    flags[(day - start).days] = flag
        return flags

    def _calendar_flags(self, lo: int, hi: int) -> list[int]:
        start, end = date(lo, 1, 1), date(hi, 12, 31)
        days = (end - start).days + 1
        if self.code == "none":
            return [1] * days
        weekday0 = start.weekday()
        if self.code == "weekends":
            return [1 if (weekday0 + i) % 7 < 5 else 0 for i in range(days)]
        match = _CODE.match(self.code)
        assert match is not None
        calendar = _country(match.group(1), match.group(2), tuple(range(lo, hi + 1)))
        is_working_day = calendar.is_working_day
        return [1 if is_working_day(start + timedelta(days=i)) else 0 for i in range(days)]

    def estimated_years(self, years) -> list[int]:
        """Of ``years``, those whose working days are the ``holidays`` package's estimate: after
        the last year of the country's published schedules (``published_until``) and without
        anything of the campaign's own in ``overrides`` that year. Sorted; [] for other calendars."""
        last = published_until(self.code)
        if last is None:
            return []
        written = self.overrides.years
        return sorted(y for y in set(years) if y > last and y not in written)

    def _index(self, day: date) -> int:
        return (day - self._base).days

    def table(self, first: date, last: date) -> tuple[date, list[int]]:
        """(base, running count) covering at least [first, last]: ``count[i]`` is the number of
        working days in [base, base + i]. For loops that ask millions of questions; the list is
        never changed afterwards (extending the calendar builds a new one)."""
        self._ensure(first, last)
        return self._base, self._cum

    # -- questions -----------------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        self._ensure(day, day)
        i = self._index(day)
        return self._cum[i] - (self._cum[i - 1] if i else 0) == 1

    def count(self, first: date, last: date) -> int:
        """NWD(first, last): working days in [first, last], both inclusive; 0 when last < first."""
        if last < first:
            return 0
        self._ensure(first, last)
        i, j = self._index(first), self._index(last)
        return self._cum[j] - (self._cum[i - 1] if i else 0)

    def nth_working_day(self, first: date, n: int) -> date:
        """The n-th working day counting from ``first`` (n >= 1; ``first`` counts when working)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        self._ensure(first, first)
        while True:
            i = self._index(first)
            before = self._cum[i - 1] if i else 0
            target = before + n
            if self._cum[-1] >= target:
                j = bisect.bisect_left(self._cum, target, lo=i)
                return self._base + timedelta(days=j)
            # Not enough working days in the table: extend by a few years and look again.
            if self._last_year >= MAXYEAR:
                raise BeyondCalendar(self.code)
            self._build(self._first_year, min(MAXYEAR, self._last_year + max(2, n // 200 + 1)))

    def nth_working_day_back(self, last: date, n: int) -> date:
        """The n-th working day counting backwards from ``last`` (n >= 1; ``last`` counts when
        working)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        self._ensure(last, last)
        while True:
            i = self._index(last)
            target = self._cum[i] - n + 1  # the running count on the day we are looking for
            if target >= 1:
                return self._base + timedelta(days=bisect.bisect_left(self._cum, target, hi=i + 1))
            # Not enough working days before ``last`` in the table: extend it into earlier years.
            if self._first_year <= MINYEAR:
                raise BeyondCalendar(self.code)
            self._build(max(MINYEAR, self._first_year - max(2, n // 200 + 1)), self._last_year)

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (n >= 1); ``day`` itself never counts."""
        if day == date.max:
            raise BeyondCalendar(self.code)
        return self.nth_working_day(day + _ONE, n)

    def shift(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (n > 0), the |n|-th working day before it (n < 0),
        ``day`` itself for 0 (``day`` never counts, working or not): T+3, T-10 in working days."""
        if (n > 0 and day == date.max) or (n < 0 and day == date.min):
            raise BeyondCalendar(self.code)
        if n > 0:
            return self.nth_working_day(day + _ONE, n)
        if n < 0:
            return self.nth_working_day_back(day - _ONE, -n)
        return day

    def offset(self, anchor: date, day: date) -> int:
        """The signed working-day offset of ``day`` from ``anchor``, the inverse of ``shift`` on
        working days: the working days after ``anchor`` up to ``day`` (positive), or minus those
        from ``day`` up to the day before ``anchor`` (negative); 0 for the anchor itself. A day
        that is not a working day has the offset of the working day before it (after the anchor)
        or after it (before the anchor)."""
        if day > anchor:
            return self.count(anchor + _ONE, day)
        if day < anchor:
            return -self.count(day, anchor - _ONE)
        return 0

    def previous_working_day(self, day: date) -> date | None:
        """The last working day on or before ``day`` within the table's years, else None."""
        self._ensure(day, day)
        i = self._index(day)
        count = self._cum[i]
        if count == 0:
            return None
        j = bisect.bisect_left(self._cum, count, hi=i + 1)
        return self._base + timedelta(days=j)


def working_days_between(cal: WorkCalendar, old: date, new: date) -> int:
    """Signed working days from ``old`` to ``new``: +3 when ``new`` is three working days later."""
    if new > old:
        return cal.count(old + _ONE, new)
    if new < old:
        return -cal.count(new + _ONE, old)
    return 0


def get_calendar(code: str, overrides: CalendarOverrides = NO_OVERRIDES) -> WorkCalendar:
    """One shared calendar per code and overrides (the table is built once per process)."""
    return _shared_calendar(code, overrides)


@lru_cache(maxsize=32)
def _shared_calendar(code: str, overrides: CalendarOverrides) -> WorkCalendar:
    # (both arguments always given: lru_cache keys get_calendar("CN") and get_calendar("CN",
    # NO_OVERRIDES) apart)
    return WorkCalendar(code, overrides)


@lru_cache(maxsize=32)
def published_until(code: str) -> int | None:
    """The last year of the published yearly schedules the installed ``holidays`` package has for
    the country of ``code``, or None when its working days are not set by such schedules (or
    ``code`` is not a country).

    A country whose government publishes each year's holidays with make-up working days (China's
    放假安排 and 调休) is recognised by the package's data itself: its static holidays (the
    ``special_public_holidays`` of the country's ``*StaticHolidays`` class) move days off against
    working days ("substituted" days, four numbers) in each of the last three years they cover.
    After the last of them the package estimates (statutory holidays, no make-up days)."""
    match = _CODE.match(code)
    if not match:
        return None
    try:
        calendar = _country(match.group(1), match.group(2), ())
    except (NotImplementedError, KeyError, AttributeError):
        return None
    special = getattr(calendar, "special_public_holidays", None) or {}
    if not special:
        return None
    last = max(special)

    def substituted(year: int) -> bool:
        entries = special.get(year) or ()
        entries = (entries,) if entries and not isinstance(entries[0], tuple) else entries
        return any(len(entry) >= 4 for entry in entries)

    return last if all(substituted(last - k) for k in range(3)) else None


def years_spanned(days) -> range:
    """The years from the earliest to the latest of ``days`` (a campaign's window and its tasks'
    dates): the years whose working days a campaign counts."""
    days = [d for d in days if d is not None]
    return range(min(days).year, max(days).year + 1) if days else range(0)


def estimate_values(cal: WorkCalendar, years) -> dict | None:
    """The values of the message saying ``cal``'s working days in some of ``years`` are an
    estimate (``rule.calendar-estimated``), or None when none is."""
    estimated = cal.estimated_years(years)
    if not estimated:
        return None
    return {"calendar": cal.code, "years_ref": tuple(estimated), "last": published_until(cal.code),
            "version": holidays_version(), "subject": cal.code}


def years_text(locale: str, years) -> str:
    """2027 | 2027、2028 (zh) | 2027, 2028 (en)."""
    from ptrack.i18n import t

    return t(locale, "punct.list").join(str(y) for y in years)


def holidays_version() -> str:
    """The installed ``holidays`` package's version (said with ``published_until``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:  # pragma: no cover - a broken installation
        return "?"
