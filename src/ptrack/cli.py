"""The command line: parse options, resolve the as-of date, call one pipeline function, pick a
reporter, exit. Exit codes: 0 clean; 1 invalid input or a finding at failing severity; 2 usage
error. Heavy modules are imported inside the commands so that ``ptrack --help`` and
``ptrack validate`` start fast.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import date

import click

from ptrack import __version__
from ptrack.errors import UsageError
from ptrack.i18n import LOCALES, M_, N_
from ptrack.process import echo, echo_data, say_line

CHECK_FORMATS = ("text", "github", "json", "junit", "codequality")  # ptrack.reporters.CHECK_REPORTERS
# Where `check` writes GitLab's Code Quality report under GitLab CI when no --format is given
# (the name GitLab's own templates use; .gitlab-ci.yml's artifacts:reports:codequality names it).
CODEQUALITY_FILE = "gl-code-quality-report.json"
STATUS_FORMATS = ("table", "json", "markdown")
GROUP_BY = ("module", "owner", "department", "channel")
LANGS = tuple(LOCALES)  # every language with a message catalog
INIT_LANGS = ("zh-CN", "en")  # the languages of init's sample files
INIT_FORGES = ("github", "gitlab")  # ptrack.forge.scaffold.FORGES (not imported: --help stays fast)


def resolve_as_of(option: str | None) -> date:
    """``--as-of`` wins, then ``PTRACK_AS_OF``, then today. The only clock read in ptrack."""
    for source, value in (("--as-of", option), ("PTRACK_AS_OF", os.environ.get("PTRACK_AS_OF"))):
        if value:
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise UsageError(not_a_date(source, value)) from None
    return date.today()


def not_a_date(source: str, value: str):
    """``--as-of: "2024/10/1" is not a date; write 2024-10-01`` (the fix when the date is only
    written another way), in the command's language."""
    from ptrack.core.hints import as_date

    fixed = as_date(value)
    if fixed is not None:
        return M_("cli.not_a_date_fix", option=source, value=value, fixed=fixed)
    return M_("cli.not_a_date", option=source, value=value)


def _config():
    from ptrack.core.config import load_config

    return load_config()


def _files(paths, config, lang: str | None = None):
    """The campaign files of PATHS (or ptrack.yaml's glob); the command's language is then settled:
    --lang, else ptrack.yaml's locale, else the first campaign's (ptrack.process.command_locale)."""
    from ptrack.core.config import campaign_files

    files = campaign_files(paths, config)
    if not (lang or config.locale):
        from ptrack.process import sniff_file_locale, set_command_locale

        set_command_locale(sniff_file_locale(files[0]))
    return files


# Formats that are data for another program: written exactly as they are. The others are for
# people and go through echo, which shows control characters instead of obeying them.
DATA_FORMATS = frozenset({"json", "csv", "junit", "codequality", "html"})


def _report(text: str, fmt: str, color: bool | None = None) -> None:
    """A command's report on stdout, in format ``fmt``."""
    if fmt in DATA_FORMATS:
        echo_data(text)
    else:
        echo(text, nl=False, color=color)


def _print_diagnostics(diagnostics) -> None:
    for d in diagnostics:
        echo(d.format_text(), err=True)


def _warn(message) -> None:
    """``ptrack: warning: …`` / ``ptrack：警告：…`` on stderr, in the command's language."""
    echo(say_line(N_("cli.warning"), message=message), err=True)


as_of_option = click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
                            help="Compute as of the end of this day (default: $PTRACK_AS_OF, else today).")
lang_option = click.option("--lang", type=click.Choice(LANGS),
                           help="Language of labels and messages (default: each campaign's locale).")
paths_argument = click.argument("paths", nargs=-1, type=click.Path())
baseline_option = click.option(
    "--baseline", metavar="REV",
    help="Compare each task's dates with the campaign at REV (a commit, branch or tag; `first`: the "
         "first commit that contains the campaign): baseline dates, slip in working days, who moved them.")

# build and serve: the same options, the same meaning
font_option = click.option(
    "--font", "font_file", metavar="FILE", type=click.Path(exists=True, dir_okay=False),
    help="Font file for Chinese text in the charts (default: a CJK font found on the system).")
site_baseline_option = click.option(
    "--baseline", metavar="REV",
    help="Baseline the Gantt, status.json and dashboard compare each task's dates with: a commit, "
         "branch or tag, or `first` (the first commit that contains the campaign). Default: "
         "`first` for each campaign file git knows, and no baseline for one it does not. Given "
         "explicitly, a baseline that cannot be found is an error (exit 2, nothing written), as "
         "for `status --baseline`. `none`: no baseline.")


def _site_baseline(option: str | None) -> tuple[str | None, bool]:
    """``--baseline`` of build and serve as ``build_files`` takes it: (revision, "first" or None
    for none; whether it must be found: only when given explicitly)."""
    rev = (option or "").strip() or "first"
    off = rev.lower() == "none"
    return (None if off else rev), bool(option) and not off


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="ptrack")
def cli() -> None:
    """Track marketing campaigns as code.

    A campaign is a YAML file in git. ptrack validates it, computes where every task stands
    against the plan as of a date, and fails CI when the plan is in trouble.

    PATHS are campaign files or folders; with none, the `campaigns` glob of ptrack.yaml (default
    campaigns/*.yaml) is used. Exit codes: 0 clean, 1 invalid input or failing findings,
    2 usage error.
    """


@cli.command()
@paths_argument
@click.option("--lang", type=click.Choice(LANGS),
              help="Language of the messages (default: each campaign's locale; the summary line: ptrack.yaml's "
                   "locale, else the first campaign's).")
def validate(paths, lang) -> None:
    """Check campaign files against the schema and the format's rules.

    Prints every problem as `file:line:col: severity [code] message` (the severity and the message
    in the campaign's language: `错误 [schema] 任务 poster-draft 的 progress：…`). Exits 1 when any
    file has an error.
    """
    from ptrack.process import run_validate  # also run without click: see ptrack.launch

    sys.exit(run_validate(paths, echo, lang=lang))


@cli.command()
@paths_argument
@as_of_option
@click.option("--format", "fmt", type=click.Choice(STATUS_FORMATS), default="table", show_default=True,
              help="Output format; json has the shape of the site's status.json.")
@click.option("--by", type=click.Choice(GROUP_BY), help="Roll tasks up by this field instead of listing them.")
@lang_option
@click.option("--color", type=click.Choice(("auto", "always", "never")), default="auto", show_default=True,
              help="Colour the health columns (auto: on a terminal unless NO_COLOR is set).")
@baseline_option
def status(paths, as_of, fmt, by, lang, color, baseline) -> None:
    """Where each campaign stands: planned vs actual progress, deviation, status, health, float and the critical path."""
    from ptrack.pipeline import status_of
    from ptrack.reporters import STATUS_REPORTERS

    config = _config()
    files = _files(paths, config, lang)
    day = resolve_as_of(as_of)
    use_color = color == "always" or (color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    notes: list[str] = []
    report = status_of(files, config, day, by=by, locale=lang or None, color=use_color and fmt == "table",
                       baseline=baseline, notes=notes)
    _print_notes(notes)
    _print_diagnostics(report.diagnostics)
    if report.snapshots:
        # color= keeps the codes when --color always meets a pipe
        _report(STATUS_REPORTERS[fmt](report), fmt, color=use_color)
    sys.exit(1 if any(d.severity.value == "error" for d in report.diagnostics) else 0)


@cli.command()
@paths_argument
@as_of_option
@click.option("--format", "fmt", type=click.Choice(CHECK_FORMATS), default=None,
              help="Output format (default: github under GitHub Actions, else text). codequality: GitLab's "
                   "Code Quality JSON, with fingerprints that stay the same when lines move.")
@click.option("--report", "reports", multiple=True, metavar="FORMAT=FILE",
              help="Also write the findings in FORMAT (one of --format's) to FILE, e.g. "
                   "--report junit=ptrack-junit.xml; repeatable. Written even when the check fails.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@lang_option
@baseline_option
def check(paths, as_of, fmt, reports, strict, lang, baseline) -> None:
    """Validate, then run the checks: overdue risks, tasks behind plan, missed milestones...

    Exits 1 on any error (with --strict, any warning). Under GitHub Actions the findings are
    annotations on the YAML lines and a Markdown summary goes to $GITHUB_STEP_SUMMARY. Under
    GitLab CI (GITLAB_CI=true) with no --format, the findings go to the log as text and GitLab's
    Code Quality report to gl-code-quality-report.json (unless a --report codequality=FILE says
    where).
    """
    from ptrack.pipeline import check_files
    from ptrack.reporters import CHECK_REPORTERS, check_step_summary

    targets = _report_targets(reports)
    if fmt is None:
        if os.environ.get("GITHUB_ACTIONS") == "true":
            fmt = "github"
        else:
            fmt = "text"
            if os.environ.get("GITLAB_CI") == "true" and not any(f == "codequality" for f, _ in targets):
                targets.append(("codequality", CODEQUALITY_FILE))
    config = _config()
    files = _files(paths, config, lang)
    day = resolve_as_of(as_of)
    notes: list[str] = []
    report = check_files(files, config, day, strict=strict, locale=lang or None, baseline=baseline, notes=notes)
    _report(CHECK_REPORTERS[fmt](report), fmt)
    if targets:
        from ptrack.fsutil import atomic_write

        for target_fmt, path in targets:
            atomic_write(path, CHECK_REPORTERS[target_fmt](report))
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            with open(summary_path, "a", encoding="utf-8") as fh:
                fh.write(check_step_summary(report))
                fh.write(_pull_request_diff(files, config, day, lang, notes) or "")
        except OSError as exc:
            from ptrack.process import os_error_text

            _warn(M_("check.step_summary_unwritable", file=summary_path, reason=os_error_text(exc, with_file=False)))
    _print_notes(notes)
    sys.exit(1 if report.failed else 0)


def _report_targets(reports) -> list[tuple[str, str]]:
    """``--report FORMAT=FILE`` values as (format, file); a bad one is a usage error."""
    targets = []
    for value in reports:
        name, sep, path = value.partition("=")
        name = name.strip()
        if not sep or not path.strip():
            raise UsageError(M_("check.report_option", value=value))
        if name not in CHECK_FORMATS:
            raise UsageError(M_("check.report_format", name=name, formats=", ".join(CHECK_FORMATS)))
        targets.append((name, path))
    return targets


@cli.command()
def schema() -> None:
    """Print the JSON Schema of campaign files (for editors and other tools)."""
    from ptrack.core.validate import schema_text

    echo_data(schema_text())


@cli.command()
@paths_argument
@as_of_option
@click.option("--out", "out_dir", default="site", show_default=True, metavar="DIR",
              type=click.Path(file_okay=False), help="Folder to write the site into (created when missing).")
@click.option("--lang", type=click.Choice(LANGS),
              help="Language of every page and file (default: each campaign's locale; the portfolio "
                   "uses ptrack.yaml's locale, else zh-CN).")
@font_option
@site_baseline_option
@click.option("--site-url", metavar="URL",
              help="Address the site is published at, e.g. https://acme.github.io/plans (default: "
                   "ptrack.yaml's site_url). DIR/schema/campaign-1.schema.json then names itself "
                   "URL/schema/campaign-1.schema.json in its $id.")
def build(paths, as_of, out_dir, lang, font_file, baseline, site_url) -> None:
    """Build the static status site: portfolio, dashboards, charts, reports, exports.

    Writes DIR/index.html (every campaign) and, per campaign, DIR/<id>/index.html, report.md,
    gantt.png/.svg, trend.png, goals.png, status.json, tracking.csv and tracking.xlsx, plus
    DIR/status.json, DIR/assets/ and DIR/schema/campaign-1.schema.json (the campaign schema, for
    editors). The dashboard's Gantt is interactive (zoom, collapsible modules, dependency arrows,
    the critical path, each task's columns on hover or focus, a click to its tracking-table row);
    gantt.png/.svg are for reports and chat. The pages work from file:// with no network. Same
    inputs (files and git history) and --as-of give byte-identical files.

    From git history, when a campaign file is committed: trend.png draws actual progress per
    day with commits against the planned S-curve, the Gantt draws baseline bars, the dashboard
    shows slips and who last updated each task. Outside git the site is built without them and
    says why.

    Files the previous build wrote into DIR and this one does not (a campaign taken out,
    Gantt pages no longer needed) are removed; DIR/.ptrack-build lists what was written. Other
    files in DIR are left alone.

    If any campaign is invalid, its problems are printed, nothing is written (the last site
    stays as it was) and the exit code is 1.
    """
    from ptrack.render.worker import ChartWorker

    # First thing: the chart process imports matplotlib while this one reads and computes.
    with ChartWorker() as worker:
        _build(worker, paths, as_of, out_dir, lang, font_file, baseline, site_url)


def _build(worker, paths, as_of, out_dir, lang, font_file, baseline, site_url) -> None:
    import warnings
    from pathlib import Path

    from ptrack.render.fonts import find_cjk_font, missing_glyphs_warning
    from ptrack.render.site import build_files

    config = _config()
    files = _files(paths, config, lang)
    day = resolve_as_of(as_of)
    if site_url is not None and site_url.strip():
        from ptrack.core.config import site_url_problem

        problem = site_url_problem(site_url, "--site-url")
        if problem:
            raise UsageError(problem)
        site_url = site_url.strip().rstrip("/")
    else:
        site_url = None  # "" (e.g. an unset workflow variable): ptrack.yaml's site_url
    font = find_cjk_font(font_file)
    if font.warning:
        _warn(font.warning)
    rev, required = _site_baseline(baseline)
    # The libraries' warnings (matplotlib's "Glyph … missing from font(s)" with a line of our source)
    # are not for users: they are collected here, and what matters is said once, in ptrack's words.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = build_files(files, config, Path(out_dir), as_of=day, lang=lang, font=font,
                             baseline=rev, baseline_required=required,
                             progress=_progress_bar(), site_url=site_url, worker=worker)
    glyphs = None if font.warning else missing_glyphs_warning(str(w.message) for w in caught)
    if glyphs:
        _warn(glyphs)
    _print_notes(report.notes)
    _print_diagnostics(report.diagnostics)
    if report.result is None:
        echo(say_line(N_("build.nothing_built")), err=True)
        sys.exit(1)
    from ptrack.process import command_locale

    echo(report.result.summary(command_locale()))
    for problem in report.result.problems:
        _warn(M_("build.not_removed", problem=problem))
    sys.exit(0)


@cli.command()
@paths_argument
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, metavar="N",
              help="Port on 127.0.0.1 to serve on; 0 picks a free one.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Compute as of the end of this day (default: $PTRACK_AS_OF, else today: then the "
                   "preview follows the clock and rebuilds on its own when the day changes).")
@click.option("--lang", type=click.Choice(LANGS),
              help="Language of every page (default: each campaign's locale, as for build).")
@font_option
@site_baseline_option
def serve(paths, port, as_of, lang, font_file, baseline) -> None:
    """Preview the status site while editing: build, serve on 127.0.0.1, rebuild on save.

    Builds the site as `ptrack build` does into a temporary folder and serves it at
    http://127.0.0.1:N/ (the URL is printed). The campaign files and ptrack.yaml are watched: a
    save rebuilds the site and reloads the open pages. A save with problems keeps the last good
    build and shows them, file:line:col, over the page until the file is fixed. Only the pages
    sent to the browser carry the small reload script; the built files are those of `ptrack build`.

    Only requests that name the preview as 127.0.0.1:N, localhost:N or [::1]:N in their Host
    header are answered (400 otherwise), so a page of another site cannot read it through the
    browser. A connection must send its request within 10 s; at most 64 are served at once.

    Ctrl-C (or SIGTERM) stops it, removes the temporary folder and exits 0. A port in use is a
    usage error (exit 2), as is a --baseline given that cannot be found.
    """
    from ptrack.render.fonts import find_cjk_font
    from ptrack.process import command_locale
    from ptrack.serve import serve_site

    config = _config()
    _files(paths, config, lang)  # a missing file or an empty glob is a usage error now, not a page
    if as_of or os.environ.get("PTRACK_AS_OF"):
        day = resolve_as_of(as_of)
        today, follow = (lambda: day), False
    else:
        today, follow = date.today, True  # the CLI's clock, read again before each build
    font = find_cjk_font(font_file)
    if font.warning:
        _warn(font.warning)
    rev, required = _site_baseline(baseline)
    sys.exit(serve_site(paths, today=today, follow_clock=follow, lang=lang, port=port, font=font,
                        locale=command_locale(), out=echo, err=lambda line: echo(line, err=True),
                        baseline=rev, baseline_required=required))


EXPORT_FORMATS = ("csv", "xlsx", "mermaid", "ics")


@cli.command()
@click.argument("path", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="csv/xlsx: the seed's tracking table; mermaid: the Gantt; ics: milestones and deadlines.")
@click.option("-o", "--output", required=True, metavar="FILE", help="File to write; - for stdout (not xlsx).")
@as_of_option
@lang_option
def export(path, fmt, output, as_of, lang) -> None:
    """Export one campaign: the tracking table (CSV, XLSX), the Mermaid Gantt or an iCalendar file.

    Writes FILE atomically. An invalid campaign prints its problems, writes nothing and exits 1;
    so does an XLSX with a text longer than an Excel cell holds (32,767 characters: the task,
    the column and the line are named; CSV has no such limit).
    """
    from pathlib import Path

    from ptrack.pipeline import load_all, snapshots_of
    from ptrack.exporters import BINARY_FORMATS, export_bytes
    from ptrack.sheets.tabular import CellTooLong

    if Path(path).is_dir():
        raise UsageError(M_("cli.one_file", path=path, command="export"))
    if output == "-" and fmt in BINARY_FORMATS:
        raise UsageError(M_("export.needs_file", format=fmt))
    config = _config()
    files = _files([path], config, lang)
    day = resolve_as_of(as_of)
    results = load_all(files, config, lang)
    _print_diagnostics(d for r in results for d in r.diagnostics)
    notes: list[str] = []
    snapshots = snapshots_of(files, results, day, policy_defaults=config.policy, notes=notes, locale=lang or None)
    _print_notes(notes)
    if not snapshots:
        sys.exit(1)
    try:
        data = export_bytes(snapshots[0], fmt, locale=lang or None)
    except CellTooLong as exc:  # nothing is written: a cut text would not read back
        for message in exc.messages:
            echo(message, err=True)
        sys.exit(1)
    if output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        from ptrack.fsutil import atomic_write

        try:
            atomic_write(output, data)
        except OSError as exc:
            from ptrack.process import os_error_text

            raise UsageError(M_("export.cannot_write", file=output, reason=os_error_text(exc, with_file=False))) from None
        echo(say_line(N_("export.wrote"), file=output), err=True)
    sys.exit(0)


@cli.command("import")
@click.argument("source", metavar="FILE", type=click.Path())
@click.option("-o", "--output", required=True, metavar="FILE.yaml", help="The campaign file to write.")
@click.option("--id", "campaign_id", metavar="ID", help="Campaign id (default: from the output file name).")
@click.option("--name", metavar="NAME", help="Campaign name (default: the sheet's title row, else the file name).")
@click.option("--calendar", metavar="CAL", help="none, weekends (default) or a country code such as CN.")
@click.option("--lang", type=click.Choice(LANGS),
              help="The campaign's locale and the language of messages (default: that of the headers).")
@click.option("--year", type=click.IntRange(1900, 2200),
              help="Year of dates written without one, such as 3月1日 (default: the most common year "
                   "of the sheet's other dates).")
@click.option("--sheet", metavar="NAME",
              help="Worksheet of an .xlsx file (default: the active one if it has a header row, else the "
                   "first that does, hidden sheets last; a note names it).")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
def import_(source, output, campaign_id, name, calendar, lang, year, sheet, force) -> None:
    """Import the tracking sheet (CSV or XLSX; Chinese or English headers) as a campaign file.

    Every bad cell is reported by its sheet cell (tracking.xlsx!H7: ...) and nothing is written
    while any cell is bad (exit 1). What is skipped is said by cell too: hidden rows, cells under
    no header, formulas saved without a computed value. The output starts with the schema line
    for editors, passes `ptrack validate` and is written atomically.
    """
    from ptrack.i18n import NP_, t
    from ptrack.sheets.importer import check_output, import_table, write_campaign

    check_output(output, force=force)
    from ptrack.process import command_locale

    result = import_table(source, output=output, campaign_id=campaign_id, name=name,
                          calendar=calendar, locale=lang, year=year, sheet=sheet, message_locale=command_locale())
    for note in result.notes:
        echo(note, err=True)
    if not result.ok:
        for problem in result.problems:
            echo(problem, err=True)
        echo(t(result.locale, NP_("import.failed"), n=len(result.problems), file=result.source), err=True)
        sys.exit(1)
    write_campaign(result, output)
    campaign = result.data["campaign"]
    echo(t(result.locale, "import.wrote", path=output, tasks=result.tasks, people=result.people,
                 start=campaign["start"], end=campaign["end"]))
    sys.exit(0)


def _date_option(option: str, value: str | None, today: date) -> date | None:
    """A date option: YYYY-MM-DD, or ``today`` (``today``: the as-of date the CLI resolved)."""
    if value is None:
        return None
    if value.strip().lower() == "today":
        return today
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(not_a_date(option, value)) from None


@cli.command()
@click.argument("path", type=click.Path(), required=False)
@click.argument("task_id", required=False)
@click.option("--progress", type=click.FloatRange(0, 100), metavar="N", help="Actual progress, 0-100.")
@click.option("--start", metavar="D", help="Actual start (YYYY-MM-DD or 'today').")
@click.option("--end", metavar="D", help="Actual end (YYYY-MM-DD or 'today'); progress, if present, becomes 100.")
@click.option("--done", type=click.FloatRange(min=0), metavar="N", help="quantity.done of the task.")
@click.option("--resolve-risk", metavar="REF",
              help="Mark a risk resolved on --date: its id, or its number in the list (1 = the first); "
                   "a risk of TASK_ID, or without TASK_ID one of the campaign's own risks.")
@click.option("--note", metavar="TEXT", help="Add TEXT to the task's notes, dated --date ('2024-04-16 TEXT').")
@click.option("--goal", "goal_id", metavar="ID", help="Record a measurement of this goal (with --value).")
@click.option("--value", metavar="V", help="The measured value of --goal.")
@click.option("--milestone", "milestone_id", metavar="ID",
              help="Record a milestone: --achieved D and/or --result GOAL=VALUE.")
@click.option("--achieved", metavar="D", help="The day --milestone was reached (YYYY-MM-DD or 'today').")
@click.option("--result", "results", multiple=True, metavar="GOAL=VALUE",
              help="A goal's value at --milestone, e.g. exposure=2000000 (repeatable).")
@click.option("--date", "on", metavar="YYYY-MM-DD",
              help="The day recorded for a risk resolution, a goal measurement and a note (default: the as-of "
                   "date: --as-of, else $PTRACK_AS_OF, else today).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="The day of the update: the default of --date and 'today', the day whose facts say which "
                   "tasks a re-plan finds started, and the day the figures of --from-issue are computed for "
                   "(default: $PTRACK_AS_OF, else today).")
@click.option("--from-issue", "from_issue", metavar="EVENT.json|BODY.md", type=click.Path(dir_okay=False),
              help="Apply a submitted update or risk form: a GitHub issues event (the workflow's "
                   "$GITHUB_EVENT_PATH: authorise, edit, commit, reply, close), a GitLab Issues webhook's payload "
                   "($TRIGGER_PAYLOAD: the issue it names, read from GitLab's API), or the issue's Markdown body "
                   "(applied to the working tree here). See docs/intake.md.")
@click.option("--from-open-issues", "open_issues", is_flag=True,
              help="GitLab: apply every open update or risk form of the project (the intake job of .gitlab-ci.yml, "
                   "started by a pipeline trigger or a schedule). The API and the project come from GitLab CI's "
                   "variables, the token from PTRACK_INTAKE_TOKEN. See docs/gitlab.md.")
@click.option("--mode", type=click.Choice(("pr", "commit")),
              help="With an event or --from-open-issues: open a pull/merge request (pr) or commit to the default "
                   "branch (commit); default: intake.mode of ptrack.yaml, else pr.")
@click.option("--planned-start", metavar="D",
              help="Re-plan: the task's new planned start; it keeps its working days (its end moves too) "
                   "unless --planned-end is given as well.")
@click.option("--planned-end", metavar="D", help="Re-plan: the task's new planned end.")
@click.option("--cascade", is_flag=True,
              help="With --planned-*: move the successors that have not started as far as their dependencies "
                   "(lags and types, the calendar) force them; started tasks and fixed-date events do not move "
                   "and are listed.")
@click.option("--reason", metavar="TEXT",
              help="With --planned-*: why the plan changed (改期原因), written to planned.reason of every task "
                   "that moves; diff, history, the baseline's slips and retro show it.")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--lang", type=click.Choice(LANGS), help="Language of the messages (default: the campaign's locale).")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=30, show_default=True, metavar="S",
              help="Seconds to wait while another command is changing the same file.")
def update(path, task_id, progress, start, end, done, resolve_risk, note, goal_id, value, milestone_id, achieved,
           results, on, as_of, from_issue, open_issues, mode, planned_start, planned_end, cascade, reason,
           dry_run, lang, lock_timeout) -> None:
    """Update a task, a risk, a milestone or a goal, editing PATH in place; or apply an update form.

    \b
      ptrack update PATH TASK_ID [--progress N] [--start D] [--end D] [--done N]
                                 [--resolve-risk REF] [--note TEXT] [--date D]
      ptrack update PATH --resolve-risk REF [--date D]          (a campaign-level risk)
      ptrack update PATH --milestone ID [--achieved D] [--result GOAL=VALUE ...]
      ptrack update PATH --goal ID --value V [--date D]
      ptrack update PATH TASK_ID --planned-end D | --planned-start D [--cascade] [--reason TEXT]
                                 [--dry-run]
      ptrack update --from-issue EVENT.json|BODY.md [--mode pr|commit]
      ptrack update --from-open-issues [--mode pr|commit]       (GitLab)

    Dates: --date (a risk's resolution, a measurement, the note's date) defaults to the as-of
    date (--as-of, else $PTRACK_AS_OF, else today), and so does the word 'today'.

    Re-planning (--planned-start, --planned-end; --start and --end stay the actual dates):
    without --cascade only TASK_ID moves, and the successors whose plan that breaks are named
    with the command that moves them. With --cascade the successors that have not started move,
    transitively, only as far as their dependencies force them (float is consumed, nothing moves
    earlier, lags and the calendar count); started and done tasks stay and are listed as
    conflicts; fixed-date events never move (check reports them as event-at-risk); unrelated
    tasks are not touched. One atomic write. --dry-run prints the moves and writes nothing.

    Only the values that change are rewritten: comments, key order, quoting, blank lines and
    every other byte stay as they were. The result is validated first: an edit that would make
    the file invalid is refused (exit 1) and the file is left untouched. The file is locked
    while it is read, edited and written, so updates running at the same time (a workflow per
    update form, say) run one after the other and none is lost. A link is followed: the file it
    points to is updated and the link stays.
    """
    from ptrack.edit.update import (campaign_risk_operations, goal_operations, milestone_operations, parse_number,
                                    parse_result, parse_risk_ref, task_operations)

    from ptrack.process import command_locale

    today = resolve_as_of(as_of)
    loc = command_locale()  # --lang, else ptrack.yaml's locale, else the campaign's (PATH's)
    replanning = planned_start is not None or planned_end is not None
    if from_issue is not None or open_issues:
        given = [name for name, v in (("PATH", path), ("TASK_ID", task_id), ("--progress", progress),
                                      ("--start", start), ("--end", end), ("--done", done),
                                      ("--resolve-risk", resolve_risk), ("--note", note), ("--goal", goal_id),
                                      ("--value", value), ("--milestone", milestone_id), ("--achieved", achieved),
                                      ("--date", on), ("--planned-start", planned_start),
                                      ("--planned-end", planned_end), ("--reason", reason))
                 if v is not None] + (["--result"] if results else []) + (["--cascade"] if cascade else []) \
            + (["--dry-run"] if dry_run else [])
        if from_issue is not None and open_issues:
            given.append("--from-open-issues")
        if given:
            raise UsageError(M_("update.from_issue_extra", options=", ".join(given)))
        if open_issues:
            _update_from_gitlab(None, today, mode=mode, lang=lang, lock_timeout=lock_timeout, locale=loc)
        _update_from_issue(from_issue, today, mode=mode, lang=lang, lock_timeout=lock_timeout, locale=loc)
        return
    if mode is not None:
        raise UsageError(M_("update.mode_without_issue"))
    if path is None:
        raise UsageError(M_("update.no_path"))
    day = _date_option("--date", on, today) if on else today
    task_options = (progress, start, end, done, note)
    milestone_given = milestone_id is not None or achieved is not None or results
    if (cascade or reason is not None) and not replanning:
        raise UsageError(M_("update.usage.cascade_needs_plan"))
    if replanning:
        if goal_id is not None or value is not None or milestone_given or task_id is None:
            raise UsageError(M_("update.usage.replan_needs_task"))
        if any(v is not None for v in task_options) or resolve_risk is not None:
            raise UsageError(M_("update.usage.replan_alone"))
        _replan(path, task_id, _date_option("--planned-start", planned_start, today),
                _date_option("--planned-end", planned_end, today), cascade=cascade, reason=reason, dry_run=dry_run,
                as_of=today, lang=lang, lock_timeout=lock_timeout)
        return
    if goal_id is not None:
        if task_id is not None or any(v is not None for v in task_options) or resolve_risk is not None \
                or milestone_given:
            raise UsageError(M_("update.usage.goal_or_task"))
        if value is None:
            raise UsageError(M_("update.usage.goal_needs_value"))
        operations = goal_operations(goal_id, parse_number(value, "--value"), day)
    elif value is not None:
        raise UsageError(M_("update.usage.value_needs_goal"))
    elif milestone_given:
        if milestone_id is None:
            raise UsageError(M_("update.milestone_options"))
        if task_id is not None or any(v is not None for v in task_options) or resolve_risk is not None:
            raise UsageError(M_("update.milestone_or_task"))
        if achieved is None and not results:
            raise UsageError(M_("update.milestone_needs"))
        operations = milestone_operations(milestone_id, achieved=_date_option("--achieved", achieved, today),
                                          results=tuple(parse_result(r) for r in results))
    elif task_id is None:
        if any(v is not None for v in task_options):
            raise UsageError(M_("update.task_needed"))
        if resolve_risk is None:
            raise UsageError(M_("update.no_task_id"))
        operations = campaign_risk_operations(parse_risk_ref(resolve_risk), day)
    else:
        if all(v is None for v in task_options) and resolve_risk is None:
            raise UsageError(M_("update.usage.nothing"))
        operations = task_operations(task_id, on=day, progress=progress,
                                     start=_date_option("--start", start, today),
                                     end=_date_option("--end", end, today), done=done,
                                     resolve_risk=parse_risk_ref(resolve_risk) if resolve_risk is not None else None,
                                     note=note)
    _apply_update(path, operations, lang=lang, lock_timeout=lock_timeout, dry_run=dry_run)


def _apply_update(path, operations, *, lang, lock_timeout, dry_run: bool = False) -> None:
    """Edit ``path`` with ``operations`` through the one editor; print the summary; exit."""
    from ptrack.edit.campaign import summary
    from ptrack.edit.engine import edit_file
    from ptrack.i18n import t

    config = _config()
    result = edit_file(path, operations, locale=lang, policy_defaults=config.policy, lock_timeout=lock_timeout,
                       dry_run=dry_run)
    _refused_update(result)
    echo(summary(result))
    if dry_run and result.changed:
        echo(t(result.locale, "update.dry_run"))
    sys.exit(0)


def _refused_update(result) -> None:
    """Exit 1 with the problems when the editor refused the update (or the file was invalid)."""
    from ptrack.i18n import N_, t

    if result.diagnostics:
        _print_diagnostics(result.diagnostics)
        reason = t(result.locale, N_("update.invalid_before") if result.invalid_before else N_("update.refused"))
        echo(t(result.locale, "cli.plain", message=t(result.locale, "update.not_updated", file=result.file,
                                                      reason=reason)), err=True)
        sys.exit(1)


def _replan(path, task_id, start, end, *, cascade, reason, dry_run, as_of, lang, lock_timeout) -> None:
    """``ptrack update PATH TASK --planned-start/--planned-end [--cascade] [--reason] [--dry-run]``."""
    import shlex

    from ptrack.edit.engine import edit_file
    from ptrack.edit.replan import Replan, replan_text

    operation = Replan(task_id, as_of, start=start, end=end, cascade=cascade, reason=reason)
    result = edit_file(path, [operation], locale=lang, policy_defaults=_config().policy, lock_timeout=lock_timeout,
                       dry_run=dry_run)
    _refused_update(result)
    [plan] = result.notes
    rerun = None
    if plan.broken:
        words = ["ptrack", "update", str(path), task_id]
        words += ["--planned-start", start.isoformat()] if start is not None else []
        words += ["--planned-end", end.isoformat()] if end is not None else []
        words += ["--reason", reason] if reason else []
        rerun = " ".join(shlex.quote(w) for w in words + ["--cascade"])
    echo(replan_text(result, plan, dry_run=dry_run, rerun=rerun, reason=reason), nl=False)
    sys.exit(0)


def _update_from_issue(source: str, day: date, *, mode, lang, lock_timeout, locale) -> None:
    """``ptrack update --from-issue``: an event of the forge's workflow, or a body alone."""
    from ptrack.forge.intake import read_issue_source

    kind, data = read_issue_source(source, locale=locale)
    if kind == "body":
        from ptrack.forge.intake import apply_body_here

        outcome = apply_body_here(data, day, config=_config(), locale=lang, lock_timeout=lock_timeout)
        echo(outcome.text, nl=not outcome.text.endswith("\n"), err=outcome.exit_code != 0)
        sys.exit(outcome.exit_code)
    if "object_attributes" in data:  # a GitLab webhook's payload
        _update_from_gitlab(data, day, mode=mode, lang=lang, lock_timeout=lock_timeout, locale=locale)
    from ptrack.forge.github import intake_from_event

    result = intake_from_event(data, day, env=os.environ, mode=mode, locale=lang, lock_timeout=lock_timeout,
                               message_locale=locale)
    for line in result.lines:
        echo(line, err=result.exit_code != 0)
    sys.exit(result.exit_code)


def _update_from_gitlab(payload, day: date, *, mode, lang, lock_timeout, locale) -> None:
    """GitLab's intake: the issue a webhook's payload names, or (None) every open form."""
    from ptrack.forge.gitlab import intake_from_payload, intake_open_issues

    options = dict(env=os.environ, mode=mode, locale=lang, message_locale=locale, lock_timeout=lock_timeout)
    run = intake_open_issues(day, **options) if payload is None else intake_from_payload(payload, day, **options)
    for line in run.lines:
        echo(line, err=run.exit_code != 0)
    sys.exit(run.exit_code)


@cli.command()
@click.argument("source", metavar="SOURCE.yaml", type=click.Path())
@click.option("-o", "--output", required=True, metavar="NEW.yaml", help="The new campaign file to write.")
@click.option("--to", "to", required=True, metavar="D", help="The new date of the anchor (YYYY-MM-DD).")
@click.option("--anchor", metavar="ID|D",
              help="The day in SOURCE that becomes --to: a milestone id (its date), a task id (its planned "
                   "start; a milestone of the same id comes first) or a date (default: the campaign start).")
@click.option("--id", "campaign_id", metavar="ID", help="The new campaign's id (default: from the output file name).")
@click.option("--name", metavar="NAME",
              help="The new campaign's name (default: the source's, with the anchor's year as --to's).")
@click.option("--person", "persons", multiple=True, metavar="OLD=NEW[:NAME]",
              help="Hand OLD's work to NEW (repeatable). NEW one of the people already, or a new id with its "
                   "name: --person wang-xue=li-na:李娜.")
@click.option("--calendar", metavar="CAL", help="The new campaign's calendar (default: the source's).")
@click.option("--force", is_flag=True, help="Overwrite NEW.yaml if it exists.")
@click.option("--dry-run", is_flag=True, help="Print the table of what would move; write nothing.")
@click.option("--lang", type=click.Choice(LANGS), help="Language of the messages (default: the campaign's locale).")
def clone(source, output, to, anchor, campaign_id, name, persons, calendar, force, dry_run, lang) -> None:
    """Plan the next campaign from SOURCE: a new file with every date moved to --to.

    Dates of work and timebox tasks keep their signed working-day offset from the anchor (the
    source calendar around the anchor, the new calendar around --to): "10 working days before
    launch" stays 10 working days before launch across holidays and make-up days. A task's start
    on a day off counts from its first working day, an end on a day off from its last. Events,
    milestones, goal dates and the campaign window keep their calendar-day offset. Actual dates,
    progress, quantities and deliverables done, risk resolutions, milestone achievements and
    results, goal measurements, money spent, on-hold and the retro are cleared; ids, structure,
    comments and order are kept. The new file is validated before it is written; the table shows
    every date that moved and the offset it kept.

    The source's calendar_overrides count for its offsets; the new file keeps those in its own
    years. When the new years are after the last published holiday schedule of the holidays
    package (CN: China's schedules with make-up working days), the table ends with the calendar-estimated
    notice: write the published schedule under campaign.calendar_overrides.
    """
    from pathlib import Path

    from ptrack.core.calendars import check_calendar_code
    from ptrack.core.people import ID as ID_PATTERN
    from ptrack.edit.clone import Clone, clone_text, parse_person
    from ptrack.edit.engine import edit_file

    day = _date_option("--to", to, date.today())
    if anchor is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", anchor.strip()):
        _date_option("--anchor", anchor, day)
    problem = check_calendar_code(calendar) if calendar is not None else None
    if problem:
        raise UsageError(M_("config.at", where="--calendar", problem=problem))
    new_id = campaign_id or Path(output).stem
    if not ID_PATTERN.fullmatch(new_id):
        raise UsageError(M_("import.bad_id_option", id=new_id) if campaign_id
                         else M_("clone.usage.file_not_id", file=Path(output).name))
    try:
        people = tuple(parse_person(p) for p in persons)
    except ValueError as exc:
        raise UsageError(M_("clone.usage.person", text=str(exc))) from None
    if Path(output).resolve() == Path(source).resolve():
        raise UsageError(M_("clone.usage.same_file"))
    operation = Clone(day, new_id, anchor=anchor.strip() if anchor else None, name=name, persons=people,
                      calendar=calendar)
    result = edit_file(source, [operation], output=output, overwrite=force, dry_run=dry_run, locale=lang,
                       policy_defaults=_config().policy)
    if result.diagnostics:
        from ptrack.i18n import N_, t

        _print_diagnostics(result.diagnostics)
        key = N_("clone.invalid_source") if result.invalid_before else N_("clone.refused")
        echo(t(result.locale, "cli.plain", message=t(result.locale, key, file=result.file, output=output)), err=True)
        sys.exit(1)
    [report] = result.notes
    echo(clone_text(result, report, source=result.file, dry_run=dry_run), nl=False)
    sys.exit(0)


# -- git: history, diff, retro (ptrack.git.history, ptrack.git.diff, ptrack.git.retro) --------------------

HISTORY_FORMATS = ("json", "csv")
DIFF_FORMATS = ("markdown", "json")
RETRO_FORMATS = ("markdown", "html")
NOTIFY_FORMATS = ("text", "json")


def _print_notes(notes) -> None:
    """``ptrack: note: …`` for each note (text, or a Message said in the command's language), once."""
    for note in dict.fromkeys(notes or ()):
        echo(say_line(N_("cli.note"), note=note), err=True)


def _progress_bar():
    """A progress callback drawing on stderr once a long run passes a second, on a terminal only."""
    if not sys.stderr.isatty():
        return None
    import time

    started = time.monotonic()

    def show(done: int, total: int) -> None:
        if total <= 0 or time.monotonic() - started < 1.0:
            return
        width = 30
        filled = width * done // total
        end = "\n" if done >= total else ""
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        sys.stderr.write("\r" + say_line(N_("cli.reading_history"), bar=bar) + end)
        sys.stderr.flush()

    return show


def _pull_request_diff(files, config, day, lang, notes) -> str | None:
    """The plan diff for the step summary of a pull request; never fails the check."""
    if os.environ.get("GITHUB_ACTIONS") != "true" or not os.environ.get("GITHUB_BASE_REF"):
        return None
    from ptrack.git.diff import pull_request_summary

    return pull_request_summary(files, day, policy_defaults=config.policy, locale=lang or None, notes=notes)


@cli.command()
@paths_argument
@as_of_option
@click.option("--format", "fmt", type=click.Choice(HISTORY_FORMATS), default="json", show_default=True,
              help="json: points per campaign; csv: a row per point for the campaign and each task.")
@click.option("--lang", type=click.Choice(LANGS),
              help="Language of the messages and notes (default: each campaign's locale).")
def history(paths, as_of, fmt, lang) -> None:
    """Progress over time from git: one point per day with commits, computed as of that day.

    Each point is the last version of the file that day on the current branch (merged pull
    requests count on the day they were merged): planned, actual and deviation for the campaign
    and each task. Days after the as-of date are left out. A file outside git or not committed
    yet has one point, from the working tree, as of the as-of date.
    """
    from ptrack.git.history import HISTORY_REPORTERS, history_report

    config = _config()
    files = _files(paths, config, lang)
    day = resolve_as_of(as_of)
    report = history_report(files, day, policy_defaults=config.policy, progress=_progress_bar(), locale=lang,
                            default_locale=config.locale)
    _print_diagnostics(report.diagnostics)
    _print_notes(report.notes)
    _report(HISTORY_REPORTERS[fmt](report), fmt)
    sys.exit(1 if any(d.severity.value == "error" for d in report.diagnostics) else 0)


@cli.command()
@paths_argument
@click.option("--base", metavar="REV", help="The version to compare from (default: in a GitLab merge-request "
              "pipeline $CI_MERGE_REQUEST_DIFF_BASE_SHA; else the merge base with origin/$GITHUB_BASE_REF when "
              "set; else HEAD~1).")
@click.option("--head", metavar="REV", help="The version to compare to (default: the working tree).")
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="markdown", show_default=True,
              help="markdown: in words, for a review; json: one entry per change.")
@as_of_option
@lang_option
def diff(paths, base, head, fmt, as_of, lang) -> None:
    """What a change does to the plan: dates moved, progress, status, risks, milestones, goals.

    Both versions are computed as of the same day, so the diff shows the change itself. Tasks
    that did not change are not listed. Exits 1 when a version is not a valid campaign, 2 when
    there is nothing to compare (not a git repository, unknown revision).
    """
    from ptrack.git.diff import DIFF_REPORTERS, diff_files

    config = _config()
    files = _files(paths, config, lang)
    day = resolve_as_of(as_of)
    report = diff_files(files, day, base=base, head=head, policy_defaults=config.policy, locale=lang or None)
    _print_notes(report.notes)
    _report(DIFF_REPORTERS[fmt](report), fmt)
    sys.exit(1 if report.invalid else 0)


@cli.command()
@click.argument("path", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(RETRO_FORMATS), default="markdown", show_default=True,
              help="markdown or a self-contained HTML page.")
@as_of_option
@lang_option
@baseline_option
def retro(path, fmt, as_of, lang, baseline) -> None:
    """The archive and retrospective report of one campaign (the seed's step 5).

    Tasks finished early and late (working days), the most-slipped tasks from git history (how
    often, who moved the dates, when), deviation by module and department, budget outcome,
    goals, milestones, and the team's lessons from the file's `retro:` section.
    """
    from ptrack.git.retro import RETRO_REPORTERS, retro_report

    if os.path.isdir(path):
        raise UsageError(M_("cli.one_file", path=path, command="retro"))
    config = _config()
    files = _files([path], config, lang)
    day = resolve_as_of(as_of)
    report, diagnostics = retro_report(files[0], day, baseline_rev=baseline, policy_defaults=config.policy,
                                       locale=lang or None)
    _print_diagnostics(diagnostics)
    if report is None:
        sys.exit(1)
    _print_notes(report.notes)
    _report(RETRO_REPORTERS[fmt](report), fmt)
    sys.exit(0)


@cli.command()
@paths_argument
@as_of_option
@click.option("--channel", "channel_names", multiple=True, metavar="NAME",
              help="Send to this channel of notify.channels in ptrack.yaml only (repeatable; default: all).")
@click.option("--dry-run", is_flag=True,
              help="Print exactly the payloads that would be sent; send nothing, record nothing, need no secrets.")
@click.option("--format", "fmt", type=click.Choice(NOTIFY_FORMATS), default="text", show_default=True,
              help="text: per channel who got what; json: the digests and every message's outcome.")
@lang_option
@click.option("--state", "state_file", metavar="FILE", type=click.Path(dir_okay=False),
              help="The send-once record (default: notify.state of ptrack.yaml, else .ptrack/notify-sent.json "
                   "beside ptrack.yaml).")
@click.option("--no-git", is_flag=True, hidden=True, help="Do not read git history (no stale tasks).")
def notify(paths, as_of, channel_names, dry_run, fmt, lang, state_file, no_git) -> None:
    """Tell each person what needs them, and the team what the weekly review should look at.

    Per person (owners, collaborators, risk and milestone owners): tasks overdue, due or starting
    within notify.horizon_days working days (default 3), open risks due or overdue, milestones
    coming up, in-progress tasks not updated for stale_after_days (git). For the team: health
    changes since the previous working day, milestones hit or missed, the weekly-review focus,
    goals behind pace, and a link to the campaign page (site_url). Nothing to say: no message.

    Channels are configured under notify.channels in ptrack.yaml (feishu, dingtalk, wecom, slack,
    email); secrets come from the environment variables they name. Each digest goes at most once
    per person, day and channel (see --state); concurrent runs share that record under a lock.
    Each delivery is printed as it happens (with --format json on stderr; the JSON comes whole
    at the end). A message whose request went out but got no answer (a timeout) is reported
    unconfirmed: it may have arrived, and the next run sends it again. notify.deadline_s in
    ptrack.yaml bounds the whole run. Exit codes: 0 all delivered; 1 a message could not be
    delivered or confirmed, or a campaign file is invalid; 2 usage error (unknown channel, a
    needed environment variable not set).
    """
    import time

    from ptrack.notify.digest import collect_digests
    from ptrack.notify.report import NOTIFY_OUTPUTS, TextProgress
    from ptrack.notify.send import notify as run_notify
    from ptrack.process import command_locale

    started = time.monotonic()  # notify.deadline_s counts from here
    config = _config()
    files = _files(paths, config, lang)
    day = resolve_as_of(as_of)
    from ptrack.notify.send import prepare_channels, state_path

    if prepare_channels(config, channel_names, os.environ, dry_run=dry_run):  # usage errors before any work
        from ptrack.notify.send import SentState

        SentState.load(state_path(config, state_file))  # an unreadable record too
    run = collect_digests(files, config, day, locale=lang or None, git=not no_git)
    _print_notes(run.notes)
    _print_diagnostics(run.diagnostics)
    output = NOTIFY_OUTPUTS[fmt]
    # each delivery is printed (and flushed) as it happens; the ending (totals, or the JSON) at the end
    progress = TextProgress(lambda line: echo(line, err=output.progress_to_stderr), full=output.full_progress)
    report = run_notify(run, config, channel_names=channel_names, env=os.environ, dry_run=dry_run,
                        state_file=state_file, locale=lang or None, progress=progress, started=started,
                        fallback_locale=command_locale())
    _report(output.ending(report), fmt)
    for o in report.outcomes:
        if o.status in ("failed", "unconfirmed"):
            from ptrack.process import say_error

            key = N_("notify.cli.unconfirmed") if o.status == "unconfirmed" else N_("notify.cli.failed")
            recipient = o.message.recipient or M_("notify.cli.team")
            echo(say_error(M_(key, channel=o.channel, platform=o.platform, recipient=recipient,
                              digest=o.message.digest_key, detail=o.detail)), err=True)
    sys.exit(1 if report.failed else 0)


@cli.command()
@click.argument("directory", required=False, default=".", metavar="[DIR]", type=click.Path(file_okay=False))
@click.option("--lang", type=click.Choice(INIT_LANGS), default="zh-CN", show_default=True,
              help="Language of the sample campaign, the settings and the team README.")
@click.option("--name", metavar="NAME", help="The campaign's name (default: a sample name).")
@click.option("--id", "campaign_id", metavar="ID",
              help="The campaign's id and file name (default: from an ASCII --name, e.g. spring-launch; "
                   "else campaign-YYYY-MM).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Date the sample campaign around this day (default: $PTRACK_AS_OF, else today).")
@click.option("--forge", type=click.Choice(INIT_FORGES), default="github", show_default=True,
              help="Where the repository lives: github writes GitHub Actions workflows; gitlab writes "
                   ".gitlab-ci.yml (gitlab.com, self-managed GitLab, 极狐 JiHu).")
def init(directory, lang, name, campaign_id, as_of, forge) -> None:
    """Start a campaign repository in DIR (default: the current folder).

    Writes ptrack.yaml, campaigns/<id>.yaml (a small valid campaign dated around today),
    .pre-commit-config.yaml, README.md and the CI files of the forge: on GitHub
    .github/workflows/ptrack.yml (check on pull requests, status page on GitHub Pages from main)
    and .github/workflows/ptrack-notify.yml (daily digests); on GitLab .gitlab-ci.yml (check with
    Code Quality and JUnit reports and the plan diff as a comment on merge requests, status page
    on GitLab Pages, daily digests from a pipeline schedule). CI installs the ptrack version
    running now. Never overwrites: if any of these exists, nothing is written and the exit code
    is 1.
    Then .gitignore gets .ptrack/ (local state): created, or added at the end of the existing one.
    """
    from pathlib import Path

    from ptrack.forge.scaffold import FORGES
    from ptrack.i18n import t
    from ptrack.init import init_project

    day = resolve_as_of(as_of)
    result = init_project(Path(directory), lang=lang, today=day, name=name, campaign_id=campaign_id, forge=forge)
    shown = os.path.normpath(directory)
    if not result.written:
        echo(t(lang, "init.exists", dir=shown), err=True)
        for path in result.existing:
            echo(f"  {path}", err=True)
        echo(t(lang, "init.nothing_written"), err=True)
        sys.exit(1)
    echo(t(lang, "init.wrote", n=len(result.files), dir=shown))
    for f in result.files:
        echo(f"  {f.path}")
    if result.gitignore:
        from ptrack.init import GITIGNORE_MESSAGES

        echo(t(lang, GITIGNORE_MESSAGES[result.gitignore]))
    echo(t(lang, FORGES[forge].next_key, dir=shown, file=result.campaign_file))
    sys.exit(0)


@cli.command()
@paths_argument
@click.option("--lang", type=click.Choice(LANGS),
              help="Language of the forms' labels and help (default: ptrack.yaml's locale, else the campaigns' "
                   "one language, else zh-CN).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the forms differ from what would be written.")
def forms(paths, lang, check) -> None:
    """Write the update and risk forms from the campaigns.

    On GitHub (forge in ptrack.yaml): the issue forms .github/ISSUE_TEMPLATE/ptrack-update.yml
    (进度更新) and ptrack-risk.yml (报告风险); on GitLab the description templates
    .gitlab/issue_templates/进度更新.md and 报告风险.md (named in ptrack.yaml's locale, as the
    update links name them: "Progress update.md" and "Report a risk.md" in en). They are written
    in the folder of ptrack.yaml (the repository's root). Every field a link fills is a text field with a stable
    id; the campaigns' ids, tasks and people are listed in the forms' help. Run it again after
    adding campaigns, tasks or people; --check tells whether that is needed (for CI). Exit 1 when
    a campaign file is invalid (nothing written) or, with --check, when a form is out of date.
    """
    from ptrack import __version__ as version
    from ptrack.forge.forms import CampaignInfo, form_files, forms_locale
    from ptrack.fsutil import atomic_write
    from ptrack.i18n import t
    from ptrack.pipeline import load_all

    config = _config()
    results = load_all(_files(paths, config), config)
    problems = [d for r in results for d in r.diagnostics if d.severity.value == "error"]
    campaigns = [r.campaign for r in results if r.campaign is not None]
    locale = forms_locale([c.locale for c in campaigns], lang or config.locale)
    if problems:
        _print_diagnostics(problems)
        echo(t(locale, "forms.invalid"), err=True)
        sys.exit(1)
    files = form_files(config.forge, locale, [CampaignInfo.of(c) for c in campaigns], version=version,
                       repo_locale=config.locale)
    stale = []
    for f in files:
        target = config.root / f.path
        try:
            current = target.read_text("utf-8") if target.is_file() else None
        except (OSError, UnicodeDecodeError):
            current = None
        if current == f.text:
            continue
        stale.append(f.path)
        if not check:
            atomic_write(target, f.text)
    if check:
        for path in stale:
            echo(t(locale, "forms.stale", file=path), err=True)
        sys.exit(1 if stale else 0)
    echo(t(locale, "forms.wrote", files=", ".join(stale)) if stale else t(locale, "forms.unchanged"))
    sys.exit(0)


@cli.command()
@click.argument("file", required=False, default="-", metavar="[FILE]", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--key", default="plan-diff", show_default=True, metavar="NAME",
              help="Which of ptrack's comments this is (a hidden marker in it): a later run with the same "
                   "key updates that comment instead of adding one.")
@click.option("--token-env", default="PTRACK_GITLAB_TOKEN", show_default=True, metavar="VAR",
              help="The environment variable holding the GitLab access token (scope api).")
@click.option("--lang", type=click.Choice(LANGS),
              help="Language of the line that says what was done (default: ptrack.yaml's locale, else zh-CN).")
def comment(file, key, token_env, lang) -> None:
    """Post FILE (default: standard input) as ptrack's comment on the merge request of this GitLab pipeline.

    Meant for the plan diff in a merge-request pipeline (.gitlab-ci.yml by `ptrack init --forge
    gitlab`): `ptrack diff --format markdown > plan-diff.md`, then `ptrack comment plan-diff.md`.
    The first run adds a comment; each later run (a new push) updates that comment in place,
    found by a hidden marker for --key among the comments of the token's user.

    The merge request and the API come from GitLab CI's variables (CI_API_V4_URL, CI_PROJECT_ID,
    CI_MERGE_REQUEST_IID). CI_JOB_TOKEN cannot post comments: the token is a project access token
    (role Reporter, scope api) in the variable PTRACK_GITLAB_TOKEN (or --token-env); it is never
    printed. Without a token, or outside a merge-request pipeline, nothing is posted: a line says
    why and the exit code is 0. Exit 1 when GitLab refuses or cannot be reached; 2 on a usage error.
    """
    from ptrack.forge.gitlab import comment_on_merge_request

    from ptrack.process import command_locale

    locale = command_locale()  # --lang, else ptrack.yaml's locale, else the campaigns'
    if file == "-":
        text = sys.stdin.read()
    else:
        try:
            with open(file, encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            raise UsageError(M_("loader.no_such_file", file=file)) from None
        except UnicodeDecodeError:
            raise UsageError(M_("comment.not_utf8", file=file)) from None
    if not text.strip():
        raise UsageError(M_("comment.empty", file="stdin" if file == "-" else file))
    outcome = comment_on_merge_request(text, key=key, env=os.environ, token_env=token_env, locale=locale)
    echo(outcome.describe(locale))
    sys.exit(1 if outcome.failed else 0)


def main(argv=None) -> None:
    from ptrack.process import end_process, prepare_process, set_command

    prepare_process()
    set_command(sys.argv[1:] if argv is None else argv)
    try:
        _run(argv)
    finally:
        if argv is None:
            # Callers that pass argv (tests, embedding) keep their process's collector as it was.
            end_process()


def _run(argv) -> None:
    import contextlib

    from ptrack.process import command_locale, guarded
    from ptrack.usage import click_in_language, wants_english

    args = sys.argv[1:] if argv is None else [str(a) for a in argv]

    def invoke() -> None:
        # click's usage errors in the command's language; --help and --version in English
        language = contextlib.nullcontext() if wants_english(args) else click_in_language(command_locale)
        with language:
            try:
                cli.main(args=argv, prog_name="ptrack", standalone_mode=False)
            except click.exceptions.Abort:
                echo(say_line(N_("cli.aborted")), err=True)
                sys.exit(130)
            except click.ClickException as exc:
                exc.show()
                sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)

    guarded(invoke, echo)
