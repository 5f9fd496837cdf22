"""A real notifier plugin for core's delivery tests, installed as a distribution.

It does not talk to a network (dq-core's test env has no HTTP client); it
"delivers" by appending a JSON line to the file named by its ``record`` option,
which plays the part of the service: tests read it to see exactly what arrived,
how often, and with which config (the ``url``). Its behaviour per send is
scripted by the file named by ``script``: each send pops the first line
(``deliver``, ``fail``, ``raise``, ``leak``, ``garbage``, ``hang``, ``block``); an empty or missing
script means ``deliver``. Files, not memory, so the script and the record
survive across ``dq`` processes — the outbox's whole point.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

SOURCE = """
import json
from datetime import UTC, datetime
from pathlib import Path

import attrs
from dq import Delivery, DeliveryStatus, SecretValue, hookimpl


@attrs.frozen
class RecorderConfig:
    record: str
    url: SecretValue = attrs.field(default=SecretValue("https://sink.invalid/none"),
                                   metadata={"secret": True})
    script: str | None = None
    label: str = ""


class Recorder:
    def __init__(self, config):
        self.config = config

    def _next(self):
        if not self.config.script:
            return "deliver"
        path = Path(self.config.script)
        lines = path.read_text().splitlines() if path.exists() else []
        if not lines:
            return "deliver"
        path.write_text("".join(line + "\\n" for line in lines[1:]))
        return lines[0].strip()

    async def send(self, notification):
        mode = self._next()
        url = self.config.url.reveal_text()
        if mode == "raise":
            raise RuntimeError(f"connection to {url} refused")
        if mode == "garbage":
            return "ok"
        if mode == "hang":
            import anyio

            await anyio.sleep(3600)
        if mode == "block":  # blocking code inside async send: holds its event loop
            import time

            time.sleep(20)
        if mode in ("fail", "leak"):
            error = "HTTP 503: sink down" + (f" at {url}" if mode == "leak" else "")
            return Delivery(channel="recorder", status=DeliveryStatus.FAILED,
                            dedup_key=notification.dedup_key, attempts=2,
                            response_status=503, error=error)
        with open(self.config.record, "a") as out:
            out.write(json.dumps({
                "label": self.config.label, "url": url, "dedup_key": notification.dedup_key,
                "title": notification.title, "level": notification.level.value,
                "tenant": str(notification.tenant) if notification.tenant else None,
            }) + "\\n")
        return Delivery(channel="recorder", status=DeliveryStatus.DELIVERED,
                        dedup_key=notification.dedup_key, attempts=1, response_status=200,
                        finished_at=datetime.now(UTC))


@hookimpl
def dq_component_config(kind, name):
    return RecorderConfig if (kind, name) == ("notifier", "recorder") else None


@hookimpl
def dq_notifier(name, config):
    return Recorder(config) if name == "recorder" else None
"""

MODULE = "dq_test_recorder"
DISTRIBUTION = "dq-test-recorder"


def install(make_dist: Any, monkeypatch: Any) -> Any:
    """Write the plugin onto the test site dir (put on sys.path); return its distribution.

    ``make_dist.site`` is the folder to put on ``PYTHONPATH`` for a ``dq`` subprocess.
    """
    site: Path = make_dist.site
    (site / f"{MODULE}.py").write_text(textwrap.dedent(SOURCE))
    dist = make_dist(DISTRIBUTION, entry_points={"dq.notifiers": {"recorder": MODULE}})
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, MODULE, raising=False)
    return dist


def records(path: Path) -> list[dict[str, Any]]:
    """What the sink received, in order."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def scripter(path: Path) -> Callable[..., None]:
    """``script("fail", "deliver")``: the outcomes of the next sends, in order."""

    def script(*outcomes: str) -> None:
        path.write_text("".join(f"{o}\n" for o in outcomes))

    return script
