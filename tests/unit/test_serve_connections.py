"""The preview's connections, with real sockets against a real ``LivePreview`` (built from the
example campaign) run in this process with short limits: a client that trickles its request
(slowloris) is dropped at the head's deadline while others are served; past the cap, a
connection gets 503 at once and service resumes when connections close; the live-reload event
stream outlives the head's deadline (only the write timeout applies to it)."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from datetime import date

import pytest

from ptrack import serve
from ptrack.render.fonts import find_cjk_font
from ptrack.serve import LivePreview, SiteSource
from tests.serve_support import CAMPAIGN, EXAMPLE, raw_request

HEAD_S = 1.0  # the preview's request_timeout here
CAP = 6


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    """A LivePreview serving the example, run by a thread of its own (off the main thread it
    installs no signal handlers; stop() ends it)."""
    folder = tmp_path_factory.mktemp("serve-connections")
    shutil.copy(EXAMPLE, folder / "campaign.yaml")
    (folder / ".git").mkdir()  # ptrack.yaml is looked for up to here only
    lines: list[str] = []
    source = SiteSource([str(folder / "campaign.yaml")], today=lambda: date(2024, 4, 15), lang="en", font=find_cjk_font(None),
                        cwd=folder)
    live = LivePreview(source, port=0, locale="en", out=lines.append, err=lines.append, request_timeout=HEAD_S,
                       max_connections=CAP)
    old_tempdir = tempfile.tempdir
    tempfile.tempdir = str(folder)
    done: dict = {}
    runner = threading.Thread(target=lambda: done.setdefault("code", live.run()), daemon=True)
    try:
        runner.start()
        deadline = time.monotonic() + 120
        while not any("http://127.0.0.1:" in line for line in lines):
            assert time.monotonic() < deadline and runner.is_alive(), lines
            time.sleep(0.02)
        live.port = int(next(x for x in lines if "http://127.0.0.1:" in x).rsplit(":", 1)[1].split("/")[0])
        live.lines = lines
        yield live
    finally:
        live.stop()
        runner.join(60)
        tempfile.tempdir = old_tempdir
    assert done.get("code") == 0, lines


def _get(port: int, target: str = "/") -> int | None:
    return raw_request(port, f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode(), timeout=10)[0]


def _closed_by_server(sock: socket.socket, within: float) -> float | None:
    """Seconds until the server closed ``sock`` (read end-of-file or a reset), or None."""
    start = time.monotonic()
    sock.settimeout(0.05)
    while time.monotonic() - start < within:
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - start
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - start
    return None


def test_a_trickling_client_is_dropped_at_the_deadline_and_others_are_served(preview):
    port = preview.port
    before = len(preview.lines)
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
    started = time.monotonic()
    for sock in slow:
        sock.sendall(b"GET / HTTP/1.1\r\n")
    # While they trickle a header byte every 0.2 s (each read gets data: a timeout per read
    # would never fire), the others are answered at once.
    closed: dict[int, float] = {}
    answered = []
    while len(closed) < len(slow) and time.monotonic() - started < HEAD_S + 5:
        for n, sock in enumerate(slow):
            if n in closed:
                continue
            try:
                sock.sendall(b"X")
            except OSError:
                closed[n] = time.monotonic() - started
        answered.append(_get(port, f"/{CAMPAIGN}/status.json"))
        time.sleep(0.2)
    for sock in slow:
        sock.close()
    assert set(answered) == {200}, preview.lines
    assert len(closed) == 3, "a trickling client was never dropped"
    # dropped at the head's deadline (1 s), give or take the 0.2 s steps and a busy machine
    assert all(HEAD_S - 0.05 <= t <= HEAD_S + 2.5 for t in closed.values()), closed
    said = [line for line in preview.lines[before:] if "dropped" in line]
    assert said == ["ptrack serve: dropped a connection from 127.0.0.1: no complete request came within 1 s"] * 3


def test_a_silent_connection_is_dropped_too(preview):
    with socket.create_connection(("127.0.0.1", preview.port)) as sock:
        took = _closed_by_server(sock, HEAD_S + 5)
    assert took is not None and HEAD_S - 0.05 <= took <= HEAD_S + 2.5, took


def test_past_the_cap_a_connection_gets_503_and_service_resumes(preview):
    port = preview.port
    before = len(preview.lines)
    held = [socket.create_connection(("127.0.0.1", port)) for _ in range(CAP)]
    try:
        time.sleep(0.2)  # every one has its thread
        status, answer = raw_request(port, f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode(), timeout=5)
        assert status == 503, answer
        assert b"Retry-After: 1" in answer
        assert [line for line in preview.lines[before:] if "503" in line] == [
            f"ptrack serve: {CAP} connections open; answering 503 to more until some close"]
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 5
    while _get(port) != 200:
        assert time.monotonic() < deadline, "no service after the held connections closed"
        time.sleep(0.05)


def test_the_event_stream_outlives_the_head_deadline(preview, monkeypatch):
    """An open page's event stream sends its head at once, then only receives: it is not
    dropped at the head's deadline; its keepalives keep coming."""
    monkeypatch.setattr(serve, "KEEPALIVE_S", 0.3)
    with socket.create_connection(("127.0.0.1", preview.port), timeout=10) as sock:
        sock.sendall(f"GET /__ptrack/events HTTP/1.1\r\nHost: localhost:{preview.port}\r\n\r\n".encode())
        received = b""
        start = time.monotonic()
        while time.monotonic() - start < HEAD_S * 3:
            chunk = sock.recv(4096)
            assert chunk, f"the stream was closed after {time.monotonic() - start:.2f} s: {received!r}"
            received += chunk
    assert received.startswith(b"HTTP/1.0 200 OK")
    assert b"\r\n\r\nretry: 1000\n\ndata: {" in received
    # keepalives every 0.3 s for 3 s
    assert received.count(b": keepalive\n\n") >= 5
