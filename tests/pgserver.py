"""A throwaway PostgreSQL server for the tests: initdb and pg_ctl in a temporary folder, stopped
and removed afterwards. It listens on a unix socket in that folder and on TCP localhost (a port
free at start), so the fault tests can put a proxy between a workstation and the server.

PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (runuser); the
folder is opened to that user. Nothing of the machine's own clusters is touched.
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

PORT = 5439  # only names the socket file inside our own folder
WS_LOGIN = "ivig_ws_test"  # a workstation's own login (a member of ivig_workstation), as the README says


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        self.tcp_port = free_port()

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
        opts = (f"-k {self.sock} -p {self.tcp_port} -c listen_addresses='127.0.0.1' {sync}-c max_connections=80 "
                "-c shared_buffers=16MB")
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
        return f"postgresql:///{dbname}?host={self.sock}&port={self.tcp_port}&user={user or self.user}"

    def tcp_url(self, dbname: str, user: str | None = None, port: int | None = None) -> str:
        """Over TCP on localhost (through a proxy when `port` is the proxy's)."""
        return f"postgresql://127.0.0.1:{port or self.tcp_port}/{dbname}?user={user or self.user}"

    def workstation_login(self) -> str:
        """A login that is a member of ivig_workstation only (made once; the role is the cluster's)."""
        self.admin(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{WS_LOGIN}') THEN "
                   f"CREATE ROLE {WS_LOGIN} LOGIN IN ROLE ivig_workstation; END IF; END $$")
        return WS_LOGIN

    def dump(self, dbname: str, path: str) -> None:
        """pg_dump of one database (custom format), as a nightly backup would be."""
        r = self._run("pg_dump", "-h", self.sock, "-p", str(self.tcp_port), "-U", self.user, "-Fc", "-f", path,
                      dbname, check=False)
        if r.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {r.stderr.strip()[-400:]}")

    def restore(self, dbname: str, path: str) -> None:
        """The database dropped and made again from a dump (everything after the dump is gone)."""
        self.admin(f"DROP DATABASE {dbname} WITH (FORCE)")
        self.admin(f"CREATE DATABASE {dbname}")
        r = self._run("pg_restore", "--single-transaction", "-h", self.sock, "-p", str(self.tcp_port), "-U", self.user,
                      "-d", dbname, path,
                      check=False)
        if r.returncode != 0:
            raise RuntimeError(f"pg_restore failed: {r.stderr.strip()[-400:]}")

    def admin(self, sql: str, dbname: str = "postgres", args=()):
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as c:
            cur = c.execute(sql, args)
            return cur.fetchall() if cur.description else None

    def new_database(self, init: bool = True) -> str:
        """A fresh database (schema made by `unit init`'s code when init); its URL."""
        name = self.new_name()
        self.admin(f"CREATE DATABASE {name}")
        url = self.url(name)
        if init:
            from titration.store.pg_store import init_schema

            init_schema(url)
        return url

    def new_name(self) -> str:
        return f"unit_{os.getpid()}_{next(self._names)}"

    def close(self) -> None:
        if self.running:
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
