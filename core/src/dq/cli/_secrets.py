"""``dq secrets``: read, write and list secrets through the configured backends.

The same path a suite takes (audit, tenant scope, cache), so what an operator
sees here is what a run would read. Values never travel on the command line:
an argument sits in shell history and in ``ps`` for every user of the machine,
so ``set`` reads the value from stdin or a file. ``get`` prints a mask unless
``--reveal`` is given, and then prints the value alone, so it can be piped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from dq.cli._context import CommandContext
from dq.cli._groups import group_usage
from dq.model._errors import EXIT_OK, EXIT_RUNTIME, DqError, UsageError

EXIT_HELP = """\
REF is ${secret:BACKEND:PATH[#FIELD][@VERSION]} (quote it for the shell) or the short
form BACKEND:PATH[#FIELD][@VERSION]. Backends come from the [secrets] table of
--suite FILE laid over dq.toml's. Under a tenant (--tenant, DQ_TENANT) a
tenant-scoped backend reads tenants/<tenant>/PATH.

exit codes:
  0  success
  2  bad reference, path or configuration
  3  the secret was not found, access was denied, the backend is unavailable,
     or a check-and-set write conflicted (the message says which, and the path)
"""


def register(groups: Any) -> None:
    secrets = groups.add_parser(
        "secrets",
        help="get, set and list secrets through the configured backends",
        description="Get, set and list secrets through the backends configured in [secrets].",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = secrets.add_subparsers(
        dest="secrets_command", metavar="COMMAND", parser_class=_quiet_parser(type(secrets))
    )
    secrets.set_defaults(handler=lambda _args: group_usage(secrets))

    get = commands.add_parser(
        "get",
        help="read a secret (masked unless --reveal)",
        description="Read the secret REF. Prints REF = *** unless --reveal, which prints "
        "the value alone (bytes as stored; a newline is added only on a terminal).",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    get.add_argument("ref", metavar="REF")
    get.add_argument("--reveal", action="store_true", help="print the value itself")
    _common(get)
    get.set_defaults(handler=cmd_get)

    put = commands.add_parser(
        "set",
        help="write a secret read from stdin or a file",
        description="Write the secret REF with one field (#FIELD, default 'value'). The "
        "write replaces the secret as a whole, other fields included. The value is read from "
        "stdin (one trailing newline removed) or from a file (bytes exactly), never from the "
        "command line.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    put.add_argument("ref", metavar="REF")
    source = put.add_mutually_exclusive_group(required=True)
    source.add_argument("--value-stdin", action="store_true", help="read the value from stdin")
    source.add_argument("--value-file", metavar="FILE", help="read the value from FILE")
    put.add_argument(
        "--cas",
        type=_non_negative,
        metavar="N",
        help="write only over version N (0: only if the secret does not exist yet)",
    )
    _common(put)
    put.set_defaults(handler=cmd_set)

    listing = commands.add_parser(
        "list",
        help="list the secrets and folders under a prefix",
        description="List the direct children of PREFIX in BACKEND (folders end in '/').",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing.add_argument("target", metavar="BACKEND[:PREFIX]")
    _common(listing)
    listing.set_defaults(handler=cmd_list)

    rotate = commands.add_parser(
        "rotate-key",
        help="make BACKEND encrypt new writes with KEY_ID (backends that hold their own keys)",
        description="Switch BACKEND's current encryption key to KEY_ID, which its keyring must "
        "already hold: new writes use it, entries under older keys still read. Then run "
        "'dq secrets reencrypt BACKEND' to migrate them. Only for backends that keep their own "
        "keys (dq-file); store-wide, so never tenant-scoped.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rotate.add_argument("backend", metavar="BACKEND")
    rotate.add_argument("key_id", metavar="KEY_ID")
    _common(rotate)
    rotate.set_defaults(handler=cmd_rotate_key)
    reencrypt = commands.add_parser(
        "reencrypt",
        help="re-encrypt every entry of BACKEND under its current key",
        description="Re-encrypt every stored version of BACKEND under its current key, one "
        "entry at a time (each atomic). Exit 3 if any entry could not be migrated.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    reencrypt.add_argument("backend", metavar="BACKEND")
    _common(reencrypt)
    reencrypt.set_defaults(handler=cmd_reencrypt)


def _quiet_parser(base: type[argparse.ArgumentParser]) -> type[argparse.ArgumentParser]:
    """A parser class that never echoes stray arguments: argparse would print them back
    ("unrecognized arguments: hunter2"), and a stray argument here is most likely a
    value someone tried to pass on the command line, into a CI log."""

    class QuietParser(base):  # type: ignore[valid-type, misc]
        def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
            parsed, extras = super().parse_known_args(args, namespace)
            if extras:
                self.error(
                    f"{len(extras)} unexpected argument(s), not shown because they may be a "
                    "secret; values are never taken from the command line: use --value-stdin "
                    "or --value-file"
                )
            return parsed, extras

    return QuietParser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--suite", metavar="FILE", help="take [secrets] from this suite file (over dq.toml's)"
    )
    parser.add_argument(
        "--tenant", metavar="T", help="act as tenant T (default: $DQ_TENANT, else none)"
    )


def _non_negative(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a version number, got {text!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a version >= 0, got {number}")
    return number


# -- shared plumbing ----------------------------------------------------------------------


def _parse_ref(text: str) -> Any:
    from dq.model._secrets import SecretRef

    full = text.strip()
    if not full.startswith("${"):
        full = f"${{secret:{full}}}"
    try:
        return SecretRef.parse(full)
    except ValueError:
        raise UsageError(
            f"{text!r} is not a secret reference; write BACKEND:PATH[#FIELD][@VERSION] or "
            "'${secret:BACKEND:PATH#FIELD}' (in single quotes for the shell)"
        ) from None


def _tenant(args: argparse.Namespace) -> Any:
    import os

    from dq.model._tenants import TenantId

    raw = args.tenant if args.tenant is not None else os.environ.get("DQ_TENANT") or None
    if raw is None:
        return None
    try:
        return TenantId(raw)
    except ValueError as exc:
        where = "--tenant" if args.tenant is not None else "DQ_TENANT"
        raise UsageError(f"{where}: {exc}") from None


def _actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in a bare container
        return "cli"


def _resolver(args: argparse.Namespace) -> Any:
    from dq.plugins._host import Host
    from dq.secrets._config import merge_secrets_tables, secrets_config
    from dq.secrets._resolver import SecretResolver

    ctx = CommandContext(args)
    table = ctx.config.get("secrets")
    source = f"{ctx.config_source}: secrets"
    if args.suite:
        from dq.config._files import load_document
        from dq.model._errors import ConfigError

        suite_path = Path(args.suite)
        if not suite_path.is_file():
            raise UsageError(f"{suite_path}: suite file not found (named by --suite)")
        suite = load_document(suite_path)
        if not isinstance(suite, dict):
            raise ConfigError(str(suite_path), ["expected a table at the top level"])
        from dq.config._policy import enforce, policy_from

        enforce(
            policy_from(ctx.config, ctx.config_source),
            str(suite_path),
            site=ctx.config,
            suite_secrets=suite.get("secrets") if isinstance(suite.get("secrets"), dict) else {},
            suite_notify=None,
            engine=None,
            data_path=None,
        )
        if suite.get("secrets") is not None:
            for name, value in (("dq.toml", table), (str(suite_path), suite["secrets"])):
                if value is not None and not isinstance(value, dict):
                    raise ConfigError(name, ["secrets: expected a table"])
            table = merge_secrets_tables(table, suite["secrets"])
            source = f"{suite_path}: secrets"
    config = secrets_config(table, source)
    if not config.backends:
        raise UsageError(
            f"{source}: no secret backends are configured; add a [secrets.backends.NAME] table "
            "to dq.toml or to the suite given with --suite"
        )
    return SecretResolver(Host(ctx.inventory), config, tenant=_tenant(args), actor=_actor())


def _run(resolver: Any, work: Any) -> Any:
    """Run *work* on an event loop, and close the backends on the same loop."""
    import anyio

    async def main() -> Any:
        try:
            return await work()
        finally:
            await resolver.aclose()

    return anyio.run(main)


def _explain(exc: DqError, what: str) -> DqError:
    """Say which failure it was and of what, in front of the backend's own message."""
    from dq.model._secrets import (
        SecretAccessDenied,
        SecretBackendUnavailable,
        SecretConflict,
        SecretNotFound,
    )

    if isinstance(exc, SecretNotFound):
        label = f"not found ({exc.reason})"
    elif isinstance(exc, SecretAccessDenied):
        label = "access denied"
    elif isinstance(exc, SecretBackendUnavailable):
        label = "backend unavailable"
    elif isinstance(exc, SecretConflict):
        label = "check-and-set conflict"
    else:
        return exc
    error = DqError(f"{label}: {what}: {exc}")
    error.exit_code = EXIT_RUNTIME
    return error


# -- commands -----------------------------------------------------------------------------


def cmd_get(args: argparse.Namespace) -> int:
    ref = _parse_ref(args.ref)
    resolver = _resolver(args)
    try:
        value = _run(resolver, lambda: resolver.get(ref))
    except DqError as exc:
        raise _explain(exc, str(ref)) from None
    if not args.reveal:
        print(f"{ref} = ***")
        return EXIT_OK
    out = sys.stdout
    out.flush()
    out.buffer.write(value.reveal())
    if out.isatty():
        out.buffer.write(b"\n")
    out.buffer.flush()
    return EXIT_OK


def cmd_set(args: argparse.Namespace) -> int:
    from dq.model._secrets import SecretValue

    ref = _parse_ref(args.ref)
    if ref.version is not None:
        raise UsageError(
            f"{ref}: a write creates the next version; drop '@{ref.version}' (use --cas "
            f"{ref.version} to write only over that version)"
        )
    if args.value_stdin:
        if sys.stdin.isatty():
            print("reading the value from stdin; end with Ctrl-D", file=sys.stderr)
        data = sys.stdin.buffer.read()
        data = data[:-2] if data.endswith(b"\r\n") else data[:-1] if data.endswith(b"\n") else data
    else:
        file = Path(args.value_file)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise UsageError(f"--value-file {file}: cannot read it ({exc.strerror})") from None
    field = ref.field or "value"
    resolver = _resolver(args)

    async def write() -> Any:
        backend = await resolver.abackend(ref.backend)
        return await backend.set(ref.path, {field: SecretValue(data)}, cas=args.cas)

    try:
        version = _run(resolver, write)
    except DqError as exc:
        raise _explain(exc, str(ref)) from None
    shown = f"{ref.backend}:{ref.path}#{field}"
    print(f"wrote {shown}" + (f" (version {version})" if version is not None else ""))
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    name, _, prefix = args.target.partition(":")
    from dq.secrets._config import BACKEND_NAME_RE

    if BACKEND_NAME_RE.fullmatch(name) is None:
        raise UsageError(
            f"{args.target!r}: expected BACKEND[:PREFIX], with BACKEND a configured backend name"
        )
    resolver = _resolver(args)

    async def listing() -> Any:
        return await (await resolver.abackend(name)).list(prefix)

    try:
        children = _run(resolver, listing)
    except DqError as exc:
        raise _explain(exc, f"{name}:{prefix or '/'}") from None
    for child in children:
        print(child)
    return EXIT_OK


def _administer(args: argparse.Namespace, method: str, *call_args: Any) -> Any:
    """Call *method* on BACKEND's raw backend (unscoped: keys are store-wide), after checking
    it offers one; key management is not part of the secrets protocol, so it is asked."""
    resolver = _resolver(args)

    async def work() -> Any:
        raw = await resolver.store_backend(args.backend)
        if not callable(getattr(raw, method, None)):
            kind = resolver.config.backends[args.backend].type
            raise UsageError(
                f"secret backend {args.backend!r} ({kind}) keeps no keys of its own, so there "
                f"is nothing to {method.replace('_', '-')}: its service manages encryption"
            )
        return await getattr(raw, method)(*call_args)

    try:
        return _run(resolver, work)
    except DqError as exc:
        raise _explain(exc, args.backend) from None


def cmd_rotate_key(args: argparse.Namespace) -> int:
    print(_administer(args, "rotate_key", args.key_id).summary())
    return EXIT_OK


def cmd_reencrypt(args: argparse.Namespace) -> int:
    report = _administer(args, "reencrypt")
    print(report.summary())
    return EXIT_OK if getattr(report, "complete", True) else EXIT_RUNTIME
