"""The status site in a real browser: pages load from file:// with no network, images load,
Chinese renders with a CJK font, the tracking table filters and sorts, the English build speaks
English, the table is complete with JavaScript off, and hostile strings stay text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from browser_support import HOSTILE

CAMPAIGN = "spring-launch-2024"
NAME = "新品上市综合营销推广"
ROWS = "#tracking-table tbody tr"


def _pages(site):
    return [site / "index.html", site / CAMPAIGN / "index.html"]


def _tasks(site):
    return json.loads((site / CAMPAIGN / "status.json").read_text(encoding="utf-8"))["campaigns"][0]["tasks"]


def _visible_rows(page) -> list[dict]:
    """The tracking rows a user sees: their data attributes and cell texts, in DOM order."""
    return page.eval_on_selector_all(ROWS, """rows => rows.filter(r => !r.hidden && r.offsetParent !== null)
        .map(r => ({task: r.dataset.task, module: r.dataset.module, owner: r.dataset.owner,
                    status: r.dataset.status, text: r.textContent,
                    cells: Array.from(r.cells).map(c => c.getAttribute('data-sort') ?? c.textContent.trim())}))""")


def _column(page, header_text: str) -> int:
    headers = page.eval_on_selector_all("#tracking-table thead th", "ths => ths.map(th => th.textContent.trim())")
    return headers.index(header_text)


# ---------------------------------------------------------------------------------------------
# Loading

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_load_from_file_with_no_errors_and_no_network(lang, request, open_page):
    site = request.getfixturevalue(f"site_{lang}")
    for path in _pages(site):
        watched = open_page(path)
        assert watched.problems() == [], path
        assert all(u.startswith("file://") for u in watched.requests), watched.requests
        # the stylesheet applied (a local file, not a CDN)
        assert watched.page.evaluate("getComputedStyle(document.body).marginTop") == "0px"


def test_all_images_load(site_zh, open_page):
    watched = open_page(site_zh / CAMPAIGN / "index.html")
    page = watched.page
    images = page.eval_on_selector_all("img", """imgs => imgs.map(i => ({src: i.getAttribute('src'),
        alt: i.alt, complete: i.complete, width: i.naturalWidth}))""")
    sources = {i["src"] for i in images}
    assert {"goals.png", "trend.png"} <= sources
    # the Gantt is drawn inline; its static images are linked for reports and chat
    assert page.locator('#gantt a[href="gantt.png"]').count() == 1
    assert page.locator('#gantt a[href="gantt.svg"]').count() == 1
    for image in images:
        assert image["complete"] and image["width"] > 0, image
        assert len(image["alt"]) > 10, image  # alt text that says what the chart shows
    assert watched.problems() == []


def test_git_built_site_trend_image_loads(site_git, open_page):
    """A campaign with git history: trend.png (actual progress per commit day) loads, and the
    page says where the history comes from and who last updated each task."""
    watched = open_page(site_git / "demo" / "index.html")
    page = watched.page
    trend = page.eval_on_selector("#trend img", """i => ({src: i.getAttribute('src'), complete: i.complete,
        width: i.naturalWidth, height: i.naturalHeight})""")
    assert trend["src"] == "trend.png" and trend["complete"] and trend["width"] > 0 and trend["height"] > 0
    assert page.locator("#trend .history-note").inner_text() == (
        "Actual progress from git: one point per day with commits (3 days).")
    alpha = page.locator("#tracking-table tbody tr[data-task=alpha] .updated")
    assert alpha.is_visible() and alpha.inner_text() == "last updated 41 days ago by Dave"
    assert watched.problems() == []


def test_links_point_at_files_that_exist(site_zh, open_page):
    for path in _pages(site_zh):
        page = open_page(path).page
        hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
        for href in hrefs:
            assert href.startswith("file://"), href
            target = href.split("#")[0]
            if target:
                assert Path(unquote(urlparse(target).path)).exists(), href


# ---------------------------------------------------------------------------------------------
# Chinese text

def test_chinese_text_is_visible_in_a_cjk_font(site_zh, open_page):
    for path in _pages(site_zh):
        watched = open_page(path)
        page = watched.page
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        link_or_title = page.locator(f"text={NAME}").first
        assert link_or_title.is_visible()
        # 10 characters in a CJK font are about 10 em wide; tofu boxes or a missing font are not.
        box = page.evaluate(f"""(() => {{
            const el = Array.from(document.querySelectorAll('h1, a')).find(e => e.textContent.trim() === {json.dumps(NAME)});
            const r = el.getBoundingClientRect();
            return {{width: r.width, height: r.height, size: parseFloat(getComputedStyle(el).fontSize)}};
        }})()""")
        assert box["width"] >= 0.85 * len(NAME) * box["size"], box
        assert box["height"] >= box["size"], box
        # Which font did Chromium really draw the glyphs with?
        cdp = page.context.new_cdp_session(page)
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        selector = "h1" if path.parent.name == CAMPAIGN else "a.campaign-link"
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        cdp.send("CSS.enable")
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        cjk = [f for f in fonts if re.search(r"CJK|Han|Hei|PingFang|YaHei|WenQuanYi|Droid|Ming|Song|Kai",
                                             f["familyName"], re.IGNORECASE)]
        assert cjk and sum(f["glyphCount"] for f in cjk) >= len(NAME), fonts
        fonts_ready = page.evaluate("document.fonts.status")
        assert fonts_ready == "loaded"


# ---------------------------------------------------------------------------------------------
# The tracking table

def test_filter_by_module_owner_status_and_search(site_zh, open_page):
    tasks = _tasks(site_zh)
    watched = open_page(site_zh / CAMPAIGN / "index.html")
    page = watched.page
    assert page.locator("#tracking-filters").is_visible()
    assert len(_visible_rows(page)) == len(tasks) == 27

    page.select_option("select[data-filter=module]", "渠道推广")
    rows = _visible_rows(page)
    expected = sorted(t["id"] for t in tasks if t["module"] == "渠道推广")
    assert sorted(r["task"] for r in rows) == expected and len(expected) == 7
    module_col = _column(page, "所属模块")
    assert {r["cells"][module_col] for r in rows} == {"渠道推广"}
    assert page.locator("[data-shown]").inner_text() == "显示 7 / 27 个任务"

    page.select_option("select[data-filter=owner]", label="刘畅")  # an owner within that module
    rows = _visible_rows(page)
    assert sorted(r["task"] for r in rows) == sorted(
        t["id"] for t in tasks if t["module"] == "渠道推广" and t["owner"] == "ops-b")
    assert rows

    page.click("#tracking-filters button[type=reset]")
    page.wait_for_function("document.querySelectorAll('#tracking-table tbody tr:not([hidden])').length === 27")

    page.select_option("select[data-filter=status]", "delayed")
    assert [r["task"] for r in _visible_rows(page)] == [t["id"] for t in tasks if t["status"] == "delayed"]
    page.select_option("select[data-filter=status]", "*")

    page.select_option("select[data-filter=department]", "技术部")
    assert sorted(r["task"] for r in _visible_rows(page)) == sorted(
        t["id"] for t in tasks if t["department"] == "技术部")
    page.select_option("select[data-filter=department]", "*")

    page.fill("input[data-search]", "海报")
    rows = _visible_rows(page)
    assert rows and len(rows) < 27
    assert all("海报" in r["text"] for r in rows)
    hidden = page.eval_on_selector_all(ROWS, "rs => rs.filter(r => r.hidden).map(r => r.textContent)")
    assert hidden and not any("海报" in text for text in hidden)

    page.fill("input[data-search]", "没有这样的任务")
    assert _visible_rows(page) == []
    assert page.locator("[data-no-match]").is_visible()
    page.fill("input[data-search]", "")

    page.check("input[data-focus-only]")
    focus = page.eval_on_selector_all("#focus tbody tr", "rs => rs.map(r => r.dataset.task)")
    assert sorted(r["task"] for r in _visible_rows(page)) == sorted(focus) and focus
    assert watched.problems() == []


def test_sort_by_clicking_a_header(site_zh, open_page):
    watched = open_page(site_zh / CAMPAIGN / "index.html")
    page = watched.page
    col = _column(page, "实际进度(%)")
    header = page.locator("#tracking-table thead th").nth(col)
    assert header.get_attribute("aria-sort") is None

    header.click()
    values = [float(r["cells"][col]) for r in _visible_rows(page)]
    assert values == sorted(values) and values[0] < values[-1]
    assert header.get_attribute("aria-sort") == "ascending"

    header.click()
    values = [float(r["cells"][col]) for r in _visible_rows(page)]
    assert values == sorted(values, reverse=True)
    assert header.get_attribute("aria-sort") == "descending"

    end = page.locator("#tracking-table thead th").nth(_column(page, "计划结束时间"))
    end.click()
    dates = [r["cells"][_column(page, "计划结束时间")] for r in _visible_rows(page)]
    assert dates == sorted(dates)
    assert header.get_attribute("aria-sort") is None and end.get_attribute("aria-sort") == "ascending"

    # sorting and filtering together; the header is a keyboard-reachable button
    page.select_option("select[data-filter=module]", "数据监测")
    page.locator("#tracking-table thead th").nth(col).locator("button").focus()
    page.keyboard.press("Enter")
    values = [float(r["cells"][col]) for r in _visible_rows(page)]
    assert len(values) == sum(1 for t in _tasks(site_zh) if t["module"] == "数据监测") and values == sorted(values)
    assert watched.problems() == []


def test_javascript_off_shows_the_full_table(site_zh, open_page):
    watched = open_page(site_zh / CAMPAIGN / "index.html", js=False)
    page = watched.page
    rows = page.locator(ROWS)
    assert rows.count() == 27
    assert all(rows.nth(i).is_visible() for i in range(27))
    assert page.locator("#tracking-table thead th").count() == 18
    assert page.locator("#tracking-filters").is_hidden()  # filters need the script: not offered
    assert page.locator("#tracking-table thead button").count() == 0
    text = page.locator("#tracking-table").inner_text()
    for task in _tasks(site_zh):
        assert task["name"] in text
    # the rest of the dashboard too
    assert page.locator("#focus tbody tr").count() == 5  # campus-popup (on hold) is not in it
    assert page.locator("img").count() >= 2  # goals and trend; the Gantt is inline SVG
    assert page.locator("#gantt svg.gx-plot g.gx-t").count() == 27
    assert watched.problems() == []


def test_headers_are_the_seed_columns_with_scope(site_zh, site_en, open_page):
    from ptrack.i18n import TRACKING_COLUMNS

    for site, index in ((site_zh, 1), (site_en, 2)):
        page = open_page(site / CAMPAIGN / "index.html").page
        headers = page.eval_on_selector_all("#tracking-table thead th",
                                            "ths => ths.map(th => [th.textContent.trim(), th.scope])")
        assert headers == [[c[index], "col"] for c in TRACKING_COLUMNS]
        scopes = page.eval_on_selector_all("#tracking-table tbody th", "ths => ths.map(th => th.scope)")
        assert set(scopes) == {"row"}


def test_status_and_health_are_text_not_colour_alone(site_zh, open_page):
    page = open_page(site_zh / CAMPAIGN / "index.html").page
    pills = page.eval_on_selector_all(".pill", "ps => ps.map(p => p.textContent.trim())")
    assert pills and all(pills)
    assert {"进行中", "已完成", "延期", "未开始", "暂停", "已取消"} <= set(pills)
    assert {"正常", "预警", "严重"} <= set(pills)
    # the campaign's own health, in words, next to its name
    assert page.locator(".hero-badges").inner_text().split() == ["预警", "进行中"]


# ---------------------------------------------------------------------------------------------
# English

def test_english_build_speaks_english(site_en, open_page):
    page = open_page(site_en / CAMPAIGN / "index.html").page
    assert page.evaluate("document.documentElement.lang") == "en"
    text = page.locator("body").inner_text()
    for label in ("Weekly review focus", "Risk register", "Gantt chart", "Milestones", "Goals",
                  "Roll-ups", "Tracking table", "Actual progress (%)", "Planned end", "in progress",
                  "Days behind", "Forecast finish", "All campaigns"):
        assert label in text, label
    for label in ("周会重点关注", "风险登记", "实际进度(%)", "进行中", "数据截至"):
        assert label not in text, label
    assert NAME in text  # user data stays as written
    page.select_option("select[data-filter=status]", "done")
    assert page.locator("[data-shown]").inner_text() == "11 of 27 tasks shown"

    portfolio = open_page(site_en / "index.html").page
    assert portfolio.evaluate("document.documentElement.lang") == "en"
    assert "Campaigns" in portfolio.locator("body").inner_text()


# ---------------------------------------------------------------------------------------------
# Hostile strings

def test_hostile_strings_render_as_text_and_never_run(site_hostile, open_page):
    # the portfolio shows the campaign's name (HOSTILE 3 and 0) and next milestone (HOSTILE 2)
    for path, shown in ((site_hostile / "index.html", (HOSTILE[0], HOSTILE[2], HOSTILE[3])),
                        (site_hostile / "hostile" / "index.html", HOSTILE)):
        watched = open_page(path)
        page = watched.page
        assert page.evaluate("typeof window.__xss") == "undefined", path
        text = page.locator("body").inner_text()
        for s in shown:
            assert s in text, (path, s)
        if path.parent.name == "hostile":
            assert HOSTILE[0] in page.title()
        injected = page.evaluate("""document.querySelectorAll(
            'img[src="x"], svg[onload], [onerror], [onload], script:not([src]):not([type="application/json"])').length""")
        assert injected == 0
        # the dashboard's data block, ptrack.js and gantt.js; the portfolio has none
        assert page.locator("script").count() == (3 if path.parent.name == "hostile" else 0)
        assert watched.problems() == [], path

    page = open_page(site_hostile / "hostile" / "index.html").page
    modules = page.eval_on_selector_all("select[data-filter=module] option", "os => os.map(o => o.value)")
    assert modules[0] == "*" and set(modules[1:]) == set(HOSTILE)
    owners = page.eval_on_selector_all("select[data-filter=owner] option", "os => os.map(o => o.textContent)")
    assert set(owners[1:]) == {HOSTILE[0], HOSTILE[2]}
    for value in modules[1:]:
        page.select_option("select[data-filter=module]", value)
        rows = _visible_rows(page)
        assert rows and all(r["module"] == value for r in rows)
    page.select_option("select[data-filter=module]", "*")
    for owner in page.eval_on_selector_all("select[data-filter=owner] option", "os => os.map(o => o.value)")[1:]:
        page.select_option("select[data-filter=owner]", owner)
        assert all(r["owner"] == owner for r in _visible_rows(page))
    page.select_option("select[data-filter=owner]", "*")
    for s in HOSTILE:
        page.fill("input[data-search]", s)
        rows = _visible_rows(page)
        assert rows and all(s in r["text"] for r in rows)
    page.locator("#tracking-table thead th").first.click()
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_script_json_escaping_survives_a_browser(browser):
    """json_for_script output inside <script type=application/json> parses back to the same data
    and nothing in it runs, whatever the strings hold."""
    from ptrack.render.html import json_for_script

    data = {"strings": list(HOSTILE) + ["<!--", "-->", "<script>", "\u2028\u2029", "&amp;", "\\u003c"]}
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(f"""<!DOCTYPE html><html><body>
<script type="application/json" id="d">{json_for_script(data)}</script>
<script>window.__parsed = JSON.parse(document.getElementById("d").textContent);</script>
</body></html>""")
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.evaluate("window.__parsed") == data
        assert page.locator("script").count() == 2
    finally:
        context.close()
