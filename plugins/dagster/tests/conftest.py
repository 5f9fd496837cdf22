"""A real Dagster for the tests: one temporary DAGSTER_HOME and instance per session.

Dagster reads ``DAGSTER_HOME`` and telemetry settings when an instance is made, so they are
set here, at conftest import. ``materialize(...)`` runs the assets and checks in process on
that instance (SQLite event log in the temporary home), and the tests read check
evaluations, materializations and step events back from the run's events.

Two test engines are installed for the session as an installed plugin would be (a
dist-info on ``sys.path``; see probe_engines.py): ``tenant-probe`` records the tenant bound
while it checks, ``flaky`` raises a runtime error on its first call of each file.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

_ROOT = Path(tempfile.mkdtemp(prefix="dq-dagster-tests-"))
HOME = _ROOT / "dagster-home"
SITE = _ROOT / "site"
PROBE_FILE = _ROOT / "tenant-probe.log"
for _folder in (HOME, SITE):
    _folder.mkdir(parents=True, exist_ok=True)
os.environ.update(
    {
        "DAGSTER_HOME": str(HOME),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "DQ_DAGSTER_TEST_PROBE": str(PROBE_FILE),
        "DQ_STATE_DIR": str(_ROOT / "dq-state"),
    }
)
# no user dq config or tenant may leak into the runs
os.environ.pop("DQ_CONFIG", None)
os.environ.pop("DQ_TENANT", None)


def _install_probe_engines() -> None:
    import dq

    major_minor = ".".join(dq.HOOK_API_VERSION.split(".")[:2])
    info = SITE / "dq_dagster_test_probes-1.0.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: dq-dagster-test-probes\nVersion: 1.0.0\n\n"
    )
    (info / "entry_points.txt").write_text(
        "[dq.engines]\ntenant-probe = probe_engines\nflaky = probe_engines\n\n"
        f"[dq.hook_api]\n^{major_minor} = probe_engines\n"
    )
    sys.path.insert(0, str(SITE))
    sys.path.insert(0, str(Path(__file__).parent))
    assert metadata.distribution("dq-dagster-test-probes").version == "1.0.0"


_install_probe_engines()


@pytest.fixture(scope="session")
def instance() -> Iterator[Any]:
    """One Dagster instance (SQLite storage under the temporary DAGSTER_HOME) per session."""
    import dagster as dg

    with dg.instance_for_test(temp_dir=str(HOME)) as inst:
        yield inst
