"""The truthound engine: one truthound validator run per rule, converted to dq's semantics.

How truthound is driven, and why:

* **Validators, not ``th.check``.** ``th.check`` always goes through a
  ``TruthoundContext``, which creates ``.truthound/`` at the nearest git root and
  writes a catalog entry on every run (``track_asset``) even with
  ``persist_runs``/``persist_docs`` off; it also groups results by validator name
  (two ``not_null`` rules collide) and can report regex/length failures with
  ``success=True``. truthound's validators are public and documented for direct
  use (``NotNullValidator().validate(lf)``); calling them writes nothing, and
  running **one validator instance per rule** on a one-column frame makes each
  rule's issues unambiguous.
* **Each rule sees its column alone**, renamed to ``value``: a column name such as
  ``^a$`` (which ``pl.col`` reads as a regex) cannot confuse truthound, and a
  Categorical column can be cast to String for truthound's string validators
  (which otherwise skip it silently).
* **dq's semantics win.** Where truthound's count differs from dq's, the
  difference is computed exactly from the frame (see each ``check_*`` in
  :mod:`~dq_truthound._column_checks` and :mod:`~dq_truthound._frame_checks`); where it
  cannot be, the result says ``approximate`` and why, or the rule is
  ``unsupported``. Samples always come from the frame (dq's failure mask),
  because truthound's samples are not dq's (regex truncates them to 50
  characters, unique orders them by frequency).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as dtime
from typing import Any

import dq
import polars as pl

from dq_truthound import _column_checks, _frame_checks
from dq_truthound._config import TruthoundConfig
from dq_truthound._errors import NotSupportedByTruthound, TruthoundEngineError
from dq_truthound._outcome import Outcome, RuleProblem, RuleUnsupported, V
from dq_truthound._truthound import Truthound, load_validators
from dq_truthound._wording import missing_column, polars_message

ENGINE = "truthound"

SUPPORTED_CHECKS = frozenset(
    {
        "not_null",
        "unique",
        "between",
        "regex",
        "in_set",
        "max_length",
        "min_length",
        "expression",
        "row_count",
        "dtype",
        "column_exists",
    }
)
TABLE_CHECKS = frozenset({"row_count", "dtype", "column_exists"})


def _scalar(value: Any) -> Any:
    """A JSON-safe sample value; dates and times in ISO form (``2024-01-02T03:04:05``)."""
    if isinstance(value, datetime | date | dtime):
        return value.isoformat()
    return dq.json_scalar(value)


def _raised_by_library(exc: BaseException) -> bool:
    """True when *exc* comes from truthound or polars (raised by, or inside, their code)."""
    if type(exc).__module__.split(".")[0] in {"polars", "truthound"}:
        return True
    tb, module = exc.__traceback__, ""
    while tb is not None:  # the innermost frame: where it was raised
        module, tb = str(tb.tb_frame.f_globals.get("__name__", "")), tb.tb_next
    return module.split(".")[0] in {"polars", "truthound"}


class TruthoundEngine:
    """Satisfies ``dq.protocols.Engine`` by running truthound's validators."""

    supported_checks: frozenset[str] = SUPPORTED_CHECKS
    #: A LazyFrame is collected once, then every validator runs on the collected frame.
    streams: bool = False

    def __init__(self, config: TruthoundConfig | None = None) -> None:
        self.config = config if config is not None else TruthoundConfig()
        self._th: Truthound | None = None

    # -- the protocol ------------------------------------------------------------------

    def check(self, data: Any, rules: dq.RuleSet) -> dq.CheckResult:
        started = datetime.now(UTC)
        clock = time.perf_counter()
        frame = self._collect(data)
        _ = self.th  # import truthound now: a broken install fails the run, not every rule
        results = tuple(self._evaluate(rule, frame, rules.sample_size) for rule in rules.rules)
        return dq.CheckResult(
            status=dq.run_status(results, rules.gate),
            engine=ENGINE,
            results=results,
            row_count=frame.height,
            started_at=started,
            duration_seconds=time.perf_counter() - clock,
        )

    def profile(self, data: Any) -> dq.Profile:
        raise NotSupportedByTruthound(
            "dq-truthound does not profile: truthound's profiler (th.profile) reports null "
            "and unique shares as rounded percentage strings and min/max as text, which "
            "cannot be turned into dq.Profile's exact counts without inventing numbers; "
            "profile with another engine (for example dq-polars)"
        )

    def learn(self, data: Any) -> dq.RuleSet:
        raise NotSupportedByTruthound(
            "dq-truthound does not learn rules: truthound's th.learn produces a truthound "
            "schema whose constraints have no exact dq rule equivalent in this release; "
            "learn with another engine (for example dq-polars)"
        )

    # -- plumbing ----------------------------------------------------------------------

    @property
    def th(self) -> Truthound:
        if self._th is None:
            self._th = load_validators()
        return self._th

    @staticmethod
    def _collect(data: Any) -> pl.DataFrame:
        if isinstance(data, pl.LazyFrame):
            try:
                return data.collect()
            except pl.exceptions.PolarsError as exc:
                raise TruthoundEngineError(
                    f"cannot evaluate the LazyFrame: {polars_message(exc)}"
                ) from exc
        if isinstance(data, pl.DataFrame):
            return data
        raise TruthoundEngineError(
            f"dq-truthound checks a polars DataFrame or LazyFrame, got {type(data).__name__}"
        )

    def _evaluate(self, rule: dq.Rule, frame: pl.DataFrame, sample_size: int) -> dq.RuleResult:
        check = rule.check
        column = getattr(rule, "column", None)

        def make(status: dq.RuleStatus, message: str, **extra: Any) -> dq.RuleResult:
            return dq.make_result(rule, status, message, **extra)

        handler = self._HANDLERS.get(check)
        if handler is None:
            return make(
                dq.RuleStatus.UNSUPPORTED,
                f"rule {rule.id!r}: dq-truthound cannot evaluate check {check!r}",
            )
        beyond = _beyond_translation(rule, frame.schema)
        if beyond is not None:
            return make(beyond[0], f"rule {rule.id!r} {beyond[1]}")
        try:
            if check in TABLE_CHECKS or check == "expression":
                outcome = handler(self, rule, frame)
            else:
                if column not in frame.schema:
                    raise RuleProblem(missing_column(column, frame.schema))
                outcome = handler(self, rule, frame.get_column(column).alias(V))
        except RuleProblem as problem:
            return make(dq.RuleStatus.ERROR, f"rule {rule.id!r} ({check}): {problem}")
        except RuleUnsupported as reason:
            return make(dq.RuleStatus.UNSUPPORTED, f"rule {rule.id!r} ({check}): {reason}")
        except Exception as exc:
            if not _raised_by_library(exc):
                raise  # a bug in this adapter: let it crash, never disguise it as a rule error
            # truthound or polars refused this rule on this data
            return make(
                dq.RuleStatus.ERROR,
                f"rule {rule.id!r} ({check}): cannot evaluate: "
                f"{type(exc).__name__}: {polars_message(exc)}",
            )

        if check in TABLE_CHECKS:
            passed = outcome.failed == 0
        else:
            passed = dq.rule_passes(outcome.failed, outcome.element, rule.mostly)
        samples: tuple[Any, ...] = ()
        if outcome.failed and sample_size and outcome.mask is not None:
            samples = self._samples(outcome, sample_size)
        return make(
            dq.RuleStatus.PASSED if passed else dq.RuleStatus.FAILED,
            outcome.message,
            failed_count=outcome.failed,
            element_count=outcome.element,
            samples=samples,
            approximate=outcome.approximate,
        )

    @staticmethod
    def _samples(outcome: Outcome, limit: int) -> tuple[Any, ...]:
        """Up to *limit* distinct failing values, in order of first appearance."""
        assert outcome.frame is not None and outcome.mask is not None
        shown = outcome.shown if outcome.shown is not None else pl.col(V)
        values = (
            outcome.frame.lazy()
            .filter(outcome.mask.fill_null(False))
            .select(shown.alias("__dq_sample"))
            .unique(maintain_order=True)
            .head(limit)
            .collect()
            .get_column("__dq_sample")
            .to_list()
        )
        return tuple(_scalar(v) for v in values)

    # -- one handler per check: _column_checks is given the column, _frame_checks the frame --

    _HANDLERS: dict[str, Callable[..., Outcome]] = {
        "not_null": _column_checks.check_not_null,
        "unique": _column_checks.check_unique,
        "between": _column_checks.check_between,
        "regex": _column_checks.check_regex,
        "in_set": _column_checks.check_in_set,
        "max_length": _column_checks.check_length,
        "min_length": _column_checks.check_length,
        "expression": _frame_checks.check_expression,
        "row_count": _frame_checks.check_row_count,
        "column_exists": _frame_checks.check_column_exists,
        "dtype": _frame_checks.check_dtype,
    }


def _beyond_translation(rule: dq.Rule, schema: pl.Schema) -> tuple[dq.RuleStatus, str] | None:
    """Rule shapes of dq-core 1.3 that dq-truthound does not translate: (status, why) or None."""
    column = getattr(rule, "column", None)
    dtype = str(schema[column]) if column is not None and column in schema else None
    return dq.unsupported_1_3_shape(rule, dtype, engine="dq-truthound")
