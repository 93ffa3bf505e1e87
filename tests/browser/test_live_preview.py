"""``ptrack serve`` in real Chromium: the open page follows the campaign file. A save changes the
page without a manual reload; an invalid save shows the problems over the page (pushed to the
open page, no reload); fixing the file removes them; no console errors throughout."""

from __future__ import annotations

import shutil

import pytest

from tests.serve_support import AS_OF, CAMPAIGN, EXAMPLE, ServeProcess

NAME = "新品上市综合营销推广"
OVERLAY = "#ptrack-live-overlay"
WAIT_MS = 120_000  # a rebuild on a busy two-core machine


@pytest.fixture
def served(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(EXAMPLE, project / "campaign.yaml")
    server = ServeProcess(["campaign.yaml", "--port", "0", "--as-of", AS_OF], cwd=project)
    with server:
        server.wait_started()
        yield server, project / "campaign.yaml"
        assert server.stop() == 0, server.output()


def _watch(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    return context, page, problems, requests


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_open_page_follows_saves_problems_and_fixes(browser, served):
    server, campaign = served
    context, page, problems, requests = _watch(browser)
    try:
        page.goto(f"{server.url}{CAMPAIGN}/", wait_until="load")
        assert page.title().startswith(NAME)
        assert page.locator("h1").first.inner_text() == NAME
        page.evaluate("window.__before_save = true")

        # A save: the page reloads itself and shows the new name.
        _edit(campaign, f"name: {NAME}", "name: 春季新品发布会")
        page.wait_for_function("() => document.querySelector('h1') && "
                               "document.querySelector('h1').textContent.trim() === '春季新品发布会'",
                               timeout=WAIT_MS)
        assert page.evaluate("window.__before_save === undefined")  # a new document: it reloaded
        assert page.title().startswith("春季新品发布会")
        assert page.locator(OVERLAY).count() == 0

        # An invalid save: the problems appear over the open page, which is not reloaded.
        page.evaluate("window.__before_invalid = true")
        _edit(campaign, "    progress: 10\n", "    progress: 150\n")
        overlay = page.wait_for_selector(OVERLAY, state="visible", timeout=WAIT_MS)
        text = overlay.inner_text()
        assert "ptrack serve：活动文件有问题" in text
        assert "此页面显示的是上一次成功的构建" in text
        # in the campaign's language (zh-CN), the task by its id
        assert "campaign.yaml:554:15: 错误 [schema] 任务 ab-test 的 progress：150 太大了；最多为 100" in text
        assert overlay.get_attribute("role") == "alert"
        assert page.evaluate("window.__before_invalid === true")  # pushed, not reloaded
        assert page.locator("h1").first.inner_text() == "春季新品发布会"  # the last good build
        box = overlay.bounding_box()
        assert box and box["y"] == 0 and box["width"] == 1280  # across the top of the viewport

        # Fixing the file removes the overlay; the page is the new build.
        _edit(campaign, "    progress: 150\n", "    progress: 40\n")
        page.wait_for_selector(OVERLAY, state="detached", timeout=WAIT_MS)
        page.wait_for_function("() => window.__before_invalid === undefined", timeout=WAIT_MS)
        page.wait_for_load_state("load")
        assert page.locator("h1").first.inner_text() == "春季新品发布会"
        assert page.locator(OVERLAY).count() == 0

        assert problems == []
        assert all(u.startswith(server.url) for u in requests), [u for u in requests if not u.startswith(server.url)]
    finally:
        context.close()


def test_a_page_opened_during_problems_shows_them_and_loses_them_once_fixed(browser, served):
    """Opened while the file is invalid: the overlay is in the served HTML; fixing the file
    reloads the page without it. The portfolio page follows as well."""
    server, campaign = served
    generation = server.state()["generation"]
    _edit(campaign, "    progress: 10\n", "    progress: 150\n")
    server.wait_state(lambda s: s["problems"], what="the problems")
    context, page, problems, _ = _watch(browser)
    try:
        page.goto(server.url, wait_until="load")
        assert "campaign.yaml:554:15" in page.locator(OVERLAY).inner_text()

        # "隐藏" hides the problems until they change.
        page.get_by_role("button", name="隐藏").click()
        assert page.locator(OVERLAY).count() == 0
        _edit(campaign, "    progress: 150\n", "    progress: 160\n")
        overlay = page.wait_for_selector(OVERLAY, state="visible", timeout=WAIT_MS)
        assert "任务 ab-test 的 progress：160 太大了" in overlay.inner_text()

        _edit(campaign, "    progress: 160\n", "    progress: 10\n")
        page.wait_for_selector(OVERLAY, state="detached", timeout=WAIT_MS)
        page.wait_for_load_state("load")
        assert server.state()["generation"] != generation
        assert NAME in page.locator("main").inner_text()
        assert problems == []
    finally:
        context.close()
