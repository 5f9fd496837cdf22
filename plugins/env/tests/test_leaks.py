"""No secret value in any log, repr, error or output, on the paths the contract cannot reach.

The canary is planted in the environment (as plain text, inside JSON, and inside malformed
JSON whose parser error would quote it), then every read and error path is provoked with every
logger at DEBUG.
"""

from __future__ import annotations

import logging
import secrets

import dq
import pytest
from dq_env import EnvBackend

from conftest import RecordingEnviron

pytestmark = pytest.mark.anyio


def texts_of(exc: BaseException) -> list[str]:
    texts: list[str] = []
    chain: BaseException | None = exc
    while chain is not None:
        texts += [str(chain), repr(chain), repr(chain.args), repr(vars(chain))]
        chain = chain.__cause__ or chain.__context__
    return texts


async def test_values_never_reach_errors_logs_or_output(
    environ: RecordingEnviron,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    canary = f"dq-canary-{secrets.token_hex(12)}"
    environ["DQ_SECRET_PLAIN"] = canary
    environ["DQ_SECRET_JSON"] = f'{{"a": "{canary}", "b": "{canary}"}}'
    environ["DQ_SECRET_BROKEN"] = f'{{"a": "{canary}", oops'
    environ["DQ_SECRET_SURROGATE"] = f'{{"a": "{canary}\\ud800"}}'
    caplog.set_level(logging.DEBUG)
    backend = EnvBackend(environ=environ)
    errors: list[BaseException] = []
    attempts = [
        lambda: backend.get("plain", field="nope"),
        lambda: backend.get("plain", version=3),
        lambda: backend.get("json"),
        lambda: backend.get("json", field="c"),
        lambda: backend.get("broken", field="a"),
        lambda: backend.get("surrogate"),
        lambda: backend.set("plain", {"v": dq.SecretValue(canary)}),
        lambda: backend.delete("plain"),
        lambda: backend.get("PLAIN"),
    ]
    for attempt in attempts:
        with pytest.raises(dq.SecretError) as info:
            await attempt()
        errors.append(info.value)
    got = await backend.get("broken")
    texts = [repr(backend), repr(got), str(got), f"{got}", caplog.text, *capsys.readouterr()]
    texts += [f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records]
    for exc in errors:
        texts += texts_of(exc)
    assert len(errors) == len(attempts)
    for text in texts:
        assert canary not in text, f"the value leaked: {text[:200]}"
    assert got.reveal_text().startswith('{"a": "dq-canary-'), "broken JSON is the value field"
