"""WSGI entry point: `gunicorn wsgi:app`."""
from chatbot import create_app

app = create_app()
