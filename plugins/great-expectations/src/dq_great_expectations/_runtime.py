"""The GX runtime: importing Great Expectations, its ephemeral context, and validation.

great_expectations takes seconds to import, so it is imported here only when the
engine's first ``check`` builds a :class:`GxRuntime`; nothing is written to disk
(in-memory stores, no data-docs site). The runtime also owns the hand-over of the
polars columns to pandas, typed so GX's answer can be corrected exactly (nullable
integers, Python-storage strings; see :mod:`dq_great_expectations._engine`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import polars as pl

from dq_great_expectations._plan import META_KEY, Planned

# -- GX, loaded on first use -----------------------------------------------------------------


def _import_gx() -> tuple[Any, Any, Any]:
    """Import great_expectations quietly, with its analytics off; returns (gx, gxe, pandas)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    logger = logging.getLogger("great_expectations")
    if logger.level == logging.NOTSET:  # leave a level the user chose alone
        logger.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
        import great_expectations.expectations as gxe
        import pandas as pd
    return gx, gxe, pd


class GxRuntime:
    """One ephemeral GX context with a pandas data source, reused for every check."""

    def __init__(self) -> None:
        self.gx, self.gxe, self.pd = _import_gx()
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        with self.quiet():
            # In memory only, and no data-docs site (which would claim a temp directory).
            config = DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
            )
            context = self.gx.get_context(mode="ephemeral", project_config=config)
            context.variables.progress_bars = ProgressBarsConfig(
                globally=False, metric_calculations=False
            )
            asset = context.data_sources.add_pandas("dq").add_dataframe_asset("data")
            self.batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        self.context = context
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """No warnings from GX; strings stay Python objects so regexes run in Python ``re``."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                storage = self.pd.option_context("mode.string_storage", "python")
            except Exception:  # pragma: no cover - a pandas without the option
                storage = contextlib.nullcontext()
            with storage:
                yield

    def validate(
        self, frame: Any, planned: list[Planned], result_format: dict[str, Any]
    ) -> dict[int, Any]:
        """Validate *planned* as one suite; on a suite-level failure, one at a time.

        GX keeps one copy of equal expectations in a suite (two ``not_null`` rules on
        the same column with different severities, say), so rules that would build
        equal expectations share one, and its result is given to each of them.
        """
        # Grouped by the expectation each rule builds, compared as the suite compares
        # them: two different rules can build one expectation (`in_set` of () and of
        # (NaN,) both send an empty value set, NaN being counted by dq).
        # A rule whose expectation cannot be built stays alone: building it again inside
        # the suite run fails there and becomes that rule's ERROR. Each suite run builds
        # its own copies, since a suite binds the expectations it is given.
        groups: list[tuple[Any, Planned, list[int]]] = []
        for one in planned:
            try:
                built = one.build(self.gxe)
            except Exception:  # noqa: BLE001 - isolated and reported by _validate
                groups.append((None, one, [one.index]))
                continue
            for expectation, _representative, members in groups:
                if expectation is not None and _suite_deems_equal(built, expectation):
                    members.append(one.index)
                    break
            else:
                groups.append((built, one, [one.index]))
        found = self._validate(frame, [rep for _e, rep, _m in groups], result_format)
        return {
            index: found.get(representative.index)
            for _expectation, representative, members in groups
            for index in members
        }

    def _validate(
        self, frame: Any, planned: list[Planned], result_format: dict[str, Any]
    ) -> dict[int, Any]:
        with self.lock, self.quiet():
            batch = self.batch_definition.get_batch(batch_parameters={"dataframe": frame})
            try:
                return self._run(batch, planned, result_format)
            except Exception:  # noqa: BLE001 - isolate the expectation at fault below
                pass
            found: dict[int, Any] = {}
            for one in planned:
                try:
                    found.update(self._run(batch, [one], result_format))
                except Exception as exc:  # noqa: BLE001 - becomes that rule's ERROR
                    found[one.index] = exc
            return found

    def _run(self, batch: Any, planned: list[Planned], result_format: dict[str, Any]) -> dict:
        suite = self.gx.ExpectationSuite(name="dq")
        for one in planned:
            suite.add_expectation(one.build(self.gxe))
        validation = batch.validate(suite, result_format=result_format)
        return {r.expectation_config.meta[META_KEY]: r for r in validation.results}

    # -- polars -> pandas ------------------------------------------------------------------

    def to_pandas(self, df: pl.DataFrame, columns: list[str]) -> tuple[Any, dict[str, str]]:
        """The columns as a pandas frame indexed by row position; failures by column."""
        pd = self.pd
        data: dict[str, Any] = {}
        failed: dict[str, str] = {}
        for name in columns:
            try:
                data[name] = self._series(df.get_column(name))
            except Exception as exc:  # noqa: BLE001 - becomes the column's rules' ERROR
                failed[name] = f"cannot convert column {name!r} to pandas for GX: {exc}"
        index = pd.RangeIndex(df.height)
        with self.quiet():
            frame = pd.DataFrame(
                {k: pd.Series(v, index=index, copy=False) for k, v in data.items()}, index=index
            )
        return frame, failed

    def _series(self, s: pl.Series) -> Any:
        pd = self.pd
        dtype = s.dtype
        if isinstance(dtype, pl.Categorical | pl.Enum):
            s, dtype = s.cast(pl.String), pl.String
        if dtype == pl.String:
            # Python objects: pandas runs regexes on them with `re`, lengths with len().
            return pd.array(s.to_numpy(), dtype=object)
        if dtype.is_integer() and dtype not in (pl.Int128, pl.UInt128):
            if s.null_count():
                # nullable integers: float64 would merge 2**53 and 2**53 + 1
                return pd.arrays.IntegerArray(s.fill_null(0).to_numpy(), s.is_null().to_numpy())
            return s.to_numpy()
        if dtype == pl.Float32:
            s = s.cast(pl.Float64)  # exact; in_set members are rounded to float32 instead
        if dtype.is_float() or dtype == pl.Boolean:
            return s.to_numpy()  # float nulls become NaN: corrected from polars' counts
        return s.to_pandas()


def _suite_deems_equal(a: Any, b: Any) -> bool:
    """True when an ExpectationSuite keeps only one of *a* and *b*.

    GX 1.x's suite treats expectations as the same when their type and fields agree,
    ignoring ``id``, ``meta``, ``notes`` and ``rendered_content``; ``meta`` is where dq
    keeps each rule's index, so such rules must share one expectation and its result.
    """
    ignored = {"id", "rendered_content", "notes", "meta"}
    return a.expectation_type == b.expectation_type and a.dict(exclude=ignored) == b.dict(
        exclude=ignored
    )
