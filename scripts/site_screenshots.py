"""Screenshots of the status site for the docs: the person pages, the dashboard and the portfolio
on a phone (390×844) and at desktop width, with the update links that ``repo_url`` adds.

The example campaign is built as of 2024-04-15 by the real command line in a temporary folder
whose ``ptrack.yaml`` names the repository and the published site, then each page is opened in
headless Chromium and captured into ``docs/screenshots/``:

    .venv/bin/python scripts/site_screenshots.py [--out docs/screenshots] [--keep DIR]

``--keep DIR`` keeps the built site there (to open it yourself).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
AS_OF = "2024-04-15"
CID = "spring-launch-2024"
CONFIG = ("title: 市场部活动看板\nlocale: zh-CN\nrepo_url: https://github.com/acme/campaigns\n"
          "site_url: https://acme.github.io/campaigns\n")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# (file, page, viewport, what to capture: "full", "screen", a CSS selector to start the screen at,
# or "tooltip"), in the order the docs show them
SHOTS = [
    ("phone-person.png", "people/sales-d/index.html", PHONE, "until:#more"),
    ("phone-dashboard.png", f"{CID}/index.html", PHONE, "screen"),
    ("phone-focus.png", f"{CID}/index.html", PHONE, "#focus"),
    ("phone-gantt.png", f"{CID}/index.html", PHONE, "#gantt"),
    ("phone-tracking.png", f"{CID}/index.html", PHONE, "#tracking"),
    ("phone-portfolio.png", "index.html", PHONE, "full"),
    ("desktop-person.png", "people/marketing-manager/index.html", DESKTOP, "full"),
    ("desktop-gantt-tooltip.png", f"{CID}/index.html", DESKTOP, "tooltip"),
]


def build(folder: Path) -> Path:
    (folder / ".git").mkdir(parents=True)
    (folder / "campaigns").mkdir()
    shutil.copy(ROOT / "examples" / "campaign.yaml", folder / "campaigns" / "spring.yaml")
    (folder / "ptrack.yaml").write_text(CONFIG, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PTRACK_AS_OF", "GITHUB_ACTIONS")}
    env["PYTHONPATH"] = str(ROOT / "src")
    subprocess.run([sys.executable, "-m", "ptrack", "build", "--out", "site", "--as-of", AS_OF],
                   cwd=folder, env=env, check=True)
    return folder / "site"


def shoot(site: Path, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for name, rel, viewport, what in SHOTS:
            context = browser.new_context(viewport=viewport, device_scale_factor=2 if viewport is PHONE else 1)
            context.route("**/*", lambda route: route.abort() if not route.request.url.startswith(("file:", "data:"))
                          else route.continue_())
            page = context.new_page()
            page.goto((site / rel).as_uri(), wait_until="load")
            path = str(out / name)
            if what == "full":
                page.screenshot(path=path, full_page=True, animations="disabled")
            elif what == "screen":
                page.screenshot(path=path, animations="disabled")
            elif what.startswith("until:"):
                bottom = page.eval_on_selector(what[6:], "el => el.getBoundingClientRect().top + scrollY")
                page.screenshot(path=path, full_page=True, animations="disabled",
                                clip={"x": 0, "y": 0, "width": viewport["width"], "height": bottom})
            elif what == "tooltip":
                bar = page.locator('g.gx-t[data-t="kol-seeding"]')
                bar.scroll_into_view_if_needed()
                bar.hover()
                page.wait_for_timeout(100)
                tip = page.locator("#gx-tip").bounding_box()
                box = page.locator(".gx-scroll").bounding_box()
                top = max(0, min(box["y"], tip["y"]) - 10)
                page.screenshot(path=path, animations="disabled", clip={
                    "x": 0, "y": top, "width": viewport["width"],
                    "height": min(viewport["height"] - top, max(box["y"] + 320, tip["y"] + tip["height"]) + 10 - top)})
            else:
                page.evaluate("sel => document.querySelector(sel).scrollIntoView({block: 'start'})", what)
                page.wait_for_timeout(100)
                page.screenshot(path=path, animations="disabled")
            context.close()
            print(f"wrote {path}")
        browser.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), help="folder for the PNGs")
    parser.add_argument("--keep", help="keep the built site in this folder")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ptrack-shots-") as scratch:
        site = build(Path(scratch) / "repo")
        shoot(site, out)
        if args.keep:
            shutil.copytree(site, args.keep, dirs_exist_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
