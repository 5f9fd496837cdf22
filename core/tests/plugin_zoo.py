"""Throwaway plugin distributions, written as source trees a plugin author would write.

Each module records its own import in the file named by ``DQ_TEST_IMPORT_MARKER``
so tests can prove which commands import plugins and which only read metadata.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

MARKER = """
import os as _os
if _os.environ.get("DQ_TEST_IMPORT_MARKER"):
    with open(_os.environ["DQ_TEST_IMPORT_MARKER"], "a") as _f:
        _f.write(__name__ + "\\n")
"""

GOOD_ENGINE = """
import attrs
from dq import hookimpl, CheckResult, Profile, RuleSet, RunStatus


@attrs.frozen
class GoodConfig:
    sample_size: int = 5


class GoodEngine:
    supported_checks = frozenset({"not_null"})
    streams = False

    def __init__(self, config):
        self.config = config

    def check(self, data, rules):
        return CheckResult(status=RunStatus.PASSED, engine="good", results=())

    def profile(self, data):
        return Profile(row_count=0, columns=())

    def learn(self, data):
        return RuleSet(rules=())


@hookimpl
def dq_component_config(kind, name):
    return GoodConfig if (kind, name) == ("engine", "good") else None


@hookimpl(specname="dq_engine")
def build_engine(name, config):
    return GoodEngine(config) if name == "good" else None
"""

IMPORT_RAISES = """
raise RuntimeError("cannot find libfoo.so")
"""

HOOK_RAISES = """
from dq import hookimpl


@hookimpl
def dq_secret_backend(name, config):
    raise ValueError("backend misconfigured")
"""

TYPO_HOOK = """
from dq import hookimpl


@hookimpl
def dq_enigne(name, config):
    return None
"""

SIMPLE_ENGINE = """
from dq import hookimpl


@hookimpl
def dq_engine(name, config):
    return None
"""

CSV_ENGINE = GOOD_ENGINE.replace('"good"', '"csv"')

# distribution -> (kind group, component, module source, hook-API range)
ZOO: dict[str, tuple[str, str, str, str]] = {
    "dq-good": ("dq.engines", "good", GOOD_ENGINE, "^1.0"),
    "dq-explodes": ("dq.notifiers", "explodes", IMPORT_RAISES, "^1.0"),
    "dq-hookraise": ("dq.secrets", "hookraise", HOOK_RAISES, "^1.0"),
    "dq-typo": ("dq.engines", "typo", TYPO_HOOK, "^1.0"),
    "dq-future": ("dq.tenants", "future", SIMPLE_ENGINE, "^2.0"),
    "dq-csv-a": ("dq.engines", "csv", CSV_ENGINE, "^1.0"),
    "dq-csv-b": ("dq.engines", "csv", CSV_ENGINE, "^1.0"),
    "dq-sleepy": ("dq.orchestrators", "sleepy", SIMPLE_ENGINE, "1.x"),
}


def write_project(root: Path, dist: str, group: str, component: str, source: str, api: str) -> Path:
    package = dist.replace("-", "_")
    project = root / dist
    (project / "src" / package).mkdir(parents=True)
    (project / "src" / package / "__init__.py").write_text(MARKER + textwrap.dedent(source))
    (project / "pyproject.toml").write_text(
        textwrap.dedent(f'''\
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "{dist}"
        version = "0.1.0"
        description = "throwaway {component} plugin"
        requires-python = ">=3.11"
        dependencies = ["dq-core>=1,<2"]

        [project.entry-points."{group}"]
        {component} = "{package}"

        [project.entry-points."dq.hook_api"]
        "{api}" = "{package}"

        [tool.hatch.build.targets.wheel]
        packages = ["src/{package}"]
        ''')
    )
    return project


def write_zoo(root: Path) -> list[Path]:
    return [write_project(root, dist, *spec) for dist, spec in ZOO.items()]
