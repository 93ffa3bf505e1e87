#!/usr/bin/env python
"""``ptrack serve``: from saving the campaign file to the open page showing it, in Chromium.

    python benchmarks/bench_serve.py [--sizes 100,1000] [--repeat 5] [--no-example]

For each campaign (examples/campaign.yaml, then generated campaigns of --sizes tasks from
bench_core's generator) it starts ``ptrack serve FILE --port 0 --as-of 2024-07-01`` (the example:
2024-04-15) as its own process, opens the campaign's dashboard in headless Chromium
(/usr/bin/chromium via Playwright, as tests/browser does) and, --repeat times:

* save: writes the file with a new campaign name and waits until the page's <title> has it;
  the time from just before the write to the page having the new title. The page reloads itself
  (the injected script hears the new build on /__ptrack/events);
* problem: writes the file with a progress of 150 and waits for the problem overlay (no build:
  validation fails, the page is not reloaded); then the file is written back and the page reloads.

``build s`` is what the server reports for the build itself ("built ... in X s"); ``save s``
minus it is the cost of noticing the save (watchfiles: 50 ms of quiet), telling the page, and
the browser reloading the page and its images. Medians and best of --repeat. Prints the load
average at start and end: the machine is shared; compare runs made on a quiet machine.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import EXAMPLE, bench_env, generate_campaign, load_average, ptrack_cmd, run_header  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
_URL = re.compile(r"serving (http://127\.0\.0\.1:\d+/)")
_BUILT = re.compile(r"changed; built .* in ([0-9.]+) s")
_NAME = re.compile(r"^  name: .*$", re.MULTILINE)  # the campaign's name: the first two-space name
_PROGRESS = re.compile(r"^    progress: \d+$", re.MULTILINE)
_ID = re.compile(r"^  id: (\S+)$", re.MULTILINE)


class Served:
    def __init__(self, path: Path, as_of: str) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen([*ptrack_cmd(), "serve", path.name, "--port", "0", "--as-of", as_of],
                                     cwd=path.parent, env=bench_env(), stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, encoding="utf-8", bufsize=1)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 300
        while not (found := [m for line in list(self.lines) if (m := _URL.search(line))]):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"ptrack serve did not start: {self.lines}")
            time.sleep(0.05)
        self.url = found[0].group(1)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def builds(self) -> list[float]:
        return [float(m.group(1)) for line in self.lines if (m := _BUILT.search(line))]

    def stop(self) -> int:
        self.proc.send_signal(2)  # SIGINT, as Ctrl-C
        return self.proc.wait(120)


def measure(label: str, path: Path, as_of: str, repeat: int, browser) -> dict:
    text = path.read_text(encoding="utf-8")
    cid = _ID.search(text).group(1)
    served = Served(path, as_of)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{served.url}{cid}/", wait_until="load")
    saves: list[float] = []
    problems: list[float] = []
    try:
        for i in range(repeat):
            name = f"基准保存 {label} {i}"
            current = _NAME.sub(f"  name: {name}", text, count=1)
            started = time.perf_counter()
            path.write_text(current, encoding="utf-8")
            page.wait_for_function("name => document.title.startsWith(name)", arg=name, timeout=300_000)
            saves.append(time.perf_counter() - started)

            started = time.perf_counter()
            path.write_text(_PROGRESS.sub("    progress: 150", current, count=1), encoding="utf-8")
            page.wait_for_selector("#ptrack-live-overlay", state="visible", timeout=300_000)
            problems.append(time.perf_counter() - started)

            path.write_text(current.replace(name, name + " ok", 1), encoding="utf-8")
            page.wait_for_function("name => document.title.startsWith(name)", arg=name + " ok", timeout=300_000)
            page.wait_for_load_state("load")
    finally:
        page.close()
        code = served.stop()
    # every rebuild: the saves and the fixes after a problem (the same build)
    return {"label": label, "save": saves, "problem": problems, "build": served.builds(), "errors": errors,
            "exit": code}


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} {min(values):6.2f}" if values else "     -      -"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="generated campaign sizes (tasks), comma-separated")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-example", action="store_true", help="leave out examples/campaign.yaml")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    from playwright.sync_api import sync_playwright

    print(run_header([f"Chromium ({CHROMIUM})"], args.repeat).replace("(best)", "(median and best)"))
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as scratch, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cases = [] if args.no_example else [("example", EXAMPLE.read_text(encoding="utf-8"), "2024-04-15")]
        cases += [(f"{n} tasks", generate_campaign(n), "2024-07-01") for n in sizes]
        rows = []
        for label, text, as_of in cases:
            folder = Path(scratch) / label.replace(" ", "-")
            folder.mkdir()
            path = folder / "campaign.yaml"
            path.write_text(text, encoding="utf-8")
            rows.append(measure(label, path, as_of, args.repeat, browser))
        browser.close()

    print()
    print("                   save -> reloaded page    server build       the rest      problem -> overlay")
    print("campaign           median   best            median   best      median        median   best")
    for row in rows:
        rest = statistics.median(row["save"]) - statistics.median(row["build"]) if row["build"] else float("nan")
        print(f"{row['label']:<18} {_fmt(row['save'])}          {_fmt(row['build'])}    "
              f"{rest:6.2f}        {_fmt(row['problem'])}")
    for row in rows:
        if row["errors"] or row["exit"] != 0:
            print(f"{row['label']}: console errors {row['errors']}, exit code {row['exit']}")
    print()
    print(load_average("at end"))


if __name__ == "__main__":
    main()
