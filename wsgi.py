"""WSGI entry point: ``gunicorn wsgi:app``. The configuration comes from the environment."""

from app import create_app

app = create_app()
