# ruff: noqa: F811 (the refs_site fixture is imported, then requested by name)
"""``row_count`` ``max_change``: judged by dq-core against the run history after the engine
returns, for every engine; the history is per suite, tenant and rule, survives concurrent
runs, and a broken history file is a rule error with what to do, never a crash."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import dq
import pytest
from dq.cli import main
from hypothesis import given
from hypothesis import strategies as st
from refs_site import refs_site  # noqa: F401 (a fixture, used by name)

SUITE = """
name = "orders"
engine = "{engine}"
source = "orders.csv"
{tenant}

[[rules.rules]]
id = "rows"
check = "row_count"
max_change = 0.2
{extra}
"""


def write_orders(rows: int) -> None:
    Path("orders.csv").write_text("id\n" + "".join(f"{i}\n" for i in range(rows)))


def suite(engine: str = "refs", tenant: str = "", extra: str = "") -> str:
    tenant_table = f'[tenant]\nid = "{tenant}"' if tenant else ""
    Path("suite.toml").write_text(SUITE.format(engine=engine, tenant=tenant_table, extra=extra))
    return "suite.toml"


def run(capsys: pytest.CaptureFixture[str], rows: int, *args: str) -> tuple[int, dict, str]:
    write_orders(rows)
    code = main(["run", *(args or (suite(),)), "-f", "json"])
    out, err = capsys.readouterr()
    result = json.loads(out)["rules"][0] if out.strip() else {}
    return code, result, err


def test_the_first_run_passes_and_records_the_baseline(refs_site, capsys):
    code, rule, _ = run(capsys, 100)
    assert code == 0
    assert rule["message"].endswith("no previous run; baseline recorded")
    assert (
        dq.RunHistory(refs_site.parent / "state" / "history.sqlite3").entries("orders")[0].row_count
        == 100
    )


def test_a_change_within_bounds_passes_and_one_beyond_fails_naming_both_counts(
    refs_site,
    capsys,
):
    run(capsys, 100)
    code, rule, _ = run(capsys, 120)  # +20% exactly: within
    assert code == 0, rule
    assert "+20.0% vs 100" in rule["message"] and "within max change ±20%" in rule["message"]
    code, rule, _ = run(capsys, 95)  # -20.8% vs 120
    assert code == 1
    assert rule["status"] == "failed" and rule["failed_count"] == 1
    assert "95 rows, -20.8% vs 120" in rule["message"] and "outside" in rule["message"]


def test_a_failed_count_never_becomes_the_baseline(refs_site, capsys):
    run(capsys, 100)
    assert run(capsys, 40)[0] == 1  # a bad load
    code, rule, _ = run(capsys, 105)  # judged against 100, not against the bad 40
    assert code == 0 and "vs 100" in rule["message"]


def test_accept_latest_makes_a_real_change_the_new_baseline(refs_site, capsys):
    run(capsys, 100)
    assert run(capsys, 300)[0] == 1
    assert dq.RunHistory().accept_latest("orders") == 1
    code, rule, _ = run(capsys, 310)
    assert code == 0 and "vs 300" in rule["message"]


def test_tenants_and_suites_keep_separate_baselines(refs_site, capsys):
    run(capsys, 100, suite(tenant="acme"))
    code, rule, _ = run(capsys, 1000, suite(tenant="globex"))
    assert code == 0 and "no previous run" in rule["message"]
    code, rule, _ = run(capsys, 1000, suite(tenant="acme"))
    assert code == 1 and "vs 100" in rule["message"]
    history = dq.RunHistory()
    assert [e.row_count for e in history.entries("orders", "acme")] == [1000, 100]
    assert [e.row_count for e in history.entries("orders", "globex")] == [1000]


def test_absolute_bounds_still_apply_and_such_a_count_is_no_baseline(refs_site, capsys):
    run(capsys, 100, suite(extra="min = 50"))
    code, rule, _ = run(capsys, 10, suite(extra="min = 50"))
    assert code == 1 and "outside [50, ]" in rule["message"] and "vs 100" in rule["message"]
    assert [e.accepted for e in dq.RunHistory().entries("orders")] == [False, True]


def test_an_engine_that_reports_no_row_count_gets_an_error_saying_why(refs_site, capsys):
    code, rule, _ = run(capsys, 10, suite(engine="norows"))
    assert code == 2
    assert rule["status"] == "error" and "did not report the table's row count" in rule["message"]


def test_a_corrupt_history_is_one_warning_and_a_rule_error_with_what_to_do(
    refs_site,
    capsys,
    caplog,
):
    state = refs_site.parent / "state"
    state.mkdir()
    (state / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    code, rule, err = run(capsys, 10)
    assert code == 2
    assert rule["status"] == "error" and "move it aside or delete it" in rule["message"]
    warnings = [r for r in caplog.records if r.name == "dq.runs"]
    assert len(warnings) == 1 and "history.sqlite3" in warnings[0].getMessage()
    assert "Traceback" not in err
    assert (state / "history.sqlite3").read_bytes().startswith(b"this is not")  # kept as is


def test_dq_check_keeps_history_per_rules_file_and_data(refs_site, capsys):
    Path("rules.toml").write_text('[[rules]]\nid = "rows"\ncheck = "row_count"\nmax_change = 0.1\n')
    Path("a.csv").write_text("id\n" + "1\n" * 100)
    Path("b.csv").write_text("id\n" + "1\n" * 10)
    for data, want in (("a.csv", 0), ("b.csv", 0), ("a.csv", 0), ("b.csv", 0)):
        assert main(["check", data, "-r", "rules.toml", "-e", "refs"]) == want
    Path("a.csv").write_text("id\n" + "1\n" * 50)
    assert main(["check", "a.csv", "-r", "rules.toml", "-e", "refs"]) == 1
    assert "-50.0% vs 100" in capsys.readouterr().out


def test_rules_without_max_change_never_touch_the_history(refs_site, capsys):
    Path("plain.toml").write_text(
        'name = "plain"\nengine = "refs"\nsource = "orders.csv"\n\n'
        '[[rules.rules]]\nid = "rows"\ncheck = "row_count"\nmin = 1\n'
    )
    assert run(capsys, 10, "plain.toml")[0] == 0
    assert not (refs_site.parent / "state").exists()


# -- the store itself -------------------------------------------------------------------------


def _record_many(path: str, worker: int, count: int) -> None:
    history = dq.RunHistory(path)
    from dq.runs._history import HistoryKey

    for i in range(count):
        with history.transaction() as txn:
            key = HistoryKey(suite="s", tenant="", rule_id="r")
            txn.baseline(key)
            txn.record(key, worker * 1000 + i, accepted=True)


def test_concurrent_runs_never_corrupt_or_lose_a_record(tmp_path):
    path = str(tmp_path / "history.sqlite3")
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_record_many, args=(path, w, 25)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM row_counts").fetchone()[0] == 100
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_exception_inside_a_transaction_records_nothing(tmp_path):
    from dq.runs._history import HistoryKey

    history = dq.RunHistory(tmp_path / "h.sqlite3")
    key = HistoryKey(suite="s", rule_id="r")
    with pytest.raises(ZeroDivisionError), history.transaction() as txn:
        txn.record(key, 5, accepted=True)
        raise ZeroDivisionError
    assert history.entries("s") == []


def test_the_history_file_is_owner_only(tmp_path):
    from dq.runs._history import HistoryKey

    history = dq.RunHistory(tmp_path / "h.sqlite3")
    with history.transaction() as txn:
        txn.record(HistoryKey(suite="s", rule_id="r"), 1, accepted=True)
    assert (tmp_path / "h.sqlite3").stat().st_mode & 0o077 == 0


@given(previous=st.integers(1, 10**9), percent=st.integers(0, 300), delta=st.integers(-5, 5))
def test_change_within_is_exact_decimal_arithmetic(previous, percent, delta):
    from dq.runs._row_change import change_within

    allowed = previous * percent // 100  # whole rows within the bound
    edge = previous + allowed + delta
    exact = abs(edge - previous) * 100 <= percent * previous
    assert change_within(edge, previous, percent / 100) == exact


def test_entries_are_newest_first_with_times(tmp_path):
    from dq.runs._history import HistoryKey

    clock = iter([1_000_000.0, 2_000_000.0])
    history = dq.RunHistory(tmp_path / "h.sqlite3", clock=lambda: next(clock))
    with history.transaction() as txn:
        txn.record(HistoryKey(suite="s", rule_id="r"), 1, accepted=True, run_id="a")
        txn.record(HistoryKey(suite="s", rule_id="r"), 2, accepted=False, run_id="b")
    newest, oldest = history.entries("s")
    assert (newest.row_count, newest.run_id, newest.accepted) == (2, "b", False)
    assert oldest.recorded_at == datetime.fromtimestamp(1_000_000.0, UTC)


# -- dq runs: read the history, accept a real change ------------------------------------


def test_dq_runs_history_shows_the_counts_and_the_baseline(refs_site, capsys):
    run(capsys, 100)
    run(capsys, 500)  # +400%: fails, not a baseline
    assert main(["runs", "history", "suite.toml", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["runs"]
    assert [(r["row_count"], r["accepted"], r["baseline"]) for r in rows] == [
        (500, False, False),
        (100, True, True),
    ]
    assert main(["runs", "history", "suite.toml"]) == 0
    table = capsys.readouterr().out
    assert "not accepted" in table and "baseline" in table


def test_dq_runs_accept_makes_a_real_change_the_baseline(refs_site, capsys):
    run(capsys, 100)
    assert run(capsys, 500)[0] == 1
    assert run(capsys, 500)[0] == 1  # still judged against 100
    assert main(["runs", "accept", "suite.toml"]) == 0
    assert "accepted the latest count of 1 rule(s) of 'orders'" in capsys.readouterr().out
    code, rule, _ = run(capsys, 520)
    assert code == 0 and rule["status"] == "passed"
    assert main(["runs", "accept", "suite.toml"]) == 0
    assert "nothing to accept" in capsys.readouterr().out


def test_dq_runs_names_the_tenant_as_dq_run_records_it(refs_site, capsys):
    write_orders(100)
    assert main(["run", suite(tenant="acme"), "-f", "json"]) == 0
    capsys.readouterr()
    assert main(["runs", "history", "suite.toml", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tenant"] == "acme"
    assert main(["runs", "history", "suite.toml", "--tenant", "globex"]) == 0
    assert "no runs recorded for 'orders' (tenant globex)" in capsys.readouterr().out


def test_dq_runs_without_a_history_name_is_one_line_exit_2(refs_site, capsys):
    assert main(["runs", "history"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "dq: error: dq runs: name a suite file, or --rules RULES and DATA"


def test_dq_runs_on_an_unusable_history_file_is_one_line_exit_3(refs_site, capsys):
    suite()
    state = refs_site.parent / "state"
    state.mkdir(exist_ok=True)
    (state / "history.sqlite3").write_bytes(b"not a database" * 100)
    assert main(["runs", "history", "suite.toml"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("dq: error:") and "history.sqlite3" in err and len(err.splitlines()) == 1


def test_dq_runs_reads_a_dq_check_history_by_rules_and_data(refs_site, capsys):
    Path("rules.toml").write_text('[[rules]]\nid = "rows"\ncheck = "row_count"\nmax_change = 0.2\n')
    for rows in (100, 500):
        write_orders(rows)
        main(["check", "orders.csv", "-r", "rules.toml", "-e", "refs"])
    capsys.readouterr()
    assert main(["runs", "history", "orders.csv", "--rules", "rules.toml", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["runs"]
    assert [(r["row_count"], r["baseline"]) for r in rows] == [(500, False), (100, True)]
