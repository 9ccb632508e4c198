"""The run's scratch folder and process environment, set before the app is imported."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tests.support.plugin_install import install_test_plugin

RUN_DIR = Path(tempfile.mkdtemp(prefix="retail-tests-"))
SITE_DIR = RUN_DIR / "site"

os.environ.setdefault("RETAIL_INSTANCE_DIR", str(RUN_DIR / "instance"))
os.environ.setdefault("SECRET_KEY", "t" * 64)
install_test_plugin(SITE_DIR)
