"""kgbuild: build, validate and publish an RDF knowledge graph from a project directory.

Public API (imported lazily, so ``import kgbuild`` stays cheap)::

    load_project(directory=None) -> Project
    build(project, *, out=None) -> BuildResult
    validate(project) -> Report
    stats(project) -> Stats
    Report, Finding
    load_catalogue(project) -> Catalogue          # the stored queries (queries/*.rq)
    check_catalogue(project) -> tuple[Finding, ...]
    run_query(project, ref, *, params={}, engine="oxigraph", endpoint=None, timeout=30.0,
              allow_service=False) -> Rows
    render(rows, fmt, *, prefixes=None) -> str    # table, csv, tsv, json, md
    Rows, Term, Catalogue, StoredQuery, Param       # Term: pyoxigraph's NamedNode | BlankNode | Literal
"""

from __future__ import annotations

import importlib
from typing import Any

from kgbuild.errors import (
    ConfigError,
    EndpointError,
    InputError,
    InputErrors,
    KgbuildError,
    OutputError,
    ParameterError,
    ProjectNotFoundError,
    QueryError,
    ServiceRefusedError,
    StaleStoreError,
    UnknownQueryError,
)

__version__ = "0.1.0"

_LAZY = {
    "load_project": "kgbuild.project",
    "Project": "kgbuild.project",
    "build": "kgbuild.builder",
    "BuildResult": "kgbuild.builder",
    "validate": "kgbuild.checks.build",
    "validate_data": "kgbuild.checks.build",
    "stats": "kgbuild.graphstats",
    "Stats": "kgbuild.graphstats",
    "Report": "kgbuild.findings",
    "Finding": "kgbuild.findings",
    "run_query": "kgbuild.queries.querying",
    "load_catalogue": "kgbuild.queries.catalogue",
    "check_catalogue": "kgbuild.queries.catalogue",
    "Catalogue": "kgbuild.queries.catalogue",
    "StoredQuery": "kgbuild.queries.catalogue",
    "Param": "kgbuild.queries.catalogue",
    "render": "kgbuild.queries.render",
    "Rows": "kgbuild.queries.results",
    "Term": "kgbuild.queries.results",
}

__all__ = [
    "__version__",
    "ConfigError",
    "EndpointError",
    "InputError",
    "InputErrors",
    "KgbuildError",
    "OutputError",
    "ParameterError",
    "ProjectNotFoundError",
    "QueryError",
    "ServiceRefusedError",
    "StaleStoreError",
    "UnknownQueryError",
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
