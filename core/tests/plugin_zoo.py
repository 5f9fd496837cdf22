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


# -- a real secret store for the secret-access tests ------------------------------------------

FILE_SECRETS = '''
"""A JSON-file secret store with Vault KV v2 semantics, for dq-core's secret-access tests.

File-backed (not a dict) so separate ``dq secrets`` invocations see each other's
writes, as they would a real store. ``IO`` records every operation that reached
storage (after path validation); ``EVENTS`` every audit event this plugin received.
"""

import base64
import json
import os
from pathlib import Path

import attrs
import dq
from dq import hookimpl

IO = []
EVENTS = []


@attrs.frozen
class FileSecretsConfig:
    path: str
    deny: list[str] = attrs.Factory(list)
    down: bool = False
    token: dq.SecretValue | None = attrs.field(default=None, metadata={"secret": True})


class FileSecrets:
    def __init__(self, config):
        self.config = config
        self.file = Path(config.path)

    def __repr__(self):
        return f"FileSecrets({str(self.file)!r})"

    def _load(self):
        return json.loads(self.file.read_text()) if self.file.exists() else {}

    def _save(self, data):
        tmp = self.file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.file)

    def _gate(self, op, path):
        if self.config.down:
            raise dq.SecretBackendUnavailable(f"file store {self.file.name} is down")
        for prefix in self.config.deny:
            if path == prefix or path.startswith(prefix + "/"):
                raise dq.SecretAccessDenied(f"file store denied access to {path!r}")
        IO.append((op, path))

    async def get(self, path, *, field=None, version=None):
        dq.validate_secret_path(path)
        self._gate("get", path)
        versions = self._load().get(path)
        if not versions:
            raise dq.SecretNotFound(f"no secret at {path!r}", reason="missing")
        number = version or len(versions)
        if not 1 <= number <= len(versions):
            raise dq.SecretNotFound(f"{path!r} has no version {number}", reason="missing")
        chosen = versions[number - 1]
        if chosen is None:
            raise dq.SecretNotFound(f"{path!r} version {number} was deleted", reason="deleted")
        if field is None:
            if len(chosen) != 1:
                raise dq.SecretNotFound(f"{path!r} has several fields; name one", reason="field")
            field = next(iter(chosen))
        if field not in chosen:
            raise dq.SecretNotFound(f"{path!r} has no field {field!r}", reason="field")
        return dq.SecretValue(base64.b64decode(chosen[field]))

    async def set(self, path, values, *, cas=None):
        dq.validate_secret_path(path)
        self._gate("set", path)
        data = self._load()
        versions = data.setdefault(path, [])
        if cas is not None and cas != len(versions):
            raise dq.SecretConflict(f"{path!r} is at version {len(versions)}, not {cas}")
        versions.append(
            {k: base64.b64encode(v.reveal()).decode() for k, v in values.items()}
        )
        self._save(data)
        return len(versions)

    async def delete(self, path):
        dq.validate_secret_path(path)
        self._gate("delete", path)
        data = self._load()
        versions = data.get(path)
        if not versions or versions[-1] is None:
            raise dq.SecretNotFound(f"no secret at {path!r}", reason="missing")
        versions[-1] = None
        self._save(data)

    async def list(self, prefix=""):
        folder = dq.validate_secret_prefix(prefix)
        self._gate("list", folder)
        start = f"{folder}/" if folder else ""
        children = set()
        for path, versions in self._load().items():
            if versions and versions[-1] is not None and path.startswith(start):
                head, slash, _ = path[len(start):].partition("/")
                children.add(head + slash)
        return sorted(children)

    async def exists(self, path):
        dq.validate_secret_path(path)
        self._gate("exists", path)
        versions = self._load().get(path)
        return bool(versions) and versions[-1] is not None


@hookimpl
def dq_component_config(kind, name):
    return FileSecretsConfig if (kind, name) == ("secrets", "file") else None


@hookimpl
def dq_secret_backend(name, config):
    return FileSecrets(config) if name == "file" else None


@hookimpl
def dq_secret_accessed(event):
    EVENTS.append(event)
'''

RAISING_AUDITOR = '''
"""An audit sink that always raises: it must neither block the access nor silence others."""

from dq import hookimpl

CALLS = []


@hookimpl
def dq_secret_backend(name, config):
    return None


@hookimpl
def dq_secret_accessed(event):
    CALLS.append(event)
    raise RuntimeError("audit database is down")
'''

#: module name -> (distribution, entry-point group, component, source)
SECRET_PLUGINS: dict[str, tuple[str, str, str, str]] = {
    "dq_filesecrets_plugin": ("dq-filesecrets", "dq.secrets", "file", FILE_SECRETS),
    "dq_raising_auditor": ("dq-raising-auditor", "dq.secrets", "auditor", RAISING_AUDITOR),
}


# -- audit sinks (entry-point group dq.audit): loaded for dq_secret_accessed alone ------------

AUDIT_RECORDER = '''
"""An audit-only plugin: no component, just dq_secret_accessed (what a Splunk shipper is)."""

from dq import hookimpl

EVENTS = []


@hookimpl
def dq_secret_accessed(event):
    EVENTS.append(event)
'''

AUDIT_RAISES = '''
"""An audit sink whose database is down: it raises on every event."""

from dq import hookimpl

CALLS = []


@hookimpl
def dq_secret_accessed(event):
    CALLS.append(event)
    raise ConnectionError("audit database is down")
'''

AUDIT_IMPORT_FAILS = """
import dq_audit_vendor_sdk_not_installed  # noqa: F401
"""

AUDIT_WITHOUT_HOOK = '''
"""Registered as an audit sink, but implements only a factory: it cannot audit."""

from dq import hookimpl


@hookimpl
def dq_engine(name, config):
    return None
'''

#: module name -> (distribution, audit sink name, source); each module records its import
#: in ``DQ_TEST_IMPORT_MARKER`` like the zoo's.
AUDIT_PLUGINS: dict[str, tuple[str, str, str]] = {
    "dq_audit_recorder": ("dq-audit-recorder", "recorder", AUDIT_RECORDER),
    "dq_audit_raises": ("dq-audit-raises", "raises", AUDIT_RAISES),
    "dq_audit_import_fails": ("dq-audit-import-fails", "vendor", AUDIT_IMPORT_FAILS),
    "dq_audit_without_hook": ("dq-audit-without-hook", "hookless", AUDIT_WITHOUT_HOOK),
}
