"""Finding and loading plugins: entry-point discovery from metadata, hook-API ranges, allow/deny
settings, the host that builds components, inspection.

Private: use the names ``dq`` re-exports (see ``dq/__init__.py``).
"""
