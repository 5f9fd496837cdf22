"""The block helpers: a dq suite as a Mage transformer, test, condition or sensor.

Each helper is called from a block's own function, with the block's ``**kwargs`` handed over
as one mapping (so a pipeline variable can never be taken for a helper option)::

    @transformer
    def check_orders(df, *args, **kwargs):
        return dq_transform(df, "suites/orders.suite.toml", kwargs)   # df, or raises

    @test
    def test_orders(output, *args, **kwargs):
        dq_check(output, "suites/orders.suite.toml", kwargs)

    @condition
    def orders_are_clean(df, *args, **kwargs) -> bool:
        return dq_condition(df, "suites/orders.suite.toml", kwargs)

    @sensor
    def orders_landed(*args, **kwargs) -> bool:
        return dq_sensor("suites/orders.suite.toml", kwargs)

Failures are sorted so the person reading Mage's block log knows what to do next:

* :class:`DqConfigError` -- the suite cannot be used (missing or invalid suite file, unknown
  engine, an invalid tenant, a suite pinned to another tenant, data dq cannot read). Raised
  before any data is read or any alert sent. Mage retries every exception a block raises
  (``retry_config``; none by default) and offers no way to decline one, so with retries set
  each attempt fails again at once, the same way;
* :class:`DqGateFailed` -- the verdict fails the block under ``fail_on``; an
  ``AssertionError`` too, so Mage's ``@test`` runner reports it as ``FAIL: <test>``;
* :class:`DqRuntimeError` -- anything else dq reports (data not readable yet, a secret
  backend down): worth a retry.
"""

from __future__ import annotations

import glob
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dq

from dq_mage._binding import MageBinding
from dq_mage._config import MageConfig, check_fail_on
from dq_mage._data import source_for, with_source
from dq_mage._summary import table

#: What names a suite: its file, or a suite already loaded with :func:`dq.load_suite`.
SuiteRef = str | os.PathLike[str] | dq.Suite

_log = logging.getLogger("dq_mage")


class DqConfigError(dq.UsageError):
    """The suite, its engine or the run context is unusable: fix it, a retry will not help."""

    retryable = False


class DqRuntimeError(dq.DqError):
    """dq could not finish the run (data not there yet, a backend down): a retry may help."""

    retryable = True


class DqGateFailed(dq.SuiteFailed, AssertionError):
    """The suite's verdict fails the block; carries the result and the published summary."""

    retryable = True

    def __init__(self, result: object, message: str, summary: dict[str, Any]) -> None:
        super().__init__(result, message)
        self.summary = summary


class _Run:
    """One helper call: suite, binding and logger resolved from the block's kwargs."""

    def __init__(
        self,
        suite: SuiteRef,
        mage_kwargs: Mapping[str, Any] | None,
        *,
        fail_on: str,
        tenant: str | None,
        engine: str | None,
        host: dq.Host | None,
        tenant_variable: str,
    ) -> None:
        try:
            config = MageConfig(fail_on=check_fail_on(fail_on), tenant_variable=tenant_variable)  # type: ignore[arg-type]
        except ValueError as exc:
            raise DqConfigError(f"dq_mage: {exc}") from None
        self.kwargs: Mapping[str, Any] = {} if mage_kwargs is None else mage_kwargs
        if not isinstance(self.kwargs, Mapping):
            raise DqConfigError(
                f"dq_mage: pass the block's kwargs as a mapping, not {type(mage_kwargs).__name__}"
            )
        self.logger = self.kwargs.get("logger") or _log
        self.where, self.suite = self._load(suite)
        self.published: list[dict[str, Any]] = []
        self.binding = MageBinding(
            config,
            host=host,
            publish=self.published.append,
            engine=engine or None,
            source=self.where,
        )
        try:
            self.context = self.binding.context(self.kwargs, tenant=tenant)
        except dq.UsageError as exc:
            raise DqConfigError(f"dq suite {self.where}: {exc}") from None

    def _load(self, ref: SuiteRef) -> tuple[str, dq.Suite]:
        """The suite *ref* names, read now; a relative path is the Mage project's."""
        if isinstance(ref, dq.Suite):
            return ref.name, ref
        if not isinstance(ref, str | os.PathLike):
            raise DqConfigError(
                f"dq_mage: suite must be a file path or a dq.Suite, not {type(ref).__name__}"
            )
        path = Path(ref).expanduser()
        # Mage passes its project folder as ``repo_path`` and exports it as
        # MAGE_RUNTIME__REPO_PATH when it runs a block (``run_tests`` gets only the latter)
        repo = self.kwargs.get("repo_path") or os.environ.get("MAGE_RUNTIME__REPO_PATH")
        if not path.is_absolute() and isinstance(repo, str) and repo:
            path = Path(repo) / path
        try:
            return str(path), dq.load_suite(path)
        except dq.UsageError as exc:
            text = str(exc)
            text = text[len(f"{path}: ") :] if text.startswith(f"{path}: ") else text
            raise DqConfigError(f"dq suite file {path}: {text}") from None

    def execute(self, data: object) -> tuple[dq.CheckResult, dict[str, Any], str | None]:
        """Run on *data*; returns (result, summary, failure message or None)."""
        with tempfile.TemporaryDirectory(prefix="dq-mage-") as folder:
            try:
                suite = with_source(self.suite, source_for(data, Path(folder)))
            except dq.UsageError as exc:
                raise DqConfigError(f"dq suite {self.where}: {exc}") from None
            self.logger.info(
                f"dq: running suite {suite.name!r} ({self.where}) for run "
                f"{self.context.run_id!r}, tenant {self.context.tenant or '(none)'}, "
                f"fail_on={self.binding.config.fail_on}"
            )
            failure = None
            try:
                result = self.binding.run(suite, self.context)
            except dq.SuiteFailed as exc:
                result, failure = exc.result, str(exc)  # type: ignore[assignment]
            except dq.UsageError as exc:
                raise DqConfigError(f"dq suite {self.where}: {exc}") from None
            except dq.DqError as exc:
                raise DqRuntimeError(f"dq suite {self.where}: {exc}") from None
        summary = self.published[-1]
        self._report(result, failure)
        return result, summary, failure

    def _report(self, result: dq.CheckResult, failure: str | None) -> None:
        text = table(result)
        if failure is not None:
            self.logger.error(f"dq: {failure}\n{text}")
        elif any(r.status is not dq.RuleStatus.PASSED for r in result.results):
            self.logger.warning(
                f"dq: suite {self.suite.name!r} {result.status.value}, rules not passing "
                f"tolerated by fail_on={self.binding.config.fail_on}:\n{text}"
            )
        else:
            self.logger.info(
                f"dq: suite {self.suite.name!r} passed: {len(result.results)} rules on "
                f"{result.row_count} rows"
            )


def dq_check(
    data: object,
    suite: SuiteRef,
    mage_kwargs: Mapping[str, Any] | None = None,
    *,
    fail_on: str = "error",
    tenant: str | None = None,
    engine: str | None = None,
    host: dq.Host | None = None,
    tenant_variable: str = "tenant",
) -> dict[str, Any]:
    """Run *suite* on *data* (an upstream output; ``None``: the suite's source).

    Returns the JSON summary; raises :class:`DqGateFailed` when ``fail_on`` fails the block
    (``"error"``: the quality gate failed; ``"warning"``: any rule did not pass;
    ``"never"``: never). ``tenant`` wins over the pipeline variable ``tenant_variable``.
    """
    run = _Run(
        suite,
        mage_kwargs,
        fail_on=fail_on,
        tenant=tenant,
        engine=engine,
        host=host,
        tenant_variable=tenant_variable,
    )
    result, summary, failure = run.execute(data)
    if failure is not None:
        raise DqGateFailed(result, failure, summary)
    return summary


def dq_transform(
    data: Any, suite: SuiteRef, mage_kwargs: Mapping[str, Any] | None = None, **options: Any
) -> Any:
    """:func:`dq_check` for a transformer: returns *data* unchanged when the block passes."""
    dq_check(data, suite, mage_kwargs, **options)
    return data


def dq_condition(
    data: object, suite: SuiteRef, mage_kwargs: Mapping[str, Any] | None = None, **options: Any
) -> bool:
    """For a conditional add-on block: ``False`` (the block is skipped, status
    ``condition_failed``) when ``fail_on`` would fail it, else ``True``. A suite that cannot
    be used, or a run dq cannot finish, raises: a skip must mean bad data, not a typo."""
    try:
        dq_check(data, suite, mage_kwargs, **options)
    except DqGateFailed:
        return False
    return True


def dq_sensor(
    suite: SuiteRef,
    mage_kwargs: Mapping[str, Any] | None = None,
    *,
    data: object = None,
    fail_on: str = "error",
    tenant: str | None = None,
    engine: str | None = None,
    host: dq.Host | None = None,
    tenant_variable: str = "tenant",
) -> bool:
    """For a sensor block: ``True`` once the suite passes on its source (or *data*).

    ``False`` while the source file has not landed, the gate fails or dq cannot finish the
    run (Mage polls again); a suite that cannot be used raises, so a typo fails the sensor
    instead of waiting forever.
    """
    run = _Run(
        suite,
        mage_kwargs,
        fail_on=fail_on,
        tenant=tenant,
        engine=engine,
        host=host,
        tenant_variable=tenant_variable,
    )
    waiting = _not_landed(data if data is not None else run.suite.source)
    if waiting is not None:
        run.logger.info(f"dq: sensor waiting: no file at {waiting} yet")
        return False
    try:
        _, _, failure = run.execute(data)
    except DqRuntimeError as exc:
        run.logger.warning(f"dq: sensor not ready: {exc}")
        return False
    return failure is None


def _not_landed(data: object) -> str | None:
    """The local path or glob *data* names when nothing is there yet, else None."""
    if isinstance(data, dq.Source):
        data = data.path
    if not isinstance(data, str | os.PathLike):
        return None
    text = os.fspath(data)
    if "://" in text:  # a remote or engine-opened reference: the engine decides
        return None
    return None if glob.glob(text) else text
