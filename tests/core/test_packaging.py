"""The built wheel serves Chinese: its message catalogs are compiled by the build.

Builds the project's wheel (``pip wheel .``), installs it into a fresh virtual environment
(dependencies from the configured package index) and, outside the checkout, reads the
login page and an API error in Chinese.  Takes a minute or two; runs in CI with the rest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHECK = r"""
import json, os, re, sys
from pathlib import Path

import app
from app import create_app, migrations

here = Path(app.__file__).resolve().parent
assert "site-packages" in here.parts, here  # the installed copy, not the checkout
assert (here / "translations" / "zh" / "LC_MESSAGES" / "messages.mo").is_file()
flask_app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{sys.argv[1]}/installed.db", "TESTING": True})
with flask_app.app_context():
    migrations.upgrade()
client = flask_app.test_client()
login = client.get("/login/").get_data(as_text=True)
error = client.get("/api/v1/pos/members?phone=13900000001", headers={"Accept-Language": "zh"})
english = client.get("/api/v1/pos/members?phone=13900000001", headers={"Accept-Language": "en"})
print(json.dumps({
    "login_title": re.search(r"<title>(.*?)</title>", login, re.S).group(1).strip(),
    "login_has_chinese": bool(re.search("[\u4e00-\u9fff]", login)),
    "error_status": error.status_code,
    "error": error.get_json()["error"],
    "english": english.get_json()["error"],
}, ensure_ascii=False))
"""


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)
    assert done.returncode == 0, f"{args[:4]}: {done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.mark.packaging
def test_the_installed_wheel_answers_in_chinese(tmp_path):
    import json

    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels))
    (wheel,) = wheels.glob("retail_admin-*.whl")
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = environment / "bin" / "python"
    _run(str(python), "-m", "pip", "install", "-q", str(wheel))
    work = tmp_path / "elsewhere"  # not the checkout: nothing of it on the path
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(SECRET_KEY="s" * 64, RETAIL_INSTANCE_DIR=str(work / "instance"))
    found = json.loads(_run(str(python), "-c", CHECK, str(work), cwd=work, env=env).stdout.splitlines()[-1])
    assert found["login_has_chinese"] and "零售管理后台" in found["login_title"], found["login_title"]
    assert found["error_status"] == 401 and found["error"]["code"] == "UNAUTHORIZED"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in found["error"]["message"]), found["error"]
    assert found["english"]["message"].isascii(), found["english"]  # the same error in English
