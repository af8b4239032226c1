"""django-oauth-toolkit on 127.0.0.1 for linkcheck's tests: Django's own login view, DOT's
own authorization page ("Cancel" / "Authorize" buttons) and token endpoint, SQLite.

Django is configured once per process (`ensure_django`); each test picks DOT settings with
Django's `override_settings` (DOT reloads them on `setting_changed`) and registers its own
application (`register_application`). The WSGI app runs in a werkzeug server thread.
"""
from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

USERNAME = "rider"
PASSWORD = "correct horse battery"
CLIENT_SECRET = "dot-client-secret-0b7e"
VENDOR_ID = "M2DJANGOOAUTHTOOLKIT"
ALEXA_REDIRECTS = [f"https://pitangui.amazon.com/api/skill/link/{VENDOR_ID}",
                   f"https://layla.amazon.com/api/skill/link/{VENDOR_ID}",
                   f"https://alexa.amazon.co.jp/api/skill/link/{VENDOR_ID}"]
LOGIN_TEMPLATE = """<!doctype html><html><head><meta name="viewport" content="width=device-width">
</head><body><h1>Sign in</h1>
{% if form.errors %}<p class="errornote">Your username and password didn't match.</p>{% endif %}
<form method="post">{% csrf_token %}
<input type="text" name="username" autocapitalize="off" autocorrect="off">
<input type="password" name="password">
<input type="hidden" name="next" value="{{ next }}">
<button type="submit">Sign in</button></form></body></html>"""

_ready = False
urlpatterns: list[Any] = []


def ensure_django() -> None:
    """Configure Django (once per process), create the tables and the test user."""
    global _ready
    if _ready:
        return
    import django
    from django.conf import settings

    db = Path(tempfile.mkdtemp(prefix="linkcheck-dot-")) / "dot.sqlite3"
    settings.configure(
        DEBUG=False, SECRET_KEY="linkcheck-tests-only", ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__, USE_TZ=True, LOGIN_URL="/accounts/login/",
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(db)}},
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes",
                        "django.contrib.sessions", "oauth2_provider"],
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware",
                    "django.middleware.csrf.CsrfViewMiddleware",
                    "django.contrib.auth.middleware.AuthenticationMiddleware",
                    "django.middleware.clickjacking.XFrameOptionsMiddleware"],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                    "OPTIONS": {"loaders": [
                        ("django.template.loaders.locmem.Loader",
                         {"registration/login.html": LOGIN_TEMPLATE}),
                        "django.template.loaders.app_directories.Loader"],
                        "context_processors": ["django.template.context_processors.request"]}}],
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],  # fast, tests only
        OAUTH2_PROVIDER={},
    )
    django.setup()
    from django.contrib.auth import views as auth_views
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.urls import include, path

    urlpatterns[:] = [path("accounts/login/", auth_views.LoginView.as_view()),
                      path("o/", include("oauth2_provider.urls", namespace="oauth2_provider"))]
    call_command("migrate", verbosity=0, interactive=False)
    User.objects.create_user(USERNAME, password=PASSWORD)
    _ready = True


def register_application(client_id: str, redirect_uris: list[str]) -> None:
    """A confidential authorization-code client (DOT hashes the secret on save)."""
    from oauth2_provider.models import Application

    Application.objects.create(
        client_id=client_id, client_secret=CLIENT_SECRET, name="Ride Hailer for Alexa",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris), algorithm="")


class DjangoServer:
    """Django's WSGI application served by werkzeug on 127.0.0.1 in a thread."""

    def __init__(self) -> None:
        from django.core.wsgi import get_wsgi_application

        self.httpd = make_server("127.0.0.1", 0, get_wsgi_application(), threaded=True)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "DjangoServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.thread.join(timeout=10)
