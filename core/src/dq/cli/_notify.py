"""``dq notify``: send a test message, replay the outbox, list what waits in it and the open
incidents.

Channel config is read from a suite's ``[notify]`` table (``--suite FILE``) or
from dq.toml, and ``${secret:...}`` references in it are resolved through the
``[secrets]`` backends (dq.toml's, overlaid by the suite's) at the moment a
channel is built: the outbox itself never holds a URL or token. Nothing printed
here contains a resolved value; the outbox only ever stores secret-free errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dq.cli._context import CommandContext
from dq.cli._groups import group_usage
from dq.model._errors import EXIT_OK, EXIT_RUNTIME, DqError, UsageError

EPILOG = """\
exit codes:
  0  delivered (replay: everything delivered, or nothing was waiting)
  2  unknown channel or invalid config (the message names the channel and the file)
  3  a delivery failed (replay: some entries still fail and stay in the outbox; or
     some are held by another live dq process, named with its pid and host, and were
     not sent: run replay again when it has finished); or the state file was corrupt
     (it is moved aside to notify.sqlite3.corrupt-<timestamp> and a fresh one is used)

The outbox lives in the state directory: $DQ_STATE_DIR, else $XDG_STATE_HOME/dq,
else ~/.local/state/dq (Windows: %LOCALAPPDATA%\\dq), file notify.sqlite3.
"""


def register(groups: Any) -> None:
    notify = groups.add_parser(
        "notify",
        help="test notification channels and replay failed notifications",
        description="Test notification channels, replay the outbox of failed "
        "notifications, and list what is waiting in it.",
    )
    commands = notify.add_subparsers(dest="notify_command", metavar="COMMAND")
    notify.set_defaults(handler=lambda _args: group_usage(notify))

    test = commands.add_parser(
        "test",
        help="send a test message to one channel",
        description="Send a test message straight to CHANNEL (no level routing, no "
        "cooldown, not kept in the outbox) using its config as TENANT sees it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    test.add_argument("channel", metavar="CHANNEL", help="channel name from [notify.channels]")
    _suite_option(test)
    test.add_argument("--tenant", metavar="TENANT", help="use this tenant's channel config")
    test.add_argument("--json", action="store_true", help="print the delivery as JSON")
    test.set_defaults(handler=cmd_test)

    replay = commands.add_parser(
        "replay",
        help="resend notifications waiting in the outbox",
        description="Resend the notifications that failed earlier, with their original "
        "dedup key, using the channel config as it is now (re-read and re-resolved). "
        "Delivered entries leave the outbox; failing ones stay with one more attempt.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _suite_option(replay, "only replay entries recorded from this file")
    replay.add_argument("--channel", metavar="NAME", help="only entries for this channel")
    replay.add_argument(
        "--dry-run", action="store_true", help="list what would be resent; send nothing"
    )
    replay.add_argument("--json", action="store_true", help="print one JSON object per entry")
    replay.set_defaults(handler=cmd_replay)

    outbox = commands.add_parser(
        "outbox",
        help="list the notifications waiting in the outbox",
        description="List the notifications waiting in the outbox, oldest first.",
    )
    outbox.add_argument("--json", action="store_true", help="print JSON instead of a table")
    outbox.add_argument(
        "--drop",
        metavar="ID",
        type=int,
        action="append",
        help="remove entry ID without sending it (repeatable)",
    )
    outbox.set_defaults(handler=cmd_outbox)

    incidents = commands.add_parser(
        "incidents",
        help="list open incidents",
        description="List the open incidents: suites failing for a tenant, opened by a failing "
        "run and resolved by the next passing one, with the channels that were told.",
    )
    incidents.add_argument("--json", action="store_true", help="print JSON instead of a table")
    incidents.set_defaults(handler=cmd_incidents)


def _suite_option(parser: argparse.ArgumentParser, extra: str = "") -> None:
    parser.add_argument(
        "--suite",
        metavar="FILE",
        help="read [notify] and [secrets] from this suite file instead of dq.toml"
        + (f"; {extra}" if extra else ""),
    )


# -- loading config ----------------------------------------------------------------------------


class _Source:
    """The notify and secrets tables of one config source, and the host to build channels."""

    def __init__(self, ctx: CommandContext, suite: str | None) -> None:
        from dq.config._files import config_path
        from dq.notify._delivery import normal_source

        self.ctx = ctx
        site = config_path(ctx.args.config)
        self.site_path = str(site.resolve()) if site else None
        if suite is None:
            self.path: str | None = self.site_path
            self.table: dict[str, Any] = ctx.config
        else:
            file = Path(suite)
            if not file.is_file():
                raise UsageError(f"{suite}: suite file not found (named by --suite)")
            self.path = normal_source(suite)
            self.table = _read(file)
        self.name = self.path or "dq.toml"

    def notify_config(self) -> Any:
        from dq.notify._config import NotifyConfig

        table = self.table.get("notify")
        if table is None and self.path != self.site_path:
            table = self.ctx.config.get("notify")  # a suite without [notify] uses dq.toml's
        return NotifyConfig.from_table(table, source=self.name)

    def secrets_table(self) -> dict[str, Any]:
        from dq.secrets._config import merge_secrets_tables

        return merge_secrets_tables(self.ctx.config.get("secrets"), self.table.get("secrets"))


def _read(file: Path) -> dict[str, Any]:
    from dq.config._files import load_document
    from dq.model._errors import ConfigError

    data = load_document(file)
    if not isinstance(data, dict):
        raise ConfigError(str(file), ["expected a table at the top level"])
    return data


def _resolver(host: Any, source: _Source) -> tuple[Callable[[Any], Any], Any]:
    """Integration with dq's secret resolver: ``(resolve, closer)`` for a Dispatcher.

    The resolver is built without a fixed tenant: the dispatcher resolves each
    channel inside the notification's tenant scope, so one resolver serves all.
    """
    from dq.secrets._config import secrets_config
    from dq.secrets._resolver import SecretResolver

    resolver = SecretResolver(
        host, secrets_config(source.secrets_table(), f"{source.name}: secrets"), actor="cli:notify"
    )

    async def resolve(options: Any) -> Any:
        return await resolver.resolve_tree(options)

    return resolve, resolver


def _dispatcher(
    ctx: CommandContext, source: _Source, outbox: Any, recorded_as: str | None = None
) -> tuple[Any, Any]:
    """A dispatcher over *source*'s channels; *recorded_as* is the config source its
    outbox entries carry (replay claims only those), by default the source's path."""
    from dq.notify._delivery import Dispatcher
    from dq.plugins._host import Host

    host = Host(ctx.inventory)
    config = source.notify_config()
    resolve, resolver = _resolver(host, source)
    recorded = source.path if recorded_as is None else recorded_as
    dispatcher = Dispatcher(host, config, outbox, config_source=recorded, resolve=resolve)
    return dispatcher, resolver


def _tenant(text: str | None) -> Any:
    if text is None:
        return None
    from dq.model._tenants import TenantId

    try:
        return TenantId(text)
    except ValueError as exc:
        raise UsageError(f"--tenant: {exc}") from None


def _delivery_json(delivery: Any, **extra: Any) -> dict[str, Any]:
    from dq.config._converter import unstructure

    return {**unstructure(delivery), **extra}


# -- commands ---------------------------------------------------------------------------------


def cmd_test(args: argparse.Namespace) -> int:
    import anyio

    from dq.model._notifications import DeliveryStatus
    from dq.notify._outbox import Outbox

    ctx = CommandContext(args)
    tenant = _tenant(args.tenant)
    source = _Source(ctx, args.suite)
    dispatcher, resolver = _dispatcher(ctx, source, Outbox())

    async def run() -> Any:
        try:
            return await dispatcher.test(args.channel, tenant)
        finally:
            await resolver.aclose()

    delivery = anyio.run(run)
    if args.json:
        print(json.dumps(_delivery_json(delivery), indent=2))
    elif delivery.status is DeliveryStatus.DELIVERED:
        print(f"delivered: test message sent to {args.channel!r}")
    else:
        print(f"failed: {args.channel}: {delivery.error}", file=sys.stderr)
    return EXIT_OK if delivery.status is DeliveryStatus.DELIVERED else EXIT_RUNTIME


def _entry_line(status: str, entry: Any, detail: str = "") -> str:
    tenant = f" tenant={entry.tenant}" if entry.tenant else ""
    kind = " (resolve)" if entry.notification.kind.value == "resolve" else ""
    line = f"{status:<9} #{entry.id} {entry.channel}{tenant} {entry.notification.title!r}{kind}"
    return f"{line}: {detail}" if detail else line


def _holder_json(entry: Any) -> dict[str, Any] | None:
    holder = entry.holder
    if holder is None or not holder.alive:
        return None
    return {"pid": holder.pid, "host": holder.host, "heartbeat": holder.heartbeat.isoformat()}


def _held_by(entry: Any) -> str:
    from datetime import UTC, datetime

    return f"held by {entry.holder.describe(datetime.now(UTC))}"


def _entry_json(entry: Any, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": entry.id,
        "status": status,
        "channel": entry.channel,
        "tenant": str(entry.tenant) if entry.tenant else None,
        "dedup_key": entry.dedup_key,
        "kind": entry.notification.kind.value,
        "title": entry.notification.title,
        "config_source": entry.config_source,
        **extra,
    }


def cmd_replay(args: argparse.Namespace) -> int:
    import anyio

    from dq.model._notifications import DeliveryStatus
    from dq.notify._outbox import Outbox

    ctx = CommandContext(args)
    outbox = Outbox()
    only = _Source(ctx, args.suite) if args.suite else None
    pending = outbox.pending(args.channel) if outbox.path.exists() else []
    if only is not None:
        pending = [e for e in pending if e.config_source == only.path]
    emit: Callable[[Any], None] = (
        (lambda obj: print(json.dumps(obj))) if args.json else (lambda line: print(line))
    )
    if args.dry_run:
        for entry in pending:
            detail = f"attempts={entry.attempts}, last error: {entry.last_error}"
            if _holder_json(entry) is not None:
                detail = f"{_held_by(entry)}; {detail}"
            emit(
                _entry_json(entry, "pending", attempts=entry.attempts, error=entry.last_error)
                if args.json
                else _entry_line("would-send", entry, detail)
            )
        return EXIT_OK

    failed = 0
    for path in sorted({e.config_source for e in pending}, key=lambda p: p or ""):
        entries = [e for e in pending if e.config_source == path]
        try:
            if path and not Path(path).is_file():
                raise UsageError(
                    f"{path}: the config this entry came from no longer exists; restore it, "
                    "or drop the entry with 'dq notify outbox --drop ID'"
                )
            source = only or _Source(ctx, path if path and path != _site(ctx) else None)
            dispatcher, resolver = _dispatcher(ctx, source, outbox, recorded_as=path or "")
        except DqError as exc:
            failed += len(entries)
            reason = " ".join(str(exc).split())
            for entry in entries:
                emit(
                    _entry_json(entry, "failed", error=reason)
                    if args.json
                    else _entry_line("failed", entry, reason)
                )
            continue

        async def run(d: Any = dispatcher, r: Any = resolver) -> Any:
            try:
                return await d.replay_entries(args.channel)
            finally:
                await r.aclose()

        for entry, delivery in anyio.run(run):
            ok = delivery.status is DeliveryStatus.DELIVERED
            failed += not ok
            word = "delivered" if ok else "failed"
            emit(
                _entry_json(entry, word, attempts=entry.attempts + 1, error=delivery.error)
                if args.json
                else _entry_line(word, entry, "" if ok else delivery.error)
            )
    held = outbox.held(args.channel) if pending else []
    if only is not None:
        held = [e for e in held if e.config_source == only.path]
    for entry in held:  # never silent: say who holds them, and exit non-zero
        emit(
            _entry_json(entry, "leased", holder=_holder_json(entry))
            if args.json
            else _entry_line("leased", entry, f"{_held_by(entry)}; not sent, replay again later")
        )
    failed += len(held)
    if held and not args.json:
        print(
            f"{len(held)} {'entry is' if len(held) == 1 else 'entries are'} held by another "
            "live dq process; run 'dq notify replay' again when it has finished",
            file=sys.stderr,
        )
    if not pending and not args.json:
        print("nothing to replay: the outbox is empty")
    return EXIT_RUNTIME if failed else EXIT_OK


def _site(ctx: CommandContext) -> str | None:
    from dq.config._files import config_path

    site = config_path(ctx.args.config)
    return str(site.resolve()) if site else None


def cmd_outbox(args: argparse.Namespace) -> int:
    from dq.notify._outbox import Outbox
    from dq.output._tables import render_table

    outbox = Outbox()
    exists = outbox.path.exists()
    for entry_id in args.drop or ():
        if not exists or not outbox.remove(entry_id):
            raise UsageError(f"--drop {entry_id}: no such outbox entry (see 'dq notify outbox')")
        print(f"dropped #{entry_id}", file=sys.stderr)
    entries = outbox.pending() if exists else []
    if args.json:
        print(
            json.dumps(
                [
                    _entry_json(
                        e,
                        "in-flight" if _holder_json(e) else "pending",
                        holder=_holder_json(e),
                        attempts=e.attempts,
                        error=e.last_error,
                        created_at=e.created_at.isoformat(),
                        updated_at=e.updated_at.isoformat(),
                    )
                    for e in entries
                ],
                indent=2,
            )
        )
        return EXIT_OK
    if not entries:
        print(f"the outbox is empty ({outbox.path})")
        return EXIT_OK
    rows = [
        [
            str(e.id),
            e.channel,
            str(e.tenant or "-"),
            e.notification.title,
            e.notification.kind.value,
            _held_by(e) if _holder_json(e) else "pending",
            str(e.attempts),
            e.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
            e.last_error,
        ]
        for e in entries
    ]
    headers = [
        "id",
        "channel",
        "tenant",
        "title",
        "kind",
        "state",
        "attempts",
        "last try (UTC)",
        "last error",
    ]
    print(render_table(headers, rows))
    return EXIT_OK


def cmd_incidents(args: argparse.Namespace) -> int:
    from dq.notify._outbox import Outbox
    from dq.output._tables import render_table

    outbox = Outbox()
    found = outbox.incidents() if outbox.path.exists() else []
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "dedup_key": i.dedup_key,
                        "tenant": str(i.tenant) if i.tenant else None,
                        "suite": i.suite,
                        "title": i.title,
                        "config_source": i.config_source,
                        "opened_at": i.opened_at.isoformat(),
                        "failed_at": i.failed_at.isoformat(),
                        "runs": i.runs,
                        "channels": list(i.channels),
                    }
                    for i in found
                ],
                indent=2,
            )
        )
        return EXIT_OK
    if not found:
        print("no open incidents")
        return EXIT_OK
    rows = [
        [
            i.suite,
            str(i.tenant or "-"),
            i.title,
            i.opened_at.strftime("%Y-%m-%d %H:%M:%S"),
            i.failed_at.strftime("%Y-%m-%d %H:%M:%S"),
            str(i.runs),
            ", ".join(i.channels) or "-",
            i.dedup_key,
        ]
        for i in found
    ]
    headers = [
        "suite",
        "tenant",
        "title",
        "opened (UTC)",
        "last failed (UTC)",
        "runs",
        "told",
        "key",
    ]
    print(render_table(headers, rows))
    return EXIT_OK
