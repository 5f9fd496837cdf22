"""``python -m dq_file``: the key-management command line (see :mod:`dq_file._cli`)."""

from dq_file._cli import main

raise SystemExit(main())
