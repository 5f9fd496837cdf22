"""The engine's configuration, kept free of polars so reading it stays cheap."""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class PolarsConfig:
    """What a user may set under ``[engine.polars]``.

    ``streaming = false`` (the default) runs one query on polars' in-memory engine:
    only the columns the rules name are read, every rule's verdict and failure
    samples come from a single scan, and on 1M-10M rows this measured as fast as a
    hand-written single ``select``. ``streaming = true`` runs a LazyFrame on polars'
    streaming engine, which reads it in batches so memory stays bounded for data
    larger than RAM; failure samples then need a second, bounded query over the
    failing rules, so a run with failures scans the data twice.
    """

    streaming: bool = False
