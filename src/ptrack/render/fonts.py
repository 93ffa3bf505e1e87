"""Finding a font that can draw Chinese in the charts (DESIGN §7: never silent tofu boxes).

``find_cjk_font(explicit)`` picks the font: ``--font FILE`` when given, else the first installed
family of ``CJK_FAMILIES``, and the bold face of the same family (Debian's fonts-noto-cjk ships it
in a file of its own, NotoSansCJK-Bold.ttc). The system's fonts are asked of fontconfig
(``fc-list``, ~10 ms) where it is installed (Linux, the BSDs, Homebrew), which also knows fonts
installed after matplotlib built its font cache; matplotlib's font list (importing it costs
~0.2 s, which a build's parent process otherwise never pays: its child draws the charts) only
where fontconfig is missing or knows no CJK font.
When there is none it returns a choice with a ``warning`` that the caller prints once.
``configure_matplotlib(choice)`` registers the font files and returns (and applies) the rcParams
that make matplotlib use them, with a Latin fallback after them.

matplotlib's log lines (``findfont: Failed to find font weight bold …``, "building the font
cache") are not for ptrack's users: ``quiet_library_logs`` gives matplotlib's logger a handler of
its own that drops them, so Python's last-resort handler never prints them on stderr (an
application that configures logging still receives them).

matplotlib is imported inside the functions only: ``ptrack validate`` never pays for it.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ptrack.errors import UsageError
from ptrack.i18n import M_, NP_, Message

# Preferred families, best first. An entry ending in "*" matches every family starting with it.
# Sans-serif (黑体) faces first; serif CJK faces last, since they still beat boxes.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Noto Sans CJK*",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Source Han Sans*",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "PingFang*",
    "SimHei",
    "Heiti SC",
    "Heiti*",
    "STHeiti",
    "Arial Unicode MS",
    "Noto Serif CJK SC",
    "Noto Serif CJK*",
    "Source Han Serif*",
    "Droid Sans Fallback",
    "AR PL UMing*",
)

# Drawn after the CJK font for any glyph it lacks (matplotlib >= 3.6 falls back glyph by glyph).
LATIN_FALLBACK = "DejaVu Sans"

NO_FONT_WARNING = M_("font.none")


@dataclass(frozen=True)
class FontChoice:
    """The font the charts use: ``path`` and ``family`` of a CJK font, or both None with a
    ``warning`` for the user (then matplotlib's default font is used): a ``ptrack.i18n.Message``,
    said in the command's language (``str()``: English)."""

    path: str | None
    family: str | None
    warning: Message | None = None
    bold: tuple[str, int] | None = None  # (file, face index) of the family's bold face, when installed


@dataclass(frozen=True)
class _Face:
    family: str
    path: str
    index: int = 0
    weight: int = 400
    style: str = "normal"


def find_cjk_font(explicit: str | None = None) -> FontChoice:
    """The font for Chinese text in charts: ``explicit`` (``--font FILE``) wins; else the best
    installed family of ``CJK_FAMILIES``; else a FontChoice carrying a warning.

    Raises UsageError when ``explicit`` is missing, unreadable or not a font."""
    quiet_library_logs()
    if explicit is not None:
        return _explicit_font(explicit)
    known = _fc_list_faces()
    face = _pick(known)
    mpl_faces = None
    if face is None:
        mpl_faces = _matplotlib_faces()
        face = _pick(mpl_faces)
    if face is None:
        return FontChoice(None, None, NO_FONT_WARNING)
    bold = _bold_of(face.family, known)
    if bold is None:
        bold = _bold_of(face.family, _matplotlib_faces() if mpl_faces is None else mpl_faces)
    return FontChoice(face.path, face.family, None, bold)


_GLYPH_MISSING = re.compile(r"Glyph (\d+) \(.*?\) missing from font")


def missing_glyphs_warning(messages: Iterable[str]) -> Message | None:
    """One warning, in ptrack's words, for matplotlib's per-glyph "Glyph N (…) missing from
    font(s) …" warnings (given as their texts): which characters the chart fonts cannot draw.
    None when there are none."""
    chars = sorted({int(m.group(1)) for text in messages if (m := _GLYPH_MISSING.search(text))})
    if not chars:
        return None
    shown = ", ".join(f"{chr(c)} (U+{c:04X})" for c in chars[:8]) + (", …" if len(chars) > 8 else "")
    return M_(NP_("font.missing_glyphs"), n=len(chars), chars=shown)


def quiet_library_logs() -> None:
    """Keep matplotlib's log records off the user's terminal: a NullHandler on the "matplotlib"
    logger means Python's last-resort handler (which prints warnings on stderr when nothing is
    configured) is never used for them. Records still propagate to handlers an application sets
    up itself."""
    import logging

    logger = logging.getLogger("matplotlib")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


def configure_matplotlib(choice: FontChoice) -> dict[str, object]:
    """Register ``choice`` with matplotlib and set rcParams so CJK glyphs render (the CJK family
    first, ``LATIN_FALLBACK`` after it). Returns the rcParams it set, so callers can also apply
    them inside ``matplotlib.rc_context`` only."""
    import matplotlib

    rc = font_rc(choice)
    matplotlib.rcParams.update(rc)
    return rc


def font_rc(choice: FontChoice) -> dict[str, object]:
    """Register ``choice``'s file with matplotlib (once) and return the rcParams for it, without
    applying them."""
    quiet_library_logs()
    import matplotlib

    families: list[str] = []
    if choice.path is not None and choice.family is not None:
        _register(choice.path)
        if choice.bold is not None:
            _register(choice.bold[0])  # bold text of the family: its own face, not the regular one
        families.append(choice.family)
    families.append(LATIN_FALLBACK)
    sans = families + [f for f in matplotlib.rcParams["font.sans-serif"] if f not in families]
    return {
        "font.family": families,
        "font.sans-serif": sans,
        "axes.unicode_minus": False,  # U+2212 is missing from some CJK fonts
    }


# ---------------------------------------------------------------------------------------------
# Helpers

def _explicit_font(path_text: str) -> FontChoice:
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise UsageError(M_("font.no_such_file", file=path_text))
    if not os.access(path, os.R_OK):
        raise UsageError(M_("font.not_readable", file=path_text))
    faces = _faces_of(str(path.resolve()))
    if not faces:
        raise UsageError(M_("font.not_a_font", file=path_text))
    face = _pick(faces) or faces[0]  # a collection: its best CJK face; else its first face
    warning = None
    if not _has_cjk(face):
        warning = M_("font.no_chinese", file=path_text, family=face.family)
    # Bold text: a bold face of the same family in the file itself; else (bold_face) the one
    # matplotlib knows of, found when the charts are drawn, not here: --font means no search
    return FontChoice(str(path.resolve()), face.family, warning, _bold_of(face.family, faces))


def _faces_of(path: str) -> list[_Face]:
    """Every face in a font file (a .ttc holds several), or [] when it is not a readable font."""
    return list(_faces_cached(path, _mtime(path)))


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return -1.0


@functools.lru_cache(maxsize=32)
def _faces_cached(path: str, mtime: float) -> tuple[_Face, ...]:
    try:
        from matplotlib import ft2font

        font = ft2font.FT2Font(path)
        faces = [_Face(font.family_name, path, 0, *_weight_and_style(font))]
        for index in range(1, getattr(font, "num_faces", 1)):
            sub = ft2font.FT2Font(path, face_index=index)
            faces.append(_Face(sub.family_name, path, index, *_weight_and_style(sub)))
        return tuple(faces)
    except (OSError, RuntimeError, ValueError, TypeError):
        return ()


def _weight_and_style(font) -> tuple[int, str]:
    """(weight, style) of an FT2Font face, as matplotlib's font list reads them."""
    from matplotlib import font_manager

    try:
        prop = font_manager.ttfFontProperty(font)
        return _weight(prop.weight), prop.style
    except Exception:  # a face matplotlib cannot describe: take it as regular
        return 400, "normal"


def _has_cjk(face: _Face) -> bool:
    from matplotlib import ft2font

    try:
        font = ft2font.FT2Font(face.path, face_index=face.index)
        return all(font.get_char_index(ord(c)) for c in "中文进度")
    except (OSError, RuntimeError, ValueError, TypeError):
        return False


def _matplotlib_faces() -> list[_Face]:
    from matplotlib import font_manager

    return [_Face(f.name, f.fname, int(getattr(f, "index", 0) or 0), _weight(f.weight), f.style)
            for f in font_manager.fontManager.ttflist]


def _fc_list_faces() -> list[_Face]:
    """The fonts fontconfig knows about ([] without ``fc-list``)."""
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        proc = subprocess.run([exe, "--format", "%{family[0]}\t%{file}\t%{index}\t%{weight}\t%{slant}\n"],
                              capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    faces = []
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) != 5 or not parts[1].lower().endswith((".ttf", ".otf", ".ttc", ".otc")):
            continue
        family, file, index, weight, slant = parts
        faces.append(_Face(family, file, int(index) if index.isdigit() else 0,
                           _fc_weight(int(weight)) if weight.isdigit() else 400,  # a range: a variable font
                           "normal" if slant in ("", "0") else "italic"))  # fontconfig's slant 0: roman
    return faces


# fontconfig's weight scale -> the OpenType (CSS) one: thin 0, extralight 40, light 50, demilight
# 55, book 75, regular 80, medium 100, demibold 180, bold 200, extrabold 205, black 210.
_FC_WEIGHTS = ((0, 100), (40, 200), (50, 300), (55, 350), (75, 380), (80, 400), (100, 500),
               (180, 600), (200, 700), (205, 800), (210, 900))


def _fc_weight(value: int) -> int:
    """The OpenType weight of a fontconfig weight: that of the nearest named weight."""
    return min(_FC_WEIGHTS, key=lambda pair: (abs(pair[0] - value), pair[0]))[1]


def _weight(value) -> int:
    if isinstance(value, int):
        return value
    names = {"regular": 400, "normal": 400, "book": 400, "medium": 500, "bold": 700, "light": 300}
    return names.get(str(value).lower(), 400)


def _rank(family: str) -> int | None:
    for i, pattern in enumerate(CJK_FAMILIES):
        if pattern.endswith("*") and family.startswith(pattern[:-1]):
            return i
        if family == pattern:
            return i
    return None


def _pick(faces: Iterable[_Face]) -> _Face | None:
    """The face to use: best family rank, then upright, then closest to regular weight, then
    path and index, so the choice never depends on the order the system lists fonts in."""
    ranked = [(r, f) for f in faces if (r := _rank(f.family)) is not None and os.path.isfile(f.path)]
    if not ranked:
        return None
    ranked.sort(key=lambda rf: (rf[0], rf[1].style != "normal", abs(rf[1].weight - 400), rf[1].family,
                                rf[1].path, rf[1].index))
    return ranked[0][1]


def _register(path: str) -> None:
    """``fontManager.addfont(path)`` once per file (addfont appends duplicates otherwise)."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if not any(f.fname == path for f in manager.ttflist):
        manager.addfont(path)


def _bold_of(family: str, faces: Iterable[_Face]) -> tuple[str, int] | None:
    """(file, face index) of ``family``'s bold face among ``faces``: weight 600 or more, upright,
    closest to 700 (then path and index, for a choice independent of listing order)."""
    bold = [f for f in faces if f.family == family and f.weight >= 600 and f.style == "normal"
            and os.path.isfile(f.path)]
    if not bold:
        return None
    best = min(bold, key=lambda f: (abs(f.weight - 700), f.path, f.index))
    return best.path, best.index


def bold_face(choice: FontChoice) -> tuple[str, int] | None:
    """(file, face index) of the bold face of ``choice.family`` (the face matplotlib draws bold
    text of that family with, once ``font_rc`` registered it), or None when the family has no
    bold face installed."""
    if choice.path is None or choice.family is None:
        return None
    return choice.bold or _bold_of(choice.family, _matplotlib_faces())


def font_face_index(choice: FontChoice) -> int:
    """The face of ``choice.family`` inside ``choice.path`` (a .ttc holds several; 0 otherwise)."""
    if choice.path is None:
        return 0
    for face in _faces_of(choice.path):
        if face.family == choice.family:
            return face.index
    return 0
