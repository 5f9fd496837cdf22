"""Every Python block of docs/plugin-authors.md and docs/contracts/*.md runs.

A block that subclasses a contract runs as a test module in a nested pytest session (the way a
plugin author would run it) and must pass; any other Python block is executed and must not
raise. A block that cannot run on its own (a fragment of a bigger class, code for an
orchestrator or service not installed here) says so right above its fence with
``<!-- not-run: why -->`` and must still compile. Every fence names its language, so shell,
TOML and output are never mistaken for Python. The dq-types table of helpers.md must equal
what ``doc_types.render()`` reads from dq-core.

Long contracts run a representative slice (``-k``): the whole runs are the contract's own
tests; here the point is that the block, as printed, is a working subclass.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import attrs
import doc_types
import dq_contract
import pytest
from broken_harness import CONFTEST, fresh_import

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = [DOCS / "plugin-authors.md", *sorted((DOCS / "contracts").glob("*.md"))]
FENCE = re.compile(r"^(\s*)(```|~~~)(.*)$")
NOT_RUN = re.compile(r"^<!--\s*not-run:\s*(.*?)\s*-->$")
CONTRACT_CLASS = re.compile(r"^class \w+\((\w+Contract)\):", re.MULTILINE)

#: Contract -> the slice its doc blocks run (None: the whole contract, which is fast).
SLICES: dict[str, str | None] = {
    "SecretBackendContract": "not unsafe_paths and not round_trips",
    "TenantResolverContract": "not other_request_facts and not any_request and not deterministic",
    "EngineContract": "(protocol or not_null or unique or mostly or severity) and not reference",
    "NotifierContract": "protocol or delivers_once or declares_its or client_errors",
    "OrchestratorBindingContract": "protocol or context",
}


@attrs.frozen
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    not_run: str | None  # the reason given, or None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(DOCS)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    lines = page.read_text().splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence, info = opening.groups()
        end = index + 1
        while not lines[end].strip().startswith(fence):
            end += 1
        previous = next((ln.strip() for ln in reversed(lines[:index]) if ln.strip()), "")
        marker = NOT_RUN.match(previous)
        code = textwrap.dedent("\n".join(lines[index + 1 : end]))
        found.append(
            Block(page, index + 1, info.strip().split(" ")[0], code, marker and marker.group(1))
        )
        index = end + 1
    return found


ALL = [block for page in PAGES for block in blocks(page)]
PYTHON = [b for b in ALL if b.language == "python"]
RUNNABLE = [b for b in PYTHON if b.not_run is None]


def test_the_pages_have_python_blocks_to_run() -> None:
    assert len(PAGES) >= 7 and len(RUNNABLE) >= 8, [b.where for b in RUNNABLE]


@pytest.mark.parametrize("block", ALL, ids=lambda b: b.where)
def test_every_fence_names_its_language_and_every_exemption_its_reason(block: Block) -> None:
    assert block.language, f"{block.where}: a fence without a language (python, sh, text …)"
    if block.not_run is not None:
        assert block.language == "python", f"{block.where}: not-run marks only Python blocks"
        assert len(block.not_run) >= 10, f"{block.where}: say why the block cannot run"


@pytest.mark.parametrize(
    "block", [b for b in PYTHON if b.not_run is not None], ids=lambda b: b.where
)
def test_fragments_are_still_valid_python(block: Block) -> None:
    compile(block.code, block.where, "exec")


@pytest.fixture
def acme_webhook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed ``dq-acme-webhook`` (notifier ``acme-webhook``), as plugin-authors.md's
    section 4 assumes: its config class and factory build the reference WebhookNotifier."""
    site = tmp_path / "site"
    package = site / "dq_acme_webhook"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(ACME_MODULE)
    info = site / "dq_acme_webhook-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dq-acme-webhook\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        "[dq.notifiers]\nacme-webhook = dq_acme_webhook\n\n[dq.hook_api]\n^1.2 = dq_acme_webhook\n"
    )
    monkeypatch.syspath_prepend(str(site))
    return site


ACME_MODULE = """
import attrs
import dq
from dq_contract import WebhookNotifier


@attrs.frozen(kw_only=True)
class AcmeConfig:
    url: dq.SecretValue = attrs.field(metadata={"secret": True})
    timeout: float = 10.0
    deadline: float = 60.0
    backoff: float = 0.5
    max_body_bytes: int = 256_000


@dq.hookimpl
def dq_component_config(kind, name):
    return AcmeConfig if (kind, name) == ("notifier", "acme-webhook") else None


@dq.hookimpl
def dq_notifier(name, config):
    if name != "acme-webhook":
        return None
    return WebhookNotifier(config.url, timeout=config.timeout, deadline=config.deadline,
                           backoff=config.backoff, max_body_bytes=config.max_body_bytes,
                           max_attempts=3, channel=name)
"""


@pytest.fixture
def fresh_contracts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The nested session imports the contract modules anew (hypothesis' profile applies)."""
    for module in ("engine", "notifier", "secrets", "tenant", "orchestrator"):
        gen = fresh_import(monkeypatch, f"dq_contract.{module}")
        next(gen)
    yield None
    from hypothesis import settings

    settings.load_profile("default")


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: b.where)
def test_every_python_block_runs(
    block: Block,
    pytester: pytest.Pytester,
    acme_webhook: Path,
    fresh_contracts: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contract = CONTRACT_CLASS.search(block.code)
    if contract is None:
        monkeypatch.chdir(pytester.path)
        exec(compile(block.code, block.where, "exec"), {"__name__": "docs_block"})  # noqa: S102
        return
    name = contract.group(1)
    assert name in SLICES, f"{block.where}: no slice declared for {name}"
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_block=block.code)
    selection = ("-k", SLICES[name]) if SLICES[name] else ()
    recorder = pytester.inline_run("-p", "no:cacheprovider", *selection)
    passed, skipped, failed = recorder.listoutcomes()
    errors = recorder.getfailedcollections()
    assert not errors, f"{block.where}: the block does not import: {errors[0].longreprtext}"
    assert not failed, f"{block.where}: {[r.nodeid for r in failed]}\n{failed[0].longreprtext}"
    assert len(passed) >= 3, f"{block.where}: {len(passed)} contract tests ran"
    assert not skipped or name != "SecretBackendContract", f"{block.where}: skipped {skipped}"


def test_the_types_table_is_what_dq_core_has() -> None:
    page = (DOCS / "contracts" / "helpers.md").read_text()
    assert doc_types.current(page) == doc_types.render(), (
        "docs/contracts/helpers.md's types table is stale: "
        "uv run python contract-tests/tests/doc_types.py --write"
    )


#: Importing dq_contract (as the pytest plugin does in every session) loads no submodule.
LAZY = "import sys, dq_contract; print([m for m in sys.modules if m.startswith('dq_contract.')])"


def test_every_public_helper_is_documented_and_loads_lazily() -> None:
    for name in dq_contract.__all__:
        value = getattr(dq_contract, name)
        if isinstance(value, type) or callable(value) and name != "Responder":
            assert (value.__doc__ or "").strip(), f"dq_contract.{name} has no docstring"
    loaded = subprocess.run(
        [sys.executable, "-c", LAZY],
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.returncode == 0 and loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr
    helpers = (DOCS / "contracts" / "helpers.md").read_text()
    shown = [n for n in dq_contract.__all__ if n not in ("SUITE_VERSION", "__version__")]
    missing = [n for n in shown if f"`{n}" not in helpers]
    assert not missing, f"exported but not on docs/contracts/helpers.md: {missing}"
