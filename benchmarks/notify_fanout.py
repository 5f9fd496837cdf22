"""Benchmark: notifier fan-out — what does each dq notifier's ``send`` cost over the raw client?

DESIGN.md's bar: alerts to a local sink at bounded concurrency, with p99 per-send latency
within 1.2x of the raw client. For every channel the baseline is the least any notifier of
that service can do: the raw client sending the *already rendered* body (the same bytes the
plugin would send, with the same headers) — ``httpx.AsyncClient.post`` on one shared client
for the HTTP services (slack, pagerduty, opsgenie, webhook, teams, discord), and one
``aiosmtplib`` session per message for email (dq-email opens one per send too). The measured
side is the whole ``send`` as dq builds the notifier (``dq.Host(...).component``): rendering
and fitting, the retry loop, redaction, signing (webhook), building the ``dq.Delivery`` and the
client sharing (no ``async with``: overlapping sends share one pool by themselves).

The email baseline, decided (issue 12): the raw side sends the *pre-built* message bytes dq-email
would send. A raw aiosmtplib caller has to build a message somehow, and the simplest way
(``email.message.EmailMessage`` + ``send_message``) costs about a millisecond per message in
the stdlib — counting that on the raw side would credit dq for beating the stdlib, not for
adding little to SMTP. Pre-built bytes keep email's baseline the strictest one, the same as
the HTTP channels' already-rendered bodies: the ratio is what dq-email's rendering, retry
loop and delivery bookkeeping add to one SMTP session.

Both sides talk to the same sink in a *separate process* (so it does not compete for the
client's GIL): a minimal asyncio HTTP/1.1 keep-alive server answering each service's success
(Slack ``200 ok``, PagerDuty ``202`` JSON, Opsgenie ``202`` with a ``requestId``, Discord
``200`` message JSON, Teams ``202``, webhook ``204``), and aiosmtpd for SMTP (plain SMTP on
127.0.0.1, ``security = "none"``: TLS would measure the handshake, not dq). Both run at the
same concurrency (an ``anyio.CapacityLimiter``), and runs are interleaved (dq, raw, raw, dq,
...) so they share the machine's noise. Latency is measured per send, from holding a limiter
slot to the send's return. The verdict per channel is the median over rounds of each round's
p99 ratio (pooled ratios are printed too): p99 on a shared machine swings with outside load,
and pairing adjacent runs keeps one burst from deciding the result.

    uv run --with ./plugins/slack --with ./plugins/pagerduty ... \
        python benchmarks/notify_fanout.py [--channels slack,email] [--alerts 1000]
        [--concurrency 20] [--rounds 7] [--check]

A channel whose plugin is not installed is skipped with a note.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import multiprocessing
import secrets
import socket
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

RATIO_TARGET = 1.2
CHANNELS = ("slack", "pagerduty", "opsgenie", "webhook", "teams", "discord", "email")
SLACK_PATH = "/services/T0BENCH/B0BENCH/benchmarktokenbenchmarktoken"
TEAMS_PATH = "/workflows/0bench/triggers/manual/paths/invoke"
TEAMS_QUERY = "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=benchsig"
DISCORD_PATH = "/api/webhooks/1234567890/benchmarkTOKENbenchmarkTOKEN"
ROUTING_KEY = secrets.token_hex(16)
GENIE_KEY = str(uuid.uuid4())


def _response(status: str, content_type: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


#: What each service answers on success, by path prefix (first match wins).
_ANSWERS = (
    (
        b"/v2/enqueue",
        _response(
            "202 Accepted",
            "application/json",
            b'{"status":"success","message":"Event processed","dedup_key":"k"}',
        ),
    ),
    (
        b"/v2/alerts",
        _response(
            "202 Accepted",
            "application/json",
            b'{"result":"Request will be processed","took":0.01,'
            b'"requestId":"43a29c5c-3dbf-4fa4-9c26-f4f71023e120"}',
        ),
    ),
    (
        b"/api/webhooks/",
        _response(
            "200 OK", "application/json", b'{"id":"1","type":0,"channel_id":"2","content":""}'
        ),
    ),
    (b"/workflows/", _response("202 Accepted", "text/plain", b"")),
    (b"/hooks/", _response("204 No Content", "text/plain", b"")),
    (b"", _response("200 OK", "text/html", b"ok")),
)


def _answer(head: bytes) -> bytes:
    target = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
    for prefix, reply in _ANSWERS:
        if target.startswith(prefix):
            return reply
    return _ANSWERS[-1][1]


async def _connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """HTTP/1.1 keep-alive: read a request head and its Content-Length body, answer as the
    service the path belongs to."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            writer.write(_answer(head))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _serve(ports: Any) -> None:
    """The HTTP sink: one asyncio loop in its own process. (A thread-per-connection stdlib
    server spends its time in GIL hand-offs at 20 connections and would dominate what we
    measure.)"""

    async def serve() -> None:
        server = await asyncio.start_server(_connection, "127.0.0.1", 0, backlog=512)
        for sock in server.sockets:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        ports.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(serve())


class _Discard:
    """aiosmtpd handler: accept every message (and count it), keep nothing."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


def _serve_smtp(ports: Any) -> None:
    """The SMTP sink: aiosmtpd in its own process (plain SMTP on 127.0.0.1)."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # aiosmtpd's readiness check needs a real port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(_Discard(), hostname="127.0.0.1", port=port)
    controller.start()
    ports.put(port)
    while True:
        time.sleep(3600)


def _start(target: Callable[[Any], None]) -> tuple[Any, int]:
    ctx = multiprocessing.get_context("spawn")
    ports: Any = ctx.Queue()
    process = ctx.Process(target=target, args=(ports,), daemon=True)
    process.start()
    return process, ports.get(timeout=60)


def _notification(i: int) -> Any:
    import dq

    return dq.Notification(
        title=f"dq: suite orders failed 3 of 12 rules (run {i})",
        summary="3 error rules failed on orders.parquet (1,000,000 rows)",
        level=dq.Level.ERROR,
        dedup_key=f"orders-{i:06d}",
        tenant=dq.TenantId("acme"),
        fields={"suite": "orders", "engine": "polars", "run id": f"r-{i}", "rows": "1,000,000"},
        links=(dq.Link(title="run report", url=f"https://dq.example/runs/{i}"),),
        failures=tuple(
            dq.RuleFailure(
                rule_id=f"rule_{k}",
                check="between",
                column="amount",
                failed_count=42 * k,
                element_count=1_000_000,
            )
            for k in range(1, 4)
        ),
    )


async def _fan_out(
    n: int, concurrency: int, send: Callable[[int], Awaitable[bool]]
) -> tuple[list[float], float]:
    import anyio

    limiter = anyio.CapacityLimiter(concurrency)
    latencies: list[float] = []
    failures = 0

    async def one(i: int) -> None:
        nonlocal failures
        async with limiter:
            start = time.perf_counter()
            ok = await send(i)
            latencies.append(time.perf_counter() - start)
            failures += not ok

    began = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for i in range(n):
            tg.start_soon(one, i)
    wall = time.perf_counter() - began
    if failures:
        raise SystemExit(f"{failures} of {n} sends failed: the benchmark measured errors")
    return latencies, wall


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


Sender = Callable[[int], Awaitable[bool]]


class Channel:
    """One channel's two sides: dq's notifier and the raw client's already-rendered sends."""

    def __init__(self, name: str, notifier: Any, raw: Callable[[], Any]) -> None:
        self.name = name
        self.notifier = notifier
        #: an async context manager factory yielding ``send(i) -> ok`` for the raw side
        self.raw = raw


def _http_raw(requests: list[tuple[str, bytes, dict[str, str]]]) -> Callable[[], Any]:
    """The raw side of an HTTP channel: one shared httpx client posting prepared requests."""
    from contextlib import asynccontextmanager

    import httpx

    @asynccontextmanager
    async def raw() -> Any:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        async with httpx.AsyncClient(limits=limits) as client:

            async def send(i: int) -> bool:
                url, body, headers = requests[i]
                response = await client.post(url, content=body, headers=headers, timeout=10.0)
                return 200 <= response.status_code < 300

            yield send

    return raw


def _smtp_raw(port: int, sender: str, recipients: list[str], data: list[bytes]) -> Any:
    """The raw side of email: one aiosmtplib session (connect, MAIL/RCPT/DATA, QUIT) per
    message, as dq-email does, with the message bytes already rendered (the strictest
    baseline; see the module docstring for why not ``EmailMessage`` per send)."""
    from contextlib import asynccontextmanager

    import aiosmtplib

    @asynccontextmanager
    async def raw() -> Any:
        async def send(i: int) -> bool:
            client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=10.0)
            await client.connect()
            try:
                refused, _reply = await client.sendmail(sender, recipients, data[i])
            finally:
                await client.quit()
            return not refused

        yield send

    return raw


def _channel(name: str, origin: str, smtp_port: int, notes: list[Any]) -> Channel:
    """Build *name*'s notifier as dq does, and the raw side's identical requests."""
    import dq

    host = dq.Host(dq.discover())
    json_utf8 = {"Content-Type": "application/json; charset=utf-8"}
    common = {"timeout": 10.0, "deadline": 60.0}
    if name == "slack":
        from dq_slack import render_message

        url = origin + SLACK_PATH
        notifier = host.component("notifier", "slack", {"url": url, **common})
        raw = [(url, render_message(n), json_utf8) for n in notes]
    elif name == "pagerduty":
        from dq_pagerduty._event import render_event

        url = origin + "/v2/enqueue"
        config = {"routing_key": ROUTING_KEY, "url": url, **common}
        notifier = host.component("notifier", "pagerduty", config)
        headers = {"Content-Type": "application/json"}
        raw = [(url, render_event(n, ROUTING_KEY, notifier.config), headers) for n in notes]
    elif name == "opsgenie":
        from dq_opsgenie._alert import render_request

        config = {"api_key": GENIE_KEY, "url": origin, **common}
        notifier = host.component("notifier", "opsgenie", config)
        headers = {"Content-Type": "application/json", "Authorization": f"GenieKey {GENIE_KEY}"}
        raw = []
        for n in notes:
            path, body = render_request(n, notifier.config)
            raw.append((notifier.config.base_url + path, body, headers))
    elif name == "webhook":
        from dq_webhook import new_secret
        from dq_webhook._body import render_body
        from dq_webhook._notifier import message_id
        from dq_webhook._signing import sign, signing_key

        url, secret = origin + "/hooks/dq", new_secret()
        notifier = host.component("notifier", "webhook", {"url": url, "secret": secret, **common})
        key, c = signing_key(secret), notifier.config
        raw = []
        for n in notes:  # signed once, up front: the raw side gets signing for free
            body = render_body(n, max_body_bytes=c.max_body_bytes, max_failures=c.max_failures)
            msg_id, stamp = message_id(n), int(time.time())
            headers = {
                "Content-Type": "application/json",
                "webhook-id": msg_id,
                "webhook-timestamp": str(stamp),
                "webhook-signature": sign(key, msg_id, stamp, body),
            }
            raw.append((url, body, headers))
    elif name == "teams":
        from dq_teams import render_message

        url = origin + TEAMS_PATH + TEAMS_QUERY
        notifier = host.component("notifier", "teams", {"url": url, **common})
        raw = [(url, render_message(n), json_utf8) for n in notes]
    elif name == "discord":
        from dq_discord import render_message

        url = origin + DISCORD_PATH
        notifier = host.component("notifier", "discord", {"url": url, **common})
        raw = [(url + "?wait=true", render_message(n), json_utf8) for n in notes]
    elif name == "email":
        from dq_email import render_message

        sender, recipients = "dq-bench@example.com", ["oncall@example.com", "data@example.com"]
        config = {
            "host": "127.0.0.1",
            "port": smtp_port,
            "security": "none",
            "allow_plaintext": True,
            "sender": sender,
            "recipients": recipients,
            **common,
        }
        notifier = host.component("notifier", "email", config)
        c = notifier.config
        data = [
            render_message(
                n,
                sender=sender,
                recipients=c.recipients,
                domain=c.domain,
                max_bytes=c.max_message_bytes,
                max_failures=c.max_failures,
                prefix=c.subject_prefix,
            )
            for n in notes
        ]
        return Channel(name, notifier, _smtp_raw(smtp_port, sender, recipients, data))
    else:
        raise SystemExit(f"unknown channel {name!r}; one of {', '.join(CHANNELS)}")
    return Channel(name, notifier, _http_raw(raw))


def _measure(channel: Channel, notes: list[Any], args: argparse.Namespace) -> dict[str, Any]:
    import anyio
    import dq

    async def dq_run() -> tuple[list[float], float]:
        async def send(i: int) -> bool:
            delivery = await channel.notifier.send(notes[i])
            ok = delivery.status is dq.DeliveryStatus.DELIVERED
            if not ok:
                print(
                    f"  {channel.name}: {delivery.status.value}: {delivery.error}", file=sys.stderr
                )
            return ok

        return await _fan_out(args.alerts, args.concurrency, send)

    async def raw_run() -> tuple[list[float], float]:
        async with channel.raw() as send:
            return await _fan_out(args.alerts, args.concurrency, send)

    runs = {"dq": dq_run, "raw": raw_run}
    latencies: dict[str, list[float]] = {"dq": [], "raw": []}
    walls: dict[str, list[float]] = {"dq": [], "raw": []}
    round_ratios: list[float] = []
    anyio.run(dq_run)  # warm-up: imports, first connections, code paths
    anyio.run(raw_run)
    for r in range(args.rounds):
        order = ("dq", "raw") if r % 2 == 0 else ("raw", "dq")
        p99: dict[str, float] = {}
        for side in order:
            lat, wall = anyio.run(runs[side])
            latencies[side] += lat
            walls[side].append(wall)
            p99[side] = _pct(lat, 0.99)
        round_ratios.append(p99["dq"] / p99["raw"])
    return {
        "latencies": latencies,
        "walls": walls,
        "round_ratios": round_ratios,
        "ratio99": statistics.median(round_ratios),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--channels", default=",".join(CHANNELS), help="comma-separated; default: every channel"
    )
    parser.add_argument("--alerts", type=int, default=1000, help="alerts per run")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=7, help="interleaved runs per side")
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 if any p99 ratio > {RATIO_TARGET}"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args()
    wanted = [c.strip() for c in args.channels.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in CHANNELS]
    if unknown:
        parser.error(f"unknown channel(s) {', '.join(unknown)}; one of {', '.join(CHANNELS)}")
    chosen = []
    for name in wanted:
        if importlib.util.find_spec(f"dq_{name}") is None:
            print(f"skipping {name}: dq-{name} is not installed", file=sys.stderr)
        elif name == "email" and importlib.util.find_spec("aiosmtpd") is None:
            print("skipping email: aiosmtpd (the SMTP sink) is not installed", file=sys.stderr)
        else:
            chosen.append(name)
    if not chosen:
        raise SystemExit("no channel to measure")

    sinks = []
    origin, smtp_port = "", 0
    try:
        if any(c != "email" for c in chosen):
            http, port = _start(_serve)
            sinks.append(http)
            origin = f"http://127.0.0.1:{port}"
        if "email" in chosen:
            smtp, smtp_port = _start(_serve_smtp)
            sinks.append(smtp)
        results = {}
        for name in chosen:
            notes = [_notification(i) for i in range(args.alerts)]
            results[name] = _measure(_channel(name, origin, smtp_port, notes), notes, args)
    finally:
        for sink in sinks:
            sink.terminate()
            sink.join(5)

    print(
        f"{args.alerts} alerts x {args.rounds} interleaved rounds per side and channel, "
        f"concurrency {args.concurrency}, local sinks in their own processes"
    )
    print(
        f"{'channel':<10} {'raw p50':>8} {'raw p99':>8} {'dq p50':>8} {'dq p99':>8} "
        f"{'dq/s':>6} {'p99x pooled':>11} {'p99x median':>11}  rounds"
    )
    over = []
    for name, res in results.items():
        lat, walls = res["latencies"], res["walls"]
        pooled = _pct(lat["dq"], 0.99) / _pct(lat["raw"], 0.99)
        rate = args.alerts / statistics.median(walls["dq"])
        verdict = "ok" if res["ratio99"] <= RATIO_TARGET else "OVER"
        if verdict == "OVER":
            over.append(name)
        print(
            f"{name:<10} {_pct(lat['raw'], 0.5) * 1e3:8.2f} {_pct(lat['raw'], 0.99) * 1e3:8.2f} "
            f"{_pct(lat['dq'], 0.5) * 1e3:8.2f} {_pct(lat['dq'], 0.99) * 1e3:8.2f} {rate:6.0f} "
            f"{pooled:11.2f} {res['ratio99']:11.2f}  "
            + " ".join(f"{r:.2f}" for r in res["round_ratios"])
            + f"  {verdict}"
        )
    print(f"(milliseconds; target: median p99 ratio <= {RATIO_TARGET}x raw)")
    if args.json:
        with open(args.json, "w") as out:
            summary = {
                name: {
                    "p99_ratio_median": res["ratio99"],
                    "p99_ratio_rounds": res["round_ratios"],
                    "raw_p99_ms": _pct(res["latencies"]["raw"], 0.99) * 1e3,
                    "dq_p99_ms": _pct(res["latencies"]["dq"], 0.99) * 1e3,
                }
                for name, res in results.items()
            }
            json.dump(summary, out, indent=2)
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
