"""Secret access: the [secrets] config, tenant scoping, the TTL cache, audit, and the resolver that
turns ${secret:...} references into values.

Private: use the names ``dq`` re-exports (see ``dq/__init__.py``).
"""
