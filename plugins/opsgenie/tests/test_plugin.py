"""dq-opsgenie as dq sees it: entry points, hook-API range, config fields and errors."""

from __future__ import annotations

import importlib.metadata as md

import dq
import pytest
from conftest import API_KEY, build
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet


def test_entry_points_name_the_component_and_the_hook_api_range() -> None:
    dist = md.distribution("dq-opsgenie")
    eps = {(ep.group, ep.name): ep.value for ep in dist.entry_points}
    assert eps[("dq.notifiers", "opsgenie")] == "dq_opsgenie"
    assert eps[("dq.hook_api", "^1.2")] == "dq_opsgenie"
    (core,) = [Requirement(r) for r in dist.requires or [] if r.startswith("dq-core")]
    assert core.specifier == SpecifierSet(">=1.2,<2")


def test_region_picks_the_api_host() -> None:
    assert build({"api_key": API_KEY}).config.base_url == "https://api.opsgenie.com"
    eu = build({"api_key": API_KEY, "region": "eu"})
    assert eu.config.base_url == "https://api.eu.opsgenie.com"


def test_extra_tags_are_read_from_a_list() -> None:
    assert build({"api_key": API_KEY, "tags": ["team:data"]}).config.tags == ("team:data",)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"api_key": API_KEY, "region": "apac"}, "region must be one of ['eu', 'us']"),
        ({"api_key": API_KEY, "url": "ftp://x"}, "url must be the http(s) base URL"),
        ({"api_key": API_KEY, "max_body_bytes": 10**7}, "max_body_bytes must be between"),
        ({"api_key": "has space"}, "API key of an Opsgenie API integration"),
        ({"api_key": API_KEY, "timeout": 0}, "timeout must be > 0"),
        ({}, "api_key"),
    ],
)
def test_bad_config_is_one_clear_error(config: dict, message: str) -> None:
    with pytest.raises(dq.ConfigError) as caught:
        build(config)
    assert message in str(caught.value)
    assert API_KEY not in str(caught.value)


def test_the_api_key_is_a_secret_field() -> None:
    import attrs
    from dq_opsgenie import OpsgenieConfig

    secret = {f.name for f in attrs.fields(OpsgenieConfig) if f.metadata.get("secret")}
    assert secret == {"api_key"}


def test_the_notifier_declares_opsgenies_limits() -> None:
    assert build({"api_key": API_KEY}).limits == {
        "request_bytes": 64_000,
        "message": 130,
        "alias": 512,
        "description": 15_000,
    }
