"""kgbuild: build, validate and publish an RDF knowledge graph from a project directory.

Public API (imported lazily, so ``import kgbuild`` stays cheap)::

    load_project(directory=None) -> Project
    build(project, *, out=None) -> BuildResult
    validate(project) -> Report
    stats(project) -> Stats
    Report, Finding
"""

from __future__ import annotations

import importlib
from typing import Any

from kgbuild.errors import (
    ConfigError,
    InputError,
    InputErrors,
    KgbuildError,
    OutputError,
    ProjectNotFoundError,
    QueryError,
)

__version__ = "0.1.0"

_LAZY = {
    "load_project": "kgbuild.project",
    "Project": "kgbuild.project",
    "build": "kgbuild.builder",
    "BuildResult": "kgbuild.builder",
    "validate": "kgbuild.checks",
    "validate_data": "kgbuild.checks",
    "stats": "kgbuild.graphstats",
    "Stats": "kgbuild.graphstats",
    "Report": "kgbuild.findings",
    "Finding": "kgbuild.findings",
}

__all__ = [
    "__version__",
    "ConfigError",
    "InputError",
    "InputErrors",
    "KgbuildError",
    "OutputError",
    "ProjectNotFoundError",
    "QueryError",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kgbuild' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
