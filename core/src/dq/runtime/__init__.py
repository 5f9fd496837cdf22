"""How dq calls code it does not own: the one sync-to-async bridge.

Private: use the names ``dq`` re-exports (see ``dq/__init__.py``).
"""
