"""A PostgreSQL server of the drill's own: ``initdb`` and ``pg_ctl`` in a temporary directory on
a free port, so the machine's server is never touched.

``initdb`` refuses to run as root: as root the cluster belongs to the ``postgres`` OS user (its
commands run through ``runuser``); as anyone else it belongs to that user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.smtp import free_port


def _binaries() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if not found:
        raise SystemExit("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin.")
    return Path(found[-1]).parent


class Cluster:
    def __init__(self) -> None:
        self.bin = _binaries()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="pe-drill-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run(  # noqa: S603 - fixed binaries, arguments from this class
            [*prefix, *command], capture_output=True, text=True, check=check, timeout=120
        )

    def _pg(self, name: str) -> str:
        return str(self.bin / name)

    def initdb(self) -> None:
        self._run(
            self._pg("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._run(
            self._pg("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "start",
        )
        self.wait()

    def stop(self) -> None:
        self._run(self._pg("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def wait(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def createdb(self, name: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

    def _client(self, name: str) -> list[str]:
        return [self._pg(name), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]

    def dump(self, database: str, path: Path) -> None:
        target = self.root / path.name
        self._run(*self._client("pg_dump"), "-Fc", "-f", str(target), database)
        shutil.copy(target, path)

    def restore(self, path: Path, database: str) -> None:
        target = self.root / path.name
        if not target.exists():
            shutil.copy(path, target)
            if self.as_root:
                shutil.chown(target, "postgres", "postgres")
        self.createdb(database)
        self._run(*self._client("pg_restore"), "-d", database, "--exit-on-error", str(target))

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
