"""Fixtures: a store directory with key files, backends on it, and two I/O counters.

``CountingFileSystem`` wraps the store's I/O layer and counts every call into it;
``DiskAudit`` is a Python audit hook (PEP 578) that sees every ``open``, listing, rename,
mkdir, remove and chmod the interpreter performs under a watched directory, whoever calls it.
A refused path must move neither.
"""

from __future__ import annotations

import base64
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dq
import pytest
from dq_file import FileBackend, FileSystem, Keyring

V = dq.SecretValue
_PATH_EVENTS = {
    "open",
    "os.listdir",
    "os.scandir",
    "os.rename",
    "os.remove",
    "os.rmdir",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.link",
    "os.symlink",
    "os.truncate",
    "tempfile.mkstemp",
    "shutil.rmtree",
}


class DiskAudit:
    """Counts interpreter file-system events whose path lies under a watched directory."""

    _installed = False
    _lock = threading.Lock()
    _watched: dict[str, list[tuple[str, str]]] = {}

    @classmethod
    def _hook(cls, event: str, args: tuple[Any, ...]) -> None:
        if event not in _PATH_EVENTS or not cls._watched:
            return
        for arg in args[:2]:
            if isinstance(arg, bytes):
                arg = os.fsdecode(arg)
            if isinstance(arg, str):
                full = os.path.abspath(arg)
                for root, seen in list(cls._watched.items()):
                    if full == root or full.startswith(root + os.sep):
                        seen.append((event, full))

    @classmethod
    def watch(cls, root: str | Path) -> list[tuple[str, str]]:
        with cls._lock:
            if not cls._installed:
                sys.addaudithook(cls._hook)
                cls._installed = True
        seen: list[tuple[str, str]] = []
        cls._watched[os.path.abspath(root)] = seen
        return seen

    @classmethod
    def unwatch(cls, root: str | Path) -> None:
        cls._watched.pop(os.path.abspath(root), None)


class CountingFileSystem(FileSystem):
    """The real I/O layer, recording each call that reaches it."""

    def __init__(self, root: str) -> None:
        super().__init__(root)
        self.calls: list[tuple[str, str]] = []

    def check_root(self) -> None:
        self.calls.append(("check_root", ""))
        super().check_root()

    def read(self, name: str) -> bytes | None:
        self.calls.append(("read", name))
        return super().read(name)

    def listdir(self, name: str) -> list[str]:
        self.calls.append(("listdir", name))
        return super().listdir(name)

    def write_atomic(self, name: str, data: bytes) -> None:
        self.calls.append(("write", name))
        super().write_atomic(name, data)

    def lock(self) -> Any:
        self.calls.append(("lock", ""))
        return super().lock()


def write_key(path: Path, key: bytes | None = None, mode: int = 0o600) -> bytes:
    key = os.urandom(32) if key is None else key
    path.write_bytes(base64.b64encode(key) + b"\n")
    path.chmod(mode)
    return key


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    folder.mkdir(mode=0o700)
    return folder


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, bytes]:
    """Three keys, as files in tmp_path/keys/<id>.key (mode 0600)."""
    folder = tmp_path / "keys"
    folder.mkdir()
    return {kid: write_key(folder / f"{kid}.key") for kid in ("k1", "k2", "admin")}


@pytest.fixture
def key_files(tmp_path: Path, keys: dict[str, bytes]) -> dict[str, str]:
    return {kid: str(tmp_path / "keys" / f"{kid}.key") for kid in keys}


@pytest.fixture
def make_backend(store_dir: Path, keys: dict[str, bytes]) -> Any:
    """A FileBackend on store_dir holding the named keys (default k1), counting its I/O."""

    def make(*ids: str, root: Path | None = None) -> FileBackend:
        ring = Keyring([(kid, keys[kid]) for kid in ids or ("k1",)])
        return FileBackend.open(
            str(root or store_dir), ring, fs=CountingFileSystem(str(root or store_dir))
        )

    return make


@pytest.fixture
def disk_audit(store_dir: Path) -> Iterator[list[tuple[str, str]]]:
    seen = DiskAudit.watch(store_dir.parent)
    yield seen
    DiskAudit.unwatch(store_dir.parent)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under root with its size and mtime (to prove nothing changed)."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }
