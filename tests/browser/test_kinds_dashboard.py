"""Kinds of work on the dashboard, in real Chromium: examples/double11.yaml as of 2024-10-15.

The Gantt draws a timebox between two end caps and an event with two pins, at the bar's edges
and the same width at every zoom; the legend names both; the fixed-date events section shows the
launch at risk; the forecast card names what sets the date; on hold is grey, cancelled "—".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOUBLE11 = REPO / "examples" / "double11.yaml"
CAMPAIGN = "double11-2024"
AS_OF = "2024-10-15"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site of a copy of the example outside git (the numbers are the file's as of D)."""
    folder = tmp_path_factory.mktemp("site-kinds")
    source = Path(shutil.copy(DOUBLE11, folder / "double11.yaml"))
    env = {k: v for k, v in os.environ.items() if k not in ("PTRACK_AS_OF", "GITHUB_ACTIONS")}
    proc = subprocess.run([sys.executable, "-m", "ptrack", "build", str(source), "--out", str(folder / "site"),
                           "--as-of", AS_OF], cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return folder / "site"


def _tasks(site: Path) -> dict[str, dict]:
    doc = json.loads((site / CAMPAIGN / "status.json").read_text(encoding="utf-8"))["campaigns"][0]
    return {t["id"]: t for t in doc["tasks"]}


# For a task row: its bar's screen box, and each cap or pin line's x and stroke width on screen.
_MARKS_JS = """id => {
  const g = document.querySelector(`.gx-plot g.gx-t[data-t="${id}"]`);
  const bar = g.querySelector('rect.gx-b').getBoundingClientRect();
  const lines = [...g.querySelectorAll('line.gx-cap, line.gx-pin')].map(l => {
    const r = l.getBoundingClientRect();
    return {cls: l.getAttribute('class'), x: r.left + r.width / 2, width: parseFloat(getComputedStyle(l).strokeWidth),
            top: r.top, bottom: r.bottom};
  });
  return {left: bar.left, right: bar.right, top: bar.top, bottom: bar.bottom,
          event: g.querySelector('rect.gx-b').classList.contains('gx-ev'), lines};
}"""


def test_gantt_draws_timeboxes_and_events_at_every_zoom(site, open_page):
    watched = open_page(site / CAMPAIGN / "index.html", viewport=(1440, 1000))
    page = watched.page
    tasks = _tasks(site)
    assert (tasks["douyin-flight"]["kind"], tasks["launch-event"]["kind"], tasks["venue-prep"]["kind"]) == (
        "timebox", "event", "work")
    for zoom in ("week", "day", "month"):
        page.click(f".gx-zoom [data-zoom={zoom}]")
        flight = page.evaluate(_MARKS_JS, "douyin-flight")
        # two end caps, at the bar's left and right edges, 2 px wide however the chart is scaled,
        # reaching beyond the bar
        assert [m["cls"] for m in flight["lines"]] == ["gx-cap s-in_progress"] * 2
        assert [m["x"] for m in flight["lines"]] == pytest.approx([flight["left"], flight["right"]], abs=1.0)
        assert [m["width"] for m in flight["lines"]] == [2, 2]
        assert all(m["top"] < flight["top"] and m["bottom"] > flight["bottom"] for m in flight["lines"])
        assert not flight["event"]
        launch = page.evaluate(_MARKS_JS, "launch-event")
        assert [m["cls"] for m in launch["lines"]] == ["gx-pin s-not_started"] * 2 and launch["event"]
        assert [m["width"] for m in launch["lines"]] == [3.5, 3.5]
        assert [m["x"] for m in launch["lines"]] == pytest.approx([launch["left"], launch["right"]], abs=1.0)
        # deliverable work has neither
        assert page.evaluate(_MARKS_JS, "venue-prep")["lines"] == []
    legend = page.eval_on_selector_all(".gx-legend li", "ls => ls.map(l => l.textContent)")
    assert "时间盒" in legend and "固定日期活动" in legend
    assert watched.problems() == []


def test_events_section_forecast_card_and_grey_on_hold(site, open_page):
    watched = open_page(site / CAMPAIGN / "index.html", viewport=(1440, 1000))
    page = watched.page
    rows = page.eval_on_selector_all("#events tbody tr", "rs => rs.map(r => [r.dataset.task, r.className, "
                                                          "r.querySelector('td:last-child').textContent.trim()])")
    # by date: the launch (at risk: venue-prep ends 10/25, NWD(10/22, 10/25) = 4), the star
    # livestream, the pop-up store, the 11/11 livestream (all on time)
    assert [r[0] for r in rows] == ["launch-event", "star-live", "popup-store", "live-1111"]
    assert rows[0][1] == "at-risk"
    assert rows[0][2] == '有风险 前置任务"发布会场地搭建与嘉宾邀约"预计 2024-10-25 完成，冲突 4 个工作日'
    assert [r[2] for r in rows[1:]] == ["按时"] * 3
    assert page.inner_text('.section-nav a[href="#events"]') == "固定日期活动 1"
    # the forecast card names the task that sets the date and how
    card = page.eval_on_selector_all(".kpi", "ks => ks.map(k => k.innerText)")
    forecast = next(c for c in card if c.startswith("预计完成"))
    assert "2024-11-20" in forecast and '由"大促复盘报告"决定：按计划工期' in forecast
    # on hold: grey, not red; cancelled: "—" for its deviation
    held = page.locator("#task-store-linkage")
    assert held.get_attribute("data-health") == "grey"
    pill = held.locator(".pill.health-grey")
    assert pill.inner_text() == "搁置"
    assert pill.evaluate("p => getComputedStyle(p).color") == "rgb(87, 96, 106)"  # --grey, not --red
    dropped = page.locator("#task-elevator-ads")
    assert dropped.locator("td").nth(11).inner_text() == "—"
    # neither is in the focus list, which holds the two tasks behind by points and days
    assert page.eval_on_selector_all("#focus tbody tr", "rs => rs.map(r => r.dataset.task)") == [
        "venue-prep", "video-content"]
    assert watched.problems() == []


def test_on_a_phone_the_events_are_cards(site, open_page):
    watched = open_page(site / CAMPAIGN / "index.html", viewport=(390, 844))
    page = watched.page
    # nothing scrolls sideways: each event is a card, each value after its column's name
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    card = page.locator('#events tr[data-task="launch-event"]')
    assert card.evaluate("r => getComputedStyle(r).display") == "flex"
    assert card.evaluate("r => r.getBoundingClientRect().right") <= 390
    label = card.locator("td").nth(3).evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"前置准备"'
    assert watched.problems() == []
