"""The ``kgbuild`` command: parse arguments, call one library function, render, exit.

Exit codes: 0 ok; 1 findings at the failing level (violations by default);
2 unusable input (bad project, configuration, syntax, query) or usage.
Results go to stdout, messages to stderr. Heavy libraries (rdflib,
pyshacl) are imported inside the commands so the command starts fast.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from kgbuild import __version__
from kgbuild.errors import KgbuildError

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2
FORMATS = ("text", "json")
SEVERITY_CHOICES = ("violation", "warning", "info")

F = TypeVar("F", bound=Callable[..., None])


def _handles_errors(command: F) -> F:
    """Report KgbuildError on stderr as ``kgbuild: error: file:line:col: message`` and exit 2."""

    @functools.wraps(command)
    def wrapper(*args: object, **options: object) -> None:
        logging.getLogger("rdflib").setLevel(logging.ERROR)  # ill-typed literals are SHACL's business
        try:
            command(*args, **options)
        except KgbuildError as error:
            for problem in error.problems():
                click.echo(f"kgbuild: error: {problem}", err=True)
            sys.exit(EXIT_UNUSABLE)

    return wrapper  # type: ignore[return-value]


def _show_option(command: F) -> F:
    return click.option(
        "--show",
        type=click.Choice(SEVERITY_CHOICES),
        default="warning",
        show_default=True,
        help="Print findings at least this severe (text format); the others are only counted. JSON always has all.",
    )(command)


def _fail_on_option(command: F) -> F:
    return click.option(
        "--fail-on",
        type=click.Choice(SEVERITY_CHOICES),
        default="violation",
        show_default=True,
        help="Exit 1 when a finding is at least this severe (build: and do not publish the graph). Whether the "
        "graph conforms (no finding at all, SHACL's sh:conforms) is reported apart from this.",
    )(command)


def _project_option(command: F) -> F:
    return click.option(
        "--project",
        "project_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Project root (holds kgbuild.toml). Default: the current directory or its nearest parent with kgbuild.toml.",
    )(command)


def _format_option(command: F) -> F:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="text for people, json for programs.",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="kgbuild", message="%(prog)s %(version)s")
def cli() -> None:
    """Build, validate, query and publish the knowledge graph of a kgbuild project.

    A project is a directory with kgbuild.toml, Turtle files in ontology/,
    shapes/ and data/, and SPARQL queries. Exit status: 0 ok, 1 findings
    at the failing severity, 2 unusable input or an unreachable or failing
    endpoint.
    """


@cli.command()
@_project_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (replaced as a whole). Default: [paths] dist of kgbuild.toml.",
)
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="While another build runs in this checkout, wait for it to finish, or stop at once (exit 2).")
@click.option("--wait-timeout", type=click.FloatRange(min=0), default=1800.0, show_default=True, metavar="SECONDS",
              help="With --wait, give up (exit 2) when the other build still runs after this long.")
@_format_option
@_fail_on_option
@_show_option
@_handles_errors
def build(project_dir: Path | None, out: Path | None, wait: bool, wait_timeout: float, output_format: str,
          fail_on: str, show: str) -> None:
    """Check the graph and publish it.

    Parses ontology, shapes and data, checks every quote against its
    archived source text, validates with SHACL, and writes the output
    directory: validation-report.json/.ttl and stats.json always; graph.ttl,
    graph.nt and graph.nq only when no finding is at the --fail-on level
    (default: no violation; warnings and info are published). Prints the
    findings, a summary and one sample answer. Exits 1 when findings are at
    the --fail-on level. The reports say the graph conforms only when there
    is no finding at all (SHACL's sh:conforms).

    One build at a time per checkout: a second one waits for the first
    (--wait, the default, up to --wait-timeout) or stops with exit 2
    (--no-wait). Meanwhile `kgbuild query`, `export`, `validate` and `serve`
    keep reading the last complete store, until the new one replaces it
    whole.
    """
    from kgbuild.builder import build as run_build
    from kgbuild.graphstats import render_text as render_stats
    from kgbuild.project import load_project
    from kgbuild.report import render_text, to_json
    from kgbuild.sample import render_table

    def waiting(pid: int | None) -> None:
        who = f" (pid {pid})" if pid is not None else ""
        click.echo(f"kgbuild: waiting for the build running in this checkout{who}…", err=True)

    project = load_project(project_dir)
    result = run_build(project, out=out, wait=wait_timeout if wait else 0, on_wait=waiting, fail_on=fail_on)
    if output_format == "json":
        click.echo(to_json(result.to_dict()), nl=False)
    else:
        click.echo(render_text(result.report, show=show, fail_on=fail_on), nl=False)
        click.echo()
        click.echo(render_stats(result.stats, top=10), nl=False)
        if result.sample is not None:
            click.echo()
            click.echo(f"sample answer ({result.sample.file}):")
            click.echo(render_table(result.sample), nl=False)
    written = ", ".join(result.files)
    click.echo(f"kgbuild: wrote {result.out_dir}: {written}", err=True)
    if result.store is not None:
        click.echo(f"kgbuild: wrote the embedded store {result.store} (used by kgbuild query)", err=True)
    if not result.graph_written:
        levels = {"violation": "violations", "warning": "violations and warnings", "info": "findings"}[fail_on]
        click.echo(f"kgbuild: graph not published: fix the {levels} first (--fail-on {fail_on})", err=True)
    sys.exit(EXIT_FINDINGS if result.report.fails(fail_on) else EXIT_OK)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@_project_option
@_format_option
@_fail_on_option
@click.option(
    "--max-triples",
    type=click.IntRange(min=1),
    default=None,
    help="With FILES: refuse a contribution of more triples than this, before checking it "
    "(default: [checks] max-contribution-triples in kgbuild.toml, else 200000).",
)
@click.option("--engine", type=click.Choice(("kgbuild", "pyshacl")), default="kgbuild", show_default=True,
              help="Without FILES: the SHACL engine. pyshacl, the reference implementation, is much slower; "
              "it is there to cross-check kgbuild's engine (the same findings, report and exit status).")
@click.option("--endpoint", metavar="URL", default=None,
              help="Run the project's checks (without FILES), or check FILES, against the graph this SPARQL 1.1 "
              "endpoint holds, downloading only what the checks read (credentials from KGBUILD_ENDPOINT_USER/"
              "_PASSWORD or _TOKEN).")
@click.option("--graph", metavar="IRI", default=None,
              help="Validate this named graph of the endpoint (sent as default-graph-uri). Default: with --endpoint, "
              "the endpoint's default graph; else [store] graph of kgbuild.toml.")
@click.option("--local", is_flag=True,
              help="Check the project's files (FILES: against the embedded store) even where kgbuild.toml names a "
              "[store] endpoint.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="With --endpoint: seconds to wait for each query.")
@click.option("--list-rules", is_flag=True,
              help="List the rule ids of kgbuild's checks (severity, where they apply, what they find) and exit; "
              "SHACL findings are named after the project's shapes.")
@_show_option
@_handles_errors
def validate(files: tuple[Path, ...], project_dir: Path | None, output_format: str, fail_on: str, show: str,
             max_triples: int | None, engine: str, endpoint: str | None, graph: str | None, local: bool,
             timeout: float, list_rules: bool) -> None:
    """Check the project, or contribution FILES in the context of the built graph; write nothing.

    Without FILES: the build's checks on the whole project (Turtle syntax,
    quotes against archived source texts, SHACL shapes, stored queries).
    The shapes run on kgbuild's engine, or with --engine pyshacl on pyshacl
    (the reference implementation, to cross-check: same report, slower).

    With FILES (Turtle .ttl, N-Triples .nt, JSON-LD .jsonld, TriG .trig or
    N-Quads .nq, named graphs read as plain triples; new facts
    from a new report): syntax, vocabulary (with the nearest defined term),
    SHACL shapes with the existing graph visible, sources and quotes,
    dangling references, possible duplicates (also transliterated names),
    conflicts with values the graph holds, and that no ontology term is
    redefined. The context is the embedded store from `kgbuild build`, or
    the project files if the store is stale. Nothing is fetched from the
    network. Findings are grouped by file and say how to fix each problem.
    Exit 0 ok, 1 findings at --fail-on, 2 unusable input (missing file,
    broken project).
    See docs/contributing-data.md.

    \b
      kgbuild validate contributions/2025-12-release.ttl
      kgbuild validate new/*.ttl --format json
      kgbuild validate --engine pyshacl
      kgbuild validate --endpoint http://localhost:7878/query --graph https://example.org/g
      kgbuild validate new.ttl --endpoint http://localhost:7878/query

    With --endpoint URL: the project's SHACL shapes, quote, stated-facts and
    language-tag checks run on the graph that SPARQL 1.1 store holds (as
    queries; nothing is downloaded); the query catalogue check (of the
    project's queries/) does not. Findings carry no file:line.
    With FILES and --endpoint URL: the contribution is checked against the
    store's graph: the part of it the checks read is fetched by queries
    about the contribution's nodes (the whole graph never is), the rest is
    asked of the store; the same findings as against the embedded store.
    An unreachable or failing endpoint, or a graph there that holds no
    triples, exits 2. [store] endpoint (and graph) in kgbuild.toml stand
    for --endpoint (and --graph); --local ignores them.
    """
    from kgbuild.project import load_project
    from kgbuild.report import render_json, render_text, to_json
    from kgbuild.selection import choose

    if list_rules:
        from kgbuild.checks.rules import RULES, text_listing

        if files:
            raise click.UsageError("--list-rules lists the rules and checks nothing: give no FILES")
        if output_format == "json":
            click.echo(to_json([rule.to_dict() for rule in RULES.values()]), nl=False)
        else:
            click.echo(text_listing(tuple(RULES.values())), nl=False)
        sys.exit(EXIT_OK)
    if endpoint is not None and engine != "kgbuild":
        raise click.UsageError("--endpoint runs kgbuild's engine on the graph of the store; --engine pyshacl runs on "
                               "the project")
    if files and engine != "kgbuild":
        raise click.UsageError("--engine pyshacl validates the whole project; a contribution check (FILES) runs "
                               "on kgbuild's engine")
    project = load_project(project_dir)
    target = choose(project, endpoint=endpoint, graph=graph, local=local)
    if target is not None and engine != "kgbuild":
        raise click.UsageError("--engine pyshacl runs on the project, but kgbuild.toml's [store] sends validate to "
                               "its endpoint: add --local")
    if target is not None:
        endpoint, graph = target.endpoint, target.graph
    if files:
        from kgbuild.checks.contribution import check_contribution
        from kgbuild.report import render_grouped

        if endpoint is not None:
            from kgbuild.remotecontribution import check_contribution_remote

            result = check_contribution_remote(project, list(files), endpoint=endpoint, graph=graph, timeout=timeout,
                                               max_triples=max_triples)
        else:
            result = check_contribution(project, list(files), max_triples=max_triples)
        report = result.report
        if output_format == "json":
            click.echo(to_json(result.to_dict()), nl=False)
        else:
            click.echo(render_grouped(report, files=result.files, show=show, style=_severity_style, fail_on=fail_on),
                       nl=False)
            click.echo(f"kgbuild: checked {len(result.files)} file(s) in the context of the {result.context}",
                       err=True)
    elif endpoint is not None:
        from kgbuild.backends.remote import display_url
        from kgbuild.remotecheck import SKIPPED, validate_endpoint

        report = validate_endpoint(project, endpoint=endpoint, graph=graph, timeout=timeout)
        click.echo(render_json(report) if output_format == "json" else render_text(report, show=show, fail_on=fail_on),
                   nl=False)
        where = f"the graph <{graph}>" if graph is not None else "the default graph"
        click.echo(f"kgbuild: validated {where} of {display_url(endpoint)} with the project's checks; "
                   f"not run here: {', '.join(SKIPPED)}", err=True)
    else:
        from kgbuild.checks.build import validate as run_validate

        report = run_validate(project, engine=engine)
        click.echo(render_json(report) if output_format == "json" else render_text(report, show=show, fail_on=fail_on),
                   nl=False)
    sys.exit(EXIT_FINDINGS if report.fails(fail_on) else EXIT_OK)


_COLOURS = {"violation": "red", "warning": "yellow", "info": "cyan"}


def _severity_style(text: str, severity: str) -> str:
    """Colour for terminals; click.echo drops it when stdout is not one."""
    return click.style(text, fg=_COLOURS.get(severity), bold=severity == "violation")


@cli.command("shacl")
@click.argument("data", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-s", "--shapes", "shapes", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="A shapes file (repeatable); together they are the shapes graph. "
              "Default: the data graph is also the shapes graph.")
@click.option("--format", "output_format", type=click.Choice(("text", "json", "ttl")), default="text",
              show_default=True, help="text for people; json for programs; ttl: the sh:ValidationReport as Turtle.")
@_handles_errors
def shacl_command(data: tuple[Path, ...], shapes: tuple[Path, ...], output_format: str) -> None:
    """Validate RDF files DATA against SHACL shapes with kgbuild's engine; no project needed.

    DATA and the --shapes files may be Turtle (.ttl, and any other
    suffix), N-Triples (.nt), TriG (.trig), N-Quads (.nq), JSON-LD
    (.jsonld, .json) or RDF/XML (.rdf, .owl). All DATA files together are
    the data graph (triples of named graphs included, their graph names
    ignored); all --shapes files the shapes graph. Without --shapes the
    data graph is also the shapes graph (as pyshacl does): a file holding
    shapes and data validates on its own. Only the named files are read:
    owl:imports is not followed, JSON-LD contexts must be inline, nothing
    is fetched and no SERVICE call is sent.

    The report conforms iff there is no result, whatever its severity
    (SHACL 3.6.1.1). Output: text (one line per result: FILE:LINE where
    the focus node is written, SEVERITY, focus node, path, value, message,
    constraint component and shape, with the files' prefixes; then a
    summary), json (conforms, counts and results, terms in N-Triples
    syntax; see kgbuild.shaclrun.to_dict), or ttl (a sh:ValidationReport).

    Exit status: 0 conforms, 1 results (of any severity), 2 unusable input:
    a missing, unreadable or unparsable file (file:line:column), or shapes
    kgbuild's engine does not support (the feature and the shape named).

    \b
      kgbuild shacl --shapes shapes.ttl data.ttl
      kgbuild shacl -s a.ttl -s b.ttl data.ttl more.jsonld --format json
      kgbuild shacl shapes-and-data.ttl --format ttl > report.ttl

    \b
    For example, with shapes.ttl
      ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
          sh:property [ sh:path ex:name ; sh:minCount 1 ] .
    and data.ttl
      ex:bob a ex:Person .
    `kgbuild shacl --shapes shapes.ttl data.ttl` prints
      data.ttl:3: VIOLATION ex:bob path ex:name: needs at least 1 value(s)
        (sh:MinCountConstraintComponent, shape [sh:path ex:name] of ex:PersonShape)
      does not conform: 1 result (1 violation; 1 data file, 1 shapes file)
    and exits 1.
    """
    from kgbuild.report import to_json
    from kgbuild.shaclrun import render_text, render_turtle, to_dict, validate_files

    run = validate_files(list(data), shapes=list(shapes))
    if not run.targeted_shapes:
        where = "the --shapes files" if shapes else "the data (no --shapes given)"
        click.echo(f"kgbuild: note: {where} hold no shape with a target: nothing was checked", err=True)
    if output_format == "json":
        click.echo(to_json(to_dict(run)), nl=False)
    elif output_format == "ttl":
        click.echo(render_turtle(run), nl=False)
    else:
        click.echo(render_text(run), nl=False)
    sys.exit(EXIT_OK if run.conforms else EXIT_FINDINGS)


@cli.command()
@_project_option
@_format_option
@_handles_errors
def stats(project_dir: Path | None, output_format: str) -> None:
    """Print graph statistics: triples, entities per class, facts per source.

    Parses the project but does not validate it.
    """
    from kgbuild.graphstats import render_text
    from kgbuild.graphstats import stats as run_stats
    from kgbuild.project import load_project
    from kgbuild.report import to_json

    result = run_stats(load_project(project_dir))
    click.echo(to_json(result.to_dict()) if output_format == "json" else render_text(result), nl=False)


@cli.command("queries")
@_project_option
@_format_option
@click.option("--check", is_flag=True, help="Also run the catalogue check (every query parses, parameters are used "
              "and selected, every competency question has a query); exit 1 on problems.")
@_handles_errors
def queries_command(project_dir: Path | None, output_format: str, check: bool) -> None:
    """List the stored queries: name, title, the questions they answer, parameters.

    With --check, a catalogue whose headers cannot be read is reported as
    findings rather than stopping the listing.
    """
    from kgbuild.project import load_project
    from kgbuild.queries.catalogue import (
        catalogue_listing,
        check_catalogue,
        load_catalogue,
    )
    from kgbuild.report import to_json

    project = load_project(project_dir)
    report = None
    if check:
        from kgbuild.findings import Report

        report = Report.of(check_catalogue(project))
        catalogue = load_catalogue(project, skip_unreadable=True)
    else:
        catalogue = load_catalogue(project)
    if output_format == "json":
        data: object = catalogue_listing(catalogue)
        if report is not None:
            data = {"queries": data, "check": report.to_dict()}
        click.echo(to_json(data), nl=False)
    else:
        click.echo(_render_catalogue(catalogue), nl=False)
        if report is not None:
            from kgbuild.report import render_text

            click.echo()
            click.echo(render_text(report), nl=False)
    if report is not None and report.fails("violation"):  # a warning (a query calling SERVICE) does not fail it
        sys.exit(EXIT_FINDINGS)


def _render_catalogue(catalogue) -> str:
    if not catalogue.queries:
        return "(no stored queries)\n"
    width = max(len(q.name) for q in catalogue.queries)
    lines = []
    for q in catalogue.queries:
        answers = f" [{', '.join(q.answers)}]" if q.answers else ""
        lines.append(f"{q.name.ljust(width)}  {q.title}{answers}".rstrip())
        for p in q.params:
            need = "required" if p.required else (f"default {p.default}" if p.default is not None else "optional")
            lines.append(f"{'':{width}}    -p {p.name}=<{p.type}> ({need}) {p.description}".rstrip())
    return "\n".join(lines) + "\n"


QUERY_FORMATS = ("table", "csv", "tsv", "json", "md")


@cli.command("query")
@click.argument("ref", metavar="NAME|FILE.rq")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value (repeatable); typed by the query's header. IRIs in full or as prefixed names "
              "with the query's PREFIXes.")
@click.option("--format", "output_format", type=click.Choice(QUERY_FORMATS), default="table", show_default=True,
              help="table for terminals; csv, tsv, json are the W3C SPARQL 1.1 results formats; md is a Markdown table.")
@click.option("--endpoint", metavar="URL", default=None,
              help="Run on this SPARQL 1.1 endpoint instead (credentials from KGBUILD_ENDPOINT_USER/_PASSWORD or "
              "_TOKEN). Default: [store] endpoint of kgbuild.toml, else the embedded store.")
@click.option("--graph", metavar="IRI", default=None,
              help="Ask this named graph of the endpoint (sent as default-graph-uri). Default: with --endpoint, the "
              "endpoint's default graph; else [store] graph of kgbuild.toml.")
@click.option("--local", is_flag=True,
              help="Run on the embedded store (or --engine rdflib) even where kgbuild.toml names a [store] endpoint.")
@click.option("--engine", type=click.Choice(("oxigraph", "rdflib")), default="oxigraph", show_default=True,
              help="Local engine: the embedded Oxigraph store written by build, or rdflib on freshly parsed files "
              "(slow; for cross-checks).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds to wait for a remote endpoint.")
@click.option("--allow-service", is_flag=True,
              help="Let a query that calls SPARQL SERVICE send requests to the endpoints it names (local engines "
              "refuse it otherwise, exit 2).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the results to this file (atomically) instead of stdout.")
@_project_option
@_handles_errors
def query_command(ref: str, params: tuple[str, ...], output_format: str, endpoint: str | None, graph: str | None,
                  local: bool, engine: str, timeout: float, allow_service: bool, output: Path | None,
                  project_dir: Path | None) -> None:
    """Run a stored query (by name) or a query file, and print its results.

    By default it runs on the embedded store that `kgbuild build` wrote; if
    the data changed since, it stops and says so. Results go to stdout (or
    -o FILE), messages to stderr. A query that calls SERVICE (a federated
    query) is refused (exit 2) unless --allow-service, which lets it send
    requests to the endpoints it names.

    With --endpoint URL (or [store] endpoint in kgbuild.toml; --local
    ignores it) the query goes to that SPARQL 1.1 store, on the named
    graph --graph IRI (or [store] graph) if given, else on its default
    graph. A graph there that holds no triples is an error (exit 2), not
    an empty answer. Examples:

    \b
      kgbuild query cq01-release-timeline
      kgbuild query cq11-name-lookup -p name=Kolesnikova --format csv
      kgbuild query my-query.rq --engine rdflib
      kgbuild query cq08-totals --endpoint http://localhost:7878/query --graph https://w3id.org/ppdkg/graph
    """
    from kgbuild.project import load_project
    from kgbuild.queries.catalogue import resolve
    from kgbuild.queries.params import parse_assignments
    from kgbuild.queries.querying import run_stored
    from kgbuild.queries.render import render

    assignments = parse_assignments(params)
    project = load_project(project_dir)
    stored = resolve(project, ref)
    target = None
    if endpoint is not None or graph is not None or local or project.remote is not None:
        from kgbuild.selection import choose

        target = choose(project, endpoint=endpoint, graph=graph, local=local)
        if target is not None and target.configured and engine != "oxigraph":
            raise click.UsageError(f"--engine {engine} runs on the project's files, but kgbuild.toml's [store] "
                                   "sends the query to its endpoint: add --local")
    rows = run_stored(project, stored, params=assignments, engine=engine,
                      endpoint=None if target is None else target.endpoint,
                      graph=None if target is None else target.graph, timeout=timeout, allow_service=allow_service)
    width = _terminal_width() if output is None else 120
    text = render(rows, output_format, prefixes=stored.prefixes(), width=width)
    if output is None:
        _print_results(text)
        return
    _write_atomically(output, text)
    count = len(rows.rows)
    click.echo(f"kgbuild: wrote {count} row{'s' if count != 1 else ''} to {output}", err=True)


EXPORT_FORMATS = ("nt", "ttl", "nq", "trig", "jsonld")


@cli.command("export")
@click.option("--format", "output_format", type=click.Choice(EXPORT_FORMATS), default=None,
              help="nt, ttl: every triple; nq, trig, jsonld: ontology and data in their named graphs. "
              "Default: from the -o file's extension, else nt.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (gzip-compressed if it ends in .gz) instead of stdout.")
@_project_option
@_handles_errors
def export_command(output_format: str | None, output: Path | None, project_dir: Path | None) -> None:
    """Write the built graph in a format any triple store's bulk loader takes.

    Exports exactly what the last `kgbuild build` validated and published
    (it stops if the data changed since, or the published files were
    edited). Output is sorted and deterministic: the same build gives the
    same bytes, compressed or not. Examples:

    \b
      kgbuild export -o graph.nt.gz
      kgbuild export --format trig -o graph.trig
      kgbuild export --format nq | gzip > graph.nq.gz
    """
    from kgbuild.export import FORMATS, export, format_for
    from kgbuild.project import load_project

    implied = format_for(output) if output is not None else None
    if output_format is not None and implied is not None and implied != output_format:
        raise click.UsageError(f"--format {output_format} but {output.name} looks like {implied}; "
                               "make them agree")
    chosen = output_format or implied or "nt"
    project = load_project(project_dir)
    if output is None:
        try:
            result = export(project, chosen, stream=click.get_binary_stream("stdout"))
            sys.stdout.flush()
        except BrokenPipeError:  # the reader stopped early (| head): end quietly
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_OK)
    else:
        result = export(project, chosen, output=output)
    what = "quads" if FORMATS[chosen].quads else "triples"
    where = "stdout" if output is None else str(output)
    packed = ", gzip" if result.compressed else ""
    click.echo(f"kgbuild: wrote {result.statements} {what} as {FORMATS[chosen].title} to {where} "
               f"({result.size} bytes{packed})", err=True)


@cli.command("load")
@click.option("--endpoint", metavar="URL", default=None,
              help="The store's SPARQL query endpoint (for counts), e.g. http://localhost:7878/query. "
              "Default: [store] endpoint of kgbuild.toml (with its graph, update-endpoint and graph-store).")
@click.option("--graph", metavar="IRI", default=None,
              help="Load into this named graph. Default: with --endpoint, the default graph; else [store] graph.")
@click.option("--replace/--append", "replace", default=None,
              help="Replace the target graph's contents in one atomic MOVE, or add to them. "
              "Required when the target already holds triples.")
@click.option("--direct", is_flag=True,
              help="First load into an empty target: send the chunks straight into it, without a staging graph. "
              "As fast as a plain upload, but readers see the graph fill up; on failure it is emptied again.")
@click.option("--update-endpoint", metavar="URL", default=None,
              help="SPARQL 1.1 Update endpoint. Default: beside a .../query URL, .../update; else the --endpoint URL.")
@click.option("--graph-store", metavar="URL", default=None,
              help="SPARQL 1.1 Graph Store endpoint. Default: beside a .../query URL, .../store; else none, "
              "and the data goes as SPARQL Update INSERT DATA.")
@click.option("--no-graph-store", is_flag=True, help="Send the data as SPARQL Update even if a Graph Store URL is known.")
@click.option("--chunk-size", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Triples per request (triples sharing blank nodes always travel together).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=300.0, show_default=True,
              help="Seconds to wait for each request.")
@click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True,
              help="Further attempts of a request after a transient failure (connection reset, HTTP 502/503/504), "
              "with exponential backoff.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for programs (the summary on stdout).")
@_project_option
@_handles_errors
def load_command(endpoint: str | None, graph: str | None, replace: bool | None, direct: bool,
                 update_endpoint: str | None, graph_store: str | None, no_graph_store: bool, chunk_size: int,
                 timeout: float, retries: int, output_format: str, project_dir: Path | None) -> None:
    """Push the built graph into a running triple store, safely.

    The graph of the last `kgbuild build` goes in chunks into a fresh
    staging graph (over the Graph Store Protocol, or SPARQL Update where
    the store has none); only when the store holds exactly what was sent
    does one update MOVE (--replace) or ADD (--append) it into the target.
    A failure part-way leaves the target as it was and removes the staging
    graph. With --direct (an empty target only) the chunks go straight in,
    and a failure empties the target again. The triple count is checked and
    printed. Credentials come from
    KGBUILD_ENDPOINT_USER + KGBUILD_ENDPOINT_PASSWORD or
    KGBUILD_ENDPOINT_TOKEN and are never printed. Exit 2 when the store is
    unreachable, refuses the credentials or the request, or the load fails.

    \b
      kgbuild load --endpoint http://localhost:7878/query --replace
      kgbuild load --endpoint http://localhost:3030/ds/query --graph-store http://localhost:3030/ds/data \\
          --graph https://w3id.org/ppdkg/graph --replace
    """
    from kgbuild.load import Endpoints, check_graph_iri, load_built
    from kgbuild.project import load_project
    from kgbuild.report import to_json
    from kgbuild.selection import choose

    if graph is not None:
        check_graph_iri(graph)
    if direct and replace is False:
        raise click.UsageError("--direct loads into an empty graph: it does not go with --append")
    if no_graph_store and graph_store is not None:
        raise click.UsageError("--graph-store and --no-graph-store contradict each other")
    project = load_project(project_dir)
    target = choose(project, endpoint=endpoint, graph=graph)
    if target is None:
        raise click.UsageError("Missing option '--endpoint' (or name the store in kgbuild.toml: [store] endpoint)")
    endpoints = Endpoints.derive(target.endpoint, update=update_endpoint or target.update_endpoint,
                                 graph_store=graph_store or target.graph_store, use_graph_store=not no_graph_store)
    graph = target.graph
    with _Progress("loading") as progress:
        result = load_built(project, endpoints, graph=graph, replace=replace, direct=direct, chunk_size=chunk_size,
                            timeout=timeout, retries=retries, progress=progress.update)
    if output_format == "json":
        click.echo(to_json(result.to_dict()), nl=False)
    else:
        how = {"replace": "replaced", "append": "added to", "direct": "loaded directly into"}[result.mode]
        via = "Graph Store Protocol" if result.protocol == "graph-store" else "SPARQL Update"
        retried = f", {result.retries} retr{'y' if result.retries == 1 else 'ies'}" if result.retries else ""
        click.echo(f"loaded {result.sent} triples: {how} {result.target_label} "
                   f"({via}, {result.chunks} request{'s' if result.chunks != 1 else ''}{retried}, "
                   f"{result.seconds:.1f} s)")
        click.echo(f"{result.target_label} now holds {result.after} triples (before: {result.before}); "
                   "count checked")


class _Progress:
    """A progress bar on stderr for work that takes more than a moment (only on a terminal)."""

    DELAY = 1.0

    def __init__(self, label: str) -> None:
        import time

        self.label = label
        self.started = time.monotonic()
        self.bar = None
        self.done = 0

    def __enter__(self) -> _Progress:
        return self

    def update(self, done: int, total: int) -> None:
        import time

        if self.bar is None:
            if not sys.stderr.isatty() or time.monotonic() - self.started < self.DELAY or done >= total:
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@cli.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True, help="Port on 127.0.0.1.")
@_project_option
@_handles_errors
def serve_command(port: int, project_dir: Path | None) -> None:
    """Serve the built graph over SPARQL with a query page, until Ctrl-C.

    Starts the Oxigraph server (read-only) on 127.0.0.1 with a snapshot of
    the embedded store that `kgbuild build` wrote, and prints the URL of
    its query page (open it in a browser) and of its SPARQL endpoint, for
    `kgbuild query --endpoint` or any SPARQL client. Ctrl-C stops it and
    removes the snapshot. It runs no federated query: one that calls
    SERVICE is answered with HTTP 400 and sends nothing.
    """
    import signal

    from kgbuild.project import load_project
    from kgbuild.serve import serve

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # also when started with SIGINT ignored (a background job)

    def ready(info) -> None:
        click.echo(f"kgbuild: serving {info.triples} triples (read-only) — Ctrl-C to stop")
        click.echo(f"query page: {info.page_url}")
        click.echo(f"endpoint:   {info.query_url}    (kgbuild query NAME --endpoint {info.query_url})")
        sys.stdout.flush()

    status = serve(load_project(project_dir), port=port, on_ready=ready)
    click.echo("kgbuild: server stopped", err=True)
    sys.exit(EXIT_OK if status in (0, -2, 130) else EXIT_UNUSABLE)


def _print_results(text: str) -> None:
    """Results to stdout; a reader that stops early (``| head``) ends the command quietly."""
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()
    except BrokenPipeError:
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again
        sys.exit(EXIT_OK)


def _terminal_width() -> int:
    """Columns of the terminal stdout goes to; 120 when it is not a terminal (pipes, files)."""
    import shutil

    if not sys.stdout.isatty():
        return 120
    return max(40, shutil.get_terminal_size((120, 24)).columns)


def _write_atomically(output: Path, text: str) -> None:
    """Write ``text`` (UTF-8, line ends as given) to ``output`` through a temporary file beside it."""
    from kgbuild.errors import OutputError
    from kgbuild.workspace.atomic import write_text_atomically

    try:
        write_text_atomically(output, text)
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror}") from exc


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="kgbuild")
