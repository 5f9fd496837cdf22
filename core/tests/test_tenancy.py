"""Tenant ids and request facts: safe shapes, bounded messages, no Unicode look-alikes."""

from __future__ import annotations

import dq
import pytest


def test_header_names_match_case_insensitively_in_ascii_only() -> None:
    facts = dq.RequestFacts(headers=(("X-Tenant-ID", "acme"), ("x-\u212aey", "k")))
    assert facts.header_values("x-tenant-id") == ["acme"]
    assert facts.header_values("x-key") == []  # the Kelvin sign is not a 'k'


def test_an_invalid_tenant_id_message_is_bounded() -> None:
    with pytest.raises(ValueError) as info:
        dq.TenantId("X" * 1_000_000)
    assert len(str(info.value)) < 200
