"""Finding a CJK font for the charts (DESIGN §7): --font wins, a deterministic system search,
a clear warning when there is none."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ptrack.errors import UsageError
from ptrack.render import fonts
from ptrack.render.fonts import (
    CJK_FAMILIES,
    LATIN_FALLBACK,
    NO_FONT_WARNING,
    FontChoice,
    configure_matplotlib,
    find_cjk_font,
    font_face_index,
    font_rc,
)

SYSTEM_CJK = find_cjk_font()
needs_cjk = pytest.mark.skipif(SYSTEM_CJK.path is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)")


def _dejavu() -> str:
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


def _face(family: str, path: Path, index: int = 0, weight: int = 400, style: str = "normal"):
    path.touch()
    return fonts._Face(family, str(path), index, weight, style)


# -- --font FILE -----------------------------------------------------------------------------------

def test_explicit_missing_file_is_a_usage_error(tmp_path):
    missing = tmp_path / "nope.ttf"
    with pytest.raises(UsageError, match=r"--font .*nope\.ttf: no such font file"):
        find_cjk_font(str(missing))


def test_explicit_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such font file"):
        find_cjk_font(str(tmp_path))


def test_explicit_file_that_is_not_a_font_is_a_usage_error(tmp_path):
    junk = tmp_path / "font.ttf"
    junk.write_bytes(b"this is not a font")
    with pytest.raises(UsageError, match="not a font"):
        find_cjk_font(str(junk))


@needs_cjk
def test_explicit_cjk_font_wins_over_the_search(monkeypatch):
    monkeypatch.setattr(fonts, "_matplotlib_faces", lambda: pytest.fail("searched despite --font"))
    monkeypatch.setattr(fonts, "_fc_list_faces", lambda: pytest.fail("searched despite --font"))
    choice = find_cjk_font(SYSTEM_CJK.path)
    assert choice.path == str(Path(SYSTEM_CJK.path).resolve())
    assert choice.family is not None and choice.warning is None


def test_explicit_font_without_chinese_glyphs_is_used_with_a_warning():
    choice = find_cjk_font(_dejavu())
    assert choice.family == "DejaVu Sans" and choice.path == str(Path(_dejavu()).resolve())
    assert "no Chinese glyphs" in str(choice.warning)


# -- the system search ---------------------------------------------------------------------------

def test_no_font_found_returns_a_warning_telling_how_to_install_one(monkeypatch):
    monkeypatch.setattr(fonts, "_matplotlib_faces", list)
    monkeypatch.setattr(fonts, "_fc_list_faces", list)
    choice = find_cjk_font()
    assert choice == FontChoice(None, None, NO_FONT_WARNING)
    assert "apt-get install fonts-noto-cjk" in str(choice.warning)
    assert "--font" in str(choice.warning)


def test_preference_order_and_regular_weight_win_whatever_the_listing_order(monkeypatch, tmp_path):
    faces = [
        _face("WenQuanYi Zen Hei", tmp_path / "wqy.ttc"),
        _face("Noto Sans CJK SC", tmp_path / "noto-bold.ttc", 2, weight=700),
        _face("DejaVu Sans", tmp_path / "dejavu.ttf"),
        _face("Noto Sans CJK JP", tmp_path / "noto.ttc", 0),
        _face("Noto Sans CJK SC", tmp_path / "noto.ttc", 2),
        _face("Noto Serif CJK SC", tmp_path / "serif.ttc", 2),
    ]
    for source in ("_fc_list_faces", "_matplotlib_faces"):  # fontconfig's list, else matplotlib's
        monkeypatch.setattr(fonts, "_fc_list_faces", list)
        for order in (faces, faces[::-1], faces[2:] + faces[:2]):
            monkeypatch.setattr(fonts, source, lambda order=order: list(order))
            choice = find_cjk_font()
            assert (choice.family, Path(choice.path).name, choice.warning) == ("Noto Sans CJK SC", "noto.ttc", None)
            assert choice.bold == (str(tmp_path / "noto-bold.ttc"), 2)


def test_prefix_patterns_and_fallback_rank():
    assert fonts._rank("Noto Sans CJK SC") == 0
    assert fonts._rank("Noto Sans CJK KR") == CJK_FAMILIES.index("Noto Sans CJK*")
    assert fonts._rank("Source Han Sans TW") == CJK_FAMILIES.index("Source Han Sans*")
    assert fonts._rank("WenQuanYi Micro Hei") < fonts._rank("Microsoft YaHei") < fonts._rank("SimHei")
    assert fonts._rank("Arial Unicode MS") < fonts._rank("Noto Serif CJK SC")
    assert fonts._rank("DejaVu Sans") is None


def test_faces_whose_file_is_gone_are_skipped(monkeypatch, tmp_path):
    ghost = fonts._Face("Noto Sans CJK SC", str(tmp_path / "deleted.ttc"))
    real = _face("SimHei", tmp_path / "simhei.ttf")
    monkeypatch.setattr(fonts, "_fc_list_faces", lambda: [ghost, real])
    assert find_cjk_font().family == "SimHei"


def _fake_fc_list(monkeypatch, listing: str) -> None:
    monkeypatch.setattr(fonts.shutil, "which", lambda name: "/usr/bin/fc-list")
    monkeypatch.setattr(fonts.subprocess, "run",
                        lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout=listing, stderr=""))


def test_fontconfig_is_asked_first_and_matplotlib_not_imported_for_it(monkeypatch, tmp_path):
    font_file = tmp_path / "wqy-microhei.ttc"
    font_file.touch()
    bold_file = tmp_path / "wqy-microhei-bold.ttc"
    bold_file.touch()
    listing = (f"WenQuanYi Micro Hei\t{font_file}\t0\t80\t0\n"
               f"WenQuanYi Micro Hei\t{bold_file}\t1\t200\t0\n"  # fontconfig's bold: 200
               "DejaVu Sans\t/usr/share/fonts/x.ttf\t0\t80\t0\n"
               "broken line\n")
    monkeypatch.setattr(fonts, "_matplotlib_faces", lambda: pytest.fail("matplotlib's list asked"))
    _fake_fc_list(monkeypatch, listing)
    # the regular face for text, and the family's bold face (its own file) for bold text
    assert find_cjk_font() == FontChoice(str(font_file), "WenQuanYi Micro Hei", None, (str(bold_file), 1))


def test_fontconfig_weights_map_to_opentype_weights_so_bold_is_bold_not_black(monkeypatch, tmp_path):
    # fonts-noto-cjk-extra installs every weight of the family; fontconfig numbers them
    # thin 0, light 50, demilight 55, regular 80, medium 100, bold 200, black 210.
    names = {0: "thin", 50: "light", 55: "demilight", 80: "regular", 100: "medium", 200: "bold", 210: "black"}
    lines = []
    for weight, name in names.items():
        (tmp_path / f"{name}.otf").touch()
        lines.append(f"Noto Sans CJK SC\t{tmp_path / (name + '.otf')}\t0\t{weight}\t0\n")
    _fake_fc_list(monkeypatch, "".join(reversed(lines)))
    faces = fonts._fc_list_faces()
    assert sorted((Path(f.path).stem, f.weight) for f in faces) == sorted([
        ("thin", 100), ("light", 300), ("demilight", 350), ("regular", 400), ("medium", 500), ("bold", 700),
        ("black", 900)])
    choice = find_cjk_font()
    assert Path(choice.path).stem == "regular" and choice.bold == (str(tmp_path / "bold.otf"), 0)
    assert fonts._fc_weight(190) == 600 and fonts._fc_weight(90) == 400  # ties go to the lighter


def test_matplotlib_list_is_asked_when_fontconfig_knows_no_cjk_font(monkeypatch, tmp_path):
    _fake_fc_list(monkeypatch, "DejaVu Sans\t/usr/share/fonts/x.ttf\t0\t80\t0\n")
    monkeypatch.setattr(fonts, "_matplotlib_faces", lambda: [_face("SimHei", tmp_path / "simhei.ttf")])
    assert find_cjk_font() == FontChoice(str(tmp_path / "simhei.ttf"), "SimHei", None, None)


def test_without_fc_list_the_search_still_answers(monkeypatch):
    monkeypatch.setattr(fonts, "_matplotlib_faces", list)
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    assert find_cjk_font().warning == NO_FONT_WARNING


@needs_cjk
def test_system_search_is_deterministic():
    assert find_cjk_font() == find_cjk_font() == SYSTEM_CJK
    assert fonts._rank(SYSTEM_CJK.family) is not None


# -- matplotlib configuration ----------------------------------------------------------------------

@needs_cjk
def test_configure_matplotlib_puts_the_cjk_family_first_with_a_latin_fallback():
    import matplotlib
    from matplotlib import font_manager

    with matplotlib.rc_context():
        rc = configure_matplotlib(SYSTEM_CJK)
        assert matplotlib.rcParams["font.family"] == [SYSTEM_CJK.family, LATIN_FALLBACK]
        assert matplotlib.rcParams["font.sans-serif"][:2] == [SYSTEM_CJK.family, LATIN_FALLBACK]
        assert rc["font.family"] == [SYSTEM_CJK.family, LATIN_FALLBACK]
    # registered once, however often it is configured
    font_rc(SYSTEM_CJK)
    count = sum(1 for f in font_manager.fontManager.ttflist if f.fname == SYSTEM_CJK.path)
    font_rc(SYSTEM_CJK)
    assert sum(1 for f in font_manager.fontManager.ttflist if f.fname == SYSTEM_CJK.path) == count
    found = font_manager.findfont(font_manager.FontProperties(family=SYSTEM_CJK.family), fallback_to_default=False)
    assert Path(found).resolve() == Path(SYSTEM_CJK.path).resolve()


def test_no_font_configures_the_latin_fallback_only():
    assert font_rc(FontChoice(None, None, NO_FONT_WARNING))["font.family"] == [LATIN_FALLBACK]


@needs_cjk
def test_face_index_points_at_the_chosen_family():
    from matplotlib import ft2font

    index = font_face_index(SYSTEM_CJK)
    assert ft2font.FT2Font(SYSTEM_CJK.path, face_index=index).family_name == SYSTEM_CJK.family
    assert font_face_index(FontChoice(None, None, "x")) == 0


def test_importing_fonts_and_charts_does_not_import_matplotlib():
    code = ("import sys, ptrack.render.fonts, ptrack.render.charts; "
            "sys.exit(1 if any(m == 'matplotlib' or m.startswith('matplotlib.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
