"""How dq writes for people and machines: plain-text tables, check reports (table, JSON, JUnit,
Markdown), TOML for `dq learn`.

Private: use the names ``dq`` re-exports (see ``dq/__init__.py``).
"""
