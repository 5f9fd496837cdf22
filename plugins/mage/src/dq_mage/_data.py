"""Which data a block checks: the upstream block's output, or the suite's own source.

dq-core reads a suite's data from a path (``dq.execute_suite`` scans ``suite.source``; there
is no public way to hand it a frame and keep tenancy, secrets and notifications), so a frame
is written once to a Parquet file in a private temporary folder and the suite is pointed at
it: Parquet keeps every dtype and polars reads it back lazily, so the counts equal those of
``dq run`` on the same data. What a block may hand over:

* a polars ``DataFrame`` or ``LazyFrame``;
* a pandas ``DataFrame`` (Mage's usual output; converted with ``polars.from_pandas``, which
  needs pyarrow -- mage-ai installs it);
* a path (``str`` or ``os.PathLike``) or a :class:`dq.Source` -- a file the block wrote;
* ``None`` -- check the suite's own ``source``.

Anything else is refused with one line saying what to pass instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import dq


def kind_of(value: object) -> str:
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
    kind = kind_of(value)
    if kind in ("polars.DataFrame", "polars.LazyFrame"):
        path = folder / "output.parquet"
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
                "checking a pandas DataFrame needs pyarrow: pip install 'dq-mage[pandas]'"
            ) from None
        except (TypeError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise dq.UsageError(
                f"the pandas DataFrame cannot be converted to polars ({first[:200]}): "
                "give its object columns one type each"
            ) from None
        return source_for(frame, folder)
    raise dq.UsageError(
        f"the block's data is a {kind}, which dq cannot check: pass a pandas or polars "
        "DataFrame, the path of the file written, or None to check the suite's source"
    )


def with_source(suite: dq.Suite, source: dq.Source | None) -> dq.Suite:
    """*suite* pointed at *source* (unchanged when there is none)."""
    return suite if source is None else attrs.evolve(suite, source=source)
