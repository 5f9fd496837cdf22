"""Running engines over data: reading files lazily, the helpers engine authors use, the quality
gate, and the one place engine calls are judged.

Private: use the names ``dq`` re-exports (see ``dq/__init__.py``).
"""
