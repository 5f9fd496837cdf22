"""The tox env of dq-core holds its dependency closure and the test tools, nothing else.

This is what makes "each distribution is tested alone" true: if a test passed only
because some undeclared package happened to be installed, this fails first.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

TEST_TOOLS = ["pytest", "hypothesis", "semver", "uv", "jsonschema"]


def closure(roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = [Requirement(r) for r in roots]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        extras = req.extras
        key = name + "[" + ",".join(sorted(extras)) + "]"
        if key in seen:
            continue
        seen.add(key)
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            child = Requirement(text)
            envs = [{"extra": e} for e in extras] or [{"extra": ""}]
            if child.marker is None or any(child.marker.evaluate(env) for env in envs):
                todo.append(child)
    return {k for k in seen if "[" not in k}


@pytest.mark.skipif(
    "TOX_ENV_NAME" not in os.environ,
    reason="checks the tox env's contents; the dev workspace has more",
)
def test_tox_env_contains_only_dq_core_its_dependencies_and_test_tools() -> None:
    allowed = closure(["dq-core[yaml]", *TEST_TOOLS]) | {"pip", "setuptools", "wheel"}
    installed = {canonicalize_name(d.metadata["Name"]) for d in metadata.distributions()}
    assert installed - allowed == set()
    assert "dq-core" in installed
