"""Shared test helpers: build a campaign model from inline YAML."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

from ptrack.core.compute import CampaignSnapshot, compute_snapshot
from ptrack.core.loader import parse_yaml
from ptrack.core.model import Campaign, build_campaign
from ptrack.core.validate import validate_document
from ptrack.core.diagnostics import Severity


def campaign_from_yaml(text: str, file: str = "c.yaml") -> Campaign:
    """parse_yaml -> validate_document (no errors allowed) -> build_campaign.

    ``text`` is dedented, so it can be written indented inside a test."""
    doc = parse_yaml(textwrap.dedent(text), file)
    errors = [d.format_text() for d in validate_document(doc.data, doc.source)
              if d.severity is Severity.ERROR]
    assert not errors, "\n".join(errors)
    return build_campaign(doc.data, file, doc.source)


ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "campaign.yaml"
HOSTILE = ROOT / "tests" / "golden" / "inputs" / "hostile.yaml"  # hostile strings in every field
EXAMPLE_AS_OF = date(2024, 4, 15)

# the smallest valid campaign (one task), ``.format(id=...)``: for CLI tests of validate. Its
# locale is en: its messages are English (a campaign without a locale speaks zh-CN)
MINIMAL_CAMPAIGN = """\
ptrack: 1
campaign:
  id: {id}
  name: Campaign {id}
  start: 2024-03-01
  end: 2024-05-31
  locale: en
tasks:
  - id: a
    name: A
    planned: {{start: 2024-03-01, end: 2024-03-10}}
"""


def snapshot_of(path: Path, as_of: date = EXAMPLE_AS_OF) -> CampaignSnapshot:
    """Load, validate and compute one campaign file through the pipeline, as the CLI does."""
    from ptrack.core.config import Config
    from ptrack.pipeline import load_all

    (result,) = load_all([path], Config(root=ROOT))
    assert result.campaign is not None, [d.format_text() for d in result.diagnostics]
    return compute_snapshot(result.campaign, as_of=as_of)
