"""Which data a check runs on: the asset's materialized value, or the suite's own source.

dq-core reads a suite's data from a path (``dq.execute_suite`` scans ``suite.source``), so a
frame an asset returns is written once to a Parquet file in a private temporary folder and
the suite is pointed at it: Parquet keeps every dtype, and polars reads it back lazily. What
an asset may return:

* a polars ``DataFrame`` or ``LazyFrame``;
* a pandas ``DataFrame`` (converted by polars, which needs pyarrow for non-numpy columns:
  ``pip install dq-prefect[pandas]``);
* a path (``str`` or ``os.PathLike``) or a :class:`dq.Source` -- the file the asset wrote;
* ``None`` -- the asset wrote its data elsewhere: the suite's ``source`` is checked.

Anything else is refused with one line saying what to return instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import dq


def _kind(value: object) -> str:
    cls = type(value)
    return f"{cls.__module__.split('.')[0]}.{cls.__name__}"


def source_for(value: object, folder: Path) -> dq.Source | None:
    """The source to check for *value*; frames are written under *folder* (the caller's)."""
    if value is None:
        return None
    if isinstance(value, dq.Source):
        return value
    if isinstance(value, str | os.PathLike):
        return dq.Source(path=os.fspath(value))
    kind = _kind(value)
    if kind in ("polars.DataFrame", "polars.LazyFrame"):
        path = folder / "asset.parquet"
        if kind == "polars.LazyFrame":
            value.sink_parquet(path)  # type: ignore[attr-defined]
        else:
            value.write_parquet(path)  # type: ignore[attr-defined]
        return dq.Source(path=str(path), format="parquet")
    if kind == "pandas.DataFrame":
        import polars as pl

        try:
            frame = pl.from_pandas(value)  # type: ignore[arg-type]
        except ImportError:
            raise dq.UsageError(
                "checking a pandas DataFrame needs pyarrow: pip install 'dq-prefect[pandas]'"
            ) from None
        return source_for(frame, folder)
    raise dq.UsageError(
        f"the asset's value is a {kind}, which dq cannot check: return a polars or pandas "
        "DataFrame or the path of the file written, or build the check with "
        "load_value=False to check the suite's source"
    )


def with_source(suite: dq.Suite, source: dq.Source | None) -> dq.Suite:
    """*suite* pointed at *source* (unchanged when there is none)."""
    return suite if source is None else attrs.evolve(suite, source=source)
