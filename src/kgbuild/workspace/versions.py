"""The embedded store: an on-disk Oxigraph store that ``kgbuild build`` writes and ``kgbuild query`` reads.

It lives outside dist/ (a database directory is not byte-reproducible).
Beside it, a manifest records the SHA-256 of every input file at build time;
the store is only opened when the inputs still match, so a stale store is
reported, never silently used. The manifest also records the graph files the
same build published (their directory and SHA-256), so ``kgbuild export`` and
``kgbuild load`` can check that what they ship is what was validated.

Readers never see a build half-done: each build writes a new version
``<store>-<id>`` beside the current one, and the manifest, replaced in one
atomic step, names the version it describes. Readers read the manifest once
and open the version it names; the previous version is kept until the next
build (a store already open keeps working even after its directory is gone).
Writers hold the workspace lock (``kgbuild.workspace.lock``); the manifest's
fields and how it is read and checked are ``kgbuild.workspace.manifest``'s.
Imports nothing but pyoxigraph and stdlib.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from kgbuild.errors import OutputError, StaleStoreError
from kgbuild.project import Project
from kgbuild.workspace.manifest import (
    BuildOutputs,
    Manifest,
    is_version_name,
    manifest_path,
    peek_manifest,
    read_manifest,
    write_manifest,
)

if TYPE_CHECKING:
    import pyoxigraph


def fingerprint(project: Project) -> dict[str, str]:
    """project-relative path -> sha256 of every input file."""
    return {project.rel(path): _sha256(path) for path in project.input_files()}


def file_stats(project: Project) -> dict[str, tuple[int, int]]:
    """project-relative path -> (size, mtime in ns) of every input file (take it *before* the fingerprint)."""
    found = {}
    for path in project.input_files():
        info = path.stat()
        found[project.rel(path)] = (info.st_size, info.st_mtime_ns)
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _current_fingerprint(project: Project, recorded: dict[str, str],
                         known: dict[str, tuple[int, int]]) -> dict[str, str]:
    """The inputs' fingerprint, re-hashing only files whose size or modification time changed since the
    build (as git does): at millions of triples hashing every file took longer than the query."""
    current = {}
    for path in project.input_files():
        name = project.rel(path)
        info = path.stat()
        if name in recorded and known.get(name) == (info.st_size, info.st_mtime_ns):
            current[name] = recorded[name]
        else:
            current[name] = _sha256(path)
    return current


def write_store(
    project: Project,
    ntriples: bytes,
    *,
    inputs: dict[str, str] | None = None,
    outputs: BuildOutputs | None = None,
    stats: dict[str, tuple[int, int]] | None = None,
) -> Path:
    """Replace the store with one holding ``ntriples`` in its default graph; write the manifest.

    ``inputs`` is the fingerprint of the files the graph was read from, taken
    when they were read (so an edit during the build makes the store stale).
    ``outputs`` names the graph files published by the same build; ``stats`` (from ``file_stats``,
    taken before ``inputs``) lets later checks skip re-hashing unchanged files.
    The caller holds the build lock (``kgbuild.workspace.lock.BuildLock``).
    """
    version = stage_store(project, ntriples)
    try:
        return publish_store(project, version, inputs=inputs, outputs=outputs, stats=stats)
    except BaseException:
        discard_version(project, version)
        raise


def discard_version(project: Project, version: Path) -> None:
    """Remove a staged store version that did not become current (a build failed after staging it)."""
    if _previous_version(project) != version.name:
        shutil.rmtree(version, ignore_errors=True)


def stage_store(project: Project, ntriples: bytes) -> Path:
    """A new store version holding ``ntriples``, beside the current one and not yet used by anyone.

    Versions are directories ``<store>-<12 hex digits>``; the manifest names
    the current one, so a reader that read the manifest opens the store it
    describes, whatever a build does meanwhile. Make it current with
    ``publish_store`` (or remove it).
    """
    import pyoxigraph

    target = project.store_dir
    version = target.with_name(f"{target.name}-{uuid.uuid4().hex[:12]}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        store = pyoxigraph.Store(str(version))
        store.bulk_load(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.flush()
        del store
    except OSError as exc:
        shutil.rmtree(version, ignore_errors=True)
        raise OutputError(f"cannot write the embedded store {project.rel(version)}: {exc}") from exc
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    return version


def publish_store(
    project: Project,
    version: Path,
    *,
    inputs: dict[str, str] | None = None,
    outputs: BuildOutputs | None = None,
    stats: dict[str, tuple[int, int]] | None = None,
) -> Path:
    """Make the staged ``version`` the current store: one atomic replacement of the manifest naming it.

    Store and manifest change together: a reader sees the old pair or the new
    one, never a missing store. Then versions older than the previous one are
    removed (the previous one stays: a reader may have just read the old
    manifest; one that has a store open keeps reading it even once removed).
    """
    previous = _previous_version(project)
    manifest = Manifest(store=version.name, inputs=inputs if inputs is not None else fingerprint(project),
                        outputs=outputs, stats=stats or {})
    try:
        write_manifest(project, manifest)
    except OSError as exc:
        raise OutputError(f"cannot write the store manifest {project.rel(manifest_path(project))}: {exc}") from exc
    keep = {version.name}
    target = project.store_dir
    if target.is_dir() and not target.is_symlink():  # a store written before versions: retire it
        retired = target.with_name(f"{target.name}-{uuid.uuid4().hex[:12]}")
        try:
            os.rename(target, retired)
            previous = retired.name
        except OSError:
            previous = None
    if previous is not None:
        keep.add(previous)
    _remove_versions(project, keep=keep)
    return version


def _previous_version(project: Project) -> str | None:
    """The name of the version the manifest names now (before a new one is published)."""
    manifest = peek_manifest(project)
    return None if manifest is None else manifest.store


def _remove_versions(project: Project, *, keep: set[str]) -> None:
    """Remove store versions not in ``keep`` (old ones, and those a failed build left)."""
    try:
        entries = list(project.store_dir.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        if is_version_name(project, entry.name) and entry.name not in keep and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def store_location(project: Project, manifest: Manifest) -> Path:
    """The store directory a manifest describes."""
    return project.store_dir.with_name(manifest.store)


def _fresh_manifest(project: Project) -> Manifest:
    """The store's manifest, after checking it matches the current inputs (else StaleStoreError)."""
    manifest = read_manifest(project)
    recorded = manifest.inputs
    current = _current_fingerprint(project, recorded, manifest.stats)
    changed = sorted(
        [f"{name} (changed)" for name in current if name in recorded and recorded[name] != current[name]]
        + [f"{name} (new)" for name in current if name not in recorded]
        + [f"{name} (removed)" for name in recorded if name not in current]
    )
    if changed:
        raise StaleStoreError(
            "the embedded store is older than the data — " + ", ".join(changed) + "; run `kgbuild build`"
        )
    return manifest


def open_store(project: Project):
    """The store, read-only, after checking it matches the current inputs (else StaleStoreError)."""
    return open_built(project)[0]


def open_built(project: Project) -> tuple[pyoxigraph.Store, Manifest]:
    """``(store, manifest)``: the current store, read-only, and the manifest that describes it.

    Checks that the store matches the current inputs (else StaleStoreError).
    A build may make another version current meanwhile: a store that is
    gone by the time it is opened is looked up again in the new manifest.
    A store already open stays readable while builds replace it.
    """
    import pyoxigraph

    tried: set[Path] = set()
    problem = "unreadable"
    while True:
        data = _fresh_manifest(project)
        location = store_location(project, data)
        if location in tried or len(tried) >= 10:
            break
        tried.add(location)
        if not location.is_dir():
            continue
        try:
            return pyoxigraph.Store.read_only(str(location)), data
        except (OSError, RuntimeError) as exc:
            problem = str(exc)
            continue
    if not location.is_dir():
        raise StaleStoreError(f"no embedded store at {project.rel(project.store_dir)}: run `kgbuild build` first")
    raise StaleStoreError(f"cannot open the embedded store {project.rel(location)}: {problem}; run `kgbuild build`")


def built_file(project: Project, name: str) -> Path:
    """The graph file ``name`` (e.g. ``graph.nt``) of the last conforming build, checked.

    Checks that the inputs have not changed since that build and that the
    file still has the bytes the build wrote (else StaleStoreError). A build
    replaces the output directory just before it makes its store current: a
    file that does not match while one is doing so is checked again against
    the new manifest.
    """
    import time

    from kgbuild.workspace.lock import build_running

    patience = None
    while True:
        data = _fresh_manifest(project)
        try:
            return _checked_file(project, data, name)
        except StaleStoreError:
            if peek_manifest(project) != data:
                continue  # a build made another store current meanwhile: check against it
            if not build_running(project):
                raise
            patience = patience if patience is not None else time.monotonic() + 10.0
            if time.monotonic() > patience:
                raise
            time.sleep(0.05)  # its new manifest is due (the output directory is written just before it)


def _checked_file(project: Project, manifest: Manifest, name: str) -> Path:
    outputs = manifest.outputs
    if outputs is None:
        raise StaleStoreError("the embedded store was written by an older kgbuild: run `kgbuild build`")
    expected = outputs.files.get(name)
    if expected is None:
        raise StaleStoreError(f"the last build did not publish {name}: run `kgbuild build`")
    directory = Path(outputs.dir)
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
