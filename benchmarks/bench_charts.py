#!/usr/bin/env python
"""Chart benchmarks: the time of each chart of a 20-task and a 1,000-task campaign.

    python benchmarks/bench_charts.py [--sizes 20,1000] [--repeat N] [--out DIR]

Campaigns come from bench_core's generator (seeded: every run draws the same files). Each chart
is timed in-process (best of --repeat, after one warm-up that pays matplotlib's import and font
loading, reported separately), with the number of files, their pixel size and bytes.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The campaign generator is shared with bench_core, not copied.
from bench_core import AS_OF, generate_campaign, output_folder, parse_sizes

TARGET_1000_S = 1.5  # all charts of a 1,000-task campaign, warm


def _snapshot(text: str, folder: Path, n: int):
    from ptrack.core.compute import compute_snapshot
    from ptrack.core.validate import load_campaign

    path = folder / f"campaign-{n}.yaml"
    path.write_text(text, "utf-8")
    result = load_campaign(path)
    if result.campaign is None:
        sys.exit(f"bench: generated campaign-{n}.yaml is invalid:\n"
                 + "\n".join(d.format_text() for d in result.diagnostics))
    return compute_snapshot(result.campaign, as_of=AS_OF)


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _png_size(path: Path) -> str:
    head = path.read_bytes()[:24]
    return f"{int.from_bytes(head[16:20], 'big')}x{int.from_bytes(head[20:24], 'big')}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20,1000", help="task counts, comma-separated")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    ap.add_argument("--out", type=Path, help="keep the campaigns and charts here (default: a temp folder)")
    args = ap.parse_args(argv)
    sizes = parse_sizes(args.sizes)
    repeat = max(1, args.repeat)
    out, tmp = output_folder(args.out, "ptrack-bench-charts-")

    try:
        t0 = time.perf_counter()
        import matplotlib
        from matplotlib.figure import Figure  # noqa: F401

        from ptrack.render import charts, gantt
        from ptrack.render.fonts import find_cjk_font
        t_import = time.perf_counter() - t0
        t0 = time.perf_counter()
        font = find_cjk_font()
        t_font = time.perf_counter() - t0
        print(f"matplotlib {matplotlib.__version__} | import {t_import:.3f} s | find_cjk_font {t_font:.3f} s "
              f"-> {font.family or 'none'} | repeat {repeat} (best) | files in {out}")
        print()
        header = f"{'tasks':>6} {'chart':<8} {'cold s':>7} {'best s':>7}  files"
        print(header)
        print("-" * 78)
        for n in sizes:
            folder = out / f"tasks-{n}"
            folder.mkdir(parents=True, exist_ok=True)
            snap = _snapshot(generate_campaign(n), folder, n)
            kw = {"locale": "zh-CN", "font": font}
            jobs = {
                "gantt": functools.partial(gantt.render_gantt, snap, folder, **kw),
                "goals": functools.partial(charts.render_goals_chart, snap, folder / "goals.png", **kw),
                "trend": functools.partial(charts.render_trend_chart, snap, folder / "trend.png", **kw),
            }
            total = 0.0
            for name, job in jobs.items():
                t0 = time.perf_counter()
                result = job()
                cold = time.perf_counter() - t0
                best = _best(job, repeat)
                total += best
                names = result if isinstance(result, list) else [f"{name}.png"]
                pngs = [folder / f for f in names if f.endswith(".png")]
                sizes_px = sorted({_png_size(p) for p in pngs})
                kb = sum((folder / f).stat().st_size for f in names) / 1024
                print(f"{n:>6} {name:<8} {cold:>7.3f} {best:>7.3f}  {len(names)} files, {kb:,.0f} KiB, "
                      f"PNG px {', '.join(sizes_px)}", flush=True)
            verdict = ""
            if n >= 1000:
                verdict = f"   (target <= {TARGET_1000_S} s: {'OK' if total <= TARGET_1000_S else 'OVER TARGET'})"
            print(f"{n:>6} {'all':<8} {'':>7} {total:>7.3f}{verdict}")
        return 0
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
