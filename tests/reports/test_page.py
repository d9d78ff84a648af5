"""Tests of the report's HTML building blocks."""

import base64

from report_fixtures import parse_page

from mobsim.reports import page


def test_number_carries_exact_value_and_escaped_text() -> None:
    html = page.number("t-full-median", 1 / 3, "0.3 <min>")
    parsed = parse_page(html)
    assert float(parsed.values["t-full-median"]) == 1 / 3
    assert parsed.texts["t-full-median"] == "0.3 <min>" and "<min>" not in html


def test_never_is_written_as_inf_and_printed_as_never() -> None:
    parsed = parse_page(page.number("x", float("inf"), page.minutes_text(float("inf")), "td"))
    assert parsed.values["x"] == "inf" and parsed.texts["x"] == "never"


def test_figure_embeds_the_png_bytes() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    parsed = parse_page(page.figure(png, "alt", "caption & more"))
    assert parsed.images == [png] and "caption & more" in parsed.text
    assert base64.b64encode(png).decode() in page.figure(png, "a", "c")


def test_table_keeps_numbered_cells_and_wraps_plain_ones() -> None:
    html = page.table(["a", "b"], [["x", page.number("n", 2.0, "2", "td")]])
    assert html.count("<td") == 2 and '<td id="n"' in html and "<td>x</td>" in html


def test_formats() -> None:
    assert page.minutes_text(123.456) == "123.5"
    assert page.percent_text(0.98765) == "98.8%"
    assert page.count_text(12518.0) == "12,518" and page.count_text(3.25) == "3.2"


def test_document_has_no_script_and_declares_utf8() -> None:
    html = page.document("a < b", page.section("s", page.paragraph("p", "note")))
    assert "<script" not in html and 'charset="utf-8"' in html and "a &lt; b" in html
