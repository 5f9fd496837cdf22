"""dq: a plugin framework for data quality.

Everything public is importable from here. Names are loaded on first access
(PEP 562) so that ``import dq`` stays cheap: the command line and plugin
discovery must not pay for attrs, cattrs or pluggy unless they use them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from dq._version import HOOK_API_VERSION, __version__

_EXPORTS: dict[str, str] = {
    # hooks
    "hookimpl": "dq.hookspecs",
    "hookspec": "dq.hookspecs",
    # errors
    "DqError": "dq._errors",
    "UsageError": "dq._errors",
    "ConfigError": "dq._errors",
    "PluginError": "dq._errors",
    "PluginNotFound": "dq._errors",
    "SuiteFailed": "dq._errors",
    # rules
    "Severity": "dq._rules",
    "Rule": "dq._rules",
    "RuleSet": "dq._rules",
    "QualityGate": "dq._rules",
    "NotNull": "dq._rules",
    "Unique": "dq._rules",
    "Between": "dq._rules",
    "Regex": "dq._rules",
    "InSet": "dq._rules",
    "MaxLength": "dq._rules",
    "MinLength": "dq._rules",
    "DType": "dq._rules",
    "ColumnExists": "dq._rules",
    "RowCount": "dq._rules",
    "Expression": "dq._rules",
    "CHECKS": "dq._rules",
    # results and profiles
    "RuleStatus": "dq._results",
    "RunStatus": "dq._results",
    "RuleResult": "dq._results",
    "CheckResult": "dq._results",
    "ColumnProfile": "dq._results",
    "Profile": "dq._results",
    "ValueCount": "dq._results",
    # the quality gate
    "run_status": "dq._gate",
    "gate_exceeded": "dq._gate",
    # helpers for engine authors
    "rule_passes": "dq._engine_kit",
    "make_result": "dq._engine_kit",
    "judge": "dq._engine_kit",
    "row_count_result": "dq._engine_kit",
    "distinct_samples": "dq._engine_kit",
    "json_scalar": "dq._engine_kit",
    "NULL_IGNORING_CHECKS": "dq._engine_kit",
    # notifications
    "Level": "dq._notify",
    "Link": "dq._notify",
    "Notification": "dq._notify",
    "NotificationKind": "dq._notify",
    "RuleFailure": "dq._notify",
    "Delivery": "dq._notify",
    "DeliveryStatus": "dq._notify",
    # secrets
    "SecretRef": "dq._secrets",
    "SecretValue": "dq._secrets",
    "SecretAccess": "dq._secrets",
    "SecretOperation": "dq._secrets",
    "SecretError": "dq._secrets",
    "InvalidSecretPath": "dq._secrets",
    "SecretNotFound": "dq._secrets",
    "SecretAccessDenied": "dq._secrets",
    "SecretBackendUnavailable": "dq._secrets",
    "SecretConflict": "dq._secrets",
    "validate_secret_path": "dq._secrets",
    "validate_secret_prefix": "dq._secrets",
    "secret_fields": "dq._secrets",
    # secret access
    "SecretResolver": "dq._secret_resolver",
    "SecretsConfig": "dq._secret_config",
    "SecretBackendConfig": "dq._secret_config",
    "secrets_config": "dq._secret_config",
    "CachedSecretBackend": "dq._secret_cache",
    "TenantScopedBackend": "dq._secret_scope",
    "AuditedSecretBackend": "dq._secret_audit",
    "SECRET_OUTCOMES": "dq._secrets",
    # tenancy
    "TenantId": "dq._tenancy",
    "RequestFacts": "dq._tenancy",
    "TenantRejected": "dq._tenancy",
    "current_tenant": "dq._tenant_context",
    "tenant_scope": "dq._tenant_context",
    "run_in_tenant": "dq._tenant_context",
    "TenantMiddleware": "dq._asgi",
    # jobs
    "Suite": "dq._jobs",
    "Source": "dq._jobs",
    "Output": "dq._jobs",
    "RunContext": "dq._jobs",
    # config and plugins
    "converter": "dq._converter",
    "make_converter": "dq._converter",
    "structure": "dq._converter",
    "unstructure": "dq._converter",
    "load_document": "dq._documents",
    "load_typed": "dq._documents",
    "discover": "dq._discovery",
    "Inventory": "dq._discovery",
    "PluginRecord": "dq._discovery",
    "PluginSettings": "dq._settings",
    "Host": "dq._host",
    "default_host": "dq._runner",
    "run_suite": "dq._runner",
    "execute_suite": "dq._suite_run",
    "SuiteRun": "dq._suite_run",
    "load_suite": "dq._suite",
    # notification delivery
    "notification_for": "dq._alerts",
    "NotifyConfig": "dq._notify_config",
    "ChannelConfig": "dq._notify_config",
    "Dispatcher": "dq._delivery",
    "Outbox": "dq._outbox",
    "OutboxEntry": "dq._outbox",
    "state_dir": "dq._state",
}

__all__ = ["HOOK_API_VERSION", "__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dq' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # let type checkers and IDEs see the real names
    from dq._alerts import notification_for
    from dq._asgi import TenantMiddleware
    from dq._converter import converter, make_converter, structure, unstructure
    from dq._delivery import Dispatcher
    from dq._discovery import Inventory, PluginRecord, discover
    from dq._documents import load_document, load_typed
    from dq._engine_kit import (
        NULL_IGNORING_CHECKS,
        distinct_samples,
        json_scalar,
        judge,
        make_result,
        row_count_result,
        rule_passes,
    )
    from dq._errors import (
        ConfigError,
        DqError,
        PluginError,
        PluginNotFound,
        SuiteFailed,
        UsageError,
    )
    from dq._gate import gate_exceeded, run_status
    from dq._host import Host
    from dq._jobs import Output, RunContext, Source, Suite
    from dq._notify import (
        Delivery,
        DeliveryStatus,
        Level,
        Link,
        Notification,
        NotificationKind,
        RuleFailure,
    )
    from dq._notify_config import ChannelConfig, NotifyConfig
    from dq._outbox import Outbox, OutboxEntry
    from dq._results import (
        CheckResult,
        ColumnProfile,
        Profile,
        RuleResult,
        RuleStatus,
        RunStatus,
        ValueCount,
    )
    from dq._rules import (
        CHECKS,
        Between,
        ColumnExists,
        DType,
        Expression,
        InSet,
        MaxLength,
        MinLength,
        NotNull,
        QualityGate,
        Regex,
        RowCount,
        Rule,
        RuleSet,
        Severity,
        Unique,
    )
    from dq._runner import default_host, run_suite
    from dq._secret_audit import AuditedSecretBackend
    from dq._secret_cache import CachedSecretBackend
    from dq._secret_config import SecretBackendConfig, SecretsConfig, secrets_config
    from dq._secret_resolver import SecretResolver
    from dq._secret_scope import TenantScopedBackend
    from dq._secrets import (
        SECRET_OUTCOMES,
        InvalidSecretPath,
        SecretAccess,
        SecretAccessDenied,
        SecretBackendUnavailable,
        SecretConflict,
        SecretError,
        SecretNotFound,
        SecretOperation,
        SecretRef,
        SecretValue,
        secret_fields,
        validate_secret_path,
        validate_secret_prefix,
    )
    from dq._settings import PluginSettings
    from dq._state import state_dir
    from dq._suite import load_suite
    from dq._suite_run import SuiteRun, execute_suite
    from dq._tenancy import RequestFacts, TenantId, TenantRejected
    from dq._tenant_context import current_tenant, run_in_tenant, tenant_scope
    from dq.hookspecs import hookimpl, hookspec
