#!/usr/bin/env python
"""Clone and cascade benchmark: ``ptrack clone`` and ``ptrack update --planned-end D --cascade``
beside ``ptrack validate`` on the same 1,000-task plans.

    python benchmarks/bench_replan.py                         # shapes classic, dense, chains, milestones, mixed
    python benchmarks/bench_replan.py --sizes 1000,4000 --shapes chains --repeat 7

For each plan shape (benchmarks/shapes.py) and size it generates the campaign and times, as whole
processes interleaved round by round (so all three see the same load):

- ``ptrack validate FILE``;
- ``ptrack clone FILE -o NEW --to D`` (D: the campaign start a year later, the anchor the start):
  every date of the plan moved, facts cleared, the new file validated and written;
- ``ptrack update COPY TASK --planned-end E --cascade --as-of S`` on a fresh copy, S the day
  before the campaign starts (nothing has started): TASK is the task with the most tasks after
  it that a cascade can move (not started by the file's records: no actual dates, no progress;
  not events), E its planned end 20 working days later, so that the cascade moves as much
  as the plan lets it; the row says how many tasks moved and how many it could reach.

After the first round the clone and the cascaded copy must pass ``ptrack validate``. It prints
best-of-N seconds, the ratios to validate and the load average; it asserts nothing and always
exits 0.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import bench_env, load_average  # noqa: E402
from shapes import generate, shape_bench_setup  # noqa: E402

DEFAULT_SHAPES = "classic,dense,chains,milestones,mixed"


def _run(argv: list[str], cwd: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=bench_env())
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, argv))} exited {proc.returncode}:\n"
                 f"{proc.stderr.decode('utf-8', 'replace')[-2000:]}")
    return elapsed, proc.stdout.decode("utf-8", "replace")


def _cascade_target(text: str, as_of):
    """(task id, new planned end, tasks after it) of the task not started by ``as_of`` (nothing
    recorded) with the most successors a cascade can move, transitively (not started either, not
    events); its end moved 20 working days later."""
    from ptrack.core.calendars import get_calendar
    from ptrack.core.loader import parse_yaml
    from ptrack.core.model import build_campaign
    from ptrack.core.replan import started

    campaign = build_campaign(parse_yaml(text, "bench.yaml").data, "bench.yaml")
    after: dict[str, list[str]] = {}
    for t in campaign.tasks:
        for dep in t.depends_on:
            after.setdefault(dep, []).append(t.id)
    movable = {t.id for t in campaign.tasks if not started(t, as_of) and t.status is None and t.kind != "event"}
    best = None
    for t in campaign.tasks:
        if started(t, as_of) or t.status is not None or t.kind == "event":
            continue
        seen, todo = set(), [t.id]
        while todo:  # through the successors a cascade can move (not started, not events)
            for nxt in after.get(todo.pop(), ()):
                if nxt not in seen and nxt in movable:
                    seen.add(nxt)
                    todo.append(nxt)
        if best is None or len(seen) > best[2]:
            best = (t.id, t.planned_end, len(seen))
    if best is None:
        raise SystemExit("bench: no task to re-plan")
    cal = get_calendar(campaign.calendar)
    return best[0], cal.shift(best[1], 20), best[2]


def main(argv=None) -> int:
    sizes, shapes, repeat, out, tmp, ptrack = shape_bench_setup(argv, __doc__, sizes="1000", shapes=DEFAULT_SHAPES,
                                                                prefix="ptrack-bench-replan-")
    try:
        header = (f"{'shape':<11} {'tasks':>6} {'KB':>6} {'validate s':>10} {'clone s':>8} {'x':>6} {'dates':>6} "
                  f"{'cascade s':>9} {'x':>6} {'moved':>6} {'after':>6}")
        print(header)
        print("-" * len(header))
        for shape in shapes:
            for n in sizes:
                text, as_of = generate(shape, n)
                src = out / f"{shape}-{n}.yaml"
                src.write_text(text, "utf-8")
                _run([*ptrack, "validate", str(src)], out)
                start = date.fromisoformat(text.split("\n  start: ", 1)[1][:10])
                before_start = start - timedelta(days=1)
                task, end, after = _cascade_target(text, before_start)
                to = (start + timedelta(days=364)).isoformat()
                before = src.read_bytes()
                times: dict[str, list[float]] = {"validate": [], "clone": [], "cascade": []}
                dates = moved = 0
                for r in range(repeat):
                    names = list(times)
                    k = r % len(names)
                    for name in names[k:] + names[:k]:
                        if name == "validate":
                            times[name].append(_run([*ptrack, "validate", str(src)], out)[0])
                        elif name == "clone":
                            new = out / f"{shape}-{n}-clone.yaml"
                            elapsed, printed = _run([*ptrack, "clone", str(src), "-o", str(new), "--to", to,
                                                     "--force", "--id", "bench-clone", "--lang", "en"], out)
                            times[name].append(elapsed)
                            if r == 0:
                                _run([*ptrack, "validate", str(new)], out)
                                dates = int(printed.split(" dates moved:", 1)[0].rsplit(" ", 1)[1])
                        else:
                            copy = out / f"{shape}-{n}-cascade.yaml"
                            copy.write_bytes(before)
                            elapsed, printed = _run([*ptrack, "update", str(copy), task, "--planned-end",
                                                     end.isoformat(), "--cascade", "--as-of", before_start.isoformat(),
                                                     "--lang", "en"], out)
                            times[name].append(elapsed)
                            if r == 0:
                                _run([*ptrack, "validate", str(copy)], out)
                                line = next((x for x in printed.splitlines() if "move with it" in x), "")
                                moved = int(line.split()[0]) if line.split() and line.split()[0].isdigit() else \
                                    (1 if line.startswith("1 successor") else 0)
                best = {name: min(v) for name, v in times.items()}
                val = best["validate"]
                print(f"{shape:<11} {n:>6} {len(before) / 1024:>6.0f} {val:>10.3f} {best['clone']:>8.3f} "
                      f"{best['clone'] / val:>5.1f}x {dates:>6} {best['cascade']:>9.3f} {best['cascade'] / val:>5.1f}x "
                      f"{moved:>6} {after:>6}", flush=True)
        print()
        print("dates: dates the clone moved; moved: successors the cascade moved; after: tasks after the re-planned")
        print("task (the most a cascade could reach)")
        print(load_average("at end"))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
