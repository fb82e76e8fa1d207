"""Finding a kgbuild project and reading its configuration (kgbuild.toml)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from kgbuild.errors import ConfigError, KgbuildError, ProjectNotFoundError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_NAME = "kgbuild.toml"

_PATH_DEFAULTS = {
    "ontology": "ontology",
    "shapes": "shapes",
    "data": "data",
    "queries": "queries",
    "dist": "dist",
    "store": ".kgbuild/store",
}
_SOURCES_DEFAULT = "data/sources"  # [paths] sources: the folder(s) of archived source texts
_CHECK_KEYS = ("quotes", "facts-per-source", "names", "stated-facts", "max-contribution-triples")
_BUILD_KEYS = ("sample-query",)
_CATALOGUE_KEYS = ("questions",)
_STORE_KEYS = ("endpoint", "graph", "update-endpoint", "graph-store")
_TABLES = {
    "paths": (*_PATH_DEFAULTS, "sources"),
    "checks": _CHECK_KEYS,
    "build": _BUILD_KEYS,
    "catalogue": _CATALOGUE_KEYS,
    "store": _STORE_KEYS,
}


@dataclass(frozen=True)
class RemoteStore:
    """``[store]`` of kgbuild.toml: the SPARQL 1.1 store a project keeps its graph in.

    ``kgbuild query``, ``validate`` and ``load`` talk to it when no ``--endpoint`` is given (see kgbuild.selection).
    """

    endpoint: str  # the query URL
    graph: str | None = None  # the named graph holding the project's graph; None: the default graph
    update_endpoint: str | None = None  # for kgbuild load; None: derived from the query URL
    graph_store: str | None = None  # for kgbuild load; None: derived from the query URL


_STORE_EXAMPLES = {
    "endpoint": '"http://127.0.0.1:7878/query"',
    "graph": '"https://example.org/graph"',
    "update-endpoint": '"http://127.0.0.1:7878/update"',
    "graph-store": '"http://127.0.0.1:7878/store"',
}


@dataclass(frozen=True)
class Project:
    """A kgbuild project: its root directory and the configured locations.

    Directory layout: ``ontology`` and ``shapes`` hold ``*.ttl`` files
    (top level only); ``data`` holds ``*.ttl`` files at any depth.
    """

    root: Path
    namespace: str
    ontology_dir: Path
    shapes_dir: Path
    data_dir: Path
    queries_dir: Path
    dist_dir: Path
    store_dir: Path  # the embedded Oxigraph store written by build (not part of dist)
    quotes_query: Path | None
    facts_per_source_query: Path | None
    sample_query: Path | None
    questions_file: Path | None = None  # markdown table whose first column lists question ids
    names_query: Path | None = None  # SELECT ?entity ?name: names compared by the contribution check
    # the folders of archived source texts ([paths] sources, resolved); a quote's text file is read only
    # when it resolves inside one of them
    sources_dirs: tuple[Path, ...] = ()
    max_contribution_triples: int | None = None  # a bigger contribution is refused (None: the default limit)
    # SELECT ?node ?quote ?path ?value ?text: each stated fact with the texts of its value (word-overlap check)
    stated_facts_query: Path | None = None
    remote: RemoteStore | None = None  # [store]: None when kgbuild.toml names no endpoint

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_NAME

    def ontology_files(self) -> tuple[Path, ...]:
        return _ttl_files(self.ontology_dir, recursive=False)

    def shapes_files(self) -> tuple[Path, ...]:
        return _ttl_files(self.shapes_dir, recursive=False)

    def data_files(self) -> tuple[Path, ...]:
        return _ttl_files(self.data_dir, recursive=True)

    def query_files(self) -> tuple[Path, ...]:
        """Every stored query: ``*.rq`` at any depth below the queries directory."""
        if not self.queries_dir.is_dir():
            return ()
        files = [p for p in self.queries_dir.glob("**/*.rq") if p.is_file()]
        return tuple(sorted(files, key=lambda p: p.relative_to(self.queries_dir).as_posix()))

    def input_files(self) -> tuple[Path, ...]:
        """The files a built graph depends on: kgbuild.toml, ontology and data."""
        return (self.config_file, *self.ontology_files(), *self.data_files())

    def rel(self, path: Path) -> str:
        """``path`` relative to the project root (POSIX form) when inside it."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def _ttl_files(directory: Path, *, recursive: bool) -> tuple[Path, ...]:
    pattern = "**/*.ttl" if recursive else "*.ttl"
    files = [p for p in directory.glob(pattern) if p.is_file()]
    return tuple(sorted(files, key=lambda p: p.relative_to(directory).as_posix()))


def find_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` that holds kgbuild.toml."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / CONFIG_NAME).is_file():
            return directory
    raise ProjectNotFoundError(
        f"no {CONFIG_NAME} in {start} or any parent directory; "
        "run inside a kgbuild project or pass --project DIR"
    )


def load_project(directory: Path | str | None = None) -> Project:
    """Load the project rooted at ``directory``.

    With ``directory=None`` the current directory is used, else the nearest
    parent holding kgbuild.toml. An explicit directory must itself hold
    kgbuild.toml. Raises ``ProjectNotFoundError`` or ``ConfigError``.
    """
    if directory is None:
        root = find_root(Path.cwd())
    else:
        root = Path(directory)
        if not root.is_dir():
            raise ProjectNotFoundError(f"project directory not found: {root}")
        root = root.resolve()
        if not (root / CONFIG_NAME).is_file():
            raise ProjectNotFoundError(f"not a kgbuild project (no {CONFIG_NAME}): {root}")
    return _read_config(root)


def _read_config(root: Path) -> Project:
    config_path = root / CONFIG_NAME
    try:
        text = config_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {CONFIG_NAME}: {exc}", file=CONFIG_NAME) from exc
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_position(str(exc))
        raise ConfigError(f"invalid TOML: {exc}", file=CONFIG_NAME, line=line, column=column) from exc
    reader = _ConfigReader(root, text, config)
    return reader.project()


def _toml_position(message: str) -> tuple[int | None, int | None]:
    match = re.search(r"line (\d+), column (\d+)", message)
    if match is None:
        return None, None
    return int(match.group(1)), int(match.group(2))


class _ConfigReader:
    """Checks the parsed TOML and turns it into a Project."""

    def __init__(self, root: Path, text: str, config: dict) -> None:
        self.root = root
        self.text = text
        self.config = config

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, file=CONFIG_NAME, line=self._line_of(key))

    def _line_of(self, key: str) -> int | None:
        """The line of ``key`` (``name`` at the top level or a table ``[name]``; ``table.name`` inside its table),
        looked for only where it can be: a key of one table is never found in another."""
        table, _, bare = key.rpartition(".")
        headers = [(m.group(1), m.start()) for m in re.finditer(r'^\s*\[\s*"?([^\]"]+?)"?\s*\]', self.text, re.M)]
        ends = [start for _, start in headers[1:]] + [len(self.text)]
        if not table:
            for (name, start), _end in zip(headers, ends):
                if name == bare:
                    return self._line(start)
            spans = [(0, headers[0][1] if headers else len(self.text))]
        else:
            spans = [(start, end) for (name, start), end in zip(headers, ends) if name == table]
        pattern = re.compile(rf'^\s*"?{re.escape(bare)}"?\s*=', re.M)
        for start, end in spans:
            match = pattern.search(self.text, start, end)
            if match is not None:
                return self._line(match.start())
        return self._line(spans[0][0]) if table and spans else None

    def _line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def project(self) -> Project:
        config = self.config
        for key in config:
            if key != "namespace" and key not in _TABLES:
                raise self.error(key, f"unknown key {key!r} (known: namespace, {', '.join(_TABLES)})")
        for table, keys in _TABLES.items():
            value = config.get(table, {})
            if not isinstance(value, dict):
                raise self.error(table, f"[{table}] must be a table")
            for key in value:
                if key not in keys:
                    raise self.error(
                        f"{table}.{key}",
                        f"unknown key {table}.{key} (known: {', '.join(keys)})",
                    )
        namespace = config.get("namespace")
        if not isinstance(namespace, str) or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+[/#]$", namespace):
            raise self.error(
                "namespace",
                "namespace must be an absolute IRI ending in '/' or '#', "
                'e.g. namespace = "https://example.org/kg/"',
            )
        paths = {key: self._path("paths", key, default) for key, default in _PATH_DEFAULTS.items()}
        for key in ("ontology", "shapes", "data"):
            if not paths[key].is_dir():
                raise self.error(f"paths.{key}", f"paths.{key}: directory not found: {self._show(paths[key])}")
        return Project(
            root=self.root,
            namespace=namespace,
            ontology_dir=paths["ontology"],
            shapes_dir=paths["shapes"],
            data_dir=paths["data"],
            queries_dir=paths["queries"],
            dist_dir=paths["dist"],
            store_dir=paths["store"],
            quotes_query=self._optional_file("checks", "quotes"),
            facts_per_source_query=self._optional_file("checks", "facts-per-source"),
            sample_query=self._optional_file("build", "sample-query"),
            questions_file=self._optional_file("catalogue", "questions"),
            names_query=self._optional_file("checks", "names"),
            sources_dirs=self._sources(),
            max_contribution_triples=self._optional_count("checks", "max-contribution-triples"),
            stated_facts_query=self._optional_file("checks", "stated-facts"),
            remote=self._remote_store(),
        )

    def _remote_store(self) -> RemoteStore | None:
        """``[store]``: the URLs checked as ``--endpoint`` is (http(s), no credentials), the graph as ``--graph``."""
        table = self.config.get("store", {})
        if not table:
            return None
        values: dict[str, str] = {}
        for key in _STORE_KEYS:
            if key not in table:
                continue
            value = table[key]
            example = _STORE_EXAMPLES[key]
            if not isinstance(value, str) or not value.strip():
                raise self.error(f"store.{key}", f"store.{key} must be a non-empty string, e.g. {key} = {example}")
            values[key] = value
        if "endpoint" not in values:
            given = ", ".join(f"store.{key}" for key in values)
            first = next(iter(values))
            raise self.error(f"store.{first}", f"{given} without store.endpoint: name the store's query URL, "
                             f"e.g. endpoint = {_STORE_EXAMPLES['endpoint']}")
        from kgbuild.backends.client import check_url
        from kgbuild.load import check_graph_iri  # imported here: only a project with [store] needs them

        for key, value in values.items():
            try:
                if key == "graph":
                    check_graph_iri(value)
                else:
                    check_url(value)
            except KgbuildError as exc:
                problem = exc.message
            else:
                continue
            raise self.error(f"store.{key}", f"store.{key}: {problem}")
        return RemoteStore(endpoint=values["endpoint"], graph=values.get("graph"),
                           update_endpoint=values.get("update-endpoint"), graph_store=values.get("graph-store"))

    def _sources(self) -> tuple[Path, ...]:
        """``[paths] sources``: one folder or a list of folders (default data/sources); need not exist."""
        value = self.config.get("paths", {}).get("sources", _SOURCES_DEFAULT)
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
            raise self.error("paths.sources", "paths.sources must be a non-empty string path or a list of them")
        resolved = []
        for v in values:
            try:
                resolved.append((self.root / v).resolve())
            except (RuntimeError, OSError) as exc:  # a loop of symbolic links (RuntimeError before Python 3.13)
                raise self.error("paths.sources", f"paths.sources: {v} cannot be resolved ({exc})") from None
        return tuple(dict.fromkeys(resolved))

    def _path(self, table: str, key: str, default: str | None) -> Path:
        value = self.config.get(table, {}).get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{table}.{key}", f"{table}.{key} must be a non-empty string path")
        return (self.root / value).resolve()

    def _optional_file(self, table: str, key: str) -> Path | None:
        if key not in self.config.get(table, {}):
            return None
        return self._path(table, key, None)  # existence is checked when the query is used

    def _optional_count(self, table: str, key: str) -> int | None:
        value = self.config.get(table, {}).get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.error(f"{table}.{key}", f"{table}.{key} must be a positive whole number, e.g. {key} = 200000")
        return value

    def _show(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
