"""``ptrack serve`` answers only its own Host, and answers bad requests, through the real command
line: raw sockets send what a browser or an HTTP library would not (a forged Host, no Host, a
4,000-character path, ``%00``), and each gets an HTTP answer and at most one clean line on the
terminal, never a traceback.

DNS rebinding: a page of ``evil.example`` whose name is made to resolve to 127.0.0.1 reaches the
preview with ``Host: evil.example:PORT``; the preview must not answer it (status.json and the
pages hold the campaign)."""

from __future__ import annotations

import shutil
import time

import pytest

from tests.serve_support import AS_OF, CAMPAIGN, EXAMPLE, ServeProcess, raw_request


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    project = tmp_path_factory.mktemp("serve-requests")
    shutil.copy(EXAMPLE, project / "campaign.yaml")
    tmp = project / "tmp"
    tmp.mkdir()
    with ServeProcess(["campaign.yaml", "--port", "0", "--as-of", AS_OF, "--lang", "en"], cwd=project,
                      env={"TMPDIR": str(tmp)}) as served:
        served.wait_started()
        yield served
        assert served.stop() == 0, served.output()
    assert "Traceback" not in served.output()


def _get(port: int, target: str, *headers: str) -> tuple[int | None, bytes]:
    head = f"GET {target} HTTP/1.1\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n"
    return raw_request(port, head.encode("latin-1"))


def _new_lines(server: ServeProcess, before: int, count: int) -> list[str]:
    """The stderr lines after the first ``before``, once there are ``count`` of them (the reader
    thread may lag a little behind the answers)."""
    deadline = time.monotonic() + 10
    while len(server.stderr) < before + count and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)  # and no more than that
    return server.stderr[before:]


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "LocalHost:{port}"])
def test_the_previews_own_names_are_answered(server, host):
    status, answer = _get(server.port, f"/{CAMPAIGN}/status.json", "Host: " + host.format(port=server.port))
    assert status == 200, answer[:300]
    assert b'"spring-launch-2024"' in answer


@pytest.mark.parametrize("headers, why", [
    (["Host: evil.example"], "Host 'evil.example' is not this preview's"),
    (["Host: evil.example:{port}"], "Host 'evil.example:{port}' is not this preview's"),
    (["Host: 127.0.0.1:{other}"], "Host '127.0.0.1:{other}' is not this preview's"),
    (["Host: 127.0.0.1"], "Host '127.0.0.1' is not this preview's"),  # the port is part of the origin
    ([], "no Host header"),
    (["Host: 127.0.0.1:{port}", "Host: evil.example"], "more than one Host header"),
])
def test_any_other_host_gets_400_and_one_line(server, headers, why):
    port = server.port
    fill = {"port": port, "other": port + 1}
    before = len(server.stderr)
    for target in (f"/{CAMPAIGN}/status.json", "/", "/__ptrack/state", "/__ptrack/events"):
        status, answer = _get(port, target, *(h.format(**fill) for h in headers))
        assert status == 400, answer[:300]
        assert b"spring-launch-2024" not in answer and b"generation" not in answer
        # the page says where the preview is
        assert f"http://127.0.0.1:{port}/".encode() in answer
    lines = _new_lines(server, before, 4)
    shown = why.format(**fill)
    assert lines == [f"ptrack serve: answered 400 to GET {t} from 127.0.0.1: {shown}"
                     for t in (f"/{CAMPAIGN}/status.json", "/", "/__ptrack/state", "/__ptrack/events")]


def test_a_long_path_gets_414_and_one_clean_line(server):
    before = len(server.stderr)
    target = "/" + "a" * 3999
    status, answer = _get(server.port, target, f"Host: 127.0.0.1:{server.port}")
    assert status == 414, answer[:300]
    assert _new_lines(server, before, 1) == [
        "ptrack serve: answered 414 to GET /" + "a" * 59 + "… (4,000 characters) "
        "from 127.0.0.1: The request target has 4,000 characters; at most 2,048 are answered."]


@pytest.mark.parametrize("target", ["/%00", "/a%00b/index.html", f"/{CAMPAIGN}/%0a", "/%ED%A0%80"])
def test_control_characters_or_broken_utf8_in_the_path_get_400(server, target):
    before = len(server.stderr)
    status, answer = _get(server.port, target, f"Host: 127.0.0.1:{server.port}")
    assert status == 400, answer[:300]
    assert _new_lines(server, before, 1) == [
        f"ptrack serve: answered 400 to GET {target} from 127.0.0.1: The path holds a control "
        "character or is not UTF-8 text."]


def test_a_name_the_file_system_refuses_is_a_404_said_nowhere(server):
    """A segment of 300 characters is within the target limit but too long for a file name
    (ENAMETOOLONG): not found, like any missing file, and not worth a line."""
    before = len(server.stderr)
    for target in ("/" + "b" * 300, f"/{CAMPAIGN}/" + "c" * 300 + ".html", "/" + "d" * 300 + "/"):
        status, answer = _get(server.port, target, f"Host: localhost:{server.port}")
        assert status == 404, (target, answer[:300])
    assert _new_lines(server, before, 0) == []


def test_the_site_still_works_after_all_that(server):
    assert server.text(f"/{CAMPAIGN}/").startswith("<!DOCTYPE html>")
    assert not any("error answering a request" in line for line in server.stderr), server.output()
