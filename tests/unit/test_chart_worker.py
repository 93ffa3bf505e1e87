"""The chart process of a build (``ptrack.render.worker``): forked before loading, it alone imports
matplotlib; the page is laid out from predicted PNG sizes; a build with errors stops it at once."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ptrack.render import charts, chrome, gantt
from ptrack.render.worker import ChartWorker

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "campaign.yaml"

needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the chart process is forked on Linux only")

_BUILD_AND_REPORT = """
import sys
from ptrack.cli import main
try:
    main(["build", sys.argv[1], "--out", sys.argv[2], "--as-of", "2024-04-15"])
except SystemExit as exc:
    assert not exc.code, exc.code
print("matplotlib" in sys.modules, "PIL.Image" in sys.modules, "ssl" in sys.modules)
"""


def _build_reporting_imports(tmp_path: Path, parallel: str) -> str:
    env = {"PATH": "/usr/bin:/bin", "PTRACK_PARALLEL": parallel, "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", _BUILD_AND_REPORT, str(EXAMPLE), str(tmp_path / f"site-{parallel}")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()[-1]


@needs_fork
def test_the_build_process_never_imports_matplotlib_its_child_draws(tmp_path):
    # nor ssl (xml.sax.saxutils would bring it in with urllib.request: ~40 ms for nothing)
    assert _build_reporting_imports(tmp_path, "1") == "False False False"
    # the same check sees matplotlib when the charts are drawn in this process
    assert _build_reporting_imports(tmp_path, "0").startswith("True True")


@needs_fork
def test_a_worker_left_unsubmitted_is_stopped_at_once_and_leaves_nothing(tmp_path):
    worker = ChartWorker()
    process, scratch = worker._process, worker.folder
    assert process.is_alive()
    worker.close()  # a build with errors: the child was importing matplotlib, or waiting
    assert not process.is_alive() and process.exitcode in (0, -9)
    assert not scratch.exists()


@needs_fork
def test_an_invalid_campaign_builds_nothing_and_leaves_no_child(run_cli, tmp_path, write):
    import multiprocessing

    bad = write("bad.yaml", "campaign:\n  id: x\n")
    code, _, err = run_cli("build", bad, "--out", tmp_path / "site", "--as-of", "2024-04-15")
    assert code == 1 and "ptrack：没有构建" in err
    assert not (tmp_path / "site").exists()
    assert multiprocessing.active_children() == []


def test_result_before_submit_is_a_programming_error():
    with ChartWorker() as worker, pytest.raises(RuntimeError, match="before submit"):
        worker.result()


def test_predicted_pixel_sizes_are_matplotlibs():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # 18.31 in at 100 DPI is 1830.9999999999998 px in floating point: matplotlib (and so the
    # prediction) makes it 1831
    for height_in in [h / 100 for h in range(150, 2400, 7)] + [18.31, 4.8, 2.55, 6.05, 0.57 + 0.24 * 61]:
        for width_in in (11.0, 14.0):
            canvas = FigureCanvasAgg(Figure(figsize=(width_in, height_in), dpi=chrome.DPI))
            assert chrome.png_pixels(width_in, height_in, chrome.DPI) == canvas.get_width_height(physical=True)
    assert chrome.png_pixels(14.0, 18.31, 100) == (1400, 1831)


def test_goals_and_trend_sizes_are_known_before_drawing(tmp_path):
    from ptrack.core.compute import compute_snapshot
    from ptrack.core.validate import load_campaign
    from ptrack.render.fonts import find_cjk_font
    from ptrack.render.site import png_size

    snapshot = compute_snapshot(load_campaign(EXAMPLE).campaign, as_of=date(2024, 4, 15))
    font = find_cjk_font()
    goals, trend = charts.goals_model(snapshot, "zh-CN"), charts.trend_model(snapshot, "zh-CN")
    assert len(goals.bars) > 0
    charts.draw_goals_chart(goals, tmp_path / "goals.png", font=font)
    charts.draw_trend_chart(trend, tmp_path / "trend.png", font=font)
    assert png_size((tmp_path / "goals.png").read_bytes()) == charts.goals_png_size(goals)
    assert png_size((tmp_path / "trend.png").read_bytes()) == charts.trend_png_size(trend) == (1100, 480)
    # no goals: the placeholder chart has the one-bar height
    from dataclasses import replace

    empty = replace(goals, bars=(), legend=())
    charts.draw_goals_chart(empty, tmp_path / "empty.png", font=font)
    assert png_size((tmp_path / "empty.png").read_bytes()) == charts.goals_png_size(empty)


def test_milestone_guides_are_one_pixel_dots_every_four_pixels():
    # Each guide repeats every 4 pixel rows (so zlib finds the rows again) and is drawn as
    # crisp one-pixel dots, not anti-aliased smears over two.
    from ptrack.core.compute import compute_snapshot
    from ptrack.core.validate import load_campaign
    from ptrack.render.fonts import find_cjk_font

    snapshot = compute_snapshot(load_campaign(EXAMPLE).campaign, as_of=date(2024, 4, 15))
    model = gantt.gantt_model(snapshot, "zh-CN")
    assert model.milestones
    _, _, layout = gantt._page_layouts(model)[0]
    with chrome.mpl_context(find_cjk_font()):
        fig, ax, overlay = gantt._gantt_chrome(model, layout)
        canvas = fig.canvas
        canvas.draw()
        canvas.get_renderer().clear()
        overlay["guides"].set_visible(True)
        fig.draw_artist(overlay["guides"])
    width, height = canvas.get_width_height(physical=True)
    alpha = bytes(canvas.buffer_rgba())[3::4]
    m = model.milestones[0]
    x, y_top = ax.transData.transform((gantt._day_x(model)(m.date) + 0.5, layout.n_units))
    column = round(x)  # snapped: the guide's pixel column
    bottom = height - int(ax.transData.transform((0, m.lane + 1.5))[1])
    ink = [alpha[y * width + column] for y in range(bottom, height - int(y_top))]
    assert len(ink) > 40
    assert len(set(ink)) == 2 and min(ink) == 0 and max(ink) > 240, sorted(set(ink))  # crisp: on or off
    dots = [i for i, a in enumerate(ink) if a]
    assert dots and all(b - a == 4 for a, b in zip(dots, dots[1:]))
    # and nothing beside the column
    assert not any(alpha[y * width + column + 1] or alpha[y * width + column - 1] for y in range(bottom, bottom + 40))


def test_compiled_templates_are_cached_and_a_broken_cache_is_compiled_again(run_cli, tmp_path, monkeypatch):
    from ptrack.render import html

    cache = tmp_path / "cache"
    monkeypatch.setenv("PTRACK_CACHE_DIR", str(cache))
    html._environment.cache_clear()
    try:
        code, _, err = run_cli("build", EXAMPLE, "--out", tmp_path / "a", "--as-of", "2024-04-15")
        assert code == 0, err
        entries = sorted((cache / "templates").iterdir())
        assert len(entries) >= 2 and all(e.name.startswith("__jinja2_") for e in entries)
        for entry in entries:  # half-written or foreign entries: compiled again, never trusted
            entry.write_bytes(entry.read_bytes()[:20])
        html._environment.cache_clear()
        code, _, err = run_cli("build", EXAMPLE, "--out", tmp_path / "b", "--as-of", "2024-04-15")
        assert code == 0, err
        pages = ["index.html", "spring-launch-2024/index.html"]
        assert [(tmp_path / "a" / p).read_bytes() for p in pages] == [(tmp_path / "b" / p).read_bytes() for p in pages]
        assert all(len(e.read_bytes()) > 20 for e in entries)  # and written again whole
        # no cache at all
        monkeypatch.setenv("PTRACK_CACHE_DIR", "")
        assert html.template_cache_dir() is None
        monkeypatch.delenv("PTRACK_CACHE_DIR")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert html.template_cache_dir() == tmp_path / "xdg" / "ptrack" / "templates"
    finally:
        html._environment.cache_clear()


def test_svg_escaping_is_saxutils_escape_without_importing_it():
    import random
    from xml.sax.saxutils import escape

    controls = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))
    rng = random.Random(7)
    alphabet = "ab &<>\"'中文\x01\x1f\t\n\r&amp;"
    samples = ["", "&amp;", "<b>\"x\"</b>", "a\x00b"] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))) for _ in range(2000)]
    for text in samples:
        assert gantt._x(text) == escape(text.translate(controls), {'"': "&quot;"}), text
