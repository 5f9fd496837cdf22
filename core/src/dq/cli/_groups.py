"""What every command group (``dq plugins``, ``dq secrets``, ``dq notify``, ``dq runs``)
does when it is named without a command: its help on stderr and exit 2, a usage error."""

from __future__ import annotations

import argparse
import sys

from dq.model._errors import EXIT_USAGE


def group_usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE
