"""A throwaway PostgreSQL server for the tests: initdb and pg_ctl in a temporary folder, on a
unix socket only (no TCP port), stopped and removed afterwards.

PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (runuser); the
folder is opened to that user. Nothing of the machine's own clusters is touched.
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile

PORT = 5439  # only names the socket file inside our own folder


def bin_dir() -> str | None:
    """Where initdb and pg_ctl are: $IVIG_PG_BIN, else the newest /usr/lib/postgresql/*/bin, else PATH."""
    if os.environ.get("IVIG_PG_BIN"):
        d = os.environ["IVIG_PG_BIN"]
        return d if os.path.exists(os.path.join(d, "pg_ctl")) else None
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    pg_ctl = shutil.which("pg_ctl")
    return os.path.dirname(pg_ctl) if pg_ctl else None


class PgServer:
    def __init__(self, fsync: bool = False):
        self.fsync = fsync  # off for the tests (speed); on for the benchmarks (a real server's cost)
        self.bin = bin_dir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (no pg_ctl; `make sysdeps` installs it)")
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no 'postgres' user to run the server") from None
        self.dir = tempfile.mkdtemp(prefix="ivig-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "sock")
        os.mkdir(self.sock)
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            os.chown(self.sock, pw.pw_uid, pw.pw_gid)
        self.user = "postgres" if self.as_root else pwd.getpwuid(os.geteuid()).pw_name
        self._names = itertools.count(1)
        self.running = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [os.path.join(self.bin, args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120, cwd=self.dir)

    def init(self) -> None:
        try:
            self._run("initdb", "-D", self.data, "-A", "trust", "-U", self.user, "-E", "UTF8", "--no-locale",
                      "--no-sync")
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"initdb failed: {exc.stderr.strip()[-500:]}") from None
        self.start()

    def start(self) -> None:
        sync = "" if self.fsync else "-c fsync=off -c full_page_writes=off "
        opts = (f"-k {self.sock} -p {PORT} -c listen_addresses='' {sync}-c max_connections=60 -c shared_buffers=16MB")
        r = self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-o", opts, "-w", "-t", "60",
                      "start", check=False)
        if r.returncode != 0:
            log = open(os.path.join(self.dir, "log")).read()[-800:] if os.path.exists(os.path.join(self.dir, "log")) \
                else ""
            raise RuntimeError(f"pg_ctl start failed: {r.stderr.strip()[-400:]} {log}")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)
        self.running = False

    def url(self, dbname: str = "postgres", user: str | None = None) -> str:
        return f"postgresql:///{dbname}?host={self.sock}&port={PORT}&user={user or self.user}"

    def admin(self, sql: str, dbname: str = "postgres", args=()):
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as c:
            cur = c.execute(sql, args)
            return cur.fetchall() if cur.description else None

    def new_database(self, init: bool = True) -> str:
        """A fresh database (schema made by `unit init`'s code when init); its URL."""
        name = f"unit_{os.getpid()}_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name}")
        url = self.url(name)
        if init:
            from titration.store.pg_store import init_schema

            init_schema(url)
        return url

    def close(self) -> None:
        if self.running:
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
