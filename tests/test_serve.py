"""`kgbuild serve`: the real Oxigraph server on the built graph, started and stopped as a user would."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import free_port, run_cli
from rowcompare import normalised

from kgbuild.project import load_project
from kgbuild.queries.catalogue import load_catalogue
from kgbuild.queries.querying import run_query


def start(project: Path, port: int) -> tuple[subprocess.Popen, list[str]]:
    """`kgbuild serve` as its own process; returns it and the stdout lines up to the endpoint line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kgbuild", "serve", "--port", str(port), "--project", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    lines: list[str] = []
    arrived: queue.Queue = queue.Queue()

    def read() -> None:
        for raw in process.stdout:
            arrived.put(raw.decode("utf-8").rstrip("\n"))
        arrived.put(None)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            line = arrived.get(timeout=0.2)
        except queue.Empty:
            continue
        if line is None:
            break
        lines.append(line)
        if line.startswith("endpoint:"):
            return process, lines
    process.kill()
    process.wait()
    raise AssertionError(f"kgbuild serve did not come up: {lines} {process.stderr.read().decode()}")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(word) for word in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is not "in use"
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def snapshots(project: Path) -> list[str]:
    return sorted(path.name for path in (project / ".kgbuild").iterdir() if ".serve-" in path.name)


@pytest.mark.parametrize("stop_with", [signal.SIGINT, signal.SIGTERM])
def test_serves_a_stored_query_and_stops_cleanly(built_project, stop_with):
    port = free_port()
    process, lines = start(built_project, port)
    try:
        servers = children(process.pid)
        assert len(servers) == 1 and alive(servers[0])
        url = f"http://127.0.0.1:{port}"
        assert f"query page: {url}/" in lines
        assert any(line.startswith(f"endpoint:   {url}/query") for line in lines)
        assert lines[0].startswith("kgbuild: serving ") and "(read-only)" in lines[0]
        assert len(snapshots(built_project)) == 1

        result = run_cli("query", "cq01-release-timeline", "--project", str(built_project),
                         "--endpoint", f"{url}/query", "--format", "csv")
        assert result.exit_code == 0, result.stderr
        project = load_project(built_project)
        query_text = load_catalogue(project).get("cq01-release-timeline").text
        remote = run_query(project, "cq01-release-timeline", endpoint=f"{url}/query")
        assert normalised(remote, query_text) == normalised(run_query(project, "cq01-release-timeline"), query_text)

        process.send_signal(stop_with)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "kgbuild: server stopped" in process.stderr.read().decode()
    assert not any(alive(pid) for pid in servers), "the Oxigraph server outlived kgbuild serve"
    assert port_free(port)
    assert snapshots(built_project) == []
    assert run_query(load_project(built_project), "cq08-totals").rows  # the embedded store is intact, unlocked


def test_the_server_is_read_only(built_project):
    import urllib.error
    import urllib.request

    port = free_port()
    process, _ = start(built_project, port)
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/update", data=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            headers={"Content-Type": "application/sparql-update"}, method="POST",
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with pytest.raises(urllib.error.HTTPError):
            opener.open(request, timeout=10)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)


def test_port_in_use_is_exit_2(built_project):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--project", str(built_project), "--port", str(port))
    assert result.exit_code == 2
    assert f"kgbuild: error: port {port} on 127.0.0.1 is in use: choose another with --port" in result.stderr
    assert snapshots(built_project) == []


def test_stale_store_is_exit_2(built_project, tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(built_project, copy)
    with (copy / "data" / "releases.ttl").open("a", encoding="utf-8") as stream:
        stream.write("\n# edited\n")
    result = run_cli("serve", "--project", str(copy), "--port", str(free_port()))
    assert result.exit_code == 2
    assert "older than the data — data/releases.ttl (changed); run `kgbuild build`" in result.stderr


def test_missing_server_executable_is_a_clear_error(built_project, monkeypatch):
    import kgbuild.serve as module

    monkeypatch.setattr(module.sys, "executable", "/nonexistent/python")
    monkeypatch.setenv("PATH", os.defpath if "oxigraph" not in os.defpath else "")
    monkeypatch.setattr(module.shutil, "which", lambda name: None)
    result = run_cli("serve", "--project", str(built_project), "--port", str(free_port()))
    assert result.exit_code == 2
    assert "the Oxigraph server is not installed: python3 -m pip install oxigraph" in result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux-only")
def test_the_server_dies_with_a_killed_kgbuild(built_project):
    port = free_port()
    process, _ = start(built_project, port)
    servers = children(process.pid)
    assert len(servers) == 1
    process.kill()  # SIGKILL: kgbuild cannot clean up
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in servers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in servers), "the Oxigraph server outlived a killed kgbuild serve"
    for leftover in (built_project / ".kgbuild").glob(".store.serve-*"):
        shutil.rmtree(leftover)  # the one thing a SIGKILL leaves behind
