"""Whatever a user feeds ``dq`` — any bytes as a rules file, a suite or dq.toml, any CSV — it
answers with a documented exit code and ``dq: error:`` lines, never a Python traceback.

The CLI runs in-process (``dq.cli.main``) so hypothesis can try hundreds of inputs quickly.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from dq.cli import main
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from spy_site import make_work

DOCUMENTED = {0, 1, 2, 3}

#: Text shaped like dq's files, so hypothesis reaches past the parser as well as into it.
_WORDS = st.sampled_from(
    [
        "[[rules]]\n", "[rules]\n", "[[rules.rules]]\n", "[output]\n", "[notify]\n", "[policy]\n",
        "[plugins]\n", "[engines.spy]\n", "[notify.channels.x]\n", "[secrets.backends.v]\n",
        'check = "not_null"\n', 'check = "between"\n', 'check = "nope"\n', 'column = "a"\n',
        "min = 1\n", "max = 0\n", "mostly = 2\n", 'severity = "warning"\n', 'severity = 3\n',
        'format = "jsn"\n', 'type = "chatter"\n', 'type = "x"\n', 'on = ["failed"]\n',
        "levels = [1]\n", 'source = "data.csv"\n', 'engine = "spy"\n', "rules = 5\n",
        'rules = "r.toml"\n', "sample_size = -1\n", 'tenant_scoping = "x"\n',
        "x = {a = [1, {b = 2}]}\n",
        '"quoted key" = """\nmulti\n"""\n', "[a]\n[a]\n", "= 1\n", "[[\n", "\x00", "😀 = 1\n",
        'expression = "a > 1"\n', 'expression = "(select 1)"\n', "deny = \"x\"\n",
    ]
)  # fmt: skip
_DOCUMENTS = st.one_of(
    st.lists(_WORDS, max_size=12).map("".join),
    st.text(max_size=300),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)
_CSV = st.one_of(
    st.lists(
        st.lists(st.sampled_from(["1", "2.5", "x", "", '"a,b"', "2024-01-31", "2024-13-99",
                                  "2024-01-31T10:00:00+02:00", '"', "\n", "NaN", "-"]),
                 min_size=1, max_size=4),
        max_size=8,
    ).map(lambda rows: "a,b\n" + "".join(",".join(r) + "\n" for r in rows)),
    st.text(alphabet=string.printable, max_size=200),
    st.binary(max_size=120).map(lambda b: b.decode("latin-1")),
)  # fmt: skip

_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_work(tmp_path, monkeypatch)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> None:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out, err
    assert "internal error" not in err, err
    assert code in DOCUMENTED, (code, err)
    if code in (2, 3):
        assert err.strip(), "an error exit says why"


@pytest.mark.parametrize("suffix", [".toml", ".yaml", ".json"])
@_SETTINGS
@given(text=_DOCUMENTS)
@example(text='[[rules]]\ncheck = "between"\ncolumn = "a"\nmin = ' + "9" * 5000 + "\n")
def test_any_rules_file(
    work: Path, capsys: pytest.CaptureFixture[str], suffix: str, text: str
) -> None:
    path = work / f"r{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _run(capsys, "check", "data.csv", "-r", path.name, "-e", "spy")


@_SETTINGS
@given(text=_DOCUMENTS)
@example(text="a: 2024-99-99\n")
def test_any_suite_file(work: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    (work / "r.toml").write_text('[[rules]]\ncheck = "not_null"\ncolumn = "a"\n')
    for name in ("s.toml", "s.yaml"):
        (work / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        _run(capsys, "run", name, "--no-notify")


@_SETTINGS
@given(text=_DOCUMENTS)
def test_any_dq_toml(work: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    (work / "dq.toml").write_text(text, encoding="utf-8", errors="surrogatepass")
    (work / "r.toml").write_text('[[rules]]\ncheck = "not_null"\ncolumn = "a"\n')
    _run(capsys, "check", "data.csv", "-r", "r.toml", "-e", "spy")
    _run(capsys, "plugins", "list")


@_SETTINGS
@given(text=_CSV)
@example(text="a,b\n" + "1,2\n" * 200 + "x,2\n")
@example(text="a,b\n1,2\n3,4,5\n")
def test_any_csv(work: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    (work / "in.csv").write_text(text, encoding="utf-8", errors="surrogatepass")
    (work / "r.toml").write_text('[[rules]]\ncheck = "not_null"\ncolumn = "a"\n')
    _run(capsys, "check", "in.csv", "-r", "r.toml", "-e", "spy")
