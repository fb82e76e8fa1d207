"""The store manifest ``.kgbuild/store.json``: what the current embedded store is and what it was built from.

A build writes it last, in one atomic step, when its store and output files
are in place (``kgbuild.workspace.versions.publish_store``); every reader
(query, export, load, serve, the contribution check) reads it through
``read_manifest``, which checks it field by field. A manifest that is not
JSON, lacks a field, has a field of the wrong type or was written in another
format is refused with a message naming the file and what is wrong with it;
the remedy is always the same: ``kgbuild build`` writes it again.
Imports nothing but stdlib.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from kgbuild.errors import StaleStoreError
from kgbuild.project import Project
from kgbuild.workspace.atomic import write_text_atomically


def manifest_path(project: Project) -> Path:
    return project.store_dir.with_name(project.store_dir.name + ".json")


@dataclass(frozen=True)
class BuildOutputs:
    """The graph files a build published together with its store."""

    #: the output directory, relative to the project root when inside it (a moved checkout still works), else absolute
    dir: str
    #: file name (``graph.nt``, ``graph.nq``, ``graph.ttl``) -> SHA-256 (hex) of the bytes the build wrote
    files: dict[str, str]


@dataclass(frozen=True)
class Manifest:
    """The content of ``.kgbuild/store.json`` (format ``FORMAT``)."""

    FORMAT: ClassVar[int] = 1

    #: directory name of the current store version, ``<store>-<12 hex digits>``, beside the manifest
    store: str
    #: project-relative path -> SHA-256 (hex) of every input file, taken when the build read them
    inputs: dict[str, str]
    #: the graph files the same build published; None when none were recorded (a store written without them)
    outputs: BuildOutputs | None = None
    #: project-relative path -> (size, modification time in ns) of every input, taken before ``inputs``:
    #: a file whose size and time are unchanged is not hashed again
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)

    def to_json(self) -> str:
        data: dict[str, object] = {"version": self.FORMAT, "store": self.store, "inputs": self.inputs}
        if self.outputs is not None:
            data["outputs"] = {"dir": self.outputs.dir, "files": self.outputs.files}
        if self.stats:
            data["stats"] = {name: list(stat) for name, stat in self.stats.items()}
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def is_version_name(project: Project, name: str) -> bool:
    """True for the name of a store version directory of this project (``store-<12 hex digits>``)."""
    return re.fullmatch(re.escape(project.store_dir.name) + r"-[0-9a-f]{12}", name) is not None


def read_manifest(project: Project) -> Manifest:
    """The project's store manifest, checked (StaleStoreError when there is none or it cannot be used)."""
    path = manifest_path(project)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StaleStoreError(f"no embedded store at {project.rel(project.store_dir)}: "
                              "run `kgbuild build` first") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _unusable(project, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    return parse_manifest(project, text)


def parse_manifest(project: Project, text: str) -> Manifest:
    """``text`` (the manifest file's content) as a Manifest, checked field by field (else StaleStoreError)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        where = f" at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise _unusable(project, f"is not JSON{where} ({reason})") from None
    if not isinstance(data, dict):
        raise _unusable(project, "is not a JSON object")
    if "version" not in data:
        raise _unusable(project, 'has no "version" field')
    if data["version"] != Manifest.FORMAT:
        raise _unusable(project, f"is in format {json.dumps(data['version'])}, written by another kgbuild "
                                 f"(this one reads format {Manifest.FORMAT})")
    store = data.get("store")
    if store is None:
        raise _unusable(project, 'has no "store" field (written by a kgbuild from before store versions)')
    if not isinstance(store, str) or not is_version_name(project, store):
        raise _unusable(project, f'its "store" is not the name of a store version: {json.dumps(store)}')
    if "inputs" not in data:
        raise _unusable(project, 'has no "inputs" field')
    inputs = _string_map(project, data["inputs"], "inputs")
    outputs = None
    if "outputs" in data:
        given = data["outputs"]
        if not isinstance(given, dict) or not isinstance(given.get("dir"), str):
            raise _unusable(project, 'its "outputs" is not an object with a "dir" string')
        outputs = BuildOutputs(dir=given["dir"], files=_string_map(project, given.get("files"), "outputs.files"))
    stats: dict[str, tuple[int, int]] = {}
    given_stats = data.get("stats", {})
    if not isinstance(given_stats, dict):
        raise _unusable(project, 'its "stats" is not an object')
    for name, stat in given_stats.items():
        if (not isinstance(stat, list) or len(stat) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in stat)):
            raise _unusable(project, f'its "stats" of {json.dumps(name)} is not [size, modification time]')
        stats[name] = (stat[0], stat[1])
    return Manifest(store=store, inputs=inputs, outputs=outputs, stats=stats)


def _string_map(project: Project, value: object, name: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _unusable(project, f'its "{name}" is not an object')
    for key, item in value.items():
        if not isinstance(item, str):
            raise _unusable(project, f'its "{name}" of {json.dumps(key)} is not a string')
    return dict(value)


def _unusable(project: Project, problem: str) -> StaleStoreError:
    return StaleStoreError(f"unusable store manifest {project.rel(manifest_path(project))}: it {problem}; "
                           "run `kgbuild build` to write it again")


def peek_manifest(project: Project) -> Manifest | None:
    """The manifest when there is a usable one, else None (for writers replacing it, and for noticing change)."""
    try:
        return read_manifest(project)
    except StaleStoreError:
        return None


def write_manifest(project: Project, manifest: Manifest) -> Path:
    """Replace the manifest in one atomic step (OSError when it cannot be written)."""
    path = manifest_path(project)
    write_text_atomically(path, manifest.to_json())
    return path
