#!/usr/bin/env python
"""Validate benchmark: ``ptrack validate`` against check-jsonschema on the same file and schema.

    python benchmarks/bench_validate.py [--file examples/campaign.yaml] [--repeat 30] [--profile]

Times, as whole processes and interleaved round by round (so all three see the same load):
``python -c pass`` (the floor: interpreter start), ``ptrack validate FILE`` (the pre-commit
hook's command) and ``check-jsonschema --schemafile src/ptrack/schema/campaign.schema.json FILE``.
Prints the best and the median of each, the ratio ptrack / check-jsonschema and the load average,
then what ``python -X importtime`` says the validate path imports. See benchmarks/README.md
("Validate vs check-jsonschema").

check-jsonschema comes with the bench extra: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import EXAMPLE, REPO, bench_env, load_average, ptrack_cmd, run_header  # noqa: E402

SCHEMA = REPO / "src" / "ptrack" / "schema" / "campaign.schema.json"
TARGET_RATIO = 0.3  # ptrack validate / check-jsonschema, whole processes, best of N
IMPORT_TOP = 12


def check_jsonschema_cmd() -> list[str] | None:
    """check-jsonschema of the interpreter running the benchmark, else the one on PATH."""
    beside = Path(sys.executable).parent / "check-jsonschema"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("check-jsonschema")
    return [found] if found else None


def compile_bytecode() -> list[str]:
    """Write the .pyc files of ptrack and check_jsonschema, as an installed package has them.

    pip compiles a wheel's modules when it installs it; an editable install of ptrack does not,
    and with PYTHONDONTWRITEBYTECODE set (some sandboxes and CI images set it) every run would
    compile ptrack's sources again (~30 ms) while check-jsonschema's installed .pyc are read."""
    import compileall
    import importlib.util

    done = []
    for name in ("ptrack", "check_jsonschema"):
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            for folder in spec.submodule_search_locations:
                compileall.compile_dir(folder, quiet=1)
            done.append(name)
    return done


def run(argv: list[str], ok: int, cwd: Path = REPO) -> float:
    """Seconds of ``argv`` as a whole process (wall clock); stops the benchmark on another exit."""
    t0 = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, env=bench_env())
    elapsed = time.perf_counter() - t0
    if proc.returncode != ok:
        sys.exit(f"bench: {' '.join(map(str, argv))} exited {proc.returncode}, expected {ok}:\n"
                 f"{proc.stderr.decode('utf-8', 'replace')[-2000:]}")
    return elapsed


def interleaved(commands: dict[str, tuple[list[str], int]], repeat: int) -> dict[str, list[float]]:
    """Each round runs every command once, in an order rotated from round to round."""
    names = list(commands)
    times: dict[str, list[float]] = {n: [] for n in names}
    for _ in range(2):  # warm the page cache; not counted
        for n in names:
            run(*commands[n])
    for r in range(repeat):
        k = r % len(names)
        for n in names[k:] + names[:k]:
            times[n].append(run(*commands[n]))
    return times


def imports_of(argv: list[str]) -> list[tuple[str, int]]:
    """(top-level module, cumulative µs) for each module imported at the top level of ``argv``
    (a ``python -X importtime ...`` command line), in import order."""
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO, text=True,
                          env=bench_env())
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        _, cumulative, name = line.split("|")
        if cumulative.strip().isdigit() and not name.startswith("  "):  # one space: a top-level import
            rows.append((name.strip(), int(cumulative)))
    return rows


def import_report(file: Path) -> list[str]:
    base = {name for name, _ in imports_of([sys.executable, "-X", "importtime", "-c", "pass"])}
    rows = [r for r in imports_of([sys.executable, "-X", "importtime", "-m", "ptrack", "validate", str(file)])
            if r[0] not in base]
    total = sum(us for _, us in rows)
    lines = [f"  modules imported at the top level beyond `python -c pass`: {len(rows)}, "
             f"{total / 1000:.1f} ms cumulative (importtime inflates small modules)"]
    for name, us in sorted(rows, key=lambda r: -r[1])[:IMPORT_TOP]:
        lines.append(f"    {us / 1000:7.1f} ms  {name}")
    every = set()
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "ptrack", "validate", str(file)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO, text=True, env=bench_env())
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            every.add(line.rsplit("|", 1)[1].strip())
    for pkg in ("click", "jsonschema", "fastjsonschema", "holidays", "matplotlib", "jinja2"):
        seen = any(n == pkg or n.startswith(pkg + ".") for n in every)
        lines.append(f"  imports {pkg}: {'yes' if seen else 'no'}")
    return lines


def profile(file: Path, top: int = 25) -> str:
    code = (
        "import cProfile, pstats, sys\n"
        "prof = cProfile.Profile(); prof.enable()\n"
        "from ptrack.launch import main\n"
        f"sys.argv = ['ptrack', 'validate', {str(file)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "prof.disable()\n"
        f"pstats.Stats(prof, stream=sys.stdout).sort_stats('cumulative').print_stats({top})\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=bench_env())
    return proc.stdout.replace(sys.prefix, "<prefix>")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, default=EXAMPLE, help="campaign file (default: examples/campaign.yaml)")
    ap.add_argument("--repeat", type=int, default=30, help="interleaved rounds; best and median are kept")
    ap.add_argument("--profile", action="store_true", help="also cProfile `ptrack validate FILE` in a fresh interpreter")
    args = ap.parse_args(argv)
    file = args.file.resolve()
    repeat = max(1, args.repeat)
    cjs = check_jsonschema_cmd()
    tools = []
    if cjs:
        version = subprocess.run([*cjs, "--version"], capture_output=True, text=True).stdout.strip()
        tools.append(version or "check-jsonschema")
    else:
        tools.append("check-jsonschema: NOT INSTALLED (pip install -e '.[bench]')")
    print(run_header(tools, repeat))
    compiled = compile_bytecode()
    print(f"file {file.relative_to(REPO) if file.is_relative_to(REPO) else file}; bytecode written for "
          f"{', '.join(compiled)}" + ("; PYTHONDONTWRITEBYTECODE is set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""))
    print()

    ptrack = ptrack_cmd()
    commands = {
        "python -c pass": ([sys.executable, "-c", "pass"], 0),
        "ptrack validate": ([*ptrack, "validate", str(file)], 0),
    }
    if cjs:
        commands["check-jsonschema"] = ([*cjs, "--schemafile", str(SCHEMA), str(file)], 0)
    # The explaining path, for information: an invalid copy (jsonschema runs); both must exit 1.
    bad_dir = Path(tempfile.mkdtemp(prefix="ptrack-bench-validate-"))
    try:
        bad = bad_dir / "invalid.yaml"
        text = file.read_text("utf-8")
        broken = text.replace("deviation_warn: 10", "deviation_warn: ten", 1)
        if broken != text:
            bad.write_text(broken, "utf-8")
            commands["ptrack validate (invalid copy)"] = ([*ptrack, "validate", str(bad)], 1)
            if cjs:
                commands["check-jsonschema (invalid copy)"] = ([*cjs, "--schemafile", str(SCHEMA), str(bad)], 1)
        times = interleaved(commands, repeat)
    finally:
        shutil.rmtree(bad_dir, ignore_errors=True)

    floor = min(times["python -c pass"])
    print(f"{'command':<34} {'best s':>8} {'median s':>9} {'best - floor s':>15}")
    print("-" * 69)
    for name, ts in times.items():
        print(f"{name:<34} {min(ts):>8.3f} {statistics.median(ts):>9.3f} {min(ts) - floor:>15.3f}")
    print()
    if cjs:
        best = min(times["ptrack validate"]) / min(times["check-jsonschema"])
        median = statistics.median(times["ptrack validate"]) / statistics.median(times["check-jsonschema"])
        verdict = "OK" if best <= TARGET_RATIO else "OVER TARGET"
        print(f"ratio ptrack validate / check-jsonschema: {best:.2f} (best), {median:.2f} (median); "
              f"target <= {TARGET_RATIO:g}: {verdict}")
    print(load_average("at end"))
    print()
    print("imports on the validate path (python -X importtime -m ptrack validate FILE):")
    for line in import_report(file):
        print(line)
    if args.profile:
        print()
        print("cProfile of ptrack validate FILE (fresh interpreter, imports included):")
        print(profile(file).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
