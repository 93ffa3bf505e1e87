#!/usr/bin/env python
"""Import benchmark: time and peak memory of ``ptrack import`` on normal and hostile sheets.

    python benchmarks/bench_import.py [--repeat 3] [--timeout 120] [--mem-limit-gb 4] [--out DIR]

Each case is ``ptrack import FILE -o OUT.yaml --force`` run as a whole process; the figures are
its wall-clock seconds and its CPU seconds (user + system: what other jobs on the machine change
least), each the best of --repeat (a run over 10 s is not repeated), and its peak resident memory
(``ru_maxrss`` of the child, from ``os.wait4``), with the exit code and the last line it printed. Every child runs under an address-space limit (--mem-limit-gb) and a timeout, so a
version that allocates by a sheet's claimed dimension fails with ``MemoryError`` or is stopped
instead of taking the machine down. To time another version of ptrack, put its ``src`` first:
``PYTHONPATH=/path/to/old/src python benchmarks/bench_import.py`` (the children inherit it).

The cases (files generated with a fixed seed, so every run reads the same bytes):

- ``xlsx 1,000 rows`` / ``csv 1,000 rows``: ``ptrack export`` of bench_core's 1,000-task campaign;
- ``xlsx stray ZZ20000``: a 20-task sheet with one more cell, ``x``, at ZZ20000 (the sheet's
  dimension says A1:ZZ20000);
- ``xlsx stray A1048576``: the same with the cell at A1048576, Excel's last row;
- ``csv 200,000-char field``: a 20-task sheet whose first task's notes hold 200,000 characters
  (the ``csv`` module's default field limit is 131,072);
- ``csv export, 4,000 risks``: ``ptrack export`` of a task with 4,000 risks, whose risk cell
  (~171,000 characters) is past that limit too.

Prints one row per case and the load average before and after; see benchmarks/README.md
("Import").
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import AS_OF, bench_env, generate_campaign, load_average, ptrack_cmd, run_header  # noqa: E402

HEADERS = ["任务名称", "主责任人", "计划开始时间", "计划结束时间", "实际进度(%)", "备注"]
LONG_FIELD = 200_000
RISKS = 4_000
SLOW_S = 10.0  # a run this slow is not repeated (the "before" of the stray cells takes a minute)


def small_rows(n: int = 20) -> list[list]:
    """``n`` plain tasks under the seed's headers (a few columns), two weeks each."""
    rows = [HEADERS]
    start = date(2024, 3, 1)
    for i in range(n):
        s = start + timedelta(days=i)
        rows.append([f"任务{i + 1}", f"负责人{i % 5 + 1}", s.isoformat(), (s + timedelta(days=13)).isoformat(),
                     (i * 7) % 101, f"备注{i + 1}"])
    return rows


def stray_xlsx(path: Path, ref: str) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in small_rows():
        ws.append(row)
    ws[ref] = "x"
    wb.save(path)
    return path


def long_field_csv(path: Path) -> Path:
    import csv
    import io

    rows = small_rows()
    rows[1][-1] = ("很长的备注" * (LONG_FIELD // 5 + 1))[:LONG_FIELD]
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return path


def many_risks_yaml() -> str:
    lines = ["ptrack: 1", "campaign: {id: risks, name: 风险很多, start: 2024-03-01, end: 2024-03-29,",
             "  calendar: CN, locale: zh-CN}", "tasks:", "  - id: launch", "    name: 发布会",
             "    planned: {start: 2024-03-01, end: 2024-03-29}", "    risks:"]
    for i in range(RISKS):
        lines.append(f"      - {{issue: 第{i + 1}个风险：场地供应商尚未确认档期与搭建时间，需要市场部跟进协调并准备备选场地, solution: 启用备选供应商并压缩周期,"
                     f" due: 2024-03-{i % 28 + 1:02d}}}")
    return "\n".join(lines) + "\n"


def export(yaml_text: str, folder: Path, name: str, fmt: str) -> Path:
    """``ptrack export`` of a campaign text, in-process (the writer is not what is timed)."""
    from ptrack.core.compute import compute_snapshot
    from ptrack.core.validate import load_campaign
    from ptrack.exporters import export_bytes

    source = folder / f"{name}.yaml"
    source.write_text(yaml_text, encoding="utf-8")
    loaded = load_campaign(source)
    if loaded.campaign is None:
        sys.exit(f"bench: {source} is not a valid campaign")
    out = folder / f"{name}.{fmt}"
    out.write_bytes(export_bytes(compute_snapshot(loaded.campaign, as_of=AS_OF), fmt, locale=None))
    return out


def cases(folder: Path) -> list[tuple[str, Path]]:
    campaign = generate_campaign(1000)
    return [
        ("xlsx 1,000 rows", export(campaign, folder, "normal", "xlsx")),
        ("csv 1,000 rows", export(campaign, folder, "normal", "csv")),
        ("xlsx stray ZZ20000", stray_xlsx(folder / "stray-zz20000.xlsx", "ZZ20000")),
        ("xlsx stray A1048576", stray_xlsx(folder / "stray-a1048576.xlsx", "A1048576")),
        (f"csv {LONG_FIELD:,}-char field", long_field_csv(folder / "long-field.csv")),
        (f"csv export, {RISKS:,} risks", export(many_risks_yaml(), folder, "risks", "csv")),
    ]


def run_once(argv: list[str], timeout: float, mem_limit: int,
             cwd: Path) -> tuple[float, float, int, int | None, str]:
    """(wall seconds, CPU seconds (user + system), peak RSS in KiB, exit code or None when stopped
    at the timeout, last line)."""

    def limit():  # in the child, before exec
        resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))

    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd, env=bench_env(),
                                preexec_fn=limit)
        deadline = t0 + timeout
        code: int | None = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        elapsed = time.perf_counter() - t0
        proc.returncode = code if code is not None else -9  # reaped above: keep Popen from waiting
        err.seek(0)
        lines = [ln for ln in err.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    last = lines[-1] if lines else ""
    if any("MemoryError" in ln for ln in lines):
        last = "MemoryError"
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, code, last


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best time is shown")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a run is stopped")
    parser.add_argument("--mem-limit-gb", type=float, default=4.0, help="address-space limit of each run")
    parser.add_argument("--out", type=Path, help="keep the generated files in this folder")
    args = parser.parse_args(argv)

    import openpyxl

    print(run_header([f"openpyxl {openpyxl.__version__}"], args.repeat))
    mem_limit = int(args.mem_limit_gb * 2**30)
    with tempfile.TemporaryDirectory(prefix="ptrack-bench-import-") as tmp:
        folder = args.out or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'case':<28} {'file KB':>8} {'wall s':>7} {'CPU s':>7} {'peak MB':>8} {'exit':>5}  last line")
        for name, path in cases(folder):
            runs = []
            for _ in range(args.repeat):
                got = run_once([*ptrack_cmd(), "import", path.name, "-o", f"{path.stem}-out.yaml", "--force"],
                               args.timeout, mem_limit, folder)
                runs.append(got)
                if got[3] is None or got[3] not in (0, 1) or got[0] > SLOW_S:  # once is enough
                    break
            wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
            _, _, rss, code, last = runs[-1]
            shown = "stopped" if code is None else str(code)
            print(f"{name:<28} {path.stat().st_size / 1024:>8.0f} {wall:>7.2f} {cpu:>7.2f} {rss / 1024:>8.0f} "
                  f"{shown:>5}  {last[:90]}", flush=True)
    print(load_average("at end"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
