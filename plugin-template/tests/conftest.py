"""Registers the ``slow`` marker of the template tests (select with ``-m "not slow"``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: renders, installs into a fresh venv or runs git (tens of seconds)"
    )
