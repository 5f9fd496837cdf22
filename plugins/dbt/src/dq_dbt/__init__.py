"""dq-dbt: dq's checks as a dbt package, and dbt's test results read back into dq.

* :func:`package_path` -- the folder of the dq dbt package (generic tests ``dq.dq_<check>``
  with dq's pinned semantics, DuckDB and Postgres), for a ``local:`` entry in packages.yml;
* :func:`generate` -- a dq rule set as schema.yml tests of that package;
* :func:`read_results` -- ``run_results.json`` + ``manifest.json`` as a :class:`dq.CheckResult`
  judged by dq's gate, so dbt's outcomes reach dq's gate and notifications.

Importing this module imports neither dbt nor yaml.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dq_dbt._generate import generate
    from dq_dbt._results import read_results

__version__ = "0.1.0"
__all__ = ["__version__", "generate", "package_path", "read_results"]


def package_path() -> Path:
    """Where the dq dbt package (its dbt_project.yml) is installed."""
    return Path(__file__).parent / "dbt_package"


def __getattr__(name: str) -> Any:
    if name == "generate":
        from dq_dbt._generate import generate

        return generate
    if name == "read_results":
        from dq_dbt._results import read_results

        return read_results
    raise AttributeError(f"module 'dq_dbt' has no attribute {name!r}")
