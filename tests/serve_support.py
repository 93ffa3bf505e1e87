"""``ptrack serve`` as a real process for the tests: start it, read the URL and build folder it
prints, talk to it over HTTP, stop it with a signal."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "campaign.yaml"
AS_OF = "2024-04-15"
CAMPAIGN = "spring-launch-2024"

# the lines say it in the campaign's language: "serving http://…" / "正在 http://… 提供预览"
_URL = re.compile(r"(?:serving|正在) (http://127\.0\.0\.1:(\d+)/)")
_FOLDER = re.compile(r"(?:build folder|构建文件夹) (\S+)(?: \(removed on exit\)|（退出时删除）)")


class ServeProcess:
    """``python -m ptrack serve ARGS`` in ``cwd``; stdout and stderr are collected line by line."""

    def __init__(self, args, cwd: Path, env: dict | None = None) -> None:
        base = {k: v for k, v in os.environ.items() if k not in ("PTRACK_AS_OF", "GITHUB_ACTIONS")}
        self.proc = subprocess.Popen([sys.executable, "-m", "ptrack", "serve", *map(str, args)], cwd=cwd,
                                     env={**base, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, encoding="utf-8", bufsize=1)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._lines: queue.Queue = queue.Queue()
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self.stdout), daemon=True),
                         threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr), daemon=True)]
        for reader in self._readers:
            reader.start()
        self.url: str | None = None
        self.port: int | None = None
        self.folder: Path | None = None

    def _read(self, stream, into: list[str]) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))
            self._lines.put(line)

    def output(self) -> str:
        return "\n".join(self.stdout) + "\n--- stderr ---\n" + "\n".join(self.stderr)

    def wait_started(self, timeout: float = 120) -> "ServeProcess":
        """Wait for the "serving http://..." line; fail with the output if the process ends first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.stdout:
                if (m := _FOLDER.search(line)) and self.folder is None:
                    self.folder = Path(m.group(1))
                if (m := _URL.search(line)):
                    self.url, self.port = m.group(1), int(m.group(2))
                    return self
            if self.proc.poll() is not None:
                self._join_readers()
                raise AssertionError(f"ptrack serve exited with {self.proc.returncode}:\n{self.output()}")
            time.sleep(0.05)
        raise AssertionError(f"ptrack serve printed no URL within {timeout} s:\n{self.output()}")

    def get(self, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def text(self, path: str) -> str:
        status, _, body = self.get(path)
        assert status == 200, (path, status, body[:300])
        return body.decode("utf-8")

    def state(self) -> dict:
        return json.loads(self.get("/__ptrack/state")[2])

    def wait_state(self, predicate, timeout: float = 120, what: str = "a state") -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state()
            if predicate(state):
                return state
            time.sleep(0.1)
        raise AssertionError(f"ptrack serve never reached {what}; last state {self.state()}\n{self.output()}")

    def wait_stderr(self, predicate, timeout: float = 30, stream: str = "stderr") -> str:
        """The first line of ``stream`` for which ``predicate`` holds (the reader thread may lag
        behind what the server's state already shows)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(getattr(self, stream)):
                if predicate(line):
                    return line
            time.sleep(0.05)
        raise AssertionError(f"no such line on stderr:\n{self.output()}")

    def stop(self, sig=signal.SIGINT, timeout: float = 120) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"ptrack serve did not stop on {sig!r}:\n{self.output()}") from None
        self._join_readers()
        return code

    def _join_readers(self) -> None:
        for reader in self._readers:
            reader.join(10)

    def __enter__(self) -> "ServeProcess":
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def events(port: int, count: int, timeout: float = 60) -> list[dict]:
    """The first ``count`` messages of ``/__ptrack/events`` (Server-Sent Events), parsed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/__ptrack/events")
        response = conn.getresponse()
        assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")
        found: list[dict] = []
        while len(found) < count:
            line = response.fp.readline().decode("utf-8")
            if not line:
                break
            if line.startswith("data: "):
                found.append(json.loads(line[len("data: "):]))
        return found
    finally:
        conn.close()


def path_of(url: str) -> str:
    return urlsplit(url).path


def raw_request(port: int, data: bytes, timeout: float = 30) -> tuple[int | None, bytes]:
    """Send ``data`` as it is on a new connection to 127.0.0.1:``port`` (forged headers, bad
    paths: what an HTTP library would not send) and read until the server closes; returns
    (status code or None when no answer came, the whole answer)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", answer)
    return (int(match.group(1)) if match else None), answer
