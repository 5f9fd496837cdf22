"""dq-contract-tests: the contract suites dq plugins subclass to prove conformance.

Everything a plugin author uses is importable from here (``from dq_contract import HttpSink``)
and documented in docs/contracts/helpers.md:

* the contracts - :class:`EngineContract` (fixture ``engine``), :class:`NotifierContract`
  (``notifier(self, http_sink)``), :class:`SmtpNotifierContract` (``notifier(self,
  smtp_sink)``, needs the ``smtp`` extra), :class:`SecretBackendContract` (``secret_backend``,
  with :class:`SecretsCapabilities`), :class:`TenantResolverContract` (``tenant_resolver``),
  :class:`OrchestratorBindingContract` (``binding``);
* the local servers - :class:`HttpSink` (scripted with :class:`Reply`, recording
  :class:`Request`; :func:`running_sink` for a fixture) and :class:`SmtpSink` (scripted with
  :class:`SmtpReply`, recording :class:`Received`; :func:`running_smtp_sink`);
* the reference implementations, each a worked example that passes its contract -
  :class:`TrivialEngine` and the oracle :func:`reference_check`, :class:`WebhookNotifier`,
  :class:`MemorySecretBackend`, :class:`MappingSecretBackend` (+ :class:`MappingWriter`),
  :class:`HeaderTenantResolver`, :class:`InProcessBinding`;
* case helpers for a plugin's own tests - :func:`assert_conforms`, :func:`frame`,
  :func:`expect`, :func:`nasty_case`, :func:`assert_only`, :func:`unsafe_paths`,
  :func:`near_misses`, :func:`facts`, :func:`classify_request`; hypothesis strategies in
  :mod:`dq_contract.strategies`.

Names are imported on first use (module ``__getattr__``), so the pytest plugin
(:mod:`dq_contract.plugin`, loaded in every session where this is installed) costs nothing
until a contract is used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.3.0"
#: The version the conformance report records: which pinned semantics were checked.
SUITE_VERSION = __version__

#: Public name -> the submodule that defines it.
_EXPORTS: dict[str, str] = {
    # contracts
    "EngineContract": "engine",
    "NotifierContract": "notifier",
    "SmtpNotifierContract": "notifier_smtp",
    "SecretBackendContract": "secrets",
    "SecretsCapabilities": "secrets_capabilities",
    "TenantResolverContract": "tenant",
    "OrchestratorBindingContract": "orchestrator",
    # local servers
    "HttpSink": "servers",
    "Reply": "servers",
    "Request": "servers",
    "Responder": "servers",
    "running_sink": "servers",
    "SmtpSink": "smtp_sink",
    "SmtpReply": "smtp_sink",
    "Received": "smtp_sink",
    "running_smtp_sink": "smtp_sink",
    "tls_material": "smtp_sink",
    # reference implementations
    "TrivialEngine": "trivial",
    "reference_check": "reference",
    "WebhookNotifier": "reference_notifier",
    "MemorySecretBackend": "reference_secrets",
    "MappingSecretBackend": "reference_secrets_readonly",
    "MappingWriter": "reference_secrets_readonly",
    "HeaderTenantResolver": "reference_tenant",
    "InProcessBinding": "reference_orchestrator",
    # case helpers
    "assert_conforms": "compare",
    "frame": "engine_cases",
    "expect": "engine_cases",
    "nasty_case": "engine_cases",
    "assert_only": "secrets_cases",
    "unsafe_paths": "secrets_cases",
    "near_misses": "secrets_cases",
    "facts": "tenant",
    "classify_request": "notifier_lifecycle",
}

__all__ = ["SUITE_VERSION", "__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dq_contract' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"dq_contract.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
