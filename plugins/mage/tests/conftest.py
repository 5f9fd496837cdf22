"""One real Mage project for the whole session (mage-ai takes ~6 s to import).

The project is made the way ``mage init`` makes it (``init_repo``), with
``help_improve_mage: false`` so nothing is sent anywhere, and ``MAGE_DATA_DIR`` pointed into
the session's temporary folder *before* mage_ai is imported (Mage reads it at import). Its
pipeline ``dq_orders`` is built with Mage's own ``Pipeline``/``Block`` API from the block
files in ``tests/project/``:

    load_orders (data_loader, pandas) -> check_orders (transformer + @test, dq_transform)
        -> export_orders (data_exporter, writes a marker file)
    load_orders -> orders_verdict (transformer, dq_check fail_on="never": output = summary)
    export_orders has the conditional add-on block orders_clean (dq_condition)
    orders_landed (sensor, dq_sensor) -> after_sensor (custom)

Suites run on ``engine:contract-trivial`` (dq-contract-tests' reference engine), installed
once for the session: dq-polars cannot be installed beside mage-ai 0.9 (it needs
polars>=1.32, mage-ai pins polars==1.30.0); see decision 0045.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
BLOCKS = HERE / "project"

DATA = "id,email,amount\n1,a@example.com,10\n2,b@example.com,20\n3,,30\n4,d@example.com,-5\n"
RULES = {
    "passing": """rules = [
  {id = "ids_present", check = "not_null", column = "id"},
  {id = "ids_unique", check = "unique", column = "id"},
  {id = "amount_range", check = "between", column = "amount", min = -10, max = 100},
]""",
    "failing": """rules = [
  {id = "ids_unique", check = "unique", column = "id"},
  {id = "emails_present", check = "not_null", column = "email"},
  {id = "amount_positive", check = "between", column = "amount", min = 0},
]""",
    "warnings": """rules = [
  {id = "ids_present", check = "not_null", column = "id"},
  {id = "emails_present", check = "not_null", column = "email", severity = "warning"},
  {id = "amount_positive", check = "between", column = "amount", min = 0, severity = "warning"},
]""",
}
ENGINE = "contract-trivial"


@dataclass
class Project:
    root: Path
    repo: str
    data: Path

    def suite(self, name: str) -> str:
        """The suite file *name*, relative to the project (as a block author writes it)."""
        return f"suites/{name}.suite.toml"

    def pipeline(self) -> Any:
        from mage_ai.data_preparation.models.pipeline import Pipeline

        return Pipeline.get("dq_orders", repo_path=self.repo)


def _write_suites(repo: Path, data: Path) -> None:
    folder = repo / "suites"
    folder.mkdir()
    for name, rules in RULES.items():
        (folder / f"{name}.rules.toml").write_text(rules)
        (folder / f"{name}.suite.toml").write_text(
            f'name = "{name}"\nsource = "{data.as_posix()}"\nrules = "{name}.rules.toml"\n'
            f'engine = "{ENGINE}"\n'
        )
    (folder / "bad_engine.suite.toml").write_text(
        f'name = "bad_engine"\nsource = "{data.as_posix()}"\nrules = "passing.rules.toml"\n'
        'engine = "no-such-engine"\n'
    )


def _build_pipeline(repo: str) -> None:
    from mage_ai.data_preparation.models.block import Block
    from mage_ai.data_preparation.models.constants import BlockLanguage, BlockType
    from mage_ai.data_preparation.models.pipeline import Pipeline

    pipeline = Pipeline.create("dq_orders", repo_path=repo)

    def add(name: str, kind: Any, upstream: list[str]) -> None:
        block = Block.create(
            name,
            kind,
            repo,
            pipeline=pipeline,
            upstream_block_uuids=upstream,
            language=BlockLanguage.PYTHON,
        )
        Path(block.file_path).write_text((BLOCKS / f"{name}.py").read_text())

    add("load_orders", BlockType.DATA_LOADER, [])
    add("check_orders", BlockType.TRANSFORMER, ["load_orders"])
    add("export_orders", BlockType.DATA_EXPORTER, ["check_orders"])
    add("orders_clean", BlockType.CONDITIONAL, ["export_orders"])
    add("orders_verdict", BlockType.TRANSFORMER, ["load_orders"])
    add("orders_landed", BlockType.SENSOR, [])
    add("after_sensor", BlockType.CUSTOM, ["orders_landed"])


@pytest.fixture(scope="session")
def contract_site() -> Iterator[Path]:
    """``engine:contract-trivial`` installed for the session (sys.path and PYTHONPATH)."""
    from dq_contract.orchestrator import install_contract_engine

    site = Path(tempfile.mkdtemp(prefix="dq-mage-site-"))
    install_contract_engine(site)
    sys.path.insert(0, str(site))
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), old]))
    yield site
    sys.path.remove(str(site))
    if old is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = old


@pytest.fixture(scope="session")
def project(contract_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("mage")
    os.environ["MAGE_DATA_DIR"] = str(root / "mage-data")  # before mage_ai is imported
    from mage_ai.data_preparation.repo_manager import init_repo

    repo = root / "dq_project"
    init_repo(str(repo))
    meta = repo / "metadata.yaml"
    text = meta.read_text()
    assert "help_improve_mage: true" in text, "Mage's project template changed"
    meta.write_text(text.replace("help_improve_mage: true", "help_improve_mage: false"))
    data = root / "orders.csv"
    data.write_text(DATA)
    _write_suites(repo, data)
    _build_pipeline(str(repo))
    return Project(root=root, repo=str(repo), data=data)
