"""Which tenant a piece of work runs for: the ContextVar that carries it and the ASGI middleware
that binds it per request.

Private: use the names ``dq`` re-exports (see ``dq/__init__.py``).
"""
