"""The forge tests share the ecosystem tests' helpers (real tools: git, node; a clean
environment for subprocesses): ``tests/ecosystem`` goes on the import path."""

from __future__ import annotations

import sys
from pathlib import Path

_ECOSYSTEM = str(Path(__file__).resolve().parents[1] / "ecosystem")
if _ECOSYSTEM not in sys.path:
    sys.path.insert(0, _ECOSYSTEM)
