"""The engine's configuration, kept free of polars so reading it stays cheap."""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class PolarsConfig:
    """What a user may set under ``[engine.polars]``.

    ``streaming`` runs the query on polars' streaming engine, which reads a
    LazyFrame in batches instead of materialising it (the reason to prefer it for
    large scans); turn it off to use the in-memory engine, e.g. to work around a
    streaming-engine bug in a particular polars release.
    """

    streaming: bool = True
