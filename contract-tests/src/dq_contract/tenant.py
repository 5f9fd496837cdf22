"""TenantResolverContract: the tests every dq tenant resolver must pass.

Use it from a plugin's test suite, with the resolver configured to read the tenant id from
the request header ``X-Tenant-ID`` (the contract's requests carry the tenant there)::

    import pytest
    from dq_contract.tenant import TenantResolverContract
    from my_plugin import MyResolver

    class TestMyResolver(TenantResolverContract):
        @pytest.fixture
        def tenant_resolver(self):
            return MyResolver(header="X-Tenant-ID")

What is pinned (docs/contracts/tenant.md): a valid id resolves to exactly that id; no tenant
header resolves to ``None`` (the caller decides whether that is allowed, so a resolver never
invents a default); a repeated or comma-joined tenant header and a value that is not exactly
a tenant id are refused with :class:`dq.TenantRejected`, never repaired; and for *any*
request (hypothesis: arbitrary Unicode, control characters, huge values, many repeats) the
resolver returns only ``None``, a valid :class:`dq.TenantId` or a rejection carrying an HTTP
status and a bounded message, deterministically.
"""

from __future__ import annotations

from typing import Any, ClassVar

import dq
import dq.protocols
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

HEADER = "X-Tenant-ID"
#: Statuses a rejection may answer with: malformed (400), unauthenticated (401), forbidden (403).
REJECTION_STATUSES = frozenset({400, 401, 403})
#: The longest rejection message accepted: room for a short excerpt, never a whole payload.
MAX_MESSAGE_CHARS = 256

#: Sized so the whole contract stays well under 30 s on two cores.
PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.differing_executors,
    ],
)

VALID_IDS = ("acme", "a", "0", "a-b", "tenant-42", "x" * 63, "9lives")
INVALID_IDS = (
    "",
    "ACME",
    "Acme",
    " acme",
    "acme ",
    "acme\n",
    "acme\r\nX-Tenant-ID: evil",
    "\tacme",
    "acme\x00",
    "../acme",
    "acme/evil",
    "acme.evil",
    "%61cme",
    "-acme",
    "acme-",
    "acme_evil",
    "x" * 64,
    "acmé",
    "ａｃｍｅ",  # fullwidth letters: NFKC-folds to "acme"
    "\u212acme",  # KELVIN SIGN, lower()s to ASCII "k"
)

# -- strategies -----------------------------------------------------------------------------

valid_ids = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True)
#: The tenant header in any case, near misses, and arbitrary (even non-ASCII) names.
header_names = st.one_of(
    st.sampled_from([HEADER, HEADER.lower(), HEADER.upper(), "x-tenant-Id", "X-Tenant-Id"]),
    st.sampled_from(["X-Tenant", "Tenant-ID", "X-Tenant-IDs", "X-Tenant-ID ", "X-Tenant_ID"]),
    st.sampled_from(["x-tenant-\u0130d", "X-TENANT-\u0131D", "\u212a", "Host", "Authorization"]),
    st.text(max_size=40),
)
header_values = st.one_of(
    valid_ids,
    st.sampled_from(INVALID_IDS),
    st.text(max_size=80),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),
    st.builds(lambda a, b, sep: f"{a}{sep}{b}", valid_ids, valid_ids, st.sampled_from([",", ", "])),
    st.text(min_size=300, max_size=4000),
)
#: About a third of requests repeat their first header up to 200 more times.
repeats = st.integers(0, 300).map(lambda n: max(0, n - 100))
headers = st.lists(st.tuples(header_names, header_values), max_size=12).flatmap(
    lambda pairs: repeats.map(lambda n: tuple(pairs) + tuple(pairs[:1]) * n)
)
request_facts = st.builds(
    dq.RequestFacts,
    method=st.one_of(st.sampled_from(["GET", "POST", "OPTIONS"]), st.text(max_size=12)),
    scheme=st.sampled_from(["http", "https", "ws", ""]),
    host=st.text(max_size=60),
    path=st.text(max_size=200),
    headers=headers,
)
#: Headers that are not the tenant header under any ASCII casing.
other_headers = st.lists(
    st.tuples(st.text(max_size=30), st.text(max_size=60)).filter(
        lambda pair: pair[0].lower() != HEADER.lower()
    ),
    max_size=8,
).map(tuple)


def facts(*values: str, name: str = HEADER, **kwargs: Any) -> dq.RequestFacts:
    """A request carrying the tenant header once per value, in order."""
    return dq.RequestFacts(headers=tuple((name, v) for v in values), **kwargs)


# -- the contract ---------------------------------------------------------------------------


class TenantResolverContract:
    """Subclass in a test module and provide a fixture ``tenant_resolver`` reading X-Tenant-ID."""

    dq_contract_name: ClassVar[str] = "TenantResolverContract"
    pytestmark = [pytest.mark.dq_contract("tenant")]

    # -- helpers --------------------------------------------------------------------------

    def outcome(self, resolver: Any, request: dq.RequestFacts) -> Any:
        """The resolver's answer, checked for shape: None, a valid TenantId, or a rejection."""
        try:
            result = resolver.resolve(request)
        except dq.TenantRejected as exc:
            self.check_rejection(exc)
            return ("rejected", exc.status, exc.code)
        except Exception as exc:  # noqa: BLE001 - any other exception is the violation
            raise AssertionError(
                f"resolve() raised {type(exc).__name__} ({str(exc)[:120]!r}); a request it "
                "cannot accept must be refused with dq.TenantRejected, never crash"
            ) from exc
        if result is None:
            return None
        assert isinstance(result, dq.TenantId), (
            f"resolve() returned {type(result).__name__} {str(result)[:80]!r}, "
            "not a dq.TenantId or None"
        )
        assert dq.TenantId(result.value) == result, f"{result!r} is not a valid tenant id"
        return result

    def check_rejection(self, exc: dq.TenantRejected) -> None:
        assert exc.status in REJECTION_STATUSES, (
            f"TenantRejected.status is {exc.status!r}; use 400, 401 or 403"
        )
        assert isinstance(exc.code, str) and 0 < len(exc.code) <= 64, f"bad code {exc.code!r}"
        message = str(exc)
        assert len(message) <= MAX_MESSAGE_CHARS, (
            f"a rejection message of {len(message)} characters echoes the request; quote at "
            f"most a short excerpt (<= {MAX_MESSAGE_CHARS} characters in all)"
        )

    def rejected(self, resolver: Any, request: dq.RequestFacts) -> dq.TenantRejected:
        try:
            result = resolver.resolve(request)
        except dq.TenantRejected as exc:
            self.check_rejection(exc)
            return exc
        raise AssertionError(
            f"resolve() returned {result!r} for headers {request.headers!r}; "
            "it must raise dq.TenantRejected"
        )

    # -- shape ----------------------------------------------------------------------------

    def test_satisfies_the_tenant_resolver_protocol(self, tenant_resolver: Any) -> None:
        assert isinstance(tenant_resolver, dq.protocols.TenantResolver)

    # -- what resolves --------------------------------------------------------------------

    @pytest.mark.parametrize("tenant", VALID_IDS)
    def test_a_valid_tenant_id_resolves_to_exactly_that_id(
        self, tenant_resolver: Any, tenant: str
    ) -> None:
        result = self.outcome(tenant_resolver, facts(tenant))
        assert result == dq.TenantId(tenant)
        assert type(result) is dq.TenantId

    @pytest.mark.parametrize("name", [HEADER, HEADER.lower(), HEADER.upper(), "x-TeNaNt-iD"])
    def test_the_header_name_is_matched_case_insensitively(
        self, tenant_resolver: Any, name: str
    ) -> None:
        assert self.outcome(tenant_resolver, facts("acme", name=name)) == dq.TenantId("acme")

    def test_no_tenant_header_resolves_to_none_not_a_default(self, tenant_resolver: Any) -> None:
        bare = dq.RequestFacts(host="acme.example.com", path="/acme/checks")
        near_misses = dq.RequestFacts(
            host="acme.example.com",
            headers=(("x-tenant", "acme"), ("tenant-id", "acme"), ("x-tenant-ids", "acme")),
        )
        assert self.outcome(tenant_resolver, bare) is None
        assert self.outcome(tenant_resolver, near_misses) is None

    @PROPERTY_SETTINGS
    @given(tenant=valid_ids, others=other_headers, host=st.text(max_size=40), path=st.text())
    def test_other_request_facts_do_not_change_the_tenant(
        self, tenant_resolver: Any, tenant: str, others: Any, host: str, path: str
    ) -> None:
        request = dq.RequestFacts(host=host, path=path, headers=(*others, (HEADER, tenant)))
        assert self.outcome(tenant_resolver, request) == dq.TenantId(tenant)

    # -- what is refused ------------------------------------------------------------------

    @pytest.mark.parametrize(
        "values",
        [("acme", "evil"), ("evil", "acme"), ("acme", "acme"), ("acme", ""), ("acme",) * 5],
    )
    def test_a_repeated_tenant_header_is_rejected(
        self, tenant_resolver: Any, values: tuple[str, ...]
    ) -> None:
        self.rejected(tenant_resolver, facts(*values))
        mixed_case = dq.RequestFacts(headers=(("x-tenant-id", values[0]), (HEADER, values[1])))
        self.rejected(tenant_resolver, mixed_case)

    @pytest.mark.parametrize("value", ["acme,evil", "acme, evil", "evil,acme", "acme,", ",acme"])
    def test_a_comma_joined_tenant_header_is_rejected(
        self, tenant_resolver: Any, value: str
    ) -> None:
        self.rejected(tenant_resolver, facts(value))

    @pytest.mark.parametrize("value", INVALID_IDS)
    def test_a_value_that_is_not_exactly_a_tenant_id_is_rejected_not_repaired(
        self, tenant_resolver: Any, value: str
    ) -> None:
        self.rejected(tenant_resolver, facts(value))

    def test_case_variants_never_alias_another_tenant(self, tenant_resolver: Any) -> None:
        for value in ("ACME", "Acme", "aCmE"):
            outcome = self.outcome(tenant_resolver, facts(value))
            assert outcome != dq.TenantId("acme"), f"{value!r} was folded into tenant 'acme'"

    def test_a_huge_value_is_rejected_with_a_bounded_message(self, tenant_resolver: Any) -> None:
        huge = "a" * 1_000_000
        exc = self.rejected(tenant_resolver, facts(huge))
        assert huge[:MAX_MESSAGE_CHARS] not in str(exc)

    # -- for every request ----------------------------------------------------------------

    @PROPERTY_SETTINGS
    @given(request=request_facts)
    @example(request=facts("acme"))  # the plain valid case: its result's type is checked too
    @example(request=facts("a" * 100_000))
    @example(request=facts("acme\x00", "\udcff"))
    @example(request=facts("acm\u00e9"))
    @example(request=facts("\U000e0001" * 64))
    @example(request=facts("\udcff"))
    @example(request=facts("acme", name="x-tenant-\u0130d"))
    @example(request=dq.RequestFacts(headers=((HEADER, "acme"),) * 1000))
    def test_any_request_gives_none_a_valid_tenant_or_a_rejection(
        self, tenant_resolver: Any, request: dq.RequestFacts
    ) -> None:
        self.outcome(tenant_resolver, request)

    @PROPERTY_SETTINGS
    @given(request=request_facts)
    def test_is_deterministic(self, tenant_resolver: Any, request: dq.RequestFacts) -> None:
        first = self.outcome(tenant_resolver, request)
        assert self.outcome(tenant_resolver, request) == first
