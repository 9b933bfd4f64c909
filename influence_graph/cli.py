"""The `influence` command line: a thin layer over the library, one short function per command."""

from __future__ import annotations

import functools
import json
import logging
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from neo4j import Driver
from neo4j.exceptions import ServiceUnavailable, SessionExpired
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import cypher
from graph.db import GraphConnectionError, connect, health
from graph.exports import export_format
from graph.records import Dataset, ImportFailed
from graph.schema import apply_schema
from graph.server import LocalServer, ServerError
from graph.settings import get_settings
from graph.spreadsheet import csv_rows
from graph.writer import ImportSummary, ProgressCallback, WriteStopped
from importers import bods as bods_importer
from importers import ftm as ftm_importer
from importers import gcdf as gcdf_importer
from importers import jsonl as jsonl_importer
from importers import pipeline
from importers import resolve as resolve_lib
from importers import seed as seed_importer
from importers import tabular as tabular_importer
from importers.jsonl import bulk
from influence_graph import pictures
from influence_graph.docs import stale_pages, write_pages
from influence_graph.output import DataConsole, cell_text, printable, to_csv, to_json

# Tables of query rows are wide: without a terminal to measure, assume a wide one.
console = DataConsole(width=None if sys.stdout.isatty() else 160)


def handle_errors(command):
    """Turn every error into a one-paragraph message and exit status 1, its traceback only with
    `influence --debug`. Text from data in the message (ids, names, cells) is shown with its control
    characters as code points. An error the library does not expect is called a bug, and reported."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except Exception as error:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            raise click.ClickException(error_paragraph(error)) from None

    return wrapper


def error_paragraph(error: Exception) -> str:
    """What went wrong and what to do, in one paragraph."""
    if isinstance(error, (GraphConnectionError, ServerError, ImportFailed, cypher.QueryError, WriteStopped)):
        return printable(str(error))
    if isinstance(error, (ServiceUnavailable, SessionExpired)):
        return (f"The Neo4j server stopped answering ({type(error).__name__}). Check it with `influence db status` "
                "(start the local one with `influence db start`), then run the same command again.")
    if isinstance(error, OSError) and error.filename:
        return printable(f"Could not use {error.filename}: {error.strerror or error}. Check the path and its "
                         "permissions, then run the same command again.")
    return (f"Unexpected error: {type(error).__name__}: {printable(str(error))[:500]}. This is a bug in influence "
            "(its checks do not know this case): run the same command as `influence --debug ...` to see the "
            "traceback, and report it.")


def database_option(command):
    """`--database`: the Neo4j database to use (default: NEO4J_DATABASE, else `neo4j`)."""
    return click.option(
        "--database", default=None, help="Neo4j database (default: NEO4J_DATABASE or 'neo4j')."
    )(command)


@contextmanager
def database_driver(database: str | None) -> Iterator[tuple[Driver, str]]:
    """A connected driver and the database to use (`--database`, else NEO4J_DATABASE)."""
    settings = get_settings()
    with connect(settings) as driver:
        yield driver, database or settings.neo4j_database


def ensure_server() -> None:
    """Start the local server unless NEO4J_URI points elsewhere."""
    if get_settings().uses_local_server:
        server = LocalServer.from_settings()
        started = server.start()
        for notice in server.notices:
            console.print(notice, markup=False)
        if started:
            console.print(f"Started the local Neo4j server at {server.uri}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="influence-graph")
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error.")
def main(debug):
    """Influence Graph: who finances, builds, owns and steers what, in Neo4j."""
    # The server's query notifications (e.g. "label does not exist" on an empty graph) are not errors,
    # and the driver's own log (a lost connection, with its traceback) is said in one paragraph instead.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    if not debug:
        logging.getLogger("neo4j").setLevel(logging.CRITICAL)


# --- db -------------------------------------------------------------------------------------------
@main.group()
def db():
    """Run the local Neo4j server, or check the configured one."""


@db.command()
@handle_errors
def start():
    """Start the local Neo4j server (idempotent) and wait until Bolt answers."""
    settings = get_settings()
    if not settings.uses_local_server:
        console.print(f"NEO4J_URI is set ({settings.neo4j_uri}): using that server, nothing started locally.")
        return
    server = LocalServer.from_settings()
    started = server.start()
    for notice in server.notices:
        console.print(notice, markup=False)
    console.print(("Started" if started else "Already running:") + f" Neo4j at {server.uri}")
    console.print(f"user: {server.user}   password: in {server.env_file} (NEO4J_PASSWORD)")
    console.print(f"Neo4j Browser: {server.browser_url}")


@db.command()
@handle_errors
def stop():
    """Stop the local Neo4j server."""
    server = LocalServer.from_settings()
    console.print("Stopped the local Neo4j server." if server.stop() else "The local Neo4j server was not running.")


@db.command()
@database_option
@handle_errors
def status(database):
    """Say which server is in use (remote, local, or another on localhost), its version and size."""
    settings = get_settings()
    server = LocalServer.from_settings()
    if not settings.uses_local_server:
        mode = f"remote (NEO4J_URI={settings.neo4j_uri})"
    elif server.pid():
        mode = f"local (pid {server.pid()}, home {server.home})"
    elif server.bolt_listening():
        mode = f"another server on {server.uri}, not started by influence (docker compose?)"
    else:
        raise click.ClickException(f"No Neo4j server is running at {server.uri}. Start one with `influence db start`.")
    with connect(settings) as driver:
        info = health(driver, database or settings.neo4j_database)
    console.print(f"server: {mode}")
    console.print(f"Neo4j {info.version} {info.edition} at {info.uri}, database {info.database}: "
                  f"{info.nodes} nodes, {info.relationships} relationships")


@db.command()
@click.option("-n", "--lines", default=50, show_default=True, help="How many lines to show.")
def logs(lines):
    """Show the end of the local server's log."""
    click.echo(LocalServer.from_settings().tail(lines))


# --- schema ----------------------------------------------------------------------------------------
@main.group()
def schema():
    """The graph schema: apply it to Neo4j, or write its reference."""


@schema.command("apply")
@database_option
@handle_errors
def schema_apply(database):
    """Create the schema's constraints and indexes (IF NOT EXISTS)."""
    with database_driver(database) as (driver, database):
        statements = apply_schema(driver, database)
    console.print(f"Applied {len(statements)} constraints and indexes.")


# --- query -------------------------------------------------------------------------------------------
@main.group()
def query():
    """The canned query library (cypher/): list, show and run queries, read-only."""


def params_option(command):
    """`--param NAME=VALUE` (repeatable), typed by the query's header."""
    return click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
                        help="A query parameter; repeat for more. Lists: comma-separated. null for none.")(command)


def output_options(command):
    """`--format` and `--output`, shared by commands that print rows."""
    command = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                           show_default=True, help="How to print the rows.")(command)
    command = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                           help="Write the rows to this file instead of the terminal.")(command)
    return click.option("--wide", is_flag=True, help="In tables, also show the evidence, notes and hops columns.")(command)


@query.command("list")
def query_list():
    """List the canned queries: name, question, parameters."""
    table = Table("name", "question", "parameters", show_lines=True)
    for q in cypher.load_queries().values():
        params = ", ".join(f"{p.name}: {p.type}" + ("" if p.required else f" = {json.dumps(p.default)}")
                           for p in q.parameters)
        table.add_row(q.name, q.question, params)
    console.print(table)


@query.command("show")
@click.argument("name")
@params_option
@click.option("--graph", is_flag=True,
              help="For a chain query: the variant returning its ties as paths, which Neo4j Browser draws.")
@handle_errors
def query_show(name, params, graph):
    """Print a query with `:param` lines, ready to paste into Neo4j Browser."""
    q = cypher.get(name)
    click.echo(q.browser_text(q.parse_params(params), graph=graph))


@query.command("run")
@click.argument("name")
@params_option
@output_options
@database_option
@handle_errors
def query_run(name, params, fmt, output, wide, database):
    """Run a canned query (read-only) and print its rows."""
    q = cypher.get(name)
    values = q.parse_params(params)
    with database_driver(database) as (driver, database):
        frame = cypher.run(driver, name, values, database)
    emit(frame, fmt, output, wide, title=q.title)


@query.command("cypher")
@click.argument("text")
@params_option
@output_options
@database_option
@handle_errors
def query_cypher(text, params, fmt, output, wide, database):
    """Run ad hoc Cypher read-only (a write is refused). Parameter values are JSON, else text."""
    values = {}
    for pair in params:
        key, _, raw = pair.partition("=")
        try:
            values[key] = json.loads(raw)
        except json.JSONDecodeError:
            values[key] = raw
    with database_driver(database) as (driver, database):
        frame = cypher.run_cypher(driver, text, values, database)
    emit(frame, fmt, output, wide, title=None)


# lists of quotes, of per-tie notes and of ties: in CSV, JSON and `--wide` tables, too long for a terminal's
WIDE_ONLY = ("hops", "evidence", "notes", "financingNotes")


def emit(frame, fmt: str, output: Path | None, wide: bool, title: str | None) -> None:
    """Print or write rows as a table, CSV or JSON."""
    if fmt == "csv":
        text = to_csv(frame)
    elif fmt == "json":
        text = to_json(frame)
    else:
        shown = frame if wide else frame.drop(columns=[c for c in WIDE_ONLY if c in frame.columns])
        table = Table(*map(str, shown.columns), title=title, show_lines=True)
        for row in shown.itertuples(index=False):
            table.add_row(*(cell_text(v) for v in row))
        if output:
            with output.open("w", encoding="utf-8") as handle:
                DataConsole(file=handle, width=200).print(table)
        else:
            console.print(table)
            console.print(f"{len(frame)} rows")
        return
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {len(frame)} rows to {output}")
    elif sys.stdout.isatty():  # a terminal acts on control characters: shown as code points, as in tables
        click.echo(printable(text.replace("\r\n", "\n")), nl=False)
    else:  # a pipe or a file keeps the exact data (CSV neutralised, JSON escaped)
        click.echo(text, nl=False)


# --- viz ---------------------------------------------------------------------------------------------
def export_formats(ctx, param, paths):
    """Refuse an export format we cannot write before anything runs."""
    for path in paths:
        if path.suffix in pictures.STATIC_SUFFIXES:
            continue
        try:
            export_format(path)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
    return paths


@main.command()
@click.argument("name")
@params_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The HTML page to write.")
@click.option("--export", "exports", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              callback=export_formats,
              help="Also write the picture as .png or .svg (caption and legend included, drawn by headless "
                   "Chromium from the page), or what it shows as .graphml, .gexf or .json (networkx node-link); "
                   "repeatable.")
@click.option("--show-inactive", is_flag=True,
              help="Also draw (muted) and export (flagged hiddenByDefault) refused projects and ended ties.")
@database_option
@handle_errors
def viz(name, params, output, exports, show_inactive, database):
    """Draw a chain query as a self-contained interactive page (and export what it shows).

    `influence viz neighbourhood -p entity=huawei -p depth=2 -p limit=200` draws what lies within two
    ties of an entity. When the answer holds nothing to draw, one line says so, the page says so, and no
    export is written."""
    values = cypher.get(name).parse_params(params)
    with database_driver(database) as (driver, database):
        try:
            picture = pictures.draw(driver, name, values, output, database=database, show_inactive=show_inactive,
                                    exports=exports)
        except RuntimeError as error:  # no Chromium or Playwright for a .png or .svg
            raise click.ClickException(str(error)) from error
    if picture.empty:
        click.echo(printable(picture.empty + (" No export written." if exports else "")))  # one line, never wrapped
    for path in (picture.path, *picture.exports):
        console.print(f"wrote {path}")


# --- docs --------------------------------------------------------------------------------------------
@main.command()
@click.option("--check", is_flag=True, help="Exit 1 if a generated page is out of date; write nothing.")
def docs(check):
    """Write the generated reference pages (docs/schema.md, docs/queries.md)."""
    if check:
        stale = stale_pages()
        if stale:
            raise click.ClickException("Out of date: " + ", ".join(map(str, stale)) + ". Run `influence docs`.")
        console.print("Generated pages are up to date.")
        return
    for path in write_pages():
        console.print(f"wrote {path}")


# --- import ------------------------------------------------------------------------------------------
@main.group("import")
def import_():
    """Load data into the graph (validated first; nothing is written when a row is wrong)."""


def import_options(command):
    """`--dry-run`, `--batch-size` and `--database`, shared by every import command."""
    command = click.option("--dry-run", is_flag=True, help="Validate and report only; write nothing.")(command)
    command = click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(1, 100_000),
                           help="Rows per write transaction (docs/benchmarks.md: larger is faster).")(command)
    return database_option(command)


@import_.command("seed")
@click.option("--path", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=seed_importer.DEFAULT_PATH, show_default=True, help="Folder of the curated YAML files.")
@import_options
@handle_errors
def import_seed(path, dry_run, batch_size, database):
    """Import the curated dataset from the five seed documents."""
    write_and_report(seed_importer.load(path), dry_run, database, batch_size, rename=True)


def resolution_options(command):
    """`--no-resolve`: entity resolution against the graph before writing (judgements and the review file
    in the resolution folder, `influence resolve`)."""
    return click.option("--no-resolve", is_flag=True, help="Do not match entities against the graph.")(command)


def import_dataset(fmt: str, dataset: Dataset, options: dict) -> None:
    """The import pipeline (importers/pipeline.py): `load` has validated; resolve entities against the graph
    (unless --no-resolve), then write or dry-run."""
    if not options["no_resolve"]:
        store = resolve_lib.Store()
        with database_driver(options["database"]) as (driver, database):
            resolution = pipeline.resolve(driver, database, dataset, store=store)
        for match in resolution.merged:
            console.print(f"matched {match.incoming.id} → {match.candidate.id} ({match.reason})", markup=False)
        pending = len(store.pending())
        if resolution.review or pending:
            console.print(f"{len(resolution.review)} uncertain matches found; {pending} pairs pending in "
                          f"{store.review_path}. See them with `influence resolve list`; judge them with "
                          "`influence resolve decide` or in the file's `judgement` column and `influence resolve apply`.",
                          markup=False)
    write_and_report(dataset, options["dry_run"], options["database"], options["batch_size"],
                     command=" ".join(["influence", *sys.argv[2:]]) if sys.argv[1:2] == ["import"] else "influence import")


@import_.command("tabular")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "-m", required=True,
              help="A mapping YAML file, or the name of one in importers/tabular/mappings/ (dod-1260h, fcc-covered-list, "
                   "aiddata-gcof-1, dfat-consolidated-list, icij-fincen-transactions).")
@resolution_options
@import_options
@handle_errors
def import_tabular(path, mapping, **options):
    """Import a CSV or Excel file as a mapping file says (an analyst's spreadsheet, a public list)."""
    import_dataset("tabular", tabular_importer.load(path, mapping), options)


def dataset_command(fmt: str, load: Callable[[Path], Dataset], help_text: str) -> None:
    """`influence import FMT PATH` for a format whose `load` takes only the path (a file or a folder)."""
    @import_.command(fmt, help=help_text)
    @click.argument("path", type=click.Path(exists=True, path_type=Path))
    @resolution_options
    @import_options
    @handle_errors
    def command(path, **options):
        import_dataset(fmt, load(path), options)


dataset_command("gcdf", gcdf_importer.load,
                "Import AidData's Global Chinese Development Finance data (GCDF 2.0 or 3.0; CSV, .xlsx or a folder).")
dataset_command("bods", bods_importer.load,
                "Import Beneficial Ownership Data Standard (0.2-0.4) packages (.json, .jsonl or a folder).")


@import_.command("ftm")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source-id", default=None, help="Id of the Source node (default: opensanctions-<file stem>).")
@resolution_options
@import_options
@handle_errors
def import_ftm(path, source_id, **options):
    """Import FollowTheMoney / OpenSanctions entities (JSON lines)."""
    import_dataset("ftm", ftm_importer.load(path, source_id=source_id), options)


@import_.command("jsonl")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@import_options
@handle_errors
def import_jsonl(path, dry_run, batch_size, database):
    """Import the native JSON-lines format (`influence export jsonl` writes it), streaming.

    One node or relationship per line, ids taken as given: no entity resolution. Every relationship
    end must be a node defined in the same file. The whole file is checked first, keeping only its
    ids in memory, then read again to write it."""
    command = " ".join(["influence", *sys.argv[1:]])
    try:
        plan = jsonl_importer.check(path)
    except KeyboardInterrupt:
        console.print("Interrupted while checking the file, before anything was written. Run the same command "
                      f"again to check and import it:\n  {command}", markup=False)
        sys.exit(130)
    console.print(f"Valid: {plan.nodes.total()} nodes, {plan.relationships.total()} relationships "
                  f"(checked in {plan.seconds:.2f} s).")
    if dry_run:
        console.print("Dry run: nothing written.")
        return

    def write(driver: Driver, database: str, progress: ProgressCallback) -> ImportSummary:
        return jsonl_importer.write(driver, database, plan, batch_size=batch_size, progress=progress)

    write_with_progress(write, plan.total, database, command)


@import_.command("bulk")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--files-only", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Only write the neo4j-admin CSV files into this folder and print the command to load them "
                   "(for a server in Docker or elsewhere).")
@database_option
@handle_errors
def import_bulk(path, files_only, database):
    """Load a JSON-lines file into an EMPTY database, offline: the fastest first load or rebuild.

    The file is checked as `import jsonl` checks it, written as `neo4j-admin database import` files, and
    loaded with the local server stopped; then the schema's constraints and indexes are built. A database
    that holds anything is refused (the offline import replaces the store): use `import jsonl` to add."""
    plan = jsonl_importer.check(path)
    console.print(f"Valid: {plan.nodes.total()} nodes, {plan.relationships.total()} relationships "
                  f"(checked in {plan.seconds:.2f} s).")
    if files_only:
        files = bulk.write_import_files(plan, files_only)
        arguments = " ".join(shlex.quote(a) for a in files.admin_arguments(files_only / "import.report"))
        console.print(f"wrote {len(files.nodes) + len(files.relationships)} files to {files_only}. With the server "
                      f"stopped and its database empty, run:\n  neo4j-admin database import full "
                      f"{database or get_settings().neo4j_database} --overwrite-destination=true {arguments}\n"
                      "then start it and run `influence schema apply`.", markup=False)
        if files.leftover:
            console.print(f"{len(files.leftover)} rows cannot go through CSV (empty lists, the array delimiter "
                          "in a list item, or values their sources disagree on; such nodes are loaded as their ids "
                          "alone): import them after with `influence import jsonl` on the same file.")
        return
    settings = get_settings()
    if not settings.uses_local_server:
        raise click.ClickException(f"NEO4J_URI is set ({settings.neo4j_uri}): the bulk path stops the local server "
                                   "to load its store. Use --files-only DIR and load the files where that server runs.")
    ensure_server()
    server = LocalServer.from_settings()
    result = bulk.load(server, lambda: connect(get_settings()), database or settings.neo4j_database, plan)
    steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in result.seconds.items())
    console.print(f"loaded {result.nodes} nodes and {result.relationships} relationships "
                  f"({result.leftover} through the writer): {steps}.")


def write_and_report(dataset: Dataset, dry_run: bool, database: str | None, batch_size: int = 5000,
                     command: str = "influence import seed", rename: bool = False) -> ImportSummary | None:
    """Shared tail of every Dataset import command (the dataset validated by its `load`): the write with a
    progress bar, then the summary table."""
    console.print(f"Valid: {len(dataset.nodes)} nodes, {len(dataset.relationships)} relationships.")
    if dataset.skipped:
        console.print("Left out (no place in the schema): "
                      + ", ".join(f"{reason} ×{n}" for reason, n in dataset.skipped.most_common()))
    if dry_run:
        console.print("Dry run: nothing written.")
        return None

    def write(driver: Driver, database: str, progress: ProgressCallback) -> ImportSummary:
        return pipeline.write(driver, database, dataset, batch_size=batch_size, progress=progress, rename=rename)

    return write_with_progress(write, len(dataset.nodes) + len(dataset.relationships), database, command)


def write_with_progress(write: Callable[[Driver, str, ProgressCallback], ImportSummary], total: int,
                        database: str | None, command: str) -> ImportSummary:
    """Run `write` with a progress bar and Ctrl-C stopping at a batch boundary, then print the summary."""
    settings = get_settings()
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[rate]}")]
    with connect(settings) as driver, Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("writing", total=total, rate="")

        interrupted = threading.Event()

        def on_interrupt(signum, frame) -> None:
            # Stop at the next batch boundary rather than inside the driver's socket read; a second
            # Ctrl-C interrupts at once.
            interrupted.set()
            signal.signal(signal.SIGINT, signal.default_int_handler)

        def advance(rows: int) -> None:
            progress.advance(task, rows)
            elapsed = progress.tasks[0].elapsed or 0
            progress.update(task, rate=f"{progress.tasks[0].completed / elapsed:,.0f} rows/s" if elapsed else "")
            if interrupted.is_set():
                raise KeyboardInterrupt

        previous = signal.signal(signal.SIGINT, on_interrupt)
        try:
            summary = write(driver, database or settings.neo4j_database, advance)
        except KeyboardInterrupt:
            written = int(progress.tasks[0].completed)
            progress.stop()
            console.print(f"Interrupted after {written:,} of {total:,} rows. Each batch is its own transaction, so "
                          "the graph holds whole batches only. Run the same command again to finish: it merges "
                          f"by id and leaves what is already written unchanged.\n  {command}")
            sys.exit(130)
        finally:
            signal.signal(signal.SIGINT, previous)
    table = Table("kind", "label / type", "created", "updated", "unchanged", title="Import summary")
    for (kind, name), counts in summary.outcomes.items():
        table.add_row(kind, name, *(str(counts[o]) for o in ("created", "updated", "unchanged")))
    console.print(table)
    console.print(f"created {summary.total('created')}, updated {summary.total('updated')}, "
                  f"unchanged {summary.total('unchanged')}; batches retried: {summary.retried_batches}; "
                  f"disputed properties (every value kept, see the `disagreements` query): {summary.disagreements}")
    return summary


# --- resolve -----------------------------------------------------------------------------------------
@main.group()
def resolve():
    """Entity resolution: pending pairs, judgements (same / not same / unsure) and merges in the graph.

    Judgements and the review file live in the resolution folder: data/resolution/ (judgements.csv,
    review.csv), or INFLUENCE_RESOLUTION_DIR."""


@resolve.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True,
              help="How to print the pairs.")
@handle_errors
def resolve_list(fmt):
    """List the pairs pending in the review file (neither merged nor judged yet)."""
    store = resolve_lib.Store()
    rows = store.pending()
    if fmt == "csv":
        click.echo(csv_rows([resolve_lib.REVIEW_COLUMNS, *([r.get(c, "") for c in resolve_lib.REVIEW_COLUMNS]
                                                          for r in rows)]), nl=False)
        return
    table = Table("left", "right", "label", "score", "reason", "judgement", show_lines=True)
    for r in rows:
        table.add_row(cell_text(f"{r['left_id']}\n{r['left_name']}"), cell_text(f"{r['right_id']}\n{r['right_name']}"),
                      cell_text(r["left_label"]), cell_text(r["score"]), cell_text(r["reason"]), cell_text(r["judgement"]))
    console.print(table)
    console.print(f"{len(rows)} pending pairs in {store.review_path}", markup=False)


@resolve.command("decide")
@click.argument("left")
@click.argument("right")
@click.argument("judgement", type=click.Choice([j.value for j in resolve_lib.Judgement]))
@click.option("--by", required=True, help="Who decides (kept with the judgement, and when).")
@click.option("--note", default="", help="Why, in a few words.")
@database_option
@handle_errors
def resolve_decide(left, right, judgement, by, note, database):
    """Judge two ids the same, not the same, or unsure; `same` merges them in the graph (LEFT into RIGHT)."""
    with database_driver(database) as (driver, database):
        reports = run_resolution(resolve_lib.decide, driver, database, resolve_lib.Store(), left, right,
                                 resolve_lib.Judgement(judgement), by, note)
    console.print(f"recorded: {left} {judgement} {right} (by {by})", markup=False)
    for report in reports:
        console.print(str(report), markup=False)


@resolve.command("apply")
@click.option("--by", required=True, help="Who filled in the review file's `judgement` column.")
@database_option
@handle_errors
def resolve_apply(by, database):
    """Record the judgements filled in the review file and merge, in the graph, what judgements join."""
    with database_driver(database) as (driver, database):
        recorded, reports = run_resolution(resolve_lib.apply_review, driver, database, resolve_lib.Store(), by)
    console.print(f"recorded {len(recorded)} judgements; {len(reports)} merges in the graph", markup=False)
    for report in reports:
        console.print(str(report), markup=False)


def run_resolution(action, *args):
    """A resolution action, its refusals shown as one-paragraph errors."""
    try:
        return action(*args)
    except ValueError as refused:  # JudgementConflict, MergeRefused, a judgement without --by
        raise click.ClickException(printable(str(refused))) from None


# --- export ------------------------------------------------------------------------------------------
@main.group()
def export():
    """Write the graph out of Neo4j (read-only)."""


@export.command("jsonl")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@database_option
@handle_errors
def export_jsonl(path, database):
    """Stream the whole graph into a JSON-lines file that `influence import jsonl` reads back."""
    with database_driver(database) as (driver, database):
        written = jsonl_importer.write_jsonl(jsonl_importer.export_records(driver, database), path)
    console.print(f"wrote {written} records to {path}")


# --- demo ------------------------------------------------------------------------------------------
DEMO_QUERIES = [
    ("top-lenders", {}),
    ("financing-chains", {"country": "ZW"}),
    ("owners-of", {"entity": "hikvision"}),
    ("party-channel", {}),
    ("country-ranking", {"limit": 10}),
]
DEMO_PICTURES = [
    ("financing-chains", {}),
    ("owners-of", {"entity": "hikvision"}),
    ("holdings-of", {"entity": "huawei"}),
    ("party-channel", {"entity": "hikvision"}),
    ("country-exposure", {"country": "ZW"}),
]


@main.command()
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
              show_default=True, help="Folder for the pictures.")
@database_option
@handle_errors
def demo(output, database):
    """The main job: start Neo4j if needed, import the seed data, run canned queries, write the pictures."""
    settings = get_settings()
    database = database or settings.neo4j_database
    ensure_server()
    write_and_report(seed_importer.load(), dry_run=False, database=database, rename=True)
    with connect(settings) as driver:
        for name, params in DEMO_QUERIES:
            shown = ", ".join(f"{k}={v}" for k, v in params.items())
            emit(cypher.run(driver, name, params, database), "table", None, False,
                 title=f"{cypher.get(name).title} ({shown or 'all'})")
        for name, params in DEMO_PICTURES:
            stem = "-".join([name, *map(str, params.values())])
            page = pictures.render(driver, name, params, output / f"{stem}.html", database=database)
            console.print(f"picture: {page.resolve()}")
        info = health(driver, database)
    console.print(f"Neo4j {info.version} {info.edition} at {info.uri}: {info.nodes} nodes, "
                  f"{info.relationships} relationships. Browser: {LocalServer.from_settings().browser_url}")


def run():
    main(prog_name="influence")


if __name__ == "__main__":
    sys.exit(run())
