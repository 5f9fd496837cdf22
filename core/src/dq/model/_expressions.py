"""What an ``expression`` rule may contain: a row condition, never a query.

Engines evaluate expression rules as polars SQL (``pl.sql_expr``), and polars SQL
is a whole query language: table functions (``read_csv('http://…')``,
``read_parquet('/etc/…')``), subqueries, windows. A rules file is data a reviewer
reads, so core checks every expression *before* any engine sees it (the
:class:`~dq.model._rules.Expression` validator), which protects every engine,
installed or future.

The check is an allow-list over a small tokenizer for the allowed grammar (no SQL
parser dependency in dq-core, decision 20):

* every character must belong to a token dq knows: whitespace, a number, a
  ``'string'``, a ``"quoted identifier"``, a bare identifier or keyword, or one of
  the operator characters. Comments (``--``, ``/* */``), ``;``, ``.`` outside a
  number, brackets, braces, back-ticks, ``$ @ # ?`` are refused: none is needed
  for a row condition, and each is a way to hide text from a reader;
* a name (bare or quoted, any case) followed by ``(`` is a function call and must
  be one of :data:`ALLOWED_FUNCTIONS`, scalar functions that read only their
  arguments; operator keywords (``IN (…)``) and type names (``AS DECIMAL(10, 2)``)
  are not calls;
* query keywords (``SELECT``, ``FROM``, ``WITH``, ``VALUES``, ``TABLE``, ``OVER``
  …, :data:`FORBIDDEN_KEYWORDS`) are refused anywhere outside quotes; a column
  with such a name is written quoted (``"from"``).

Strings are read twice, with and without backslash escapes: whichever way an
engine's dialect reads ``'\\'``, text it would treat as code is checked as code.
A *syntax* error made only of allowed tokens (``x >>> (``) is not a safety
matter and is left to the engine, which reports the rule as an error.
"""

from __future__ import annotations

from collections.abc import Iterator

#: Scalar functions of polars SQL that compute from their arguments only.
ALLOWED_FUNCTIONS = frozenset(
    """
    abs acos acosd asin asind atan atan2 atan2d atand cbrt ceil ceiling cos cosd cot cotd
    degrees div exp floor ln log log10 log1p log2 mod pi pow power radians round sign
    sin sind sqrt tan tand
    bit_length btrim char_length character_length concat concat_ws ends_with initcap
    left length lower ltrim normalize octet_length regexp_like replace reverse right
    rtrim split_part starts_with strpos substr substring trim upper
    coalesce greatest if ifnull least nullif nvl
    date date_part strftime strptime timestamp
    cast try_cast isnan is_nan
    """.split()
)

#: Words that start or shape a query, a window or a statement: never in a row condition.
FORBIDDEN_KEYWORDS = frozenset(
    """
    select from with values table join union intersect except where group having order
    limit offset fetch over window partition qualify filter within exists any all some
    lateral into using natural cross copy attach detach load install pragma create
    drop insert update delete merge show explain describe set reset truncate call execute
    prepare grant revoke begin commit rollback use import export
    """.split()
)

#: Keywords that may stand before ``(`` without being a function call.
_OPERATOR_KEYWORDS = frozenset(
    "and or not in is between like ilike similar to escape case when then else end "
    "null true false distinct as collate".split()
)

#: Aggregates get their own message: they are safe, but not a condition on one row.
_AGGREGATES = frozenset(
    "sum count avg mean min max median stddev stdev std variance var first last "
    "string_agg array_agg".split()
)

_OPERATOR_CHARS = frozenset("+-*/%=<>!|&^~(),:")
_SPACE = frozenset(" \t\n\r\f\v")


class ExpressionRefused(ValueError):
    """An expression holds something a row condition must not (names what)."""


def _tokens(text: str, *, backslash_escapes: bool) -> Iterator[tuple[str, str, bool]]:
    """``(kind, text, quoted)`` for each token; refuses characters outside the grammar."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _SPACE:
            i += 1
        elif c == "'" or c == '"':
            j = i + 1
            value: list[str] = []
            while True:
                if j >= n:  # a syntax error, not a hiding place: nothing follows it
                    return
                if backslash_escapes and text[j] == "\\" and j + 1 < n:
                    value.append(text[j + 1])
                    j += 2
                elif text[j] == c:
                    if j + 1 < n and text[j + 1] == c:  # doubled quote: a literal quote
                        value.append(c)
                        j += 2
                    else:
                        break
                else:
                    value.append(text[j])
                    j += 1
            yield ("string" if c == "'" else "name", "".join(value), True)
            i = j + 1
        elif c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i
            while j < n and (text[j].isdigit() or text[j] == "."):
                j += 1
            if j < n and text[j] in "eE":
                k = j + 1
                if k < n and text[k] in "+-":
                    k += 1
                if k < n and text[k].isdigit():
                    j = k
                    while j < n and text[j].isdigit():
                        j += 1
            yield ("number", text[i:j], False)
            i = j
        elif c.isalpha() or c == "_":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            yield ("name", text[i:j], False)
            i = j
        elif c in _OPERATOR_CHARS:
            if text.startswith("--", i) or text.startswith("/*", i):
                raise ExpressionRefused("comments are not allowed")
            yield ("op", c, False)
            i += 1
        else:
            raise ExpressionRefused(f"character {c!r} is not allowed")


def _check(text: str, *, backslash_escapes: bool) -> None:
    tokens = list(_tokens(text, backslash_escapes=backslash_escapes))
    for index, (kind, value, quoted) in enumerate(tokens):
        if kind != "name":
            continue
        word = value.lower()
        before = [t[1].lower() for t in tokens[max(0, index - 2) : index]]
        if not quoted and word in FORBIDDEN_KEYWORDS:
            if word == "from" and ("distinct" in before[-1:] or before[-2:] == ["distinct"]):
                continue  # IS [NOT] DISTINCT FROM
            raise ExpressionRefused(
                f"keyword {value.upper()} is not allowed (an expression is a condition on "
                "one row, not a query); quote a column with that name"
            )
        calls = index + 1 < len(tokens) and tokens[index + 1] == ("op", "(", False)
        if not calls or (not quoted and word in _OPERATOR_KEYWORDS):
            continue
        type_name = before[-1:] == ["as"] or before[-2:] == [":", ":"]
        if type_name and not quoted:
            continue  # CAST(x AS DECIMAL(10, 2)), x::VARCHAR(5)
        if word in _AGGREGATES:
            raise ExpressionRefused(
                f"aggregate function {value!r} is not allowed: an expression is a condition "
                "on one row (use row_count or unique for table-level checks)"
            )
        if word not in ALLOWED_FUNCTIONS:
            raise ExpressionRefused(
                f"function {value!r} is not allowed: an expression may call only scalar "
                "functions (see docs/rules.md); table functions, files and URLs are refused"
            )


def check_expression(text: str) -> None:
    """Raise :class:`ExpressionRefused` unless *text* is a plain row condition."""
    if not isinstance(text, str):
        return  # the type is the converter's business
    for backslash_escapes in (False, True):
        _check(text, backslash_escapes=backslash_escapes)
