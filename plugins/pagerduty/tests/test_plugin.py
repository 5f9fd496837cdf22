"""dq-pagerduty as dq sees it: entry points, hook-API range, config fields and errors."""

from __future__ import annotations

import importlib.metadata as md

import dq
import pytest
from conftest import ROUTING_KEY, build
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet


def test_entry_points_name_the_component_and_the_hook_api_range() -> None:
    dist = md.distribution("dq-pagerduty")
    eps = {(ep.group, ep.name): ep.value for ep in dist.entry_points}
    assert eps[("dq.notifiers", "pagerduty")] == "dq_pagerduty"
    assert eps[("dq.hook_api", "^1.2")] == "dq_pagerduty"
    (core,) = [Requirement(r) for r in dist.requires or [] if r.startswith("dq-core")]
    assert core.specifier == SpecifierSet(">=1.2,<2")


def test_region_picks_the_events_host() -> None:
    us = build({"routing_key": ROUTING_KEY})
    eu = build({"routing_key": ROUTING_KEY, "region": "eu"})
    assert us.config.endpoint == "https://events.pagerduty.com/v2/enqueue"
    assert eu.config.endpoint == "https://events.eu.pagerduty.com/v2/enqueue"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"routing_key": ROUTING_KEY, "region": "apac"}, "region must be one of ['eu', 'us']"),
        ({"routing_key": ROUTING_KEY, "url": "ftp://x"}, "url must be an http(s) URL"),
        ({"routing_key": ROUTING_KEY, "max_body_bytes": 10**7}, "max_body_bytes must be between"),
        ({"routing_key": ROUTING_KEY, "timeout": 0}, "timeout must be > 0"),
        ({}, "routing_key"),
    ],
)
def test_bad_config_is_one_clear_error(config: dict, message: str) -> None:
    with pytest.raises(dq.ConfigError) as caught:
        build(config)
    assert message in str(caught.value)
    assert ROUTING_KEY not in str(caught.value)


def test_the_routing_key_is_a_secret_field() -> None:
    import attrs
    from dq_pagerduty import PagerDutyConfig

    secret = {f.name for f in attrs.fields(PagerDutyConfig) if f.metadata.get("secret")}
    assert secret == {"routing_key"}


def test_the_notifier_declares_pagerdutys_limits() -> None:
    assert build({"routing_key": ROUTING_KEY}).limits == {
        "request_bytes": 512_000,
        "summary": 1024,
        "dedup_key": 255,
    }
