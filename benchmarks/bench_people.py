#!/usr/bin/env python
"""The person pages' share of a build: who does what (``core.people.collect_people``) and every
person's page and calendar feed (``render.people.person_files``), with update links, per plan
shape and size.

    python benchmarks/bench_people.py [--shapes classic,wide,...] [--sizes 1000,10000] [--repeat N]

For each shape (benchmarks/shapes.py) and size the campaign is generated, loaded and computed
once; then the two steps are timed in this process, best of --repeat, and the pages, feeds and
bytes they write are counted. Compare with bench_build.py's whole build of the same shape.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import load_average, parse_sizes, run_header  # noqa: E402
from shapes import SHAPES, generate  # noqa: E402


def _best(repeat: int, fn):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from ptrack.core.compute import compute_snapshot
    from ptrack.core.config import Config
    from ptrack.core.people import collect_people
    from ptrack.forge.links import Repo
    from ptrack.pipeline import load_all
    from ptrack.render.people import person_files

    repo = Repo("https://github.com/acme/campaigns")
    print(run_header([], args.repeat))
    print(f"{'shape':<10} {'tasks':>6} {'people':>6} {'collect s':>10} {'pages+ics s':>12} {'files':>6} {'MB':>6}")
    with tempfile.TemporaryDirectory(prefix="ptrack-bench-people-") as scratch:
        for shape in [s for s in args.shapes.split(",") if s]:
            for n in parse_sizes(args.sizes):
                text, as_of = generate(shape, n)
                path = Path(scratch) / f"{shape}-{n}.yaml"
                path.write_text(text, encoding="utf-8")
                (result,) = load_all([path], Config(root=Path(scratch)))
                snapshot = compute_snapshot(result.campaign, as_of=as_of)
                t_collect, people = _best(args.repeat, lambda: collect_people([snapshot], as_of))
                t_pages, files = _best(args.repeat, lambda: person_files(
                    people, lang=None, site_locale=None, repo=repo, site_url="https://acme.github.io/c"))
                size = sum(len(text.encode("utf-8")) for _, text in files) / 1e6
                print(f"{shape:<10} {n:>6} {len(people.people):>6} {t_collect:>10.3f} {t_pages:>12.3f} "
                      f"{len(files):>6} {size:>6.1f}")
    print(load_average("at end"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
