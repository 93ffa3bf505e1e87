"""The dashboard's interactive Gantt in real Chromium (render/gantt_html.py, assets/gantt.js).

The example campaign as of 2024-04-15: 27 tasks in four modules, 28 ``depends_on`` links,
five milestones; about 100 days, so the chart opens at the week zoom (6 px a day).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from ptrack.i18n import TRACKING_COLUMNS
from browser_support import ARROWS_JS as _ARROWS_JS, assert_arrows_join as _assert_arrows_join

CAMPAIGN = "spring-launch-2024"
REPO = Path(__file__).resolve().parents[2]
AXE = REPO / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
PPD = {"day": 24, "week": 6, "month": 2}


def _page(site: Path) -> Path:
    return site / CAMPAIGN / "index.html"


def _tasks(site: Path) -> list[dict]:
    return json.loads((site / CAMPAIGN / "status.json").read_text(encoding="utf-8"))["campaigns"][0]["tasks"]


def _days(task: dict) -> int:
    start, end = (date.fromisoformat(task["planned_start"]), date.fromisoformat(task["planned_end"]))
    return (end - start).days + 1


def test_arrows_connect_the_right_bars(site_zh, open_page):
    watched = open_page(_page(site_zh))
    page = watched.page
    expected = sorted((dep, t["id"]) for t in _tasks(site_zh) for dep in t.get("depends_on") or [])
    assert len(expected) == 28
    arrows = page.evaluate(_ARROWS_JS)
    assert sorted((a["from"], a["to"]) for a in arrows) == expected
    assert _assert_arrows_join(arrows) == 28
    # after a zoom the paths are recomputed and still meet the (rescaled) bars
    page.click(".gx-zoom [data-zoom=day]")
    assert _assert_arrows_join(page.evaluate(_ARROWS_JS)) == 28
    page.click(".gx-zoom [data-zoom=month]")
    assert _assert_arrows_join(page.evaluate(_ARROWS_JS)) == 28
    # collapsing 内容营销 hides the arrows into and out of its tasks; the others still join
    page.click('.gx-labels .gx-m[data-m="0"] .gx-tog')
    arrows = page.evaluate(_ARROWS_JS)
    content = set(page.eval_on_selector_all('.gx-labels .gx-m[data-m="0"] a.gx-task', "as => as.map(a => a.dataset.t)"))
    for a in arrows:
        assert a["shown"] == (a["from"] not in content and a["to"] not in content), a
    assert 0 < _assert_arrows_join(arrows) < 28
    assert watched.problems() == []


def test_zoom_changes_the_scale(site_en, open_page):
    watched = open_page(_page(site_en))
    page = watched.page
    task = next(t for t in _tasks(site_en) if t["id"] == "kol-seeding")
    days = _days(task)

    def scale() -> float:
        width = page.eval_on_selector('g.gx-t[data-t="kol-seeding"] rect.gx-b', "r => r.getBoundingClientRect().width")
        return width / days

    assert page.get_attribute("#gx", "data-zoom") == "week"
    assert scale() == pytest.approx(PPD["week"], abs=0.01)
    for zoom in ("day", "month", "week"):
        page.click(f".gx-zoom [data-zoom={zoom}]")
        assert page.get_attribute("#gx", "data-zoom") == zoom
        assert page.get_attribute(f".gx-zoom [data-zoom={zoom}]", "aria-pressed") == "true"
        assert scale() == pytest.approx(PPD[zoom], abs=0.01)
        # the axis is as wide as the plot: window days x pixels per day
        width = page.eval_on_selector(".gx-axis", "s => s.getBoundingClientRect().width")
        assert width == pytest.approx(int(page.get_attribute("#gx", "data-days")) * PPD[zoom], abs=0.5)
        # only that zoom's date labels are shown
        shown = page.eval_on_selector_all(".gx-axis g[data-z]", "gs => gs.filter(g => getComputedStyle(g).display !== 'none').map(g => g.dataset.z)")
        assert shown == [zoom]
    # the keyboard zooms too: + (in) and - (out), from a task in the label pane
    page.focus('a.gx-task[data-t="kol-seeding"]')
    page.keyboard.press("+")
    assert page.get_attribute("#gx", "data-zoom") == "day" and scale() == pytest.approx(24, abs=0.01)
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert page.get_attribute("#gx", "data-zoom") == "month" and scale() == pytest.approx(2, abs=0.01)
    assert watched.problems() == []


def test_collapsing_a_module_hides_its_rows(site_zh, open_page):
    watched = open_page(_page(site_zh))
    page = watched.page
    first = '.gx-labels .gx-m[data-m="0"]'
    ids = page.eval_on_selector_all(f"{first} a.gx-task", "as => as.map(a => a.dataset.t)")
    assert len(ids) == 7

    def top(selector: str = '.gx-labels .gx-m[data-m="1"] .gx-tog') -> float:
        """How far below the first module's header ``selector`` is (clicks may scroll the page)."""
        return page.evaluate("""s => document.querySelector(s).getBoundingClientRect().top -
            document.querySelector('.gx-labels .gx-m[data-m="0"] .gx-tog').getBoundingClientRect().top""", selector)

    assert top() == 8 * 24  # the header and its seven tasks
    page.click(f"{first} .gx-tog")
    assert page.get_attribute(f"{first} .gx-tog", "aria-expanded") == "false"
    for tid in ids:
        assert not page.locator(f'a.gx-task[data-t="{tid}"]').is_visible()
        assert not page.locator(f'g.gx-t[data-t="{tid}"]').is_visible()
    # the next module moved up by the seven hidden rows, in the labels and in the plot alike
    assert top() == 24
    assert top('.gx-plot g.gx-m[data-m="1"] rect.gx-band') == 24
    assert page.locator("g.gx-t:visible").count() == 27 - 7
    # keyboard: → on the collapsed header expands it again
    page.focus(f"{first} .gx-tog")
    page.keyboard.press("ArrowRight")
    assert page.get_attribute(f"{first} .gx-tog", "aria-expanded") == "true"
    assert all(page.locator(f'g.gx-t[data-t="{tid}"]').is_visible() for tid in ids)
    # collapse all / expand all
    page.click("[data-all=collapse]")
    assert page.locator("g.gx-t:visible").count() == 0 and page.locator("a.gx-task:visible").count() == 0
    assert page.eval_on_selector(".gx-plot", "s => s.getAttribute('height')") == str(4 * 24)
    page.click("[data-all=expand]")
    assert page.locator("g.gx-t:visible").count() == 27
    assert watched.problems() == []


def _tooltip(page) -> dict:
    return page.evaluate("""() => {
      const tip = document.getElementById('gx-tip');
      return {hidden: tip.hidden, visible: tip.offsetParent !== null || getComputedStyle(tip).position === 'fixed' && !tip.hidden,
              head: tip.querySelector('.gx-tiphead')?.textContent,
              dt: Array.from(tip.querySelectorAll('dt')).map(e => e.textContent),
              dd: Object.fromEntries(Array.from(tip.querySelectorAll('dd')).map(e => [e.dataset.key, e.textContent]))};
    }""")


@pytest.mark.parametrize("lang,index", [("zh", 1), ("en", 2)])
def test_hover_and_focus_show_the_18_columns(lang, index, request, open_page):
    site = request.getfixturevalue(f"site_{lang}")
    watched = open_page(_page(site))
    page = watched.page
    task = next(t for t in _tasks(site) if t["id"] == "kol-seeding")
    assert page.locator("#gx-tip").is_hidden()
    page.hover('g.gx-t[data-t="kol-seeding"]')
    tip = _tooltip(page)
    assert not tip["hidden"]
    assert page.locator("#gx-tip").is_visible()
    assert tip["dt"] == [c[index] for c in TRACKING_COLUMNS]  # the seed's 18 columns, in order
    assert len(tip["dd"]) == 18
    assert tip["dd"]["name"] == task["name"]
    assert tip["dd"]["planned_start"] == task["planned_start"]
    assert tip["dd"]["planned_end"].startswith(task["planned_end"])
    assert tip["dd"]["actual_progress"] == "75.0"
    assert "kol-seeding" in tip["head"]
    # moving away hides it
    page.mouse.move(2, 2)
    assert page.locator("#gx-tip").is_hidden()

    # keyboard: Tab reaches the chart's task list; ↓ moves between rows; focus shows the tooltip
    page.focus(".gx-zoom [data-zoom=month]")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # collapse all, expand all, then the first module's header
    assert page.evaluate("document.activeElement.className") == "gx-tog"
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.dataset.t")
    assert focused == page.eval_on_selector('.gx-labels a.gx-task', "a => a.dataset.t")
    tip = _tooltip(page)
    assert not tip["hidden"] and len(tip["dt"]) == 18
    assert page.evaluate("document.activeElement.getAttribute('aria-describedby')") == "gx-tip"
    first_name = next(t["name"] for t in _tasks(site) if t["id"] == focused)
    assert tip["dd"]["name"] == first_name
    # one tab stop for the whole list (roving tabindex): Tab leaves the chart
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('.gx-labels') !== null")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.gx-labels') === null")
    assert page.locator("#gx-tip").is_hidden()
    assert watched.problems() == []


def _row_in_view(page, task_id: str) -> bool:
    return page.evaluate("""id => {
      const tr = document.querySelector(`#tracking-table tr[data-task="${id}"]`);
      const r = tr.getBoundingClientRect(), wrap = tr.closest('.tracking-wrap').getBoundingClientRect();
      return !tr.hidden && r.height > 0 && r.top >= Math.max(0, wrap.top) - 1 && r.bottom <= Math.min(innerHeight, wrap.bottom) + 1;
    }""", task_id)


def test_click_and_enter_scroll_to_the_tracking_row(site_zh, open_page):
    watched = open_page(_page(site_zh))
    page = watched.page
    # the last task of the table: far below the chart
    last = page.eval_on_selector_all("#tracking-table tbody tr", "rs => rs.map(r => r.dataset.task)")[-1]
    assert not _row_in_view(page, last)
    page.click(f'g.gx-t[data-t="{last}"]')
    page.wait_for_function("id => document.activeElement.closest('tr')?.dataset.task === id", arg=last)
    assert _row_in_view(page, last)
    assert page.evaluate("document.activeElement.closest('tr').classList.contains('gx-flash')")

    # Enter on a focused task label; a row the table's filters hide is shown first
    page.evaluate("window.scrollTo(0, 0)")
    page.select_option('select[data-filter="module"]', "数据监测")
    first = page.eval_on_selector('.gx-labels a.gx-task', "a => a.dataset.t")
    assert page.locator(f'#tracking-table tr[data-task="{first}"]').is_hidden()
    page.focus(f'a.gx-task[data-t="{first}"]')
    page.keyboard.press("Enter")
    page.wait_for_function("id => document.activeElement.closest('tr')?.dataset.task === id", arg=first)
    assert _row_in_view(page, first)
    assert page.locator("#tracking-table tbody tr:visible").count() == 27  # the filters were reset
    assert watched.problems() == []


def test_without_javascript_the_static_chart_is_complete(site_zh, open_page):
    watched = open_page(_page(site_zh), js=False)
    page = watched.page
    assert page.locator(".gx-tools").is_hidden()  # zoom and collapse need the script: not offered
    assert page.locator("g.gx-t").count() == 27
    assert page.locator("a.gx-task:visible").count() == 27
    drawn = page.eval_on_selector_all(".gx-plot path.gx-d", "ps => ps.map(p => p.dataset.a.split(';').length)")
    assert sum(drawn) == 28
    # each label says the status in words next to the bar's colour
    text = page.locator(".gx-labels").inner_text()
    for t in _tasks(site_zh):
        assert t["name"] in text
    assert "延期 75.0%" in text
    # the link still goes to the tracking-table row
    page.click('a.gx-task[data-t="kol-seeding"]')
    assert page.evaluate("location.hash") == "#task-kol-seeding"
    assert watched.problems() == []


def _axe(page) -> list[dict]:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is missing at {AXE}: scripts/test.sh installs it", pytrace=False)
        pytest.skip(f"axe-core is not installed at {AXE} (scripts/test.sh installs it)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
      // preload off: axe would fetch the stylesheets, which file:// pages may not
      const r = await axe.run(document, {resultTypes: ['violations'], preload: false});
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    return result


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_accessibility_scan_has_no_serious_violations(lang, request, open_page):
    site = request.getfixturevalue(f"site_{lang}")
    watched = open_page(_page(site))
    page = watched.page
    # with the chart in use: a zoom, a collapsed module, a focused task with its tooltip
    page.click(".gx-zoom [data-zoom=day]")
    page.click('.gx-labels .gx-m[data-m="1"] .gx-tog')
    page.focus('.gx-labels a.gx-task')
    assert page.locator("#gx-tip").is_visible()
    violations = _axe(page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    assert watched.problems() == []


def test_critical_path_is_highlighted_in_colour_and_words(site_zh, open_page):
    watched = open_page(_page(site_zh))
    page = watched.page
    critical = sorted(t["id"] for t in _tasks(site_zh) if t["critical"])
    assert critical  # the example has a critical path as of 2024-04-15
    outlined = page.eval_on_selector_all(".gx-plot rect.gx-b.gx-crit", "rs => rs.map(r => r.closest('g.gx-t').dataset.t)")
    assert sorted(outlined) == critical
    # red, thicker outline than the other bars
    stroke = page.eval_on_selector(".gx-plot rect.gx-b.gx-crit", "r => [getComputedStyle(r).stroke, getComputedStyle(r).strokeWidth]")
    assert stroke == ["rgb(213, 0, 0)", "2.5px"]
    tagged = page.eval_on_selector_all("a.gx-task", "as => as.filter(a => a.querySelector('.gx-c')?.textContent === '关键').map(a => a.dataset.t)")
    assert sorted(tagged) == critical
    page.hover(f'g.gx-t[data-t="{critical[0]}"]')
    head = page.locator("#gx-tip .gx-tiphead").inner_text()
    task = next(t for t in _tasks(site_zh) if t["id"] == critical[0])
    assert "位于关键路径上" in head and f"浮动时间：{task['float_days']} 个工作日" in head
    assert watched.problems() == []


def test_a_long_module_name_is_cut_in_its_column_with_the_full_name_in_its_title(tmp_path, open_page):
    """The label pane ends the name with an ellipsis inside its own width; hovering shows the
    whole name (the ``title`` attribute); the page's PNG and SVG do the same (test_gantt_labels)."""
    from tests.browser.conftest import build
    from tests.unit.test_gantt_labels import LONG_CJK, LONG_LATIN, _campaign_text

    source = tmp_path / "labels.yaml"
    source.write_text(_campaign_text(LONG_LATIN, LONG_CJK), encoding="utf-8")
    site = build(tmp_path / "site", str(source))
    watched = open_page(site / "labels" / "index.html")
    page = watched.page
    for name in (LONG_LATIN, LONG_CJK):
        label = page.locator(".gx-labels .gx-g .gx-n", has_text=name[:8])
        assert label.get_attribute("title") == name
        box = label.evaluate("""e => {const r = e.getBoundingClientRect(), p = e.closest('.gx-labels').getBoundingClientRect();
            return {cut: e.scrollWidth > e.clientWidth, inside: r.left >= p.left - 0.5 && r.right <= p.right + 0.5,
                    ellipsis: getComputedStyle(e).textOverflow};}""")
        assert box == {"cut": True, "inside": True, "ellipsis": "ellipsis"}, (name, box)
    assert watched.problems() == []
