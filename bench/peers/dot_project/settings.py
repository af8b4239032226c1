"""django-oauth-toolkit set up as a company would for Alexa (figure 8's second peer).

Refresh token rotation with a grace period (as ours), a plain (unhashed) client secret so
the peer is not slowed by PBKDF2 on every request, SQLite transactions that start with
BEGIN IMMEDIATE (Django 5.1+) and WAL, persistent connections on PostgreSQL. Database from
the environment: ``PEER_DATABASE_URL`` (``sqlite:///path`` or ``postgresql://...``) and
``PEER_DATABASE_SCHEMA`` on PostgreSQL.
"""
from __future__ import annotations

import os
from urllib.parse import urlparse

SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "oauth2_provider"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.peers.dot_project.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {"version": 1, "disable_existing_loggers": False}

_url = os.environ.get("PEER_DATABASE_URL", "sqlite:////tmp/dot-peer.sqlite")
if _url.startswith("sqlite:///"):
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": _url.removeprefix("sqlite:///"),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20,
                    "init_command": "PRAGMA journal_mode=WAL;"},
    }}
else:
    _parts = urlparse(_url)
    _schema = os.environ.get("PEER_DATABASE_SCHEMA")
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _parts.path.lstrip("/"),
        "HOST": _parts.hostname or "",
        "PORT": _parts.port or 5432,
        "USER": _parts.username or "",
        "PASSWORD": _parts.password or "",
        "CONN_MAX_AGE": 600,
        "OPTIONS": {"options": f"-c search_path={_schema}"} if _schema else {},
    }}

OAUTH2_PROVIDER = {
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 120,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 300,
    "PKCE_REQUIRED": False,
    "SCOPES": {"profile": "profile", "rides:read": "rides:read", "rides:write": "rides:write"},
}
