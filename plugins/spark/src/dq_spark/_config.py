"""``[engines.spark]``: which Spark session to use (created on first use, never at build)."""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class SparkConfig:
    """``master`` for a classic session (``local[2]``, ``yarn``, ``spark://...``), or
    ``remote`` for Spark Connect (``sc://host:15002``; needs ``dq-spark[connect]``).
    ``conf`` is passed to the builder as is. An active session in the process (a binding's,
    a notebook's) is reused when neither is set."""

    master: str | None = None
    remote: str | None = None
    app_name: str = "dq"
    conf: dict[str, str] = attrs.field(factory=dict)
