"""The HTML page every dq report shares: one file, inline CSS, no script, no fetch.

A report is mailed, attached to CI runs and opened from disk years later, so it
must need nothing else: no stylesheet, font, image or script from anywhere. The
page's Content-Security-Policy (``default-src 'none'``) makes the browser refuse
any fetch even if one slipped in, and the CSS is written to read on a 390-px
phone as on a desktop (cards, wrapping ids, tables that scroll inside their box),
in light and dark mode.

Every piece of text from data, rules or plugins goes through :func:`text` (or
:func:`attr` inside an attribute) before it reaches the page.
"""

from __future__ import annotations

import html

from dq.output._escape import visible

#: Blocks every fetch (scripts, styles, images, fonts, frames, forms) but inline CSS
#: and data: images.
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

CSS = """
:root{--bg:#f6f7f9;--card:#fff;--ink:#1c2430;--muted:#5b6573;--line:#d9dee5;
--pass:#1a7f37;--pass-bg:#e6f4ea;--fail:#c62828;--fail-bg:#fdecea;--warn:#9a6700;
--warn-bg:#fff4d6;--err:#8250df;--err-bg:#f1eafe;--skip:#57606a;--skip-bg:#eef1f4;
--bar:#e3e7ec;--accent:#0b5cad}
@media (prefers-color-scheme:dark){:root{--bg:#0f1419;--card:#171d24;--ink:#e6edf3;
--muted:#9aa6b2;--line:#2d3640;--pass:#3fb950;--pass-bg:#12261a;--fail:#ff6b6b;
--fail-bg:#2c1517;--warn:#e3b341;--warn-bg:#2a2210;--err:#b692f6;--err-bg:#221a33;
--skip:#9aa6b2;--skip-bg:#1e252d;--bar:#2d3640;--accent:#58a6ff}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);line-height:1.45;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:64rem;margin:0 auto;padding:1rem}
h1{font-size:1.05rem;font-weight:600;margin:.4rem 0 .5rem;overflow-wrap:anywhere}
h1 .clause{display:block}
h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
h3{font-size:1rem;margin:0;overflow-wrap:anywhere}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;
overflow-wrap:anywhere}
a{color:var(--accent)}
.verdict{border-radius:10px;padding:1rem;border-left:6px solid var(--skip);
background:var(--card);box-shadow:0 1px 2px rgba(0,0,0,.08)}
.verdict.passed{border-color:var(--pass)}.verdict.failed{border-color:var(--fail)}
.verdict.error{border-color:var(--err)}
.word{display:inline-block;font-weight:700;letter-spacing:.04em;padding:.15rem .6rem;
border-radius:999px;font-size:.85rem}
.word.passed{background:var(--pass-bg);color:var(--pass)}
.word.failed{background:var(--fail-bg);color:var(--fail)}
.word.error{background:var(--err-bg);color:var(--err)}
.word.warned{background:var(--warn-bg);color:var(--warn)}
.word.unsupported{background:var(--skip-bg);color:var(--skip)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .75rem;margin:.75rem 0 0;
font-size:.9rem}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}
ul.tally{list-style:none;display:flex;flex-wrap:wrap;gap:.4rem;padding:0;margin:.75rem 0 0}
ul.tally li{padding:.2rem .6rem;border-radius:6px;font-size:.85rem;background:var(--skip-bg)}
ul.tally .passed{background:var(--pass-bg);color:var(--pass)}
ul.tally .failed{background:var(--fail-bg);color:var(--fail)}
ul.tally .warned{background:var(--warn-bg);color:var(--warn)}
ul.tally .error{background:var(--err-bg);color:var(--err)}
.attention{margin:.75rem 0 0;font-size:.9rem}
.attention a{margin-right:.5rem}
.cards{display:grid;gap:.75rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.8rem 1rem;
border-left:6px solid var(--line);min-width:0}
.card.passed{border-left-color:var(--pass)}.card.failed{border-left-color:var(--fail)}
.card.warned{border-left-color:var(--warn)}.card.error{border-left-color:var(--err)}
.card.unsupported{border-left-color:var(--skip)}
.card .top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}
.what{color:var(--muted);font-size:.85rem;margin:.25rem 0 0;overflow-wrap:anywhere}
.desc{margin:.4rem 0 0}
.note,.msg{margin:.4rem 0 0;font-size:.9rem;overflow-wrap:anywhere}
.msg{color:var(--muted)}
.rate{display:flex;align-items:center;gap:.6rem;margin:.5rem 0 0;font-size:.9rem}
.bar{flex:1 1 auto;height:.6rem;background:var(--bar);border-radius:999px;overflow:hidden;
min-width:4rem;max-width:24rem}
.bar>span{display:block;height:100%;background:var(--fail);border-radius:999px}
.bar.warned>span{background:var(--warn)}.bar.passed>span{background:var(--pass)}
.bar.nulls>span{background:var(--muted)}.bar.top>span{background:var(--accent)}
.scroll{overflow-x:auto;margin:.5rem 0 0;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;font-size:.85rem;min-width:50%}
th,td{text-align:left;padding:.25rem .6rem .25rem 0;border-bottom:1px solid var(--line);
vertical-align:top}
th{color:var(--muted);font-weight:600}
td.num,th.num{text-align:right}
.null{color:var(--muted);font-style:italic}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(8.5rem,1fr));gap:.3rem .9rem;
margin:.5rem 0 0;font-size:.85rem}
.stats div{min-width:0}.stats dt{color:var(--muted)}.stats dd{margin:0;overflow-wrap:anywhere}
.tops{list-style:none;padding:0;margin:.5rem 0 0;font-size:.85rem}
.tops li{display:grid;grid-template-columns:minmax(0,9rem) 1fr max-content;gap:.5rem;
align-items:center;margin:.15rem 0}
.tops .v{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
svg.box{display:block;width:100%;max-width:24rem;height:1.4rem;margin:.6rem 0 0}
svg.box .whisker{stroke:var(--muted);stroke-width:1.5}
svg.box .iqr{fill:var(--bar);stroke:var(--accent);stroke-width:1.5}
svg.box .median{stroke:var(--accent);stroke-width:3}
svg.box *{vector-effect:non-scaling-stroke}
footer{color:var(--muted);font-size:.8rem;margin:1.5rem 0 .5rem}
@media (min-width:48rem){main{padding:1.5rem 2rem}h1{font-size:1.2rem}
.cards.two{grid-template-columns:repeat(2,minmax(0,1fr))}}
"""


def text(value: object) -> str:
    """Text from anywhere, made inert: control and bidi characters shown as escapes, then
    ``& < > " '`` as entities, so no tag, attribute or entity can come from data."""
    return html.escape(visible(str(value)), quote=True)


def attr(value: object) -> str:
    """A double-quoted attribute value for text from anywhere."""
    return '"' + text(value) + '"'


def page(title: str, body: str) -> str:
    """A complete HTML document around *body*; *title* is raw text (escaped here)."""
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{text(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def width_style(share: float) -> str:
    """``style="width:12.5%"`` for a bar; a non-zero share shows at least a sliver."""
    pct = max(0.0, min(1.0, share)) * 100.0
    if 0.0 < pct < 1.0:
        pct = 1.0
    return f'style="width:{pct:.2f}%"'
