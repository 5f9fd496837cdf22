"""Running a suite the whole way: tenant, secrets, engine, gate, notifications.

``dq run``, ``dq.run_suite`` and every orchestrator binding come through here,
so a suite behaves the same from a terminal, CI or a scheduler. The order is
the point: the tenant is bound first (everything after it is scoped to it),
then the engine runs, then notifications go out under the same tenant, with
secret references resolved only at the moment they are needed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from dq.checks._engines import check, check_failures
from dq.checks._failures import write_failures
from dq.checks._references import references_bound
from dq.config._files import engine_table, site_config
from dq.config._policy import enforce, policy_from
from dq.model._errors import UsageError
from dq.model._failures import FailingRows
from dq.model._jobs import RunContext, Suite
from dq.model._notifications import Delivery
from dq.model._results import CheckResult
from dq.model._tenants import TenantId
from dq.plugins._host import Host, host_for
from dq.runs._preflight import preflight
from dq.runs._row_change import judge_row_changes
from dq.tenancy._context import current_tenant, tenant_scope


@attrs.frozen(kw_only=True)
class SuiteRun:
    """What a suite run produced: the judged result, the run context, and what was sent."""

    result: CheckResult
    context: RunContext
    deliveries: tuple[Delivery, ...] = ()
    #: The failing rows written to the suite's ``[output] failures``, when it names a file.
    failing: FailingRows | None = None


@attrs.frozen(kw_only=True)
class TenantPolicy:
    """The suite's ``[tenant]`` table: a fixed tenant, or whether one is required."""

    id: TenantId | None = None
    required: bool = False


def tenant_policy(suite: Suite, source: str) -> TenantPolicy:
    from dq.config._converter import structure

    return structure(dict(suite.tenant), TenantPolicy, source=f"{source}: tenant")


def run_tenant(
    suite: Suite,
    context: RunContext | None,
    *,
    source: str,
    environ: Mapping[str, str] | None = None,
) -> TenantId | None:
    """The tenant a run belongs to: the run context's, else ``$DQ_TENANT``, else the
    tenant already bound by the caller, else the suite's own ``[tenant] id``.

    A suite that pins a tenant refuses to run for another: a scheduler parameter
    must not be able to point acme's suite at globex's secrets and channels.
    """
    policy = tenant_policy(suite, source)
    env = os.environ if environ is None else environ
    chosen: TenantId | None = None
    if context is not None and context.tenant is not None:
        chosen = context.tenant
    elif env.get("DQ_TENANT"):
        try:
            chosen = TenantId(env["DQ_TENANT"])
        except ValueError as exc:
            raise UsageError(f"DQ_TENANT: {exc}") from None
    elif current_tenant() is not None:
        chosen = current_tenant()
    if policy.id is not None:
        if chosen is not None and chosen != policy.id:
            raise UsageError(
                f"{source}: suite {suite.name!r} belongs to tenant {policy.id} and cannot run "
                f"for tenant {chosen}"
            )
        chosen = policy.id
    if chosen is None and policy.required:
        raise UsageError(
            f"{source}: suite {suite.name!r} requires a tenant; pass --tenant, set DQ_TENANT, "
            "or give the orchestrator's tenant parameter"
        )
    return chosen


def new_run_id() -> str:
    return f"dq-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def execute_suite(
    suite: Suite,
    *,
    host: Host,
    context: RunContext | None = None,
    source: str | None = None,
    notify: bool = True,
    engine: str | None = None,
    site: Mapping[str, Any] | None = None,
    site_source: str = "dq.toml",
) -> SuiteRun:
    """Run *suite* under its tenant; send notifications when the suite has channels.

    *site* is the dq.toml table (read from ``$DQ_CONFIG`` / ``./dq.toml`` when None;
    *site_source* names it in errors). Its ``[engines.NAME]`` sits under the suite's
    ``engine_config`` key by key, its ``[secrets]`` backends under the suite's (a
    backend the suite names replaces the site's whole), and its ``[notify]`` applies
    when the suite has none: an operator configures Vault and the on-call channel
    once for every suite.
    """
    from dq.checks._sources import read_source

    where = source or suite.name
    tenant = run_tenant(suite, context, source=where)
    ctx = context or RunContext(run_id=new_run_id())
    ctx = attrs.evolve(ctx, tenant=tenant)
    engine_name = engine or suite.engine
    if site is None:
        site, site_source = site_config()
    enforce_policy(suite, site=site, site_source=site_source, where=where, engine=engine_name)
    secrets_table = _merged_secrets(site, suite)
    notify_table = dict(suite.notify or site.get("notify") or {})
    with tenant_scope(tenant):
        resolver = secret_resolver(
            secrets_table, host, source=where, tenant=ctx.tenant, actor=_actor(ctx)
        )
        engine_config = {
            **engine_table(site, engine_name, source=site_source),
            **suite.engine_config,
        }
        if engine_config:
            engine_config = resolver.resolve_tree_sync(engine_config, where="engine_config")
        # every config mistake left is found now, before the data is read
        preflight(
            suite,
            host=host,
            notify_table=notify_table,
            notify_source=where if suite.notify else site_source,
            where=where,
            notify=notify,
        )
        references = suite_references(suite, source=source, site=site, site_source=site_source)
        failures = suite_failures(suite)  # refused (exit 2) before any data is read
        frame, paths = read_source(
            suite.source,
            resolve=resolver.resolve_tree_sync,
            where=where,
        )
        failing = None
        with references_bound(references):
            if failures is None:
                result = check(
                    host, engine_name, frame, suite.rules, engine_config=engine_config, paths=paths
                )
            else:
                result, failing = check_failures(
                    host,
                    engine_name,
                    frame,
                    suite.rules,
                    limit=failures.limit,
                    engine_config=engine_config,
                    paths=paths,
                )
                write_failures(failures, failing.frame)
        result = judge_row_changes(
            result, suite.rules, suite=suite.name, tenant=ctx.tenant, run_id=ctx.run_id
        )
        deliveries: tuple[Delivery, ...] = ()
        if notify and notify_table:
            deliveries = _notify(suite.name, notify_table, result, host, ctx, where, resolver)
    return SuiteRun(result=result, context=ctx, deliveries=deliveries, failing=failing)


def suite_failures(suite: Suite) -> Any:
    """The suite's ``[output] failures`` target, checked: a ``.parquet``/``.csv`` path in an
    existing folder, not a data file of the suite's own source (None when not set)."""
    if suite.output.failures is None:
        return None
    from dq.checks._failures import failures_target, limit_from, refuse_data_paths

    option = "output.failures"
    limit = limit_from(suite.output.failures_limit, option="output.failures_limit")
    target = failures_target(suite.output.failures, limit=limit, option=option)
    if suite.source.type == "file" and suite.source.path:
        from dq.checks._data import expand

        try:
            refuse_data_paths(target, expand(suite.source.path), option=option)
        except UsageError:
            raise
        except Exception:  # noqa: BLE001 - the read reports a missing source in its own words
            pass
    return target


def suite_references(
    suite: Suite, *, source: str | None, site: Mapping[str, Any], site_source: str
) -> dict[str, Any]:
    """The suite's ``reference`` datasets, resolved and checked before any data is read
    (relative to the file that holds the rules; see ``dq.checks._reference_paths``)."""
    from dq.checks._reference_paths import resolve_references, suite_rules_file

    if not any(rule.check == "reference" for rule in suite.rules.rules):
        return {}
    base, rules_source = suite_rules_file(source)
    return resolve_references(
        suite.rules,
        rules_source=rules_source,
        base=base,
        data_path=suite.source.path if suite.source.type == "file" else None,
        site=site,
        site_source=site_source,
    )


def enforce_policy(
    suite: Suite, *, site: Mapping[str, Any], site_source: str, where: str, engine: str
) -> None:
    """Refuse (exit 2) a suite that loosens what dq.toml's ``[policy]`` locks."""
    enforce(
        policy_from(site, site_source),
        where,
        site=site,
        suite_secrets=suite.secrets,
        suite_notify=suite.notify,
        engine=engine,
        data_path=getattr(suite.source, "path", None),
    )


def _merged_secrets(site: Mapping[str, Any], suite: Suite) -> dict[str, Any]:
    if not site.get("secrets"):
        return dict(suite.secrets)
    from dq.secrets._config import merge_secrets_tables

    return merge_secrets_tables(site.get("secrets"), suite.secrets)


def secret_resolver(
    table: Mapping[str, Any],
    host: Host,
    *,
    source: str,
    tenant: TenantId | None,
    actor: str,
) -> Any:
    """The resolver for one ``[secrets]`` table; built even without backends, so a
    reference names the table that is missing. Backends connect only when first named."""
    from dq.secrets._config import secrets_config
    from dq.secrets._resolver import SecretResolver

    config = secrets_config(table, source=f"{source}: secrets")
    return SecretResolver(host, config, tenant=tenant, actor=actor)


def _actor(ctx: RunContext) -> str:
    return f"{ctx.orchestrator or 'dq'}:{ctx.run_id}"


def _notify(
    suite_name: str,
    table: dict[str, Any],
    result: CheckResult,
    host: Host,
    ctx: RunContext,
    source: str,
    resolver: Any,
) -> tuple[Delivery, ...]:
    """Send the result's notification through the suite's channels (under the run's tenant).

    Secret references in a channel's options are resolved by the dispatcher, per
    channel, at send time; a channel whose secret cannot be read is kept in the
    outbox like any failed delivery instead of failing the run.
    """
    from dq.notify._alerts import notification_for, resolution_for
    from dq.notify._config import NotifyConfig
    from dq.notify._delivery import Dispatcher, lost_alerts
    from dq.notify._outbox import Outbox

    config = NotifyConfig.from_table(table, source=source)
    notification = notification_for(
        result, suite_name, tenant=ctx.tenant, run_id=ctx.run_id, notify_on=config.on
    )
    # a pass closes the suite's open incident (if any) whatever ``on`` says
    resolution = resolution_for(result, suite_name, tenant=ctx.tenant, run_id=ctx.run_id)
    if notification is None and resolution is None:
        return ()
    dispatcher = Dispatcher(
        host,
        config,
        Outbox(),
        config_source=str(Path(source).resolve()) if Path(source).is_file() else source,
        resolve=resolver.resolve_tree,
    )
    deliveries = dispatcher.resolve_sync(resolution) if resolution is not None else []
    if notification is not None:
        deliveries += dispatcher.dispatch_sync(notification, incident=suite_name)
    lost_alerts(deliveries)  # raises when even the outbox could not keep a failed one
    return tuple(deliveries)


def run_suite(
    suite: Suite,
    *,
    host: Host | None = None,
    context: RunContext | None = None,
    notify: bool = True,
) -> CheckResult:
    """Run *suite* exactly as ``dq run`` does and return the judged result.

    The entry point for orchestrator bindings and other embedders. It binds the
    run's tenant (from *context*, ``DQ_TENANT``, the caller's bound tenant, or the
    suite's ``[tenant]``), resolves ``${secret:...}`` references, reads the source,
    runs the suite's engine, applies the gate and, when the suite has
    ``[notify]`` channels, sends the notification. It does not raise on a failed
    gate (see :class:`dq.SuiteFailed` for that); use :func:`dq.execute_suite` to
    also get the run context and the deliveries.
    """
    site, source = site_config()  # read once: for the plugin settings and the suite's tables
    return execute_suite(
        suite,
        host=host or host_for(site, source),
        context=context,
        notify=notify,
        site=site,
        site_source=source,
    ).result
