"""The command line: parse options, resolve the as-of date, call one pipeline function, pick a
reporter, exit. Exit codes: 0 clean; 1 invalid input or a finding at failing severity; 2 usage
error. Heavy modules are imported inside the commands so that ``ptrack --help`` and
``ptrack validate`` start fast.
"""

from __future__ import annotations

import gc
import os
import sys
from datetime import date

import click

from ptrack import __version__
from ptrack.errors import PtrackError, UsageError

CHECK_FORMATS = ("text", "github", "json", "junit")
STATUS_FORMATS = ("table", "json", "markdown")
GROUP_BY = ("module", "owner", "department", "channel")
LANGS = ("zh-CN", "en")


def resolve_as_of(option: str | None) -> date:
    """``--as-of`` wins, then ``PTRACK_AS_OF``, then today. The only clock read in ptrack."""
    for source, value in (("--as-of", option), ("PTRACK_AS_OF", os.environ.get("PTRACK_AS_OF"))):
        if value:
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise UsageError(f'{source}: "{value}" is not a date; write YYYY-MM-DD') from None
    return date.today()


def _config():
    from ptrack.config import load_config

    return load_config()


def _files(paths, config):
    from ptrack.config import campaign_files

    return campaign_files(paths, config)


def _print_diagnostics(diagnostics) -> None:
    for d in diagnostics:
        click.echo(d.format_text(), err=True)


as_of_option = click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
                            help="Compute as of the end of this day (default: $PTRACK_AS_OF, else today).")
lang_option = click.option("--lang", type=click.Choice(LANGS),
                           help="Language of labels and messages (default: each campaign's locale).")
paths_argument = click.argument("paths", nargs=-1, type=click.Path())


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
def validate(paths) -> None:
    """Check campaign files against the schema and the format's rules.

    Prints every problem as `file:line:col: severity [code] message`. Exits 1 when any file
    has an error.
    """
    from ptrack.pipeline import validate_files
    from ptrack.reporters import summary_line

    config = _config()
    report = validate_files(_files(paths, config), config)
    for d in report.diagnostics:
        click.echo(d.format_text())
    if report.failed or report.diagnostics:
        click.echo(summary_line(report), err=True)
    else:
        click.echo(f"{len(report.results)} campaign file(s) valid", err=True)
    sys.exit(1 if report.failed else 0)


@cli.command()
@paths_argument
@as_of_option
@click.option("--format", "fmt", type=click.Choice(STATUS_FORMATS), default="table", show_default=True,
              help="Output format; json has the shape of the site's status.json.")
@click.option("--by", type=click.Choice(GROUP_BY), help="Roll tasks up by this field instead of listing them.")
@lang_option
@click.option("--color", type=click.Choice(("auto", "always", "never")), default="auto", show_default=True,
              help="Colour the health columns (auto: on a terminal unless NO_COLOR is set).")
def status(paths, as_of, fmt, by, lang, color) -> None:
    """Where each campaign stands: planned vs actual progress, deviation, status, health."""
    from ptrack.pipeline import status_of
    from ptrack.reporters import STATUS_REPORTERS

    config = _config()
    files = _files(paths, config)
    day = resolve_as_of(as_of)
    use_color = color == "always" or (color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    report = status_of(files, config, day, by=by, locale=lang or None, color=use_color and fmt == "table")
    _print_diagnostics(report.diagnostics)
    if report.snapshots:
        click.echo(STATUS_REPORTERS[fmt](report), nl=False)
    sys.exit(1 if any(d.severity.value == "error" for d in report.diagnostics) else 0)


@cli.command()
@paths_argument
@as_of_option
@click.option("--format", "fmt", type=click.Choice(CHECK_FORMATS), default=None,
              help="Output format (default: github under GitHub Actions, else text).")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@lang_option
def check(paths, as_of, fmt, strict, lang) -> None:
    """Validate, then run the checks: overdue risks, tasks behind plan, missed milestones...

    Exits 1 on any error (with --strict, any warning). Under GitHub Actions the findings are
    annotations on the YAML lines and a Markdown summary goes to $GITHUB_STEP_SUMMARY.
    """
    from ptrack.pipeline import check_files
    from ptrack.reporters import CHECK_REPORTERS, check_step_summary

    config = _config()
    files = _files(paths, config)
    day = resolve_as_of(as_of)
    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    report = check_files(files, config, day, strict=strict, locale=lang or None)
    click.echo(CHECK_REPORTERS[fmt](report), nl=False)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            with open(summary_path, "a", encoding="utf-8") as fh:
                fh.write(check_step_summary(report))
        except OSError as exc:
            click.echo(f"ptrack: warning: cannot write the step summary to {summary_path}: {exc.strerror}", err=True)
    sys.exit(1 if report.failed else 0)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of campaign files (for editors and other tools)."""
    from ptrack.validate import schema_text

    click.echo(schema_text(), nl=False)


def main(argv=None) -> None:
    # A command is a short process holding one large document that has no reference cycles;
    # full collections would rescan it again and again (0.45 s of a 2 s check of 10,000
    # tasks). Young-generation collections still run.
    gc.set_threshold(100_000, 50, 1_000)
    for stream in (sys.stdout, sys.stderr):
        if (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            try:
                stream.reconfigure(encoding="utf-8")
            except (AttributeError, ValueError):  # pragma: no cover - exotic streams
                pass
    try:
        cli.main(args=argv, prog_name="ptrack", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except PtrackError as exc:
        click.echo(f"ptrack: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # `ptrack status | head`
        sys.stderr.close()
        sys.exit(0)
