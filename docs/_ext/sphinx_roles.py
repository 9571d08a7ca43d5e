"""Griffe extension for the docs site: Sphinx roles in docstrings shown as code.

The docstrings use ``:func:`name``` (and ``:class:``, ``:meth:`` ...), which read well in
``help()``; Markdown has no roles, so the site shows them as ``name`` in code.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension

_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|attr|data|mod|exc|obj):`~?([^`]+)`")


class SphinxRoles(Extension):
    """Rewrite ``:role:`target``` to a code span of the target (without ``~``)."""

    def on_instance(self, *, obj: Any, **kwargs: Any) -> None:
        doc = getattr(obj, "docstring", None)
        if doc is not None and ":" in doc.value:
            doc.value = _ROLE.sub(lambda m: f"`{m.group(1)}`", doc.value)
