"""OrchestratorBindingContract: the tests every dq orchestrator binding must pass.

Use it from a plugin's test suite::

    import pytest
    from dq_contract.orchestrator import OrchestratorBindingContract
    from my_plugin import AirflowBinding

    class TestAirflowBinding(OrchestratorBindingContract):
        @pytest.fixture
        def binding(self):
            return AirflowBinding()

        @pytest.fixture
        def native_context(self):          # how your orchestrator hands a task its context
            def make(run_id, logical_date, tenant, params):
                return {"run_id": run_id, "logical_date": logical_date,
                        "params": {**params, **({"tenant": tenant} if tenant else {})}}
            return make

        @pytest.fixture
        def published(self, binding):      # where your binding published (XCom, artifact ...)
            return lambda: read_my_xcoms()

The contract writes its own small suites (a CSV, a rules file, a suite TOML) into
``tmp_path`` and runs them on its own engine, ``contract-trivial`` (the contract's
TrivialEngine). So that the binding can run them exactly as it runs any suite, through
:func:`dq.run_suite` and the installed plugins, the contract *installs* that engine for the
duration of each test: it writes a ``dq-contract-trivial-engine`` dist-info into a temporary
site directory and puts it on ``sys.path`` and ``PYTHONPATH`` (so a binding that runs its
orchestrator in a subprocess finds it too). A binding that takes a host instead can use the
``contract_host`` fixture, a :class:`dq.Host` over just that engine.

What is pinned (docs/contracts/orchestrator.md): the context maps run id, logical date
(timezone-aware, same instant) and tenant exactly and refuses an invalid tenant; a run's
result equals what ``dq run`` (``dq.run_suite``) gives; a failed or erroring gate fails the
unit with :class:`dq.SuiteFailed` carrying the result, tolerated warnings do not; and the
summary the binding publishes is JSON and agrees with the result, for failed units too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

import dq
import dq.protocols
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dq_contract.compare import comparable
from dq_contract.trivial import TrivialEngine

#: The engine name the contract's suites use; provided by :func:`dq_engine` below.
CONTRACT_ENGINE = "contract-trivial"
CONTRACT_DISTRIBUTION = "dq-contract-trivial-engine"

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.differing_executors,
    ],
)


@dq.hookimpl
def dq_engine(name: str, config: Any) -> Any:
    """This module is also the plugin behind ``engine:contract-trivial``."""
    return TrivialEngine() if name == CONTRACT_ENGINE else None


def install_contract_engine(site: Path) -> metadata.Distribution:
    """Write the dist-info that offers ``engine:contract-trivial`` from this module."""
    module = __name__
    major_minor = ".".join(dq.HOOK_API_VERSION.split(".")[:2])
    folder = site / f"{CONTRACT_DISTRIBUTION.replace('-', '_')}-1.0.0.dist-info"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {CONTRACT_DISTRIBUTION}\nVersion: 1.0.0\n"
        "Summary: the engine of the dq orchestrator contract's own suites\n\n"
    )
    (folder / "entry_points.txt").write_text(
        f"[dq.engines]\n{CONTRACT_ENGINE} = {module}\n\n[dq.hook_api]\n^{major_minor} = {module}\n"
    )
    return metadata.PathDistribution(folder)


# -- the contract's suites ---------------------------------------------------------------

DATA = "id,email,amount\n1,a@example.com,10\n2,b@example.com,20\n3,,30\n4,d@example.com,-5\n"
#: name -> (rules TOML, the run status dq run gives). Rule ids are explicit so a binding
#: cannot pass by renumbering.
RULES: dict[str, tuple[str, dq.RunStatus]] = {
    "passing": (
        """rules = [
  {id = "ids_present", check = "not_null", column = "id"},
  {id = "ids_unique", check = "unique", column = "id"},
  {id = "amount_range", check = "between", column = "amount", min = -10, max = 100},
]""",
        dq.RunStatus.PASSED,
    ),
    "failing": (
        """rules = [
  {id = "ids_unique", check = "unique", column = "id"},
  {id = "emails_present", check = "not_null", column = "email"},
  {id = "amount_positive", check = "between", column = "amount", min = 0},
]""",
        dq.RunStatus.FAILED,
    ),
    "warnings": (
        """rules = [
  {id = "ids_present", check = "not_null", column = "id"},
  {id = "emails_present", check = "not_null", column = "email", severity = "warning"},
  {id = "amount_positive", check = "between", column = "amount", min = 0, severity = "warning"},
]""",
        dq.RunStatus.PASSED,
    ),
    "erroring": (
        """rules = [
  {id = "ids_present", check = "not_null", column = "id"},
  {id = "no_such_column", check = "not_null", column = "customer"},
]""",
        dq.RunStatus.ERROR,
    ),
}


def write_suite(folder: Path, name: str) -> dq.Suite:
    """Write suite *name* (a CSV, a rules file, a suite file) into *folder* and load it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orders.csv").write_text(DATA)
    (folder / f"{name}.rules.toml").write_text(RULES[name][0])
    suite_file = folder / f"{name}.suite.toml"
    suite_file.write_text(
        f'name = "{name}"\nsource = "orders.csv"\nrules = "{name}.rules.toml"\n'
        f'engine = "{CONTRACT_ENGINE}"\n'
    )
    return dq.load_suite(suite_file)


def default_native_context(
    run_id: str, logical_date: datetime | None, tenant: str | None, params: dict[str, Any]
) -> dict[str, Any]:
    """The run context of an in-process orchestrator: a mapping, the date as ISO text."""
    return {
        "run_id": run_id,
        "logical_date": None if logical_date is None else logical_date.isoformat(),
        "params": {**params, **({} if tenant is None else {"tenant": tenant})},
    }


#: A run id as orchestrators spell them: any text, no surrogates.
run_ids = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=80)
tenant_ids = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True)
IST = timezone(timedelta(hours=5, minutes=30))
LOGICAL_DATE = datetime(2026, 11, 25, 0, 0, tzinfo=IST)


class OrchestratorBindingContract:
    """Subclass in a test module and provide a fixture ``binding``.

    Override ``native_context`` (how the orchestrator hands a task its run context) and
    ``published`` (how to read back what the binding published) when the defaults, which
    fit :class:`dq_contract.reference_orchestrator.InProcessBinding`, do not fit yours.
    """

    dq_contract_name: ClassVar[str] = "OrchestratorBindingContract"
    pytestmark = [pytest.mark.dq_contract("orchestrator")]

    # -- fixtures -------------------------------------------------------------------------

    @pytest.fixture(autouse=True)
    def contract_engine(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[metadata.Distribution]:
        """Install ``engine:contract-trivial`` for this test (sys.path and PYTHONPATH)."""
        site = tmp_path / "contract-site"
        dist = install_contract_engine(site)
        monkeypatch.syspath_prepend(str(site))
        existing = os.environ.get("PYTHONPATH")
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), existing])))
        yield dist

    @pytest.fixture
    def contract_host(self, contract_engine: metadata.Distribution) -> dq.Host:
        """A host over the contract's engine only, for bindings that take a host."""
        return dq.Host(dq.discover(distributions=[contract_engine]))

    @pytest.fixture
    def native_context(self) -> Callable[..., Any]:
        """``make(run_id, logical_date, tenant, params)`` -> the orchestrator's native context."""
        return default_native_context

    @pytest.fixture
    def published(self, binding: Any) -> Callable[[], list[dict[str, Any]]]:
        """A callable returning the summaries the binding published so far, oldest first."""
        if not hasattr(binding, "published"):
            pytest.fail(
                f"{type(binding).__name__} has no 'published' list: override the 'published' "
                "fixture to read back what your binding published (XCom, artifact ...)"
            )
        return lambda: list(binding.published)

    @pytest.fixture
    def suites(self, tmp_path: Path) -> Callable[[str], dq.Suite]:
        return lambda name: write_suite(tmp_path / "suites", name)

    # -- helpers --------------------------------------------------------------------------

    def context(
        self,
        binding: Any,
        native_context: Callable[..., Any],
        run_id: str = "scheduled__2026-11-25T00:00:00+05:30",
        tenant: str | None = "acme",
    ) -> dq.RunContext:
        native = native_context(run_id, LOGICAL_DATE, tenant, {"region": "eu"})
        ctx = binding.context(native)
        assert isinstance(ctx, dq.RunContext), f"context() returned {type(ctx).__name__}"
        return ctx

    def direct(self, suite: dq.Suite) -> dq.CheckResult:
        """What ``dq run`` gives for *suite*: the result the binding must reproduce."""
        result = dq.run_suite(suite)
        assert result.status is RULES[suite.name][1], "the contract's own suite misbehaved"
        return result

    def check_summary(
        self, summary: Any, result: dq.CheckResult, run_id: str, tenant: str | None
    ) -> None:
        """*summary* is JSON, names the run and tenant the orchestrator gave, and the result."""
        assert isinstance(summary, dict), f"published {type(summary).__name__}, not a mapping"
        assert json.loads(json.dumps(summary)) == summary, "the summary is not plain JSON"
        assert summary.get("run_id") == run_id, f"summary names run {summary.get('run_id')!r}"
        assert summary.get("tenant") == tenant, f"summary names tenant {summary.get('tenant')!r}"
        assert summary.get("status") == result.status.value
        got = [
            (r.get("rule_id"), r.get("status"), r.get("failed_count"))
            for r in summary.get("rules", [])
        ]
        want = [(r.rule_id, r.status.value, r.failed_count) for r in result.results]
        assert got == want, "published rule statuses or counts differ from the result"

    # -- shape ----------------------------------------------------------------------------

    def test_satisfies_the_orchestrator_binding_protocol(self, binding: Any) -> None:
        assert isinstance(binding, dq.protocols.OrchestratorBinding)

    # -- the run context ------------------------------------------------------------------

    def test_context_maps_run_id_logical_date_and_tenant_exactly(
        self, binding: Any, native_context: Callable[..., Any]
    ) -> None:
        run_id = "scheduled__2026-11-25T00:00:00+05:30"
        ctx = self.context(binding, native_context, run_id=run_id)
        assert ctx.run_id == run_id
        assert ctx.logical_date is not None and ctx.logical_date.utcoffset() is not None, (
            "the logical date must be timezone-aware"
        )
        assert ctx.logical_date == LOGICAL_DATE, (
            f"logical date {ctx.logical_date} is not the instant {LOGICAL_DATE}"
        )
        assert ctx.logical_date.astimezone(UTC) == datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
        assert ctx.tenant == dq.TenantId("acme") and type(ctx.tenant) is dq.TenantId

    def test_context_without_a_tenant_has_none_not_a_default(
        self, binding: Any, native_context: Callable[..., Any]
    ) -> None:
        assert self.context(binding, native_context, tenant=None).tenant is None

    def test_context_carries_params_as_strings(
        self, binding: Any, native_context: Callable[..., Any]
    ) -> None:
        ctx = binding.context(native_context("r1", LOGICAL_DATE, "acme", {"region": "eu", "n": 3}))
        assert ctx.params.get("region") == "eu"
        assert ctx.params.get("n") == "3"

    @pytest.mark.parametrize("tenant", ["ACME", "../acme", "acme/evil", " acme", "acme,evil"])
    def test_context_rejects_an_invalid_tenant(
        self, binding: Any, native_context: Callable[..., Any], tenant: str
    ) -> None:
        native = native_context("r1", LOGICAL_DATE, tenant, {})
        with pytest.raises((dq.DqError, ValueError)):
            ctx = binding.context(native)
            pytest.fail(f"tenant {tenant!r} became {ctx.tenant!r}; it must be refused")

    @PROPERTY_SETTINGS
    @given(run_id=run_ids, tenant=st.none() | tenant_ids)
    @example(run_id="manual__2026-11-25T00:00:00+00:00", tenant="acme")
    @example(run_id=" run 7 ", tenant=None)
    @example(run_id="r\u00e9sum\u00e9/\u65e5\u672c", tenant="0")
    def test_context_keeps_any_run_id_and_tenant_verbatim(
        self, binding: Any, native_context: Callable[..., Any], run_id: str, tenant: str | None
    ) -> None:
        ctx = binding.context(native_context(run_id, LOGICAL_DATE, tenant, {}))
        assert ctx.run_id == run_id
        assert ctx.tenant == (None if tenant is None else dq.TenantId(tenant))

    # -- running a suite ------------------------------------------------------------------

    def test_a_passing_suite_gives_the_result_dq_run_gives(
        self, binding: Any, native_context: Callable[..., Any], suites: Callable[..., dq.Suite]
    ) -> None:
        suite = suites("passing")
        result = binding.run(suite, self.context(binding, native_context))
        assert isinstance(result, dq.CheckResult), f"run() returned {type(result).__name__}"
        assert comparable(result) == comparable(self.direct(suite))

    @pytest.mark.parametrize("name", ["failing", "erroring"])
    def test_a_failed_gate_fails_the_unit_with_the_result(
        self,
        binding: Any,
        native_context: Callable[..., Any],
        suites: Callable[..., dq.Suite],
        name: str,
    ) -> None:
        suite = suites(name)
        expected = self.direct(suite)
        with pytest.raises(dq.SuiteFailed) as raised:
            binding.run(suite, self.context(binding, native_context))
        result = raised.value.result
        assert isinstance(result, dq.CheckResult), "SuiteFailed.result must be the CheckResult"
        assert comparable(result) == comparable(expected)

    def test_tolerated_warnings_do_not_fail_the_unit(
        self, binding: Any, native_context: Callable[..., Any], suites: Callable[..., dq.Suite]
    ) -> None:
        suite = suites("warnings")
        result = binding.run(suite, self.context(binding, native_context))
        assert result.status is dq.RunStatus.PASSED
        assert comparable(result) == comparable(self.direct(suite))
        assert result.by_id("emails_present").status is dq.RuleStatus.FAILED

    # -- publishing -----------------------------------------------------------------------

    def test_publishes_a_summary_consistent_with_the_result(
        self,
        binding: Any,
        native_context: Callable[..., Any],
        suites: Callable[..., dq.Suite],
        published: Callable[[], list[dict[str, Any]]],
    ) -> None:
        before = len(published())
        runs = []
        for run_id, name, tenant in [("run-1", "passing", "acme"), ("run-2", "warnings", None)]:
            ctx = self.context(binding, native_context, run_id=run_id, tenant=tenant)
            runs.append((binding.run(suites(name), ctx), run_id, tenant))
        summaries = published()[before:]
        assert len(summaries) == len(runs), f"expected one summary per run, got {len(summaries)}"
        for summary, (result, run_id, tenant) in zip(summaries, runs, strict=True):
            self.check_summary(summary, result, run_id, tenant)

    def test_publishes_the_result_of_a_failed_unit_too(
        self,
        binding: Any,
        native_context: Callable[..., Any],
        suites: Callable[..., dq.Suite],
        published: Callable[[], list[dict[str, Any]]],
    ) -> None:
        before = len(published())
        ctx = self.context(binding, native_context, run_id="run-failing")
        with pytest.raises(dq.SuiteFailed) as raised:
            binding.run(suites("failing"), ctx)
        summaries = published()[before:]
        assert len(summaries) == 1, "a failed unit must still publish its result"
        self.check_summary(summaries[0], raised.value.result, "run-failing", "acme")
