#!/usr/bin/env python
"""Build benchmark: ``ptrack build`` against TaskJuggler (tj3) producing HTML and CSV reports.

    python benchmarks/bench_build.py [--shapes classic,dense,...] [--sizes 1000] [--repeat N]
                                     [--out DIR] [--no-profile] [--top N]

For each plan shape (benchmarks/shapes.py: bench_core's campaign and others that vary the window,
spans, dependencies, people, risks, milestones and names as real plans do) and size, and for
examples/campaign.yaml, writes an equivalent TaskJuggler project (.tjp: the same span, tasks
grouped by module, owners as resources, dependencies, completion, milestones, an HTML task report
and a CSV task report), checks that ptrack validates the campaign and tj3 accepts the project,
then times both tools as whole processes, interleaved run by run so both see the same load (best
of --repeat, wall clock, output folder removed before each run). Finally it cProfiles
``ptrack.cli.main(["build", ...])`` on every shape in a fresh interpreter and prints where the
time goes, stage by stage. See benchmarks/README.md ("Build vs TaskJuggler") for the mapping,
the shapes and the target.

TaskJuggler is Debian's ``tj3`` package (``apt-get install -y tj3``). Without it, the script says
so and still prints ptrack's figures.
"""

from __future__ import annotations

import argparse
import json
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
from bench_core import EXAMPLE, REPO, bench_env, load_average, output_folder, parse_sizes, ptrack_cmd, run_header  # noqa: E402
from shapes import SHAPES, generate  # noqa: E402

EXAMPLE_AS_OF = date(2024, 4, 15)  # the date the example's comments use
TARGET_RATIO_1000 = 4.0  # tj3 / ptrack build at 1,000 tasks, on every shape

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


def _run_once(argv: list[str], out_dir: Path | None, cwd: Path, make_dir: bool, env: dict | None = None) -> float:
    """Wall-clock seconds of ``argv`` as a whole process. ``out_dir`` is removed first (untimed)
    and, with ``make_dir``, created again empty (tj3 wants an existing folder)."""
    if out_dir is not None:
        shutil.rmtree(out_dir, ignore_errors=True)
        if make_dir:
            out_dir.mkdir(parents=True)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, env={**bench_env(), **(env or {})})
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, argv))} exited {proc.returncode}:\n"
                 f"{proc.stderr.decode('utf-8', 'replace')[-3000:]}")
    return elapsed


def time_fresh(argv: list[str], repeat: int, out_dir: Path | None = None, cwd: Path = REPO,
               make_dir: bool = False) -> float:
    """Best wall-clock seconds of ``argv`` over ``repeat`` runs (see ``_run_once``)."""
    return min(_run_once(argv, out_dir, cwd, make_dir) for _ in range(repeat))


def time_interleaved(jobs: dict[str, tuple], repeat: int) -> dict[str, float]:
    """Best seconds of each job, name -> (argv, out_dir, cwd, make_dir[, env]), running them round by
    round with the order rotated, so that every job sees the same load."""
    names = list(jobs)
    best = dict.fromkeys(names, float("inf"))
    for r in range(repeat):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            best[name] = min(best[name], _run_once(*jobs[name]))
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


def ptrack_check(path: Path, ptrack: list[str]) -> None:
    """The campaign must validate with no diagnostics at all before it is timed."""
    proc = subprocess.run([*ptrack, "validate", str(path)], capture_output=True, text=True, cwd=REPO,
                          env=bench_env())
    if proc.returncode != 0 or proc.stdout:
        sys.exit(f"bench: ptrack validate {path} exited {proc.returncode}:\n{proc.stdout[-3000:]}{proc.stderr[-1000:]}")


# ---------------------------------------------------------------------------------------------
# Profile (in a fresh interpreter, so imports are paid as in the timed process)

# Stages of a build, as (label, file suffixes, functions): their cumulative times are read from
# the profile. Each includes the imports it triggers (matplotlib is imported by the first chart).
STAGES = [
    ("load + validate + compute", ("validate.py", "pipeline.py"), ("load_all", "snapshots_of")),
    ("git history (read_histories)", ("render/site.py",), ("read_histories",)),
    ("find_cjk_font", ("render/fonts.py",), ("find_cjk_font",)),
    ("chart models and predicted sizes (_chart_job)", ("render/site.py",), ("_chart_job",)),
    ("Gantt PNG pages (draw_gantt)", ("render/gantt.py",), ("draw_gantt",)),
    ("gantt.svg (gantt_svg)", ("render/gantt.py",), ("gantt_svg",)),
    ("goals.png (draw_goals_chart)", ("render/charts.py",), ("draw_goals_chart",)),
    ("trend.png (draw_trend_chart)", ("render/charts.py",), ("draw_trend_chart",)),
    ("report.md (render_report)", ("render/markdown.py",), ("render_report",)),
    ("status.json (campaign_json, status_json_of)", ("reporters.py",), ("campaign_json", "status_json_of")),
    ("tracking.csv (write_csv)", ("tabular.py",), ("write_csv",)),
    ("tracking.xlsx (write_xlsx)", ("tabular.py",), ("write_xlsx",)),
    ("index.html pages (render_campaign_page, render_portfolio_page)", ("render/html.py",),
     ("render_campaign_page", "render_portfolio_page")),
    ("all imports during the build", ("<frozen importlib._bootstrap>",), ("_find_and_load",)),
]


def _profile_child(campaign: str, out_dir: str, as_of: str, top: str) -> int:
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
    if int(top):
        stats.sort_stats("cumulative").print_stats(int(top))
    text = buf.getvalue().replace(str(REPO / "src") + os.sep, "").replace(sys.prefix, "<prefix>")
    stages = {}
    for label, suffixes, names in STAGES:
        stages[label] = sum(v[3] for (file, _, func), v in stats.stats.items()
                            if func in names and file.replace(os.sep, "/").endswith(suffixes))
    print(json.dumps({"elapsed": elapsed, "code": code, "said": said.getvalue().strip(), "top": text,
                      "stages": stages}))
    return 0


def profile_build(campaign: Path, out_dir: Path, as_of: date, top: int) -> dict:
    shutil.rmtree(out_dir, ignore_errors=True)
    # PTRACK_PARALLEL=0: the PNG charts are drawn in this process, where the profiler sees them
    # (in a normal build a child forked at the start draws them while the parent writes the rest).
    proc = subprocess.run([sys.executable, __file__, "--profile-child", str(campaign), str(out_dir), str(as_of), str(top)],
                          capture_output=True, text=True, cwd=REPO, env={**bench_env(), "PTRACK_PARALLEL": "0"})
    if proc.returncode != 0:
        return {"error": f"(profile failed, exit {proc.returncode})\n{proc.stderr[-3000:]}"}
    return json.loads(proc.stdout)


# ---------------------------------------------------------------------------------------------
# Main


def _tj3_version() -> str | None:
    exe = shutil.which("tj3")
    if not exe:
        return None
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True)
    return (proc.stdout.strip().splitlines() or ["tj3 (unknown version)"])[0]


def _same_tree(a: Path, b: Path) -> bool:
    """The two build folders hold the same files, byte for byte."""
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return files_a == files_b and all((a / f).read_bytes() == (b / f).read_bytes() for f in files_a)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shapes", default=",".join(SHAPES),
                    help=f"plan shapes, comma-separated (default: all of {', '.join(SHAPES)})")
    ap.add_argument("--sizes", default="1000", help="generated task counts, comma-separated")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    ap.add_argument("--out", type=Path, help="keep the campaigns, .tjp files and outputs here (default: a temp folder)")
    ap.add_argument("--no-example", action="store_true", help="leave examples/campaign.yaml out")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile of ptrack build")
    ap.add_argument("--top", type=int, default=0, help="also print the top N cProfile entries of each shape")
    ap.add_argument("--before", metavar="SRC", type=Path,
                    help="also time `python -m ptrack build` with PYTHONPATH=SRC (another checkout's src folder, "
                         "e.g. main before a change) in the same interleaved rounds: a before/after column")
    ap.add_argument("--no-split", action="store_true", help="skip `tj3 --no-reports` (parse and schedule only)")
    ap.add_argument("--ptrack", metavar="COMMAND",
                    help='the ptrack command to time (default: the console script beside this Python); e.g. '
                         '"python -m ptrack" with PYTHONPATH set to another checkout\'s src, for a before/after run')
    ap.add_argument("--profile-child", nargs=4, metavar=("FILE", "OUT", "AS_OF", "TOP"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.profile_child:
        return _profile_child(*args.profile_child)
    shapes = [name.strip() for name in args.shapes.split(",") if name.strip()]
    unknown = [name for name in shapes if name not in SHAPES]
    if unknown:
        ap.error(f"unknown shape {', '.join(unknown)}; choose from {', '.join(SHAPES)}")
    sizes = parse_sizes(args.sizes)
    repeat = max(1, args.repeat)
    out, tmp = output_folder(args.out, "ptrack-bench-build-")
    ptrack = args.ptrack.split() if args.ptrack else ptrack_cmd()
    tj3 = _tj3_version()

    try:
        import matplotlib

        print(run_header([f"matplotlib {matplotlib.__version__}", tj3 or "tj3: NOT INSTALLED"], repeat))
        print(f"files in {out}; ptrack = {' '.join(ptrack)}")
        if not tj3:
            print("TaskJuggler (tj3) is not installed (Debian: apt-get install -y tj3): "
                  "only ptrack's figures are printed.")
        print()
        print("shapes:")
        for name in shapes:
            shape = SHAPES[name]
            print(f"  {name:<11} {shape.summary if shape else 'bench_core: 2024 on CN, spans 2-45 days, 4 modules, 40 people, risk on every 5th task'}")
        print()

        # Cases: (label, campaign file, as-of).
        cases: list[tuple[str, Path, date]] = []
        for name in shapes:
            for n in sizes:
                text, as_of = generate(name, n)
                path = out / f"campaign-{name}-{n}.yaml"
                path.write_text(text, "utf-8")
                cases.append((f"{name}-{n}", path, as_of))
        if not args.no_example:
            cases.append(("example", EXAMPLE, EXAMPLE_AS_OF))

        tjps: dict[str, Path] = {}
        print("Checks: ptrack validate (no diagnostics) and the TaskJuggler projects:")
        for label, path, as_of in cases:
            ptrack_check(path, ptrack)
            text, st = tjp_text(path, as_of)
            tjp = out / f"project-{label}.tjp"
            tjp.write_text(text, "utf-8")
            tjps[label] = tjp
            line = (f"  {label:>16}: {st['tasks']} tasks, deps kept {st['deps kept']} / dropped {st['deps dropped']}, "
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

        header = (f"{'case':>16} {'tj3 s':>8} {'tj3 --no-reports s':>19} {'ptrack build s':>15} "
                  f"{'ratio tj3/ptrack':>17}" + (f" {'before s':>9} {'ratio before':>13}" if args.before else "")
                  + "  load average (1, 5, 15 min)")
        print(header)
        print("-" * len(header))
        ratios = {}
        for label, path, as_of in cases:
            site = out / f"site-{label}"
            jobs = {"ptrack": ([*ptrack, "build", str(path), "--out", str(site), "--as-of", str(as_of)], site, REPO, False)}
            if tj3:
                tj_out = out / f"tj3-{label}"
                jobs["tj3"] = (["tj3", "--output-dir", str(tj_out), str(tjps[label])], tj_out, tjps[label].parent, True)
                if not args.no_split:
                    jobs["tj3-no-reports"] = (["tj3", "--no-reports", str(tjps[label])], None, tjps[label].parent, False)
            if args.before:
                before_site = out / f"site-before-{label}"
                jobs["before"] = ([sys.executable, "-m", "ptrack", "build", str(path), "--out", str(before_site),
                                   "--as-of", str(as_of)], before_site, REPO, False,
                                  {"PYTHONPATH": str(args.before.resolve())})
            best = time_interleaved(jobs, repeat)
            extra = ""
            if args.before:
                extra = f" {best['before']:>9.3f} " + (f"{best['tj3'] / best['before']:>12.2f}x" if tj3 else f"{'n/a':>13}")
                if not _same_tree(site, out / f"site-before-{label}"):
                    extra += "  (OUTPUT DIFFERS from before)"
            pt = best["ptrack"]
            if tj3:
                tj, tjs = best["tj3"], best.get("tj3-no-reports")
                ratios[label] = tj / pt
                split = f"{tjs:>19.3f}" if tjs is not None else f"{'-':>19}"
                print(f"{label:>16} {tj:>8.3f} {split} {pt:>15.3f} {tj / pt:>16.2f}x{extra}  {_load()}", flush=True)
            else:
                print(f"{label:>16} {'n/a':>8} {'n/a':>19} {pt:>15.3f} {'n/a':>17}{extra}  {_load()}", flush=True)
        at_1000 = {label: r for label, r in ratios.items() if label.endswith("-1000")}
        if at_1000:
            low = min(at_1000, key=at_1000.get)
            verdict = "OK" if at_1000[low] >= TARGET_RATIO_1000 else "UNDER TARGET"
            print(f"target: tj3 / ptrack build >= {TARGET_RATIO_1000:g}x at 1000 tasks on every shape: "
                  f"lowest {at_1000[low]:.2f}x ({low}) ({verdict})")
        print(load_average("after timing"))
        print()

        if not args.no_profile:
            profiled = [(lb, p, a) for lb, p, a in cases if lb != "example"] or cases
            results = {}
            for label, path, as_of in profiled:
                results[label] = profile_build(path, out / f"site-profile-{label}", as_of, args.top)
            print("cProfile of ptrack build per case, by stage (cumulative s, fresh interpreter, "
                  "PTRACK_PARALLEL=0 so the PNG charts are in the profile; a stage includes the imports it "
                  "triggers; cProfile inflates Python-heavy code: read proportions, not times):")
            labels = list(results)
            width = max(10, *(len(lb) for lb in labels))
            print(f"  {'stage':<62}" + "".join(f" {lb:>{width}}" for lb in labels))
            for stage, _, _ in STAGES:
                row = "".join(f" {results[lb].get('stages', {}).get(stage, float('nan')):>{width}.3f}" for lb in labels)
                print(f"  {stage:<62}{row}")
            print(f"  {'whole build under cProfile (wall)':<62}"
                  + "".join(f" {results[lb].get('elapsed', float('nan')):>{width}.3f}" for lb in labels))
            for label, res in results.items():
                if "error" in res:
                    print(f"{label}: {res['error']}")
                elif args.top:
                    print()
                    print(f"{label}: top {args.top} by cumulative time ({res['said']}):")
                    print(res["top"].rstrip())
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
