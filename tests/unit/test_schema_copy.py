"""The editor copy of the schema is the packaged one, and every field has bilingual help."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EDITOR_COPY = ROOT / "schema" / "campaign.schema.json"
PACKAGED = ROOT / "src" / "ptrack" / "schema" / "campaign.schema.json"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def test_editor_copy_is_byte_identical_to_the_packaged_schema():
    assert EDITOR_COPY.read_bytes() == PACKAGED.read_bytes(), (
        "schema/campaign.schema.json drifted from src/ptrack/schema/campaign.schema.json; "
        "copy the packaged one over it")


def test_the_installed_package_reads_the_same_schema():
    installed = resources.files("ptrack.schema").joinpath("campaign.schema.json").read_bytes()
    assert installed == PACKAGED.read_bytes()


def _properties(node, path="#"):
    """(JSON pointer, schema) of every property defined anywhere in the schema."""
    if isinstance(node, dict):
        for keyword in ("properties", "patternProperties"):
            for name, sub in (node.get(keyword) or {}).items():
                yield f"{path}/{keyword}/{name}", sub
        for key, value in node.items():
            yield from _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{path}/{i}")


SCHEMA = json.loads(PACKAGED.read_text("utf-8"))
PROPERTIES = list(_properties(SCHEMA))


def test_the_walk_finds_the_fields():
    names = {pointer.rsplit("/", 1)[1] for pointer, _ in PROPERTIES}
    # a few fields from every level of DESIGN §3
    assert {"ptrack", "campaign", "calendar", "deviation_warn", "kind", "measurements", "achieved",
            "planned", "progress", "quantity", "deliverables", "depends_on", "budget", "resolved"} <= names
    assert len(PROPERTIES) > 50


@pytest.mark.parametrize("pointer, schema", PROPERTIES, ids=[p for p, _ in PROPERTIES])
def test_every_property_has_bilingual_title_and_description(pointer, schema):
    for keyword in ("title", "description"):
        text = schema.get(keyword)
        assert isinstance(text, str) and text.strip(), f"{pointer}: no {keyword}"
        assert CJK.search(text), f"{pointer}: {keyword} has no Chinese: {text!r}"
        assert LATIN.search(text), f"{pointer}: {keyword} has no English: {text!r}"


def test_the_schema_itself_is_bilingual():
    for keyword in ("title", "description"):
        assert CJK.search(SCHEMA[keyword]) and LATIN.search(SCHEMA[keyword])
