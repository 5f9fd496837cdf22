"""A separate process incrementing a counter secret with check-and-set (test_concurrency).

argv: STORE_DIR KEY_FILE PATH ROUNDS. Prints ``conflicts=N`` when done. Each round reads the
current version and value, writes value+1 with ``cas=<that version>``, and on
SecretConflict reads again and retries: with a working lock no increment is ever lost.
"""

from __future__ import annotations

import sys

import anyio
import dq
from dq_file import FileBackend, FileStoreConfig


async def main(store: str, key_file: str, path: str, rounds: int) -> int:
    backend = FileBackend(FileStoreConfig(path=store, key_file=key_file, key_id="k1"))
    conflicts = 0
    for _ in range(rounds):
        while True:
            meta = await backend.versions(path)
            current = int((await backend.get(path, version=meta.current_version)).reveal())
            try:
                await backend.set(
                    path, {"n": dq.SecretValue(str(current + 1))}, cas=meta.current_version
                )
                break
            except dq.SecretConflict:
                conflicts += 1
    return conflicts


if __name__ == "__main__":
    store, key_file, path, rounds = sys.argv[1:5]
    print(f"conflicts={anyio.run(main, store, key_file, path, int(rounds))}")
