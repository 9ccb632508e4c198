#!/usr/bin/env python3
"""Developer entry point; needs only Python 3.11+.

  python3 dev.py run     set up .venv, migrate, seed demo data, serve the admin
                         (with a background job worker and the Meituan and WeCom simulators)
  python3 dev.py test    set up .venv (with test extras), run the test suite
  python3 dev.py setup   only set up .venv (dependencies + compiled catalogs)

Extra arguments after ``test`` go to pytest.  TEST_DATABASE_URL=postgresql://…
runs the suite on PostgreSQL (a fresh database is created and dropped).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"


def sh(*args: str, **env: str) -> None:
    subprocess.run(args, cwd=ROOT, check=True, env={**os.environ, **env})


def setup(extras: str = "test") -> None:
    if not PY.exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{extras}-{digest}"
    if not stamp.exists():
        print("installing dependencies …", flush=True)
        sh(str(PY), "-m", "pip", "install", "-q", "--upgrade", "pip")
        sh(str(PY), "-m", "pip", "install", "-q", "-e", f".[{extras}]")
        stamp.touch()
    sh(str(PY), "tools/i18n.py", "compile")


def run() -> None:
    setup()
    flask = [str(PY), "-m", "flask", "--app", "run"]
    sh(*flask, "db", "upgrade")
    sh(*flask, "seed-demo")
    port = os.environ.get("PORT", "5000")
    helpers = []  # stopped with the server
    if os.environ.get("MEITUAN_SIMULATOR", "1") == "1":
        # the demo's Meituan vouchers are verified against this local simulator of the platform
        helpers.append(subprocess.Popen(
            [str(PY), "-m", "plugins.meituan_voucher.simulator", "--port", "5055"], cwd=ROOT))
        print("  Meituan simulator → http://127.0.0.1:5055/  (MEITUAN_SIMULATOR=0 to skip)", flush=True)
    if os.environ.get("WECOM_SIMULATOR", "1") == "1":
        # the wecom_guide demo's WeCom: contact-me QRs, "customer scans the QR" → our /wecom/callback
        helpers.append(subprocess.Popen(
            [str(PY), "-m", "plugins.wecom_guide.wecom.simulator", "--port", "5056",
             "--callback", f"http://127.0.0.1:{port}/wecom/callback"], cwd=ROOT))
        print("  WeCom simulator → http://127.0.0.1:5056/  (WECOM_SIMULATOR=0 to skip)", flush=True)
    # background jobs (coupon batches, exports, …) run in this worker, not in the web server
    helpers.append(subprocess.Popen([*flask, "worker"], cwd=ROOT))
    print("  Job worker started (stops with the server)", flush=True)
    print(f"\n  Retail Admin → http://127.0.0.1:{port}/login/  (admin / demo1234)\n", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the helpers with us
    try:
        subprocess.run([str(PY), "run.py"], cwd=ROOT)
    except KeyboardInterrupt:
        pass
    finally:
        for helper in helpers:
            helper.terminate()
        for helper in helpers:
            try:
                helper.wait(timeout=10)
            except subprocess.TimeoutExpired:
                helper.kill()


def test(args: list[str]) -> None:
    setup()
    result = subprocess.run([str(PY), "-m", "pytest", *args], cwd=ROOT)
    sys.exit(result.returncode)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "run":
        run()
    elif command == "test":
        test(sys.argv[2:])
    elif command == "setup":
        setup()
    else:
        sys.exit(__doc__)
