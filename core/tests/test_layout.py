"""Core's layout holds: which part may import which, no import cycle, public names outside.

The rule below is the one ``docs/architecture.md`` shows as its map; a test there checks
that the page and this table agree. Imports are read with ``ast`` (module level and
inside functions alike: a lazy import is still a dependency), so nothing is run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORE = REPO / "core" / "src" / "dq"

#: part -> the parts it may import. A part is a subpackage of ``dq``; ``spec`` is the two
#: top-level contract modules, ``facade`` the lazy ``dq/__init__.py``; ``_version`` has no
#: imports and anyone may read it. Ordered from the ground up.
ALLOWED: dict[str, frozenset[str]] = {
    "model": frozenset(),
    "runtime": frozenset({"model"}),
    "output": frozenset({"model"}),
    "config": frozenset({"model"}),
    "spec": frozenset({"model"}),
    "tenancy": frozenset({"model"}),
    "plugins": frozenset({"model", "config", "spec", "runtime"}),
    "checks": frozenset({"model", "config", "spec", "runtime", "output", "plugins"}),
    "secrets": frozenset({"model", "config", "spec", "runtime", "tenancy", "plugins"}),
    "notify": frozenset({"model", "config", "spec", "runtime", "tenancy", "plugins"}),
    "runs": frozenset(
        {"model", "config", "spec", "runtime", "tenancy", "plugins", "checks", "secrets", "notify"}
    ),
    "facade": frozenset(
        {"model", "config", "spec", "runtime", "output", "tenancy", "plugins", "checks", "secrets"}
        | {"notify", "runs"}
    ),
    "cli": frozenset(
        {"model", "config", "spec", "runtime", "output", "tenancy", "plugins", "checks", "secrets"}
        | {"notify", "runs", "facade"}
    ),
}
FREE = {"dq._version"}
#: What code outside core may import: the façade and the two contract modules.
PUBLIC_MODULES = {"dq", "dq.hookspecs", "dq.protocols"}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def part_of(module: str) -> str:
    """The part a ``dq`` module belongs to (see :data:`ALLOWED`)."""
    if module == "dq":
        return "facade"
    name = module.split(".")[1]
    if name in ("hookspecs", "protocols"):
        return "spec"
    if name == "__main__":
        return "cli"
    return name


def imports_of(source: str, module: str) -> set[str]:
    """Every ``dq`` module *source* imports. ``from P import x`` counts as importing ``P.x``
    when that is a module (or a private name, which outside code must not reach for either),
    else as importing ``P``."""
    found: set[str] = set()
    package = module if module.count(".") == 0 else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "dq"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] != "dq":
                continue
            for alias in node.names:
                child = f"{base}.{alias.name}"
                private = base == "dq" and alias.name.startswith("_")
                found.add(child if private or is_module(child) else base)
    found.discard(module)
    return found


def is_module(name: str) -> bool:
    path = CORE.parent / name.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def core_graph(root: Path = CORE) -> dict[str, set[str]]:
    graph = {}
    for path in sorted(root.rglob("*.py")):
        name = module_name(path, root)
        graph[name] = imports_of(path.read_text(encoding="utf-8"), name)
    return graph


def layering_violations(
    graph: Mapping[str, Iterable[str]], allowed: Mapping[str, frozenset[str]] = ALLOWED
) -> list[str]:
    out = []
    for module, deps in sorted(graph.items()):
        mine = part_of(module)
        for dep in sorted(deps):
            theirs = part_of(dep)
            if dep in FREE or theirs == mine:
                continue
            if theirs not in allowed.get(mine, frozenset()):
                out.append(f"{module} ({mine}) imports {dep} ({theirs})")
    return out


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), plus self-loops."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# -- the rules hold today --------------------------------------------------------------------


def test_every_module_belongs_to_a_known_part() -> None:
    unknown = {m: part_of(m) for m in core_graph() if m not in FREE and part_of(m) not in ALLOWED}
    assert not unknown, f"modules outside every part (add the folder to ALLOWED): {unknown}"


def test_no_part_imports_a_part_above_it() -> None:
    assert layering_violations(core_graph()) == []


def test_core_has_no_import_cycle() -> None:
    assert cycles(core_graph()) == []


def test_the_top_level_holds_only_the_facade_the_contracts_and_the_version() -> None:
    top = sorted(p.name for p in CORE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "_version.py", "hookspecs.py", "protocols.py"]


OUTSIDE = ["contract-tests", "plugins", "examples", "tests", "benchmarks", "plugin-template"]


def outside_imports() -> list[str]:
    bad = []
    for folder in OUTSIDE:
        for path in sorted((REPO / folder).rglob("*.py*")):
            if path.suffix not in (".py", ".jinja") or ".venv" in path.parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            try:
                ast.parse(text)
            except SyntaxError:  # a copier template: fall back to reading the import lines
                names = set(re.findall(r"^\s*(?:from|import)\s+(dq(?:\.[\w.]+)?)", text, re.M))
            else:
                names = imports_of(text, "outside")
            for name in sorted(names):
                if name.split(".")[0] == "dq" and name not in PUBLIC_MODULES:
                    bad.append(f"{path.relative_to(REPO)} imports {name}")
    return bad


def test_code_outside_core_imports_only_public_names() -> None:
    assert outside_imports() == []


# -- and they would catch a violation --------------------------------------------------------


def test_an_upward_import_is_reported_with_both_ends() -> None:
    graph = {"dq.model._rules": {"dq.notify._delivery"}, "dq.notify._delivery": set()}
    assert layering_violations(graph) == [
        "dq.model._rules (model) imports dq.notify._delivery (notify)"
    ]


def test_a_sideways_import_between_siblings_is_reported() -> None:
    graph = {"dq.notify._delivery": {"dq.secrets._resolver"}}
    assert layering_violations(graph) == [
        "dq.notify._delivery (notify) imports dq.secrets._resolver (secrets)"
    ]


def test_nothing_may_import_the_cli() -> None:
    graph = {"dq.runs._suite_run": {"dq.cli._check"}}
    assert layering_violations(graph) == ["dq.runs._suite_run (runs) imports dq.cli._check (cli)"]


def test_a_cycle_is_found_even_through_a_lazy_import() -> None:
    source_a = "from dq.checks._engines import check\n"
    source_b = "def f():\n    from dq.runs._suite_run import execute_suite\n"
    graph = {
        "dq.runs._suite_run": imports_of(source_a, "dq.runs._suite_run"),
        "dq.checks._engines": imports_of(source_b, "dq.checks._engines"),
    }
    assert cycles(graph) == [["dq.checks._engines", "dq.runs._suite_run"]]


def test_a_private_import_from_outside_core_is_named() -> None:
    names = imports_of("from dq.notify._outbox import Outbox\nimport dq\n", "outside")
    assert names == {"dq.notify._outbox", "dq"}
    assert imports_of("from dq import _report\n", "outside") == {"dq._report"}


@pytest.mark.parametrize("module", ["dq.model._rules", "dq.cli._check", "dq.protocols", "dq"])
def test_parts_are_read_from_the_module_path(module: str) -> None:
    assert part_of(module) in ALLOWED


# -- the map in the docs is this rule ---------------------------------------------------------


def documented_layers() -> dict[str, frozenset[str]]:
    """The rows of docs/architecture.md's map: part -> the parts it may import."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("<!-- layers:", 1)[1].split("\n\n", 1)[0]
    everything = set(ALLOWED)
    layers = {}
    for line in table.splitlines()[3:]:
        part, _folder, _owns, may = (cell.strip() for cell in line.strip("|").split("|"))
        if may == "—":
            names: set[str] = set()
        elif may == "everything":
            names = everything - {part}
        elif may.startswith("every part except "):
            names = everything - {part, *may.removeprefix("every part except ").split(", ")}
        elif may.startswith("every part above except "):
            above = list(ALLOWED)[: list(ALLOWED).index(part)]
            names = set(above) - set(may.removeprefix("every part above except ").split(", "))
        else:
            names = set(may.split(", "))
        layers[part] = frozenset(names)
    return layers


def test_the_architecture_page_shows_the_rule_the_test_checks() -> None:
    assert documented_layers() == ALLOWED
