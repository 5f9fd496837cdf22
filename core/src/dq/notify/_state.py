"""Where dq keeps state that must outlive a process (the notification outbox, ...).

State is not config (the user did not write it) and not cache (deleting it loses
alerts), so it goes where the platform keeps application state:
``$DQ_STATE_DIR``, else ``$XDG_STATE_HOME/dq``, else ``~/.local/state/dq``; on
Windows ``%LOCALAPPDATA%\\dq``. The directory is created on first write with mode
0700: it holds alert text about other people's data.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

STATE_DIR_ENV = "DQ_STATE_DIR"


def state_dir(environ: Mapping[str, str] | None = None, *, windows: bool | None = None) -> Path:
    """The state directory (not created; see :func:`ensure_state_dir`).

    A relative ``XDG_STATE_HOME`` is ignored, as the XDG spec asks, because it
    would make the outbox depend on the current directory.
    """
    env = os.environ if environ is None else environ
    explicit = env.get(STATE_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    if windows if windows is not None else os.name == "nt":
        local = env.get("LOCALAPPDATA")
        if local:
            return Path(local) / "dq"
        return Path.home() / "AppData" / "Local" / "dq"
    xdg = env.get("XDG_STATE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "dq"
    home = env.get("HOME")
    return (Path(home) if home else Path.home()) / ".local" / "state" / "dq"


def ensure_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return the state directory, creating it (mode 0700) if it does not exist.

    Only a directory dq creates is given 0700; an existing one (say, named by
    ``DQ_STATE_DIR``) keeps the permissions its owner chose.
    """
    path = state_dir(environ)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name != "nt":
            path.chmod(0o700)  # mkdir's mode is filtered by the umask
    return path


def create_state_file(path: Path) -> None:
    """Create *path* owner-only (0600) from its first byte, and its folder if needed (the
    state directory itself 0700, see :func:`ensure_state_dir`). What dq keeps describes
    other people's data (alert text, row counts), so no other user may ever read it."""
    if path.parent == state_dir():
        ensure_state_dir()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
