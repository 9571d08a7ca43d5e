"""The web app and HTTP API (``mpokit serve``): FastAPI routes over the library.

Every route is a thin adapter: one library call, its result as JSON under ``/api/v1`` and
as a server-rendered page under ``/``. :func:`mpokit.web.app.create_app` builds the app; see
``docs/web.md``. Needs the ``web`` and ``store`` extras (``pip install 'mpokit[web,store]'``).
"""

from __future__ import annotations

__all__: list[str] = []
