"""Words for network failures, shared by everything ptrack sends over HTTP (notify's transport,
the GitLab client): short, and free of addresses and secrets."""

from __future__ import annotations

import http.client
import socket
import ssl
import urllib.error
from ptrack.i18n import M_


def timed_out(seconds: float):
    """"timed out after 10 s" (a limit cut short by a deadline shows to a tenth: "after 0.7 s"),
    a ``ptrack.i18n.Message`` (said in the command's language; ``str()``: English)."""
    return M_("net.timed_out", s=f"{round(seconds, 1):g}")


def network_problem(exc: BaseException, timeout: float):
    """A short, secret-free reason why a request got no answer (``timed out after 10 s``,
    ``connection refused``, ``TLS error: CERTIFICATE_VERIFY_FAILED``...), as a Message."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return timed_out(timeout)
    if isinstance(reason, ConnectionRefusedError):
        return M_("net.refused")
    if isinstance(reason, ConnectionResetError):
        return M_("net.reset")
    if isinstance(reason, ConnectionAbortedError):
        return M_("net.aborted")
    if isinstance(reason, ssl.SSLError):
        return M_("net.tls", reason=str(reason.reason or reason))
    if isinstance(reason, socket.gaierror):
        return M_("net.host_not_found")
    if isinstance(reason, http.client.RemoteDisconnected):
        return M_("net.closed")
    if isinstance(reason, OSError) and reason.strerror:
        return M_("net.other", reason=reason.strerror.lower())
    return M_("net.other", reason=f"{type(reason).__name__}: {reason}")


def network_reason(exc: BaseException, timeout: float) -> str:
    """``network_problem`` as English text (for messages built as text)."""
    return str(network_problem(exc, timeout))
