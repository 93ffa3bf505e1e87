"""The compiler core, one module per pipeline stage: loader (strict YAML with a source map) →
validate (schema + semantic checks) → model (frozen dataclasses) → compute (a snapshot as of a
date, on the working-day calendars) → rules (findings). ``config`` reads ``ptrack.yaml``;
``diagnostics`` holds the location, diagnostic and finding types every stage shares.

Nothing here imports from the other packages (git, sheets, render, notify) or the CLI."""
