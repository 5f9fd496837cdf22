"""A real PostgreSQL and a real dbt project, each started or built once per session.

``postgres``: ``initdb`` + ``pg_ctl`` from the machine's PostgreSQL binaries
(``/usr/lib/postgresql/*/bin``) into a fresh temp dir, UTF-8 with the ``C.UTF-8`` locale
(so ``\\w`` in a regex is Unicode-aware, as dq's dialect is), listening only on a unix
socket inside that dir (no TCP port to collide with another test run). PostgreSQL refuses
to run as root: under root the server runs as the ``postgres`` user. Self-contained, so
another plugin's tests can copy this fixture as is.

``dbt_runs``: one dbt project (seed ``orders_raw`` = examples/orders.csv, a view ``orders``
over it, and the schema.yml that ``dq_dbt.generate`` writes for examples/orders.rules.toml)
installed with the dq dbt package and built with ``dbt build`` once per target (DuckDB
file, then the Postgres above); every test reads the artifacts it left.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
os.environ.pop("DQ_CONFIG", None)
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
DATA = Path(__file__).resolve().parent / "data"


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        shutil_which = shutil.which("initdb")
        if shutil_which is None:
            pytest.skip("no PostgreSQL server binaries (initdb) on this machine")
        return Path(shutil_which).parent
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres() -> Iterator[dict[str, Any]]:
    """A running PostgreSQL: ``{"host": socket dir, "port", "user", "dbname"}``."""
    bindir = _pg_bin()
    root = Path(tempfile.mkdtemp(prefix="dq-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb and postgres refuse root
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        root.chmod(0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
         "-E", "UTF8", "--locale=C.UTF-8"],
        check=True, capture_output=True, timeout=120,
    )
    log = root / "server.log"
    started = time.perf_counter()
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
         "-o", f"-p {port} -k {sock} -c listen_addresses=''", "start"],
        check=True, capture_output=True, timeout=90,
    )
    try:
        yield {"host": str(sock), "port": port, "user": "postgres", "dbname": "postgres",
               "started_in": time.perf_counter() - started}
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


PROJECT = """\
name: dq_it
version: "1.0"
config-version: 2
profile: dq_it
seeds:
  dq_it:
    orders_raw:
      +column_types:
        order_id: bigint
        customer_email: varchar
        status: varchar
        country: varchar
        created_at: varchar
    edge_raw:
      +column_types:
        id: bigint
        name: varchar
        code: varchar
"""


def _profiles(root: Path, pg: dict[str, Any]) -> str:
    return f"""\
dq_it:
  target: duckdb
  outputs:
    duckdb:
      type: duckdb
      path: {root / 'dq_it.duckdb'}
      threads: 1
    postgres:
      type: postgres
      host: {pg['host']}
      port: {pg['port']}
      user: {pg['user']}
      password: ""
      dbname: {pg['dbname']}
      schema: dq_it
      threads: 1
"""


class DbtProject:
    """The session's dbt project: invoke dbt in-process, read the artifacts it left."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def invoke(self, *args: str) -> Any:
        from dbt.cli.main import dbtRunner

        return dbtRunner().invoke(
            [*args, "--project-dir", str(self.root), "--profiles-dir", str(self.root)]
        )

    def artifacts(self, target: str) -> tuple[Path, Path]:
        folder = self.root / f"target_{target}"
        return folder / "run_results.json", folder / "manifest.json"


@pytest.fixture(scope="session")
def dbt_runs(postgres: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Build the project on both targets once; ``{"project", "durations", <target>: result}``."""
    import dq
    from dq_dbt import generate, package_path

    root = tmp_path_factory.mktemp("dbt_project")
    (root / "dbt_project.yml").write_text(PROJECT)
    (root / "profiles.yml").write_text(_profiles(root, postgres))
    (root / "packages.yml").write_text(f"packages:\n  - local: {package_path()}\n")
    (root / "seeds").mkdir()
    shutil.copy(EXAMPLES / "orders.csv", root / "seeds" / "orders_raw.csv")
    (root / "models").mkdir()
    (root / "models" / "orders.sql").write_text("select * from {{ ref('orders_raw') }}\n")
    rules = dq.load_typed(EXAMPLES / "orders.rules.toml", dq.RuleSet)
    (root / "models" / "schema.yml").write_text(generate(rules, "orders"))
    shutil.copy(DATA / "edge.csv", root / "seeds" / "edge_raw.csv")
    (root / "models" / "edge.sql").write_text("select * from {{ ref('edge_raw') }}\n")
    edge = dq.load_typed(DATA / "edge.rules.toml", dq.RuleSet)
    (root / "models" / "edge.yml").write_text(generate(edge, "edge"))
    project = DbtProject(root)
    durations: dict[str, float] = {"postgres_start": postgres["started_in"]}
    started = time.perf_counter()
    deps = project.invoke("deps")
    assert deps.success, deps.exception
    durations["deps"] = time.perf_counter() - started
    outcomes: dict[str, Any] = {"project": project, "durations": durations}
    for target in ("duckdb", "postgres"):
        started = time.perf_counter()
        run = project.invoke("build", "--target", target, "--target-path", f"target_{target}")
        durations[f"build_{target}"] = time.perf_counter() - started
        assert run.exception is None, run.exception
        outcomes[target] = run
    return outcomes
