"""``dq plugins verify NAME``: run a kind's contract against an installed plugin.

The contract suites live in dq-contract-tests (a pytest plugin). Rather than ask
users to write a test file, this writes a throwaway one that subclasses the
kind's contract and builds the component exactly as dq would (through the host,
from the user's config), runs pytest on it in a subprocess — so a crashing
plugin cannot take this process down — and prints the conformance report.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from dq.cli._context import CommandContext
from dq.model._errors import EXIT_FINDINGS, EXIT_OK, EXIT_RUNTIME, UsageError

#: Config fields verify fills from the contract's declared values when not --set: a plugin's
#: production timings (a 60 s deadline) would make the timing tests wait or fail.
FAST_FIELD_NAMES = ("timeout", "deadline", "backoff", "max_body_bytes", "max_request_bytes")

#: How the refusal below names kinds that have no contract.
_PLURAL = {"audit": "audit sinks", "command": "command plugins"}

#: kind -> (contract module, contract class, the fixture the author supplies). Audit sinks
#: have no contract yet (decision 0017): verify refuses them with exit 2.
CONTRACTS: dict[str, tuple[str, str, str]] = {
    "engine": ("dq_contract.engine", "EngineContract", "engine"),
    "notifier": ("dq_contract.notifier", "NotifierContract", "notifier"),
    "secrets": ("dq_contract.secrets", "SecretBackendContract", "secret_backend"),
    "tenant": ("dq_contract.tenant", "TenantResolverContract", "tenant_resolver"),
    "orchestrator": ("dq_contract.orchestrator", "OrchestratorBindingContract", "binding"),
}

TEST_MODULE = '''\
"""Written by `dq plugins verify`: the {kind} contract against {name!r} from {dist}."""
import json

import dq
import pytest
from {module} import {cls} as Contract

CONFIG = json.loads({config!r})
#: config fields the user left unset that get the contract's declared (fast) value
FAST_FIELDS = {fast!r}
FAST = {{
    "timeout": "timeout_seconds",
    "deadline": "deadline_seconds",
    "backoff": "backoff_seconds",
    "max_body_bytes": "max_request_bytes",
    "max_request_bytes": "max_request_bytes",
}}


def _fast_value(contract, field):
    """The contract's declared value for a timing field; a backoff it does not declare is a
    tenth of its attempt timeout (at most 50 ms), so retries cost little."""
    value = getattr(contract, FAST[field], None)
    if value is None and field == "backoff":
        timeout = getattr(contract, "timeout_seconds", None)
        value = min(0.05, timeout / 10) if timeout else None
    return value


def _render(value, request):
    """Fill placeholders such as {{http_sink.url}} from the contract's own fixtures."""
    if isinstance(value, str) and value.startswith("{{") and value.endswith("}}"):
        fixture, _, attr = value[1:-1].partition(".")
        resource = request.getfixturevalue(fixture)
        found = getattr(resource, attr) if attr else resource
        # JSON-native values keep their type (a port stays an int); anything else is text
        return found if isinstance(found, (bool, int, float, list, dict)) else str(found)
    return value


class TestVerify(Contract):
    @pytest.fixture
    def {fixture}(self, request):
        config = {{key: _render(value, request) for key, value in CONFIG.items()}}
        for field in FAST_FIELDS:
            value = _fast_value(self, field)
            if value is not None:
                config[field] = value
        return dq.default_host().component({kind!r}, {name!r}, config or None)
'''


def register(commands: Any) -> None:
    verify = commands.add_parser(
        "verify",
        help="run the contract of its kind against an installed plugin",
        description="Run the dq-contract-tests suite of NAME's kind against NAME as installed, "
        "built from its config like any use would, and print the conformance summary. "
        "Needs dq-contract-tests. Before the suite runs, the component is built from the --set "
        "values: a missing or invalid field, or a plugin failing to build, is one line and "
        "exit 2. Exit 0 when every contract test passes, 1 otherwise (each failed test is "
        "shown with the one-line reason it failed).",
    )
    verify.add_argument("name", metavar="NAME", help="component name or KIND:NAME")
    verify.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="config for the component; a value like {http_sink.url} or {tmp_path} is filled "
        "from the contract's fixtures (the local HTTP server notifiers are tested against, a "
        "fresh directory per test)",
    )
    verify.add_argument("--report", metavar="PATH", help="also write the JSON conformance report")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.set_defaults(handler=cmd_verify)


def _config(pairs: list[str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set expects KEY=VALUE, got {pair!r}")
        try:
            config[key.strip()] = json.loads(value)  # numbers, booleans, lists
        except json.JSONDecodeError:
            config[key.strip()] = value
    return config


def _declared_contract(ctx: CommandContext, record: Any) -> tuple[str, str] | None:
    """The contract class a plugin names for itself in ``DQ_CONTRACT = "module:Class"``.

    Its hook module may point verify at a subclass of its kind's contract that reads the
    service's protocol back (``classify`` for a chat channel's resolve, an SMTP contract for
    mail) — the same class its own tests subclass. Imported only here, never by listing.
    """
    from dq.plugins._host import Host

    plugin = Host(ctx.inventory).load(record.kind, record.name).plugin
    declared = getattr(plugin, "DQ_CONTRACT", None)
    if declared is None:
        return None
    module, sep, cls = str(declared).partition(":")
    if not sep or not module.strip() or not cls.strip():
        raise UsageError(
            f"{record.kind} {record.name!r} from {record.distribution}: DQ_CONTRACT must be "
            f"'module:Class', not {declared!r}"
        )
    return module.strip(), cls.strip()


#: A contract placeholder ({http_sink.url}, {tmp_path}) is filled by a pytest fixture the
#: pre-build cannot run; it stands in a value of the same shape, since factories do no I/O.
def _stand_in(value: Any, scratch: Path) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        fixture, _, attr = value[1:-1].partition(".")
        if "url" in (attr or fixture).lower():
            return "http://127.0.0.1:9/dq-verify"
        return str(scratch)
    return value


def _is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{") and value.endswith("}")


def _prebuild(ctx: CommandContext, record: Any, config: dict[str, Any]) -> list[str]:
    """Build the component as the contract's fixture will, before any pytest run.

    A config the component refuses, a required field left out, or a plugin that fails in
    its factory becomes one UsageError line (exit 2) instead of every contract test erroring
    behind pytest with the same cause. Returns the config class's field names.
    """
    from dq.model._errors import ConfigError, DqError
    from dq.plugins._host import Host, config_fields

    what = f"{record.kind} {record.name!r} from {record.distribution}"
    host = Host(ctx.inventory)
    cls = host.config_class(record.kind, record.name)
    fields = config_fields(cls) if cls is not None else []
    missing = [f.name for f in fields if f.default is None and f.name not in config]
    if missing:
        hint = " ".join(
            f"--set {name}={'{http_sink.url}' if 'url' in name else 'VALUE'}" for name in missing
        )
        raise UsageError(f"{what}: config needs {', '.join(missing)}; pass {hint}")
    with tempfile.TemporaryDirectory(prefix="dq-verify-build-") as scratch:
        built_config = {k: _stand_in(v, Path(scratch)) for k, v in config.items()}
        try:
            host.component(record.kind, record.name, built_config or None)
        except ConfigError as exc:
            # a field given as a placeholder is judged by the contract, with the real value
            problems = [
                p
                for p in exc.problems
                if not any(_is_placeholder(config[k]) and p.startswith(f"{k}:") for k in config)
            ]
            if problems:
                raise UsageError(f"{what}: config {'; '.join(problems)}") from None
        except DqError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UsageError(f"{what} cannot be built for the contract: {first}") from None
    return [f.name for f in fields]


#: Written beside the generated test: records each failed test's one-line reason, which the
#: conformance report (names only) does not carry.
REASONS_PLUGIN = '''\
"""Written by `dq plugins verify`: one line of why each contract test failed."""
import json
import os

_REASONS = {}


def pytest_runtest_logreport(report):
    if not report.failed:
        return
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    reason = lines[0] if lines else "failed"
    if report.when != "call":
        reason = f"in {report.when}: {reason}"
    name = report.nodeid.rpartition("::")[2]
    _REASONS.setdefault(name, reason[:300])


def pytest_sessionfinish(session):
    with open(os.environ["DQ_VERIFY_REASONS"], "w") as handle:
        json.dump(_REASONS, handle)


# progress for a terminal: "done total" lines on a pipe verify reads (fd capture spares it)
_FD = int(os.environ.get("DQ_VERIFY_PROGRESS_FD", "-1"))
_COUNT = {"done": 0, "total": 0}


def _progress():
    if _FD >= 0:
        try:
            os.write(_FD, f"{_COUNT['done']} {_COUNT['total']}\\n".encode())
        except OSError:
            pass


def pytest_collection_finish(session):
    _COUNT["total"] = len(session.items)
    _progress()


def pytest_runtest_logfinish(nodeid, location):
    _COUNT["done"] += 1
    _progress()
'''


def _reason_for(name: str, reasons: dict[str, str]) -> str:
    """The recorded reason of a failed test (the report may name it without parameters)."""
    if name in reasons:
        return reasons[name]
    for key, reason in reasons.items():
        if key.partition("[")[0] == name.partition("[")[0]:
            return reason
    return ""


def _find(ctx: CommandContext, name: str) -> list[Any]:
    """What NAME means, as ``dq plugins info`` reads it: a component, KIND:NAME, or a
    distribution name (every component that distribution provides)."""
    found = ctx.inventory.find(name)
    if not found:
        from dq.plugins._names import normalize_dist_name

        dist = normalize_dist_name(name)
        found = [r for r in ctx.inventory.records if r.distribution == dist]
    return found


def _run_pytest(command: list[str], folder: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run the suite; on a terminal, show "done/total" on stderr as tests finish."""
    out_path = folder / "pytest.out"
    with out_path.open("w") as out:
        if not sys.stderr.isatty():
            code = subprocess.run(command, cwd=folder, stdout=out, stderr=out, env=env).returncode
            return code, out_path.read_text()
        read_end, write_end = os.pipe()
        env = {**env, "DQ_VERIFY_PROGRESS_FD": str(write_end)}
        try:
            proc = subprocess.Popen(
                command, cwd=folder, stdout=out, stderr=out, env=env, pass_fds=(write_end,)
            )
        finally:
            os.close(write_end)
        with os.fdopen(read_end, "r") as progress:
            for line in progress:
                done, _, total = line.strip().partition(" ")
                sys.stderr.write(f"\r  contract tests: {done}/{total} done")
                sys.stderr.flush()
        code = proc.wait()
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()
    return code, out_path.read_text()


#: A skip reason naming a fixture only a test module can give ("no denied_path fixture: ...").
_FIXTURE_SKIP = re.compile(r"^(?:Skipped: )?no (\w+) fixture: (.+)$")


def _test_file_fixtures(report: dict[str, Any]) -> dict[str, str]:
    """Fixtures whose absence skipped contract tests: name -> what to provide."""
    wanted: dict[str, str] = {}
    for outcome in report.get("contracts", {}).values():
        for reason in outcome.get("skipped", {}).values():
            match = _FIXTURE_SKIP.match(str(reason).strip())
            if match:
                wanted.setdefault(match.group(1), match.group(2))
    return wanted


def cmd_verify(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    found = [r for r in _find(ctx, args.name) if r.status == "ok"]
    if not found:
        others = _find(ctx, args.name)
        why = f" ({others[0].status}: {others[0].reason})" if others else ""
        raise UsageError(f"no usable plugin called {args.name!r}{why}; see 'dq plugins list'")
    if len(found) > 1:
        kinds = ", ".join(f"{r.kind}:{r.name}" for r in found)
        raise UsageError(f"{args.name!r} names several components ({kinds}); say KIND:NAME")
    record = found[0]
    if record.kind not in CONTRACTS:
        raise UsageError(
            f"{record.kind} {record.name!r} from {record.distribution}: dq-contract-tests has "
            f"no contract for {_PLURAL.get(record.kind, record.kind)} yet, so there is nothing to "
            "verify; "
            f"'dq plugins info {record.kind}:{record.name} --check' imports it and validates "
            "its hooks"
        )
    module, cls, fixture = CONTRACTS[record.kind]
    module, cls = _declared_contract(ctx, record) or (module, cls)
    if importlib.util.find_spec("dq_contract") is None:
        raise UsageError("dq plugins verify needs dq-contract-tests: pip install dq-contract-tests")
    if importlib.util.find_spec(module) is None:
        raise UsageError(
            f"this dq-contract-tests has no {record.kind} contract ({module}); upgrade it"
        )

    config = _config(args.set)
    fields = _prebuild(ctx, record, config)
    fast = [f for f in FAST_FIELD_NAMES if f in fields and f not in config]

    with tempfile.TemporaryDirectory(prefix="dq-verify-") as tmp:
        folder = Path(tmp)
        (folder / "conftest.py").write_text(REASONS_PLUGIN)
        reasons_path = folder / "reasons.json"
        test_file = folder / "test_verify_plugin.py"
        test_file.write_text(
            TEST_MODULE.format(
                kind=record.kind,
                name=record.name,
                dist=record.distribution,
                module=module,
                cls=cls,
                fixture=fixture,
                config=json.dumps(config),
                fast=fast,
            )
        )
        report_path = Path(args.report).resolve() if args.report else folder / "conformance.json"
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(test_file),
            "-q",
            "-p",
            "no:cacheprovider",
            f"--dq-conformance={report_path}",
            "--rootdir",
            str(folder),
        ]
        env = {**os.environ, "DQ_VERIFY_REASONS": str(reasons_path)}
        returncode, output = _run_pytest(command, folder, env)
        if not report_path.exists():
            sys.stderr.write(output[-8000:])
            print(
                "dq: error: the contract run produced no report (see pytest's output above)",
                file=sys.stderr,
            )
            return EXIT_RUNTIME
        report = json.loads(report_path.read_text())
        reasons = json.loads(reasons_path.read_text()) if reasons_path.exists() else {}

    for outcome in report.get("contracts", {}).values():
        outcome["reasons"] = {n: _reason_for(n, reasons) for n in outcome.get("failed", [])}
    wanted = _test_file_fixtures(report)
    report["fast_defaults"] = fast
    report["test_file_fixtures"] = wanted
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"{record.kind} {record.name!r} from {record.distribution} {record.version}: "
            f"contract suite {report.get('suite_version', '?')}"
        )
        for contract, outcome in report.get("contracts", {}).items():
            failed = outcome.get("failed", [])
            skipped = outcome.get("skipped", {})
            print(
                f"  {contract}: {len(outcome.get('passed', []))} passed, {len(failed)} failed, "
                f"{len(skipped)} skipped"
            )
            for name in failed:
                reason = _reason_for(name, reasons)
                print(f"    FAILED {name}" + (f": {reason}" if reason else ""))
            for name, reason in skipped.items():
                print(f"    skipped {name}: {reason}")
        if fast:
            print(
                f"  fast contract timings used for {', '.join(fast)} "
                "(the contract's declared values; --set one to override)"
            )
        if wanted:
            print(
                "  not proven here: only a test module can give these fixtures; subclass "
                f"{cls} in your plugin's tests/test_contract.py and define them "
                f"(docs/contracts/{record.kind}.md):"
            )
            for fixture_name, what in wanted.items():
                print(f"    {fixture_name}: {what}")
        if returncode not in (0, 1, 5):
            sys.stderr.write(output[-4000:])
    failed_any = any(o.get("failed") for o in report.get("contracts", {}).values())
    return EXIT_FINDINGS if failed_any or returncode not in (0, 5) else EXIT_OK
