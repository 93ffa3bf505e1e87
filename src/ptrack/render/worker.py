"""The process that draws a build's PNG charts (Gantt pages, goals, trend) while the build's own
process writes everything else.

matplotlib is, after the drawing itself, the largest cost of a build (~0.4 s to import), and only
the PNG charts need it. ``ptrack build`` starts the worker first thing, before it even reads the
configuration: the forked child imports matplotlib, Pillow and the chart modules while the parent
loads, validates and computes the campaigns. The parent then hands over the charts' models
(``submit``: plain frozen dataclasses, pickled into a file of the scratch folder, ~0.2 MB for
1,000 tasks, so the parent never waits for the child to read them) and writes the report,
status.json, the tables, gantt.svg and the pages, laid out from the pixel sizes the PNGs will have
(``gantt_png_sizes``, ``goals_png_size``, ``trend_png_size``); ``result`` collects the PNGs. The
parent never imports matplotlib, so on two cores the two halves overlap almost from the start.
When the models arrive, the chart process forks once more (matplotlib is imported by then: the
fork takes a few ms): that process draws goals.png and trend.png while the chart process draws
the Gantt pages; if it fails, the chart process draws them itself.

Where fork is not available (Windows, macOS), or with ``PTRACK_PARALLEL=0``, or when the child
fails, the charts are drawn in this process at ``result``, so a real error surfaces here with its
usual message. The files are the same either way.

This module imports nothing heavy at the top: the CLI imports it before anything else.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_JOB = ".job"  # the pickled (jobs, font), in the scratch folder
_NAMES = ".names"  # the child's list of the files it drew: written last, it means "done"
_WARNINGS = ".warnings"  # the warnings the child caught (JSON list of texts)


@dataclass(frozen=True)
class ChartJob:
    """One campaign's PNG charts, as the models they are drawn from. Files: ``<cid>/gantt.png``
    (and further pages), ``<cid>/goals.png`` and ``<cid>/trend.png``."""

    cid: str
    gantt: object  # render.gantt.GanttModel
    goals: object  # render.charts.GoalsModel
    trend: object  # render.charts.TrendModel


def draw_charts(jobs: Sequence[ChartJob], font, folder: Path) -> list[str]:
    """Draw every job's PNGs into ``folder/<cid>/`` with ``font`` (a ``FontChoice``); returns
    their paths relative to ``folder`` (POSIX): each campaign's Gantt pages in order, then
    goals.png and trend.png."""
    return _merge(jobs, draw_gantt_pages(jobs, font, folder), draw_small_charts(jobs, font, folder))


def draw_gantt_pages(jobs: Sequence[ChartJob], font, folder: Path) -> dict[str, list[str]]:
    """Every job's Gantt pages (one encoder for them all); cid -> relative paths, in order."""
    from ptrack.render import gantt

    out: dict[str, list[str]] = {}
    with gantt.PageEncoder() as encoder:
        for job in jobs:
            sub = folder / job.cid
            sub.mkdir(parents=True, exist_ok=True)
            pages = gantt.draw_gantt(job.gantt, sub, font=font, svg=False, encoder=encoder)
            out[job.cid] = [f"{job.cid}/{name}" for name in pages]
    return out


def draw_small_charts(jobs: Sequence[ChartJob], font, folder: Path) -> dict[str, list[str]]:
    """Every job's goals.png and trend.png; cid -> relative paths."""
    from ptrack.render import charts

    out: dict[str, list[str]] = {}
    for job in jobs:
        sub = folder / job.cid
        sub.mkdir(parents=True, exist_ok=True)
        charts.draw_goals_chart(job.goals, sub / "goals.png", font=font)
        charts.draw_trend_chart(job.trend, sub / "trend.png", font=font)
        out[job.cid] = [f"{job.cid}/goals.png", f"{job.cid}/trend.png"]
    return out


def _merge(jobs: Sequence[ChartJob], gantts: dict[str, list[str]], small: dict[str, list[str]]) -> list[str]:
    return [name for job in jobs for name in (*gantts[job.cid], *small[job.cid])]


def _write_warnings(path: Path, caught) -> None:
    import json

    path.write_text(json.dumps([str(w.message) for w in caught], ensure_ascii=False), encoding="utf-8")


def _read_warnings(path: Path) -> list[str]:
    import json

    try:
        return [str(m) for m in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return []


class ChartWorker:
    """See the module. A context manager: leaving it before ``result`` (a build with errors, an
    exception) stops the child at once."""

    def __init__(self) -> None:
        import os
        import sys

        self._scratch = tempfile.TemporaryDirectory(prefix="ptrack-charts-")
        self._process = None
        self._send = None
        self._jobs: tuple[list[ChartJob], object] | None = None
        if sys.platform.startswith("linux") and os.environ.get("PTRACK_PARALLEL", "1") != "0":
            import multiprocessing

            context = multiprocessing.get_context("fork")
            receive, self._send = context.Pipe(duplex=False)
            self._process = context.Process(target=self._child, args=(receive,), daemon=True)
            self._process.start()
            receive.close()

    def __enter__(self) -> ChartWorker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def folder(self) -> Path:
        return Path(self._scratch.name)

    def _child(self, receive) -> None:
        import os
        import pickle
        import warnings

        try:
            self._send.close()  # the parent's end: EOF on ours then means "nothing to draw"
            import signal

            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the handlers of a parent such as serve
            from ptrack.render import charts, chrome, gantt  # noqa: F401 - imported while the parent loads

            chrome.preload()
            try:
                receive.recv_bytes()
            except EOFError:
                os._exit(0)
            jobs, font = pickle.loads((self.folder / _JOB).read_bytes())
            # goals.png and trend.png in a process of their own, forked from this one (matplotlib
            # is imported: the fork is a few ms): on two cores they are drawn beside the Gantt
            # instead of after it. If that process fails, this one draws them.
            small_pid = os.fork()
            if small_pid == 0:
                status = 1
                try:
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        draw_small_charts(jobs, font, self.folder)
                    _write_warnings(self.folder / (_WARNINGS + "-small"), caught)
                    status = 0
                finally:
                    os._exit(status)
            # The warnings (matplotlib's missing glyphs) go back to the parent, which re-issues
            # them in result(): the caller decides what the user sees.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                gantts = draw_gantt_pages(jobs, font, self.folder)
                _, status = os.waitpid(small_pid, 0)
                if status == 0:
                    small = {job.cid: [f"{job.cid}/goals.png", f"{job.cid}/trend.png"] for job in jobs}
                    caught += [warnings.WarningMessage(text, UserWarning, "", 0)
                               for text in _read_warnings(self.folder / (_WARNINGS + "-small"))]
                else:
                    small = draw_small_charts(jobs, font, self.folder)
            _write_warnings(self.folder / _WARNINGS, caught)
            (self.folder / _NAMES).write_text("\n".join(_merge(jobs, gantts, small)), encoding="utf-8")
        except BaseException:  # the parent draws again and reports the error itself
            os._exit(1)

    def submit(self, jobs: Sequence[ChartJob], font) -> None:
        """Start drawing ``jobs`` with ``font`` (a ``FontChoice``); once per worker."""
        import pickle

        if self._jobs is not None:
            raise RuntimeError("ChartWorker.submit() twice")
        self._jobs = (list(jobs), font)
        if self._send is not None:
            try:
                (self.folder / _JOB).write_bytes(pickle.dumps(self._jobs, protocol=pickle.HIGHEST_PROTOCOL))
                self._send.send_bytes(b"go")  # a few bytes: never blocks, whatever the child is doing
            except (OSError, pickle.PicklingError):  # the child is gone, or a model cannot cross: result() draws here
                self._stop()
            finally:
                self._close_pipe()

    @staticmethod
    def _reissue_warnings(path: Path) -> None:
        import warnings

        for message in _read_warnings(path):
            warnings.warn(message, UserWarning, stacklevel=2)

    def result(self) -> dict[str, bytes]:
        """Relative path -> bytes of every PNG, in ``draw_charts`` order."""
        if self._jobs is None:
            raise RuntimeError("ChartWorker.result() before submit()")
        names = None
        if self._process is not None:
            self._process.join()
            marker = self.folder / _NAMES
            if self._process.exitcode == 0 and marker.is_file():
                text = marker.read_text(encoding="utf-8")
                names = text.split("\n") if text else []
                self._reissue_warnings(self.folder / _WARNINGS)
            self._process = None
        if names is None:
            import shutil

            for stale in self.folder.iterdir():
                shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
            names = draw_charts(*self._jobs, self.folder)
        return {name: (self.folder / name).read_bytes() for name in names}

    def _close_pipe(self) -> None:
        if self._send is not None:
            self._send.close()
            self._send = None

    def _stop(self) -> None:
        """Stop the child now: SIGKILL, since it holds nothing of the user's (its files are in
        the scratch folder) and may carry signal handlers inherited from the parent."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
            self._process = None

    def close(self) -> None:
        """Stop the child if its charts were not collected, and remove the scratch folder."""
        self._close_pipe()
        self._stop()
        self._scratch.cleanup()
