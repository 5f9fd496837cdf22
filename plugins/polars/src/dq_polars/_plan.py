"""What compiling a RuleSet yields: the row rules and table statistics the fused query
computes, and the results already decided from the schema alone.

Why a module of its own: the engine (:mod:`dq_polars._engine`) runs a :class:`Plan`
and the failing-rows export (:mod:`dq_polars._failures`) reads its :class:`RowRule`
masks, while only :mod:`dq_polars._compile` builds one. A rule that cannot be
compiled raises :class:`RuleProblem`, which the compiler turns into that rule's
ERROR result (:func:`error_result`) so the other rules still run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import dq
import polars as pl

from dq_polars._table_checks import TableStat

#: The name of the row count in the fused ``select``.
ROWS = "__dq_rows"


@dataclass(frozen=True, slots=True)
class RowRule:
    """A rule that needs the data: its failure mask and element-count aggregate."""

    index: int
    rule: dq.Rule
    column: str | None
    fail: pl.Expr
    count: pl.Expr
    #: What a failure sample shows: the column's value, or (None) the 0-based row number
    #: (expression rules, which have no column, and Object columns).
    sample: pl.Expr | None
    #: False for not_null: its failing value is always null, so there is nothing to show.
    sampled: bool = True
    #: A cheaper aggregate for the failing-row count than summing ``fail`` (unique).
    failed: pl.Expr | None = None
    #: A mask true on exactly the rows of ``fail`` but cheaper to compute (unique), used to
    #: locate failing rows (samples, sample rows, the failures export); None: ``fail``.
    locate: pl.Expr | None = None

    @property
    def fail_name(self) -> str:
        return f"__dq_fail_{self.index}"

    @property
    def count_name(self) -> str:
        return f"__dq_count_{self.index}"

    @property
    def sample_name(self) -> str:
        return f"__dq_sample_{self.index}"

    @property
    def rows_name(self) -> str:
        return f"__dq_rows_{self.index}"

    @property
    def mask_name(self) -> str:
        return f"__dq_mask_{self.index}"

    @property
    def mask(self) -> pl.Expr:
        """True on the failing rows, never null: the cheapest expression that says so."""
        return self.fail if self.locate is None else self.locate

    def masked(self) -> pl.Expr:
        """The mask as a column of the query (see :meth:`Plan.with_masks`).

        Why a column: polars' common-subexpression elimination shares only the largest
        repeated expressions, so a mask used by a count, ``arg_true`` for samples and a
        filter for the export would be computed once per use (a regex three times).
        """
        return pl.col(self.mask_name)

    def _failing_at(self, limit: int) -> pl.Expr:
        """Row numbers of the first *limit* failing rows: gathering them beats filtering."""
        return self.masked().arg_true().head(limit)

    def sample_rows(self, limit: int, key: Sequence[pl.Expr]) -> pl.Expr:
        """The first *limit* failing rows, in row order, as one list of structs.

        Each struct holds ``value`` (the failing value, for single-column rules) and
        either the key columns ``k0, k1 ...`` or ``row``, the 0-based row number. Needs
        the masks as columns (:meth:`Plan.with_masks`).
        """
        at = self._failing_at(limit)
        fields: list[pl.Expr] = []
        if self.sampled and self.sample is not None and self.column is not None:
            fields.append(self.sample.gather(at).alias("value"))
        if key:
            fields.extend(k.gather(at).alias(f"k{i}") for i, k in enumerate(key))
        else:
            fields.append(at.cast(pl.Int64).alias("row"))
        return pl.struct(fields).implode().alias(self.rows_name)

    def sample_values(self, limit: int) -> pl.Expr:
        """Up to *limit* failing values (or row numbers), in row order, as one list.

        Needs the masks as columns (:meth:`Plan.with_masks`).
        """
        at = self._failing_at(limit)
        shown = at if self.sample is None else self.sample.gather(at)
        return shown.implode().alias(self.sample_name)

    def aggregates(self, masked: bool = False) -> list[pl.Expr]:
        """The two scalars this rule contributes to the fused ``select``."""
        fail = self.masked() if masked else self.fail
        return [
            (fail.sum() if self.failed is None else self.failed)
            .cast(pl.Int64)
            .alias(self.fail_name),
            self.count.cast(pl.Int64).alias(self.count_name),
        ]


@dataclass(slots=True)
class Plan:
    """The compiled rule set: what the query computes and what is already decided."""

    #: Results decided from the schema (errors, dtype, column_exists), by rule index.
    decided: dict[int, dq.RuleResult] = field(default_factory=dict)
    row_rules: list[RowRule] = field(default_factory=list)
    #: Indexes of ``row_count`` rules: they need only the row count.
    table_rules: list[int] = field(default_factory=list)
    #: Table-level rules judged from a few aggregates (freshness, mean, stddev, quantile).
    table_stats: list[TableStat] = field(default_factory=list)

    def aggregates(
        self, sample_limit: int = 0, rows_limit: int = 0, key: Sequence[pl.Expr] = ()
    ) -> list[pl.Expr]:
        """The fused ``select``; with *sample_limit*, every rule's samples ride along, and
        with *rows_limit* its first failing rows (located by *key*, else row numbers).
        Sampling needs the masks as columns: select from :meth:`with_masks` then."""
        masked = bool(sample_limit or rows_limit)
        exprs = [pl.len().cast(pl.Int64).alias(ROWS)]
        for stat in self.table_stats:
            exprs.extend(stat.aggregates())
        for row_rule in self.row_rules:
            exprs.extend(row_rule.aggregates(masked))
            if sample_limit and row_rule.sampled:
                exprs.append(row_rule.sample_values(sample_limit))
            if rows_limit:
                exprs.append(row_rule.sample_rows(rows_limit, key))
        return exprs

    def with_masks(
        self, lf: pl.LazyFrame, row_rules: Sequence[RowRule] | None = None
    ) -> pl.LazyFrame:
        """*lf* with each row rule's mask as a column, computed once for all its uses."""
        chosen = self.row_rules if row_rules is None else row_rules
        if not chosen:
            return lf
        return lf.with_columns([r.mask.alias(r.mask_name) for r in chosen])


class RuleProblem(Exception):
    """A rule that cannot be evaluated on this data; becomes an ERROR result."""


def error_result(rule: dq.Rule, problem: str) -> dq.RuleResult:
    """An ERROR result whose message names the rule, so a user finds it in the file."""
    message = f"rule {rule.id!r} ({rule.check}): {problem}"
    return dq.make_result(rule, dq.RuleStatus.ERROR, message)
