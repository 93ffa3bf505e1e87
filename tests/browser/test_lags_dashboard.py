"""Dependency types and backward planning on the dashboard, in real Chromium: examples/double11.yaml
as of 2024-10-15, whose plan links xhs-seeding to video-content and popup-build to kv-design
start-to-start (with lags of 5 and 4 working days) and the launch event to kv-design with a lag.

A start-to-start arrow leaves its predecessor's bar at its start, turns left of both starts and
enters its successor's bar at its start, at every zoom (gantt.js redraws the paths from data-a,
where it is marked " s"); the other arrows leave the predecessor's end. The start-by section
lists the tasks not started yet with their latest starts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import ARROWS_JS, assert_arrows_join

REPO = Path(__file__).resolve().parents[2]
CAMPAIGN = "double11-2024"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site-lags")
    source = Path(shutil.copy(REPO / "examples" / "double11.yaml", folder / "double11.yaml"))
    env = {k: v for k, v in os.environ.items() if k not in ("PTRACK_AS_OF", "GITHUB_ACTIONS")}
    proc = subprocess.run([sys.executable, "-m", "ptrack", "build", str(source), "--out", str(folder / "site"),
                           "--as-of", "2024-10-15", "--lang", "en"], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return folder / "site"


def test_start_to_start_arrows_leave_from_the_start_at_every_zoom(site, open_page):
    watched = open_page(site / CAMPAIGN / "index.html")
    page = watched.page
    doc = json.loads((site / CAMPAIGN / "status.json").read_text("utf-8"))["campaigns"][0]
    links = sorted((d["task"], t["id"], d["type"]) for t in doc["tasks"] for d in t["dependencies"])
    assert [(p, s) for p, s, kind in links if kind == "ss"] == [("kv-design", "popup-build"),
                                                                ("video-content", "xhs-seeding")]
    arrows = page.evaluate(ARROWS_JS)
    assert sorted((a["from"], a["to"], "ss" if a["ss"] else "fs") for a in arrows) == links
    assert assert_arrows_join(arrows) == len(links)
    for zoom in ("day", "month", "week"):
        page.click(f".gx-zoom [data-zoom={zoom}]")
        arrows = page.evaluate(ARROWS_JS)
        assert assert_arrows_join(arrows) == len(links)
        ss = [a for a in arrows if a["ss"]]
        assert len(ss) == 2 and all(a["start"][0] < a["fromBar"][0] + 1 for a in ss)
    # the legend says what the bracket means
    assert page.locator(".gx-legend", has_text="dependency (start → start)").count() == 1
    assert watched.problems() == []


def test_the_start_by_section_lists_the_tasks_not_started(site, open_page):
    watched = open_page(site / CAMPAIGN / "index.html")
    page = watched.page
    rows = page.eval_on_selector_all(
        "#start-by tbody tr", "rs => rs.map(r => [r.dataset.task, r.querySelectorAll('td')[3].innerText])")
    doc = json.loads((site / CAMPAIGN / "status.json").read_text("utf-8"))["campaigns"][0]
    expected = sorted(((t["latest_start"], i, t["id"]) for i, t in enumerate(doc["tasks"])
                       if t["status"] == "not_started" and t["kind"] != "event" and t["latest_start"]))
    assert [r[0] for r in rows] == [tid for _, _, tid in expected] and rows
    assert all(r[1] == next(t["latest_start"] for t in doc["tasks"] if t["id"] == r[0]) for r in rows)
    page.click('.section-nav a[href="#start-by"]')
    assert page.locator("#start-by h2").is_visible()
    assert watched.problems() == []
