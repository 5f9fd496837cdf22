"""Reference datasets: the other data a ``reference`` rule (a foreign key) checks against.

dq-core, not the engine, finds and opens them, so every engine gets the same answer to
"which file is ``customers.csv``?" and no engine can be talked into reading another one.
Engines keep ``Engine.check(data, rules)``: the opened datasets are bound in a ContextVar
for the duration of the check, and an engine asks :func:`reference_data` for a rule's.

Finding the files is :mod:`dq.checks._reference_paths` (a rules file is untrusted data:
relative paths only, kept inside the folders the run already reads, refused before any
data is read). Opening them is :func:`dq.checks._data.scan`, the reader of the main data.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dq.checks._reference_paths import ResolvedReference
from dq.model._errors import UsageError

_BOUND: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "dq_reference_data", default=None
)


@contextmanager
def reference_scope(datasets: Mapping[str, Any]) -> Iterator[None]:
    """Bind reference datasets for the checks run inside the ``with`` block.

    *datasets* maps a ``reference`` rule's ``dataset`` (as written in the rules file) to a
    polars DataFrame or LazyFrame. dq-core binds the datasets it read before it calls an
    engine; embedders and engine tests bind their own frames the same way. Scopes nest:
    an inner binding adds to (and may override) the outer one, and leaving the block
    restores what was bound before, even when the block raises.
    """
    outer = _BOUND.get() or {}
    token = _BOUND.set({**outer, **datasets})
    try:
        yield
    finally:
        _BOUND.reset(token)


def reference_data(rule: Any) -> Any:
    """The dataset a ``reference`` rule checks against, as a polars ``LazyFrame``.

    For engine authors: call it inside ``check`` (in the thread that called it, or in a
    copy of its context) for each :class:`dq.Reference` rule. Raises :class:`dq.UsageError`
    when nothing was bound for the rule's dataset (the engine was called outside a dq run
    and outside :func:`reference_scope`); report that rule ``error`` with the message.
    """
    bound = _BOUND.get() or {}
    dataset = getattr(rule, "dataset", None)
    if dataset not in bound:
        raise UsageError(
            f"rule {getattr(rule, 'id', '?')!r}: reference dataset {dataset!r} is not loaded; "
            "dq-core loads it for dq check and dq run (an engine called directly needs "
            "dq.reference_scope({dataset: frame}))"
        )
    frame = bound[dataset]
    lazy = getattr(frame, "lazy", None)
    return lazy() if callable(lazy) else frame


def open_reference(ref: ResolvedReference) -> Any:
    """*ref*'s files as one polars LazyFrame, read by the main data's reader.

    Each resolved (real) path is scanned on its own rather than re-expanding the glob
    the rules file wrote, so the files read are exactly the files that were checked.
    """
    from dq.checks._data import scan

    frames = [scan(str(path), ref.format)[0] for path in ref.files]
    if len(frames) == 1:
        return frames[0]
    import polars as pl

    return pl.concat(frames, how="diagonal_relaxed")


@contextmanager
def references_bound(resolved: Mapping[str, ResolvedReference]) -> Iterator[None]:
    """Open every resolved reference (headers are read now: a broken file fails here, named)
    and bind them for the check run inside the block. Nothing to bind: nothing changes."""
    if not resolved:
        yield
        return
    opened = {dataset: open_reference(ref) for dataset, ref in resolved.items()}
    with reference_scope(opened):
        yield
