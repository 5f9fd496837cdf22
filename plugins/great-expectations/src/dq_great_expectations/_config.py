"""The engine's configuration, kept free of great_expectations so reading it stays cheap."""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class GxConfig:
    """What a user may set under ``[engine.gx]``: nothing yet in 0.1.

    The class exists so ``dq plugins info gx`` shows the (empty) configuration and
    a stray key in ``[engine.gx]`` is reported at its exact path instead of ignored.
    """
