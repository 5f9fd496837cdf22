"""Shared fixtures: an environment mapping that records every touch, and decoy variables."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

import pytest


class RecordingEnviron(MutableMapping[str, str]):
    """A dict standing in for ``os.environ`` that records what the backend touched.

    ``reads`` holds every name whose *value* or presence was asked for (``get``, ``[]``,
    ``in``); ``scans`` counts iterations over the names. Together they are the backend's I/O:
    a path refused before any of them moved never reached the environment.
    """

    def __init__(self, initial: dict[str, str] | None = None) -> None:
        self.data: dict[str, str] = dict(initial or {})
        self.reads: list[str] = []
        self.scans = 0

    def __getitem__(self, name: str) -> str:
        self.reads.append(name)
        return self.data[name]

    def __contains__(self, name: object) -> bool:
        self.reads.append(str(name))
        return name in self.data

    def __iter__(self) -> Iterator[str]:
        self.scans += 1
        return iter(list(self.data))

    def __len__(self) -> int:
        return len(self.data)

    def __setitem__(self, name: str, value: str) -> None:
        self.data[name] = value

    def __delitem__(self, name: str) -> None:
        del self.data[name]

    def io(self) -> int:
        return len(self.reads) + self.scans


#: Variables just outside the default prefix ``DQ_SECRET_``: differing in case, by a
#: look-alike prefix, or by a name no path maps to. None may ever be listed or read.
DECOYS = {
    "dq_secret_db__password": "decoy-lower",
    "Dq_Secret_DB__PASSWORD": "decoy-mixed",
    "DQ_SECRETS_DB__PASSWORD": "decoy-lookalike-s",
    "DQ_SECRETDB__PASSWORD": "decoy-no-underscore",
    "XDQ_SECRET_DB__PASSWORD": "decoy-leading-x",
    "DQ_SECRET__DB__PASSWORD": "decoy-double-underscore",
    "DQ_SECRET_db__password": "decoy-lower-tail",
    "DQ_SECRET_DB___PASSWORD": "decoy-triple",
    "DQ_SECRET_DB__PASSWORD_": "decoy-trailing",
    "DQ_SECRET_DB\u0130__PASSWORD": "decoy-unicode",
    "DQ_SECRET": "decoy-bare",
    "PATH": "/usr/bin",
    "HOME": "/home/someone",
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def environ() -> RecordingEnviron:
    return RecordingEnviron(dict(DECOYS))
