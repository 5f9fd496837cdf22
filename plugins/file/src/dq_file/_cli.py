"""``python -m dq_file init-key | rotate-key | reencrypt``: manage a store's keys.

Exit codes follow dq's: 0 done, 2 usage or configuration (bad arguments, a key file that is
missing, malformed or readable by others, an unknown key id), 3 runtime (the store is
unavailable, denied, fails its integrity check, or some versions could not be re-encrypted).
Errors are one line on stderr; nothing printed ever contains key material or a value.

The keyring is given as ``--key ID=KEYFILE`` (repeatable; the first is a new store's key).
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
from collections.abc import Sequence

import anyio
import dq

from dq_file._config import check_key_id
from dq_file._errors import FileStoreConfigurationError
from dq_file._keys import KEY_BYTES, Keyring, read_key_file

EXIT_OK, EXIT_USAGE, EXIT_RUNTIME = 0, 2, 3
PROG = "python -m dq_file"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Manage the keys of a dq-file encrypted secret store.",
        epilog="exit codes: 0 done, 2 usage/configuration error, 3 runtime error",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = commands.add_parser("init-key", help="write a new random 256-bit key file (mode 0600)")
    init.add_argument("key_file", metavar="KEYFILE")
    init.add_argument("--store", metavar="DIR", help="also create the store directory (0700)")
    for name, text in (
        ("rotate-key", "make new writes use another key of the keyring"),
        ("reencrypt", "re-encrypt every entry under the store's current key"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--store", metavar="DIR", required=True, help="the store directory")
        sub.add_argument(
            "--key",
            metavar="ID=KEYFILE",
            action="append",
            required=True,
            help="a key of the keyring (repeat for each; old keys must stay to be read)",
        )
        if name == "rotate-key":
            sub.add_argument("--to", metavar="ID", required=True, help="the new current key id")
    return parser


def _keyring(specs: Sequence[str]) -> Keyring:
    pairs = []
    for spec in specs:
        key_id, sep, path = spec.partition("=")
        if not sep or not path:
            raise FileStoreConfigurationError(
                f"--key {spec!r}: write ID=KEYFILE, e.g. k2=/etc/dq/k2.key"
            )
        pairs.append((check_key_id(key_id), read_key_file(path)))
    return Keyring(pairs)


def _init_key(key_file: str, store: str | None) -> str:
    if store is not None:
        if os.path.exists(store) and not os.path.isdir(store):
            raise FileStoreConfigurationError(f"{store!r} exists and is not a directory")
        os.makedirs(store, mode=0o700, exist_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        raise FileStoreConfigurationError(
            f"key file {key_file!r} already exists; refusing to overwrite a key (move it away "
            "first if you really mean to replace it)"
        ) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.b64encode(os.urandom(KEY_BYTES)) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    made = f"; store directory {store!r} ready" if store else ""
    return f"wrote a new 256-bit key to {key_file!r} (mode 0600){made}"


async def _run(args: argparse.Namespace) -> tuple[int, str]:
    from dq_file._backend import FileBackend

    backend = FileBackend.open(args.store, _keyring(args.key))
    if args.command == "rotate-key":
        report = await backend.rotate_key(args.to)
        return EXIT_OK, f"store {args.store!r}: {report.summary()}"
    result = await backend.reencrypt()
    code = EXIT_OK if result.complete else EXIT_RUNTIME
    return code, f"store {args.store!r}: {result.summary()}"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # argparse exits 2 with its own one-line usage error
    try:
        if args.command == "init-key":
            code, message = EXIT_OK, _init_key(args.key_file, args.store)
        else:
            code, message = anyio.run(_run, args)
    except dq.UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except dq.DqError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    except OSError as exc:
        print(
            f"{PROG}: error: {exc.strerror or type(exc).__name__}: {exc.filename}", file=sys.stderr
        )
        return EXIT_RUNTIME
    print(message, file=sys.stdout if code == EXIT_OK else sys.stderr)
    return code
