"""The engine's configuration, kept free of truthound and polars so reading it stays cheap."""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class TruthoundConfig:
    """What a user may set under ``[engine.truthound]``.

    ``exact_regex`` (default true) turns off truthound's early-termination
    sampling for ``regex`` rules, so counts above 50,000 rows are computed over
    every row. Set it to false to let truthound sample (first 10,000 rows,
    extrapolated) when speed matters more than exactness: the results are then
    flagged ``approximate`` with the reason.
    """

    exact_regex: bool = True
