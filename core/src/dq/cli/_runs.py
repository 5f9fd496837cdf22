"""``dq runs``: read the run history and accept a change that was real.

``row_count`` rules with ``max_change`` compare each run's count with the last accepted
count of the same suite, tenant and rule (decision 27). When the volume really moved (a
new customer doubled the orders), every later run fails against the old level until
someone says so: ``dq runs accept`` makes the latest counts the baseline. ``dq runs
history`` shows what was recorded, so that decision is made on the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from dq.cli._groups import group_usage
from dq.model._errors import EXIT_OK, UsageError

EPILOG = """\
Name the history as the command that wrote it: SUITE for `dq run SUITE` (its name and
tenant: --tenant, else $DQ_TENANT, else the suite's [tenant] id), or --rules RULES DATA
for `dq check DATA --rules RULES`.

exit codes:
  0  shown / accepted (also when nothing was recorded yet)
  2  neither SUITE nor --rules and DATA, or a suite file that cannot be read
  3  the history file cannot be used (the message says which file and what to do)

The history is history.sqlite3 in the state directory: $DQ_STATE_DIR, else
$XDG_STATE_HOME/dq, else ~/.local/state/dq.
"""


def register(groups: Any) -> None:
    runs = groups.add_parser(
        "runs",
        help="show the run history and accept a real change in row counts",
        description="Show the row counts earlier runs recorded for row_count max_change "
        "rules, and accept the latest ones as the new baseline.",
    )
    commands = runs.add_subparsers(dest="runs_command", metavar="COMMAND")
    runs.set_defaults(handler=lambda _args: group_usage(runs))

    history = commands.add_parser(
        "history",
        help="list the recorded counts, newest first",
        description="List the row counts recorded for a suite (or a dq check), newest "
        "first; `baseline` marks the counts the next run is judged against.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _selector(history)
    history.add_argument("--limit", type=int, default=20, metavar="N", help="at most N rows")
    history.add_argument("--json", action="store_true", help="print the rows as JSON")
    history.set_defaults(handler=cmd_history)

    accept = commands.add_parser(
        "accept",
        help="make each rule's latest count the baseline",
        description="Accept each rule's latest recorded count as the baseline the next "
        "run is judged against (after a change in volume that was real).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _selector(accept)
    accept.set_defaults(handler=cmd_accept)


def _selector(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", nargs="?", metavar="SUITE|DATA", help="a suite file, or DATA")
    parser.add_argument("--rules", "-r", metavar="RULES", help="with DATA: a dq check history")
    parser.add_argument("--tenant", metavar="TENANT", help="the tenant (suite histories)")


def _key(args: argparse.Namespace) -> tuple[str, str]:
    """(suite name, tenant) exactly as ``dq run`` / ``dq check`` record them."""
    if args.target is None:
        raise UsageError("dq runs: name a suite file, or --rules RULES and DATA")
    if args.rules is not None:
        from dq.checks._data import expand
        from dq.checks._sources import source_for_data
        from dq.runs._row_change import check_history_name

        source = source_for_data(args.target)
        if source.type == "file":
            expand(args.target)  # a data path that does not exist is named, not silently empty
        return check_history_name(args.rules, source), ""
    from dq.runs._suite import load_suite

    suite = load_suite(args.target)
    tenant = args.tenant or os.environ.get("DQ_TENANT") or (suite.tenant or {}).get("id") or ""
    return suite.name, str(tenant)


def cmd_history(args: argparse.Namespace) -> int:
    from dq.runs._history import RunHistory

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    suite, tenant = _key(args)
    entries = RunHistory().entries(suite, tenant, limit=args.limit)
    baselines = _baselines(entries)
    if args.json:
        rows = [
            {
                "rule_id": e.rule_id,
                "row_count": e.row_count,
                "accepted": e.accepted,
                "baseline": i in baselines,
                "recorded_at": e.recorded_at.isoformat(),
                "run_id": e.run_id,
            }
            for i, e in enumerate(entries)
        ]
        print(json.dumps({"suite": suite, "tenant": tenant or None, "runs": rows}, indent=2))
        return EXIT_OK
    if not entries:
        print(f"no runs recorded for {suite!r}" + (f" (tenant {tenant})" if tenant else ""))
        return EXIT_OK
    from dq.output._tables import render_table

    table = [
        [
            e.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
            e.rule_id,
            f"{e.row_count:,}",
            "baseline" if i in baselines else ("accepted" if e.accepted else "not accepted"),
        ]
        for i, e in enumerate(entries)
    ]
    print(render_table(["recorded (UTC)", "rule", "rows", "status"], table))
    return EXIT_OK


def _baselines(entries: list[Any]) -> set[int]:
    """Positions of each rule's newest accepted count (entries are newest first)."""
    seen: set[str] = set()
    marks: set[int] = set()
    for index, entry in enumerate(entries):
        if entry.accepted and entry.rule_id not in seen:
            seen.add(entry.rule_id)
            marks.add(index)
    return marks


def cmd_accept(args: argparse.Namespace) -> int:
    from dq.runs._history import RunHistory

    suite, tenant = _key(args)
    changed = RunHistory().accept_latest(suite, tenant)
    who = f"{suite!r}" + (f" (tenant {tenant})" if tenant else "")
    if changed:
        print(f"accepted the latest count of {changed} rule(s) of {who} as the baseline")
    else:
        print(f"nothing to accept for {who}: each rule's latest count is already the baseline")
    return EXIT_OK
