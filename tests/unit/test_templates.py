"""Templates rendered on a notice: Italian amounts and dates, HTML escaped in the HTML part only,
strict about undefined values, sandboxed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from creditbox.application.templates import (
    SAMPLE_LETTERHEAD,
    TEMPLATE_ACTIONS,
    render,
    sample_notice,
    template_context,
)
from creditbox.domain.errors import InvalidCommand


def _context(name: str = "Maria <b>Bianchi</b> & figli") -> dict[str, object]:
    notice = replace(sample_notice(TEMPLATE_ACTIONS["sollecito-email"]), customer_name=name)
    return template_context(notice, SAMPLE_LETTERHEAD)


def test_amounts_and_dates_are_written_the_italian_way() -> None:
    text = render(
        "{% for b in bollette %}{{ b.residuo }} {{ b.scadenza }}|{% endfor %}{{ totale }}", "text", _context()
    )
    assert text == "123,45 € 03/12/2025|934,56 € 02/01/2026|87,10 € 04/02/2026|1.145,11 €"


def test_the_html_part_is_escaped_and_the_text_part_is_not() -> None:
    assert (
        render("<p>{{ cliente.nome }}</p>", "html", _context()) == "<p>Maria &lt;b&gt;Bianchi&lt;/b&gt; &amp; figli</p>"
    )
    assert render("{{ cliente.nome }}", "text", _context()) == "Maria <b>Bianchi</b> & figli"


def test_an_undefined_value_is_an_error_never_an_empty_text() -> None:
    with pytest.raises(InvalidCommand, match=r"valore mancante .*'tech'"):
        render("{{ parametri.tech }}", "text", {**_context(), "parametri": {}})
    assert render("{% if parametri.tech is defined %}x{% endif %}", "text", {**_context(), "parametri": {}}) == ""


def test_the_sandbox_refuses_python_internals() -> None:
    with pytest.raises(InvalidCommand):
        render("{{ cliente.__class__.__mro__ }}", "text", _context())
