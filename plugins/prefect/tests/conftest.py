"""A real Prefect 3 for the tests: one ephemeral API server per session.

Prefect reads ``PREFECT_HOME`` and its settings when first imported, so they are set here,
at conftest import: a temporary home (its SQLite database is the server's), analytics and
the UI off. The ``prefect_api`` fixture starts Prefect's own test harness once per session
(``prefect_test_harness``: a real API server on 127.0.0.1 with SQLite; ~15 s to start on two
cores, hence the 60 s timeout); flows then run in process against it, and the tests read
flow runs, task runs and artifacts back through Prefect's client.

Two test engines are installed for the session as an installed plugin would be (a
dist-info on ``sys.path``; see probe_engines.py).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

_ROOT = Path(tempfile.mkdtemp(prefix="dq-prefect-tests-"))
HOME = _ROOT / "prefect-home"
SITE = _ROOT / "site"
PROBE_FILE = _ROOT / "tenant-probe.log"
for _folder in (HOME, SITE):
    _folder.mkdir(parents=True, exist_ok=True)
os.environ.update(
    {
        "PREFECT_HOME": str(HOME),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        # task logs stay local: the tests read states and artifacts, and every log line
        # sent to the API costs a request on two shared cores
        "PREFECT_LOGGING_TO_API_ENABLED": "false",
        "DQ_PREFECT_TEST_PROBE": str(PROBE_FILE),
        "DQ_STATE_DIR": str(_ROOT / "dq-state"),
    }
)
# no user dq config or tenant, nor a Prefect profile pointing elsewhere, may leak in
for _name in ("DQ_CONFIG", "DQ_TENANT", "PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE"):
    os.environ.pop(_name, None)


def _install_probe_engines() -> None:
    import dq

    major_minor = ".".join(dq.HOOK_API_VERSION.split(".")[:2])
    info = SITE / "dq_prefect_test_probes-1.0.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: dq-prefect-test-probes\nVersion: 1.0.0\n\n"
    )
    (info / "entry_points.txt").write_text(
        "[dq.engines]\ntenant-probe = probe_engines\nflaky = probe_engines\n\n"
        f"[dq.hook_api]\n^{major_minor} = probe_engines\n"
    )
    sys.path.insert(0, str(SITE))
    sys.path.insert(0, str(Path(__file__).parent))
    assert metadata.distribution("dq-prefect-test-probes").version == "1.0.0"


_install_probe_engines()


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """Prefect's ephemeral API server, started once for the session; yields its URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield str(PREFECT_API_URL.value())
