#!/usr/bin/env python
"""The forecast schedule (critical path and float) and the workload on several plan shapes.

    python benchmarks/bench_schedule.py [--tasks 10000] [--repeat 5] [--no-cli]

For each shape, in-process (GC enabled, as in the CLI; best of --repeat): ``compute_schedule``
alone (forward + backward pass, float, critical path), ``compute_workload`` alone, and the whole
``compute_snapshot`` they are part of; then ``ptrack status --format json`` as a whole process.
Shapes, all on the CN calendar over 2024 as of 2024-07-01:

- realistic: bench_core's generated campaign (0-2 predecessors on recent earlier tasks, 40 owners)
- chain: one chain of N tasks, each depending on the one before (the deepest graph)
- parallel: 100 independent chains of N/100 tasks
- dense: each task depends on 5 random earlier tasks (the most edges)
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import (  # noqa: E402
    AS_OF, generate_campaign, load_average, output_folder, ptrack_cmd, run_header, time_call, time_process,
)

START = date(2024, 1, 1)
PEOPLE = 40


def _header(n: int, name: str) -> list[str]:
    lines = ["ptrack: 1", "campaign:", f"  id: {name}-{n}", f"  name: 基准 {name} {n}",
             "  start: 2024-01-01", "  end: 2024-12-31", "  calendar: CN", "people:"]
    lines += [f"  p{i:02d}: {{name: 人员{i:02d}, capacity: {4 if i % 5 == 0 else 5}}}" for i in range(PEOPLE)]
    return lines + ["tasks:"]


def _task(lines: list[str], i: int, start: date, days: int, deps: list[int], rng: random.Random) -> None:
    end = start + timedelta(days=days - 1)
    lines.append(f"  - id: t{i:05d}")
    lines.append(f"    name: 任务{i}")
    lines.append(f"    owner: p{rng.randrange(PEOPLE):02d}")
    if rng.random() < 0.3:
        lines.append(f"    collaborators: [p{rng.randrange(PEOPLE):02d}]")
    lines.append(f"    planned: {{start: {start}, end: {end}}}")
    if end < AS_OF:
        lines.append(f"    actual: {{start: {start}, end: {end}}}")
    elif start <= AS_OF:
        lines.append(f"    actual: {{start: {start}}}")
        lines.append(f"    progress: {rng.randrange(1, 90)}")
    if deps:
        lines.append(f"    depends_on: [{', '.join(f't{d:05d}' for d in deps)}]")


def generate_shape(shape: str, n: int, seed: int = 7) -> str:
    """The YAML of a valid campaign of ``n`` tasks in the given dependency ``shape``."""
    rng = random.Random(seed + n)
    lines = _header(n, shape)
    if shape == "chain":
        # one-day tasks spread over the year, each after the one before: the forward pass pushes
        # them out one working day at a time, far past the year (the calendar grows with it)
        for i in range(n):
            _task(lines, i, START + timedelta(days=(i * 365) // n), 1, [i - 1] if i else [], rng)
    elif shape == "parallel":
        per = max(1, n // 100)
        for c in range(100):
            for k in range(per):
                i = c * per + k
                start = START + timedelta(days=(k * 350) // per)
                _task(lines, i, start, max(1, 350 // per), [i - 1] if k else [], rng)
    elif shape == "dense":
        for i in range(n):
            start = START + timedelta(days=(i * 350) // n)
            deps = sorted(set(rng.randrange(i) for _ in range(5))) if i >= 5 else []
            _task(lines, i, start, rng.randrange(1, 15), deps, rng)
    else:
        raise ValueError(shape)
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-cli", action="store_true", help="skip the whole-process `ptrack status` runs")
    ap.add_argument("--out", type=Path, help="keep the generated campaigns here (default: a temp folder)")
    args = ap.parse_args(argv)
    n, repeat = args.tasks, max(1, args.repeat)
    out, tmp = output_folder(args.out, "ptrack-bench-schedule-")

    from ptrack.core import schedule
    from ptrack.core.calendars import get_calendar
    from ptrack.core.compute import _schedule_state, compute_snapshot
    from ptrack.pipeline import load_all
    from ptrack.core.config import Config
    from ptrack.core.workload import compute_workload

    try:
        print(run_header([], repeat))
        print(f"{n} tasks per shape, --as-of {AS_OF}; files in {out}")
        header = (f"{'shape':<10} {'edges':>6} {'path':>5} {'critical':>8} {'schedule s':>11} {'workload s':>11} "
                  f"{'snapshot s':>11} {'share':>6} {'status s':>9}")
        print(header)
        print("-" * len(header))
        for shape in ("realistic", "chain", "parallel", "dense"):
            path = out / f"{shape}-{n}.yaml"
            path.write_text(generate_campaign(n) if shape == "realistic" else generate_shape(shape, n), "utf-8")
            (result,) = load_all([path], Config(root=out))
            if result.campaign is None:
                sys.exit(f"bench: {path} is not valid:\n" + "\n".join(d.format_text() for d in result.diagnostics[:5]))
            c = result.campaign
            cal = get_calendar(c.calendar)
            snap = compute_snapshot(c, as_of=AS_OF)
            states = {ts.task.id: _schedule_state(ts.task, ts.status, ts.actual_progress, ts.planned_days, c.policy,
                                                  ts.stale, AS_OF) for ts in snap.tasks}
            _, sched_s, plan = time_call(lambda: schedule.compute_schedule(c.tasks, states, AS_OF, cal, c.end),
                                         repeat, gc_off=False)
            _, work_s, _ = time_call(lambda: compute_workload(c.people, snap.tasks, AS_OF, cal,
                                                              c.policy.collaborator_share), repeat, gc_off=False)
            _, snap_s, _ = time_call(lambda: compute_snapshot(c, as_of=AS_OF), repeat, gc_off=False)
            status_s = float("nan")
            if not args.no_cli:
                status_s, _ = time_process([*ptrack_cmd(), "status", str(path), "--as-of", str(AS_OF),
                                            "--format", "json"], min(repeat, 3))
            edges = sum(len(t.depends_on) for t in c.tasks)
            critical = sum(1 for s in plan.tasks.values() if s.critical)
            print(f"{shape:<10} {edges:>6} {len(plan.critical_path):>5} {critical:>8} {sched_s:>11.4f} "
                  f"{work_s:>11.4f} {snap_s:>11.4f} {sched_s / snap_s:>5.0%} "
                  f"{status_s:>9.3f}", flush=True)
        print(load_average("at end"))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
