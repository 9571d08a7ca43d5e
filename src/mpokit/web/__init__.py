"""The web app and HTTP API (FastAPI): see docs/web.md."""
