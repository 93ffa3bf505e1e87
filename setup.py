"""Build hook: compile the message catalogs (src/ptrack/locale/*/LC_MESSAGES/ptrack.po) to .mo.

Everything else about the package is in pyproject.toml. The .mo files are build output, never
committed: a wheel gets them in its build folder; an editable install (``pip install -e .``)
writes them next to the .po files in the source tree (git ignores them). After editing a .po
in a development checkout, ``python scripts/i18n.py compile`` (which uses compile_catalogs
below) refreshes them.
"""

from __future__ import annotations

from pathlib import Path

LOCALE_DIR = Path("src", "ptrack", "locale")
DOMAIN = "ptrack"


def compile_catalogs(source: Path, target: Path, *, log=print) -> list[Path]:
    """Compile every ``source/<lang>/LC_MESSAGES/ptrack.po`` to the same place under ``target``.
    Untranslated and fuzzy messages are left out (the runtime falls back for them). Returns the
    .mo files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(Path(source).glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        mo = Path(target) / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        tmp = mo.with_name(mo.name + ".tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        tmp.replace(mo)
        log(f"compiled {po} -> {mo}")
        written.append(mo)
    return written


if __name__ == "__main__":
    from setuptools import setup
    from setuptools.command.build_py import build_py

    class build_py_with_catalogs(build_py):
        """build_py, then the .mo files: into the build folder for a wheel, into the source tree
        for an editable install (setuptools' editable_mode)."""

        def run(self):
            super().run()
            if self.editable_mode:
                target = LOCALE_DIR
            else:
                target = Path(self.build_lib, "ptrack", "locale")
            compile_catalogs(LOCALE_DIR, target, log=lambda text: self.announce(text, level=2))

        def get_outputs(self, include_bytecode=True):
            outputs = super().get_outputs(include_bytecode)
            if not self.editable_mode:
                target = Path(self.build_lib, "ptrack", "locale")
                outputs += [str(target / po.relative_to(LOCALE_DIR).with_suffix(".mo"))
                            for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))]
            return outputs

    setup(cmdclass={"build_py": build_py_with_catalogs})
