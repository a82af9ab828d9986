"""Virtuoso Open Source administration for the tests and benchmarks (not part of the package): a private server
and its bulk loader.

Everything Virtuoso-specific lives here; the store itself (evrdf/store/remote.py) only speaks the standard protocols.
The server started by ``VirtuosoServer`` listens on 127.0.0.1 only, keeps its database in a directory the caller
owns, and gets a random ``dba`` password before its HTTP port is used (the Debian default is dba/dba).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from evrdf.errors import StoreError

BINARY = "virtuoso-t"
ISQL = ("isql-vt", "isql")
VSP = Path("/var/lib/virtuoso-opensource-7/vsp")

INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort              = 127.0.0.1:{port}
ServerThreads           = 10
CheckpointInterval      = 60
NumberOfBuffers         = {buffers}
MaxDirtyBuffers         = {dirty}
DirsAllowed             = ., {dir}, {load_dir}
MaxQueryMem             = 1G
SchedulerInterval       = 10

[HTTPServer]
ServerPort            = 127.0.0.1:{http_port}
ServerRoot            = {vsp}
ServerThreads         = 10
MaxClientConnections  = 10
KeepAliveTimeout      = 10
EnabledDavVSP         = 0
HTTPProxyEnabled      = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryExecutionTime      = 120
MaxQueryCostEstimationTime = 0
DefaultGraph               =
"""


def find_binary() -> str | None:
    return shutil.which(BINARY)


def find_isql() -> str | None:
    return next((path for name in ISQL if (path := shutil.which(name))), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class VirtuosoServer:
    """A throwaway Virtuoso: ``start()`` writes virtuoso.ini into ``directory``, runs it, waits, sets a password."""

    directory: Path
    port: int = field(default_factory=_free_port)
    http_port: int = field(default_factory=_free_port)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    buffers: int = 85000  # ~680 MB of page cache: enough for a few million triples
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def load_dir(self) -> Path:
        """The directory Virtuoso's bulk loader may read (DirsAllowed)."""
        return self.directory / "load"

    def start(self, timeout_s: float = 60.0) -> "VirtuosoServer":
        binary = find_binary()
        if binary is None:
            raise StoreError(f"{BINARY} not found (install the Debian package virtuoso-opensource)")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.load_dir.mkdir(exist_ok=True)
        ini = self.directory / "virtuoso.ini"
        ini.write_text(INI.format(dir=self.directory, port=self.port, http_port=self.http_port, vsp=VSP,
                                  load_dir=self.load_dir, buffers=self.buffers, dirty=self.buffers * 3 // 4),
                       encoding="utf-8")
        log = open(self.directory / "stdout.log", "wb")
        self.process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=self.directory,
                                        stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self._wait_sql(timeout_s)
        # The Debian default dba/dba must never be usable, even on loopback, for longer than the start-up.
        self.isql(f"USER_CHANGE_PASSWORD('dba', 'dba', '{self.password}');", password="dba")
        self._wait_http(timeout_s)
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.isql("shutdown;", timeout_s=30)
            except StoreError:
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def isql(self, sql: str, password: str | None = None, timeout_s: float = 600.0) -> str:
        """Run SQL through isql on the SQL port; raises StoreError with Virtuoso's message on failure."""
        return isql(self.port, "dba", password or self.password, sql, timeout_s)

    def _wait_sql(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                self.isql("status();", password="dba", timeout_s=10)
                return
            except (OSError, StoreError):
                time.sleep(0.3)
        raise StoreError(f"Virtuoso did not accept SQL connections within {timeout_s:.0f} s; "
                         f"see {self.directory / 'virtuoso.log'}")

    def _wait_http(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        probe = f"{self.url}/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise StoreError(f"Virtuoso's SPARQL endpoint did not answer within {timeout_s:.0f} s")

    def _check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            log = self.directory / "virtuoso.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise StoreError(f"Virtuoso exited with status {self.process.returncode}: {tail}")


def isql(port: int, user: str, password: str, sql: str, timeout_s: float = 600.0) -> str:
    tool = find_isql()
    if tool is None:
        raise StoreError("isql-vt not found (install the Debian package virtuoso-opensource)")
    try:
        done = subprocess.run([tool, f"127.0.0.1:{port}", user, password, "VERBOSE=OFF", "BANNER=OFF",
                               "PROMPT=OFF", "ERRORS=STDOUT", f"exec={sql}"],
                              capture_output=True, timeout=timeout_s, env=dict(os.environ, LANG="C"))
    except subprocess.TimeoutExpired:
        raise StoreError(f"isql did not finish within {timeout_s:.0f} s: {sql[:200]}") from None
    out = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
    if done.returncode != 0 or "*** Error" in out:
        raise StoreError(f"Virtuoso refused {sql[:200]!r}: {out.strip()[:1000]}")
    return out


def bulk_load(server_port: int, password: str, directory: Path, pattern: str, graph: str,
              timeout_s: float = 3600.0) -> None:
    """Virtuoso's bulk loader (ld_dir + rdf_loader_run + checkpoint) for files the server can read.

    ``directory`` must be listed in the server's DirsAllowed; every file matching ``pattern`` goes into ``graph``.
    Errors per file are recorded by Virtuoso in DB.DBA.LOAD_LIST.ll_error and raised here.
    """
    sql = (f"ld_dir('{directory}', '{pattern}', '{graph}'); rdf_loader_run(); checkpoint; "
           f"SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL "
           f"AND ll_file LIKE '{directory}/%';")
    out = isql(server_port, "dba", password, sql, timeout_s)
    failed = [line for line in out.splitlines() if str(directory) in line]
    if failed:
        raise StoreError(f"Virtuoso's bulk loader failed: {' '.join(failed)[:1000]}")
