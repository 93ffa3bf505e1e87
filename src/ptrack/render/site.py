"""``ptrack build``: the static status site (DESIGN §7).

``build_site(snapshots, out_dir, ...)`` writes, for computed snapshots::

    index.html                  the portfolio
    status.json                 every campaign (the shape of ``ptrack status --format json``)
    assets/ptrack.css, ptrack.js   shipped in the package
    <campaign>/index.html       the dashboard
    <campaign>/report.md        the weekly report (Markdown, Mermaid Gantt)
    <campaign>/gantt.png, gantt.svg (gantt-2.png... for long plans)
    <campaign>/trend.png, goals.png
    <campaign>/status.json      that campaign alone
    <campaign>/tracking.csv, tracking.xlsx
    people/<person>/index.html  a page per person (我的任务), across the campaigns
    people/<person>/tasks.ics   that person's calendar feed
    schema/campaign-1.schema.json   the campaign schema, for editors: ``$id`` is this file's
                                address when the site's address is known (``site_url``)

With the repository's address (``repo``, ptrack.yaml's ``repo_url``), every task on the
dashboards and the person pages links to its update form and every open risk to its Resolve
form (``ptrack.forge.links``); without it there are no such links.

``build_files(files, config, out_dir, ...)`` is the whole command below the CLI: load, validate,
compute, read each campaign's git history (``ptrack.git.tracking.site_history``: one read per campaign
gives the trend's actual progress by day, each task's last update and the baseline), then build,
or build nothing when a campaign is invalid or an explicitly asked-for baseline cannot be had.

From git (when the campaign file is committed): ``trend.png`` draws actual progress per day with
commits against the planned S-curve; the Gantt draws each task's baseline dates as a thin grey bar
behind its plan; ``status.json`` carries the baseline fields of ``ptrack status --baseline``; the
dashboard shows slips against the baseline and "last updated N days ago by X" per task. Outside
git the same files are written without history, and the trend section says why.

Every file is written with ``fsutil.atomic_write`` (renderers that write to a path write into a
scratch folder first, then the bytes are moved into place atomically), campaigns are written
before the portfolio that links them, and nothing reads the clock: the same inputs and as-of
date give byte-identical files.
"""

from __future__ import annotations

import importlib.resources
import struct
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ptrack.git.baseline import FIRST
from ptrack.core.compute import CampaignSnapshot, compute_snapshot
from ptrack.core.diagnostics import Diagnostic, Severity
from ptrack.fsutil import atomic_write, atomic_write_many
from ptrack.git.tracking import SiteHistory
from ptrack.i18n import M_, NP_, normalise_locale, os_problem, t
from ptrack.render.worker import ChartJob, ChartWorker

ASSETS_DIR = "assets"
# Where a built site serves the campaign schema (format 1). The packaged schema's ``$id`` is this
# path under the project's own Pages site, which .github/workflows/pages.yml builds and publishes.
SCHEMA_PATH = "schema/campaign-1.schema.json"


# The files the last build wrote, one relative path a line: the next build removes those it does
# not write again (a campaign taken out, Gantt pages no longer needed), and nothing else.
MANIFEST = ".ptrack-build"
_MANIFEST_HEAD = "# ptrack build: the files the last build wrote; the next one removes those it does not write again\n"


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: paths relative to ``out_dir`` (POSIX separators, sorted, the manifest
    not included); ``removed``: files of the previous build it removed; ``problems``: files of the
    previous build it could not remove, with the reason."""

    out_dir: Path
    files: tuple[str, ...]
    campaigns: tuple[str, ...]
    removed: tuple[str, ...] = ()
    problems: tuple = ()  # Messages: a file and why it could not be removed
    notes: tuple[str, ...] = ()  # what the build left out and why (a tracking.xlsx that cannot hold a text)

    def summary(self, locale: str | None = "en") -> str:
        """"wrote 16 files for 2 campaigns to site (open site/index.html)" / "已写入 16 个文件…"."""
        removed = t(locale, NP_("build.removed"), n=len(self.removed)) if self.removed else ""
        return t(locale, "build.wrote", files=t(locale, NP_("build.files"), n=len(self.files)),
                 campaigns=t(locale, NP_("build.campaigns"), n=len(self.campaigns)), dir=str(self.out_dir),
                 removed=removed, index=str(self.out_dir / "index.html"))


@dataclass
class BuildReport:
    """``build_files``: the diagnostics of loading, and the build (None when nothing was built)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    result: BuildResult | None = None
    notes: list[str] = field(default_factory=list)  # what the history reading wants said (stderr)

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


class _Writer:
    """Writes files under ``root`` atomically and remembers what it wrote."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: list[str] = []

    def write(self, relative: str, data: bytes | str) -> None:
        atomic_write(self.root / relative, data)
        self.written.append(relative)

    def write_many(self, files) -> None:
        """Write (relative path, data) pairs, each atomically, their fsyncs together."""
        files = list(files)
        atomic_write_many((self.root / relative, data) for relative, data in files)
        self.written.extend(relative for relative, _ in files)

    def render_into(self, relative: str, render: Callable[[Path], None]) -> bytes:
        """Run ``render(path)`` for a renderer that writes a file itself, into a scratch folder;
        then move the bytes into place atomically. Returns the bytes."""
        with tempfile.TemporaryDirectory(prefix="ptrack-build-") as scratch:
            path = Path(scratch) / Path(relative).name
            render(path)
            data = path.read_bytes()
        self.write(relative, data)
        return data


def png_size(data: bytes) -> tuple[int, int] | tuple[None, None]:
    """Width and height from a PNG's IHDR chunk (for the ``<img>`` layout box)."""
    if len(data) >= 24 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return None, None


def _copy_assets(writer: _Writer) -> None:
    folder = importlib.resources.files("ptrack.render").joinpath(ASSETS_DIR)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_file() and not entry.name.startswith((".", "_")):
            writer.write(f"{ASSETS_DIR}/{entry.name}", entry.read_bytes())


def _chart_job(s: CampaignSnapshot, locale: str, history: SiteHistory | None):
    """(ChartJob, gantt model, predicted (name, width, height) of the Gantt pages, goals size,
    trend size) of a campaign: the models are computed here, drawn by the worker."""
    from ptrack.render import charts, gantt

    g = gantt.gantt_model(s, locale, baseline=history.baseline_dates if history else None)
    goals = charts.goals_model(s, locale)
    trend = charts.trend_model(s, locale, history.trend if history else None)
    job = ChartJob(s.campaign.id, g, goals, trend)
    return job, gantt.gantt_png_sizes(g), charts.goals_png_size(goals), charts.trend_png_size(trend)


def _build_campaign(writer: _Writer, s: CampaignSnapshot, as_of: date, locale: str,
                    history: SiteHistory | None, job: ChartJob, gantt_sizes, goals_size, trend_size,
                    notes: list[str], repo=None):
    """Write one campaign's files but its PNG charts (the worker draws them) and its page (which
    must come after them); returns (its ``campaign_json`` fragment for the portfolio's
    status.json, a function (Gantt page sizes, goals size, trend size) -> the page's HTML, the
    page as laid out from the predicted sizes). A file left out is said in ``notes``."""
    from ptrack.forge.links import campaign_links
    from ptrack.render import gantt, html
    from ptrack.render.markdown import render_report
    from ptrack.reporters import campaign_json, status_json_of
    from ptrack.sheets.tabular import CellTooLong, write_csv, write_xlsx

    cid = s.campaign.id
    writer.write(f"{cid}/report.md", render_report(s, locale=locale))
    fragment = campaign_json(s, history.baseline if history else None)
    writer.write(f"{cid}/status.json", status_json_of([fragment], as_of))
    writer.render_into(f"{cid}/tracking.csv", lambda p: write_csv(s, p, locale=locale))
    downloads = html.Downloads()
    try:
        writer.render_into(f"{cid}/tracking.xlsx", lambda p: write_xlsx(s, p, locale=locale))
    except CellTooLong as exc:  # the rest of the site is still worth publishing; no link to it
        notes.extend(exc.messages)
        downloads = html.Downloads(xlsx=None)
    writer.write(f"{cid}/gantt.svg", gantt.gantt_svg(job.gantt))
    # the forms' titles and labels in the campaign's own language, whatever the page's
    links = campaign_links(repo, cid, s.campaign.locale)

    def page(gantt_pngs, goals, trend) -> str:
        images = html.CampaignImages(
            gantt=tuple(html.Image(name, width, height, html.gantt_alt(s, locale, i + 1, len(gantt_pngs)))
                        for i, (name, width, height) in enumerate(gantt_pngs)),
            gantt_svg="gantt.svg",
            goals=html.Image("goals.png", *goals, html.goals_alt(s, locale)),
            trend=html.Image("trend.png", *trend, html.trend_alt(s, locale)),
        )
        return html.render_campaign_page(s, locale=locale, images=images, history=history, gantt_model=job.gantt,
                                         downloads=downloads, links=links)

    return fragment, page, page(gantt_sizes, goals_size, trend_size)


def site_schema_text(site_url: str | None) -> str:
    """The campaign schema as the site serves it at ``SCHEMA_PATH``: the packaged text, byte for
    byte, with ``$id`` set to ``<site_url>/schema/campaign-1.schema.json`` when ``site_url`` (no
    trailing slash) is given; without it the packaged ``$id`` (the project's Pages address, which
    serves the same schema) stays."""
    import json

    from ptrack.core.validate import load_schema, schema_text

    text = schema_text()
    if not site_url:
        return text
    old = f'"$id": {json.dumps(load_schema()["$id"])}'
    if text.count(old) != 1:  # pragma: no cover - the packaged schema is tested to have one
        raise ValueError("the packaged schema has no single $id line")
    url = site_url.rstrip("/") + "/" + SCHEMA_PATH
    return text.replace(old, f'"$id": {json.dumps(url)}')


def build_site(snapshots: Sequence[CampaignSnapshot], out_dir: Path, *, as_of: date, lang: str | None,
               font, title: str | None = None, site_locale: str | None = None,
               histories: Mapping[str, SiteHistory] | None = None, site_url: str | None = None,
               worker: ChartWorker | None = None, repo=None) -> BuildResult:
    """Write the site for ``snapshots`` (computed as of ``as_of``) under ``out_dir``.

    Language: ``lang`` for every page when given; otherwise each campaign's own ``locale`` for
    its dashboard and files, and ``site_locale`` (ptrack.yaml's ``locale``), else zh-CN, for the
    portfolio. ``font`` is the ``FontChoice`` the charts use; ``title`` heads the portfolio.
    ``histories``: campaign id -> its git history (``site_history``); a campaign without one is
    built from its snapshot alone. Files the previous build wrote (its ``MANIFEST``) that this
    one does not write are removed; files ptrack did not write are never touched. ``site_url``:
    where the site is published (``site_schema_text``). ``worker``: the ``ChartWorker`` to draw
    the PNG charts with (``build_files`` starts it before loading); one is started here when
    none is given. ``repo``: the repository (``forge.links.Repo``) the update links open forms
    in; None: no links. Each person's page and feed (``people/<id>/``) is in ``lang``, else the
    one language of their campaigns, else ``site_locale``."""
    if worker is None:
        with ChartWorker() as own:
            return build_site(snapshots, out_dir, as_of=as_of, lang=lang, font=font, title=title,
                              site_locale=site_locale, histories=histories, site_url=site_url, worker=own,
                              repo=repo)
    from ptrack.core.people import collect_people
    from ptrack.render import html
    from ptrack.render.people import people_summary, person_files
    from ptrack.reporters import status_json_of

    out_dir = Path(out_dir)
    ordered = sorted(snapshots, key=lambda s: s.campaign.id)
    histories = histories or {}
    locales = [normalise_locale(lang or s.campaign.locale) for s in ordered]
    planned = [_chart_job(s, locale, histories.get(s.campaign.id)) for s, locale in zip(ordered, locales)]
    worker.submit([job for job, *_ in planned], font)

    writer = _Writer(out_dir)
    previous = _previous_build(out_dir)
    _copy_assets(writer)
    writer.write(SCHEMA_PATH, site_schema_text(site_url))
    notes: list[str] = []
    built = [_build_campaign(writer, s, as_of, locale, histories.get(s.campaign.id), *plan, notes, repo=repo)
             for s, locale, plan in zip(ordered, locales, planned)]
    # the person pages need no chart: written while the chart process still draws
    people = collect_people(ordered, as_of)
    writer.write_many(person_files(people, lang=lang, site_locale=site_locale, repo=repo, site_url=site_url))

    pngs = worker.result()
    for name, data in pngs.items():
        writer.write(name, data)
    # Each campaign's page after its charts: whoever opens it finds every file it links to. The
    # sizes the page was laid out with are checked against the PNGs (never expected to differ;
    # correct, not fast).
    for s, (job, gantt_sizes, goals_size, trend_size), (_, page, page_html) in zip(ordered, planned, built):
        cid = s.campaign.id
        actual_gantt = [(name.split("/", 1)[1], *png_size(data)) for name, data in pngs.items()
                        if name.startswith(f"{cid}/gantt")]
        actual_goals = png_size(pngs[f"{cid}/goals.png"])
        actual_trend = png_size(pngs[f"{cid}/trend.png"])
        if (actual_gantt, actual_goals, actual_trend) != (gantt_sizes, goals_size, trend_size):
            page_html = page(actual_gantt, actual_goals, actual_trend)
        writer.write(f"{cid}/index.html", page_html)
    writer.write("status.json", status_json_of([fragment for fragment, *_ in built], as_of))
    portfolio_locale = normalise_locale(lang or site_locale)
    writer.write("index.html", html.render_portfolio_page(ordered, locale=portfolio_locale, as_of=as_of, title=title,
                                                          people=people_summary(people, portfolio_locale)))
    written = tuple(sorted(writer.written))
    removed, failed = _remove_stale(out_dir, sorted(previous - set(written)))
    # A file that could not be removed stays in the manifest: the next build tries again.
    listed = sorted(set(written) | {name for name, _ in failed})
    atomic_write(out_dir / MANIFEST, _MANIFEST_HEAD + "".join(f"{name}\n" for name in listed))
    return BuildResult(out_dir, written, tuple(s.campaign.id for s in ordered), removed,
                       tuple(M_("os.error_at", file=name, reason=reason) for name, reason in failed), tuple(notes))


def _previous_build(out_dir: Path) -> set[str]:
    """The files the manifest of the previous build in ``out_dir`` names (none without one)."""
    try:
        text = (out_dir / MANIFEST).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    return {line for line in text.splitlines() if line and not line.startswith("#")}


def _remove_stale(out_dir: Path, names: Sequence[str]) -> tuple[tuple[str, ...], list[tuple[str, object]]]:
    """Remove the files ``names`` (relative to ``out_dir``) and the folders they leave empty.
    Only what lies inside ``out_dir``, symbolic links resolved, is touched: a manifest naming
    ``../x``, ``./x``, an absolute path or a path through a link that leads out is ignored.
    Returns (removed, [(name, why) of those that could not be removed])."""
    import os
    from pathlib import PurePosixPath

    root = out_dir.resolve()
    removed: list[str] = []
    failed: list[tuple[str, str]] = []
    for name in names:
        rel = PurePosixPath(name)
        if rel.as_posix() != name or rel.is_absolute() or "\\" in name or ".." in rel.parts:
            continue  # only the plain relative paths a build writes
        path = out_dir.joinpath(*rel.parts)
        try:
            if not path.parent.resolve().is_relative_to(root) or not (path.is_file() or path.is_symlink()):
                continue
            path.unlink()
        except OSError as exc:
            failed.append((name, os_problem(exc, with_file=False)))
            continue
        removed.append(name)
        folder = path.parent
        while folder.resolve() != root and folder.resolve().is_relative_to(root):
            try:
                os.rmdir(folder)  # only when empty: a file of the user's keeps its folder
            except OSError:
                break
            folder = folder.parent
    return tuple(removed), failed


def read_histories(files: Sequence[Path], results, as_of: date, *, baseline: str | None = FIRST,
                   baseline_required: bool = False, policy_defaults=None, notes: list[str] | None = None,
                   progress=None) -> dict[str, SiteHistory]:
    """Campaign id -> its git history for the site, one history read per valid campaign.

    ``baseline``: the revision to compare with (``first``: the first commit containing the
    campaign; None: no baseline). With ``baseline_required`` a campaign without that baseline
    raises GitError (as ``status --baseline``); otherwise it is built without one. What is worth
    saying on the terminal goes to ``notes``: not why a file outside git or not committed has no
    history (the page says that), but a shallow clone, versions left out, git failing."""
    from ptrack.git.tracking import site_history

    out: dict[str, SiteHistory] = {}
    for path, r in zip(files, results):
        if r.campaign is None:
            continue
        history = site_history(path, as_of, campaign=r.campaign, baseline_rev=baseline,
                               baseline_required=baseline_required, policy_defaults=policy_defaults,
                               file=r.file, progress=progress)
        if notes is not None and history.missing not in ("not-a-repository", "not-committed"):
            notes.extend(history.notes)
        out[r.campaign.id] = history
    return out


def build_files(files: Sequence[Path], config, out_dir: Path, *, as_of: date, lang: str | None,
                font, baseline: str | None = FIRST, baseline_required: bool = False,
                progress=None, site_url: str | None = None, worker: ChartWorker | None = None) -> BuildReport:
    """Load and validate ``files``, compute them as of ``as_of``, read their git history
    (``read_histories``: ``baseline`` and ``baseline_required`` as there) and build the site.

    When any campaign has an error nothing is written (a published site never silently lacks a
    campaign, and the last good site stays in place); the report carries the diagnostics. A
    required baseline that cannot be had raises GitError before anything is written.
    ``site_url`` (``--site-url``) wins over ``config.site_url``. ``worker``: the ``ChartWorker``
    (the CLI starts it before anything else); when None, one is started here, before loading."""
    if worker is None:
        with ChartWorker() as own:
            return build_files(files, config, out_dir, as_of=as_of, lang=lang, font=font, baseline=baseline,
                               baseline_required=baseline_required, progress=progress, site_url=site_url,
                               worker=own)
    from ptrack.forge.links import repo_of
    from ptrack.pipeline import load_all, progress_notice

    results = load_all(files, config, lang)
    report = BuildReport([d for r in results for d in r.diagnostics])
    if report.failed:
        return report
    histories = read_histories(files, results, as_of, baseline=baseline, baseline_required=baseline_required,
                               policy_defaults=config.policy, notes=report.notes, progress=progress)
    snapshots = []
    for r in results:
        if r.campaign is None:
            continue
        history = histories.get(r.campaign.id)
        snapshot = history.snapshot if history is not None and history.snapshot is not None \
            else compute_snapshot(r.campaign, as_of=as_of)
        notice = progress_notice(snapshot, r.file, lang)
        if notice:
            report.notes.append(notice)
        snapshots.append(snapshot)
    report.notes = list(dict.fromkeys(report.notes))
    report.result = build_site(snapshots, out_dir, as_of=as_of, lang=lang, font=font,
                               title=config.title, site_locale=config.locale, histories=histories,
                               site_url=config.site_url if site_url is None else site_url, worker=worker,
                               repo=repo_of(config))
    report.notes.extend(report.result.notes)
    return report
