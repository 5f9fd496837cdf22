"""One redaction path: an engine's crash message never shows a secret from its config,
in any encoding a library may print it in."""

from __future__ import annotations

import base64
import json
import sys
import textwrap
from pathlib import Path
from urllib.parse import quote

import dq
import polars as pl
import pytest
from conftest import write_dist_info
from dq.checks._engines import check
from dq.plugins._discovery import discover
from dq.plugins._host import Host
from dq.runtime._redact import encoded_forms, scrub, secret_texts
from hypothesis import given
from hypothesis import strategies as st

PASSWORD = "pä55-wörd/+=x"

ECHOING_ENGINE = """
import attrs
import dq

@attrs.frozen
class Config:
    dsn: dq.SecretValue = attrs.field(metadata={"secret": True})

class Echo:
    streams = False
    supported_checks = frozenset({"not_null"})

    def __init__(self, config):
        self.config = config
    def check(self, data, rules):
        from urllib.parse import quote
        import base64, json
        secret = self.config.dsn.reveal_text()
        raise RuntimeError(
            f"connect failed: {secret} | {quote(secret, safe='')} | "
            f"{base64.b64encode(secret.encode()).decode()} | {json.dumps(secret)}"
        )
    def profile(self, data):
        raise NotImplementedError
    def learn(self, data):
        raise NotImplementedError

@dq.hookimpl
def dq_component_config(kind, name):
    return Config if name == "echo" else None

@dq.hookimpl
def dq_engine(name, config):
    return Echo(config) if name == "echo" else None
"""


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Host:
    (tmp_path / "dq_echo_engine.py").write_text(textwrap.dedent(ECHOING_ENGINE))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "dq_echo_engine", raising=False)
    dist = write_dist_info(
        tmp_path / "site",
        "dq-echo",
        "1.0.0",
        {"dq.engines": {"echo": "dq_echo_engine"}, "dq.hook_api": {"^1.0": "dq_echo_engine"}},
    )
    return Host(discover(distributions=[dist]))


def test_an_engine_crash_never_shows_its_configs_secret_in_any_encoding(host: Host) -> None:
    rules = dq.RuleSet(rules=(dq.NotNull(id="a_not_null", column="a"),))
    config = {"dsn": dq.SecretValue(PASSWORD)}
    with pytest.raises(dq.PluginError) as err:
        check(host, "echo", pl.DataFrame({"a": [1]}), rules, engine_config=config)
    message = str(err.value)
    assert "connect failed" in message and "dq-echo 1.0.0" in message
    for form in (PASSWORD, quote(PASSWORD, safe=""), json.dumps(PASSWORD)[1:-1]):
        assert form not in message
    assert base64.b64encode(PASSWORD.encode()).decode() not in message
    assert err.value.__cause__ is None and err.value.__context__ is not None  # not chained


@given(st.text(min_size=6, max_size=40))
def test_every_encoded_form_of_a_secret_is_scrubbed(secret: str) -> None:
    found = secret_texts({"token": dq.SecretValue(secret)}, set())
    for form in encoded_forms(secret):
        assert form not in scrub(f"before {form} after", found).replace("***", "")


def test_a_reference_is_shown_but_its_value_is_not() -> None:
    found = secret_texts({"url": "${secret:vault:slack#url}", "key": "hunter2-xyz"}, set())
    assert scrub("${secret:vault:slack#url} hunter2-xyz", found) == "${secret:vault:slack#url} ***"
