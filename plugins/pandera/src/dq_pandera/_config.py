"""The engine's configuration (the ``[engine.pandera]`` table)."""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class PanderaConfig:
    """dq-pandera takes no options yet.

    The class exists so dq structures the user's table for it: an unknown key in
    ``[engine.pandera]`` is then reported at its path instead of being ignored.
    """
