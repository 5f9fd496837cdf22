"""dq-contract-tests: the contract suites dq plugins subclass to prove conformance.

* :class:`dq_contract.engine.EngineContract` - subclass it, provide an ``engine`` fixture.
* :func:`dq_contract.reference.reference_check` - the oracle engines are compared with.
* :mod:`dq_contract.strategies` - hypothesis strategies (``frames``, ``rule_sets``, ``cases``).
* :class:`dq_contract.trivial.TrivialEngine` - a minimal engine that passes the contract.
* :class:`dq_contract.notifier.NotifierContract` (fixture ``notifier(self, http_sink)``),
  :class:`dq_contract.secrets.SecretBackendContract` (``secret_backend``),
  :class:`dq_contract.tenant.TenantResolverContract` (``tenant_resolver``),
  :class:`dq_contract.orchestrator.OrchestratorBindingContract` (``binding``), each with its
  reference implementation in ``dq_contract.reference_<kind>``.
* :mod:`dq_contract.servers` - the local HTTP sink notifiers are tested against.
* :mod:`dq_contract.engine_cases` - ``frame``, ``expect``, ``nasty_case`` for your own tests.
* :func:`dq_contract.compare.assert_conforms` - the contract's judgement, for differential tests.

Submodules are imported on demand so that the pytest plugin (:mod:`dq_contract.plugin`, loaded
in every session where this is installed) costs nothing until a contract is used.
"""

from __future__ import annotations

__version__ = "0.3.0"
#: The version the conformance report records: which pinned semantics were checked.
SUITE_VERSION = __version__
