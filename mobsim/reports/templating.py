"""The report's Jinja2 environment: templates in mobsim/reports/templates, autoescaped."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup


@cache
def environment() -> Environment:
    """The shared environment: HTML and SVG templates autoescaped, undefined names an error."""
    return Environment(loader=PackageLoader("mobsim.reports", "templates"),
                       autoescape=select_autoescape(["html", "svg", "j2"], default=True),
                       undefined=StrictUndefined, trim_blocks=False, keep_trailing_newline=True)


def render(template: str, **values: object) -> Markup:
    """Render `template` with `values` (plain strings escaped, Markup kept) as Markup."""
    return Markup(environment().get_template(template).render(**values))
