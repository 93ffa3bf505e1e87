"""Renderers of the status page, the Markdown report, charts and exports (DESIGN §7)."""
