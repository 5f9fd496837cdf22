"""Telling people: notifications from results, channel config and routing, delivery with cooldown,
and the durable outbox.

Private: use the names ``dq`` re-exports (see ``dq/__init__.py``).
"""
