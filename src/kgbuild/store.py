"""The embedded store: an on-disk Oxigraph store that ``kgbuild build`` writes and ``kgbuild query`` reads.

It lives outside dist/ (a database directory is not byte-reproducible).
Beside it, a manifest records the SHA-256 of every input file at build time;
the store is only opened when the inputs still match, so a stale store is
reported, never silently used. The manifest also records the graph files the
same build published (their directory and SHA-256), so ``kgbuild export`` and
``kgbuild load`` can check that what they ship is what was validated.
Imports nothing but pyoxigraph and stdlib.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

from kgbuild.errors import OutputError, StaleStoreError
from kgbuild.project import Project

MANIFEST_VERSION = 1


def manifest_path(project: Project) -> Path:
    return project.store_dir.with_name(project.store_dir.name + ".json")


def fingerprint(project: Project) -> dict[str, str]:
    """project-relative path -> sha256 of every input file."""
    return {project.rel(path): _sha256(path) for path in project.input_files()}


def file_stats(project: Project) -> dict[str, list[int]]:
    """project-relative path -> [size, mtime in ns] of every input file (take it *before* the fingerprint)."""
    found = {}
    for path in project.input_files():
        info = path.stat()
        found[project.rel(path)] = [info.st_size, info.st_mtime_ns]
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _current_fingerprint(project: Project, recorded: dict, stats: object) -> dict[str, str]:
    """The inputs' fingerprint, re-hashing only files whose size or modification time changed since the
    build (as git does): at millions of triples hashing every file took longer than the query."""
    known = stats if isinstance(stats, dict) else {}
    current = {}
    for path in project.input_files():
        name = project.rel(path)
        info = path.stat()
        if name in recorded and known.get(name) == [info.st_size, info.st_mtime_ns]:
            current[name] = recorded[name]
        else:
            current[name] = _sha256(path)
    return current


def write_store(
    project: Project,
    ntriples: bytes,
    *,
    inputs: dict[str, str] | None = None,
    outputs: dict[str, object] | None = None,
    stats: dict[str, list[int]] | None = None,
) -> Path:
    """Replace the store with one holding ``ntriples`` in its default graph; write the manifest.

    ``inputs`` is the fingerprint of the files the graph was read from, taken
    when they were read (so an edit during the build makes the store stale).
    ``outputs`` (``{"dir": path, "files": {name: sha256}}``, the path relative
    to the project root when inside it) names the
    graph files published by the same build; ``stats`` (from ``file_stats``,
    taken before ``inputs``) lets later checks skip re-hashing unchanged files.
    """
    import pyoxigraph

    target = project.store_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        store = pyoxigraph.Store(str(staging))
        store.bulk_load(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.flush()
        del store
        old = target.with_name(f".{target.name}.{uuid.uuid4().hex}.old")
        manifest = manifest_path(project)
        manifest.unlink(missing_ok=True)  # no manifest = not usable while the swap happens
        if target.exists():
            os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
        data: dict[str, object] = {
            "version": MANIFEST_VERSION,
            "inputs": inputs if inputs is not None else fingerprint(project),
        }
        if outputs is not None:
            data["outputs"] = outputs
        if stats is not None:
            data["stats"] = stats
        tmp = manifest.with_name(manifest.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, manifest)
    except OSError as exc:
        raise OutputError(f"cannot write the embedded store {project.rel(target)}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _fresh_manifest(project: Project) -> dict:
    """The store's manifest, after checking it matches the current inputs (else StaleStoreError)."""
    manifest = manifest_path(project)
    if not project.store_dir.is_dir() or not manifest.is_file():
        raise StaleStoreError(f"no embedded store at {project.rel(project.store_dir)}: run `kgbuild build` first")
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        recorded = data["inputs"]
        if not isinstance(recorded, dict):
            raise TypeError("inputs is not an object")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StaleStoreError(f"unreadable store manifest {project.rel(manifest)}: run `kgbuild build`") from exc
    current = _current_fingerprint(project, recorded, data.get("stats"))
    changed = sorted(
        [f"{name} (changed)" for name in current if name in recorded and recorded[name] != current[name]]
        + [f"{name} (new)" for name in current if name not in recorded]
        + [f"{name} (removed)" for name in recorded if name not in current]
    )
    if changed:
        raise StaleStoreError(
            "the embedded store is older than the data — " + ", ".join(changed) + "; run `kgbuild build`"
        )
    return data


def open_store(project: Project):
    """The store, read-only, after checking it matches the current inputs (else StaleStoreError)."""
    _fresh_manifest(project)
    import pyoxigraph

    return pyoxigraph.Store.read_only(str(project.store_dir))


def built_file(project: Project, name: str) -> Path:
    """The graph file ``name`` (e.g. ``graph.nt``) of the last conforming build, checked.

    Checks that the inputs have not changed since that build and that the
    file still has the bytes the build wrote (else StaleStoreError).
    """
    data = _fresh_manifest(project)
    outputs = data.get("outputs")
    files = outputs.get("files") if isinstance(outputs, dict) else None
    if not isinstance(files, dict) or not isinstance(outputs.get("dir"), str):
        raise StaleStoreError("the embedded store was written by an older kgbuild: run `kgbuild build`")
    expected = files.get(name)
    if not isinstance(expected, str):
        raise StaleStoreError(f"the last build did not publish {name}: run `kgbuild build`")
    directory = Path(outputs["dir"])
    path = (directory if directory.is_absolute() else project.root / directory) / name
    shown = project.rel(path)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        raise StaleStoreError(f"{shown} is missing (removed since the build): run `kgbuild build`") from None
    except OSError as exc:
        raise StaleStoreError(f"cannot read {shown}: {exc.strerror}") from None
    if digest.hexdigest() != expected:
        raise StaleStoreError(f"{shown} was changed since the build wrote it: run `kgbuild build`")
    return path
