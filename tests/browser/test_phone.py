"""Phone first (issue 17 §4) and the update links (§2-3) in real Chromium.

The example built with a ptrack.yaml that has repo_url and site_url, opened at 390×844 (a phone)
and at 1280×900: nothing scrolls the document sideways, tables are cards, goal names are not
one character a line, the Gantt opens at the week zoom around the as-of date, every update link
can be tapped and leads to the form prefilled, the axe-core scan finds nothing serious."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from test_gantt import _axe

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "campaign.yaml"
CID = "spring-launch-2024"
PHONE = (390, 844)
FORM = "https://github.com/acme/campaigns/issues/new"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The example in a repository folder whose ptrack.yaml names the repository and the site."""
    root = tmp_path_factory.mktemp("phone")
    (root / ".git").mkdir()
    (root / "campaigns").mkdir()
    (root / "campaigns" / "spring.yaml").write_bytes(EXAMPLE.read_bytes())
    (root / "ptrack.yaml").write_text("title: 市场部活动看板\nrepo_url: https://github.com/acme/campaigns\n"
                                      "site_url: https://acme.github.io/campaigns\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PTRACK_AS_OF", "GITHUB_ACTIONS")}
    proc = subprocess.run([sys.executable, "-m", "ptrack", "build", "--out", "site", "--as-of", "2024-04-15"],
                          cwd=root, env=env, capture_output=True, text=True, encoding="utf-8", timeout=180)
    assert proc.returncode == 0, proc.stderr
    return root / "site"


PAGES = ["index.html", f"{CID}/index.html", "people/sales-d/index.html", "people/marketing-manager/index.html"]


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]")
    assert width[0] <= width[2] and width[1] <= width[2], width


@pytest.mark.parametrize("path", PAGES)
def test_phone_pages_do_not_scroll_sideways_and_pass_the_accessibility_scan(site, open_page, path):
    watched = open_page(site / path, viewport=PHONE)
    page = watched.page
    _no_sideways_scroll(page)
    # no element reaches past the screen but inside the Gantt's scroller, the section menu (which
    # scrolls on its own) and the cards' column names (clipped: read by screen readers only)
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > innerWidth + 0.5 && !el.closest('.gx-scroll, .section-nav, table.cards > thead');
      }).slice(0, 5).map(el => el.tagName + '.' + el.className)""")
    assert wide == []
    serious = [v for v in _axe(page) if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    assert watched.problems() == []


def test_dashboard_tables_are_cards_on_a_phone(site, open_page):
    page = open_page(site / CID / "index.html", viewport=PHONE).page
    shapes = page.eval_on_selector_all("table.cards", """ts => ts.map(t => {
        const tr = t.tBodies[0] && t.tBodies[0].rows[0];
        return [t.className, getComputedStyle(t).display, tr ? getComputedStyle(tr).display : null,
                getComputedStyle(t.tHead).position];
      })""")
    # focus, fixed-date events (the example has its trade fair), critical path, start by, risks,
    # milestones, goals, 4 roll-ups, workload, tracking
    assert len(shapes) == 13
    assert all(display == "block" and row == "flex" and head == "absolute" for _, display, row, head in shapes), shapes
    # each value is written after its column's name
    label = page.evaluate("""() => getComputedStyle(
        document.querySelector('#tracking-table tbody tr td:nth-child(4)'), '::before').content""")
    assert label == '"主责任人"'
    assert page.evaluate("""() => getComputedStyle(
        document.querySelector('table.focus tbody tr td'), '::before').content""") == '"负责人"'


def test_goal_names_keep_their_width(site, open_page):
    page = open_page(site / CID / "index.html", viewport=PHONE).page
    widths = page.eval_on_selector_all("table.goals tbody th, table.cards tbody th[scope=row]",
                                       "ths => ths.map(th => th.getBoundingClientRect().width)")
    assert widths and min(widths) > 250  # a card's full width, never a column one character wide
    lines = page.eval_on_selector_all("table.goals tbody th", """ths => ths.map(th => {
        const r = document.createRange(); r.selectNodeContents(th.firstChild);
        return r.getClientRects().length; })""")
    assert max(lines) == 1  # 月均曝光量500万+, 转化率3%+ ... each on one line


def test_the_full_tracking_table_is_one_tap_away(site, open_page):
    watched = open_page(site / CID / "index.html", viewport=PHONE)
    page = watched.page
    button = page.locator("[data-full-table]")
    assert button.is_visible() and button.get_attribute("aria-pressed") == "false"
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert page.eval_on_selector("#tracking-table", "t => [t.classList.contains('cards'), getComputedStyle(t).display]") \
        == [False, "table"]
    assert page.eval_on_selector(".tracking-wrap", "w => w.scrollWidth > w.clientWidth")  # it scrolls in its frame
    _no_sideways_scroll(page)
    button.click()
    assert page.eval_on_selector("#tracking-table", "t => t.classList.contains('cards')")
    assert watched.problems() == []


def test_gantt_opens_at_the_week_zoom_around_the_as_of_date(site, open_page):
    page = open_page(site / CID / "index.html", viewport=PHONE).page
    page.locator("#gantt").scroll_into_view_if_needed()
    state = page.evaluate("""() => {
        const g = window.ptrackGantt, root = document.getElementById('gx');
        const scroll = g.scroll, pane = g.labels.getBoundingClientRect();
        const line = scroll.querySelector('.gx-plot line.gx-today').getBoundingClientRect();
        const box = scroll.getBoundingClientRect();
        return {zoom: root.dataset.zoom, pane: pane.width, line: line.left, left: pane.right, right: box.right};
      }""")
    assert state["zoom"] == "week"
    assert state["pane"] == 150
    # the as-of line is in the visible plot, about a third of the way in
    third = state["left"] + (state["right"] - state["left"]) / 3
    assert state["left"] < state["line"] < state["right"] and abs(state["line"] - third) < 12, state


def _tap_and_catch(watched, locator) -> str:
    """Tap a link to the forge; the test's browser never leaves file://, so the request is caught
    (and aborted) and its address returned."""
    before = len(watched.blocked)
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]  # on the screen, not beside it
    page = watched.page
    here = page.url
    locator.click()
    page.wait_for_timeout(300)
    assert len(watched.blocked) > before, "the link went nowhere"
    if page.url != here:  # the aborted navigation left an error page: back to where we were
        page.goto(here)
    return watched.blocked[-1]


def test_tapping_update_on_a_person_page_opens_the_prefilled_form(site, open_page):
    watched = open_page(site / "people" / "sales-d" / "index.html", viewport=PHONE)
    page = watched.page
    card = page.locator("#due_this_week li.item").first
    assert card.locator(".item-title").inner_text() == "门店新品陈列上架"
    url = _tap_and_catch(watched, card.locator("a.btn-primary"))
    assert url.startswith(FORM + "?")
    assert parse_qs(urlsplit(url).query) == {"template": ["ptrack-update.yml"], "campaign": [CID],
                                             "task": ["store-launch"], "title": ["进度更新：门店新品陈列上架"]}
    url = _tap_and_catch(watched, page.locator("#risks li.item a.btn").first)
    assert parse_qs(urlsplit(url).query)["resolve_risk"] == ["store-props-late"]


def test_a_card_title_goes_to_the_task_s_row_on_its_dashboard(site, open_page):
    watched = open_page(site / "people" / "sales-d" / "index.html", viewport=PHONE)
    page = watched.page
    page.locator("#due_this_week .item-title").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/{CID}/index.html#task-store-launch")
    assert page.evaluate("document.querySelector(':target').dataset.task") == "store-launch"
    assert watched.problems() == []


def test_tapping_update_on_a_dashboard_card(site, open_page):
    watched = open_page(site / CID / "index.html", viewport=PHONE)
    url = _tap_and_catch(watched, watched.page.locator("#tracking-table tr#task-kol-seeding a.upd"))
    assert parse_qs(urlsplit(url).query)["task"] == ["kol-seeding"]


def test_the_gantt_tooltip_links_to_the_form_and_stays_for_the_pointer(site, open_page):
    watched = open_page(site / CID / "index.html")
    page = watched.page
    bar = page.locator('g.gx-t[data-t="kol-seeding"]')
    bar.scroll_into_view_if_needed()
    bar.hover()
    link = page.locator("#gx-tip .gx-tipact a")
    assert link.inner_text() == "更新进度"
    assert parse_qs(urlsplit(link.get_attribute("href")).query)["task"] == ["kol-seeding"]
    # the pointer moves onto the tooltip (over other rows on its way): it stays, and the link works
    box = link.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=8)
    page.wait_for_timeout(250)
    assert page.locator("#gx-tip").is_visible()
    assert page.evaluate("window.ptrackGantt.tipFor") == "kol-seeding"
    before = len(watched.blocked)
    link.click()
    page.wait_for_timeout(300)
    assert len(watched.blocked) == before + 1 and "task=kol-seeding" in watched.blocked[-1]


def test_the_gantt_tooltip_link_is_reached_with_tab(site, open_page):
    page = open_page(site / CID / "index.html").page
    page.focus('.gx-labels a.gx-task[data-t="kol-seeding"]')
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.closest('#gx-tip') !== null, document.activeElement.textContent]")
    assert focused == [True, "更新进度"]
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.dataset.t") == "kol-seeding"


def test_desktop_person_page_and_portfolio(site, open_page):
    watched = open_page(site / "index.html")
    page = watched.page
    _no_sideways_scroll(page)
    assert page.locator("#people li.item").count() == 11
    page.locator('#people a[href="people/marketing-manager/index.html"]').click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "王雪 · 我的任务"
    # two columns of sections at this width
    tops = page.eval_on_selector_all(".person-grid > section", "ss => ss.map(s => s.getBoundingClientRect().top)")
    assert tops[0] == tops[1]
    serious = [v for v in _axe(page) if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    assert watched.problems() == []
