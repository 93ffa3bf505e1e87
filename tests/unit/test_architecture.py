"""The package layout is the pipeline (DESIGN §8): no module imports itself back through others,
and each stage package imports only the stages below it. Imports inside functions count: a lazy
import that closes a cycle is still a cycle in the design."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import ptrack

SRC = Path(ptrack.__file__).parent

# what each stage package may import, besides itself and the foundation; the top-level modules
# (cli, pipeline, exporters, init, serve...) are free to import any stage. ``pipeline`` (load →
# validate → compute → rules for a set of files) is what the site and the digests start from.
FOUNDATION = {"ptrack", "ptrack.errors", "ptrack.fsutil", "ptrack.i18n", "ptrack.netutil", "ptrack.reporters"}
ALLOWED = {
    "schema": set(),  # the campaign schema and the validators generated from it (by core.schema_codegen)
    "core": {"schema"},
    "git": {"core"},
    "sheets": {"core"},
    "edit": {"core"},  # the one editor: every change to a campaign file (update, cascade, clone, intake)
    # render and notify link to the forms (forge.links); forge: CI templates, REST clients, the
    # forms and their links, issue parsing and intake
    "render": {"core", "git", "sheets", "forge", "pipeline"},
    "notify": {"core", "git", "render", "forge", "pipeline"},
    "forge": {"core", "git", "sheets", "edit", "pipeline"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every ``ptrack`` module that ``path`` imports, anywhere in the file."""
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            # `from ptrack.render import gantt` imports the module ptrack.render.gantt
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        out.update(t for t in targets if t in known and t != name)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    # the check itself must be able to fail: a -> b -> c -> a, d alone
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else None


def test_each_stage_imports_only_the_stages_below_it():
    wrong = []
    for module, targets in _graph().items():
        stage = _stage(module)
        if stage is None:
            continue
        for target in targets:
            other = _stage(target)
            if target in FOUNDATION or other == stage or (other or target.removeprefix("ptrack.")) in ALLOWED[stage]:
                continue
            wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_the_stage_packages_are_the_pipeline():
    # DESIGN §8: the folders show the pipeline
    assert {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()} >= {"core", "git", "sheets", "edit", "render",
                                                                               "notify"}
    assert {p.stem for p in (SRC / "core").glob("*.py")} >= {"loader", "validate", "model", "calendars", "compute",
                                                             "rules", "diagnostics", "config"}
    assert {p.stem for p in (SRC / "git").glob("*.py")} >= {"gitio", "history", "baseline", "diff", "retro"}
    assert {p.stem for p in (SRC / "sheets").glob("*.py")} >= {"tabular", "importer", "ics"}
    assert {p.stem for p in (SRC / "edit").glob("*.py")} >= {"ops", "draft", "patch", "engine", "lock", "update"}
    assert {p.stem for p in (SRC / "render").glob("*.py")} >= {"gantt", "chrome", "charts", "html", "markdown", "site"}


@pytest.mark.parametrize("name", sorted(ptrack._PUBLIC))
def test_public_names_are_reexported_from_the_package(name):
    value = getattr(ptrack, name)
    assert value is getattr(importlib.import_module(ptrack._PUBLIC[name]), name)
    assert name in ptrack.__all__ and name in dir(ptrack)


def test_import_ptrack_imports_no_stage():
    import subprocess
    import sys

    code = "import sys, ptrack; print(sorted(m for m in sys.modules if m.startswith('ptrack')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['ptrack']"


def test_an_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        ptrack.nope  # noqa: B018
