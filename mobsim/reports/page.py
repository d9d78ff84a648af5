"""HTML building blocks of the report: one self-contained page, no scripts, no external files.

The page itself is a Jinja2 template (mobsim/templates, autoescaped).

Every figure printed from the tables carries an element id and its exact value in
`data-value` (`inf` for never), so a reader or a test can check it against the tables.
"""

from __future__ import annotations

import base64
import math

from markupsafe import Markup

from mobsim.reports.templating import environment, render
from mobsim.results.shares import percent_text

STYLE = """
body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem;
     border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
.meta { color: #666; font-size: 0.9rem; }
.verdict { font-weight: bold; padding: 0.1rem 0.4rem; border-radius: 0.2rem; }
.pass { background: #d5f0dc; color: #145a27; } .fail { background: #f8d7d3; color: #8a1f11; }
.undecided { background: #fdf1c7; color: #6b5200; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #444; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; }
th { background: #f2f2f2; } td:first-child, th:first-child { text-align: left; }
.note { background: #f6f6f6; padding: 0.5rem 0.8rem; border-left: 3px solid #aaa; }
td.pass, td.fail { font-weight: bold; text-align: center; }
svg.map { max-width: 100%; height: auto; font-size: 11px; }
.map-subdistrict { fill: #999; font-size: 14px; font-weight: bold; }
.map-label { fill: #222; } .map-legend { fill: #222; }
.filling { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: flex-end; }
svg.filling-map { max-width: 48%; height: auto; font-size: 11px; }
.filling-title { fill: #222; font-size: 13px; font-weight: bold; }
"""


__all__ = ["count_text", "document", "figure", "minutes_text", "number", "paragraph",
           "percent_text", "section", "table"]


def minutes_text(value: float) -> str:
    """A time in minutes as printed: one decimal, or 'never'."""
    return f"{value:.1f}" if math.isfinite(value) else "never"


def count_text(value: float) -> str:
    """A count (or mean count) as printed: thousands separated, one decimal unless whole."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _data_value(value: float | str) -> str:
    return value if isinstance(value, str) else repr(float(value))


def _parts():
    """The macros of templates/parts.html.j2."""
    return environment().get_template("parts.html.j2").module


def number(element_id: str, value: float | str, text: str, tag: str = "span",
           css_class: str | None = None) -> str:
    """An element showing `text` with its exact `value` in data-value, findable by id."""
    return str(_parts().number(element_id, _data_value(value), text, tag, css_class))


def figure(png: bytes, alt: str, caption: str) -> str:
    """A figure with the PNG embedded as base64 and a caption."""
    return str(_parts().figure(base64.b64encode(png).decode("ascii"), alt, caption))


def table(headers: list[str], rows: list[list[str]]) -> str:
    """An HTML table; cells are already HTML (plain text escaped, or `number(..., tag="td")`)."""
    return str(_parts().table(headers, [[Markup(cell) for cell in row] for row in rows]))


def section(title: str, *parts: str) -> str:
    """A titled section of the page; `parts` are already HTML."""
    return str(_parts().section(title, Markup("".join(parts))))


def paragraph(html_text: str, css_class: str | None = None) -> str:
    """A paragraph of already-escaped HTML."""
    return str(_parts().paragraph(Markup(html_text), css_class))


def document(title: str, body: str) -> str:
    """The whole page (templates/page.html.j2): UTF-8, inline style, no scripts."""
    return str(render("page.html.j2", title=title, style=Markup(STYLE), body=Markup(body)))
