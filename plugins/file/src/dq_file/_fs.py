"""The store's only door to the operating system: every read, write, listing and lock.

Keeping all file-system access in one small class does two jobs: errors from the OS are
mapped to dq's categories in one place (permission refused -> :class:`dq.SecretAccessDenied`;
a missing store directory, an I/O error, a full or read-only disk ->
:class:`dq.SecretBackendUnavailable`), and tests can wrap it to count every operation that
reaches the disk (a refused path must reach none).

Writes are atomic: a temporary file in the same directory is written, ``fsync``-ed and
renamed over the entry (``os.replace`` is atomic on POSIX), then the directory is
``fsync``-ed so the rename itself survives a crash. A reader therefore sees the whole old
file or the whole new one, never a half-written one, and needs no lock. Writers serialise on
``fcntl.flock`` of ``.lock`` in the store: an advisory lock held by an open file description,
so it excludes other processes and other threads of this one alike, and the kernel drops it if
the holder dies.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import dq

LOCK_FILE = ".lock"
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class FileSystem:
    """File access relative to one store directory (*root*). Paths given are relative
    names this package builds itself (``store.json``, ``entries/<hex>.dqs``): a secret path
    never becomes a file name."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.root!r})"

    def _full(self, name: str) -> str:
        return os.path.join(self.root, name)

    def error(self, exc: OSError, what: str, *, checked: bool = False) -> dq.SecretError:
        """Map an OS error to the dq category a caller must act on."""
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, PermissionError):
            return dq.SecretAccessDenied(
                f"file: {what} in store {self.root!r} was refused by the operating system "
                f"({reason}); run dq as the store's owner or fix the permissions"
            )
        if not checked:
            try:
                self.check_root()
            except dq.SecretError as root_error:
                return root_error
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
            return dq.SecretBackendUnavailable(
                f"file: {what} in store {self.root!r} failed ({reason}); free space or "
                "remount read-write, then retry"
            )
        return dq.SecretBackendUnavailable(
            f"file: {what} in store {self.root!r} failed ({reason}); retry, or check the disk"
        )

    def missing_root(self) -> dq.SecretBackendUnavailable:
        return dq.SecretBackendUnavailable(
            f"file: store directory {self.root!r} does not exist or is not a directory (an "
            "unmounted volume?); mount it, or create it with `python -m dq_file init-key "
            "KEYFILE --store DIR`"
        )

    def check_root(self) -> None:
        """Raise unless the store directory exists (it is never created implicitly)."""
        try:
            info = os.stat(self.root)
        except (FileNotFoundError, NotADirectoryError):
            raise self.missing_root() from None
        except OSError as exc:  # EACCES on a parent: a denial, not an absence
            raise self.error(exc, "opening the store directory", checked=True) from None
        if not stat.S_ISDIR(info.st_mode):
            raise self.missing_root()
        try:
            os.listdir(self.root)  # a directory we may not enter is a denial, not absence
        except OSError as exc:
            raise self.error(exc, "listing the store directory", checked=True) from None

    def read(self, name: str) -> bytes | None:
        """The file's bytes, or ``None`` if it does not exist (symlinks are refused)."""
        try:
            fd = os.open(self._full(name), _FLAGS)
        except FileNotFoundError:
            self.check_root()
            return None
        except OSError as exc:
            raise self.error(exc, f"reading {name!r}") from None
        try:
            chunks = []
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
            return b"".join(chunks)
        except OSError as exc:
            raise self.error(exc, f"reading {name!r}") from None
        finally:
            os.close(fd)

    def listdir(self, name: str) -> list[str]:
        """File names in a sub-directory of the store (``[]`` if it does not exist yet)."""
        try:
            return sorted(os.listdir(self._full(name)))
        except FileNotFoundError:
            self.check_root()
            return []
        except OSError as exc:
            raise self.error(exc, f"listing {name!r}") from None

    def write_atomic(self, name: str, data: bytes) -> None:
        """Replace *name* with *data*: temp file, fsync, rename, fsync the directory."""
        full = self._full(name)
        folder = os.path.dirname(full)
        try:
            if folder != self.root and not os.path.isdir(folder):
                self.check_root()
                os.makedirs(folder, mode=0o700, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=folder)  # mode 0600
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp, full)
            except BaseException:
                try:
                    os.unlink(temp)
                except FileNotFoundError:
                    pass
                raise
            dir_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise self.error(exc, f"writing {name!r}") from None

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's exclusive write lock (blocks until it is free)."""
        self.check_root()
        try:
            fd = os.open(
                self._full(LOCK_FILE),
                os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0),
                0o600,
            )
        except OSError as exc:
            raise self.error(exc, "opening the lock file") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the last descriptor releases the flock
