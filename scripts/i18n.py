#!/usr/bin/env python3
"""Keep ptrack's message catalogs in step with the code (Babel).

    python scripts/i18n.py update          extract the keys from the code and templates, add new
                                           ones to every catalog (empty), drop removed ones,
                                           compile; prints what changed and what is untranslated
    python scripts/i18n.py set KEY en="..." zh-CN="..."   write translations of one key
    python scripts/i18n.py set KEY --plural en="1 day" en="{n} days" zh-CN="{n} 天"
    python scripts/i18n.py check           exit 1 unless every catalog matches the code: no
                                           missing, stale, fuzzy or untranslated message (en and
                                           zh-CN complete; another language may leave messages
                                           empty for its fallbacks)
    python scripts/i18n.py compile         .po -> .mo (pip install does this too)
    python scripts/i18n.py extract [-o F]  write the template (.pot) only
    python scripts/i18n.py init LANG       start the catalog of a new language (e.g. ja)

Message ids are keys ("html.as_of"); a catalog's msgstr is the text with {name} placeholders.
Keys are found in calls ``t(locale, "key", ...)`` (keyword ``t:2``), ``_("key")`` in the Jinja2
templates (jinja2.ext.i18n), and ``N_("key")`` markers for keys built at run time;
``NP_("key")`` marks a message with plural forms. The same with plain pybabel:

    PYTHONPATH=scripts pybabel extract -F babel.cfg -k t:2 -k N_ -k NP_:1,1 -k M_ --no-location -o build/ptrack.pot .
    pybabel update -i build/ptrack.pot -d src/ptrack/locale -D ptrack --no-fuzzy-matching --ignore-obsolete
    pybabel compile -d src/ptrack/locale -D ptrack
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.util
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE_DIR = ROOT / "src" / "ptrack" / "locale"
MAPPING = ROOT / "babel.cfg"
DOMAIN = "ptrack"
KEYWORDS = {"t": (2,), "N_": None, "NP_": (1, 1), "M_": None, "_": None, "gettext": None, "ngettext": (1, 2)}
SOURCE_LANGUAGE = "en"  # its texts are copied into the other catalogs as comments for translators
COMPLETE = ("en", "zh-CN")  # every message translated; another language may leave some to its fallbacks
PLACEHOLDER = re.compile(r"(?<!\{)\{(\w*)[^{}]*\}")


def _locales() -> dict[str, tuple[str, ...]]:
    sys.path.insert(0, str(ROOT / "src"))
    from ptrack.i18n import LOCALES

    return LOCALES


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract_python(fileobj, keywords, comment_tags, options):
    """Babel extraction method for Python sources, by syntax tree rather than tokens: it also
    finds the calls inside f-strings (``f"## {t(loc, 'report.goals')}"``), which Babel's
    tokenizer-based extractor does not see on Python < 3.12. Yields every positional argument
    of a call to a keyword function (None where it is not a string literal); Babel picks the
    message by the keyword's spec."""
    tree = ast.parse(fileobj.read().decode(options.get("encoding", "utf-8")))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in keywords:
            args = tuple(a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                         for a in node.args)
            if args:
                yield node.lineno, node.func.id, args, []


def extract() -> Catalog:
    """The template: every key the code and templates use, with where it is used (files only:
    line numbers would change the catalogs on every edit)."""
    with MAPPING.open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    # babel.cfg names this script's extract_python ("i18n:extract_python", importable by pybabel
    # with PYTHONPATH=scripts); here the function itself
    method_map = [(pattern, extract_python if method == "i18n:extract_python" else method)
                  for pattern, method in method_map]
    template = Catalog(project="ptrack", domain=DOMAIN, fuzzy=False)
    # Babel warns about every t(loc, f"status.{x}"): by design here (N_ markers list those keys)
    with contextlib.redirect_stderr(io.StringIO()):
        for filename, lineno, message, comments, context in extract_from_dir(
                str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
            if not message or (isinstance(message, tuple) and not message[0]):
                continue
            template.add(message, None, [(filename, None)], auto_comments=comments, context=context)
    return template


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale or path.parent.parent.name)


def write(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, sort_output=True, include_lineno=False, ignore_obsolete=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)


def _text(message) -> str:
    string = message.string
    if isinstance(string, (list, tuple)):
        return " | ".join(string)
    return string or ""


def _with_source_comments(template: Catalog) -> Catalog:
    """The template with each message's English text as a translator comment."""
    source = read(po_path(SOURCE_LANGUAGE))
    for message in template:
        if message.id and (found := source.get(message.id)) is not None and _text(found):
            message.auto_comments = [f"{SOURCE_LANGUAGE}: {_text(found)}"]
    return template


HEADER = """\
# ptrack's messages in {language} ({tag}).
# msgid is the message key, msgstr its text; keep the {{placeholders}}. After editing, run
# `python scripts/i18n.py check` (and `compile` to see the change); see README, "Messages".
#"""


def new_catalog(locale: str) -> Catalog:
    from babel import Locale

    babel_locale = Locale.parse(locale.replace("-", "_"))
    return Catalog(locale=babel_locale, project="ptrack", version="", domain=DOMAIN, fuzzy=False,
                   header_comment=HEADER.format(language=babel_locale.english_name, tag=locale),
                   msgid_bugs_address="", last_translator="", language_team="")


def update(args) -> int:
    template = extract()
    locales = _locales()
    for locale in locales:
        path = po_path(locale)
        if not path.exists():
            print(f"{path}: missing; run `python scripts/i18n.py init {locale}`", file=sys.stderr)
            return 1
    changed = False
    # English first: its texts become the comments of the others
    for locale in sorted(locales, key=lambda loc: loc != SOURCE_LANGUAGE):
        template = _with_source_comments(template) if locale != SOURCE_LANGUAGE else template
        path = po_path(locale)
        catalog = read(path, locale.replace("-", "_"))
        before = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        created = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.creation_date = created  # no header change on every run
        after = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        for key in sorted(after - before):
            print(f"{locale}: added {key}")
        for key, message in sorted(catalog.obsolete.items()):
            print(f"{locale}: removed {key} (was: {_text(message)!r})")
        changed |= bool(after - before) or bool(catalog.obsolete)
        write(path, catalog)
    compile_(args)
    problems = check_catalogs(template)
    for problem in problems:
        print(problem)
    if not changed:
        print("catalogs match the code")
    return 0


def set_(args) -> int:
    """Write the translations of one key into the catalogs: KEY LANG=TEXT ... (--plural: one
    LANG=TEXT per plural form, in order)."""
    locales = _locales()
    texts: dict[str, list[str]] = {}
    for item in args.texts:
        locale, sep, text = item.partition("=")
        if not sep or locale not in locales:
            print(f"{item!r}: expected LANG=TEXT with LANG one of {', '.join(locales)}", file=sys.stderr)
            return 2
        texts.setdefault(locale, []).append(text.replace("\\n", "\n"))
    for locale, strings in texts.items():
        path = po_path(locale)
        catalog = read(path)
        message = catalog.get(args.key)
        if message is None:
            print(f"{args.key}: not in {path}; use it in the code (t(locale, \"{args.key}\") or an N_ marker) "
                  "and run `python scripts/i18n.py update` first", file=sys.stderr)
            return 1
        if isinstance(message.id, (list, tuple)) != args.plural:
            kind = "has plural forms (NP_ marker): pass --plural" if not args.plural else "has no plural forms"
            print(f"{args.key}: {kind}", file=sys.stderr)
            return 2
        if args.plural:
            count = catalog.num_plurals
            if len(strings) != count:
                print(f"{locale}: {count} plural form(s) expected, got {len(strings)}", file=sys.stderr)
                return 2
            message.string = tuple(strings)
        else:
            if len(strings) != 1:
                print(f"{locale}: one text expected", file=sys.stderr)
                return 2
            message.string = strings[0]
        message.flags.discard("fuzzy")
        write(path, catalog)
        print(f"{locale}: {args.key} = {_text(message)!r}")
    compile_(args)
    return 0


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def check_catalogs(template: Catalog | None = None) -> list[str]:
    """Every problem with the catalogs, as lines: keys the code uses that a catalog lacks, keys
    a catalog has that the code no longer uses, fuzzy or untranslated messages (en and zh-CN
    complete; another language may leave some to its fallbacks), plural forms, placeholders
    unlike the English ones."""
    template = template or extract()
    locales = _locales()
    wanted = {m.id if isinstance(m.id, str) else m.id[0]: m for m in template if m.id}
    problems = []
    source = read(po_path(SOURCE_LANGUAGE))
    for locale, fallbacks in locales.items():
        path = po_path(locale)
        if not path.exists():
            problems.append(f"{path}: missing")
            continue
        catalog = read(path)
        rel = path.relative_to(ROOT)
        have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
        for key in sorted(wanted.keys() - have.keys()):
            problems.append(f"{rel}: {key}: missing (run `python scripts/i18n.py update`)")
        for key in sorted(have.keys() - wanted.keys()):
            problems.append(f"{rel}: {key}: stale, no code uses it (run `python scripts/i18n.py update`)")
        for key in sorted(catalog.obsolete):
            problems.append(f"{rel}: {key}: obsolete entry")
        for key, message in sorted(have.items()):
            if key not in wanted:
                continue
            if message.fuzzy:
                problems.append(f"{rel}: {key}: fuzzy")
            plural = isinstance(wanted[key].id, tuple)
            if plural != isinstance(message.id, (list, tuple)):
                problems.append(f"{rel}: {key}: {'needs' if plural else 'must not have'} plural forms")
                continue
            strings = list(message.string) if plural else [message.string]
            if not all(strings):
                if locale in COMPLETE or not fallbacks or any(strings):
                    problems.append(f"{rel}: {key}: untranslated")
                continue
            english = source.get(message.id)
            if english is not None and locale != SOURCE_LANGUAGE:
                expected = set().union(*(_placeholders(s) for s in
                                         (english.string if plural else [english.string])))
                for s in strings:
                    if _placeholders(s) - expected:
                        problems.append(f"{rel}: {key}: placeholders {sorted(_placeholders(s) - expected)} "
                                        f"are not in the English text")
    return problems


def check(args) -> int:
    problems = check_catalogs()
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def compile_(args) -> int:
    spec = importlib.util.spec_from_file_location("ptrack_setup", ROOT / "setup.py")
    setup = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup)  # setup.py runs setup() only as __main__
    setup.compile_catalogs(LOCALE_DIR, LOCALE_DIR, log=lambda text: None)
    return 0


def extract_(args) -> int:
    template = _with_source_comments(extract())
    out = Path(args.output)
    write(out, template)
    print(f"wrote {out}: {len(template)} messages")
    return 0


def init(args) -> int:
    locale = args.locale
    path = po_path(locale)
    if path.exists():
        print(f"{path} exists", file=sys.stderr)
        return 1
    catalog = new_catalog(locale)
    catalog.update(_with_source_comments(extract()), no_fuzzy_matching=True)
    write(path, catalog)
    print(f"wrote {path} ({len(catalog)} messages, {catalog.num_plurals} plural form(s)).\n"
          f"Translate it, then add one line to LOCALES in src/ptrack/i18n.py, e.g.\n"
          f'    "{locale}": ("en",),\n'
          f"and the tag to the locale enum of the schema (src/ptrack/schema/campaign.schema.json and "
          f"its copy schema/campaign.schema.json).")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update", help="extract, merge into every catalog, compile").set_defaults(run=update)
    sub.add_parser("check", help="exit 1 unless the catalogs match the code").set_defaults(run=check)
    sub.add_parser("compile", help=".po -> .mo").set_defaults(run=compile_)
    p = sub.add_parser("extract", help="write the template")
    p.add_argument("-o", "--output", default=str(ROOT / "build" / f"{DOMAIN}.pot"))
    p.set_defaults(run=extract_)
    p = sub.add_parser("set", help="write the translations of one key")
    p.add_argument("key")
    p.add_argument("texts", nargs="+", metavar="LANG=TEXT")
    p.add_argument("--plural", action="store_true", help="one LANG=TEXT per plural form")
    p.set_defaults(run=set_)
    p = sub.add_parser("init", help="start the catalog of a new language")
    p.add_argument("locale", metavar="LANG", help="a tag such as ja or zh-TW")
    p.set_defaults(run=init)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
