"""The channel configuration and the templates on SQLite and PostgreSQL: versions with who/when/why,
the history with what changed, ``expected_version``, the group's defaults under each company's own,
secrets only as references; templates checked when saved (unknown variables and fields, syntax errors
with their line, an SMS too long); the composer on a real position; the router choosing the adapter
by company; the outbox retrying an action whose position cannot be read."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from creditbox.application.channel_config import InvalidChannelDocument
from creditbox.application.composer import UnreadablePosition
from creditbox.application.ports import PENDING, SENT, ChannelError
from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.application.templates import parse_action
from creditbox.bootstrap import Container
from creditbox.domain.channel_document import GROUP
from creditbox.domain.errors import Conflict
from creditbox.infrastructure.channels.files import FileChannel
from tests.builders import details, supply
from tests.integration.sms_gateway import running_gateway

FIRST_SMS = "ACQ/C1/S1/1/1"
RUN_ON = date(2026, 2, 10)


def _companies(c: Container) -> None:
    c.companies.register("ACQ", "Acque", by="test")
    c.companies.register("GAS", "Gas", by="test")


def _position_with_an_sms(c: Container, company: str = "ACQ", customer: str = "C1") -> None:
    """Two overdue bills on one supply, the first partly paid; the dunning run sends the first SMS."""
    records = [
        CustomerRecord(
            customer,
            details(name="Maria Bianchi", mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma"),
        ),
        SupplyRecord(customer, supply("S1")),
        BillRecord("B-1", customer, "S1", date(2025, 12, 1), date(2026, 1, 10), Decimal("100.00")),
        BillRecord("B-2", customer, "S1", date(2026, 1, 2), date(2026, 1, 31), Decimal("250.40")),
        PaymentRecord("P-1", customer, date(2026, 1, 20), Decimal("40.00"), "B-1"),
    ]
    c.ingestor().ingest(company, records, by="test")
    c.dunning().run_due(company, RUN_ON)
    c.projections.catch_up()


def test_the_configuration_is_versioned_with_who_when_why_and_what_changed(container: Container) -> None:
    _companies(container)
    service = container.channel_config()
    assert service.current("ACQ").version == 0  # nothing saved: the defaults
    first = service.change(
        "acq",
        {"channels": {"sms": {"sender": "ACQUE"}}, "payment_days": 20},
        by="anna",
        note="delibera 3/2026",
        source="cli",
    )
    assert first.changed and first.version.version == 1 and first.version.by == "anna"
    assert (first.version.note, first.version.source) == ("delibera 3/2026", "cli")
    assert first.version.at == container.clock.now()
    same = service.change("ACQ", {"channels": {"sms": {"sender": "ACQUE"}}, "payment_days": 20}, by="bruno")
    assert not same.changed and same.version.version == 1  # identical: no new version
    with pytest.raises(Conflict):
        service.change("ACQ", {"payment_days": 30}, by="bruno", expected_version=0)
    second = service.change("ACQ", {"channels": {"sms": {"sender": "ACQUE-SPA"}}}, by="bruno", expected_version=1)
    assert second.version.version == 2
    assert second.fields == ("channels.sms.sender", "payment_days")
    history = service.history("ACQ")
    assert [(h.version.version, h.version.by) for h in history] == [(1, "anna"), (2, "bruno")]
    assert history[0].fields == ("channels", "payment_days")
    assert service.version("ACQ", 1).document["payment_days"] == 20
    assert service.current("GAS").version == 0  # another company untouched


def test_a_company_inherits_the_group_defaults_and_overrides_field_by_field(container: Container) -> None:
    _companies(container)
    service = container.channel_config()
    service.change(
        GROUP,
        {
            "channels": {
                "sms": {
                    "adapter": "sms-http",
                    "options": {"url": "https://sms.example.it/send", "timeout_seconds": 5},
                    "secrets": {"token": "env:GROUP_SMS_TOKEN"},
                }
            },
            "letterhead": {"iban": "IT60X0542811101000000123456", "payment_instructions": "PagoPA"},
            "sms_max_parts": 2,
        },
        by="gruppo",
    )
    service.change(
        "ACQ",
        {
            "channels": {"sms": {"sender": "ACQUE", "options": {"timeout_seconds": 8}}},
            "letterhead": {"name": "Acque S.p.A."},
        },
        by="anna",
    )
    acq = service.effective("ACQ")
    assert acq.adapter_of("sms") == "sms-http" and acq.adapter_of("email") == "file"
    assert acq.channel("sms")["options"] == {"url": "https://sms.example.it/send", "timeout_seconds": 8}
    assert acq.channel("sms")["sender"] == "ACQUE"
    assert acq.letterhead().name == "Acque S.p.A." and acq.letterhead().iban == "IT60X0542811101000000123456"
    assert (acq.sms_max_parts, acq.payment_days) == (2, 15)
    gas = service.effective("GAS")
    assert gas.letterhead().name == "Gas" and gas.channel("sms")["sender"] == ""
    assert acq.stamp == (1, 1) and gas.stamp == (1, 0)


def test_a_wrong_document_is_refused_whole_and_a_secret_value_is_never_repeated(container: Container) -> None:
    _companies(container)
    service = container.channel_config()
    with pytest.raises(InvalidChannelDocument) as refused:
        service.change(
            "ACQ",
            {
                "channels": {
                    "fax": {"adapter": "file"},
                    "sms": {"adapter": "piccione", "secrets": {"token": "s3cr3t-valore"}},
                },
                "letterhead": {"iban": "IT00"},
                "payment_days": 0,
            },
            by="anna",
        )
    fields = [p.field for p in refused.value.problems]
    assert fields == [
        "channels.fax",
        "channels.sms.adapter",
        "channels.sms.secrets.token",
        "letterhead.iban",
        "payment_days",
    ]
    assert "s3cr3t-valore" not in str(refused.value)
    assert "piccione" in str(refused.value) and "sms-http" in str(refused.value)
    assert service.current("ACQ").version == 0  # nothing saved


def test_templates_are_versioned_per_company_over_the_group_and_the_package(container: Container) -> None:
    _companies(container)
    templates = container.message_templates()
    assert templates.get("ACQ", "sollecito-sms", "testo").origin == "predefinito"
    templates.set(GROUP, "1", "text", "{{ azienda.nome }}: da pagare {{ totale }} entro il {{ scadenza }}.", by="g")
    assert templates.get("ACQ", "Sollecito SMS", "text").origin == "gruppo"
    revision = templates.set(
        "ACQ", "sollecito-sms", "text", "Gentile {{ cliente.nome }}, paghi {{ totale }}.", by="anna", note="più breve"
    )
    assert revision.version.version == 1 and revision.fields == ("sollecito-sms",)
    view = templates.get("ACQ", "sollecito-sms", "text")
    assert (view.origin, view.source) == ("azienda", "Gentile {{ cliente.nome }}, paghi {{ totale }}.")
    assert templates.get("GAS", "sollecito-sms", "text").origin == "gruppo"
    templates.set("ACQ", "sollecito-email", "oggetto", "Promemoria {{ cliente.codice }}", by="anna")
    reset = templates.set("ACQ", "sollecito-sms", "text", None, by="anna", expected_version=2)
    assert reset.version.version == 3 and reset.fields == ("sollecito-sms",)
    assert templates.get("ACQ", "sollecito-sms", "text").origin == "gruppo"
    with pytest.raises(Conflict):
        templates.set("ACQ", "sollecito-sms", "text", "{{ totale }}", by="anna", expected_version=1)
    assert [h.fields for h in templates.history("ACQ")] == [
        ("sollecito-sms",),
        ("sollecito-email",),
        ("sollecito-sms",),
    ]
    assert len(templates.in_force("ACQ")) == sum(
        len(parse_action(a).parts)
        for a in (
            "sollecito-sms",
            "sollecito-email",
            "sollecito-bonario",
            "sollecito-ar",
            "pec",
            "agenzia",
            "ufficio-tecnico",
            "richiesta-stralcio",
            "piano-di-rientro",
            "contenzioso",
            "riattivazione",
        )
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Gentile {{ cliente.nomee }}", "campo sconosciuto 'nomee'"),
        ("{% for b in bollette %}{{ b.importo_x }}{% endfor %}", "riga 1: campo sconosciuto 'importo_x'"),
        ("Saldo {{ saldo }}", "variabile sconosciuta 'saldo'"),
        ("Riga uno\nriga due {{ totale }\nriga tre", "errore di sintassi alla riga 2"),
        ("Riga uno\n{% if totale %}\nniente fine", "errore di sintassi alla riga 2"),
        ("{{ bollette.numero }}", "su un elenco"),
        ("{{ totale | pippo }}", "pippo"),
        (
            "{% for b in bollette %}{{ b.numero }} {{ b.residuo }} {{ cliente.nome }} {% endfor %}" * 4,
            "4 SMS (536 caratteri GSM-7), al più 3 SMS",
        ),
    ],
)
def test_a_template_with_a_mistake_is_refused_and_nothing_saved(
    container: Container, source: str, expected: str
) -> None:
    _companies(container)
    templates = container.message_templates()
    with pytest.raises(InvalidChannelDocument) as refused:
        templates.set("ACQ", "sollecito-sms", "text", source, by="anna")
    assert expected in str(refused.value)
    assert templates.current("ACQ").version == 0


def test_the_composer_writes_the_bills_residuals_total_and_deadline_of_the_position(container: Container) -> None:
    c = container
    _companies(c)
    c.channel_config().change(
        "ACQ",
        {"letterhead": {"name": "Acque S.p.A.", "iban": "IT60X0542811101000000123456"}, "payment_days": 20},
        by="anna",
    )
    c.message_templates().set(
        "ACQ",
        "sollecito-sms",
        "text",
        "{{ azienda.nome }}: {% for b in bollette %}{{ b.numero }} resta {{ b.residuo }}; {% endfor %}"
        "totale {{ totale }} entro il {{ scadenza }}",
        by="anna",
    )
    _position_with_an_sms(c)
    [entry] = c.outbox().list("ACQ")
    message = c.composer().message_of(entry)
    deadline = RUN_ON + timedelta(days=20)
    assert message.text == (
        f"Acque S.p.A.: B-1 resta 60,00 €; B-2 resta 250,40 €; totale 310,40 € entro il {deadline:%d/%m/%Y}"
    )
    assert message.recipient == "3331234567" and message.channel == "sms"
    notice = message.notice
    assert notice is not None and notice.total == Decimal("310.40") and notice.deadline == deadline
    assert [(b.number, b.residual) for b in notice.bills] == [("B-1", Decimal("60.00")), ("B-2", Decimal("250.40"))]
    assert notice.address is not None and notice.address.lines() == ("Via Roma 1", "00184 Roma")
    assert message.letterhead is not None and message.letterhead.iban == "IT60X0542811101000000123456"
    # The e-mail of the same position (a preview: nothing sent): the package's default, text and HTML
    email = c.composer().preview("ACQ", "C1", parse_action("sollecito-email"), RUN_ON)
    assert "B-2" in email.text and "250,40 €" in email.text and "310,40 €" in email.text
    assert f"{deadline:%d/%m/%Y}" in email.text and "IT60X0542811101000000123456" in email.text
    assert email.html is not None and "<td>60,00 €</td>" in email.html
    assert email.subject == "Sollecito e-mail - codice cliente C1"


def test_the_router_sends_through_the_adapter_of_each_company(container: Container) -> None:
    c = container
    _companies(c)
    with running_gateway() as gateway:
        c.channel_config().change(
            "ACQ",
            {"channels": {"sms": {"adapter": "sms-http", "sender": "ACQUE", "options": gateway.options(auth="none")}}},
            by="anna",
        )
        _position_with_an_sms(c, "ACQ")
        _position_with_an_sms(c, "GAS")
        outbox = c.outbox()
        assert outbox.send(FIRST_SMS).result == "sent"
        assert outbox.send("GAS/C1/S1/1/1").result == "sent"
        assert list(gateway.state.accepted) == [FIRST_SMS]  # ACQ through its gateway
        body = gateway.state.accepted[FIRST_SMS]
        assert (body["to"], body["sender"]) == ("+393331234567", "ACQUE") and "310,40 €" in body["text"]
        files = c.channel()
        assert isinstance(files, FileChannel)
        assert files.messages("GAS", "sms") == ["GAS/C1/S1/1/1"] and files.messages("ACQ", "sms") == []
        router = c.channel_router()
        assert router.status(FIRST_SMS) == "sent"  # asked the gateway
        assert router.adapter("ACQ", "sms") is router.adapter("ACQ", "sms")  # cached
        c.channel_config().change("ACQ", {"channels": {"sms": {"adapter": "file"}}}, by="anna")
        assert isinstance(router.adapter("ACQ", "sms"), FileChannel)  # a new version: built again
        # a gateway without its url cannot be built: sending fails clearly, the status is unknown
        c.channel_config().change("ACQ", {"channels": {"sms": {"adapter": "sms-http"}}}, by="anna")
        with pytest.raises(ChannelError, match="manca l'opzione url"):
            router.adapter("ACQ", "sms")
        assert router.status("ACQ/C9/S1/1/1") == "unknown"


def test_an_action_whose_position_cannot_be_read_is_retried_never_sent_with_made_up_content(
    container: Container,
) -> None:
    c = container
    _companies(c)
    _position_with_an_sms(c)
    [entry] = c.outbox().list("ACQ")
    broken = type(entry)(**{**entry.__dict__, "case_id": "S9/9"})
    with pytest.raises(UnreadablePosition):
        c.composer().message_of(broken)
    store_entry = c.outbox().get(FIRST_SMS)
    assert store_entry is not None and store_entry.status == PENDING
    # the configuration names an adapter that is gone: the send fails clearly and is retried
    c.channel_config().documents.save(
        "ACQ",
        {"channels": {"sms": {"adapter": "piccione"}}},
        by="x",
        note=None,
        source="test",
        expected_version=None,
        what="configurazione",
    )
    outcome = c.outbox().send(FIRST_SMS)
    assert outcome.result == "retry" and "adattatore sconosciuto 'piccione'" in (outcome.error or "")
    c.channel_config().change("ACQ", {}, by="anna")  # back to the file adapter
    assert c.outbox().send(FIRST_SMS).result == "sent"
    assert c.outbox().get(FIRST_SMS).status == SENT  # type: ignore[union-attr]


def test_an_sms_longer_than_the_configured_maximum_is_not_sent(container: Container) -> None:
    c = container
    _companies(c)
    c.channel_config().change("ACQ", {"sms_max_parts": 1}, by="anna")  # the default SMS takes 2 parts
    _position_with_an_sms(c)
    outcome = c.outbox().send(FIRST_SMS)
    assert outcome.result == "retry"
    assert "SMS di ACQ/C1/S1/1/1 troppo lungo: 2 SMS" in (outcome.error or "")
    files = c.channel()
    assert isinstance(files, FileChannel) and files.messages("ACQ", "sms") == []
