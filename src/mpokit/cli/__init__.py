"""The ``mpokit`` command line: a thin adapter over the library.

Each stage adds its commands in its own module (``check``, ``qc`` ...), registered on
the app of :mod:`mpokit.cli._app` when imported here. Every command makes one library
call and formats the result.

Exit codes (documented in the README):

* 0 every check passed
* 1 usage or input error (the message names the file, line and field)
* 2 a check failed

Results go to stdout, diagnostics (errors, warnings) and progress to stderr.
Ctrl-C, SIGTERM and SIGHUP stop a command with exit 1 and leave no partial output.
"""

from mpokit.cli import accept as _accept  # noqa: F401
from mpokit.cli import check as _check  # noqa: F401
from mpokit.cli import demo as _demo  # noqa: F401
from mpokit.cli import export as _export  # noqa: F401
from mpokit.cli import inspect as _inspect  # noqa: F401
from mpokit.cli import loss as _loss  # noqa: F401
from mpokit.cli import plan as _plan  # noqa: F401
from mpokit.cli import push as _push  # noqa: F401
from mpokit.cli import qc as _qc  # noqa: F401
from mpokit.cli import routes as _routes  # noqa: F401
from mpokit.cli import serve as _serve  # noqa: F401
from mpokit.cli import store as _store  # noqa: F401
from mpokit.cli._app import (
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_OK,
    app,
    fail_input,
    main,
    print_error,
)

__all__ = [
    "EXIT_FAILED", "EXIT_INPUT", "EXIT_OK", "app", "fail_input", "main", "print_error",
]
