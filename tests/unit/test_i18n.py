"""The message catalogs (src/ptrack/locale/<lang>/LC_MESSAGES/ptrack.po) and ``t()``: every
message the code uses is in every catalog and translated in zh-CN and en, no catalog holds a
stale or fuzzy entry, the compiled .mo files are those of the .po files, plural forms, the
zh-TW fallback, a new language from a .po file and one line, and ``ptrack validate`` loading
neither Babel nor a catalog."""

from __future__ import annotations

import gettext
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from ptrack import i18n
from ptrack.i18n import LOCALES, fmt_number, fmt_points, normalise_locale, t

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "src" / "ptrack" / "locale"


def _tool():
    """scripts/i18n.py, the catalogs' maintenance script, as a module."""
    spec = importlib.util.spec_from_file_location("ptrack_i18n_tool", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _po(locale: str):
    path = LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "ptrack.po"
    with path.open("rb") as f:
        return read_po(f, locale=locale.replace("-", "_"))


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


@pytest.fixture
def fresh_tables(monkeypatch):
    """t() with no catalog read yet (each test that swaps catalogs starts from nothing)."""
    monkeypatch.setattr(i18n, "_TABLES", {})
    monkeypatch.setattr(i18n, "_OWN", {})


def test_the_catalogs_match_what_the_code_extracts():
    # scripts/i18n.py check: every key of t("..."), _("...") in the templates and N_/NP_ markers
    # is in every catalog; no catalog has a key no code uses, a fuzzy or obsolete entry, a
    # plural message without forms, or a placeholder the English text does not have.
    assert _tool().check_catalogs() == []


@pytest.mark.parametrize("locale, forms", [("en", 2), ("zh-CN", 1)])
def test_every_message_has_its_translation_in_en_and_zh_cn(locale, forms):
    catalog = _po(locale)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 300
    assert catalog.num_plurals == forms
    untranslated = [_key(m) for m in messages
                    if not (all(m.string) if isinstance(m.id, tuple) else m.string)]
    assert untranslated == []
    assert [_key(m) for m in messages if m.fuzzy] == []
    assert [_key(m) for m in messages if isinstance(m.id, tuple) and len(m.string) != forms] == []


def test_every_catalog_has_the_same_keys():
    keys = {locale: {_key(m) for m in _po(locale) if m.id} for locale in LOCALES}
    assert keys["en"] == keys["zh-CN"] == keys["zh-TW"]


@pytest.mark.parametrize("locale", list(LOCALES))
def test_the_compiled_catalog_is_that_of_the_po_file(locale):
    # The .mo the package reads holds exactly the translated messages of the .po. If this fails
    # after editing a .po: python scripts/i18n.py compile.
    expected = {}
    for m in _po(locale):
        if not m.id or m.fuzzy:
            continue
        if isinstance(m.id, tuple):
            if all(m.string):
                expected[m.id[0]] = tuple(m.string)
        elif m.string:
            expected[m.id] = m.string
    compiled = {key: value[0] if isinstance(value, tuple) else value
                for key, value in i18n._read_catalog(locale).items()}
    assert compiled == expected, "the .mo is stale: run `python scripts/i18n.py compile`"


def test_plural_forms_follow_the_count_and_the_language():
    assert t("en", "days.behind", n=1) == "1 working day behind"
    assert t("en", "days.behind", n=2) == "2 working days behind"
    assert t("en", "days.behind", n=0) == "0 working days behind"
    assert t("zh-CN", "days.behind", n=1) == "落后 1 个工作日"
    # the count is ``days`` when the message has it, else ``n``
    assert t("en", "rule.milestone-missed", name="M", date="2024-03-01", days=1) == \
        'milestone "M" was due 2024-03-01 and is not achieved (1 day late)'
    assert t("en", "git.baseline-slip", name="T", end="2024-03-09", days=2, rev="v1", baseline="2024-03-07",
             count=1, who="Wang") == ('task "T" now ends 2024-03-09, 2 working days later than in the baseline '
                                     "v1 (2024-03-07); moved later 1 times, by Wang")
    # 1.0 counts as one; a message without a count takes the general form
    assert t("en", "html.in_days", n=1.0) == "in 1 day"
    assert t("en", "html.in_days") == "in {n} days"


def test_plain_messages_and_placeholders():
    assert t("zh-CN", "html.as_of", date="2024-03-01") == "数据截至 2024-03-01"
    assert t("en", "html.as_of", date="2024-03-01") == "As of 2024-03-01"
    assert t("zh-TW", "html.as_of", date="2024-03-01") == "資料截至 2024-03-01"
    assert t("en", "html.skip") == "Skip to content"  # no values: the text as it is


def test_a_key_no_catalog_has_comes_back_as_the_key_and_is_recorded():
    assert t("en", "no.such.key") == "no.such.key"
    assert "no.such.key" in i18n.MISSING_KEYS
    i18n.MISSING_KEYS.discard("no.such.key")  # (the conftest fixture fails a test that leaves one)


@pytest.mark.parametrize("given, expected", [
    (None, "zh-CN"), ("", "zh-CN"), ("zh-CN", "zh-CN"), ("en", "en"), ("zh-TW", "zh-TW"),
    ("zh_tw", "zh-TW"), ("zh-Hant", "zh-TW"), ("zh-Hant-HK", "zh-TW"), ("zh-HK", "zh-TW"),
    ("zh-Hans", "zh-CN"), ("zh", "zh-CN"), ("zh-SG", "zh-CN"), ("en-GB", "en"), ("EN", "en"), ("fr", "zh-CN"),
])
def test_normalise_locale(given, expected):
    assert normalise_locale(given) == expected


def test_zh_tw_falls_back_to_zh_cn_then_en(fresh_tables, monkeypatch):
    # A zh-TW catalog with one message, and zh-CN without html.skip: zh-TW's own text first,
    # then zh-CN's, then en's.
    real = i18n._read_catalog

    def read(locale):
        table = real(locale)
        if locale == "zh-TW":
            return {"html.as_of": "資料截至 {date}"}
        if locale == "zh-CN":
            table = dict(table)
            del table["html.skip"]
        return table

    monkeypatch.setattr(i18n, "_read_catalog", read)
    assert t("zh-TW", "html.as_of", date="2024-03-01") == "資料截至 2024-03-01"
    assert t("zh-TW", "html.portfolio") == "项目组合"  # zh-CN's
    assert t("zh-TW", "html.skip") == "Skip to content"  # en's
    assert t("zh-CN", "html.skip") == "Skip to content"


def test_each_catalog_is_read_once(fresh_tables, monkeypatch):
    reads = []
    real = i18n._read_catalog
    monkeypatch.setattr(i18n, "_read_catalog", lambda locale: reads.append(locale) or real(locale))
    for _ in range(3):
        t("zh-TW", "html.skip")
        t("zh-tw", "html.skip")
        t("zh-CN", "html.skip")
    # each language's own catalog, once; a complete catalog needs no other (a fallback is read
    # only for a message the language lacks: test_zh_tw_falls_back_to_zh_cn_then_en)
    assert reads == ["zh-TW", "zh-CN"]


def test_a_missing_compiled_catalog_is_a_clear_error(fresh_tables, monkeypatch, tmp_path):
    monkeypatch.setattr(i18n, "catalog_path", lambda locale: tmp_path / "none.mo")
    with pytest.raises(i18n.CatalogMissing, match=r"scripts/i18n.py compile"):
        t("en", "html.skip")


def test_a_new_language_is_a_po_file_and_one_line(fresh_tables, monkeypatch, tmp_path):
    """What README's "Add a language" says, for Japanese: `scripts/i18n.py init ja` writes a
    catalog with every key (empty), with the English texts as comments and Japanese plural rules;
    the translator fills some; one line in LOCALES; compiled, ja shows its messages and
    English for the rest."""
    tool = _tool()
    monkeypatch.setattr(tool, "LOCALE_DIR", tmp_path)
    (tmp_path / "en" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "en" / "LC_MESSAGES" / "ptrack.po").write_bytes(
        (LOCALE_DIR / "en" / "LC_MESSAGES" / "ptrack.po").read_bytes())
    assert tool.main(["init", "ja"]) == 0
    po = tmp_path / "ja" / "LC_MESSAGES" / "ptrack.po"
    text = po.read_text(encoding="utf-8")
    assert '#. en: Skip to content\n#: src/ptrack/render/templates/base.html.j2\nmsgid "html.skip"\nmsgstr ""\n' in text
    assert "Plural-Forms: nplurals=1; plural=0;" in text
    text = text.replace('msgid "html.skip"\nmsgstr ""', 'msgid "html.skip"\nmsgstr "本文へスキップ"')
    text = text.replace('msgid "days.behind"\nmsgid_plural "days.behind"\nmsgstr[0] ""',
                        'msgid "days.behind"\nmsgid_plural "days.behind"\nmsgstr[0] "{n} 営業日遅れ"')
    po.write_text(text, encoding="utf-8")
    tool.compile_(None)  # .po -> .mo, as the build does

    monkeypatch.setitem(LOCALES, "ja", ("en",))  # the one line
    monkeypatch.setattr(i18n, "catalog_path",
                        lambda locale: tmp_path / locale.replace("-", "_") / "LC_MESSAGES" / "ptrack.mo")
    assert t("ja", "html.skip") == "本文へスキップ"
    assert t("ja", "days.behind", n=1) == "1 営業日遅れ"
    assert t("ja", "html.as_of", date="2024-03-01") == "As of 2024-03-01"  # not translated yet: English
    assert normalise_locale("ja-JP") == "ja"


def test_the_schema_offers_every_language():
    schema = json.loads((ROOT / "src" / "ptrack" / "schema" / "campaign.schema.json").read_text(encoding="utf-8"))
    locale = schema["definitions"]["campaign"]["properties"]["locale"]
    assert locale["enum"] == list(LOCALES)
    for tag in LOCALES:
        assert tag in locale["description"]


@pytest.mark.parametrize("locale", list(LOCALES))
def test_numbers_and_lists_are_written_as_the_locale_data_of_babel_says(locale):
    """fmt_number and fmt_points write "." and "," themselves (they also fill CSV, XLSX and
    JSON): right for every language here, as CLDR's data says. A language whose numbers differ
    (de: 1.234,5) fails here first. The list separator is the catalog's punct.list; it must be
    CLDR's too."""
    data = Locale.parse(locale.replace("-", "_"))
    assert data.number_symbols["latn"]["decimal"] == "."
    assert data.number_symbols["latn"]["group"] == ","
    for value in (0, 7, 12.5, 1234, 1234567, 1234567.25, 0.05):
        assert fmt_number(value) == format_decimal(value, "#,##0.##", locale=data)
    for value in (0, 7, 12.5, 99.25):
        assert fmt_points(value) == format_decimal(value, "0.0", locale=data)
    middle = data.list_patterns["standard"]["middle"]
    assert t(locale, "punct.list") == middle.replace("{0}", "").replace("{1}", "")


def test_validate_reads_one_catalog_and_imports_no_babel():
    # `ptrack validate` of a valid file prints one line, "1 个活动文件均有效", in the campaign's
    # language: it reads that one catalog (not its fallbacks) and never pays for Babel (the
    # pre-commit hook runs it on every commit).
    code = (
        "import sys\n"
        "from ptrack.cli import main\n"
        "try:\n"
        "    main(['validate', sys.argv[1]])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "from ptrack import i18n\n"
        "print(code, sorted(m for m in sys.modules if m == 'babel' or m.startswith('babel.')), sorted(i18n._OWN))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT / "examples" / "campaign.yaml")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "0 [] ['zh-CN']"


def test_the_sheet_headers_of_zh_cn_and_en_are_the_interchange_sets():
    # TRACKING_COLUMNS are the seed sheet's headers, the ones `ptrack import` reads first; the
    # catalogs' sheet.<key> (what exports and the site write) must be the same in zh-CN and en.
    from ptrack.i18n import EXTRA_TRACKING_COLUMNS, TRACKING_COLUMNS, tracking_headers

    columns = TRACKING_COLUMNS + EXTRA_TRACKING_COLUMNS
    assert tracking_headers("zh-CN") == [zh for _, zh, _ in columns]
    assert tracking_headers("en") == [en for _, _, en in columns]
    assert tracking_headers("zh-TW")[:3] == ["任務名稱", "任務描述", "所屬模組"]


def test_adding_a_message_is_update_then_set(tmp_path):
    """README's "Adding a message", on a copy of the sources: a new key in the code is found by
    `update` (added empty to every catalog; check fails until it has its texts), `set` writes
    the texts and compiles, and check passes."""
    for name in ("src", "scripts"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("babel.cfg", "setup.py"):
        shutil.copy2(ROOT / name, tmp_path / name)
    html = tmp_path / "src" / "ptrack" / "render" / "html.py"
    html.write_text(html.read_text(encoding="utf-8") + '\n\ndef _new(locale):\n    return t(locale, "html.new_label")\n',
                    encoding="utf-8")

    def tool(*args):
        return subprocess.run([sys.executable, str(tmp_path / "scripts" / "i18n.py"), *args],
                              capture_output=True, text=True, timeout=120)

    update = tool("update")
    assert update.returncode == 0, update.stderr
    assert "en: added html.new_label" in update.stdout and "zh-TW: added html.new_label" in update.stdout
    assert "src/ptrack/locale/zh_CN/LC_MESSAGES/ptrack.po: html.new_label: untranslated" in update.stdout
    assert tool("check").returncode == 1
    done = tool("set", "html.new_label", "en=New label", "zh-CN=新标签", "zh-TW=新標籤")
    assert done.returncode == 0, done.stderr
    check = tool("check")
    assert check.returncode == 0, check.stdout
    with (tmp_path / "src/ptrack/locale/zh_TW/LC_MESSAGES/ptrack.mo").open("rb") as f:
        assert gettext.GNUTranslations(f).gettext("html.new_label") == "新標籤"


@pytest.mark.parametrize("locale, expected", [("en", "Thu 18 Apr"), ("zh-CN", "4月18日（周四）"),
                                              ("zh-TW", "4月18日（週四）")])
def test_notify_dates_take_weekday_and_month_names_from_cldr(locale, expected):
    from datetime import date

    from ptrack.i18n import day_text

    # 2024-04-18 was a Thursday; the catalog gives the pattern, Babel's CLDR data the names
    assert day_text(locale, date(2024, 4, 18), date(2024, 4, 10)) == expected
    assert day_text(locale, date(2024, 4, 10), date(2024, 4, 10)) == t(locale, "notify.today")
    assert day_text(locale, date(2024, 4, 11), date(2024, 4, 10)) == t(locale, "notify.tomorrow")
