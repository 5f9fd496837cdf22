"""Discovery from metadata: statuses, reasons, collisions, selection. No plugin is imported."""

from __future__ import annotations

import sys

import pytest
from dq.plugins._discovery import BROKEN, DISABLED, INCOMPATIBLE, OK, discover
from dq.plugins._settings import PluginSettings

ENGINES = "dq.engines"


def only(inventory, name):
    (record,) = inventory.find(name)
    return record


def test_a_compatible_plugin_is_ok_with_its_distribution_and_version(make_dist) -> None:
    dist = make_dist("dq-good", "2.3.4", {ENGINES: {"good": "dq_good.engine"}})
    inv = discover(distributions=[dist])
    record = only(inv, "good")
    assert (record.kind, record.distribution, record.version) == ("engine", "dq-good", "2.3.4")
    assert (record.status, record.api_range, record.reason) == (OK, "^1.0", "")
    assert inv.findings == []


def test_discovery_never_imports_the_plugin_module(make_dist) -> None:
    dist = make_dist("dq-ghost", entry_points={ENGINES: {"ghost": "dq_ghost_module_xyz"}})
    discover(distributions=[dist])
    assert "dq_ghost_module_xyz" not in sys.modules


def test_a_range_excluding_this_core_is_incompatible_with_both_versions_named(make_dist) -> None:
    dist = make_dist("dq-future", entry_points={ENGINES: {"future": "m"}}, api="^2.0")
    record = only(discover(distributions=[dist], api_version="1.4.0"), "future")
    assert record.status == INCOMPATIBLE
    assert "^2.0" in record.reason and "1.4.0" in record.reason
    assert record.finding


def test_a_plugin_declaring_no_range_is_told_how_to_declare_one(make_dist) -> None:
    dist = make_dist("dq-old", entry_points={ENGINES: {"old": "m"}}, api=None)
    record = only(discover(distributions=[dist]), "old")
    assert record.status == INCOMPATIBLE
    assert "dq.hook_api" in record.reason


def test_an_unreadable_range_is_incompatible_and_quoted(make_dist) -> None:
    dist = make_dist("dq-odd", entry_points={ENGINES: {"odd": "m"}}, api="latest")
    record = only(discover(distributions=[dist]), "odd")
    assert record.status == INCOMPATIBLE and "'latest'" in record.reason


def test_two_declared_ranges_are_refused(make_dist) -> None:
    dist = make_dist("dq-two", entry_points={ENGINES: {"two": "m"}, "dq.hook_api": {"^0.9": "m"}})
    record = only(discover(distributions=[dist]), "two")
    assert record.status == INCOMPATIBLE and "2 hook-API ranges" in record.reason


def test_an_invalid_component_name_is_broken(make_dist) -> None:
    dist = make_dist("dq-caps", entry_points={ENGINES: {"Caps": "m"}})
    record = only(discover(distributions=[dist]), "Caps")
    assert record.status == BROKEN and "not a valid component name" in record.reason


def test_a_malformed_entry_point_value_is_broken(make_dist) -> None:
    dist = make_dist("dq-val", entry_points={ENGINES: {"val": "not a module!"}})
    assert only(discover(distributions=[dist]), "val").status == BROKEN


def test_a_misspelt_dq_group_is_reported_with_a_suggestion(make_dist) -> None:
    dist = make_dist("dq-typo", entry_points={"dq.engine": {"typo": "m"}})
    record = only(discover(distributions=[dist]), "typo")
    assert record.status == BROKEN
    assert "'dq.engines'" in record.reason


def test_collision_without_a_choice_picks_the_first_distribution_name_and_is_a_finding(
    make_dist,
) -> None:
    b = make_dist("dq-zeta", entry_points={ENGINES: {"csv": "zeta"}})
    a = make_dist("dq-alpha", entry_points={ENGINES: {"csv": "alpha"}})
    inv = discover(distributions=[b, a])
    winner, loser = inv.find("csv")
    assert (winner.distribution, winner.status) == ("dq-alpha", OK)
    assert (loser.distribution, loser.status) == ("dq-zeta", DISABLED)
    assert "dq-zeta" in winner.reason and "DQ_PLUGINS_PREFER=csv=" in winner.reason
    assert "shadowed" in loser.reason and "dq-alpha" in loser.reason
    assert winner.finding and loser.finding
    assert inv.usable("engine", "csv") is winner


def test_collision_is_settled_by_prefer_and_then_is_no_finding(make_dist) -> None:
    b = make_dist("dq-zeta", entry_points={ENGINES: {"csv": "zeta"}})
    a = make_dist("dq-alpha", entry_points={ENGINES: {"csv": "alpha"}})
    inv = discover(PluginSettings(prefer={"csv": "dq_zeta"}), distributions=[a, b])
    assert inv.usable("engine", "csv").distribution == "dq-zeta"
    assert inv.findings == []


def test_same_name_in_different_kinds_is_not_a_collision(make_dist) -> None:
    d = make_dist("dq-multi", entry_points={ENGINES: {"x": "m"}, "dq.notifiers": {"x": "m"}})
    inv = discover(distributions=[d])
    assert [r.status for r in inv.find("x")] == [OK, OK]


def test_an_incompatible_contender_does_not_take_part_in_a_collision(make_dist) -> None:
    good = make_dist("dq-zz-good", entry_points={ENGINES: {"csv": "g"}})
    old = make_dist("dq-aa-old", entry_points={ENGINES: {"csv": "o"}}, api="^0.1")
    inv = discover(distributions=[good, old])
    assert inv.usable("engine", "csv").distribution == "dq-zz-good"
    assert inv.usable("engine", "csv").reason == ""


@pytest.mark.parametrize("pattern", ["denied", "engine:denied", "dq-denied", "dq_denied"])
def test_deny_matches_component_kind_component_or_distribution(make_dist, pattern: str) -> None:
    dist = make_dist("dq-denied", entry_points={ENGINES: {"denied": "m"}})
    record = only(discover(PluginSettings(deny=[pattern]), distributions=[dist]), "denied")
    assert record.status == DISABLED and pattern in record.reason
    assert not record.finding  # the user chose this: strict mode has nothing to complain about


def test_allow_list_disables_everything_else(make_dist) -> None:
    a = make_dist("dq-a", entry_points={ENGINES: {"a": "m"}})
    b = make_dist("dq-b", entry_points={ENGINES: {"b": "m"}})
    inv = discover(PluginSettings(allow=["a"]), distributions=[a, b])
    assert only(inv, "a").status == OK
    assert only(inv, "b").status == DISABLED and "allow list" in only(inv, "b").reason


def test_a_deny_entry_that_matches_nothing_is_a_finding(make_dist) -> None:
    a = make_dist("dq-a", entry_points={ENGINES: {"a": "m"}})
    inv = discover(PluginSettings(deny=["slak"]), distributions=[a])
    assert inv.findings == ["the deny list names 'slak', which matches no installed plugin"]


def test_the_first_copy_of_a_distribution_on_the_path_wins(make_dist, tmp_path) -> None:
    from conftest import write_dist_info

    first = make_dist("dq-dup", "2.0.0", {ENGINES: {"dup": "m"}})
    second = write_dist_info(
        tmp_path / "later", "dq-dup", "1.0.0", {ENGINES: {"dup": "m"}, "dq.hook_api": {"^1.0": "m"}}
    )
    (record,) = discover(distributions=[first, second]).find("dup")
    assert record.version == "2.0.0" and record.status == OK


def test_distributions_without_dq_entry_points_are_ignored(make_dist) -> None:
    other = make_dist("requests-ish", entry_points={"console_scripts": {"x": "m:main"}}, api=None)
    assert discover(distributions=[other]).records == []


def test_records_are_ordered_by_kind_then_name(make_dist) -> None:
    d = make_dist(
        "dq-many",
        entry_points={
            "dq.notifiers": {"b": "m"},
            ENGINES: {"z": "m", "a": "m"},
            "dq.secrets": {"c": "m"},
        },
    )
    assert [(r.kind, r.name) for r in discover(distributions=[d]).records] == [
        ("engine", "a"),
        ("engine", "z"),
        ("notifier", "b"),
        ("secrets", "c"),
    ]


def test_a_kind_qualified_prefer_settles_and_is_not_reported_unmatched(make_dist) -> None:
    b = make_dist("dq-zeta", entry_points={ENGINES: {"csv": "zeta"}})
    a = make_dist("dq-alpha", entry_points={ENGINES: {"csv": "alpha"}})
    inv = discover(PluginSettings(prefer={"engine:csv": "dq-zeta"}), distributions=[a, b])
    assert inv.usable("engine", "csv").distribution == "dq-zeta"
    assert inv.findings == []


def test_a_denied_distribution_with_a_misspelt_group_is_not_a_finding(make_dist) -> None:
    dist = make_dist("dq-typo", entry_points={"dq.engine": {"typo": "m"}})
    inv = discover(PluginSettings(deny=["dq-typo"]), distributions=[dist])
    assert only(inv, "typo").status == DISABLED and inv.findings == []


@pytest.mark.parametrize("spelling", ["engine:good", "engines:good", "dq.engines:good"])
def test_find_accepts_kind_qualified_names_in_any_kind_spelling(make_dist, spelling: str) -> None:
    dist = make_dist("dq-good", entry_points={ENGINES: {"good": "m"}})
    assert [r.name for r in discover(distributions=[dist]).find(spelling)] == ["good"]
