"""Reading configuration: the config file (dq.toml) and documents (TOML/YAML/JSON) with line-
pointing errors, and the one cattrs converter.

Private: use the names ``dq`` re-exports (see ``dq/__init__.py``).
"""
