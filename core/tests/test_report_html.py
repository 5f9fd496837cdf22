"""The HTML report: self-contained, no script, every fact of the run, inert whatever the data."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import dq
from dq.output import _report
from dq.output._html_profile import render_profile_html
from hypothesis import given, settings
from report_cases import any_profile, any_result, orders_profile, orders_result, orders_rules

#: Every element the renderer writes; anything else came from data.
TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "section", "article",
    "footer", "h1", "h2", "h3", "p", "span", "div", "code", "dl", "dt", "dd", "ul", "li", "a",
    "table", "thead", "tbody", "tr", "th", "td", "svg", "line", "rect",
}  # fmt: skip
ATTRS = {
    "lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "style", "role",
    "aria-label", "title", "viewbox", "preserveaspectratio", "x1", "x2", "y1", "y2", "x", "y",
    "width", "height", "rx",
}  # fmt: skip


class Page(HTMLParser):
    """What a browser would build: elements, attributes, and the text a reader sees."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.comments: list[str] = []
        self._hidden = 0  # inside <style> or <title>: not page text
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._hidden += tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("style", "title")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def assert_inert(source: str) -> Page:
    page = Page(source)
    assert not page.comments
    assert "<script" not in source.lower()
    for tag, attrs in page.tags:
        assert tag in TAGS, tag
        assert set(attrs) <= ATTRS, (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on")
            if name == "href":
                assert value is not None and re.fullmatch(r"#rule-\d+", value), value
            if name in ("id", "class", "style", "role"):
                # the renderer's own vocabulary: nothing from data reaches these
                assert value is not None and re.fullmatch(r"[a-z0-9 :.%;-]+", value), value
    return page


def fetches(source: str) -> list[str]:
    """Every URL the parsed page could load: src/href/srcset/poster/data attributes, and
    url() or @import in its CSS (the <style> element and style attributes), but data:."""
    page = Page(source)
    found = [
        value or ""
        for _, attrs in page.tags
        for name, value in attrs.items()
        if name in ("src", "href", "srcset", "poster", "data", "action", "xlink:href")
    ]
    css = re.findall(r"<style>(.*?)</style>", source, re.DOTALL)
    css += [attrs.get("style") or "" for _, attrs in page.tags]
    for block in css:
        found += re.findall(r"url\(\s*['\"]?([^'\")]*)", block, re.IGNORECASE)
        found += ["@import"] * block.count("@import")
    return [u for u in found if not u.startswith(("data:", "#"))]


def test_the_page_carries_every_fact_of_the_run() -> None:
    source = _report.render(
        orders_result(),
        "html",
        source="exports/orders.parquet",
        suite="orders",
        tenant="acme",
        rules=orders_rules(),
    )
    page = assert_inert(source)
    words = page.words
    assert "FAILED" in words
    assert "3 of 7 rules failed (2 errors, 1 warning)" in words
    for fact in ("orders", "acme", "exports/orders.parquet", "polars", "1,000,000",
                 "2026-11-25 14:29:26 UTC", "0.84 s"):  # fmt: skip
        assert fact in words, fact
    assert "4 of 1,000,000 rows failed (0.0004%)" in words and "0.00%" not in words
    assert "Each order appears once" in words
    assert "passed (mostly 0.95: 97.2% passing)" in words
    assert "warning failed (not gating)" in words
    assert "cannot read customers.csv: no such file" in words
    assert "newest value is 4 h old" in words
    # failing rows with their key (a table headed by the key column) and row numbers
    assert "order_id 100012 100056" in words
    assert "row 17 912,345" in words
    # failure rates as bars: widths in percent of the track, a sliver for tiny rates
    assert 'style="width:1.00%"' in source and 'style="width:2.80%"' in source


def test_the_page_fetches_nothing_and_forbids_fetching() -> None:
    source = _report.render(orders_result(), "html", profile=orders_profile())
    assert fetches(source) == []
    assert not re.search(r"https?://", source)
    assert "Content-Security-Policy" in source and "default-src 'none'" in source


def test_the_profile_section_shows_null_rates_distributions_and_top_values() -> None:
    source = _report.render(orders_result(), "html", profile=orders_profile())
    words = assert_inert(source).words
    assert "Profile: 1,000,000 rows, 2 columns" in words
    assert "1,234 null (0.12%)" in words and "150,000 null (15.0%)" in words
    assert "'shipped' 610,000 (61.0%)" in words
    assert '<svg class="box"' in source  # amount: min, quartiles, max as a box plot


def test_dq_profile_html_is_a_page_of_its_own() -> None:
    source = render_profile_html(orders_profile(), source="orders.csv")
    words = assert_inert(source).words
    assert words.startswith("PROFILE orders.csv rows 1,000,000 columns 2")
    assert fetches(source) == []


@settings(max_examples=80, deadline=None)
@given(any_result(), any_profile())
def test_no_text_in_any_field_makes_a_tag_or_an_attribute(
    result: dq.CheckResult, profile: dq.Profile
) -> None:
    source = _report.render(
        result, "html", source="s<b>", suite="x\"'>", tenant="&t", profile=profile
    )
    page = assert_inert(source)
    assert fetches(source) == []
    assert [t for t, _ in page.tags].count("article") == len(result.results) + len(profile.columns)
    # every rule id a reader can find, as written (control characters shown escaped)
    for rule in result.results:
        assert _visible(rule.rule_id).strip() in " ".join(page.text) or not rule.rule_id.strip()


def _visible(text: str) -> str:
    from dq.output._escape import visible

    return visible(text)
