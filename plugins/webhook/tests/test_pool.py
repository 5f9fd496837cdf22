"""One pooled client per event loop: overlapping sends share it, the last one closes it, and
a notifier built once works from one event loop after another (``dispatch_sync`` makes one
per call)."""

from __future__ import annotations

import anyio
import dq
from conftest import note, notifier_for
from dq_contract.servers import HttpSink

DELIVERED = dq.DeliveryStatus.DELIVERED


def test_overlapping_sends_share_one_client_and_the_last_closes_it(sink: HttpSink) -> None:
    notifier = notifier_for(sink)
    seen: list[int] = []

    async def fan_out() -> list[dq.Delivery]:
        results: list[dq.Delivery] = []

        async def one(i: int) -> None:
            results.append(await notifier.send(note(dedup_key=f"pool-{i}")))
            seen.append(notifier._pool.open_clients())

        async with notifier:  # holds the client open across the block
            async with anyio.create_task_group() as tg:
                for i in range(20):
                    tg.start_soon(one, i)
            assert notifier._pool.open_clients() == 1
        return results

    results = anyio.run(fan_out)

    assert [d.status for d in results] == [DELIVERED] * 20
    assert set(seen) == {1}  # never a second client while sends overlapped
    assert notifier._pool.open_clients() == 0  # nothing outlives the loop


def test_a_notifier_sends_from_one_event_loop_after_another(sink: HttpSink) -> None:
    notifier = notifier_for(sink)
    for i in range(3):
        delivery = anyio.run(notifier.send, note(dedup_key=f"loop-{i}"))
        assert delivery.status is DELIVERED, delivery.error
        assert notifier._pool.open_clients() == 0
