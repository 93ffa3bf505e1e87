"""`ptrack build` as a new user runs it, in a real process: nothing but ptrack's own words on
stderr, and bold chart text drawn with the bold face of the CJK family even when matplotlib's font
cache predates the fonts (the user installed fonts-noto-cjk after a first run, as ptrack's own
no-font warning tells them to).

Before the fix, that machine printed matplotlib's ``findfont: Failed to find font weight bold for
Noto Sans CJK SC, now using 400.`` three times and drew module rows and chart titles in the
regular weight."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptrack.render.fonts import find_cjk_font

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "campaign.yaml"


@pytest.fixture
def example(tmp_path) -> Path:
    """The example, copied outside git: in this repository it is committed after 2024-04-15,
    and the build would say so (progress is the latest recorded); these tests are about fonts."""
    return Path(shutil.copy(EXAMPLE, tmp_path / "campaign.yaml"))
AS_OF = "2024-04-15"
BOLD_FILE = "NotoSansCJK-Bold.ttc"



def _has_noto_bold() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None or find_cjk_font().family != "Noto Sans CJK SC":
        return False
    listed = subprocess.run([fc_list], capture_output=True, text=True).stdout
    return any(BOLD_FILE in line and "Noto Sans CJK SC" in line for line in listed.splitlines())


needs_noto = pytest.mark.skipif(
    not _has_noto_bold(),
    reason="needs Debian's fonts-noto-cjk (NotoSansCJK-Regular.ttc and NotoSansCJK-Bold.ttc); scripts/test.sh installs it")


def _env(mplconfig: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PTRACK_", "GITHUB_"))}
    env.update(MPLCONFIGDIR=str(mplconfig), PTRACK_AS_OF=AS_OF, **extra)
    return env


def _ptrack(env: dict[str, str], *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptrack", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def _python(env: dict[str, str], code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _fresh_cache(folder: Path) -> Path:
    """A matplotlib config folder whose font cache lists every installed font."""
    folder.mkdir(parents=True, exist_ok=True)
    _python(_env(folder), "from matplotlib import font_manager; font_manager.fontManager")
    return folder


def _stale_cache(folder: Path, *, drop) -> Path:
    """A font cache built before some fonts were installed: the entries ``drop(entry)`` selects
    are taken out of matplotlib's cached list, as if their files had come later."""
    _fresh_cache(folder)
    (cache,) = folder.glob("fontlist-*.json")
    data = json.loads(cache.read_text(encoding="utf-8"))
    kept = [e for e in data["ttflist"] if not drop(e)]
    assert len(kept) < len(data["ttflist"])
    data["ttflist"] = kept
    cache.write_text(json.dumps(data), encoding="utf-8")
    return folder


def _cjk(entry) -> bool:
    return "CJK" in entry["name"]


@needs_noto
@pytest.mark.parametrize("cache", ["fresh", "stale"])
def test_build_stderr_is_empty_and_bold_text_uses_the_bold_face(tmp_path, example, cache):
    config = _fresh_cache(tmp_path / "mpl") if cache == "fresh" else _stale_cache(tmp_path / "mpl", drop=_cjk)
    env = _env(config)
    proc = _ptrack(env, "build", str(example), "--out", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no "findfont: …", no "UserWarning", no font-cache message
    assert proc.stdout == f"已写入 38 个文件（1 个活动）到 {tmp_path / 'site'}（打开 {tmp_path / 'site' / 'index.html'}）\n"

    # What the renderer resolves for bold text, in the same environment: the Bold file, for
    # matplotlib (titles, module rows drawn by matplotlib) and for the Gantt's text layer.
    resolved = json.loads(_python(env, (
        "import json\n"
        "from matplotlib import font_manager\n"
        "from ptrack.render import gantt\n"
        "from ptrack.render.fonts import find_cjk_font, font_rc\n"
        "choice = find_cjk_font()\n"
        "rc = font_rc(choice)\n"
        "bold = font_manager.findfont(font_manager.FontProperties(family=rc['font.family'], weight='bold'),\n"
        "                             fallback_to_default=False)\n"
        "layer = gantt._TextLayer.create(choice, 100)\n"
        "face = layer._faces[True].font\n"
        "print(json.dumps({'family': choice.family, 'regular': choice.path, 'matplotlib_bold': str(bold),\n"
        "                  'layer_bold': face.path, 'layer_bold_name': face.getname()}))\n"
    )))
    assert resolved["family"] == "Noto Sans CJK SC"
    assert Path(resolved["regular"]).name == "NotoSansCJK-Regular.ttc"
    assert Path(resolved["matplotlib_bold"]).name == BOLD_FILE
    # the SC face of the Bold collection (it holds JP, KR, SC, TC, HK)
    assert Path(resolved["layer_bold"]).name == BOLD_FILE
    assert resolved["layer_bold_name"] == ["Noto Sans CJK SC", "Bold"]


@needs_noto
def test_a_stale_font_cache_draws_the_same_charts_as_a_fresh_one(tmp_path, example):
    """The charts' bytes do not depend on when matplotlib built its font cache: bold is bold."""
    sites = {}
    for cache in ("fresh", "stale"):
        config = _fresh_cache(tmp_path / cache) if cache == "fresh" else _stale_cache(tmp_path / cache, drop=_cjk)
        out = tmp_path / f"site-{cache}"
        proc = _ptrack(_env(config), "build", str(example), "--out", str(out))
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        sites[cache] = {p.name: p.read_bytes() for p in (out / "spring-launch-2024").glob("*.png")}
    assert set(sites["fresh"]) >= {"gantt.png", "goals.png", "trend.png"}
    assert sites["stale"] == sites["fresh"]


@needs_noto
def test_no_bold_face_anywhere_is_still_silent(tmp_path, example):
    """matplotlib knows the regular face but no bold one, and fc-list is not there to find it:
    matplotlib falls back to the regular weight and logs "findfont: Failed to find font weight
    bold", which must not reach the user."""
    config = _stale_cache(tmp_path / "mpl", drop=lambda e: _cjk(e) and e["weight"] != 400)
    tools = tmp_path / "bin"
    tools.mkdir()
    os.symlink(shutil.which("git"), tools / "git")  # git for the trend and the baseline; no fc-list
    env = _env(config, PATH=str(tools))
    assert json.loads(_python(env, "import json; from ptrack.render.fonts import find_cjk_font; "
                                   "c = find_cjk_font(); print(json.dumps([c.family, c.bold]))")) == ["Noto Sans CJK SC", None]
    proc = _ptrack(env, "build", str(example), "--out", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


@needs_noto
def test_characters_no_chart_font_has_are_one_ptrack_warning(tmp_path):
    """matplotlib's "UserWarning: Glyph … missing from font(s)" (with a line of ptrack's source
    under it) becomes one warning in ptrack's words, naming the characters."""
    campaign = tmp_path / "c.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "    module: 内容营销\n" in text
    campaign.write_text(text.replace("    module: 内容营销\n", "    module: 内容营销 🎉\n", 1), encoding="utf-8")
    proc = _ptrack(_env(_fresh_cache(tmp_path / "mpl")), "build", str(campaign), "--out", str(tmp_path / "site"),
                   "--baseline", "none", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ("ptrack：警告：图表字体缺少 1 个字符的字形：🎉 (U+1F389)；它们在 PNG 图表中显示为空白方框"
                           "（gantt.svg 和网页使用浏览器的字体）。\n")
