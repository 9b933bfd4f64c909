"""The notebooks in notebooks/: stored without outputs, and each runs top to bottom against the test server.

Each notebook is executed by nbclient in a fresh kernel running this venv's Python, whose environment points
`graph.connect()` at the test server (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE); a cell that
raises fails the test, and a cell gets CELL_TIMEOUT seconds. The notebooks only add to the database (the seed
data, and in 05 its example rows), so they run on whatever other tests left there; their pictures and charts
go to a temporary folder, never into the repository. `test_py2neo_*` checks, call by call, what notebook 06
says py2neo can and cannot do against Neo4j 5.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from nbclient import NotebookClient

import cypher
from graph.settings import PROJECT_ROOT
from graph.writer import write_dataset
from importers import seed
from tests.helpers import DATABASE, MARKER_LABEL

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
PY2NEO_NOTEBOOK = "06-py2neo-compatibility.ipynb"
CELL_TIMEOUT = 120
# Values for the cell tagged `parameters`, injected after it the way papermill does. Notebook 05 writes its
# made-up example rows only when told to, and is told so only on a database the tests own (it has their marker).
PARAMETERS = {"05-bring-your-own-data.ipynb": {"WRITE_EXAMPLE_ROWS": True}}
# What each notebook must leave in its output folder: the pages it draws and the charts it saves.
WRITES = {
    "01-quickstart.ipynb": ["01-financing-chains-ZW.html"],
    "02-financing-chains.ipynb": ["02-financing-by-lender-and-year.png", "02-financing-china-exim-bank.html"],
    "03-ownership-and-party.ipynb": ["03-owners-of-hikvision.html", "03-party-channel-hikvision.html"],
    "04-country-profile.ipynb": ["04-timeline-ZW.png", "04-country-exposure-ZW.html"],
}
SHOW_HTTP_LISTEN_ADDRESS = "SHOW SETTINGS YIELD name, value WHERE name = 'server.http.listen_address' RETURN value"


def require_py2neo():
    """Skip (saying why) where py2neo is not installed; on CI, where the dev extra installs it, fail instead."""
    if importlib.util.find_spec("py2neo") is None:  # not imported here: py2neo reads NEO4J_URI when imported
        if os.environ.get("CI"):
            pytest.fail("py2neo is not installed on CI, where the dev extra installs it (influence-graph[py2neo])")
        pytest.skip("py2neo is not installed (.venv/bin/pip install -e '.[py2neo]'): notebook 06 and its checks need it")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


# --- stored form ---------------------------------------------------------------------------------------
def test_the_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == [
        "01-quickstart.ipynb", "02-financing-chains.ipynb", "03-ownership-and-party.ipynb", "04-country-profile.ipynb",
        "05-bring-your-own-data.ipynb", PY2NEO_NOTEBOOK,
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    notebook = read(path)
    nbformat.validate(notebook)
    dirty = [index for index, cell in enumerate(notebook.cells)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} hold outputs or execution counts; clear them before committing"
    assert notebook.cells[0].cell_type == "markdown" and "What does this answer?" in notebook.cells[0].source


def test_the_country_profile_takes_one_parameter():
    tagged = [cell for cell in read(NOTEBOOK_DIR / "04-country-profile.ipynb").cells
              if "parameters" in cell.get("metadata", {}).get("tags", [])]
    assert [cell.source for cell in tagged] == ['COUNTRY = "ZW"']


# --- execution -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def notebook_db(driver):
    """The test database as the notebooks find it. An empty one first gets the tests' marker node, so that
    other tests may later wipe what the notebooks add; a database with data is left as it is."""
    records, _, _ = driver.execute_query("RETURN count { MATCH (n) } AS nodes", database_=DATABASE)
    if records[0]["nodes"] == 0:
        driver.execute_query(f"CREATE (:{MARKER_LABEL} {{createdBy: 'influence-graph tests'}})", database_=DATABASE)
    return driver


@pytest.fixture
def kernel_env(neo4j_target, tmp_path, monkeypatch) -> Path:
    """The environment the kernel starts with; returns the folder the notebooks write their output to."""
    uri, user, password = neo4j_target
    kernels = tmp_path / "jupyter" / "kernels" / "python3"  # this venv's Python, whatever else is installed
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (influence-graph tests)", "language": "python",
    }))
    output = tmp_path / "output"
    (tmp_path / "tmp").mkdir()  # the kernel's temporary files (05's spreadsheet, mapping and review)
    for name, value in {
        "NEO4J_URI": uri, "NEO4J_USER": user, "NEO4J_PASSWORD": password, "NEO4J_DATABASE": DATABASE,
        "INFLUENCE_ENV_FILE": str(tmp_path / "no.env"), "INFLUENCE_NOTEBOOK_OUTPUT": str(output),
        "MPLBACKEND": "Agg", "JUPYTER_PATH": str(tmp_path / "jupyter"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "IPYTHONDIR": str(tmp_path / "ipython"), "TMPDIR": str(tmp_path / "tmp"), "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }.items():
        monkeypatch.setenv(name, value)
    return output


def execute(path: Path, parameters: dict | None = None) -> nbformat.NotebookNode:
    """Run every cell in order, as "Restart and run all" does; a cell that raises raises CellExecutionError."""
    notebook = read(path)
    if parameters:
        index = next(i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", []))
        injected = nbformat.v4.new_code_cell("\n".join(f"{name} = {value!r}" for name, value in parameters.items()))
        injected.metadata["tags"] = ["injected-parameters"]
        notebook.cells.insert(index + 1, injected)
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, startup_timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    client.execute()
    return notebook


def outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


def check_example_rows_merged(driver) -> None:
    """After 05: the example rows sit on the seed's entities (a misspelt vendor merged by the analyst's decision)."""
    hits = cypher.run(driver, "search-entities", {"text": "Hikvison", "limit": 3}, DATABASE)
    assert hits["id"].iloc[0] == "hikvision" and "Hikvison" in hits["aliases"].iloc[0]
    chains = cypher.run(driver, "financing-chains", {"lender": "china-exim-bank", "country": "ZW"}, DATABASE)
    harare = chains[(chains["project"] == "EXAMPLE Harare traffic cameras") & (chains["link"] == "direct")]
    assert harare[["amount", "currency", "instrument"]].values.tolist() == [[35_000_000.0, "USD", "buyer credit"]]
    assert harare["contractors"].iloc[0] == ["Hikvision (equipment supplier)"]


CHECKS = {"05-bring-your-own-data.ipynb": check_example_rows_merged}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, notebook_db, kernel_env):
    if path.name == PY2NEO_NOTEBOOK:
        require_py2neo()
    records, _, _ = notebook_db.execute_query(f"RETURN count {{ MATCH (m:{MARKER_LABEL}) }} > 0 AS ours", database_=DATABASE)
    parameters = PARAMETERS.get(path.name) if records[0]["ours"] else None
    stored = sorted(NOTEBOOK_DIR.rglob("*"))
    notebook = execute(path, parameters)

    assert not [o for o in outputs(notebook) if o.output_type == "error"]
    assert sorted(NOTEBOOK_DIR.rglob("*")) == stored, "a notebook wrote into the repository"
    written = sorted(p.name for p in kernel_env.glob("*")) if kernel_env.exists() else []
    assert set(WRITES.get(path.name, [])) <= set(written), f"{path.name} wrote {written}"
    pictures = [o for o in outputs(notebook) if "<iframe srcdoc=" in o.get("data", {}).get("text/html", "")]
    assert bool(pictures) == any(name.endswith(".html") for name in WRITES.get(path.name, [])), "pictures show inline"
    if path.name in CHECKS and parameters:
        CHECKS[path.name](notebook_db)


# --- py2neo --------------------------------------------------------------------------------------------
def test_py2neo_fails_when_imported_with_a_neo4j_scheme_in_NEO4J_URI(neo4j_target, tmp_path):
    """py2neo reads NEO4J_URI at import and applies it to every connection; its connection profiles know only
    bolt and http. Each case runs in a fresh process, as notebook 06 tries it."""
    require_py2neo()
    uri, user, password = neo4j_target
    parts = urlsplit(uri)
    bolt, routing = (parts._replace(scheme=scheme).geturl() for scheme in ("bolt", "neo4j"))
    code = ("import os, py2neo\n"
            "graph = py2neo.Graph(os.environ['TRY_URI'], auth=(os.environ['TRY_USER'], os.environ['TRY_PASSWORD']))\n"
            "print(graph.evaluate('RETURN 1'))")

    def run(neo4j_uri: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "NEO4J_URI": neo4j_uri, "TRY_URI": bolt, "TRY_USER": user, "TRY_PASSWORD": password}
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                              cwd=tmp_path)

    failed = run(routing)
    assert failed.returncode != 0 and "ValueError: Unknown protocol 'neo4j'" in failed.stderr
    worked = run(bolt)
    assert (worked.returncode, worked.stdout.strip()) == (0, "1"), worked.stderr


@pytest.fixture(scope="module")
def py2neo_graph(neo4j_target, notebook_db):
    """py2neo's Graph over bolt://, on a database holding the seed data (added, as the notebooks add it)."""
    require_py2neo()
    import py2neo

    write_dataset(notebook_db, DATABASE, seed.load(), rename=True)
    uri, user, password = neo4j_target
    parts = urlsplit(uri)
    with pytest.MonkeyPatch.context() as patch:
        # as if NEO4J_URI and NEO4J_AUTH had been unset when py2neo was imported (see the test above)
        patch.setattr(py2neo, "NEO4J_URI", None)
        patch.setattr(py2neo, "NEO4J_AUTH", None)
        graph = py2neo.Graph(parts._replace(scheme="bolt").geturl(), auth=(user, password), name=DATABASE)
        yield graph
        graph.service.connector.close()


def test_py2neo_run_to_data_frame_works_over_bolt_and_neo4j_schemes(py2neo_graph, neo4j_target):
    from py2neo import Graph

    uri, user, password = neo4j_target
    parts = urlsplit(uri)
    assert str(py2neo_graph.service.kernel_version).startswith("5.")
    for scheme in ("bolt", "neo4j"):  # neo4j:// routes: the server hands back its own address (Bolt 4.3 ROUTE)
        graph = Graph(parts._replace(scheme=scheme).geturl(), auth=(user, password), name=DATABASE)
        try:
            assert graph.run("RETURN 1 AS one").to_data_frame().to_dict("records") == [{"one": 1}]
            connection = graph.service.connector._acquire_ro(DATABASE)  # py2neo is frozen; its internals will not move
            assert connection.protocol_version == (4, 3), "py2neo offers Bolt 4.0-4.3; Neo4j 5.26 accepts 4.3"
            connection.release()
        finally:
            graph.service.connector.close()


@pytest.mark.parametrize(("name", "params"), [
    ("top-lenders", {"country": "ZW"}), ("owners-of", {"entity": "hikvision"}), ("financing-chains", {"country": "ZW"}),
    ("party-channel", {"entity": "hikvision"}),
])
def test_py2neo_runs_the_canned_query_text_with_the_same_rows(py2neo_graph, notebook_db, name, params):
    query = cypher.get(name)
    columns = [column for column, _ in query.columns]
    by_py2neo = py2neo_graph.query(query.cypher, query.bind(params)).to_data_frame(columns=columns)
    by_driver = cypher.run(notebook_db, query, params, DATABASE)
    assert len(by_driver) > 0
    assert by_py2neo.astype(str).equals(by_driver.astype(str))


def test_py2neo_helpers_that_send_plain_cypher_work(py2neo_graph):
    assert py2neo_graph.evaluate("MATCH (c:Company {id: 'hikvision'}) RETURN c.name") == "Hikvision"
    assert dict(py2neo_graph.nodes.match("Company", id="hikvision").first())["name"] == "Hikvision"
    assert py2neo_graph.call.dbms.components().data()[0]["name"] == "Neo4j Kernel"
    assert {"Company", "StateBank", "Project"} <= py2neo_graph.schema.node_labels
    assert {"OWNS", "FINANCED"} <= py2neo_graph.schema.relationship_types


def test_py2neo_index_and_constraint_lookups_fail_on_neo4j_5(py2neo_graph):
    from py2neo.errors import ClientError

    for lookup in (py2neo_graph.schema.get_indexes, py2neo_graph.schema.get_uniqueness_constraints):
        with pytest.raises(ClientError, match=r"ProcedureNotFound.*no procedure with the name `db\.indexes`"):
            lookup("Entity")


def test_py2neo_over_http_fails_on_its_neo4j_3_login_check(py2neo_graph, neo4j_target, notebook_db):
    from py2neo import Graph
    from py2neo.errors import ClientError

    uri, user, password = neo4j_target
    listen = cypher.run_cypher(notebook_db, SHOW_HTTP_LISTEN_ADDRESS, database=DATABASE)["value"].iloc[0]
    http = f"http://{urlsplit(uri).hostname}:{listen.rsplit(':', 1)[1]}"
    with pytest.raises(ClientError, match=r"\[Request\.Invalid\] Not Found"):  # GET /db/data/: gone since Neo4j 4
        Graph(http, auth=(user, password), name=DATABASE).run("RETURN 1 AS one")
