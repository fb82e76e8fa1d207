"""The files and directories kept beside the embedded store, other than its versions, manifest and lock.

- ``store.names.json``: agents' names, for the contribution check's duplicate rule (written by the build);
- ``store.query-syntax.json``: what the SPARQL parsers said of each stored query's text (a cache);
- ``.store.<purpose>-<random>``: private working directories (a writable copy of the store for the
  contribution check, the snapshot ``kgbuild serve`` serves), removed by whoever made them.

Sidecar files are JSON, read leniently (a missing or unreadable one is None:
they are indexes and caches, rebuilt when missing) and written atomically.
Imports nothing but stdlib.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from kgbuild.project import Project
from kgbuild.workspace.atomic import write_text_atomically

NAME_INDEX = "names.json"
QUERY_SYNTAX = "query-syntax.json"
_SIDECARS = (NAME_INDEX, QUERY_SYNTAX)


def sidecar_path(project: Project, kind: str) -> Path:
    """The path of the sidecar ``kind`` (``NAME_INDEX`` or ``QUERY_SYNTAX``)."""
    if kind not in _SIDECARS:
        raise ValueError(f"unknown sidecar {kind!r}; one of {', '.join(_SIDECARS)}")
    return project.store_dir.with_name(f"{project.store_dir.name}.{kind}")


def read_sidecar(project: Project, kind: str) -> object:
    """The sidecar's JSON content; None when it is missing, unreadable or not JSON."""
    try:
        return json.loads(sidecar_path(project, kind).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_sidecar(project: Project, kind: str, text: str) -> Path:
    """Replace the sidecar with ``text`` atomically, creating the workspace directory if needed (OSError)."""
    path = sidecar_path(project, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, text)
    return path


def scratch_path(project: Project, purpose: str) -> Path:
    """A fresh, unused path for a private working directory beside the store (not created here).

    Its name starts with a dot, so nothing that lists the store's versions
    takes it for one; the caller removes it when done.
    """
    return project.store_dir.with_name(f".{project.store_dir.name}.{purpose}-{uuid.uuid4().hex}")
