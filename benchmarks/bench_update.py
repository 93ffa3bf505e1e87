#!/usr/bin/env python
"""Update benchmark: ``ptrack update`` beside ``ptrack validate`` on the same file.

    python benchmarks/bench_update.py                          # shapes classic..mixed, 100 and 1,000 tasks
    python benchmarks/bench_update.py --sizes 1000,8000 --shapes dense --repeat 7

For each plan shape (benchmarks/shapes.py) and size it generates the campaign, picks a task in the
middle of the file that is not finished (so that a progress edit is valid), and times as whole
processes, interleaved round by round (so both see the same load):

- ``ptrack validate FILE``;
- ``ptrack update COPY TASK --progress N`` (a scalar replaced);
- ``ptrack update COPY TASK --start D --note TEXT`` (keys added: actual.start and a note);
- ``ptrack update COPY --goal ID --value V --date D`` (a measurement added to a list).

Every update runs on a fresh copy of the file (the copy is made before the clock starts). After
each, the updated file must pass ``ptrack validate`` and the bytes before the first and after the
last change must be those of the original: the changed bytes must lie inside the edited task (or
goal), else the row says how many bytes outside it differ. It prints best-of-N seconds, the
ratio update / validate (the target: at most 3x at 1,000 tasks) and the load average; it asserts
nothing and always exits 0. The ``.pyc`` files of the ptrack it times are written first, as an
installed wheel has them.

To time another version of ptrack with the same script (before / after a change), put its
sources first on the path: ``PYTHONPATH=/tmp/ptrack-main/src python benchmarks/bench_update.py``
(``git archive main src | tar -x -C /tmp/ptrack-main``, plus its compiled catalogs).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import bench_env, load_average  # noqa: E402
from shapes import generate, shape_bench_setup  # noqa: E402

TARGET_RATIO = 3.0  # update / validate at 1,000 tasks, whole processes, best of N
DEFAULT_SHAPES = "classic,dense,chains,milestones,mixed"


def _run(argv: list[str], cwd: Path, ok=(0,)) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, env=bench_env())
    elapsed = time.perf_counter() - t0
    if proc.returncode not in ok:
        sys.exit(f"bench: {' '.join(map(str, argv))} exited {proc.returncode}:\n"
                 f"{proc.stderr.decode('utf-8', 'replace')[-2000:]}")
    return elapsed


def _target(text: str, kind: str) -> tuple[str, int, int]:
    """(id, first line, last line) of the item of ``kind`` (tasks or goals) in the middle of the
    file whose edit is valid: a task without actual.end that is not cancelled or on hold."""
    from ptrack.core.loader import parse_yaml

    doc = parse_yaml(text, "bench.yaml")
    items = doc.data[kind]
    marks = doc.source.marks[id(items)]
    lines = text.count("\n") + 1
    order = sorted(range(len(items)), key=lambda i: abs(i - len(items) // 2))
    for i in order:
        item = items[i]
        actual = item.get("actual") or {}
        if kind == "tasks" and ("end" in actual or "start" in actual or item.get("status")):
            continue
        first = marks[i][0]
        last = marks[i + 1][0] - 1 if i + 1 < len(items) else lines
        return item["id"], first, last
    raise SystemExit(f"bench: no {kind} item to edit")


def _outside(before: bytes, after: bytes, first: int, last: int) -> int:
    """How many bytes of ``before`` outside its lines first..last (1-based) differ in ``after``.

    The changed region is what lies between the common prefix and the common suffix. An
    insertion next to text like its own can be aligned several ways (prefix first or suffix
    first): the better of the two alignments counts."""
    lines = before.split(b"\n")
    start = sum(len(x) + 1 for x in lines[: first - 1])
    stop = sum(len(x) + 1 for x in lines[:last])
    limit = min(len(before), len(after))

    def common(a: bytes, b: bytes, cap: int) -> int:
        n = 0
        while n < cap and a[n] == b[n]:
            n += 1
        return n

    best = None
    for prefix_first in (True, False):
        if prefix_first:
            head = common(before, after, limit)
            tail = common(before[::-1], after[::-1], limit - head)
        else:
            tail = common(before[::-1], after[::-1], limit)
            head = common(before, after, limit - tail)
        changed_from, changed_to = head, len(before) - tail
        outside = max(0, start - changed_from) + max(0, changed_to - stop)
        best = outside if best is None else min(best, outside)
    return best


def main(argv=None) -> int:
    sizes, shapes, repeat, out, tmp, ptrack = shape_bench_setup(argv, __doc__, sizes="100,1000", shapes=DEFAULT_SHAPES,
                                                                prefix="ptrack-bench-update-")
    try:
        header = (f"{'shape':<11} {'tasks':>6} {'KB':>7} {'validate s':>10} {'progress s':>10} {'x':>6} "
                  f"{'start+note s':>12} {'x':>6} {'goal s':>7} {'x':>6}  outside the edit")
        print(header)
        print("-" * len(header))
        ratios: dict[int, list[float]] = {}
        for shape in shapes:
            for n in sizes:
                text, as_of = generate(shape, n)
                src = out / f"{shape}-{n}.yaml"
                src.write_text(text, "utf-8")
                _run([*ptrack, "validate", str(src)], out)
                task, t_first, t_last = _target(text, "tasks")
                goal, g_first, g_last = _target(text, "goals")
                edits = {
                    "progress": ([task, "--progress", "37"], (t_first, t_last)),
                    "start+note": ([task, "--start", as_of.isoformat(), "--note", "基准测试 bench note"],
                                   (t_first, t_last)),
                    "goal": (["--goal", goal, "--value", "123456", "--date", as_of.isoformat()], (g_first, g_last)),
                }
                before = src.read_bytes()
                times: dict[str, list[float]] = {"validate": [], **{k: [] for k in edits}}
                outside: dict[str, int] = {}
                for r in range(repeat):
                    names = list(times)
                    k = r % len(names)
                    for name in names[k:] + names[:k]:
                        if name == "validate":
                            times[name].append(_run([*ptrack, "validate", str(src)], out))
                            continue
                        extra, (first, last) = edits[name]
                        copy = out / f"{shape}-{n}-{name}.yaml"
                        copy.write_bytes(before)
                        times[name].append(_run([*ptrack, "update", str(copy), *extra], out))
                        if r == 0:
                            _run([*ptrack, "validate", str(copy)], out)
                            outside[name] = _outside(before, copy.read_bytes(), first, last)
                best = {name: min(v) for name, v in times.items()}
                val = best["validate"]
                ratios.setdefault(n, []).append(max(best[k] for k in edits) / val)
                kept = ", ".join(f"{k} {'identical' if v == 0 else f'{v} bytes DIFFER'}" for k, v in outside.items())
                print(f"{shape:<11} {n:>6} {len(before) / 1024:>7.0f} {val:>10.3f} "
                      f"{best['progress']:>10.3f} {best['progress'] / val:>5.1f}x "
                      f"{best['start+note']:>12.3f} {best['start+note'] / val:>5.1f}x "
                      f"{best['goal']:>7.3f} {best['goal'] / val:>5.1f}x  {kept}", flush=True)
        print()
        for n, rs in sorted(ratios.items()):
            worst = max(rs)
            verdict = "" if n != 1000 else (" (target <= 3x: OK)" if worst <= TARGET_RATIO else " (target <= 3x: OVER)")
            print(f"{n} tasks: slowest update / validate over the shapes: {worst:.2f}x{verdict}")
        print(load_average("at end"))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
