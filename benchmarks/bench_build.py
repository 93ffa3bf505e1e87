#!/usr/bin/env python
"""Build benchmark: ``ptrack build`` against TaskJuggler (tj3) producing HTML and CSV reports.

    python benchmarks/bench_build.py [--sizes 20,1000] [--repeat N] [--out DIR] [--no-profile]

For each generated campaign (bench_core's seeded generator) and for examples/campaign.yaml, writes
an equivalent TaskJuggler project (.tjp: the same span, tasks grouped by module, owners as
resources, dependencies, completion, milestones, an HTML task report and a CSV task report),
checks that tj3 accepts it, then times both tools as whole processes (best of --repeat, wall
clock, output folder removed before each run). Finally it cProfiles ``ptrack.cli.main(["build",
...])`` on the largest size in a fresh interpreter and prints the top 20 cumulative entries.
See benchmarks/README.md ("Build vs TaskJuggler") for the mapping and the target.

TaskJuggler is Debian's ``tj3`` package (``apt-get install -y tj3``). Without it, the script says
so and still prints ptrack's figures.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The campaign generator and helpers are shared with bench_core, not copied.
from bench_core import AS_OF, EXAMPLE, REPO, bench_env, generate_campaign, output_folder, parse_sizes, ptrack_cmd, run_header  # noqa: E402

EXAMPLE_AS_OF = date(2024, 4, 15)  # the date the example's comments use
TARGET_RATIO_1000 = 4.0  # tj3 / ptrack build at 1,000 tasks
PROFILE_TOP = 20

# ---------------------------------------------------------------------------------------------
# The TaskJuggler project


def _tj_string(s: str | None) -> str:
    """A TaskJuggler double-quoted string (no escapes: quotes and backslashes are replaced)."""
    s = (s or "").replace("\\", "/").replace('"', "'").replace("\n", " ")
    return f'"{s}"'


class _Ids:
    """ptrack ids (letters, digits, '-', '.', ...) -> unique TaskJuggler ids ([A-Za-z_][A-Za-z0-9_]*)."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.map: dict[str, str] = {}
        self.used: set[str] = set()

    def __call__(self, pid: str) -> str:
        tid = self.map.get(pid)
        if tid is None:
            base = self.prefix + re.sub(r"[^A-Za-z0-9_]", "_", pid)
            tid, k = base, 1
            while tid in self.used:
                k += 1
                tid = f"{base}_{k}"
            self.map[pid] = tid
            self.used.add(tid)
        return tid


def tjp_text(yaml_path: Path, as_of: date) -> tuple[str, dict[str, int]]:
    """The .tjp text equivalent to a ptrack campaign, and counts of what was mapped or dropped.

    Leaf tasks get ptrack's planned dates as fixed ``start``/``end`` (TaskJuggler's end is
    exclusive: planned end + 1 day), so tj3 has nothing to move; a ``depends`` is kept only when
    it agrees with those dates (the predecessor ends before the successor starts), because a
    dependency that contradicts two fixed dates is a scheduling error in tj3. ``complete`` is
    ptrack's computed actual progress as of ``as_of`` (from progress, quantity, deliverables or
    actual dates).
    """
    from ptrack.core.calendars import get_calendar
    from ptrack.core.compute import compute_snapshot
    from ptrack.core.validate import load_campaign

    result = load_campaign(yaml_path)
    if result.campaign is None:
        sys.exit(f"bench: {yaml_path} is invalid:\n" + "\n".join(d.format_text() for d in result.diagnostics))
    c = result.campaign
    snap = compute_snapshot(c, as_of=as_of)
    actual = {ts.task.id: ts.actual_progress for ts in snap.tasks}
    stats = {"tasks": len(c.tasks), "deps kept": 0, "deps dropped": 0, "milestones": len(c.milestones),
             "milestone links kept": 0, "milestone links dropped": 0, "holidays": 0}

    first = min([c.start, *(t.planned_start for t in c.tasks), *(m.date for m in c.milestones)])
    last = max([c.end, *(t.planned_end for t in c.tasks), *(m.date for m in c.milestones)])
    last_excl = last + timedelta(days=1)

    out: list[str] = []
    w = out.append
    w(f"project {re.sub(r'[^A-Za-z0-9_]', '_', c.id)} {_tj_string(c.name)} {first} - {last_excl} {{")
    w('  timeformat "%Y-%m-%d"')
    w('  currency "CNY"')
    w(f"  now {as_of}")
    w("}")
    w("")

    # Public holidays on the campaign's calendar that fall on a weekday (the make-up working
    # Saturdays/Sundays of the CN calendar have no simple tj3 equivalent and are left out).
    cal = get_calendar(c.calendar)
    d = first
    while d <= last:
        if d.weekday() < 5 and not cal.is_working_day(d):
            w(f'leaves holiday "holiday" {d}')
            stats["holidays"] += 1
        d += timedelta(days=1)
    w("")

    # Resources: people, grouped by department.
    rid = _Ids("r_")
    by_dept: dict[str, list] = {}
    for p in c.people.values():
        by_dept.setdefault(p.department or "-", []).append(p)
    for k, (dept, people) in enumerate(by_dept.items(), 1):
        w(f"resource dept_{k} {_tj_string(dept)} {{")
        for p in people:
            w(f"  resource {rid(p.id)} {_tj_string(p.name)}")
        w("}")
    w("")

    # Tasks, one parent task per module (in first-seen order).
    tid = _Ids("t_")
    by_module: dict[str, list] = {}
    for t in c.tasks:
        by_module.setdefault(t.module or "-", []).append(t)
    path_of: dict[str, str] = {}
    mod_ids: dict[str, str] = {}
    for k, (module, tasks) in enumerate(by_module.items(), 1):
        mod_ids[module] = f"mod_{k}"
        for t in tasks:
            path_of[t.id] = f"mod_{k}.{tid(t.id)}"
    ends = {t.id: t.planned_end for t in c.tasks}
    for module, tasks in by_module.items():
        w(f"task {mod_ids[module]} {_tj_string(module)} {{")
        for t in tasks:
            w(f"  task {tid(t.id)} {_tj_string(t.name)} {{")
            w(f"    start {t.planned_start}")
            w(f"    end {t.planned_end + timedelta(days=1)}")
            if t.owner and t.owner in c.people:
                w(f"    allocate {rid(t.owner)}")
            w(f"    complete {round(actual[t.id])}")
            deps = []
            for dep in t.depends_on:
                if dep in ends and ends[dep] < t.planned_start:
                    deps.append(path_of[dep])
                else:
                    stats["deps dropped"] += 1
            if deps:
                w(f"    depends {', '.join(deps)}")
                stats["deps kept"] += len(deps)
            w("  }")
        w("}")
    w("")

    if c.milestones:
        w(f"task milestones {_tj_string('里程碑' if c.locale.startswith('zh') else 'Milestones')} {{")
        mid = _Ids("m_")
        for m in c.milestones:
            w(f"  task {mid(m.id)} {_tj_string(m.name)} {{")
            w("    milestone")
            w(f"    start {m.date}")
            deps = []
            for ref in m.tasks:
                if ref in ends and ends[ref] < m.date:
                    deps.append(path_of[ref])
                else:
                    stats["milestone links dropped"] += 1
            if deps:
                w(f"    depends {', '.join(deps)}")
                stats["milestone links kept"] += len(deps)
            if m.achieved:
                w("    complete 100")
            w("  }")
        w("}")
        w("")

    # Reports: an HTML task report with a Gantt chart column, and a CSV task report.
    w(f"taskreport overview {_tj_string(c.id)} {{")
    w("  formats html")
    w(f"  headline {_tj_string(c.name)}")
    w("  columns bsi, name, start, end, complete, resources, chart")
    w("  timeformat \"%Y-%m-%d\"")
    w("  hideresource 1")
    w("  sorttasks tree, start.up")
    w("}")
    w("")
    w('taskreport tasks_csv "tracking" {')
    w("  formats csv")
    w("  columns id, name, start, end, complete, resources")
    w("  timeformat \"%Y-%m-%d\"")
    w("  hideresource 1")
    w("}")
    return "\n".join(out) + "\n", stats


# ---------------------------------------------------------------------------------------------
# Timing


def time_fresh(argv: list[str], repeat: int, out_dir: Path | None = None, cwd: Path = REPO,
               make_dir: bool = False) -> float:
    """Best wall-clock seconds of ``argv`` as a whole process. ``out_dir`` is removed before each
    run (untimed) and, with ``make_dir``, created again empty (tj3 wants an existing folder)."""
    best = float("inf")
    for _ in range(repeat):
        if out_dir is not None:
            shutil.rmtree(out_dir, ignore_errors=True)
            if make_dir:
                out_dir.mkdir(parents=True)
        t0 = time.perf_counter()
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, env=bench_env())
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"bench: {' '.join(map(str, argv))} exited {proc.returncode}:\n"
                     f"{proc.stderr.decode('utf-8', 'replace')[-3000:]}")
        best = min(best, elapsed)
    return best


def tj3_check(tjp: Path, out_dir: Path) -> tuple[int, list[str]]:
    """Run tj3 once; exit with its messages if it rejects the project. Returns (warnings, files)."""
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    proc = subprocess.run(["tj3", "--no-color", "--output-dir", str(out_dir), str(tjp)],
                          capture_output=True, text=True, cwd=tjp.parent, env=bench_env())
    messages = proc.stdout + proc.stderr
    if proc.returncode != 0 or re.search(r"^Error:|\bError\b:", messages, re.M):
        sys.exit(f"bench: tj3 rejected {tjp} (exit {proc.returncode}):\n{messages[-4000:]}")
    warnings = len(re.findall(r"\bWarning\b", messages))
    files = sorted(str(p.relative_to(out_dir)) for p in out_dir.iterdir())
    return warnings, files


# ---------------------------------------------------------------------------------------------
# Profile (in a fresh interpreter, so imports are paid as in the timed process)

# Stages of a build, as (label, file suffix, function): their cumulative times are read from the
# profile. Each includes the imports it triggers (matplotlib is imported by the first chart).
STAGES = [
    ("load + validate + compute (load_all, snapshots_of)", "ptrack/pipeline.py", ("load_all", "snapshots_of")),
    ("find_cjk_font", "ptrack/render/fonts.py", ("find_cjk_font",)),
    ("render_gantt (PNG pages + SVG)", "ptrack/render/gantt.py", ("render_gantt",)),
    ("render_goals_chart", "ptrack/render/charts.py", ("render_goals_chart",)),
    ("render_trend_chart", "ptrack/render/charts.py", ("render_trend_chart",)),
    ("report.md (render_report)", "ptrack/render/markdown.py", ("render_report",)),
    ("status.json (campaign_json + status_json_of)", "ptrack/reporters.py", ("campaign_json", "status_json_of")),
    ("tracking.csv (write_csv)", "ptrack/sheets/tabular.py", ("write_csv",)),
    ("tracking.xlsx (write_xlsx)", "ptrack/sheets/tabular.py", ("write_xlsx",)),
    ("index.html pages (render_campaign_page, render_portfolio_page)", "ptrack/render/html.py",
     ("render_campaign_page", "render_portfolio_page")),
    ("all imports during the build (importlib _find_and_load)", "<frozen importlib._bootstrap>", ("_find_and_load",)),
]


def _profile_child(campaign: str, out_dir: str, as_of: str, top: int) -> int:
    import contextlib
    import cProfile
    import io
    import pstats

    from ptrack.cli import main as ptrack_main

    os.chdir(REPO)
    prof = cProfile.Profile()
    said = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(said):
        prof.enable()
        try:
            ptrack_main(["build", campaign, "--out", out_dir, "--as-of", as_of])
        except SystemExit as exc:
            code = exc.code
        else:
            code = 0
        prof.disable()
    elapsed = time.perf_counter() - t0
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(top)
    text = buf.getvalue()
    text = text.replace(str(REPO / "src") + os.sep, "").replace(sys.prefix, "<prefix>")
    print(f"ptrack.cli.main(['build', ...]) under cProfile: {elapsed:.3f} s wall, exit {code} "
          f"({said.getvalue().strip()}); profiling overhead included, `import ptrack.cli` not")
    print(text.rstrip())
    print()
    print("by stage (cumulative s under cProfile, all in one process (PTRACK_PARALLEL=0); a stage "
          "includes the imports it triggers):")
    for label, suffix, names in STAGES:
        total = sum(v[3] for (file, _, func), v in stats.stats.items()
                    if func in names and file.replace(os.sep, "/").endswith(suffix))
        print(f"  {label:<66} {total:7.3f} s")
    return 0


def profile_build(campaign: Path, out_dir: Path, as_of: date) -> str:
    shutil.rmtree(out_dir, ignore_errors=True)
    # PTRACK_PARALLEL=0: the Gantt renders in this process, where the profiler sees it (in a
    # normal build a forked child renders it while the parent writes the rest).
    proc = subprocess.run([sys.executable, __file__, "--profile-child", str(campaign), str(out_dir), str(as_of)],
                          capture_output=True, text=True, cwd=REPO, env={**bench_env(), "PTRACK_PARALLEL": "0"})
    if proc.returncode != 0:
        return f"(profile failed, exit {proc.returncode})\n{proc.stderr[-3000:]}"
    return proc.stdout


# ---------------------------------------------------------------------------------------------
# Main


def _tj3_version() -> str | None:
    exe = shutil.which("tj3")
    if not exe:
        return None
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True)
    return (proc.stdout.strip().splitlines() or ["tj3 (unknown version)"])[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20,1000", help="generated task counts, comma-separated")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    ap.add_argument("--out", type=Path, help="keep the campaigns, .tjp files and outputs here (default: a temp folder)")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile of ptrack build")
    ap.add_argument("--profile-child", nargs=3, metavar=("FILE", "OUT", "AS_OF"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.profile_child:
        return _profile_child(*args.profile_child, PROFILE_TOP)
    sizes = parse_sizes(args.sizes)
    repeat = max(1, args.repeat)
    out, tmp = output_folder(args.out, "ptrack-bench-build-")
    ptrack = ptrack_cmd()
    tj3 = _tj3_version()

    try:
        import matplotlib

        print(run_header([f"matplotlib {matplotlib.__version__}", tj3 or "tj3: NOT INSTALLED"], repeat))
        print(f"files in {out}; ptrack = {' '.join(ptrack)}")
        if not tj3:
            print("TaskJuggler (tj3) is not installed (Debian: apt-get install -y tj3): "
                  "only ptrack's figures are printed.")
        print()

        # Cases: (label, campaign file, as-of).
        cases: list[tuple[str, Path, date]] = []
        for n in sizes:
            path = out / f"campaign-{n}.yaml"
            path.write_text(generate_campaign(n), "utf-8")
            cases.append((str(n), path, AS_OF))
        cases.append(("example", EXAMPLE, EXAMPLE_AS_OF))

        tjps: dict[str, Path] = {}
        print("TaskJuggler projects (mapping checks):")
        for label, path, as_of in cases:
            text, st = tjp_text(path, as_of)
            tjp = out / f"project-{label}.tjp"
            tjp.write_text(text, "utf-8")
            tjps[label] = tjp
            line = (f"  {label:>7}: {st['tasks']} tasks, deps kept {st['deps kept']} / dropped {st['deps dropped']}, "
                    f"{st['milestones']} milestones (links kept {st['milestone links kept']} / dropped "
                    f"{st['milestone links dropped']}), {st['holidays']} weekday holidays")
            if tj3:
                warnings, files = tj3_check(tjp, out / f"tj3-{label}")
                line += f"; tj3 OK, {warnings} warnings, wrote {', '.join(files)}"
            print(line, flush=True)
        print()

        startup = time_fresh([sys.executable, "-c", "pass"], repeat)
        mpl = time_fresh([sys.executable, "-c", "import matplotlib.pyplot"], repeat)
        print(f"python -c pass (interpreter start):         {startup:7.3f} s")
        print(f'python -c "import matplotlib.pyplot":       {mpl:7.3f} s')
        if tj3:
            tjv = time_fresh(["tj3", "--version"], repeat)
            print(f"tj3 --version (Ruby start + tj3 load):      {tjv:7.3f} s")
        print()

        header = (f"{'size':>8} {'tj3 s':>8} {'tj3 --no-reports s':>19} {'ptrack build s':>15} "
                  f"{'ratio tj3/ptrack':>17}")
        print(header)
        print("-" * len(header))
        ratios = {}
        for label, path, as_of in cases:
            site = out / f"site-{label}"
            pt = time_fresh([*ptrack, "build", str(path), "--out", str(site), "--as-of", str(as_of)],
                            repeat, out_dir=site)
            if tj3:
                tj_out = out / f"tj3-{label}"
                tj = time_fresh(["tj3", "--output-dir", str(tj_out), str(tjps[label])], repeat,
                                out_dir=tj_out, cwd=tjps[label].parent, make_dir=True)
                tjs = time_fresh(["tj3", "--no-reports", str(tjps[label])], repeat, cwd=tjps[label].parent)
                ratios[label] = tj / pt
                print(f"{label:>8} {tj:>8.3f} {tjs:>19.3f} {pt:>15.3f} {tj / pt:>16.2f}x", flush=True)
            else:
                print(f"{label:>8} {'n/a':>8} {'n/a':>19} {pt:>15.3f} {'n/a':>17}", flush=True)
        if "1000" in ratios:
            r = ratios["1000"]
            verdict = "OK" if r >= TARGET_RATIO_1000 else "UNDER TARGET"
            print(f"target: tj3 / ptrack build >= {TARGET_RATIO_1000:g}x at 1000 tasks: {r:.2f}x ({verdict})")
        print()

        if not args.no_profile:
            label, path, as_of = max(((lb, p, a) for lb, p, a in cases if lb.isdigit()),
                                     key=lambda c: int(c[0]), default=cases[-1])
            print(f"cProfile of ptrack build, {label} tasks (fresh interpreter, top {PROFILE_TOP} by cumulative time):")
            print(profile_build(path, out / f"site-profile-{label}", as_of).rstrip())
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
