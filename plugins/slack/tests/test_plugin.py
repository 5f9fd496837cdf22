"""dq-slack as dq sees it: discovered from metadata, built from a config table, cheap to import."""

from __future__ import annotations

import subprocess
import sys

import attrs
import dq
import dq_slack
import pytest
from dq_slack import SlackConfig, SlackNotifier

URL = "https://hooks.slack.com/services/T0DQ/B0DQ/SECRETTOKENabcdef0123"


def test_the_slack_notifier_is_listed_from_this_distribution_and_compatible() -> None:
    host = dq.Host(dq.discover())
    record = host.record_for("notifier", "slack")
    assert record.distribution == "dq-slack"
    assert record.value == "dq_slack"


def test_dq_builds_it_from_a_config_table_with_defaults() -> None:
    notifier = dq.Host(dq.discover()).component("notifier", "slack", {"url": URL})
    assert isinstance(notifier, SlackNotifier)
    assert isinstance(notifier, dq.protocols.Notifier)
    config = notifier.config
    assert (config.timeout, config.deadline, config.max_attempts) == (10.0, 60.0, 6)
    assert config.unfurl is False and config.channel == "slack"
    assert config.url.reveal_text() == URL


def test_the_url_is_the_one_secret_field() -> None:
    secret = [f.name for f in attrs.fields(SlackConfig) if f.metadata.get("secret")]
    assert secret == ["url"]
    assert "SECRETTOKEN" not in repr(SlackConfig(url=dq.SecretValue(URL)))


@pytest.mark.parametrize(
    ("table", "path"),
    [
        ({"url": URL, "timeout": -1}, "timeout"),
        ({"url": URL, "deadline": 0}, "deadline"),
        ({"url": URL, "max_attempts": "three"}, "max_attempts"),
        ({"url": URL, "username": "dq-bot"}, "username"),  # ignored by Slack: not offered
        ({}, "url"),
    ],
)
def test_bad_config_is_reported_at_its_path(table: dict, path: str) -> None:
    with pytest.raises(dq.ConfigError) as info:
        dq.Host(dq.discover()).component("notifier", "slack", table)
    assert path in str(info.value)
    assert "SECRETTOKEN" not in str(info.value)


def test_the_factory_answers_only_for_slack_and_needs_a_config() -> None:
    assert dq_slack.dq_notifier(name="teams", config=None) is None
    assert dq_slack.dq_component_config(kind="notifier", name="teams") is None
    assert dq_slack.dq_component_config(kind="engine", name="slack") is None
    with pytest.raises(dq.UsageError, match="needs a configuration"):
        dq_slack.dq_notifier(name="slack", config=None)


def test_importing_the_plugin_module_does_not_import_httpx() -> None:
    code = "import sys, dq_slack; print('httpx' in sys.modules, 'anyio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_a_url_resolved_from_a_secret_reference_is_accepted_as_a_secret_value() -> None:
    # dq's secret resolver hands the component a dq.SecretValue, not a str
    notifier = dq.Host(dq.discover()).component(
        "notifier", "slack", {"url": dq.SecretValue(URL), "channel": "oncall"}
    )
    assert notifier.config.url.reveal_text() == URL
    assert notifier.channel == "oncall"
    assert "SECRETTOKEN" not in repr(notifier) + str(notifier)
