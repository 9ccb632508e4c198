"""Build hook (metadata is in pyproject.toml): a wheel carries compiled message catalogs.

``build_py`` also compiles ``translations/<lang>/LC_MESSAGES/messages.po`` into
``app/translations/<lang>/LC_MESSAGES/messages.mo`` inside the built package, so an
installed copy (``pip install .``, ``pip wheel .``) serves Chinese without ``dev.py``.
Built-in plugins with catalogs of their own (``plugins/NAME/translations/``) are compiled
into ``plugins/NAME/translations/`` of the build the same way.  A source checkout keeps
using the checkout's catalogs (compiled by ``dev.py`` and the tests).
"""

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithCatalogs(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads translations/ of the checkout
        sys.path.insert(0, str(ROOT / "tools"))
        import i18n

        build = Path(self.build_lib)
        i18n.compile_catalogs(ROOT / "translations", build / "app" / "translations")
        for plugin in i18n.own_catalog_plugins():  # plugins/NAME/translations/ -> the wheel's copy
            i18n.compile_catalogs(plugin / "translations", build / "plugins" / plugin.name / "translations")


setup(cmdclass={"build_py": BuildPyWithCatalogs})
