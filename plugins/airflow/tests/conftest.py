"""A real Airflow 3 for the tests: SQLite metadata DB, temporary dags folder, dag.test().

Airflow reads ``AIRFLOW_HOME`` and its ``AIRFLOW__*`` settings when it is first imported (and
creates ``~/airflow`` otherwise), so they are set here, at conftest import, before any test
module can import it. The metadata DB is created once per session (``resetdb``, ~4 s); each
DAG file is written into the dags folder and parsed from there, because ``dag.test()`` runs
only DAGs Airflow has parsed from a file.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

_ROOT = Path(tempfile.mkdtemp(prefix="dq-airflow-tests-"))
HOME = _ROOT / "airflow-home"
DAGS = _ROOT / "dags"
SITE = _ROOT / "site"
PROBE_FILE = _ROOT / "tenant-probe.log"
for _folder in (HOME, DAGS, SITE):
    _folder.mkdir(parents=True, exist_ok=True)
os.environ.update(
    {
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "DQ_AIRFLOW_TEST_PROBE": str(PROBE_FILE),
    }
)
# no user dq config or tenant may leak into the runs
os.environ.pop("DQ_CONFIG", None)
os.environ.pop("DQ_TENANT", None)


def _install_probe_engine() -> None:
    """Offer ``engine:tenant-probe`` (tests/probe_engine.py) as an installed plugin would."""
    import dq

    major_minor = ".".join(dq.HOOK_API_VERSION.split(".")[:2])
    info = SITE / "dq_airflow_test_probe-1.0.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: dq-airflow-test-probe\nVersion: 1.0.0\n\n"
    )
    (info / "entry_points.txt").write_text(
        "[dq.engines]\ntenant-probe = probe_engine\n\n"
        f"[dq.hook_api]\n^{major_minor} = probe_engine\n"
    )
    sys.path.insert(0, str(SITE))
    sys.path.insert(0, str(Path(__file__).parent))
    assert metadata.distribution("dq-airflow-test-probe").version == "1.0.0"


_install_probe_engine()


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Create Airflow's SQLite metadata DB once for the session."""
    from airflow.utils import db

    db.resetdb()
    return HOME / "airflow.db"


@contextmanager
def captured_fd_output() -> Iterator[Callable[[], str]]:
    """Capture the task log: file descriptors 1 and 2, sys.stdout/stderr and the root logger."""
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile(mode="w+b") as sink:
        saved = os.dup(1), os.dup(2)
        saved_streams = sys.stdout, sys.stderr
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        stream = io.TextIOWrapper(os.fdopen(os.dup(1), "wb"), "utf-8", line_buffering=True)
        sys.stdout = sys.stderr = stream
        # Airflow's stdlib root handler holds the stream that was sys.stdout when logging was
        # configured (pytest's capture file): add one writing to the sink, in the same order
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("[%(levelname)s] %(name)s: %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        text: list[str] = []
        try:
            yield lambda: "".join(text)
        finally:
            root.removeHandler(handler)
            stream.flush()
            sys.stdout, sys.stderr = saved_streams
            stream.close()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
            sink.seek(0)
            text.append(sink.read().decode("utf-8", "replace"))


class DagRunOutcome:
    """One finished DAG run read back from Airflow's DB: states, XComs and the log."""

    def __init__(self, dag_run: Any, log: str) -> None:
        from airflow.models.xcom import XComModel
        from airflow.utils.session import create_session

        self.dag_run = dag_run
        self.state = str(dag_run.state)
        self.log = log
        self.task_states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
        self.try_numbers = {ti.task_id: ti.try_number for ti in dag_run.get_task_instances()}
        self.xcoms: dict[tuple[str, str], Any] = {}
        with create_session() as session:
            query = XComModel.get_many(run_id=dag_run.run_id, dag_ids=dag_run.dag_id)
            for row in session.scalars(query):
                self.xcoms[(row.task_id, row.key)] = XComModel.deserialize_value(row)

    def xcom(self, task_id: str, key: str = "return_value") -> Any:
        return self.xcoms.get((task_id, key))

    def task_log(self, task_id: str) -> str:
        """The lines logged while *task_id* ran (dag.test brackets each task's run)."""
        start = self.log.find(f"[DAG TEST] starting task_id={task_id} ")
        end = self.log.find(f"[DAG TEST] end task task_id={task_id} ", start)
        assert start >= 0, f"task {task_id} never started:\n{self.log[-3000:]}"
        return self.log[start : end if end >= 0 else None]


def run_dag(dag_id: str, source: str, **test_kwargs: Any) -> DagRunOutcome:
    """Write *source* as ``dags/<dag_id>.py``, parse it as Airflow does, and dag.test() it."""
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 3.1
        from airflow.models.dagbag import DagBag

    path = DAGS / f"{dag_id}.py"
    path.write_text(source)
    bag = DagBag(dag_folder=str(path))
    assert not bag.import_errors, f"DAG {dag_id} failed to import: {bag.import_errors}"
    dag = bag.get_dag(dag_id)
    assert dag is not None, f"{path} defines no DAG {dag_id!r}"
    with captured_fd_output() as output:
        dag_run = dag.test(**test_kwargs)
    return DagRunOutcome(dag_run, output())
