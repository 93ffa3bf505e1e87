"""``ptrack serve --font`` and ``--baseline`` mean what they mean for ``ptrack build``: the same
help texts, and the served files are the ones build writes with the same options. (The
baseline cases need git: tests/git/test_serve_git.py.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptrack.render.fonts import find_cjk_font
from tests.serve_support import AS_OF, CAMPAIGN, EXAMPLE, ServeProcess

SERIF = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")


def _option_help(run_cli, command: str, option: str) -> str:
    """The help text of ``option`` in ``ptrack COMMAND --help``, on one line."""
    code, out, _ = run_cli(command, "--help")
    assert code == 0
    text = " ".join(out.split())
    found = re.search(rf"{re.escape(option)} (?:FILE|REV) (.*?)(?= --[a-z]| -h, --help)", text)
    assert found, text
    return found.group(1)


@pytest.mark.parametrize("option", ["--font", "--baseline"])
def test_serve_has_builds_font_and_baseline_with_the_same_help(run_cli, option):
    assert _option_help(run_cli, "serve", option) == _option_help(run_cli, "build", option)


def test_a_font_that_does_not_exist_is_a_usage_error(run_cli, tmp_path):
    code, _, err = run_cli("serve", str(EXAMPLE), "--font", str(tmp_path / "nope.ttf"), "--port", "0")
    assert code == 2 and "nope.ttf" in err and "不存在" in err  # the example's language (zh-CN)
    code, _, err = run_cli("serve", str(EXAMPLE), "--font", str(tmp_path / "nope.ttf"), "--port", "0", "--lang", "en")
    assert code == 2 and "nope.ttf" in err and "does not exist" in err


@pytest.mark.skipif(not SERIF.is_file() or find_cjk_font().path == str(SERIF),
                    reason="needs Noto Serif CJK besides the default CJK font (Debian fonts-noto-cjk)")
def test_serve_font_draws_the_charts_in_that_font(tmp_path):
    """gantt.png served with --font F is byte for byte the one `build --font F` writes, and not
    the one drawn with the default font."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(EXAMPLE, project / "campaign.yaml")
    env = {k: v for k, v in os.environ.items() if k != "PTRACK_AS_OF"}
    for name, extra in (("serif", ["--font", str(SERIF)]), ("default", [])):
        subprocess.run([sys.executable, "-m", "ptrack", "build", "campaign.yaml", "--out", str(tmp_path / name),
                        "--as-of", AS_OF, *extra], cwd=project, env=env, check=True, capture_output=True)
    serif = (tmp_path / "serif" / CAMPAIGN / "gantt.png").read_bytes()
    assert serif != (tmp_path / "default" / CAMPAIGN / "gantt.png").read_bytes()
    with ServeProcess(["campaign.yaml", "--port", "0", "--as-of", AS_OF, "--font", str(SERIF)], cwd=project) as server:
        server.wait_started()
        status, _, served = server.get(f"/{CAMPAIGN}/gantt.png")
        assert server.stop() == 0
    assert status == 200 and served == serif
