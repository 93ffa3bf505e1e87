"""The schema validators generated ahead of time (ptrack.core.schema_codegen).

``ptrack validate`` uses ptrack/schema/fast_document.py (and ptrack.git.history fast_task.py) instead
of compiling the schema on every run. These tests keep them honest: generated from the installed
schema, giving fastjsonschema's own verdicts and errors, and replaced by a run-time compile when
the schema no longer matches.
"""

from __future__ import annotations

import json
import textwrap
import zlib

import fastjsonschema
import pytest

from ptrack.core import validate
from ptrack.core.loader import parse_yaml
from ptrack.core import schema_codegen as codegen
from ptrack.schema import fast_document, fast_task

from tests.unit.test_validate import _case_texts


def test_generated_validators_come_from_the_installed_schema():
    data = codegen.SCHEMA_FILE.read_bytes()
    key = f"{len(data)}:{zlib.crc32(data):08x}"
    for module in (fast_document, fast_task):
        assert module.SCHEMA_KEY == key, (
            f"{module.__name__} was generated from another schema: run python -m ptrack.core.schema_codegen")


@pytest.mark.parametrize("kind", ["document", "task"])
def test_generated_files_are_what_codegen_writes(kind):
    """Byte for byte, with the fastjsonschema that generated them (another version may format
    its code differently; the verdicts are compared below either way)."""
    text = codegen.OUTPUTS[kind].read_text("utf-8")
    if f"fastjsonschema {fastjsonschema.VERSION}," not in text.splitlines()[1]:
        pytest.skip(f"generated with another fastjsonschema than {fastjsonschema.VERSION}")
    assert codegen.generate(kind) == text


def _documents() -> list[dict]:
    return [parse_yaml(textwrap.dedent(t), "c.yaml").data for t in _case_texts()]


def _outcome(validator, data):
    """None when ``data`` passes, else the first error's (message, path, rule)."""
    try:
        validator(data)
    except ValueError as exc:
        return exc.message, exc.path, exc.rule
    return None


def test_generated_document_validator_agrees_with_fastjsonschema():
    schema = validate._without_annotations(validate.load_schema())
    compiled = fastjsonschema.compile(schema, formats={"date": validate._is_date})
    generated = validate._generated("document")
    assert generated is not None
    documents = _documents()
    outcomes = [(_outcome(generated, d), _outcome(compiled, d)) for d in documents]
    assert len(outcomes) > 30
    assert all(ours == theirs for ours, theirs in outcomes), outcomes
    # Both kinds of verdict are covered, and an error carries its path into the data:
    # tasks[0].planned.start "2024-02-30" in one of test_validate's cases.
    assert {ours is None for ours, _ in outcomes} == {True, False}
    assert any(ours and ours[1][:2] == ["data", "tasks"] for ours, _ in outcomes)


def test_generated_task_validator_agrees_with_fastjsonschema():
    task_schema = validate._task_schema(validate._without_annotations(validate.load_schema()))
    compiled = fastjsonschema.compile(task_schema, formats={"date": validate._is_date})
    generated = validate._generated("task")
    tasks = [t for d in _documents() for t in d["tasks"]]
    tasks += [{"id": "x", "name": "X", "planned": {"start": "2024-03-01", "end": "2024-13-01"}},
              {"id": "x", "name": "X", "planned": {"start": "2024-03-01", "end": "2024-03-02"}, "colour": 1}]
    outcomes = [(_outcome(generated, t), _outcome(compiled, t)) for t in tasks]
    assert all(ours == theirs for ours, theirs in outcomes), outcomes
    assert {ours is None for ours, _ in outcomes} == {True, False}


def test_a_changed_schema_is_compiled_at_run_time(monkeypatch):
    """A schema edited without regenerating still applies: ``ptrack: 2`` is accepted by the
    generated validator (the schema says const 1) but not once the schema says const 2."""
    schema = json.loads(codegen.SCHEMA_FILE.read_text("utf-8"))
    schema["properties"]["ptrack"]["const"] = 2
    changed = json.dumps(schema).encode("utf-8")
    base = "ptrack: 2\ncampaign: {id: s, name: S, start: 2024-03-01, end: 2024-03-31}\ntasks: []\n"
    doc = parse_yaml(base, "c.yaml")

    def clear():
        for cached in (validate.schema_bytes, validate.load_schema, validate._fast_validator,
                       validate._split_validators):
            cached.cache_clear()

    clear()
    try:
        monkeypatch.setattr(validate, "schema_bytes", lambda: changed)
        assert validate._generated("document") is None
        assert validate._generated("task") is None
        assert validate.validate_document(doc.data, doc.source) == []
        monkeypatch.undo()
        clear()
        assert validate._generated("document") is not None
        assert [d.format_text() for d in validate.validate_document(doc.data, doc.source, "en")] == [
            "c.yaml:1:9: error [schema] ptrack: must be 1, not 2"]
    finally:
        monkeypatch.undo()
        clear()


def test_codegen_check_says_when_a_file_is_stale(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(codegen, "OUTPUTS", {"document": tmp_path / "fast_document.py",
                                             "task": tmp_path / "fast_task.py"})
    assert codegen.main(["--check"]) == 1
    assert "out of date: fast_document.py, fast_task.py; run python -m ptrack.core.schema_codegen" in capsys.readouterr().err
    assert codegen.main([]) == 0
    assert codegen.main(["--check"]) == 0
    text = (tmp_path / "fast_document.py").read_text("utf-8")
    assert text.startswith("# Generated by `python -m ptrack.core.schema_codegen`")
    assert "import fastjsonschema" not in text and "from fastjsonschema" not in text
