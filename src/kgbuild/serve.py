"""A local SPARQL server with a query page, on the built graph: the Oxigraph server.

``serve`` snapshots the embedded store (a hard-linked Oxigraph backup in a
hidden directory beside it, so a rebuild while serving changes nothing
under the server), starts ``oxigraph serve-read-only`` on it bound to
loopback, waits until it answers, reports its URLs, and waits. However it
ends — Ctrl-C, SIGTERM turned into KeyboardInterrupt by the caller, the
server dying — the server process is stopped and waited for, and the
snapshot is removed: no orphan process, no leftover directory or lock. On
Linux the server is also told to stop if kgbuild itself is killed outright
(SIGKILL); only the snapshot directory is then left behind.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kgbuild.errors import KgbuildError
from kgbuild.project import Project

DEFAULT_PORT = 7878
STARTUP_SECONDS = 20.0
STOP_SECONDS = 5.0


class ServerError(KgbuildError):
    """The local server cannot be started (not installed, port taken, failed to start)."""


@dataclass(frozen=True)
class ServerInfo:
    host: str
    port: int
    pid: int
    triples: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def page_url(self) -> str:
        """The query page (YASGUI) the server shows in a browser."""
        return self.base_url + "/"

    @property
    def query_url(self) -> str:
        """The SPARQL endpoint, for ``kgbuild query --endpoint``."""
        return self.base_url + "/query"


def oxigraph_command() -> str:
    """The ``oxigraph`` server executable: beside this Python first (a virtualenv), then on PATH."""
    beside = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServerError("the Oxigraph server is not installed: python3 -m pip install oxigraph")
    return found


def serve(
    project: Project,
    *,
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    on_ready: Callable[[ServerInfo], None] | None = None,
) -> int:
    """Serve the built graph until interrupted; returns the server's exit status (0 after Ctrl-C).

    Raises StaleStoreError without a current build, ServerError when the
    server cannot start (port in use, executable missing, early exit).
    ``on_ready`` is called once the server answers.
    """
    from kgbuild.store import open_store

    command = oxigraph_command()
    _check_port_free(host, port)
    store = open_store(project)
    triples = len(store)
    snapshot = project.store_dir.with_name(f".{project.store_dir.name}.serve-{uuid.uuid4().hex}")
    process: subprocess.Popen | None = None
    log = tempfile.TemporaryFile()  # the server's messages: a pipe nobody reads could fill and block it
    try:
        try:
            store.backup(str(snapshot))
        except (OSError, RuntimeError) as exc:  # RuntimeError: its files gone (removed two builds later)
            raise ServerError(f"cannot snapshot the store into {project.rel(snapshot)}: {exc}") from None
        del store
        process = subprocess.Popen(
            [command, "serve-read-only", "--location", str(snapshot), "--bind", f"{host}:{port}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        _wait_until_answering(process, host, port, log)
        if on_ready is not None:
            on_ready(ServerInfo(host=host, port=port, pid=process.pid, triples=triples))
        try:
            return process.wait()
        except KeyboardInterrupt:
            return 0
    finally:
        if process is not None:
            _stop(process)
        log.close()
        shutil.rmtree(snapshot, ignore_errors=True)


def _die_with_parent() -> None:
    """In the server's process, before it starts (Linux): be sent SIGTERM when kgbuild dies, even by
    SIGKILL, which kgbuild cannot catch to stop the server itself."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # best effort: without it, only an uncatchable kill of kgbuild leaves the server running


def _check_port_free(host: str, port: int) -> None:
    if not 0 < port < 65536:
        raise ServerError(f"--port must be between 1 and 65535, not {port}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is not "in use"
        try:
            probe.bind((host, port))
        except OSError:
            raise ServerError(f"port {port} on {host} is in use: choose another with --port") from None


def _wait_until_answering(process: subprocess.Popen, host: str, port: int, log) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            detail = log.read().decode("utf-8", "replace").strip()
            last = detail.splitlines()[-1] if detail else f"exit status {process.returncode}"
            raise ServerError(f"the Oxigraph server stopped while starting: {last}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise ServerError(f"the Oxigraph server did not answer on {host}:{port} within {STARTUP_SECONDS:g} s")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL, each with a grace period; always reaped.

    (Not SIGINT: a server started from a background job inherits SIGINT ignored.)
    """
    for send in (process.terminate, process.kill):
        if process.poll() is not None:
            break
        try:
            send()
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:  # a second Ctrl-C: stop waiting politely
            continue
    if process.poll() is None:
        process.kill()
        process.wait()
