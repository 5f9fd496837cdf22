"""Two real processes never lose a write: the flock on the store serialises each
check-and-set, and every file is replaced atomically."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import dq
from dq_file import FileBackend, FileStoreConfig

WORKER = Path(__file__).with_name("cas_worker.py")
ROUNDS = 40


def test_two_processes_doing_cas_increments_lose_no_update(
    store_dir: Path, key_files: dict[str, str]
) -> None:
    backend = FileBackend(
        FileStoreConfig(path=str(store_dir), key_file=key_files["k1"], key_id="k1")
    )
    anyio.run(lambda: backend.set("counter", {"n": dq.SecretValue("0")}, cas=0))
    args = [sys.executable, str(WORKER), str(store_dir), key_files["k1"], "counter", str(ROUNDS)]
    workers = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-2000:]
        assert out.startswith("conflicts=")
    conflicts = sum(int(out.strip().split("=")[1]) for out, _ in outputs)
    assert anyio.run(lambda: backend.get("counter")).reveal() == str(2 * ROUNDS).encode()
    meta = anyio.run(lambda: backend.versions("counter"))
    assert meta.current_version == 2 * ROUNDS + 1  # one version per increment, none lost
    # The two really raced (else the lock went untested); CAS turned each race into a retry.
    assert conflicts > 0, "the processes never contended; raise ROUNDS"


def test_concurrent_plain_sets_from_threads_each_get_their_own_version(
    make_backend: Any,
) -> None:
    backend = make_backend()

    async def many() -> list[int]:
        results: list[int] = []

        async def one(n: int) -> None:
            results.append(await backend.set("busy", {"n": dq.SecretValue(str(n))}))

        async with anyio.create_task_group() as tasks:
            for n in range(16):
                tasks.start_soon(one, n)
        return results

    versions = anyio.run(many)
    assert sorted(versions) == list(range(1, 17))
    values = {anyio.run(lambda v=v: backend.get("busy", version=v)).reveal() for v in versions}
    assert values == {str(n).encode() for n in range(16)}
