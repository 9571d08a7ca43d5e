"""``mpokit serve`` (the web app) and ``mpokit token create|list|revoke`` (its API tokens).

    mpokit serve [--host 127.0.0.1] [--port 8000] [--store URL] [--data-dir DIR]
                 [--max-upload-mb 4] [--max-plan-nodes 20000] [--open-reads] [--no-example]
    mpokit token create NAME [--store URL]
    mpokit token list [--store URL] [--json]
    mpokit token revoke ID_OR_NAME [--store URL]

The web app needs the ``web`` extra (``pip install 'mpokit[web]'``); it is imported only
when these commands run. See ``docs/web.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mpokit.cli._app import app, fail_input
from mpokit.errors import InputError, MpokitError

__all__ = ["serve", "token_app"]

token_app = typer.Typer(name="token", help="API tokens of the web app (stored hashed).",
                        no_args_is_help=True)
app.add_typer(token_app)

StoreOption = Annotated[str | None, typer.Option(
    "--store", "--db", metavar="URL", help="Database URL (sqlite:///FILE.db, "
    "postgresql://USER@HOST/DB) or a file path. Default: $MPOKIT_DB or the user's data "
    "folder (the CLI's store).")]


def _need_web() -> None:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise fail_input(InputError(f"the web app needs {exc.name}",
                                    fix="pip install 'mpokit[web]'")) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind; other than loopback exposes the "
                                      "app to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=0, max=65535)] = 8000,
    store: StoreOption = None,
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Folder for plans made in the app. Default: the user's data "
        "folder.")] = None,
    max_upload_mb: Annotated[float, typer.Option(
        "--max-upload-mb", help="Largest upload accepted (MiB).", min=0.001)] = 4.0,
    open_reads: Annotated[bool, typer.Option(
        "--open-reads", help="Let clients on other hosts read without a token.")] = False,
    max_plan_nodes: Annotated[int, typer.Option(
        "--max-plan-nodes", help="Largest cluster (compute nodes) planned from an upload.",
        min=1)] = 20_000,
    example: Annotated[bool, typer.Option(
        "--example/--no-example", help="Plan the bundled example cluster at first start.")
    ] = True,
) -> None:
    """Start the web app and its JSON API (Ctrl-C stops it)."""
    _need_web()
    import uvicorn

    from mpokit.web.app import create_app
    from mpokit.web.deps import Settings

    try:
        settings = Settings(store_url=store, data_dir=data_dir, host=host, port=port,
                            max_upload_bytes=int(max_upload_mb * 1024 * 1024),
                            open_reads=open_reads, plan_example=example,
                            max_plan_nodes=max_plan_nodes)
        application = create_app(settings)
        from mpokit.store import open_store

        open_store(settings.resolved_store_url).close()  # a bad URL fails here, not later
    except MpokitError as exc:
        raise fail_input(exc) from None
    typer.echo(f"mpokit web app on http://{host}:{port}/  (store {settings.resolved_store_url};"
               f" Ctrl-C stops)", err=True)
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    except OSError as exc:
        raise fail_input(InputError(f"cannot listen on {host}:{port}: {exc.strerror}",
                                    field="--port", fix="pick a free port")) from None


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Who or what uses the token (a label).")],
    store: StoreOption = None,
) -> None:
    """Create an API token and print it once (the store keeps only its hash)."""
    from mpokit.store import open_store
    from mpokit.store.tokens import create_token

    try:
        with open_store(store) as s:
            text, info = create_token(s, name)
    except MpokitError as exc:
        raise fail_input(exc) from None
    typer.echo(text)
    typer.echo(f"token {info.id} ({info.name}) created; it is shown only now: keep it safe",
               err=True)


@token_app.command("list")
def token_list(
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """List the tokens: id, name, prefix, created, revoked."""
    from mpokit.store import open_store
    from mpokit.store.tokens import list_tokens

    try:
        with open_store(store) as s:
            rows = list_tokens(s)
    except MpokitError as exc:
        raise fail_input(exc) from None
    if as_json:
        typer.echo(json.dumps([{"id": r.id, "name": r.name, "prefix": r.prefix,
                                "created_at": r.created_at.isoformat(),
                                "revoked_at": r.revoked_at.isoformat() if r.revoked_at
                                else None} for r in rows], indent=2))
        return
    if not rows:
        typer.echo("no tokens (mpokit token create NAME)", err=True)
    for r in rows:
        state = f"revoked {r.revoked_at:%Y-%m-%d %H:%M}" if r.revoked_at else "active"
        typer.echo(f"{r.id:>4}  {r.name:<20}  {r.prefix}...  created "
                   f"{r.created_at:%Y-%m-%d %H:%M}  {state}")


@token_app.command("revoke")
def token_revoke(
    ident: Annotated[str, typer.Argument(metavar="ID_OR_NAME", help="The token's id or name.")],
    store: StoreOption = None,
) -> None:
    """Revoke a token: requests carrying it are refused from now on."""
    from mpokit.store import open_store
    from mpokit.store.tokens import revoke_token

    try:
        with open_store(store) as s:
            info = revoke_token(s, ident)
    except MpokitError as exc:
        raise fail_input(exc) from None
    typer.echo(f"token {info.id} ({info.name}) revoked", err=True)


