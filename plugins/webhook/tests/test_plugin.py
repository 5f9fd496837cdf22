"""dq-webhook as dq sees it: entry points, hook-API range, config fields and errors."""

from __future__ import annotations

import importlib.metadata as md

import attrs
import dq
import pytest
from conftest import SECRET, build
from dq_webhook import WebhookConfig
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

URL = "https://hooks.example.com/in/0123456789abcdef0123"


def test_entry_points_name_the_component_and_the_hook_api_range() -> None:
    dist = md.distribution("dq-webhook")
    eps = {(ep.group, ep.name): ep.value for ep in dist.entry_points}
    assert eps[("dq.notifiers", "webhook")] == "dq_webhook"
    assert eps[("dq.hook_api", "^1.2")] == "dq_webhook"
    (core,) = [Requirement(r) for r in dist.requires or [] if r.startswith("dq-core")]
    assert core.specifier == SpecifierSet(">=1.2,<2")


def test_the_schema_ships_in_the_package() -> None:
    """Read through importlib.resources: in tox the package is an installed wheel, so this
    proves the file is in it."""
    from importlib import resources

    assert resources.files("dq_webhook").joinpath("schema/notification-v1.json").is_file()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"url": "not a url", "secret": SECRET}, "url must be an http(s) URL"),
        ({"url": URL, "secret": "whsec_!!"}, "secret: the signing secret must be 'whsec_'"),
        ({"url": URL, "secret": "whsec_c2hvcnQ="}, "must decode to 24-64 bytes"),
        ({"url": URL, "secret": SECRET, "max_body_bytes": 100}, "max_body_bytes must be"),
        ({"url": URL}, "secret"),
    ],
)
def test_bad_config_is_one_clear_error(config: dict, message: str) -> None:
    with pytest.raises(dq.ConfigError) as caught:
        build(config)
    assert message in str(caught.value)
    assert SECRET not in str(caught.value) and "0123456789abcdef0123" not in str(caught.value)


def test_url_and_secret_are_secret_fields() -> None:
    secret = {f.name for f in attrs.fields(WebhookConfig) if f.metadata.get("secret")}
    assert secret == {"url", "secret"}


def test_the_notifier_declares_its_limit() -> None:
    notifier = build({"url": URL, "secret": SECRET, "max_body_bytes": 100_000})
    assert notifier.limits == {"request_bytes": 100_000}
