"""Running a suite the whole way (tenant, secrets, engine, gate, notifications): the top of the
house, under the CLI.

Private: use the names ``dq`` re-exports (see ``dq/__init__.py``).
"""
