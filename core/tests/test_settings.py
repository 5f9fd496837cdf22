"""Plugin selection settings from the config file and the environment."""

from __future__ import annotations

import pytest
from dq.plugins._settings import SettingsError, load_settings


def test_environment_deny_adds_to_the_file_and_allow_replaces_it() -> None:
    s = load_settings(
        {"deny": ["a"], "allow": ["x"]}, {"DQ_PLUGINS_DENY": "b, c", "DQ_PLUGINS_ALLOW": "y"}
    )
    assert s.deny == ("a", "b", "c")
    assert s.allow == ("y",)


def test_an_empty_allow_variable_means_unset_not_allow_nothing() -> None:
    assert load_settings({}, {"DQ_PLUGINS_ALLOW": " "}).allow is None


def test_prefer_pairs_are_normalised() -> None:
    s = load_settings({"prefer": {"csv": "DQ_Alpha"}}, {"DQ_PLUGINS_PREFER": "json=dq.beta"})
    assert s.prefer == {"csv": "dq-alpha", "json": "dq-beta"}


@pytest.mark.parametrize(
    ("env", "cli", "expected"),
    [
        ({}, None, False),
        ({"DQ_STRICT": "1"}, None, True),
        ({"DQ_STRICT": "off"}, None, False),
        ({"DQ_STRICT": "0"}, True, True),
        ({}, True, True),
    ],
)
def test_strict_from_env_and_command_line(env, cli, expected) -> None:
    assert load_settings(None, env, strict=cli).strict is expected


@pytest.mark.parametrize(
    ("table", "env", "message"),
    [
        ({"denny": ["x"]}, {}, "plugins.denny: unknown setting"),
        ({"deny": "x"}, {}, "plugins.deny: expected a list of strings"),
        ({"strict": "yes"}, {}, "plugins.strict: expected true or false"),
        ({}, {"DQ_STRICT": "maybe"}, "DQ_STRICT: expected"),
        ({}, {"DQ_PLUGINS_PREFER": "csv"}, "DQ_PLUGINS_PREFER: expected component=distribution"),
    ],
)
def test_bad_settings_name_the_setting(table, env, message) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(table, env)
