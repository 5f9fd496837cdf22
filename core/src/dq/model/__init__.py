"""The shared vocabulary: attrs value types (rules, results, notifications, secret values, tenant
ids, suites) and dq's errors. Imports nothing else of dq, so every other part can use it.

Private: use the names ``dq`` re-exports (see ``dq/__init__.py``).
"""
