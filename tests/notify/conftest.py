"""Every notify test talks to servers on 127.0.0.1: a proxy set in the environment (http_proxy,
HTTPS_PROXY, ...) would send those requests elsewhere, so the tests run without one."""

from __future__ import annotations

import pytest

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
