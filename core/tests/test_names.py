"""Component names, distribution names and kinds."""

from __future__ import annotations

import re

import pytest
from dq.plugins._names import (
    KIND_GROUPS,
    is_component_name,
    is_module_reference,
    normalize_dist_name,
    parse_kind,
)
from hypothesis import given
from hypothesis import strategies as st


@given(st.from_regex(r"[a-z][a-z0-9_-]{0,63}", fullmatch=True))
def test_every_name_of_the_documented_shape_is_accepted(name: str) -> None:
    assert is_component_name(name)


@given(st.text(max_size=80))
def test_accepted_names_are_safe_on_a_command_line_and_in_toml(name: str) -> None:
    if is_component_name(name):
        assert re.fullmatch(r"[a-z][a-z0-9_-]*", name) and len(name) <= 64


@pytest.mark.parametrize(
    "bad", ["", "Slack", "1slack", "sl ack", "slack/x", "a" * 65, "sláck", "-x"]
)
def test_names_outside_the_shape_are_refused(bad: str) -> None:
    assert not is_component_name(bad)


@given(st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", fullmatch=True))
def test_dist_name_normalisation_is_idempotent_and_pep503(name: str) -> None:
    once = normalize_dist_name(name)
    assert normalize_dist_name(once) == once
    assert once == re.sub(r"[-_.]+", "-", name).lower()


def test_module_references() -> None:
    assert is_module_reference("dq_slack")
    assert is_module_reference("dq_slack.hooks:plugin")
    assert not is_module_reference("dq-slack")
    assert not is_module_reference("dq_slack:")
    assert not is_module_reference("1mod")


@pytest.mark.parametrize("text", ["engine", "engines", "dq.engines", "ENGINE", "secret", "secrets"])
def test_kinds_accept_singular_plural_and_group(text: str) -> None:
    assert parse_kind(text) in KIND_GROUPS


def test_unknown_kind_lists_the_choices() -> None:
    with pytest.raises(ValueError, match="engine, notifier, secrets, tenant, orchestrator"):
        parse_kind("widgets")
