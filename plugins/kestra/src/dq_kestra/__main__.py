"""``python -m dq_kestra``: the same command as ``dq-kestra``."""

import sys

from dq_kestra.cli import main

sys.exit(main())
