"""Loading components on use: isolation of every plugin fault, config, protocols."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import dq
import pytest
from dq.plugins._discovery import discover
from dq.plugins._host import Host

HEAVY = ("attrs", "cattrs", "pluggy", "polars", "anyio")

GOOD = """
import attrs
from dq import hookimpl, SecretValue

@attrs.frozen
class Cfg:
    url: str
    token: SecretValue = attrs.field(metadata={"secret": True})
    retries: int = 3

class Notifier:
    def __init__(self, config):
        self.config = config
    async def send(self, notification):
        raise RuntimeError("not used here")

@hookimpl
def dq_component_config(kind, name):
    return Cfg if name == "hook" else None

@hookimpl
def dq_notifier(name, config):
    return Notifier(config) if name == "hook" else None
"""


@pytest.fixture
def host_for(make_dist, monkeypatch):
    site = make_dist.site
    monkeypatch.syspath_prepend(str(site))

    def build(modules: dict[str, str], entry_points: dict[str, dict[str, str]]) -> Host:
        for module, source in modules.items():
            (site / f"{module}.py").write_text(textwrap.dedent(source))
            monkeypatch.delitem(sys.modules, module, raising=False)
        dist = make_dist("dq-under-test", entry_points=entry_points)
        return Host(discover(distributions=[dist]))

    return build


def test_component_gets_its_config_structured_and_typed(host_for) -> None:
    host = host_for({"mod_good": GOOD}, {"dq.notifiers": {"hook": "mod_good"}})
    notifier = host.component("notifier", "hook", {"url": "http://x", "token": "s3cr3t"})
    assert notifier.config.retries == 3
    assert notifier.config.token.reveal_text() == "s3cr3t"
    assert "s3cr3t" not in repr(notifier.config)


def test_config_errors_name_the_component_and_field(host_for) -> None:
    host = host_for({"mod_good": GOOD}, {"dq.notifiers": {"hook": "mod_good"}})
    with pytest.raises(dq.ConfigError) as info:
        host.component("notifier", "hook", {"url": 5, "retires": 1})
    assert info.value.source == "notifier.hook"
    assert "url: expected str, got int (5)" in info.value.problems
    assert any("retires" in p for p in info.value.problems)


def test_a_module_without_the_kinds_factory_is_broken(host_for) -> None:
    host = host_for({"mod_good": GOOD}, {"dq.engines": {"hook": "mod_good"}})
    with pytest.raises(dq.PluginError, match="implements no dq_engine hook") as info:
        host.load("engine", "hook")
    assert info.value.distribution == "dq-under-test"


def test_a_factory_returning_the_wrong_shape_is_reported(host_for) -> None:
    source = (
        "from dq import hookimpl\n@hookimpl\ndef dq_engine(name, config):\n    return object()\n"
    )
    host = host_for({"mod_shape": source}, {"dq.engines": {"shape": "mod_shape"}})
    with pytest.raises(
        dq.PluginError,
        match=r"does not satisfy the Engine protocol \(missing: check, learn, profile",
    ):
        host.component("engine", "shape")


def test_a_factory_returning_none_for_its_own_name_is_reported(host_for) -> None:
    source = "from dq import hookimpl\n@hookimpl\ndef dq_engine(name, config):\n    return None\n"
    host = host_for({"mod_none": source}, {"dq.engines": {"none": "mod_none"}})
    with pytest.raises(dq.PluginError, match="returned None from dq_engine"):
        host.component("engine", "none")


def test_a_hookimpl_with_an_unknown_argument_is_refused(host_for) -> None:
    source = "from dq import hookimpl\n@hookimpl\ndef dq_engine(name, cfg):\n    return None\n"
    host = host_for({"mod_args": source}, {"dq.engines": {"args": "mod_args"}})
    with pytest.raises(dq.PluginError, match="invalid hook implementations"):
        host.load("engine", "args")


def test_an_unmarked_function_that_looks_like_a_hook_is_refused(host_for) -> None:
    source = GOOD + "\ndef dq_notifer(name, config):\n    return None\n"
    host = host_for({"mod_stray": source}, {"dq.notifiers": {"hook": "mod_stray"}})
    with pytest.raises(dq.PluginError, match="defines dq_notifer, which is not a dq hook"):
        host.load("notifier", "hook")


def test_an_import_that_calls_sys_exit_does_not_end_the_host(host_for) -> None:
    host = host_for({"mod_exit": "import sys\nsys.exit(4)\n"}, {"dq.engines": {"exit": "mod_exit"}})
    with pytest.raises(dq.PluginError, match="failed to import 'mod_exit': SystemExit: 4"):
        host.load("engine", "exit")


def test_unknown_and_unusable_components_are_usage_errors_that_explain(host_for, make_dist) -> None:
    host = host_for({"mod_good": GOOD}, {"dq.notifiers": {"hook": "mod_good"}})
    with pytest.raises(dq.PluginNotFound, match="installed notifiers: hook"):
        host.load("notifier", "slack")


def test_one_module_serving_two_components_is_imported_once(host_for) -> None:
    source = GOOD.replace('if name == "hook"', 'if name in ("hook", "hook2")')
    host = host_for({"mod_two": source}, {"dq.notifiers": {"hook": "mod_two", "hook2": "mod_two"}})
    first = host.load("notifier", "hook")
    second = host.load("notifier", "hook2")
    assert first.plugin is second.plugin
    assert len(host.pm.get_plugins()) == 1


def test_factories_are_called_only_on_the_providing_distribution(
    host_for, make_dist, monkeypatch
) -> None:
    greedy = (
        "from dq import hookimpl\n"
        "@hookimpl\n"
        "def dq_notifier(name, config):\n"
        "    return 'hijacked'\n"
    )
    site = make_dist.site
    (site / "mod_greedy.py").write_text(greedy)
    (site / "mod_good.py").write_text(textwrap.dedent(GOOD))
    monkeypatch.syspath_prepend(str(site))
    a = make_dist("dq-good-one", entry_points={"dq.notifiers": {"hook": "mod_good"}})
    b = make_dist("dq-greedy", entry_points={"dq.notifiers": {"other": "mod_greedy"}})
    host = Host(discover(distributions=[a, b]))
    host.load("notifier", "other")  # the greedy module is loaded first ...
    built = host.component("notifier", "hook", {"url": "u", "token": "t"})
    assert type(built).__name__ == "Notifier"  # ... and still cannot answer for 'hook'


def test_import_dq_loads_none_of_the_heavy_dependencies() -> None:
    code = f"import dq, sys; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_listing_plugins_loads_none_of_the_heavy_dependencies() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from dq.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['plugins', 'list'])\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_config_for_a_component_without_config_is_a_config_error(host_for) -> None:
    source = "from dq import hookimpl\n@hookimpl\ndef dq_engine(name, config):\n    return None\n"
    host = host_for({"mod_nocfg": source}, {"dq.engines": {"nocfg": "mod_nocfg"}})
    with pytest.raises(dq.ConfigError) as info:
        host.component("engine", "nocfg", {"speed": 1})
    assert info.value.problems == ["speed: unknown field (engine 'nocfg' takes no configuration)"]


def test_a_specname_hookimpl_may_carry_a_dq_prefixed_name(host_for) -> None:
    source = (
        "from dq import hookimpl\n"
        "@hookimpl(specname='dq_engine')\n"
        "def dq_make_engine(name, config):\n"
        "    return None\n"
    )
    host = host_for({"mod_spec": source}, {"dq.engines": {"spec": "mod_spec"}})
    assert host.load("engine", "spec").hooks == ("dq_engine",)
