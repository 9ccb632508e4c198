"""Configuration defaults. Every setting can be overridden from the environment.

DATABASE_URL  SQLAlchemy URL (default: SQLite file under instance/)
REDIS_URL     optional; when set, jobs and rate-limit counters use Redis
SECRET_KEY    signing key; generated into instance/secret_key on first run if unset
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("RETAIL_INSTANCE_DIR", BASE_DIR / "instance"))


def _secret_key() -> str:
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.lower() in ("1", "true", "yes", "on")


APP_NAME = "Retail Admin"
SECRET_KEY = _secret_key()
SQLALCHEMY_DATABASE_URI = os.environ.get(
    "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'retail_admin.db'}"
)
SQLALCHEMY_TRACK_MODIFICATIONS = False
REDIS_URL = os.environ.get("REDIS_URL") or None
# PostgreSQL connection pool per worker process (threads of one worker share it)
DB_POOL_SIZE = int(os.environ.get("DB_POOL_SIZE", "10"))
DB_MAX_OVERFLOW = int(os.environ.get("DB_MAX_OVERFLOW", "20"))
# ping each connection before use (one more round trip per request) - off: see app/__init__.py
DB_POOL_PRE_PING = os.environ.get("DB_POOL_PRE_PING", "0") == "1"
DB_POOL_RECYCLE = int(os.environ.get("DB_POOL_RECYCLE", "1800"))

# Flask-AppBuilder
AUTH_TYPE = 1  # AUTH_DB
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"
FAB_SECURITY_MANAGER_CLASS = "app.security.RetailSecurityManager"
FAB_INDEX_VIEW = "app.system.views.HomeView"
FAB_ADD_SECURITY_API = True
FAB_API_SWAGGER_UI = True
FAB_CREATE_DB = False  # the schema comes from Alembic (`flask --app run db upgrade`)
FAB_UPDATE_PERMS = False  # permissions and roles are synced at `db upgrade`, not per worker
AUTH_RATE_LIMITED = _env_bool("AUTH_RATE_LIMITED", True)
# login attempts (HTML and API) per client address and, separately, per account
AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per 20 second")
RATELIMIT_ENABLED = True
# counters shared by every worker: Redis, else a SQLite file (see app/ratelimit.py)
RATELIMIT_STORAGE_URI = REDIS_URL or f"retail-sqlite://{INSTANCE_DIR.resolve() / 'ratelimit.db'}"
# X-Forwarded-For / X-Forwarded-Proto are trusted only from this many proxies in front of us
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Request limits: 413 before anything is parsed; JSON deeper than MAX_JSON_DEPTH is refused
MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024)))
MAX_JSON_CONTENT_LENGTH = int(os.environ.get("MAX_JSON_CONTENT_LENGTH", str(1024 * 1024)))
MAX_JSON_DEPTH = int(os.environ.get("MAX_JSON_DEPTH", "32"))

# Cookies: no session cookie on cross-site POSTs (the API also wants a CSRF token or a bearer token)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
# Role permissions are cached per worker for this many seconds (0 = no cache)
PERMISSION_CACHE_SECONDS = float(os.environ.get("PERMISSION_CACHE_SECONDS", "10"))
# An API caller (active flag, roles, store) and the configuration version (plugin toggles,
# settings) are re-read by each worker at most this often (0 = on every request)
CALLER_CACHE_SECONDS = float(os.environ.get("CALLER_CACHE_SECONDS", "5"))
JWT_ACCESS_TOKEN_EXPIRES = timedelta(hours=int(os.environ.get("JWT_HOURS", "12")))

# Languages: Chinese is the default, English the other one.
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {
    "zh": {"flag": "cn", "name": "中文"},
    "en": {"flag": "gb", "name": "English"},
}

# Background jobs (Huey): SQLite file by default, Redis when REDIS_URL is set.
HUEY_IMMEDIATE = _env_bool("HUEY_IMMEDIATE", False)
HUEY_SQLITE_PATH = str(INSTANCE_DIR / "jobs.db")

# Set RETAIL_TRACE_HOOKS=1 to log every plugin hook call (pluggy tracing).
RETAIL_TRACE_HOOKS = _env_bool("RETAIL_TRACE_HOOKS", False)
