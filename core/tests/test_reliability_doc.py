"""docs/reliability.md names a test for every fault: each one it names must exist."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def named_tests() -> list[tuple[str, str]]:
    text = (REPO / "docs" / "reliability.md").read_text(encoding="utf-8")
    found = []
    for ref in re.findall(r"`([\w./-]+\.py(?:::\w+)+)`", text):
        path, *names = ref.split("::")
        found.append((path, names[-1]))
    return found


def test_the_fault_matrix_names_enough_tests() -> None:
    assert len(named_tests()) >= 60


def test_every_test_the_fault_matrix_names_exists() -> None:
    missing = []
    for path, name in named_tests():
        file = REPO / path
        source = file.read_text(encoding="utf-8") if file.is_file() else ""
        if not re.search(rf"def {re.escape(name)}\b", source):
            missing.append(f"{path}::{name}")
    assert missing == []
