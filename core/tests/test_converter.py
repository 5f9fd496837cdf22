"""The shared converter: every public type round-trips; bad input names its exact path."""

from __future__ import annotations

import json
from typing import Any, Literal

import attrs
import dq
import pytest
from dq.config._converter import structure, unstructure
from hypothesis import given
from hypothesis import strategies as st

text = st.text(max_size=12)
names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
count = st.integers(min_value=0, max_value=10**9)
scalar = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), finite, text)
set_value = st.one_of(st.booleans(), st.integers(-(10**6), 10**6), finite, text)
moment = st.datetimes(timezones=st.none() | st.just(__import__("datetime").timezone.utc))
tenants = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True).map(dq.TenantId)

common = {
    "id": names,
    "severity": st.sampled_from(dq.Severity),
    "mostly": st.floats(0, 1),
    "description": text,
}


def rule(cls: type, **extra: Any) -> st.SearchStrategy:
    return st.builds(cls, **common, **extra)


def bounds(lo: st.SearchStrategy, hi: st.SearchStrategy) -> st.SearchStrategy:
    return (
        st.tuples(lo, hi)
        .filter(lambda b: not (b[0] is None and b[1] is None))
        .map(lambda b: (min(b), max(b)) if None not in b else b)
    )


RULE_STRATEGIES: dict[type, st.SearchStrategy] = {
    dq.NotNull: rule(dq.NotNull, column=names),
    dq.Unique: rule(dq.Unique, column=names)
    | rule(dq.Unique, columns=st.lists(names, min_size=1, max_size=3, unique=True).map(tuple)),
    dq.Between: bounds(st.none() | finite, st.none() | finite).flatmap(
        lambda b: rule(
            dq.Between,
            column=names,
            min=st.just(b[0]),
            max=st.just(b[1]),
            min_inclusive=st.booleans(),
            max_inclusive=st.booleans(),
        )
    ),
    dq.Regex: rule(dq.Regex, column=names, pattern=text),
    dq.Freshness: rule(
        dq.Freshness,
        column=names,
        max_age=st.sampled_from(["36h", "2d", "1d12h", "90m", "1w", "45s"]),
        timezone=st.sampled_from(["UTC", "Europe/Paris"]),
    ),
    dq.Reference: rule(dq.Reference, column=names, dataset=text, dataset_column=st.none() | names),
    dq.Schema: rule(
        dq.Schema,
        columns=st.dictionaries(names, st.sampled_from(["Int64", "String"]), min_size=1),
        mode=st.sampled_from(dq.SchemaMode),
    ),
    **{
        cls: bounds(st.none() | finite, st.none() | finite).flatmap(
            lambda b, cls=cls: rule(cls, column=names, min=st.just(b[0]), max=st.just(b[1]))
        )
        for cls in (dq.Mean, dq.StdDev)
    },
    dq.Quantile: bounds(st.none() | finite, st.none() | finite).flatmap(
        lambda b: rule(
            dq.Quantile,
            column=names,
            quantile=st.floats(0, 1),
            min=st.just(b[0]),
            max=st.just(b[1]),
        )
    ),
    dq.InSet: rule(dq.InSet, column=names, values=st.lists(set_value, max_size=4).map(tuple)),
    dq.MaxLength: rule(dq.MaxLength, column=names, length=count),
    dq.MinLength: rule(dq.MinLength, column=names, length=count),
    dq.DType: rule(dq.DType, column=names, dtype=st.sampled_from(["Int64", "String", "Float64"])),
    dq.ColumnExists: rule(dq.ColumnExists, column=names),
    dq.RowCount: bounds(st.none() | count, st.none() | count).flatmap(
        lambda b: rule(dq.RowCount, min=st.just(b[0]), max=st.just(b[1]))
    ),
    dq.Expression: rule(
        dq.Expression,
        # rules files are data: only row conditions over columns pass the RuleSet check
        expression=st.sampled_from(
            ["x > 0", "LENGTH(s) = 3", "a IS NULL OR a > 0", "s IN ('a', 'b')"]
        ),
    ),
}
rules = st.one_of(*RULE_STRATEGIES.values())
rule_sets = st.lists(rules, max_size=6, unique_by=lambda r: r.id).flatmap(
    lambda rs: st.builds(
        dq.RuleSet,
        rules=st.just(tuple(rs)),
        gate=st.builds(
            dq.QualityGate,
            max_failed_errors=count,
            max_failed_warnings=st.none() | count,
            max_failure_rate=st.none() | st.floats(0, 1),
        ),
        sample_size=count,
        key=st.lists(names, max_size=3, unique=True).map(tuple),
    )
)
sample_rows = st.builds(
    dq.SampleRow,
    value=scalar,
    key=st.lists(scalar, max_size=2).map(tuple),
    row=st.none() | count,
)
rule_results = st.builds(
    dq.RuleResult,
    rule_id=names,
    check=st.sampled_from(sorted(dq.CHECKS)),
    column=st.none() | names,
    status=st.sampled_from(dq.RuleStatus),
    severity=st.sampled_from(dq.Severity),
    failed_count=count,
    element_count=count,
    message=text,
    samples=st.lists(scalar, max_size=3).map(tuple),
    approximate=st.booleans(),
    sample_rows=st.lists(sample_rows, max_size=2).map(tuple),
    description=text,
)
STRATEGIES: dict[type, st.SearchStrategy] = {
    **RULE_STRATEGIES,
    dq.QualityGate: st.builds(
        dq.QualityGate,
        max_failed_errors=count,
        max_failed_warnings=st.none() | count,
        max_failure_rate=st.none() | st.floats(0, 1),
    ),
    dq.RuleSet: rule_sets,
    dq.RuleResult: rule_results,
    dq.SampleRow: sample_rows,
    dq.CheckResult: st.builds(
        dq.CheckResult,
        status=st.sampled_from(dq.RunStatus),
        engine=names,
        results=st.lists(rule_results, max_size=3).map(tuple),
        row_count=st.none() | count,
        started_at=st.none() | moment,
        duration_seconds=st.none() | finite,
        key=st.lists(names, max_size=2).map(tuple),
    ),
    dq.ValueCount: st.builds(dq.ValueCount, value=scalar, count=count),
    dq.ColumnProfile: st.builds(
        dq.ColumnProfile,
        name=names,
        dtype=names,
        count=count,
        null_count=count,
        distinct_count=st.none() | count,
        min=scalar,
        max=scalar,
        mean=st.none() | finite,
        quantiles=st.dictionaries(names, finite, max_size=3),
        min_length=st.none() | count,
        max_length=st.none() | count,
        top_values=st.lists(st.builds(dq.ValueCount, value=scalar, count=count), max_size=2).map(
            tuple
        ),
    ),
    dq.Profile: st.builds(
        dq.Profile,
        row_count=count,
        columns=st.lists(
            st.builds(dq.ColumnProfile, name=names, dtype=names, count=count, null_count=count),
            max_size=2,
        ).map(tuple),
    ),
    dq.Link: st.builds(dq.Link, title=text, url=text),
    dq.RuleFailure: st.builds(
        dq.RuleFailure,
        rule_id=names,
        check=names,
        column=st.none() | names,
        severity=st.sampled_from(["error", "warning"]),
        failed_count=count,
        element_count=count,
        message=text,
    ),
    dq.Notification: st.builds(
        dq.Notification,
        title=text,
        summary=text,
        level=st.sampled_from(dq.Level),
        dedup_key=text,
        tenant=st.none() | tenants,
        fields=st.dictionaries(names, text, max_size=3),
        links=st.lists(st.builds(dq.Link, title=text, url=text), max_size=2).map(tuple),
        failures=st.lists(st.builds(dq.RuleFailure, rule_id=names, check=names), max_size=2).map(
            tuple
        ),
        created_at=st.none() | moment,
    ),
    dq.Delivery: st.builds(
        dq.Delivery,
        channel=names,
        status=st.sampled_from(dq.DeliveryStatus),
        dedup_key=text,
        attempts=count,
        response_status=st.none() | st.integers(100, 599),
        error=text,
        finished_at=st.none() | moment,
    ),
    dq.SecretRef: st.builds(
        dq.SecretRef,
        backend=names,
        path=st.from_regex(r"[a-z0-9/_.-]{1,20}", fullmatch=True),
        field=st.none() | names,
        version=st.none() | st.integers(1, 10**6),
    ),
    dq.SecretAccess: st.builds(
        dq.SecretAccess,
        backend=names,
        path=text,
        operation=st.sampled_from(dq.SecretOperation),
        outcome=text,
        tenant=st.none() | tenants,
        actor=st.none() | text,
        at=st.none() | moment,
    ),
    dq.TenantId: tenants,
    dq.RequestFacts: st.builds(
        dq.RequestFacts,
        method=names,
        scheme=names,
        host=text,
        path=text,
        headers=st.lists(st.tuples(names, text), max_size=3).map(tuple),
    ),
    dq.Source: st.builds(dq.Source, path=text, format=st.none() | names),
    dq.Output: st.builds(dq.Output, format=names, path=st.none() | text),
    dq.Suite: st.builds(
        dq.Suite,
        name=names,
        source=st.builds(dq.Source, path=text),
        rules=rule_sets,
        engine=names,
        output=st.builds(dq.Output, format=names),
        notify=st.dictionaries(names, text, max_size=2),
        secrets=st.just({}),
        tenant=st.just({}),
    ),
    dq.RunContext: st.builds(
        dq.RunContext,
        run_id=text,
        logical_date=st.none() | moment,
        tenant=st.none() | tenants,
        orchestrator=st.none() | names,
        params=st.dictionaries(names, text, max_size=2),
    ),
}
STRATEGIES[dq.SuiteRun] = st.builds(
    dq.SuiteRun,
    result=STRATEGIES[dq.CheckResult],
    context=STRATEGIES[dq.RunContext],
    deliveries=st.lists(STRATEGIES[dq.Delivery], max_size=2).map(tuple),
)
STRATEGIES[dq.HistoryEntry] = st.builds(
    dq.HistoryEntry,
    row_count=st.integers(0, 10**12),
    accepted=st.booleans(),
    recorded_at=moment,
    run_id=text,
    rule_id=names,
)

STRATEGIES[dq.SecretBackendConfig] = st.builds(
    dq.SecretBackendConfig,
    type=names,
    tenant_scoped=st.booleans(),
    options=st.dictionaries(names, text, max_size=2),
)
STRATEGIES[dq.SecretsConfig] = st.builds(
    dq.SecretsConfig,
    cache_ttl=st.floats(0, 3600),
    cache_size=st.integers(1, 10**4),
    backends=st.dictionaries(names, STRATEGIES[dq.SecretBackendConfig], max_size=2),
    source=text,
)

channel_configs = st.builds(
    dq.ChannelConfig,
    name=names,
    type=names,
    levels=st.none() | st.lists(st.sampled_from(dq.Level), unique=True).map(tuple),
    enabled=st.booleans(),
    options=st.dictionaries(names, text, max_size=2),
)
STRATEGIES[dq.ChannelConfig] = channel_configs
STRATEGIES[dq.NotifyConfig] = st.builds(
    dq.NotifyConfig,
    on=st.lists(st.sampled_from(dq.RunStatus), unique=True).map(tuple),
    cooldown_seconds=st.floats(0, 10**6),
    channels=st.dictionaries(names, channel_configs, max_size=2),
    tenants=st.dictionaries(
        tenants, st.dictionaries(names, channel_configs, max_size=2), max_size=2
    ),
)
STRATEGIES[dq.OutboxEntry] = st.builds(
    dq.OutboxEntry,
    id=count,
    channel=names,
    tenant=st.none() | tenants,
    dedup_key=text,
    config_source=st.none() | text,
    notification=STRATEGIES[dq.Notification],
    attempts=count,
    last_error=text,
    created_at=moment,
    updated_at=moment,
)

STRATEGIES[dq.SuspectedDefect] = st.builds(
    dq.SuspectedDefect,
    column=st.none() | names,
    message=text,
    count=count,
    examples=st.lists(scalar, max_size=3).map(tuple),
    suggestions=st.lists(rules, max_size=1).map(tuple),
)
STRATEGIES[dq.LearnedRules] = st.builds(
    dq.LearnedRules,
    rules=st.lists(rules, max_size=4, unique_by=lambda r: r.id).map(tuple),
    findings=st.lists(STRATEGIES[dq.SuspectedDefect], max_size=2).map(tuple),
)


def public_attrs_classes() -> list[type]:
    return sorted(
        {
            obj
            for name in dq.__all__
            if attrs.has(obj := getattr(dq, name)) and isinstance(obj, type)
        }
        | set(dq.model._rules.RULE_CLASSES),
        key=lambda c: c.__name__,
    )


def test_every_public_type_has_a_round_trip_strategy() -> None:
    missing = [c.__name__ for c in public_attrs_classes() if c not in STRATEGIES]
    assert missing == []


@pytest.mark.parametrize("cls", public_attrs_classes(), ids=lambda c: c.__name__)
@given(data=st.data())
def test_public_types_round_trip_through_json(cls: type, data: st.DataObject) -> None:
    value = data.draw(STRATEGIES[cls])
    raw = json.loads(json.dumps(unstructure(value)))
    target = dq.Rule if cls in dq.model._rules.RULE_CLASSES else cls
    assert structure(raw, target) == value


@given(rules)
def test_rules_unstructure_with_their_check_tag(rule_value: Any) -> None:
    assert unstructure(rule_value)["check"] == rule_value.check


def test_secret_values_are_masked_when_unstructured() -> None:
    assert unstructure(dq.SecretValue("hunter2")) == "***"


def errors_for(data: Any, cls: type = dq.RuleSet) -> list[str]:
    with pytest.raises(dq.ConfigError) as info:
        structure(data, cls, source="rules.toml")
    assert str(info.value).startswith("rules.toml: ")
    return info.value.problems


def test_errors_name_the_exact_path_of_every_problem_at_once() -> None:
    problems = errors_for(
        {
            "rules": [
                {"check": "not_null", "column": "id"},
                {"check": "regex", "column": "email"},
                {"check": "between", "column": "amount", "min": "0"},
                {"check": "regex", "column": "email", "pattern": 5},
            ],
            "gate": {"max_failed_errors": -1},
        }
    )
    assert problems == [
        "rules[1].pattern: required field missing",
        "rules[2].min: expected a number, date, date-time or time, got str ('0')",
        "rules[3].pattern: expected str, got int (5)",
        "gate: max_failed_errors must be >= 0, got -1",
    ]


@pytest.mark.parametrize(
    ("rule_table", "expected"),
    [
        ({"column": "x"}, "rules[0].check: required field missing (choices: not_null, "),
        ({"check": "nul", "column": "x"}, "rules[0].check: unknown check 'nul' (choices: "),
        ({"check": "not_nul", "column": "x"}, "rules[0].check: unknown check 'not_nul' — did you "),
        (
            {"check": "not_null", "column": "x", "mostyl": 0.9},
            "rules[0].mostyl: unknown field 'mostyl' — did you mean 'mostly'? (fields: id, ",
        ),
        (
            {"check": "not_null", "column": "x", "mostly": 1.5},
            "rules[0]: mostly must be between 0 and 1",
        ),
        ({"check": "between", "column": "x"}, "rules[0]: between needs min, max or both"),
        (
            {"check": "max_length", "column": "x", "length": True},
            "rules[0].length: expected int, got bool",
        ),
        (
            {"check": "not_null", "column": "x", "severity": "fatal"},
            "rules[0].severity: unknown severity 'fatal' (choices: error, warning)",
        ),
        (
            {"check": "not_null", "column": "x", "severity": "Warnings"},
            "rules[0].severity: unknown severity 'Warnings' — did you mean 'warning'?",
        ),
        ("not_null", "rules[0]: expected a table, got str"),
    ],
)
def test_single_rule_mistakes(rule_table: Any, expected: str) -> None:
    (problem,) = errors_for({"rules": [rule_table]})
    assert problem.startswith(expected)


def test_duplicate_rule_ids_are_refused_with_both_positions() -> None:
    problems = errors_for(
        {"rules": [{"check": "unique", "column": "id"}, {"check": "unique", "column": "id"}]}
    )
    assert problems == ["rules[1].id: duplicate id 'unique_id' (also rules[0])"]


def test_missing_ids_are_derived_from_check_and_column() -> None:
    rs = structure(
        {"rules": [{"check": "not_null", "column": "id"}, {"check": "row_count", "min": 1}]},
        dq.RuleSet,
    )
    assert [r.id for r in rs.rules] == ["not_null_id", "row_count"]


def test_secret_references_parse_and_print_back() -> None:
    ref = dq.SecretRef.parse("${secret:vault:db/prod#password@3}")
    assert (ref.backend, ref.path, ref.field, ref.version) == ("vault", "db/prod", "password", 3)
    assert str(ref) == "${secret:vault:db/prod#password@3}"
    with pytest.raises(ValueError, match="not a secret reference"):
        dq.SecretRef.parse("${vault:db}")


@attrs.frozen(kw_only=True)
class _Header:
    type: Literal["header"] = "header"
    name: str = "X-Tenant-ID"


@attrs.frozen(kw_only=True)
class _Path:
    type: Literal["path"] = "path"
    prefix: str = "/t"


@attrs.frozen(kw_only=True)
class _Composite:
    resolvers: tuple[_Header | _Path, ...]


def test_a_union_of_configs_tagged_by_type_structures_by_its_type() -> None:
    built = dq.structure({"resolvers": [{"type": "path", "prefix": "/x"}]}, _Composite)
    assert built.resolvers == (_Path(prefix="/x"),)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            {"type": "hedaer"},
            "resolvers[0].type: unknown type 'hedaer' — did you mean 'header'? "
            "(choices: header, path)",
        ),
        ({"name": "X"}, "resolvers[0].type: required field missing (choices: header, path)"),
        (3, "resolvers[0]: expected a table with a 'type' (one of 'header', 'path'), got int (3)"),
        (
            {"type": "header", "nmae": "X"},
            "resolvers[0].nmae: unknown field 'nmae' — did you mean 'name'? (fields: type, name)",
        ),
    ],
)
def test_a_wrong_type_tag_is_named_with_the_choices(entry: Any, problem: str) -> None:
    with pytest.raises(dq.ConfigError) as info:
        dq.structure({"resolvers": [entry]}, _Composite, source="tenant.composite")
    assert info.value.problems == [problem]
