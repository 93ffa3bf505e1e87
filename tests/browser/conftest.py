"""Browser fixtures: real headless Chromium (Debian's ``/usr/bin/chromium``) driven by Playwright.

* ``browser``: one Chromium for the session. When it cannot start, the tests fail if ``CI`` is
  set (CI must run them, not skip them); locally they skip with the reason.
* ``site_zh``, ``site_en``, ``site_hostile``, ``site_git`` (a campaign with git history): sites
  built once per session through the real command line, ``python -m ptrack build ... --out DIR
  --as-of 2024-04-15``.
* ``open_page(path, js=True)``: opens a built page from ``file://`` in a fresh context and
  records console errors, page errors, failed requests and every request URL; requests to
  anything but ``file:``/``data:`` are recorded and aborted, so a page that tries the network
  fails its test instead of waiting for it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser_support import hostile_campaign

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "campaign.yaml"
AS_OF = "2024-04-15"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-dev-shm-usage"]

def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI, but {reason}", pytrace=False)
    pytest.skip(f"{reason} (these tests need Playwright for Python and Chromium at {CHROMIUM}; "
                "scripts/test.sh installs both)")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the machine
        _unavailable(f"Playwright is not installed ({exc})")
    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001  # pragma: no cover - any launch failure
        manager.stop()
        _unavailable(f"Chromium could not be launched: {str(exc).splitlines()[0]}")
    yield chromium
    chromium.close()
    manager.stop()


def build(out: Path, *args: str) -> Path:
    """``python -m ptrack build ARGS --out OUT --as-of 2024-04-15`` in the repository root."""
    env = {k: v for k, v in os.environ.items() if k not in ("PTRACK_AS_OF", "GITHUB_ACTIONS")}
    proc = subprocess.run([sys.executable, "-m", "ptrack", "build", *args, "--out", str(out), "--as-of", AS_OF],
                          cwd=REPO, env=env, check=False, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, f"ptrack build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    assert (out / "index.html").is_file()
    return out


@pytest.fixture(scope="session")
def site_zh(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("site-zh") / "site", str(EXAMPLE))


@pytest.fixture(scope="session")
def site_en(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("site-en") / "site", str(EXAMPLE), "--lang", "en")


@pytest.fixture(scope="session")
def site_git(tmp_path_factory) -> Path:
    """A campaign with a month of commits in a real repository (tests/git_support.py), built
    from there: the trend, baseline bars and "last updated" come from its history."""
    from tests.git_support import GitRepo, commit_build_history, isolated_git_env

    folder = tmp_path_factory.mktemp("site-git")
    repo = GitRepo.init(folder / "repo", isolated_git_env(folder / "gitconfig"))
    return build(folder / "site", str(commit_build_history(repo)))


@pytest.fixture(scope="session")
def site_hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site-hostile")
    source = folder / "hostile.yaml"
    source.write_text(hostile_campaign(), encoding="utf-8")
    return build(folder / "site", str(source))


@dataclass
class Watched:
    """A page and what happened while it was open."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        foreign = [u for u in self.requests if not u.startswith(("file://", "data:"))]
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors]
                + [f"failed request: {u}" for u in self.failed_requests]
                + [f"request to a non-file URL: {u}" for u in foreign + self.blocked])


@pytest.fixture
def open_page(browser):
    contexts = []

    def _open(path: Path, *, js: bool = True, viewport=(1280, 900)) -> Watched:
        context = browser.new_context(java_script_enabled=js,
                                      viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        page = context.new_page()
        watched = Watched(page)
        context.route(re.compile(r"^(?!file:|data:)"), lambda route: (watched.blocked.append(route.request.url),
                                                                      route.abort()))
        page.on("console", lambda m: m.type == "error" and watched.console_errors.append(m.text))
        page.on("pageerror", lambda e: watched.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: watched.failed_requests.append(f"{r.url} ({r.failure})"))
        page.on("request", lambda r: watched.requests.append(r.url))
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        return watched

    yield _open
    for context in contexts:
        context.close()
