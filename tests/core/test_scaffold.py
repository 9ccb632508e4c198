"""``plugins new``: the skeleton it writes is installed through an entry point, migrated and
passes its own tests as generated (in a separate interpreter, on a database of its own)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_plugin_passes_its_own_tests(app, tmp_path):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["plugins", "new", "shelf_notes", "--dest", str(tmp_path)])
    assert made.exit_code == 0, made.output
    project = tmp_path / "retail_shelf_notes"
    for part in ("pyproject.toml", "README.md", "shelf_notes/__init__.py", "shelf_notes/models.py",
                 "shelf_notes/views.py", "shelf_notes/api.py", "shelf_notes/demo.py",
                 "shelf_notes/migrations/versions/shelf_notes_0001_schema.py",
                 "shelf_notes/translations/zh/LC_MESSAGES/messages.mo", "tests/test_shelf_notes.py"):
        assert (project / part).is_file(), part
    manifest = (project / "shelf_notes" / "__init__.py").read_text(encoding="utf-8")
    # the short form: declared attributes, hooks only for what needs code
    assert 'MODELS = "shelf_notes.models"' in manifest and "def retail_role_grants" not in manifest
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=project,
                          capture_output=True, text=True)  # with the skeleton's own ruff settings
    assert lint.returncode == 0, lint.stdout

    # installed as pip would: a dist-info whose entry point names the package
    site = tmp_path / "site"
    dist = site / "retail_shelf_notes-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: retail-shelf-notes\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[retail_admin.plugins]\nshelf_notes = shelf_notes\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(project), str(ROOT)])}
    env.pop("RETAIL_INSTANCE_DIR", None)  # the generated conftest makes its own instance and database
    env.pop("TEST_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "6 passed" in done.stdout


@pytest.mark.parametrize("name", ["Bad", "1st", "class", "x", "coupons", "with-dash", "trailing_"])
def test_bad_or_taken_names_are_refused(app, tmp_path, name):
    made = app.test_cli_runner().invoke(args=["plugins", "new", name, "--dest", str(tmp_path)])
    assert made.exit_code != 0 and "Error" in made.output
    assert not any(tmp_path.iterdir())
