"""Words for network failures, shared by everything ptrack sends over HTTP (notify's transport,
the GitLab client): short, and free of addresses and secrets."""

from __future__ import annotations

import http.client
import socket
import ssl
import urllib.error


def timed_out(seconds: float) -> str:
    """"timed out after 10 s" (a limit cut short by a deadline shows to a tenth: "after 0.7 s")."""
    return f"timed out after {round(seconds, 1):g} s"


def network_reason(exc: BaseException, timeout: float) -> str:
    """A short, secret-free reason why a request got no answer (``timed out after 10 s``,
    ``connection refused``, ``TLS error: CERTIFICATE_VERIFY_FAILED``...)."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return timed_out(timeout)
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ConnectionResetError):
        return "connection reset"
    if isinstance(reason, ConnectionAbortedError):
        return "connection aborted"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error: {reason.reason or reason}"
    if isinstance(reason, socket.gaierror):
        return "host not found"
    if isinstance(reason, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return f"{type(reason).__name__}: {reason}"
