"""WSGI entry point for gunicorn: ``bench.peers.dot_project.wsgi:application``."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peers.dot_project.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
