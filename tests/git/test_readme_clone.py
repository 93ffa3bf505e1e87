"""README's "last year's 618 → this year's", run for real: the commands its code blocks show, in a
git repository in tmp, print exactly what the README says they print (the base commit's short
id aside)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _blocks() -> dict[str, str]:
    """README's ``$ ptrack ...`` command -> the output under it, for the section's three blocks."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Plan the next campaign: last year's 618 → this year's", 1)[1].split("\n## Set up", 1)[0]
    return {m.group(1): m.group(2) for m in re.finditer(r"```\n\$ (ptrack [^\n]*)\n(.*?)```", section, re.S)}


def test_the_readme_section_runs_as_written(make_repo, run_cli, monkeypatch):
    blocks = _blocks()
    assert len(blocks) == 3
    repo = make_repo()
    (repo.root / "examples").mkdir()
    (repo.root / "campaigns").mkdir()
    shutil.copy(ROOT / "examples" / "618-2024.yaml", repo.root / "examples")
    monkeypatch.chdir(repo.root)
    clone, update, diff = blocks
    code, out, err = run_cli(*_args(clone))
    assert (code, err) == (0, "") and out == blocks[clone]
    repo.commit("2025-04-01T10:00:00+08:00", "王雪")
    code, out, err = run_cli(*_args(update))
    assert (code, err) == (0, "") and out == blocks[update]
    code, out, err = run_cli(*_args(diff))
    shown = re.sub(r"`[0-9a-f]{7}` →", "`3affa16` →", out)
    assert code == 0 and shown == blocks[diff]


def _args(command: str) -> list[str]:
    import shlex

    return shlex.split(command)[1:]
