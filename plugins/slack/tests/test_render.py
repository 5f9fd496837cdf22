"""Block Kit rendering: the message a human reads, and Slack's limits for every input.

The limits are written out here as literal numbers from Slack's Block Kit reference (not
imported from the code under test), so a wrong constant in the renderer fails these tests.
"""

from __future__ import annotations

import json
import re
from typing import Any

import dq
import pytest
from conftest import note
from dq_slack import render_message
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st


def payload(notification: dq.Notification, **options: Any) -> dict[str, Any]:
    body = render_message(notification, **options)
    return json.loads(body)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def violations(message: dict[str, Any]) -> list[str]:
    """Every way *message* breaks a documented Slack limit (empty: Slack accepts it)."""
    found: list[str] = []

    def text_ok(where: str, obj: dict[str, Any], kinds: set[str], low: int, high: int) -> None:
        if obj.get("type") not in kinds:
            found.append(f"{where}: type {obj.get('type')!r} not in {kinds}")
        text = obj.get("text")
        if not isinstance(text, str) or not low <= utf16(text) <= high:
            found.append(f"{where}: text of {utf16(text or '')} units, allowed {low}-{high}")

    if not isinstance(message.get("text"), str) or not 1 <= utf16(message["text"]) <= 40_000:
        found.append("text: missing, empty or over 40,000")
    blocks = message.get("blocks", [])
    if not 1 <= len(blocks) <= 50:
        found.append(f"{len(blocks)} blocks, allowed 1-50")
    for i, block in enumerate(blocks):
        kind = block["type"]
        if kind == "header":
            text_ok(f"blocks[{i}].text", block["text"], {"plain_text"}, 1, 150)
        elif kind == "section":
            if "text" not in block and "fields" not in block:
                found.append(f"blocks[{i}]: section with neither text nor fields")
            if "text" in block:
                text_ok(f"blocks[{i}].text", block["text"], {"mrkdwn", "plain_text"}, 1, 3000)
            fields = block.get("fields", [])
            if len(fields) > 10:
                found.append(f"blocks[{i}]: {len(fields)} fields, allowed 10")
            for j, field in enumerate(fields):
                text_ok(f"blocks[{i}].fields[{j}]", field, {"mrkdwn", "plain_text"}, 1, 2000)
        elif kind == "context":
            elements = block["elements"]
            if not 1 <= len(elements) <= 10:
                found.append(f"blocks[{i}]: {len(elements)} context elements, allowed 1-10")
            for j, element in enumerate(elements):
                text_ok(f"blocks[{i}].elements[{j}]", element, {"mrkdwn", "plain_text"}, 1, 3000)
        else:
            found.append(f"blocks[{i}]: unexpected block type {kind!r}")
    return found


def mrkdwn_texts(message: dict[str, Any]) -> list[str]:
    texts = [message["text"]]
    for block in message["blocks"]:
        for obj in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if obj and obj["type"] == "mrkdwn":
                texts.append(obj["text"])
    return texts


def section_texts(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section" and "text" in b]


# -- the message a human reads ----------------------------------------------------------------


def test_a_check_result_renders_header_summary_fields_failures_links_and_context() -> None:
    message = payload(note(tenant=dq.TenantId("acme")))
    assert message["text"] == (
        "dq: suite orders failed 2 of 7 rules\n2 error rules failed on orders.parquet (1,000 rows)"
    )
    assert message["unfurl_links"] is False and message["unfurl_media"] is False
    assert message["blocks"] == [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": "dq: suite orders failed 2 of 7 rules"},
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "2 error rules failed on orders.parquet (1,000 rows)",
            },
        },
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*tenant*\nacme"},
                {"type": "mrkdwn", "text": "*suite*\norders"},
                {"type": "mrkdwn", "text": "*engine*\npolars"},
                {"type": "mrkdwn", "text": "*run id*\nr-42"},
                {"type": "mrkdwn", "text": "*rows*\n1,000"},
            ],
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*Failing rules (2)*\n"
                "• `amount_range` between on `amount` · *error* · 42 of 1,000 failed (4.2%)\n"
                "• `id_unique` unique on `id` · *error* · 3 of 1,000 failed (0.3%)",
            },
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "<https://dq.example/runs/42|run report>"},
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": ":x: *ERROR*"},
                {"type": "mrkdwn", "text": "dedup key"},
                {"type": "plain_text", "text": "orders-7f3a"},
            ],
        },
    ]
    assert violations(message) == []


def test_the_dedup_key_travels_as_an_exact_string_in_the_context_block() -> None:
    message = payload(note(dedup_key="suite:orders|2026-11-25|amount_range"))
    context = message["blocks"][-1]
    assert context["type"] == "context"
    assert {"type": "plain_text", "text": "suite:orders|2026-11-25|amount_range"} in context[
        "elements"
    ]


@pytest.mark.parametrize(
    ("level", "mark"),
    [
        (dq.Level.INFO, ":information_source: *INFO*"),
        (dq.Level.WARNING, ":warning: *WARNING*"),
        (dq.Level.CRITICAL, ":rotating_light: *CRITICAL*"),
    ],
)
def test_the_context_block_shows_the_level(level: dq.Level, mark: str) -> None:
    assert payload(note(level=level))["blocks"][-1]["elements"][0]["text"] == mark


def test_a_failure_without_column_or_total_still_reads_naturally() -> None:
    failure = dq.RuleFailure(
        rule_id="enough_rows", check="row_count", severity="warning", message="12 < 100"
    )
    (line,) = [t for t in section_texts(payload(note(failures=(failure,)))) if "Failing" in t][
        0
    ].split("\n")[1:]
    assert line == "• `enough_rows` row_count · *warning* · 0 failed — 12 &lt; 100"


def test_an_engine_message_that_states_the_counts_replaces_the_short_counts() -> None:
    failure = dq.RuleFailure(
        rule_id="amount_range",
        check="between",
        column="amount",
        failed_count=3,
        element_count=497,
        message="3 of 497 non-null rows failed (0.60%); "
        "passing share 99.40% is below mostly 99.50%",
    )
    (line,) = [t for t in section_texts(payload(note(failures=(failure,)))) if "Failing" in t][
        0
    ].split("\n")[1:]
    assert line == (
        "• `amount_range` between on `amount` · *error* · 3 of 497 non-null rows failed (0.60%); "
        "passing share 99.40% is below mostly 99.50%"
    )


def test_a_message_without_failures_links_or_fields_has_no_empty_blocks() -> None:
    message = payload(note(failures=(), links=(), fields={}, summary=""))
    assert [b["type"] for b in message["blocks"]] == ["header", "context"]
    assert message["text"] == "dq: suite orders failed 2 of 7 rules"
    assert violations(message) == []


def test_an_empty_title_gets_a_placeholder_rather_than_an_invalid_header() -> None:
    message = payload(note(title="", summary=""))
    assert message["blocks"][0]["text"]["text"] == "dq notification"
    assert message["text"] == "dq notification"


# -- mentions and markup cannot be injected ---------------------------------------------------


@pytest.mark.parametrize("evil", ["<!channel>", "<!here|here>", "<@U024BE7LH>", "<!subteam^S1>"])
def test_rule_ids_fields_and_summaries_cannot_ping_anyone(evil: str) -> None:
    failure = dq.RuleFailure(rule_id=evil, check=evil, column=evil, message=evil)
    message = payload(
        note(
            title=evil,
            summary=f"see {evil}",
            fields={evil: evil},
            failures=(failure,),
            links=(dq.Link(title=evil, url="https://dq.example/x"),),
        )
    )
    for text in mrkdwn_texts(message):
        assert "<!" not in text and "<@" not in text, text
        assert "&lt;" in text or "dedup" in text or "ERROR" in text or "dq.example" in text


@pytest.mark.parametrize("offset", range(5))
def test_ampersands_are_escaped_once_and_entities_are_never_cut_in_half(offset: int) -> None:
    # "&amp;" is five characters: each offset makes the 3000-unit cut fall elsewhere in one
    message = payload(note(summary="x" * offset + "a & b " * 2000))
    summary = section_texts(message)[0]
    assert summary.startswith("x" * offset + "a &amp; b a &amp; b")
    assert summary.endswith("…") and utf16(summary) <= 3000
    assert re.search(r"&(?!amp;|lt;|gt;)", summary) is None, "a raw or half entity is left"


def test_backticks_in_rule_ids_do_not_break_the_code_span() -> None:
    failure = dq.RuleFailure(rule_id="a`b", check="unique")
    text = [t for t in section_texts(payload(note(failures=(failure,)))) if "Failing" in t][0]
    assert "• `aʼb` unique" in text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("javascript:alert(1)", "x: javascript:alert(1)"),
        ("https://dq.example/a|b>c d", "<https://dq.example/a%7Cb%3Ec%20d|x>"),
        ("https://dq.example/q?a=1&b=<2>", "<https://dq.example/q?a=1&amp;b=%3C2%3E|x>"),
        ("https://dq.example/" + "p" * 3000, "x (link too long to show)"),
    ],
)
def test_links_are_safe_mrkdwn_links_or_plain_text(url: str, shown: str) -> None:
    message = payload(note(links=(dq.Link(title="x", url=url),)))
    assert shown in section_texts(message)


# -- truncate, never get rejected -------------------------------------------------------------


def test_a_huge_title_is_cut_to_the_header_limit_with_an_ellipsis() -> None:
    message = payload(note(title="🚨" * 10_000))
    header = message["blocks"][0]["text"]["text"]
    assert header.endswith("…") and utf16(header) <= 150
    assert header == "🚨" * 74 + "…"
    assert violations(message) == []


def test_ten_thousand_failures_are_listed_up_to_max_failures_and_the_rest_counted() -> None:
    failures = tuple(
        dq.RuleFailure(rule_id=f"rule_{i}", check="not_null", failed_count=i, element_count=10**6)
        for i in range(10_000)
    )
    message = payload(note(failures=failures), max_failures=20)
    text = "\n".join(section_texts(message))
    assert "*Failing rules (10,000)*" in text
    assert text.count("• `rule_") == 20
    assert "… and 9,980 more failing rules" in text
    assert violations(message) == []


def test_with_no_cap_on_lines_the_block_limit_still_holds_and_the_count_stays_exact() -> None:
    failures = tuple(
        dq.RuleFailure(rule_id=f"r{i}-" + "x" * 150, check="regex", column="c" * 50)
        for i in range(10_000)
    )
    message = payload(note(failures=failures), max_failures=10_000, max_body_bytes=10**7)
    assert violations(message) == []
    assert len(message["blocks"]) == 50
    text = "\n".join(section_texts(message))
    listed = text.count("• `r")
    more = int(re.search(r"… and ([\d,]+) more failing rules", text)[1].replace(",", ""))
    assert listed + more == 10_000
    assert listed > 500, "the room of 50 blocks was not used"


def test_many_fields_are_capped_and_counted() -> None:
    fields = {f"key {i}": f"value {i}" for i in range(35)}
    message = payload(note(fields=fields))
    sections = [b for b in message["blocks"] if "fields" in b]
    texts = [f["text"] for b in sections for f in b["fields"]]
    assert len(sections) == 2 and len(texts) == 20
    assert texts[-1] == "… and 16 more fields"
    assert violations(message) == []


def test_the_body_is_shrunk_until_it_fits_max_body_bytes() -> None:
    big = note(
        summary="数" * 50_000,
        fields={f"f{i}": "据" * 5_000 for i in range(20)},
        failures=tuple(dq.RuleFailure(rule_id="质" * 500, check="unique") for _ in range(50)),
    )
    assert len(render_message(big, max_body_bytes=10**7)) > 100_000
    body = render_message(big, max_body_bytes=20_000)
    assert len(body) <= 20_000
    assert violations(json.loads(body)) == []


def test_lone_surrogates_anywhere_still_render_valid_utf8_json() -> None:
    lone = "a\ud800b\udfffc"
    failure = dq.RuleFailure(rule_id=lone, check=lone, column=lone, message=lone)
    body = render_message(
        note(
            title=lone,
            summary=lone,
            dedup_key=lone,
            fields={lone: lone},
            links=(dq.Link(title=lone, url=lone),),
            failures=(failure,),
        )
    )
    message = json.loads(body.decode("utf-8"))
    assert violations(message) == []
    assert message["blocks"][0]["text"]["text"] == "a\ufffdb\ufffdc"


def test_control_characters_are_dropped_but_newlines_and_tabs_kept() -> None:
    message = payload(note(summary="a\x00b\x1bc\x7fd\te\nf\u0085g"))
    assert section_texts(message)[0] == "abcd\te\nfg"


TEXT = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda s, n: (s * (n // max(len(s), 1) + 1))[:n],
        st.text(min_size=1),
        st.integers(0, 60_000),
    ),
    st.sampled_from(["<!channel>", "&amp;", "`", "*_~", "🚨" * 3000, "\x00\n\t" * 2000]),
)
FAILURES = st.builds(
    dq.RuleFailure,
    rule_id=TEXT,
    check=st.text(max_size=30),
    column=st.none() | TEXT,
    severity=st.sampled_from(["error", "warning"]) | st.text(max_size=30),
    failed_count=st.integers(0, 10**12),
    element_count=st.integers(0, 10**12),
    message=TEXT,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    title=TEXT,
    summary=TEXT,
    dedup_key=st.text(min_size=1, max_size=300),
    fields=st.dictionaries(st.text(max_size=50), TEXT, max_size=30),
    links=st.lists(
        st.builds(dq.Link, title=TEXT, url=TEXT | st.just("https://x.example/")), max_size=40
    ),
    failures=st.one_of(
        st.lists(FAILURES, max_size=30),
        st.integers(0, 10_000).map(
            lambda n: [dq.RuleFailure(rule_id=f"<!r{i}>", check="unique") for i in range(n)]
        ),
    ),
    level=st.sampled_from(list(dq.Level)),
    max_failures=st.integers(1, 10_000),
    max_body_bytes=st.sampled_from([4_000, 40_000, 256_000]),
)
@example(
    title="",
    summary="",
    dedup_key="k",
    fields={},
    links=[],
    failures=[],
    level=dq.Level.INFO,
    max_failures=1,
    max_body_bytes=4_000,
)
def test_every_notification_renders_to_valid_json_within_every_slack_limit(
    title: str,
    summary: str,
    dedup_key: str,
    fields: dict[str, str],
    links: list[dq.Link],
    failures: list[dq.RuleFailure],
    level: dq.Level,
    max_failures: int,
    max_body_bytes: int,
) -> None:
    notification = dq.Notification(
        title=title,
        summary=summary,
        level=level,
        dedup_key=dedup_key,
        fields=fields,
        links=tuple(links),
        failures=tuple(failures),
    )
    body = render_message(notification, max_body_bytes=max_body_bytes, max_failures=max_failures)
    assert len(body) <= max_body_bytes
    message = json.loads(body.decode("utf-8"))  # valid UTF-8 JSON
    assert violations(message) == []
    for text in mrkdwn_texts(message):
        assert "<!" not in text and "<@" not in text
    if failures:
        text = "\n".join(section_texts(message))
        listed = len(re.findall(r"^• ", text, flags=re.MULTILINE))
        more = re.search(r"… and ([\d,]+) more failing rules", text)
        hidden = int(more[1].replace(",", "")) if more else 0
        assert listed + hidden == len(failures), "a failing rule was neither listed nor counted"


# -- resolves (hook API 1.2) ----------------------------------------------------------------


def test_a_resolve_is_a_short_resolved_message_with_the_triggers_dedup_key() -> None:
    trigger = note()
    resolve = note(kind=dq.NotificationKind.RESOLVE, title="dq: suite orders passed")
    message = payload(resolve)
    assert violations(message) == []
    blocks = message["blocks"]
    assert blocks[0]["text"]["text"] == "Resolved: dq: suite orders passed"
    context = blocks[-1]["elements"]
    assert context[0]["text"] == ":white_check_mark: *RESOLVED*"
    assert [e["text"] for e in context[1:]] == ["dedup key", trigger.dedup_key]
    text = json.dumps(message)
    assert "amount_range" not in text, "a resolve must not list the trigger's failing rules"
    assert len(blocks) <= 4


@settings(max_examples=30, deadline=None)
@given(title=st.text(max_size=5_000), summary=st.text(max_size=20_000))
def test_a_resolve_keeps_every_slack_limit(title: str, summary: str) -> None:
    resolve = note(kind=dq.NotificationKind.RESOLVE, title=title, summary=summary)
    assert violations(payload(resolve)) == []
