"""The failing-rows export (``dq check --failures PATH``), computed inside the fused query.

Why inside it: a second query would read the data a second time (a LazyFrame over a
file is scanned once per ``collect``; ``pl.collect_all`` does not merge two scans whose
projections differ, and ``.cache()`` would hold every column of every row). So the export
is more columns of the same ``select``: each data column, the row number and each rule's
mask, filtered by "failed any rule" and cut at the limit, each imploded to one list. The
masks are the ones the counts already use, so polars computes them once. The one-row
answer is then unpacked into a frame: the data's columns in order, ``dq_row`` and
``dq_failed_rules`` (decision 0024).
"""

from __future__ import annotations

from collections.abc import Sequence

import dq
import polars as pl

from dq_polars._plan import RowRule

_TOTAL = "__dq_failing_rows"
_ROW = "__dq_failing_row"


def _column_name(position: int) -> str:
    return f"__dq_failing_col_{position}"


def _mask_name(row_rule: RowRule) -> str:
    return f"__dq_failing_mask_{row_rule.index}"


def refuse_clashing_columns(schema: pl.Schema) -> None:
    """The export adds two columns; data that already has one of them is refused (exit 2)."""
    for name in (dq.FailingRows.ROW, dq.FailingRows.RULES):
        if name in schema:
            raise dq.UsageError(
                f"--failures: the data already has a column named {name!r}, which the failing-"
                "rows export adds; rename that column to export failing rows"
            )


def export_columns(
    row_rules: Sequence[RowRule], schema: pl.Schema, limit: int | None
) -> list[pl.Expr]:
    """The aggregates that carry the export through the fused ``select``.

    They read the rules' masks as columns: select them from ``Plan.with_masks``.
    """
    if not row_rules:
        return [pl.lit(0, dtype=pl.Int64).alias(_TOTAL)]
    failed_any = pl.any_horizontal([r.masked() for r in row_rules])
    at = failed_any.arg_true()
    at = at if limit is None else at.head(limit)

    def picked(expr: pl.Expr) -> pl.Expr:
        # gathering the failing rows beats filtering every column when few rows fail
        return expr.gather(at).implode()

    exprs = [failed_any.sum().cast(pl.Int64).alias(_TOTAL)]
    # by position: a column named like a regex (``^a$``) or like dq's own is still itself
    exprs.extend(picked(_nth(i)).alias(_column_name(i)) for i in range(len(schema)))
    exprs.append(at.cast(pl.Int64).implode().alias(_ROW))
    exprs.extend(picked(r.masked()).alias(_mask_name(r)) for r in row_rules)
    return exprs


def export_names(row_rules: Sequence[RowRule], schema: pl.Schema) -> list[str]:
    """The names :func:`export_columns` gives, to split them off the verdict's columns."""
    if not row_rules:
        return [_TOTAL]
    names = [_TOTAL, *(_column_name(i) for i in range(len(schema))), _ROW]
    return names + [_mask_name(r) for r in row_rules]


def failing_rows(
    out: pl.DataFrame, row_rules: Sequence[RowRule], schema: pl.Schema
) -> dq.FailingRows:
    """Unpack the one-row answer of the fused query into the exported frame."""
    total = int(out.get_column(_TOTAL)[0])
    if not row_rules:  # nothing judged row by row: no row can fail
        empty = pl.DataFrame(schema=schema).with_columns(
            pl.Series(dq.FailingRows.ROW, [], dtype=pl.Int64),
            pl.Series(dq.FailingRows.RULES, [], dtype=pl.List(pl.String)),
        )
        return dq.FailingRows(frame=empty, total=total)
    frame = pl.DataFrame(
        [_cell(out, _column_name(i)).rename(name) for i, name in enumerate(schema)]
    )
    masks = pl.DataFrame(
        [_cell(out, _mask_name(r)).rename(f"m{j}") for j, r in enumerate(row_rules)]
    )
    ids = masks.select(
        pl.concat_list(
            [
                pl.when(pl.col(f"m{j}")).then(pl.lit(r.rule.id, dtype=pl.String))
                for j, r in enumerate(row_rules)
            ]
        )
        .list.drop_nulls()
        .alias(dq.FailingRows.RULES)
    )
    frame = frame.with_columns(
        _cell(out, _ROW).rename(dq.FailingRows.ROW), ids.get_column(dq.FailingRows.RULES)
    )
    return dq.FailingRows(frame=frame, total=total)


def _cell(out: pl.DataFrame, name: str) -> pl.Series:
    """The list in the only row of column *name*, as a Series (no Python objects)."""
    column = out.get_column(name)
    if column.list.len()[0] == 0:  # polars < 1.34 explodes an empty list to one null
        return pl.Series(name, [], dtype=column.dtype.inner)  # type: ignore[attr-defined]
    return column.explode()


def _nth(position: int) -> pl.Expr:
    """The column at *position* (a selector in polars 2, an expression before)."""
    by_position = pl.nth(position)
    return by_position if isinstance(by_position, pl.Expr) else by_position.as_expr()
