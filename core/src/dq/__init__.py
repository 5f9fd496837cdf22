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
    "DqError": "dq.model._errors",
    "UsageError": "dq.model._errors",
    "ConfigError": "dq.model._errors",
    "PluginError": "dq.model._errors",
    "PluginNotFound": "dq.model._errors",
    "SuiteFailed": "dq.model._errors",
    # rules
    "Severity": "dq.model._rules",
    "Rule": "dq.model._rules",
    "RuleSet": "dq.model._rules",
    "QualityGate": "dq.model._rules",
    "NotNull": "dq.model._rules",
    "Unique": "dq.model._rules",
    "Between": "dq.model._rules",
    "Regex": "dq.model._rules",
    "InSet": "dq.model._rules",
    "MaxLength": "dq.model._rules",
    "MinLength": "dq.model._rules",
    "DType": "dq.model._rules",
    "ColumnExists": "dq.model._rules",
    "RowCount": "dq.model._rules",
    "Expression": "dq.model._rules",
    "Freshness": "dq.model._rules",
    "Reference": "dq.model._rules",
    "Schema": "dq.model._rules",
    "SchemaMode": "dq.model._rules",
    "Mean": "dq.model._rules",
    "StdDev": "dq.model._rules",
    "Quantile": "dq.model._rules",
    "Bound": "dq.model._rule_fields",
    "parse_duration": "dq.model._rule_fields",
    "CHECKS": "dq.model._rules",
    # results and profiles
    "RuleStatus": "dq.model._results",
    "RunStatus": "dq.model._results",
    "RuleResult": "dq.model._results",
    "SampleRow": "dq.model._results",
    "FailingRows": "dq.model._failures",
    "CheckResult": "dq.model._results",
    "ColumnProfile": "dq.model._results",
    "Profile": "dq.model._results",
    "ValueCount": "dq.model._results",
    # what learn found
    "LearnedRules": "dq.model._learning",
    "SuspectedDefect": "dq.model._learning",
    # the quality gate
    "run_status": "dq.checks._gate",
    "gate_exceeded": "dq.checks._gate",
    # helpers for engine authors
    "rule_passes": "dq.checks._engine_kit",
    "make_result": "dq.checks._engine_kit",
    "judge": "dq.checks._engine_kit",
    "refuse_missing_key": "dq.checks._engine_kit",
    "row_count_result": "dq.checks._engine_kit",
    "distinct_samples": "dq.checks._engine_kit",
    "json_scalar": "dq.checks._engine_kit",
    "NULL_IGNORING_CHECKS": "dq.checks._engine_kit",
    "freshness_result": "dq.checks._table_verdicts",
    "schema_result": "dq.checks._table_verdicts",
    "statistic_result": "dq.checks._table_verdicts",
    "dtype_name_matches": "dq.checks._table_verdicts",
    "between_bounds_problem": "dq.checks._table_verdicts",
    "unsupported_1_3_shape": "dq.checks._table_verdicts",
    "reference_data": "dq.checks._references",
    "reference_scope": "dq.checks._references",
    # notifications
    "Level": "dq.model._notifications",
    "Link": "dq.model._notifications",
    "Notification": "dq.model._notifications",
    "NotificationKind": "dq.model._notifications",
    "RuleFailure": "dq.model._notifications",
    "Delivery": "dq.model._notifications",
    "DeliveryStatus": "dq.model._notifications",
    # secrets
    "SecretRef": "dq.model._secrets",
    "SecretValue": "dq.model._secrets",
    "SecretAccess": "dq.model._secrets",
    "SecretOperation": "dq.model._secrets",
    "SecretError": "dq.model._secrets",
    "InvalidSecretPath": "dq.model._secrets",
    "SecretNotFound": "dq.model._secrets",
    "SecretAccessDenied": "dq.model._secrets",
    "SecretBackendUnavailable": "dq.model._secrets",
    "SecretConflict": "dq.model._secrets",
    "validate_secret_path": "dq.model._secrets",
    "validate_secret_prefix": "dq.model._secrets",
    "secret_fields": "dq.model._secrets",
    "pick_secret_field": "dq.model._secrets",
    # secret access
    "SecretResolver": "dq.secrets._resolver",
    "SecretsConfig": "dq.secrets._config",
    "SecretBackendConfig": "dq.secrets._config",
    "secrets_config": "dq.secrets._config",
    "CachedSecretBackend": "dq.secrets._cache",
    "TenantScopedBackend": "dq.secrets._scope",
    "AuditedSecretBackend": "dq.secrets._audit",
    "SECRET_OUTCOMES": "dq.model._secrets",
    # tenancy
    "TenantId": "dq.model._tenants",
    "RequestFacts": "dq.model._tenants",
    "TenantRejected": "dq.model._tenants",
    "current_tenant": "dq.tenancy._context",
    "tenant_scope": "dq.tenancy._context",
    "run_in_tenant": "dq.tenancy._context",
    "TenantMiddleware": "dq.tenancy._asgi",
    # jobs
    "Suite": "dq.model._jobs",
    "Source": "dq.model._jobs",
    "SourceRef": "dq.model._jobs",
    "Output": "dq.model._jobs",
    "RunContext": "dq.model._jobs",
    # config and plugins
    "converter": "dq.config._converter",
    "make_converter": "dq.config._converter",
    "structure": "dq.config._converter",
    "unstructure": "dq.config._converter",
    "load_document": "dq.config._files",
    "load_typed": "dq.config._files",
    "discover": "dq.plugins._discovery",
    "Inventory": "dq.plugins._discovery",
    "PluginRecord": "dq.plugins._discovery",
    "PluginSettings": "dq.plugins._settings",
    "Host": "dq.plugins._host",
    "default_host": "dq.plugins._host",
    "run_suite": "dq.runs._suite_run",
    "execute_suite": "dq.runs._suite_run",
    "SuiteRun": "dq.runs._suite_run",
    "load_suite": "dq.runs._suite",
    # notification delivery
    "notification_for": "dq.notify._alerts",
    "resolution_for": "dq.notify._alerts",
    "OutboxCorrupt": "dq.notify._store",
    "NotificationLost": "dq.notify._delivery",
    "NotifyConfig": "dq.notify._config",
    "ChannelConfig": "dq.notify._config",
    "Dispatcher": "dq.notify._delivery",
    "Outbox": "dq.notify._outbox",
    "OutboxEntry": "dq.notify._outbox",
    "state_dir": "dq.notify._state",
    # run history (row_count max_change)
    "RunHistory": "dq.runs._history",
    "HistoryEntry": "dq.runs._history",
    "HistoryUnreadable": "dq.runs._history",
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
    from dq.checks._engine_kit import (
        NULL_IGNORING_CHECKS,
        distinct_samples,
        json_scalar,
        judge,
        make_result,
        refuse_missing_key,
        row_count_result,
        rule_passes,
    )
    from dq.checks._gate import gate_exceeded, run_status
    from dq.checks._references import reference_data, reference_scope
    from dq.checks._table_verdicts import (
        between_bounds_problem,
        dtype_name_matches,
        freshness_result,
        schema_result,
        statistic_result,
        unsupported_1_3_shape,
    )
    from dq.config._converter import converter, make_converter, structure, unstructure
    from dq.config._files import load_document, load_typed
    from dq.hookspecs import hookimpl, hookspec
    from dq.model._errors import (
        ConfigError,
        DqError,
        PluginError,
        PluginNotFound,
        SuiteFailed,
        UsageError,
    )
    from dq.model._failures import FailingRows
    from dq.model._jobs import Output, RunContext, Source, SourceRef, Suite
    from dq.model._learning import LearnedRules, SuspectedDefect
    from dq.model._notifications import (
        Delivery,
        DeliveryStatus,
        Level,
        Link,
        Notification,
        NotificationKind,
        RuleFailure,
    )
    from dq.model._results import (
        CheckResult,
        ColumnProfile,
        Profile,
        RuleResult,
        RuleStatus,
        RunStatus,
        SampleRow,
        ValueCount,
    )
    from dq.model._rule_fields import Bound, parse_duration
    from dq.model._rules import (
        CHECKS,
        Between,
        ColumnExists,
        DType,
        Expression,
        Freshness,
        InSet,
        MaxLength,
        Mean,
        MinLength,
        NotNull,
        QualityGate,
        Quantile,
        Reference,
        Regex,
        RowCount,
        Rule,
        RuleSet,
        Schema,
        SchemaMode,
        Severity,
        StdDev,
        Unique,
    )
    from dq.model._secrets import (
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
        pick_secret_field,
        secret_fields,
        validate_secret_path,
        validate_secret_prefix,
    )
    from dq.model._tenants import RequestFacts, TenantId, TenantRejected
    from dq.notify._alerts import notification_for, resolution_for
    from dq.notify._config import ChannelConfig, NotifyConfig
    from dq.notify._delivery import Dispatcher, NotificationLost
    from dq.notify._outbox import Outbox, OutboxEntry
    from dq.notify._state import state_dir
    from dq.notify._store import OutboxCorrupt
    from dq.plugins._discovery import Inventory, PluginRecord, discover
    from dq.plugins._host import Host, default_host
    from dq.plugins._settings import PluginSettings
    from dq.runs._history import HistoryEntry, HistoryUnreadable, RunHistory
    from dq.runs._suite import load_suite
    from dq.runs._suite_run import SuiteRun, execute_suite, run_suite
    from dq.secrets._audit import AuditedSecretBackend
    from dq.secrets._cache import CachedSecretBackend
    from dq.secrets._config import SecretBackendConfig, SecretsConfig, secrets_config
    from dq.secrets._resolver import SecretResolver
    from dq.secrets._scope import TenantScopedBackend
    from dq.tenancy._asgi import TenantMiddleware
    from dq.tenancy._context import current_tenant, run_in_tenant, tenant_scope
