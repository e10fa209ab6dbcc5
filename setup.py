"""Packaging beyond what pyproject.toml can say: the message catalogues are compiled into the
build. The .mo files are build output (not kept in git), so `pip install .` from a fresh
checkout would otherwise ship the app without its English."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    """build_py, then each reuse/translations/*/LC_MESSAGES/*.po compiled beside its copy."""

    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(Path("reuse/translations").glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as source:
                catalogue = read_po(source, locale=po.parts[-3])
            target = Path(self.build_lib) / po.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as compiled:
                write_mo(compiled, catalogue)  # fuzzy entries left out, as pybabel compile does


setup(cmdclass={"build_py": BuildWithCatalogues})
