"""Expression rules are row conditions: no fetch ever leaves the engine, counts unchanged."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import dq
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dq_polars._config import PolarsConfig
from dq_polars._engine import PolarsEngine


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's spelling
        type(self).hits.append(self.path)
        body = b"a\n1\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize(
    "template",
    [
        "a IN (SELECT a FROM read_csv('{url}/x.csv'))",
        "a > (select max(a) from READ_CSV ( '{url}/y.csv' ))",
        "a IN (SELECT a FROM \"read_csv\"('{url}/z.csv'))",
    ],
)
def test_an_expression_reaching_for_a_url_never_reaches_it(server: str, template: str) -> None:
    _Recorder.hits.clear()
    expression = template.format(url=server)
    with pytest.raises(ValueError, match=r"rules\[0\]\.expression: (keyword|function)"):
        rules = dq.RuleSet(rules=(dq.Expression(id="evil", expression=expression),))
        PolarsEngine(PolarsConfig()).check(pl.DataFrame({"a": [1, 2]}), rules)
    assert _Recorder.hits == []


FRAME = pl.DataFrame(
    {
        "id": [1, 2, 3, None, 5, 6],
        "amount": [0.5, -1.0, None, 3.0, 1e7, 2.0],
        "status": ["ok", "OK", "bad", None, "", "ok"],
        "email": ["a@x.org", "bad", None, "c@y", "d@z.com", "e@e.e"],
    }
)
ALLOWED = [
    "amount > 0",
    "id % 2 = 0",
    "id + amount >= 1",
    "status = 'ok'",
    "status IN ('ok', 'OK', '')",
    "LENGTH(email) > 2",
    "email LIKE '%@%'",
    "id IS NOT NULL",
    "amount BETWEEN -1 AND 10",
    "COALESCE(amount, 0) < 5",
    "UPPER(status) = 'OK' OR ABS(amount) >= 1",
    "CAST(id AS DOUBLE) * 2 > amount",
]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(ALLOWED), st.sampled_from(["", " ", "\n", "\t "]))
def test_allowed_expressions_count_as_plain_polars_does(expression: str, pad: str) -> None:
    text = f"{pad}{expression}{pad}"
    result = PolarsEngine(PolarsConfig()).check(
        FRAME, dq.RuleSet(rules=(dq.Expression(id="r", expression=text),))
    )
    verdict = FRAME.select(pl.sql_expr(text).alias("ok")).to_series()
    assert result.results[0].element_count == verdict.is_not_null().sum()
    assert result.results[0].failed_count == (verdict == False).sum()  # noqa: E712
