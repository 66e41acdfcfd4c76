"""Reference REST backend for Cloud Tour Treasure Hunt (FastAPI + SQLAlchemy + Alembic).

Build the ASGI app with ``server.app.create_app(settings)``; nothing happens at import.
"""

__version__ = "0.1.0"
