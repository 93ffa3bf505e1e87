"""ptrack: marketing campaign tracking as code.

The pipeline, one stage per package: ``ptrack.core`` (load → validate → model → compute →
rules), ``ptrack.git`` (history, baseline, diff, retro), ``ptrack.sheets`` (CSV/XLSX/iCalendar),
``ptrack.render`` (site, report, charts), ``ptrack.notify`` (digests to chat and email); the CLI
(``ptrack.cli``) sits on top. The names most used from Python are importable from here::

    from ptrack import load_campaign, compute_snapshot, run_rules

They are imported on first use, so ``import ptrack`` (and ``ptrack validate``) stays cheap.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> the module that defines it
_PUBLIC = {
    "PtrackError": "ptrack.errors",
    "UsageError": "ptrack.errors",
    "Severity": "ptrack.core.diagnostics",
    "Location": "ptrack.core.diagnostics",
    "Diagnostic": "ptrack.core.diagnostics",
    "load_yaml": "ptrack.core.loader",
    "LoadResult": "ptrack.core.validate",
    "load_campaign": "ptrack.core.validate",
    "load_campaign_bytes": "ptrack.core.validate",
    "validate_document": "ptrack.core.validate",
    "Campaign": "ptrack.core.model",
    "build_campaign": "ptrack.core.model",
    "CampaignSnapshot": "ptrack.core.compute",
    "compute_snapshot": "ptrack.core.compute",
    "run_rules": "ptrack.core.rules",
    "load_config": "ptrack.core.config",
    "load_history": "ptrack.git.history",
    "render_report": "ptrack.render.markdown",
    "build_files": "ptrack.render.site",
}

__all__ = ["__version__", *_PUBLIC]


def lazy_names(package: str, public: dict[str, str], namespace: dict):
    """``__getattr__`` and ``__dir__`` for a package whose public names (name -> defining module)
    are imported on first use and then kept in ``namespace`` (the package's ``globals()``)."""

    def __getattr__(name: str):
        module = public.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(public))

    return __getattr__, __dir__


__getattr__, __dir__ = lazy_names("ptrack", _PUBLIC, globals())
