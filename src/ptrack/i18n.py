"""Labels and messages: ``t(locale, key, **values)`` formats one.

The texts live in gettext catalogs, ``ptrack/locale/<ll_CC>/LC_MESSAGES/ptrack.po`` (one per
language; msgid = the message key, msgstr = the text with ``{name}`` placeholders), compiled to
``.mo`` when the package is built or installed (setup.py) or by ``python scripts/i18n.py compile``.
A language's catalog is read on its first message, once, with the standard library's gettext:
neither Babel nor a catalog is loaded by commands that print no message (``ptrack validate`` of a
valid file). ``scripts/i18n.py`` extracts the keys from the code and templates (keyword ``t``,
``_`` in templates, ``N_`` for keys built at run time) and keeps the catalogs in step; see the
README's development section.
"""

from __future__ import annotations

import functools

from ptrack.errors import PtrackError

# The languages, each with the languages that fill the gaps of its catalog, in order. Adding a
# language is its ptrack.po under locale/ and one line here (and its tag in the schema's enum).
LOCALES: dict[str, tuple[str, ...]] = {
    "zh-CN": ("en",),
    "en": (),
    "zh-TW": ("zh-CN", "en"),  # 繁體中文: a message not yet translated shows in Simplified Chinese
}
DEFAULT_LOCALE = "zh-CN"
DOMAIN = "ptrack"

# Other spellings of the languages above (lower case); any other tag falls back to the first
# locale of its language ("zh-SG" -> zh-CN, "en-GB" -> en), else to DEFAULT_LOCALE.
_ALIASES = {"zh-hans": "zh-CN", "zh-hant": "zh-TW", "zh-hk": "zh-TW", "zh-mo": "zh-TW"}


def N_(key: str) -> str:
    """Marks a message key that the code builds at run time (``t(loc, f"status.{s}")``) so that
    extraction finds it; returns the key unchanged."""
    return key


def NP_(key: str) -> str:
    """Marks a message with plural forms: ``t()`` picks the form by the count (the ``days`` or
    ``n`` value) with the language's plural rule ("1 day" / "2 days"; one form in Chinese)."""
    return key


# Message keys built at run time from model values (statuses, health, states): see N_.
_RUNTIME_KEYS = (
    N_("status.not_started"), N_("status.in_progress"), N_("status.done"), N_("status.delayed"),
    N_("status.cancelled"), N_("status.on_hold"),
    N_("health.green"), N_("health.amber"), N_("health.red"), N_("health.grey"),
    N_("kind.work"), N_("kind.timebox"), N_("kind.event"),
    # how a forecast finish was found (ptrack.core.schedule: TaskSchedule.method)
    N_("forecast.method.actual"), N_("forecast.method.plan"), N_("forecast.method.schedule"),
    N_("forecast.method.pace"), N_("forecast.method.window"), N_("forecast.method.fixed"),
    N_("milestone.achieved_on_time"), N_("milestone.achieved_late"), N_("milestone.missed"),
    N_("milestone.upcoming"),
    N_("goal.achieved"), N_("goal.on_track"), N_("goal.behind"), N_("goal.no_data"),
    N_("risk.open"), N_("risk.resolved"), N_("risk.overdue"),
    # the roll-up dimensions (compute.GROUP_DIMENSIONS): col.{dim}, html.by_{dim}
    N_("col.module"), N_("col.department"), N_("col.owner"), N_("col.channel"),
    N_("html.by_module"), N_("html.by_department"), N_("html.by_owner"), N_("html.by_channel"),
)


def normalise_locale(locale: str | None) -> str:
    """The supported locale for a tag: "zh-TW" -> zh-TW, "zh" -> zh-CN, "en-GB" -> en, None -> zh-CN."""
    if not locale:
        return DEFAULT_LOCALE
    if locale in LOCALES:
        return locale
    tag = locale.replace("_", "-").lower()
    for known in LOCALES:
        if known.lower() == tag:
            return known
    for alias, known in _ALIASES.items():
        if tag == alias or tag.startswith(alias + "-"):
            return known
    language = tag.split("-")[0]
    for known in LOCALES:
        if known.lower().split("-")[0] == language:
            return known
    return DEFAULT_LOCALE


def cldr_locale(locale: str | None) -> str:
    """The CLDR identifier of ``locale`` for Babel's locale data ("zh-TW" -> "zh_TW")."""
    return normalise_locale(locale).replace("-", "_")


class CatalogMissing(PtrackError):
    """A language's compiled catalog (.mo) is not installed (a checkout used without
    ``pip install``): the CLI prints how to compile it and exits 2."""


# locale argument as given -> {key: text, or (plural forms, plural rule)}; filled on first use
_TABLES: dict[str | None, dict] = {}
# keys asked for that no catalog has (the tests fail on any)
MISSING_KEYS: set[str] = set()


def catalog_path(locale: str):
    """The compiled catalog of ``locale`` inside the package: a plain file next to this module
    (importlib.resources, ~12 ms to import, only when the package is not a folder, e.g. a zip)."""
    parts = ("locale", locale.replace("-", "_"), "LC_MESSAGES", DOMAIN + ".mo")
    from pathlib import Path

    here = Path(__file__).parent
    if here.is_dir():
        return here.joinpath(*parts)
    from importlib import resources  # pragma: no cover - a zipped package

    return resources.files("ptrack").joinpath(*parts)  # pragma: no cover


def _read_catalog(locale: str) -> dict:
    import gettext

    path = catalog_path(locale)
    try:
        with path.open("rb") as f:
            translations = gettext.GNUTranslations(f)
    except FileNotFoundError:
        raise CatalogMissing(
            f"the {locale} message catalog is not compiled ({path} is missing); in a development "
            "checkout run `python scripts/i18n.py compile` (or `pip install -e .` again)") from None
    # GNUTranslations keeps a plural message's forms under (msgid, index); one entry per key here.
    table: dict = {}
    plural_forms: dict[str, dict[int, str]] = {}
    for key, text in translations._catalog.items():
        if isinstance(key, tuple):
            plural_forms.setdefault(key[0], {})[key[1]] = text
        elif key:  # "" is the catalog's header
            table[key] = text
    for key, forms in plural_forms.items():
        table[key] = (tuple(forms[i] for i in range(len(forms))), translations.plural)
    return table


# language tag -> its own catalog's messages, read on first use
_OWN: dict[str, dict] = {}


def _own(tag: str) -> dict:
    table = _OWN.get(tag)
    if table is None:
        table = _OWN[tag] = _read_catalog(tag)
    return table


def _table(locale: str | None) -> dict:
    """The messages of ``locale``: its own catalog, read once, which ``_fallback`` fills from
    its fallback languages' catalogs message by message (a complete catalog never reads another:
    ``ptrack validate`` reads one)."""
    table = _TABLES.get(locale)
    if table is None:
        tag = normalise_locale(locale)
        table = _TABLES.get(tag)
        if table is None:
            table = _TABLES[tag] = dict(_own(tag))
        _TABLES[locale] = table
    return table


def _fallback(locale: str | None, table: dict, key: str):
    """``key``'s text from the first fallback language of ``locale`` that has it (kept in
    ``table`` for the next time), else None."""
    for fallback in LOCALES[normalise_locale(locale)]:
        text = _own(fallback).get(key)
        if text is not None:
            table[key] = text
            return text
    return None


class Message:
    """A message whose language is chosen when it is said: its key and values. Library code that
    cannot know the reader's language (a parser error, ptrack.yaml's problems, a note of the git
    layer, an error raised deep down) returns or raises one; whoever prints it says it in the
    command's language (``say``). ``str()`` of a message is its English text (logs, ``repr`` in
    tests). Values may be messages themselves, said in the same language. Made with ``M_``."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, values: dict) -> None:
        self.key = key
        self.values = values

    def text(self, locale: str | None) -> str:
        return t(locale, self.key, **{name: say(value, locale) for name, value in self.values.items()})

    def __str__(self) -> str:
        return self.text("en")

    def __repr__(self) -> str:
        return f"M_({self.key!r}, {self.values!r})"

    def _identity(self) -> tuple:
        return (self.key, tuple(sorted((k, repr(v)) for k, v in self.values.items())))

    def __eq__(self, other) -> bool:
        return isinstance(other, Message) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())


def M_(key: str, /, **values) -> Message:
    """The message ``key`` with ``values``, to be said later in the reader's language (see
    ``Message``); extraction finds the key as it finds ``t``'s."""
    return Message(key, values)


def said_in(message: Message, locale: str | None):
    """``message`` said in ``locale`` now when one is given, else the message itself, to be said
    in the command's language when printed (an error raised before the campaign is read)."""
    return message.text(normalise_locale(locale)) if locale else message


class Said(str):
    """A message that is also its English text: a ``str`` (it compares, joins, logs and prints as
    English, as the text it replaces did) that ``say`` says in any language. For values that flow
    through code and tests as text (notify's delivery details, git's notes): ``Said(M_(...))``."""

    def __new__(cls, message) -> "Said":
        self = super().__new__(cls, str(message))
        self.message = message
        return self

    def text(self, locale: str | None) -> str:
        return say(self.message, locale)


class Joined:
    """Several messages (or texts) said one after the other, joined by ``sep`` (by default the
    language's semicolon: "; ", "；")."""

    __slots__ = ("items", "sep")

    def __init__(self, items, sep: str | None = None) -> None:
        self.items = tuple(items)
        self.sep = sep

    def text(self, locale: str | None) -> str:
        sep = t(locale, "punct.semicolon") if self.sep is None else self.sep
        return sep.join(str(say(item, locale)) for item in self.items)

    def __str__(self) -> str:
        return self.text("en")


def say(value, locale: str | None):
    """``value`` as the reader of ``locale`` reads it: a Message, an error carrying one, anything
    with a ``text(locale)`` method, in that language; anything else unchanged (a number keeps
    its format spec)."""
    if value.__class__ is Message or value.__class__ is Said:
        return value.text(locale)
    text = getattr(value, "text", None)
    if text is not None and callable(text) and not isinstance(value, (str, bytes)):
        return text(locale)
    return value


def t(locale: str | None, key: str, /, **values) -> str:
    """The message ``key`` in ``locale``, formatted with ``values``. A message with plural forms
    takes the form for its count (the ``days`` value, else ``n``) by the language's plural rule:
    "1 day", "2 days". A key no catalog has comes back as the key itself."""
    text = (_TABLES.get(locale) or _table(locale)).get(key)
    if text is None or text.__class__ is tuple:  # a fallback language's, or a plural form
        count = values.get("days", values.get("n"))
        if isinstance(count, float) and count.is_integer():
            count = int(count)
        text = template(locale, key, count)
    return text.format(**values) if values else text


def template(locale: str | None, key: str, count: int | None = None) -> str:
    """The text of message ``key`` in ``locale`` unformatted, its placeholders left for the caller
    (click formats its own messages); a plural message's form for ``count``."""
    table = _TABLES.get(locale) or _table(locale)
    text = table.get(key)
    if text is None:
        text = _fallback(locale, table, key)
    if text is None:
        MISSING_KEYS.add(key)
        return key
    if text.__class__ is tuple:
        forms, plural = text
        index = plural(count) if isinstance(count, int) else len(forms) - 1
        return forms[min(index, len(forms) - 1)]
    return text


# The file system's refusals, in words (errno name -> message key); anything else in the system's words.
_OS_ERRORS = {
    "ENOENT": N_("os.no_such_file"), "EACCES": N_("os.permission_denied"), "EPERM": N_("os.permission_denied"),
    "ENOSPC": N_("os.disk_full"), "EDQUOT": N_("os.disk_full"), "EROFS": N_("os.read_only"),
    "EISDIR": N_("os.is_a_directory"), "ENOTDIR": N_("os.not_a_directory"), "EEXIST": N_("os.exists"),
    "ENAMETOOLONG": N_("os.name_too_long"), "EMFILE": N_("os.too_many_files"), "ENFILE": N_("os.too_many_files"),
    "EIO": N_("os.io_error"), "ENOTEMPTY": N_("os.not_empty"), "EXDEV": N_("os.cross_device"), "EBUSY": N_("os.busy"),
    "ETXTBSY": N_("os.busy"),
}


def os_problem(exc: OSError, *, with_file: bool = True):
    """An OSError as a message: ``site/index.html: no space left on the disk`` (without the file
    name: ``with_file=False``, for a message that names it already); an errno without words of
    ptrack's in the system's own."""
    import errno

    key = _OS_ERRORS.get(errno.errorcode.get(exc.errno or 0, ""))
    reason = M_(key) if key else (exc.strerror or str(exc))
    return M_("os.error_at", file=str(exc.filename), reason=reason) if exc.filename and with_file else reason


def days_text(locale: str | None, days: int) -> str:
    """Schedule variance in words: "落后 3 个工作日" / "2 working days ahead" / "on plan"."""
    if days > 0:
        return t(locale, NP_("days.behind"), n=days)
    if days < 0:
        return t(locale, NP_("days.ahead"), n=-days)
    return t(locale, "days.on_plan")


def link_text(locale: str | None, kind: str, lag: int) -> str:
    """A ``depends_on`` link in words: "完成-开始 +2 个工作日" / "start-to-start" /
    "finish-to-start −1 working day" (``kind``: fs or ss; ``lag`` in working days)."""
    name = t(locale, f"link.{kind}")
    if not lag:
        return name
    return t(locale, NP_("link.lag"), type=name, lag=f"+{lag}" if lag > 0 else f"\u2212{-lag}", n=abs(lag))


def link_suffix(locale: str | None, kind: str, lag: int) -> str:
    """`` (finish-to-start +2 working days)`` after a date or a name; "" for a plain link
    (finish-to-start, no lag), which needs no words."""
    if kind == "fs" and not lag:
        return ""
    return t(locale, "punct.paren", text=link_text(locale, kind, lag))


_LINK_KEYS = (N_("link.fs"), N_("link.ss"))  # link_text builds them from the type


@functools.lru_cache(maxsize=4096)
def day_text(locale: str | None, day, as_of) -> str:
    """"today", "tomorrow", else "Thu 18 Apr" / "4月18日（周四）" / "4月18日（週四）": the catalog's
    date pattern (notify.date_pattern, CLDR syntax) with the names of weekdays and months from
    Babel's locale data (imported here, on first use). ``day`` and ``as_of`` are dates. Kept for
    the next call with the same arguments: a build asks for the same few days thousands of times."""
    from datetime import timedelta

    if day == as_of:
        return t(locale, "notify.today")
    if day == as_of + timedelta(days=1):
        return t(locale, "notify.tomorrow")
    from babel.dates import format_date

    return format_date(day, t(locale, "notify.date_pattern"), locale=cldr_locale(locale))


def fmt_number(value: float | None, unit: str | None = None) -> str:
    """1234567.0 -> '1,234,567'; 2.5 -> '2.5'; with a unit: '2.5%' or '78 家'."""
    if value is None:
        return "-"
    if abs(value - round(value)) < 1e-9:
        text = f"{int(round(value)):,}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if unit:
        return f"{text}{unit}" if unit in ("%", "‰") else f"{text} {unit}"
    return text


def fmt_points(value: float) -> str:
    """Progress numbers as shown in tables: one decimal, '-0.0' never appears."""
    return f"{value + 0.0:.1f}"


NO_VALUE = "—"  # a figure that does not apply (a cancelled task's deviation), the same in every output


def fmt_deviation(value: float | None) -> str:
    """A deviation as shown everywhere: signed, one decimal (``-6.3``, ``+0.0``); ``—`` for none
    (a cancelled task has no deviation)."""
    return NO_VALUE if value is None else f"{value + 0.0:+.1f}"


# The seed's tracking table: its 18 columns in order, then the columns ptrack adds so that an
# export can be imported back without loss. (key, Chinese header, English header).
TRACKING_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "任务名称", "Task"),
    ("description", "任务描述", "Description"),
    ("module", "所属模块", "Module"),
    ("owner", "主责任人", "Owner"),
    ("collaborators", "协同责任人", "Collaborators"),
    ("department", "对接部门", "Department"),
    ("planned_start", "计划开始时间", "Planned start"),
    ("planned_end", "计划结束时间", "Planned end"),
    ("actual_start", "实际开始时间", "Actual start"),
    ("actual_end", "实际结束时间", "Actual end"),
    ("planned_progress", "计划进度(%)", "Planned progress (%)"),
    ("actual_progress", "实际进度(%)", "Actual progress (%)"),
    ("deviation", "进度偏差(%)", "Deviation (%)"),
    ("status", "当前状态", "Status"),
    ("risk", "风险问题", "Risk"),
    ("solution", "解决方案", "Solution"),
    ("risk_due", "解决时限", "Deadline"),
    ("notes", "备注", "Notes"),
)
EXTRA_TRACKING_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "任务编号", "Task ID"),
    ("channels", "渠道", "Channels"),
    ("depends_on", "前置任务", "Depends on"),
    ("kind", "任务类型", "Kind"),  # work / timebox / event, by its label (kind.<id>)
    ("health", "健康度", "Health"),
    ("days_behind", "落后工作日", "Working days behind"),
    # the campaign's calendar on every row: the working days its planned progress counts (an
    # import of the export then computes the same planned progress)
    ("calendar", "工作日历", "Calendar"),
)


# The headers in the catalogs, sheet.<key>: those of zh-CN and en are the two sets above (a test
# keeps them equal); another language's are read by `ptrack import` as well.
SHEET_KEYS = (
    N_("sheet.name"), N_("sheet.description"), N_("sheet.module"), N_("sheet.owner"), N_("sheet.collaborators"),
    N_("sheet.department"), N_("sheet.planned_start"), N_("sheet.planned_end"), N_("sheet.actual_start"),
    N_("sheet.actual_end"), N_("sheet.planned_progress"), N_("sheet.actual_progress"), N_("sheet.deviation"),
    N_("sheet.status"), N_("sheet.risk"), N_("sheet.solution"), N_("sheet.risk_due"), N_("sheet.notes"),
    N_("sheet.id"), N_("sheet.channels"), N_("sheet.depends_on"), N_("sheet.kind"), N_("sheet.health"),
    N_("sheet.days_behind"),
    N_("sheet.calendar"),
)


def tracking_headers(locale: str | None, *, extra: bool = True) -> list[str]:
    """The tracking sheet's column headers in ``locale`` (message ``sheet.<key>``)."""
    columns = TRACKING_COLUMNS + (EXTRA_TRACKING_COLUMNS if extra else ())
    return [t(locale, "sheet." + c[0]) for c in columns]
