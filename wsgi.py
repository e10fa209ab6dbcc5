"""Entry point for gunicorn: `gunicorn wsgi:app`."""

from reuse import create_app

app = create_app()
