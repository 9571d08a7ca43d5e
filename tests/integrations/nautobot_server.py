"""A throwaway Nautobot server for the integration tests (one per test session).

Nautobot (PyPI ``nautobot``) is installed into its own virtual environment,
``.venv-nautobot`` at the repository root (gitignored; kept between local runs so the
install is paid once), so its pins never meet mpokit's. The database is a throwaway
PostgreSQL cluster (:class:`mpokit.store.testing.PgCluster`), the cache and job queue a
``redis-server`` (Debian package) on a free loopback port. ``nautobot-server init``,
``migrate``, a superuser, an API token (``POST /api/users/tokens/`` with basic auth, as
Nautobot documents) and ``runserver`` on 127.0.0.1 follow.

Run as a script to start a server by hand: ``python tests/integrations/nautobot_server.py``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-nautobot"
SERVER = VENV / "bin" / "nautobot-server"
PASSWORD = "mpokit-test-only"  # a throwaway superuser of a loopback-only server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# The version the tests were written against (its CSV and REST behaviour is documented in
# docs/integrations.md); a new release is taken on deliberately, not by a fresh install.
NAUTOBOT_VERSION = "3.2.7"


def ensure_venv(log: Path) -> str | None:
    """Install Nautobot into ``.venv-nautobot`` if needed; None when ready, else why not."""
    if SERVER.is_file():
        return None
    with log.open("ab") as fh:
        try:
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True,
                           stdout=fh, stderr=fh)
            subprocess.run([str(VENV / "bin" / "pip"), "install", "-q",
                            f"nautobot=={NAUTOBOT_VERSION}"], check=True,
                           stdout=fh, stderr=fh, timeout=1800)
        except (OSError, subprocess.SubprocessError) as exc:
            shutil.rmtree(VENV, ignore_errors=True)
            return f"installing nautobot into {VENV} failed ({exc}); see {log}"
    return None


def _db_cache() -> Path | None:
    """Where a migrated database of the installed Nautobot version is kept (in the
    gitignored venv: migrating takes minutes, restoring seconds)."""
    found = sorted(VENV.glob("lib/python*/site-packages/nautobot-*.dist-info"))
    if not found:
        return None
    return VENV / f"migrated-{found[-1].name.removesuffix('.dist-info')}.dump"


@dataclass
class NautobotServer:
    """A running Nautobot: ``url`` and an API ``token``; :meth:`stop` ends everything."""

    root: Path
    url: str = ""
    token: str = ""
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    pg: object | None = None

    def env(self) -> dict[str, str]:
        return {**os.environ, "NAUTOBOT_ROOT": str(self.root),
                "NAUTOBOT_CONFIG": str(self.root / "nautobot_config.py")}

    def stop(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        self.procs.clear()
        if self.pg is not None:
            self.pg.stop()  # type: ignore[attr-defined]
            self.pg = None
        shutil.rmtree(self.root, ignore_errors=True)


def start(log: Path) -> NautobotServer:
    """Start PostgreSQL, Redis and Nautobot; return the running server.

    Raises ``RuntimeError`` (with the log's path) when a step fails.
    """
    from mpokit.store.testing import PgCluster, pg_bindir

    bindir = pg_bindir()
    redis = shutil.which("redis-server")
    if bindir is None or redis is None:
        raise RuntimeError("needs Debian packages postgresql and redis-server (.ci/run "
                           "installs them)")
    srv = NautobotServer(Path(tempfile.mkdtemp(prefix="mpokit-nautobot-")))
    fh = log.open("ab")
    try:
        srv.pg = pg = PgCluster(bindir)
        db_url = pg.new_database()
        db_name = db_url.rsplit("/", 1)[1]
        rport = _free_port()
        srv.procs.append(subprocess.Popen(
            [redis, "--port", str(rport), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(srv.root)], stdout=fh, stderr=fh))
        hport = _free_port()
        env = srv.env() | {
            "NAUTOBOT_DB_ENGINE": "django.db.backends.postgresql",
            "NAUTOBOT_DB_HOST": "127.0.0.1", "NAUTOBOT_DB_PORT": str(pg.port),
            "NAUTOBOT_DB_USER": "mpokit", "NAUTOBOT_DB_PASSWORD": "",
            "NAUTOBOT_DB_NAME": db_name,
            "NAUTOBOT_REDIS_HOST": "127.0.0.1", "NAUTOBOT_REDIS_PORT": str(rport),
            "NAUTOBOT_ALLOWED_HOSTS": "127.0.0.1 localhost",
            "NAUTOBOT_SECRET_KEY": "mpokit-throwaway-" + "x" * 40,
            "NAUTOBOT_DEBUG": "False",
            "NAUTOBOT_INSTALLATION_METRICS_ENABLED": "False",
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        }

        def run(*args: str, timeout: float = 5400) -> None:
            t0 = time.monotonic()
            fh.write(f"$ nautobot-server {' '.join(args)}\n".encode())
            fh.flush()
            subprocess.run([str(SERVER), *args], env=env, check=True, stdout=fh, stderr=fh,
                           timeout=timeout)
            fh.write(f"  ({time.monotonic() - t0:.0f} s)\n".encode())
            fh.flush()

        run("init", "--disable-installation-metrics", str(srv.root / "nautobot_config.py"))
        cache = _db_cache()
        if cache is not None and cache.is_file():  # a migrated database of this version
            subprocess.run([str(bindir / "pg_restore"), "--no-owner", "-d", db_url,
                            str(cache)], check=True, stdout=fh, stderr=fh)
            run("migrate", "--no-input")  # a no-op check that the schema is complete
        else:
            run("migrate", "--no-input")
            if cache is not None:
                tmp = cache.with_suffix(".part")
                subprocess.run([str(bindir / "pg_dump"), "-Fc", "-f", str(tmp), db_url],
                               check=True, stdout=fh, stderr=fh)
                tmp.replace(cache)
        run("createsuperuser", "--no-input", "--username", "admin",
            "--email", "admin@example.invalid")
        srv.procs.append(subprocess.Popen(
            [str(SERVER), "runserver", "--noreload", "--insecure", f"127.0.0.1:{hport}"],
            env=env, stdout=fh, stderr=fh))
        srv.url = f"http://127.0.0.1:{hport}"
        deadline = time.monotonic() + 300
        while True:
            try:
                r = httpx.post(f"{srv.url}/api/users/tokens/", auth=("admin", PASSWORD),
                               json={"description": "mpokit tests"},
                               headers={"Accept": "application/json"}, timeout=30)
                if r.status_code == 201:
                    srv.token = r.json()["key"]
                    break
                fh.write(f"token: HTTP {r.status_code} {r.text[:300]}\n".encode())
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or srv.procs[-1].poll() is not None:
                raise RuntimeError(f"nautobot did not come up; see {log}")
            time.sleep(2)
    except BaseException:
        srv.stop()
        raise
    finally:
        fh.close()
    return srv


if __name__ == "__main__":  # pragma: no cover - manual use
    import signal

    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(0))  # stop() runs on kill too
    log = Path(tempfile.gettempdir()) / "mpokit-nautobot.log"
    why = ensure_venv(log)
    if why:
        sys.exit(why)
    t0 = time.monotonic()
    s = start(log)
    print(f"{s.url} token {s.token} ({time.monotonic() - t0:.0f} s); Ctrl-C stops", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        s.stop()
