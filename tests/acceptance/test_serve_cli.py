"""``ptrack serve`` through the real command line: a process on a free port, pages over HTTP,
edits of the campaign file rebuilding the site, problems shown on the page with file:line:col,
and SIGINT/SIGTERM leaving nothing behind.

Each process gets its own TMPDIR, so "nothing left behind" is checked on a folder that only it
used: the build folder it printed and any scratch folder of the build."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.serve_support import AS_OF, CAMPAIGN, EXAMPLE, ServeProcess, events

NAME = "新品上市综合营销推广"
# examples/campaign.yaml, line 554: "    progress: 10" (tasks[23], ab-test); the value starts in column 15.
PROGRESS_LINE = "    progress: 10\n"
# the example's locale is zh-CN: its problems, and the preview's lines, are in Chinese; the task by its id
PROBLEM = "campaign.yaml:554:15: 错误 [schema] 任务 ab-test 的 progress：150 太大了；最多为 100"


@pytest.fixture
def project(tmp_path):
    """A folder with a copy of the example campaign and a private TMPDIR."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "campaign.yaml")
    (tmp_path / "tmp").mkdir()
    return folder


def _serve(project: Path, *args: str) -> ServeProcess:
    return ServeProcess(args, cwd=project, env={"TMPDIR": str(project.parent / "tmp")})


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _left_in_tmp(project: Path) -> list[str]:
    return sorted(p.name for p in (project.parent / "tmp").iterdir())


def _port_is_free(port: int) -> bool:
    """Whether a server can listen on ``port`` again (as servers do, with SO_REUSEADDR: the
    connections the stopped one closed may linger in TIME_WAIT)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            s.listen()
        except OSError:
            return False
        return True


def test_serve_builds_rebuilds_on_save_shows_problems_and_cleans_up(project):
    campaign = project / "campaign.yaml"
    with _serve(project, "campaign.yaml", "--port", "0", "--as-of", AS_OF) as server:
        server.wait_started()
        assert server.port and server.port != 0
        assert server.folder is not None and server.folder.parent == project.parent / "tmp"
        first = server.state()
        assert first["generation"] and first["problems"] == [] and first["as_of"] == AS_OF

        # The files on disk are what `ptrack build` writes, byte for byte.
        site = project.parent / "site"
        subprocess.run([sys.executable, "-m", "ptrack", "build", "campaign.yaml", "--out", str(site),
                        "--as-of", AS_OF], cwd=project, check=True, capture_output=True,
                       env={**os.environ, "TMPDIR": str(project.parent)})
        (build,) = [p for p in server.folder.iterdir()]
        expected = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file())
        assert sorted(str(p.relative_to(build)) for p in build.rglob("*") if p.is_file()) == expected
        for name in expected:
            assert (build / name).read_bytes() == (site / name).read_bytes(), name

        # Served over HTTP: HTML gets the reload script, everything else is the file itself.
        status, headers, body = server.get("/")
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        assert headers["cache-control"] == "no-store"
        page = body.decode("utf-8")
        script = f'<script src="/__ptrack/live.js" data-generation="{first["generation"]}"'
        assert script in page and page.index(script) < page.index("</body>")
        assert page.replace(page[page.index(script):page.index("</script>", page.index(script)) + 9], "") \
            == (site / "index.html").read_text(encoding="utf-8")
        dashboard = server.text(f"/{CAMPAIGN}/")
        assert f"<title>{NAME}" in dashboard and 'id="ptrack-live-overlay"' not in dashboard
        status, headers, _ = server.get(f"/{CAMPAIGN}")
        assert status == 301 and headers["location"] == f"/{CAMPAIGN}/"
        for name, kind in (("gantt.png", "image/png"), ("status.json", "application/json"),
                           ("../assets/ptrack.css", "text/css")):
            status, headers, body = server.get(f"/{CAMPAIGN}/{name}".replace(f"{CAMPAIGN}/../", ""))
            assert status == 200 and headers["content-type"].startswith(kind), name
            assert body == (site / CAMPAIGN / name).resolve().read_bytes(), name
        status, headers, script_body = server.get("/__ptrack/live.js")
        assert status == 200 and headers["content-type"].startswith("text/javascript")
        assert b"EventSource" in script_body
        assert server.get("/nothing-here.html")[0] == 404
        (message,) = events(server.port, 1)
        assert message["generation"] == first["generation"] and message["problems"] == []

        # A save rebuilds the site; the new page has the new name.
        _edit(campaign, f"name: {NAME}", "name: 春季新品发布 Live")
        second = server.wait_state(lambda s: s["generation"] != first["generation"] and not s["building"],
                                   what="a rebuild after the save")
        assert second["problems"] == []
        assert "<title>春季新品发布 Live" in server.text(f"/{CAMPAIGN}/")
        server.wait_stderr(lambda line: "campaign.yaml 有变化；已构建" in line, stream="stdout")

        # An invalid save: the last good build stays, the problem is on the page (file:line:col).
        _edit(campaign, PROGRESS_LINE, "    progress: 150\n")
        bad = server.wait_state(lambda s: s["problems"], what="the problems of the invalid save")
        assert bad["problems"] == [PROBLEM] and bad["failure"] is None
        assert bad["generation"] == second["generation"]
        page = server.text(f"/{CAMPAIGN}/")
        assert "<title>春季新品发布 Live" in page  # still the last good build
        overlay = page[page.index('<div id="ptrack-live-overlay" role="alert"'):page.index("</pre></div>") + 12]
        assert "ptrack serve：活动文件有问题" in overlay and "<pre style=" in overlay and PROBLEM in overlay
        server.wait_stderr(lambda line: line == f"  {PROBLEM}")
        server.wait_stderr(lambda line: line == "ptrack serve：campaign.yaml 有变化；构建有问题；仍在提供上一次成功的构建：")

        # Fixing the file removes the problems and serves a new build.
        _edit(campaign, "    progress: 150\n", PROGRESS_LINE)
        fixed = server.wait_state(lambda s: not s["problems"] and s["generation"] != second["generation"],
                                  what="a good build after the fix")
        assert fixed["failure"] is None
        assert 'id="ptrack-live-overlay"' not in server.text(f"/{CAMPAIGN}/")

        folder, port = server.folder, server.port
        assert folder.is_dir()
        code = server.stop(signal.SIGINT)
    assert code == 0, server.output()
    assert not folder.exists() and _left_in_tmp(project) == []
    assert server.stdout[-1] == f"ptrack serve：已删除 {folder}"
    assert "Traceback" not in server.output()
    assert _port_is_free(port)


def test_sigterm_stops_cleanly(project):
    with _serve(project, "campaign.yaml", "--port", "0", "--as-of", AS_OF) as server:
        server.wait_started()
        assert server.text("/").startswith("<!DOCTYPE html>")
        folder = server.folder
        code = server.stop(signal.SIGTERM)
    assert code == 0 and not folder.exists() and _left_in_tmp(project) == []
    assert "Traceback" not in server.output()


def test_sigint_during_the_first_build_still_cleans_up(project):
    """SIGINT while the first build runs: the build is let finish, then everything is removed."""
    server = _serve(project, "campaign.yaml", "--port", "0", "--as-of", AS_OF)
    with server:
        deadline = time.monotonic() + 60
        while not _left_in_tmp(project):  # the build folder exists: the build has started
            assert time.monotonic() < deadline and server.proc.poll() is None, server.output()
            time.sleep(0.01)
        code = server.stop(signal.SIGINT)
    assert code == 0, server.output()
    assert not any("http://" in line for line in server.stdout), server.output()
    assert _left_in_tmp(project) == [] and "Traceback" not in server.output()


def test_port_in_use_is_a_usage_error(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with _serve(project, "campaign.yaml", "--port", str(port), "--as-of", AS_OF) as server:
            code = server.proc.wait(60)
            server._join_readers()
    assert code == 2, server.output()
    assert server.stderr == [f"ptrack：错误：127.0.0.1 上的端口 {port} 已被占用；请用 --port N 换一个，或用 --port 0 "
                             "自动选择空闲端口"]
    assert server.stdout == [] and _left_in_tmp(project) == []


def test_missing_file_is_a_usage_error(project):
    with _serve(project, "nope.yaml", "--port", "0") as server:
        code = server.proc.wait(60)
        server._join_readers()
    assert code == 2 and server.stderr == ["ptrack：错误：nope.yaml：文件或文件夹不存在"]


def test_invalid_at_start_serves_the_problems_then_the_site_once_fixed(project):
    campaign = project / "campaign.yaml"
    _edit(campaign, PROGRESS_LINE, "    progress: 150\n")
    with _serve(project, "campaign.yaml", "--port", "0", "--as-of", AS_OF) as server:
        server.wait_started()
        state = server.state()
        assert state["generation"] is None and state["problems"] == [PROBLEM]
        status, headers, body = server.get(f"/{CAMPAIGN}/")
        assert status == 503 and headers["content-type"] == "text/html; charset=utf-8"
        page = body.decode("utf-8")
        assert PROBLEM in page and "尚未成功构建" in page and 'data-generation=""' in page
        _edit(campaign, "    progress: 150\n", PROGRESS_LINE)
        server.wait_state(lambda s: s["generation"] is not None, what="the first good build")
        assert f"<title>{NAME}" in server.text(f"/{CAMPAIGN}/")
        assert server.stop() == 0


def test_problem_text_is_escaped_on_the_page(project):
    """A key naming an HTML tag is quoted in the schema message; on the page it stays text."""
    campaign = project / "campaign.yaml"
    with _serve(project, "campaign.yaml", "--port", "0", "--as-of", AS_OF, "--lang", "en") as server:
        server.wait_started()
        _edit(campaign, "  calendar: CN\n", '  calendar: CN\n  "<img src=x onerror=alert(1)>": 1\n')
        state = server.wait_state(lambda s: s["problems"], what="the problems")
        assert any("<img src=x onerror=alert(1)>" in p for p in state["problems"]), state
        page = server.text(f"/{CAMPAIGN}/")
        assert "<img src=x onerror" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert "ptrack serve: the campaign files have problems" in page  # the page's language: --lang en
        assert server.stop() == 0


def test_watches_the_glob_and_ptrack_yaml(tmp_path):
    """No PATH: the campaigns glob of ptrack.yaml. Editing ptrack.yaml rebuilds (new title); a
    new file matching the glob joins the site; a broken ptrack.yaml is shown with its line."""
    project = tmp_path / "project"
    (project / "campaigns").mkdir(parents=True)
    (tmp_path / "tmp").mkdir()
    shutil.copy(EXAMPLE, project / "campaigns" / "launch.yaml")
    config = project / "ptrack.yaml"
    config.write_text("title: 市场活动看板\ncampaigns: campaigns/*.yaml\n", encoding="utf-8")
    with _serve(project, "--port", "0", "--as-of", AS_OF) as server:
        server.wait_started()
        assert "市场活动看板" in server.text("/")
        generation = server.state()["generation"]

        config.write_text("title: Team board\ncampaigns: campaigns/*.yaml\n", encoding="utf-8")
        generation = server.wait_state(lambda s: s["generation"] != generation, what="a rebuild")["generation"]
        assert "Team board" in server.text("/")

        second = (EXAMPLE.read_text(encoding="utf-8").replace("id: spring-launch-2024", "id: autumn-2024")
                  .replace(f"name: {NAME}", "name: 秋季促销"))
        (project / "campaigns" / "autumn.yaml").write_text(second, encoding="utf-8")
        server.wait_state(lambda s: s["generation"] != generation and not s["building"], what="a rebuild")
        assert "秋季促销" in server.text("/") and "秋季促销" in server.text("/autumn-2024/")

        config.write_text("title: Team board\ncolour: blue\n", encoding="utf-8")
        state = server.wait_state(lambda s: s["problems"], what="the settings problem")
        # said in the preview's language: ptrack.yaml has no locale, the first campaign's is zh-CN
        assert state["problems"] == ["ptrack.yaml:2:1：未知的设置“colour”；可用的设置：campaigns, forge, intake, locale, "
                                     "notify, policy, repo_url, site_url, title"]
        assert server.stop() == 0


def test_a_burst_of_saves_is_one_rebuild(project):
    """Editors write a file in several steps; five writes within a few milliseconds make one
    build (two at most, when the burst straddles the start of one), of the last content."""
    campaign = project / "campaign.yaml"
    text = campaign.read_text(encoding="utf-8")
    with _serve(project, "campaign.yaml", "--port", "0", "--as-of", AS_OF) as server:
        server.wait_started()
        generation = server.state()["generation"]
        for i in range(5):
            campaign.write_text(text.replace(f"name: {NAME}", f"name: 连续保存 {i}"), encoding="utf-8")
        server.wait_state(lambda s: s["generation"] != generation and not s["building"], what="a rebuild")
        time.sleep(1.5)  # any further build would have started by now (debounce: 50 ms of quiet)
        server.wait_state(lambda s: not s["building"], what="the end of the builds")
        assert "<title>连续保存 4" in server.text(f"/{CAMPAIGN}/")
        rebuilds = [line for line in server.stdout if "有变化；已构建" in line]
        assert 1 <= len(rebuilds) <= 2, server.output()
        assert server.stop() == 0


def test_help_describes_the_command(run_cli):
    code, out, _ = run_cli("serve", "--help")
    assert code == 0
    out = " ".join(out.split())
    for text in ("--port N", "0 picks a free one", "--as-of", "follows the clock", "Ctrl-C", "--lang"):
        assert text in out, text


def test_a_build_that_fails_is_shown_not_a_crash(project):
    """An I/O error in the middle of a build (here: the next build's folder is taken by a file)
    is shown on the page with the error; the last good build stays; the next save recovers."""
    campaign = project / "campaign.yaml"
    with _serve(project, "campaign.yaml", "--port", "0", "--as-of", AS_OF, "--lang", "en") as server:
        server.wait_started()
        generation = server.state()["generation"]
        assert generation.endswith("-1")
        (server.folder / "build-2").write_text("in the way", encoding="utf-8")
        _edit(campaign, f"name: {NAME}", "name: Renamed")
        state = server.wait_state(lambda s: s["failure"], what="the failure")
        assert state["generation"] == generation and state["problems"] == []
        # the file system's refusal in words, not a traceback
        assert "build-2" in state["failure"] and state["failure"].endswith(
            (": already exists", ": a part of the path is not a folder")), state
        page = server.text(f"/{CAMPAIGN}/")
        assert "ptrack serve: the build failed" in page and f"<title>{NAME}" in page
        assert server.proc.poll() is None
        server.wait_stderr(lambda line: "the build failed; still serving the last good build" in line)

        _edit(campaign, "name: Renamed", "name: Renamed again")
        state = server.wait_state(lambda s: s["generation"] != generation, what="a good build")
        assert state["failure"] is None and "<title>Renamed again" in server.text(f"/{CAMPAIGN}/")
        assert server.stop() == 0
    assert _left_in_tmp(project) == []
