"""DNS rebinding against ``ptrack serve``, in real Chromium: the browser is told that
``rebound.test`` resolves to 127.0.0.1 (``--host-resolver-rules``), as an attacker's DNS would
after a page of theirs loaded. Through that name the preview answers nothing (400: the Host is
not its own), while the same pages through 127.0.0.1 and localhost work, live reload included."""

from __future__ import annotations

import shutil

import pytest

from tests.serve_support import AS_OF, CAMPAIGN, EXAMPLE, ServeProcess

NAME = "新品上市综合营销推广"
CHROMIUM = "/usr/bin/chromium"
WAIT_MS = 120_000


@pytest.fixture
def rebinding_browser(browser):
    """A Chromium of its own, launched by the session's Playwright (``browser``, which skips or
    fails as the other browser tests do when Chromium is missing), whose resolver maps
    rebound.test to 127.0.0.1."""
    from tests.browser.conftest import CHROMIUM_ARGS

    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + [
        "--host-resolver-rules=MAP rebound.test 127.0.0.1"])
    yield chromium
    chromium.close()


@pytest.fixture
def served(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(EXAMPLE, project / "campaign.yaml")
    with ServeProcess(["campaign.yaml", "--port", "0", "--as-of", AS_OF], cwd=project) as server:
        server.wait_started()
        yield server, project / "campaign.yaml"
        assert server.stop() == 0, server.output()


def test_a_rebound_name_gets_nothing_and_the_real_names_work(rebinding_browser, served):
    server, campaign = served
    port = server.port
    context = rebinding_browser.new_context()
    # Chromium asks for /favicon.ico after each page, in the background; the rebound name's 400
    # for it could land after problems.clear() as a console error of its own. The icon is not
    # what this test is about: every host gets an empty answer for it from the browser itself.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=b""))
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        # The attacker's name: 400, and none of the campaign.
        for path in (f"/{CAMPAIGN}/status.json", f"/{CAMPAIGN}/", "/__ptrack/state"):
            response = page.goto(f"http://rebound.test:{port}{path}")
            assert response.status == 400, path
            body = page.content()
            assert "spring-launch-2024" not in body and NAME not in body
            assert f"http://127.0.0.1:{port}/" in body  # the page says where the preview is
        problems.clear()  # the 400s are console errors of their own

        # The preview's own names: the page, and its live reload.
        for host in ("127.0.0.1", "localhost"):
            response = page.goto(f"http://{host}:{port}/{CAMPAIGN}/", wait_until="load")
            assert response.status == 200 and page.locator("h1").first.inner_text() == NAME
        text = campaign.read_text(encoding="utf-8")
        campaign.write_text(text.replace(f"name: {NAME}", "name: 春季新品发布会", 1), encoding="utf-8")
        page.wait_for_function("() => document.querySelector('h1') && "
                               "document.querySelector('h1').textContent.trim() === '春季新品发布会'",
                               timeout=WAIT_MS)
        assert problems == []
    finally:
        context.close()
