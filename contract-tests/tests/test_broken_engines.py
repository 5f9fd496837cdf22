"""Each deliberately broken engine must fail the contract, in the test that pins its bug.

The contract runs in a nested pytest session (``pytester``), exactly as in a plugin's own
suite: a test module subclasses EngineContract with an ``engine`` fixture. We assert

* the tests named in ``must_fail`` failed (the contract catches the bug where it should), and
* the tests in ``must_pass`` passed (the failure is specific, not the suite falling over).
"""

from __future__ import annotations

from collections.abc import Iterator

import broken_engines  # noqa: F401
import dq.protocols  # noqa: F401

# Imported here, before any nested session: pytester drops modules first imported inside
# inline_run, and a re-imported polars (a native extension) or dq (enums compared with
# ``is``) would not be the same objects as the ones already in use.
import dq_contract.compare  # noqa: F401
import dq_contract.trivial  # noqa: F401
import polars  # noqa: F401
import pytest
from broken_harness import fresh_import, run_contract

MODULE = """
import pytest
from dq_contract.engine import EngineContract
import broken_engines

class TestBroken(EngineContract):
    @pytest.fixture
    def engine(self):
        return broken_engines.{name}()
"""

#: Correct behaviour that no single-rule bug above should disturb.
ALWAYS_PASS = {"test_satisfies_the_engine_protocol"}

CASES: dict[str, dict[str, set[str]]] = {
    "NullsPassNotNull": {
        "must_fail": {
            "test_not_null_counts_nulls_and_passes_nan",
            "test_counts_equal_the_oracle",
            "test_mostly_thresholds",
        },
        "must_pass": {"test_unique_fails_every_row_of_a_duplicate_group", "test_is_deterministic"},
    },
    "UniqueCountsExtraOccurrences": {
        "must_fail": {
            "test_unique_fails_every_row_of_a_duplicate_group",
            "test_unique_treats_nans_as_equal",
            "test_counts_equal_the_oracle",
        },
        "must_pass": {"test_not_null_counts_nulls_and_passes_nan", "test_is_deterministic"},
    },
    "NanAsNullInBetween": {
        "must_fail": {
            "test_between_fails_nan_and_compares_infinities",
            "test_counts_equal_the_oracle",
        },
        "must_pass": {
            "test_in_set_matches_nan_only_when_listed",
            "test_unique_treats_nans_as_equal",
        },
    },
    "UnsupportedAsPassed": {
        "must_fail": {
            "test_unsupported_checks_are_reported_unsupported_never_passed",
            "test_counts_equal_the_oracle",
        },
        "must_pass": {"test_mostly_thresholds"},
    },
    "ByteLengths": {
        "must_fail": {"test_lengths_count_characters_not_bytes", "test_counts_equal_the_oracle"},
        "must_pass": {"test_empty_and_blank_strings_are_values"},
    },
    "UnanchoredAlternation": {
        "must_fail": {"test_regex_matches_the_whole_value"},
        "must_pass": {"test_invalid_regex_is_an_error_naming_the_rule"},
    },
    "AnchoringMendsBrokenPatterns": {
        "must_fail": {"test_a_pattern_broken_alone_is_an_error_even_where_anchoring_would_mend_it"},
        "must_pass": {
            "test_invalid_regex_is_an_error_naming_the_rule",
            "test_regex_matches_the_whole_value",
        },
    },
    "SamplesIgnoreSampleSizeZero": {
        "must_fail": {"test_no_samples_when_sample_size_is_zero", "test_counts_equal_the_oracle"},
        "must_pass": {"test_samples_are_bounded_distinct_failing_values_in_order"},
    },
    "CrashesOnUnknownColumn": {
        "must_fail": {
            "test_unknown_column_is_an_error_naming_the_rule_and_others_still_run",
            "test_counts_equal_the_oracle",
        },
        "must_pass": {"test_invalid_regex_is_an_error_naming_the_rule"},
    },
    "CompositeUniqueSkipsPartialNulls": {
        "must_fail": {
            "test_composite_unique_fails_rows_of_repeated_combinations",
            "test_composite_unique_counts_equal_the_oracle",
        },
        "must_pass": {"test_unique_fails_every_row_of_a_duplicate_group"},
    },
    "PopulationStdDev": {
        "must_fail": {"test_statistics_of_the_non_null_values_within_inclusive_bounds"},
        "must_pass": {"test_statistics_are_undefined_without_enough_values"},
    },
    "OneBasedSampleRows": {
        "must_fail": {
            "test_sample_rows_are_row_numbers_without_a_key_and_bounded",
            "test_counts_equal_the_oracle",
        },
        "must_pass": {"test_sample_rows_carry_the_key_values_of_the_first_failing_rows"},
    },
    "ReferenceFailsNulls": {
        "must_fail": {
            "test_reference_fails_values_missing_from_the_reference_column_and_ignores_nulls",
            "test_reference_counts_equal_the_oracle",
        },
        "must_pass": {"test_reference_faults_are_errors_of_that_rule_only"},
    },
    "DropsPassingResults": {
        "must_fail": {
            "test_one_result_per_rule_in_rule_order_including_passing_rules",
            "test_counts_equal_the_oracle",
        },
        "must_pass": set(),
    },
}


@pytest.fixture
def fresh_contract(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make the nested session import dq_contract.engine anew, then restore hypothesis."""
    yield from fresh_import(monkeypatch, "dq_contract.engine")


def outcomes(pytester: pytest.Pytester, name: str) -> tuple[set[str], set[str]]:
    """Run the contract against broken engine *name*; return (passed, failed) test names."""
    return run_contract(pytester, MODULE.format(name=name))


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_engine_fails_the_contract_where_it_is_broken(
    pytester: pytest.Pytester, fresh_contract: None, name: str
) -> None:
    passed, failed = outcomes(pytester, name)
    case = CASES[name]
    assert case["must_fail"] <= failed, f"not caught: {sorted(case['must_fail'] - failed)}"
    should_pass = case["must_pass"] | ALWAYS_PASS
    assert should_pass <= passed, f"collateral failures: {sorted(should_pass - passed)}"
