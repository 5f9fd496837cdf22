"""The configuration of the ``env`` secret backend: ``[secrets.backends.env]`` in dq config.

One field. dq structures the table with its strict converter, so an unknown key or a bad prefix
is reported at its exact path before any variable is read. Kept light (attrs only): ``dq plugins
info`` imports it.
"""

from __future__ import annotations

from typing import Any

import attrs

from dq_env._naming import DEFAULT_PREFIX, check_prefix


def _prefix(_inst: object, _attribute: attrs.Attribute[Any], value: str) -> None:
    check_prefix(value)


@attrs.frozen(kw_only=True)
class EnvConfig:
    """Which variables are secrets: those whose names start with ``prefix``.

    The prefix is the backend's whole world: it never lists or reads a variable outside it, so
    ``PATH``, ``HOME`` or a CI token in the same environment can never be named by a
    ``${secret:env:...}`` reference. Upper-case letters, digits and ``_``, ending in ``_``.
    No field is a secret: the values live in the environment, not in the config.
    """

    prefix: str = attrs.field(default=DEFAULT_PREFIX, validator=_prefix)
