"""Time bounds on code dq does not own, that hold even when that code blocks.

``anyio.fail_after`` only interrupts code that awaits: a notifier calling
``time.sleep`` or a blocking socket inside ``async def send`` holds the event loop
and the bound never fires. So plugin code runs in a worker thread (a fresh event
loop there for async code) and the caller waits at most the bound; past it the
caller moves on and the worker is abandoned (daemon: it cannot keep the process
alive). Abandoning is safe where dq uses it: a notification is in the outbox before
it is sent, an import or factory that hangs is reported and not used.

A ``BaseException`` raised by plugin code in the worker (``KeyboardInterrupt``,
``SystemExit`` at import) is handed back as :class:`PluginAborted`, an ordinary
exception, so it cannot end the host; a real Ctrl-C still reaches the main thread.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Awaitable, Callable
from typing import Any

# anyio is imported inside the async helpers: ``dq check`` bounds a plugin factory with
# call_bounded (plain threads) and must not pay anyio's import (~30 ms, ssl included).


class BoundExceeded(TimeoutError):
    """Plugin code did not return within its bound; the message names what and how long."""


class PluginAborted(Exception):
    """Plugin code raised a ``BaseException`` (``KeyboardInterrupt``, ``SystemExit``)."""


def factory_bound() -> float:
    """Seconds a plugin's factory may take (``DQ_PLUGIN_CALL_TIMEOUT``, default 60)."""
    import os

    try:
        return max(0.1, float(os.environ.get("DQ_PLUGIN_CALL_TIMEOUT", "60")))
    except ValueError:
        return 60.0


def call_bounded(fn: Callable[[], Any], *, seconds: float | None, what: str) -> Any:
    """Run *fn* in a daemon thread (with the caller's context) and wait at most *seconds*."""
    if seconds is None:
        return fn()
    outcome: dict[str, Any] = {}
    context = contextvars.copy_context()

    def work() -> None:
        try:
            outcome["value"] = context.run(fn)
        except Exception as exc:
            outcome["error"] = exc
        except BaseException as exc:  # noqa: BLE001 - plugin code's, not the user's Ctrl-C
            outcome["error"] = PluginAborted(f"{type(exc).__name__}: {exc}")

    worker = threading.Thread(target=work, name=f"dq-bounded: {what}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise BoundExceeded(f"{what} did not return within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


async def await_bounded(
    fn: Callable[..., Awaitable[Any]], *args: Any, seconds: float | None, what: str
) -> Any:
    """Await ``fn(*args)`` on its own event loop in a daemon thread, at most *seconds*.

    The awaiting task is released at the bound even if *fn* blocks its loop, and an
    abandoned thread never keeps the process alive at exit (anyio's worker threads
    would: a notifier stuck for an hour would hold ``dq run`` open for that hour).
    """
    import anyio
    import anyio.from_thread
    import anyio.lowlevel

    outcome: dict[str, Any] = {}
    done = anyio.Event()
    token = anyio.lowlevel.current_token()
    context = contextvars.copy_context()

    def fresh_loop() -> Any:
        # the copied context says which async library the *caller* runs (sniffio's
        # variable); this thread has no loop yet, and anyio.run refuses if told otherwise
        try:
            import sniffio  # optional: installed beside httpx and most async stacks
        except ImportError:
            pass
        else:
            sniffio.current_async_library_cvar.set(None)
        return anyio.run(fn, *args)

    def work() -> None:
        try:
            outcome["value"] = context.run(fresh_loop)
        except Exception as exc:
            outcome["error"] = exc
        except BaseException as exc:  # noqa: BLE001 - see call_bounded
            outcome["error"] = PluginAborted(f"{type(exc).__name__}: {exc}")
        try:
            anyio.from_thread.run_sync(done.set, token=token)
        except Exception:  # the waiting loop is gone: nobody needs the answer any more
            pass

    threading.Thread(target=work, name=f"dq-bounded: {what}", daemon=True).start()
    with anyio.move_on_after(seconds):
        await done.wait()
    if not done.is_set():
        raise BoundExceeded(f"{what} did not return within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
