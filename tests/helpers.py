"""Shared test helpers: build a campaign model from inline YAML."""

from __future__ import annotations

import textwrap

from ptrack.loader import parse_yaml
from ptrack.model import Campaign, build_campaign
from ptrack.validate import validate_document
from ptrack.diagnostics import Severity


def campaign_from_yaml(text: str, file: str = "c.yaml") -> Campaign:
    """parse_yaml -> validate_document (no errors allowed) -> build_campaign.

    ``text`` is dedented, so it can be written indented inside a test."""
    doc = parse_yaml(textwrap.dedent(text), file)
    errors = [d.format_text() for d in validate_document(doc.data, doc.source)
              if d.severity is Severity.ERROR]
    assert not errors, "\n".join(errors)
    return build_campaign(doc.data, file, doc.source)
