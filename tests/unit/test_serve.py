"""ptrack.serve below the command line: the snippet injected into HTML, the overlay's escaping,
what is watched, and the date that follows the clock across midnight (a real preview, in this
process, whose clock the test sets)."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path


from ptrack import serve
from ptrack.render.fonts import find_cjk_font
from ptrack.serve import LivePreview, SiteSource, State, WatchTargets, inject, overlay_html

from tests.helpers import EXAMPLE

GOOD = State(version=3, generation="ab-2", as_of="2024-04-15")
BAD = State(version=4, generation="ab-2", problems=('c.yaml:3:7: error [schema] <b>&"x"</b>',))


def test_inject_puts_the_script_before_the_last_body_end_tag():
    page = b'<!DOCTYPE html>\n<html lang="en"><body><p>x</p><!-- </body> --></body>\n</html>\n'
    out = inject(page, GOOD, "zh-CN")
    head, _, tail = out.partition(b'<script src="/__ptrack/live.js"')
    assert head == b'<!DOCTYPE html>\n<html lang="en"><body><p>x</p><!-- </body> -->'
    assert tail.endswith(b"></script></body>\n</html>\n")
    assert b'data-generation="ab-2"' in tail
    texts = json.loads(tail.split(b'data-texts="')[1].split(b'"')[0].decode().replace("&quot;", '"'))
    assert texts["invalid"] == "ptrack serve: the campaign files have problems"  # the page's lang="en"


def test_inject_without_body_appends_and_defaults_to_the_given_locale():
    out = inject(b"<p>fragment</p>", GOOD, "zh-CN")
    assert out.startswith(b"<p>fragment</p><script src=")
    assert "活动文件有问题".encode() in out


def test_overlay_escapes_every_problem_and_is_empty_without_problems():
    assert overlay_html(GOOD, "en") == ""
    shown = overlay_html(BAD, "en")
    assert "c.yaml:3:7: error [schema] &lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;" in shown
    assert "<b>" not in shown
    assert shown.startswith('<div id="ptrack-live-overlay" role="alert" style=')
    assert "This page shows the last good build" in shown
    failed = overlay_html(State(failure="OSError: <disk full>"), "zh-CN")
    assert "ptrack serve：构建失败" in failed and "OSError: &lt;disk full&gt;" in failed
    assert "尚未成功构建" in failed  # no generation: nothing built yet


def test_watch_targets_match_the_files_folders_and_settings(tmp_path):
    a = tmp_path / "a.yaml"
    targets = WatchTargets(frozenset({a, tmp_path / "ptrack.yaml"}), frozenset({tmp_path / "more"}))
    assert targets.matches(str(a)) and targets.matches(str(tmp_path / "ptrack.yaml"))
    assert not targets.matches(str(tmp_path / "b.yaml"))  # a file beside a named file
    assert targets.matches(str(tmp_path / "more" / "c.yml"))
    assert not targets.matches(str(tmp_path / "more" / ".c.yaml.swp"))
    assert not targets.matches(str(tmp_path / "more" / ".campaign.yaml.x1.tmp"))
    assert not targets.matches(str(tmp_path / "more" / "notes.txt"))
    assert not targets.matches(str(tmp_path / "more" / "deep" / "d.yaml"))
    deep = WatchTargets(folders=frozenset({tmp_path / "more"}), recursive=True)
    assert deep.matches(str(tmp_path / "more" / "deep" / "d.yaml"))


def test_watch_targets_of_the_glob_and_of_paths(tmp_path):
    (tmp_path / "campaigns" / "2024").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "ptrack.yaml").write_text("campaigns: [campaigns/**/*.yaml, other/x.yaml]\n", encoding="utf-8")
    font = find_cjk_font(None)
    source = SiteSource([], today=lambda: date(2024, 4, 15), lang=None, font=font, cwd=tmp_path)
    targets = source.watch_targets()
    root = tmp_path.resolve()
    assert targets == WatchTargets(frozenset({root / "ptrack.yaml"}),
                                   frozenset({root / "campaigns", root / "other"}), recursive=True)
    assert targets.roots() == [root, root / "campaigns"]  # other/ does not exist (yet)

    (tmp_path / "one.yaml").write_text("x: 1\n", encoding="utf-8")
    named = SiteSource(["one.yaml", "campaigns"], today=lambda: date(2024, 4, 15), lang=None, font=font,
                       cwd=tmp_path).watch_targets()
    assert named == WatchTargets(frozenset({root / "ptrack.yaml", root / "one.yaml"}),
                                 frozenset({root / "campaigns"}))


def test_without_a_date_the_preview_follows_the_clock_across_midnight(tmp_path, monkeypatch):
    """``follow_clock``: the builder looks at the day every CLOCK_CHECK_S (here 0.05 s) and
    rebuilds when it changed, so an open page moves to the new day."""
    shutil.copy(EXAMPLE, tmp_path / "campaign.yaml")
    (tmp_path / ".git").mkdir()  # ptrack.yaml is looked for up to here only
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the build folder goes
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(serve, "CLOCK_CHECK_S", 0.05)
    clock = [date(2024, 4, 15)]
    lines: list[str] = []
    source = SiteSource(["campaign.yaml"], today=lambda: clock[0], lang="en", font=find_cjk_font(None), cwd=tmp_path)
    preview = LivePreview(source, port=0, locale="en", follow_clock=True, out=lines.append, err=lines.append)
    seen: dict = {}

    def midnight() -> None:
        try:
            seen["first"] = _wait(preview, lambda s: s.generation)
            while not any("http://127.0.0.1:" in line for line in lines):
                time.sleep(0.02)
            port = int(next(x for x in lines if "http://127.0.0.1:" in x).rsplit(":", 1)[1].split("/")[0])
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/spring-launch-2024/") as response:
                seen["page"] = response.read().decode()
            clock[0] = date(2024, 4, 16)
            seen["second"] = _wait(preview, lambda s: s.as_of == "2024-04-16")
        finally:
            preview.stop()

    driver = threading.Thread(target=midnight)
    driver.start()
    assert preview.run() == 0
    driver.join()
    assert "second" in seen, lines
    assert seen["first"].as_of == "2024-04-15" and 'datetime="2024-04-15"' in seen["page"]
    assert seen["second"].generation != seen["first"].generation
    assert any("the day changed; built" in line and "(as of 2024-04-16)" in line for line in lines), lines
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("ptrack-serve-")] == []


def _wait(preview: LivePreview, predicate, timeout: float = 120) -> State:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = preview.state.get()
        if predicate(state) and not state.building:
            return state
        time.sleep(0.02)
    raise AssertionError(f"never reached: {preview.state.get()}")


def test_the_module_does_not_import_watchfiles_until_a_preview_starts():
    import subprocess
    import sys

    code = "import sys, ptrack.serve, ptrack.cli; print('watchfiles' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_paths_are_relative_to_cwd_for_messages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert serve._shown(str(tmp_path / "a" / "b.yaml")) == str(Path("a") / "b.yaml")
