"""Benchmark: can learned rules be trusted? Learn on clean data, check data with planted defects.

A realistic orders table is generated (ids, e-mails, SKU codes, amounts, statuses,
countries, timestamps). ``dq learn`` runs on a clean part; then a second part gets
defects planted at known rows — a typo'd status, a negative or absurd amount, a
broken e-mail, a malformed SKU, a missing amount, a repeated id, a year-1900 date —
and is checked against (a) the learned rules and (b) the learned rules plus every
commented-out suggestion adopted. Reported: planted defects caught (rows flagged by
at least one rule) and clean rows flagged (false alarms), for each. A third line
learns on data that already holds the defects and shows which were listed.

    uv run python benchmarks/learn.py [--rows 200000] [--defects 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys

import dq
import polars as pl

STATUSES = ["pending", "paid", "shipped", "delivered", "refunded"]
COUNTRIES = ["DE", "FR", "SE", "ES", "IT", "NL"]


def orders(rows: int, start: int, seed: int) -> pl.DataFrame:
    rnd = random.Random(seed)
    first = dt.datetime(2026, 11, 1)
    return pl.DataFrame(
        {
            "order_id": list(range(start, start + rows)),
            "email": [
                f"user{rnd.randrange(10**6)}@example{rnd.randrange(50)}.com" for _ in range(rows)
            ],
            "sku": [
                f"{rnd.choice('ABCDEFGH')}{rnd.choice('KLMN')}-{rnd.randrange(1000, 10000)}"
                for _ in range(rows)
            ],
            "amount": [round(rnd.lognormvariate(4, 0.8), 2) for _ in range(rows)],
            "status": [rnd.choice(STATUSES) for _ in range(rows)],
            "country": [rnd.choice(COUNTRIES) for _ in range(rows)],
            "created_at": [first + dt.timedelta(seconds=30 * (start + k)) for k in range(rows)],
        }
    )


DEFECTS = {
    "status": lambda r, v: "shiped",
    "amount": lambda r, v: r.choice([-25.0, 99_999_999.0]),
    "amount_null": lambda r, v: None,
    "email": lambda r, v: v.replace("@", ""),
    "sku": lambda r, v: v.lower(),
    "created_at": lambda r, v: dt.datetime(1900, 1, 1),
    "order_id": None,  # set to the previous row's id
}


def plant(frame: pl.DataFrame, count: int, seed: int) -> tuple[pl.DataFrame, set[int]]:
    rnd = random.Random(seed)
    rows = rnd.sample(range(1, frame.height), count)
    data = {c: frame[c].to_list() for c in frame.columns}
    kinds = list(DEFECTS)
    for n, row in enumerate(rows):
        kind = kinds[n % len(kinds)]
        if kind == "order_id":
            data["order_id"][row] = data["order_id"][row - 1]
            continue
        column = "amount" if kind == "amount_null" else kind
        data[column][row] = DEFECTS[kind](rnd, data[column][row])
    # a repeated id makes its partner row fail unique too: count it as planted
    planted = set(rows) | {r - 1 for n, r in enumerate(rows) if kinds[n % len(kinds)] == "order_id"}
    return pl.DataFrame(data, schema=frame.schema), planted


def _fails(rule: object, frame: pl.DataFrame) -> pl.Series | None:
    """The rows a row-level rule fails, as the pinned semantics say (docs/rules.md)."""
    check = rule.check
    if check not in (
        "not_null",
        "unique",
        "between",
        "regex",
        "in_set",
        "min_length",
        "max_length",
    ):
        return None
    x = frame[rule.column]
    if check == "not_null":
        return x.is_null()
    if check == "unique":
        return x.is_duplicated() & x.is_not_null()
    if check == "between":
        bad = (x < rule.min) | (x > rule.max)
        return (bad | x.is_nan() if x.dtype.is_float() else bad).fill_null(False)
    if check == "regex":
        return (~x.str.contains(rf"\A(?:{rule.pattern})\z")).fill_null(False)
    if check == "in_set":
        return (~x.is_in(list(rule.values))).fill_null(False)
    lengths = x.str.len_chars()
    bad = lengths < rule.length if check == "min_length" else lengths > rule.length
    return bad.fill_null(False)


def flagged_rows(engine, frame: pl.DataFrame, rules: dq.RuleSet) -> set[int]:
    """Rows failing any row-level rule; dq's own counts must agree with the mask."""
    flagged: set[int] = set()
    result = engine.check(frame, rules)
    for rule, res in zip(rules.rules, result.results, strict=True):
        mask = _fails(rule, frame)
        if mask is None:
            continue
        assert int(mask.sum()) == res.failed_count, (rule.id, int(mask.sum()), res.failed_count)
        flagged |= set(mask.arg_true().to_list())
    return flagged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--defects", type=int, default=200)
    args = parser.parse_args()
    engine = dq.Host(dq.discover()).component("engine", "polars")
    clean = orders(args.rows, 0, seed=1)
    learned = engine.learn(clean)
    test, planted = plant(orders(args.rows // 4, args.rows, seed=2), args.defects, seed=3)
    adopted = dq.RuleSet(
        rules=learned.rules
        + tuple(f.suggestion for f in getattr(learned, "findings", ()) if f.suggestion)
    )
    print(f"learned {len(learned.rules)} rules from {clean.height:,} clean rows;")
    print(f"checking {test.height:,} rows with {len(planted)} planted defect rows\n")
    for label, rules in (("learned rules", learned), ("learned + suggestions", adopted)):
        flagged = flagged_rows(engine, test, rules)
        caught = len(flagged & planted)
        false = len(flagged - planted)
        print(
            f"{label:<24} caught {caught}/{len(planted)} planted ({caught / len(planted):.0%}), "
            f"flagged {false} of {test.height - len(planted):,} clean rows"
        )
    dirty = pl.concat([clean, test])
    relearned = engine.learn(dirty)
    print(f"\nlearning on data that holds them lists {len(relearned.findings)} suspected defects:")
    for finding in relearned.findings:
        print(f"  {finding.line()}")
    status = engine.check(dirty, relearned).status
    print(f"and the data passes the rules learned from it: {status.value}")
    return 0 if status is dq.RunStatus.PASSED else 1


if __name__ == "__main__":
    sys.exit(main())
