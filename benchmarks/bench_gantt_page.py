#!/usr/bin/env python
"""Interactive Gantt benchmark: the dashboard of 1,000-task campaigns of several shapes in Chromium.

    python benchmarks/bench_gantt_page.py [--tasks 1000] [--shapes a,b] [--repeat N] [--out DIR]

For each shape (bench_core's seeded generator, then reshaped: spans, dependencies, modules, a
longer window), builds the site with ``ptrack build`` and measures:

- what the interactive Gantt adds to the build: ``render_gantt_section`` in-process (best of
  --repeat, the model already computed as ``build`` has it) and the bytes it adds to index.html;
  the whole ``ptrack build`` process for scale;
- in headless Chromium (Playwright, /usr/bin/chromium), the page opened from file:// in a fresh
  context: first paint and first contentful paint (``performance.getEntriesByType("paint")``),
  DOMContentLoaded and load (navigation timing); median of --repeat loads;
- the same page without the Gantt (its section emptied, gantt.js and gantt.css dropped), for
  what the Gantt adds to those;
- a zoom: ``performance.now()`` around ``ptrackGantt.zoom(z)`` plus a ``requestAnimationFrame``
  and a task after it (so the frame's style, layout and paint are in); the first zoom (it
  collects the elements to rescale) and then day → month → week → day ..., median;
- collapsing and expanding every module the same way.

Needs Playwright for Python (``pip install -e '.[test]'``) and Chromium at /usr/bin/chromium.
Prints the machine's load average: compare runs made on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import AS_OF, REPO, bench_env, generate_campaign, load_average, output_folder, ptrack_cmd, run_header  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1366, "height": 900}

# ---------------------------------------------------------------------------------------------
# Shapes: bench_core's campaign, reshaped


def _d(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _reshape(data: dict, shape: str, rng: random.Random) -> None:
    tasks = data["tasks"]
    ids = [t["id"] for t in tasks]
    if shape == "long-spans":  # bars of 1-10 months instead of 2-45 days: much overlap, wide bars
        for t in tasks:
            start = _d(t["planned"]["start"])
            t["planned"]["end"] = min(start + timedelta(days=rng.randrange(30, 300)), date(2024, 12, 31))
            if "actual" in t and "end" in t["actual"] and _d(t["actual"]["end"]) < _d(t["planned"]["end"]):
                pass  # finished early: still valid
    elif shape == "dense-deps":  # 2-5 predecessors each, anywhere earlier in the plan: ~3,500 arrows
        for i, t in enumerate(tasks):
            if i >= 2:
                t["depends_on"] = sorted(rng.sample(ids[:i], min(i, rng.randrange(2, 6))))
    elif shape == "many-modules":  # 50 modules of 20 tasks, each module's tasks spread over the year
        for i, t in enumerate(tasks):
            t["module"] = f"模块{i % 50 + 1:02d}"
    elif shape == "two-years":  # a window twice as long: not-started tasks spread over 2024-07..2025-12
        end = date(2024, 12, 31)
        for t in tasks:
            start = _d(t["planned"]["start"])
            if start > AS_OF and "actual" not in t:
                new = AS_OF + (start - AS_OF) * 3
                span = _d(t["planned"]["end"]) - start
                t["planned"] = {"start": new, "end": new + span * 2}
                end = max(end, new + span * 2)
        data["campaign"]["end"] = end
    elif shape != "generated":
        raise SystemExit(f"bench: unknown shape {shape}")


SHAPES = ("generated", "long-spans", "dense-deps", "many-modules", "two-years")
SHAPE_NOTES = {
    "generated": "bench_core as is: 4 modules, spans 2-45 days in 2024, 0-2 predecessors",
    "long-spans": "spans 30-300 days",
    "dense-deps": "2-5 predecessors anywhere earlier",
    "many-modules": "50 modules of 20 tasks",
    "two-years": "window 2024-01..2025-12",
}


def write_shape(folder: Path, shape: str, n: int) -> Path:
    text = generate_campaign(n)
    if shape != "generated":
        data = yaml.load(text, Loader=yaml.CSafeLoader)
        _reshape(data, shape, random.Random(f"{shape}-{n}"))
        text = json.dumps(data, ensure_ascii=False, default=str, indent=1) + "\n"  # JSON is YAML
    path = folder / f"{shape}-{n}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Build side


def build(path: Path, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    proc = subprocess.run([*ptrack_cmd(), "build", str(path), "--out", str(out), "--as-of", AS_OF.isoformat()],
                          cwd=REPO, env=bench_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"bench: ptrack build {path} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def section_cost(path: Path, repeat: int) -> dict:
    """render_gantt_section in-process, on the model ``build`` computes anyway."""
    from ptrack.core.compute import compute_snapshot
    from ptrack.render.gantt import gantt_model
    from ptrack.render.gantt_html import render_gantt_section
    from ptrack.core.validate import load_campaign

    snap = compute_snapshot(load_campaign(path).campaign, as_of=AS_OF)
    locale = snap.campaign.locale
    model = gantt_model(snap, locale)
    times = []
    html = ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        html = render_gantt_section(snap, model, locale, png_pages=("gantt.png",), svg_file="gantt.svg")
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    gantt_model(snap, locale)
    model_s = time.perf_counter() - t0
    return {"section_s": min(times), "section_bytes": len(html.encode("utf-8")), "model_s": model_s,
            "rows": len(model.rows), "elements": html.count("<"),
            "arrows": sum(len(a.split(";")) for a in re.findall(r'data-a="([^"]+)"', html))}


# ---------------------------------------------------------------------------------------------
# Browser side

_ZOOM_JS = """async (z) => {
  const t0 = performance.now();
  window.ptrackGantt.zoom(z);
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return performance.now() - t0;
}"""

_COLLAPSE_JS = """async (collapse) => {
  const g = window.ptrackGantt;
  const t0 = performance.now();
  g.collapse(g.mods(), collapse);
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return performance.now() - t0;
}"""

_PAINT_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = Object.fromEntries(performance.getEntriesByType('paint').map(e => [e.name, e.startTime]));
  return {fp: paint['first-paint'], fcp: paint['first-contentful-paint'], dcl: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd, zoom: document.getElementById('gx').dataset.zoom,
          nodes: document.getElementsByTagName('*').length};
}"""


def without_gantt(page_path: Path) -> Path:
    """A copy of the dashboard without the interactive Gantt (its section emptied, its script
    and stylesheet dropped), next to it: what the page costs without it."""
    text = page_path.read_text(encoding="utf-8")
    text = re.sub(r'(<section class="card card-wide" id="gantt"[^>]*>).*?(</section>)', r"\1\2", text, count=1, flags=re.S)
    text = text.replace('<script src="../assets/gantt.js"></script>\n', "")
    text = text.replace('<link rel="stylesheet" href="../assets/gantt.css">\n', "")
    out = page_path.with_name("index-without-gantt.html")
    out.write_text(text, encoding="utf-8")
    return out


def page_load(browser, page_path: Path, repeat: int) -> dict:
    """Median first paint, first contentful paint, DOMContentLoaded and load of fresh loads."""
    loads = []
    for _ in range(repeat):
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(page_path.resolve().as_uri(), wait_until="load")
        page.wait_for_timeout(300)
        loads.append(page.evaluate(_PAINT_JS.replace("document.getElementById('gx').dataset.zoom", "''")))
        context.close()
    med = statistics.median
    return {k: med(x[k] for x in loads) for k in ("fp", "fcp", "dcl", "load")} | {"nodes": loads[0]["nodes"]}


def browse(browser, page_path: Path, bare_path: Path, repeat: int) -> dict:
    """The page's load, zoom and collapse figures; loads of ``bare_path`` (the page without the
    Gantt) are interleaved with the page's, so both see the same machine."""
    loads = []
    bare = []
    zooms: dict[str, list[float]] = {}
    first_zoom = []
    collapse = []
    expand = []
    for _ in range(repeat):
        bare.append(page_load(browser, bare_path, 1))
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        errors = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(page_path.resolve().as_uri(), wait_until="load")
        page.wait_for_timeout(300)  # paint entries are queued after the frame
        loads.append(page.evaluate(_PAINT_JS))
        page.evaluate("document.getElementById('gantt').scrollIntoView()")
        page.wait_for_timeout(100)
        start = loads[-1]["zoom"]
        order = [z for z in ("day", "month", "week") if z != start] + [start]
        first_zoom.append(page.evaluate(_ZOOM_JS, order[0]))
        for z in (order[1:] + order) * 2:
            if z != page.get_attribute("#gx", "data-zoom"):
                zooms.setdefault(z, []).append(page.evaluate(_ZOOM_JS, z))
        collapse.append(page.evaluate(_COLLAPSE_JS, True))
        expand.append(page.evaluate(_COLLAPSE_JS, False))
        if errors:
            sys.exit(f"bench: errors on {page_path}: {errors[:3]}")
        context.close()
    med = statistics.median
    return {
        "fp": med(x["fp"] for x in loads), "fcp": med(x["fcp"] for x in loads), "dcl": med(x["dcl"] for x in loads),
        "load": med(x["load"] for x in loads), "zoom0": loads[0]["zoom"], "nodes": loads[0]["nodes"],
        "first_zoom": med(first_zoom), "zoom": {z: med(v) for z, v in zooms.items()},
        "collapse": med(collapse), "expand": med(expand),
        "without": {k: med(x[k] for x in bare) for k in ("fp", "fcp", "dcl", "load", "nodes")},
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=1000, help="tasks per campaign")
    ap.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated: " + ", ".join(SHAPES))
    ap.add_argument("--repeat", type=int, default=3, help="page loads and builds per shape (median / best)")
    ap.add_argument("--out", type=Path, help="keep the campaigns and sites here (default: a temp folder)")
    args = ap.parse_args(argv)
    shapes = [s for s in args.shapes.split(",") if s]

    from playwright.sync_api import sync_playwright

    print(run_header([f"Chromium at {CHROMIUM}"], args.repeat))
    folder, tmp = output_folder(args.out, "ptrack-bench-gantt-")
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            print(f"Chromium {browser.version}, viewport {VIEWPORT['width']}x{VIEWPORT['height']}")
            for shape in shapes:
                path = write_shape(folder, shape, args.tasks)
                out = folder / f"site-{shape}"
                build_s = min(build(path, out) for _ in range(args.repeat))
                cost = section_cost(path, args.repeat)
                page = next((out).glob("*/index.html"))
                b = browse(browser, page, without_gantt(page), args.repeat)
                rows.append((shape, build_s, cost, page.stat().st_size, b))
                print(f"  {shape}: done ({SHAPE_NOTES[shape]})", flush=True)
            browser.close()
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"{args.tasks} tasks per campaign; browser figures are medians of {args.repeat} loads, in ms")
    head = (f"{'shape':<13} {'rows':>5} {'arrows':>6} {'zoom':>5} {'DOM nodes':>9} {'FP':>6} {'FCP':>6} {'DCL':>6} "
            f"{'load':>6} {'1st zoom':>8} {'day':>6} {'week':>6} {'month':>6} {'collapse':>8} {'expand':>6}")
    print(head)
    print("-" * len(head))
    for shape, _, cost, _, b in rows:
        z = b["zoom"]
        print(f"{shape:<13} {cost['rows']:>5} {cost['arrows']:>6} {b['zoom0']:>5} {b['nodes']:>9} {b['fp']:>6.0f} "
              f"{b['fcp']:>6.0f} {b['dcl']:>6.0f} {b['load']:>6.0f} {b['first_zoom']:>8.1f} {z.get('day', 0):>6.1f} "
              f"{z.get('week', 0):>6.1f} {z.get('month', 0):>6.1f} {b['collapse']:>8.1f} {b['expand']:>6.1f}")
    print()
    print("The same page without the interactive Gantt (section emptied, gantt.js/css dropped), ms:")
    head = f"{'shape':<13} {'DOM nodes':>9} {'FP':>6} {'FCP':>6} {'DCL':>6} {'load':>6}   {'Gantt adds to FCP':>17} {'to load':>8}"
    print(head)
    print("-" * len(head))
    for shape, _, _, _, b in rows:
        w = b["without"]
        print(f"{shape:<13} {w['nodes']:>9} {w['fp']:>6.0f} {w['fcp']:>6.0f} {w['dcl']:>6.0f} {w['load']:>6.0f}   "
              f"{b['fcp'] - w['fcp']:>+17.0f} {b['load'] - w['load']:>+8.0f}")
    print()
    print("What the interactive Gantt adds to `ptrack build` (in-process, best of --repeat):")
    head = f"{'shape':<13} {'build s':>8} {'section ms':>10} {'% of build':>10} {'section KB':>10} {'page KB':>8} {'model ms':>9}"
    print(head)
    print("-" * len(head))
    for shape, build_s, cost, size, _ in rows:
        print(f"{shape:<13} {build_s:>8.2f} {cost['section_s'] * 1000:>10.1f} {cost['section_s'] / build_s * 100:>9.1f}% "
              f"{cost['section_bytes'] / 1000:>10.0f} {size / 1000:>8.0f} {cost['model_s'] * 1000:>9.1f}")
    print("(model ms: render.gantt.gantt_model, which the build computed before for the PNG pages and reuses)")
    print(load_average("at end"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
