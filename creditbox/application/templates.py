"""The message templates (*modelli*): per company and action, in Italian, Jinja2 in a sandbox.

Each action of the standard table has its templates (:data:`TEMPLATE_ACTIONS`, by a slug such as
``sollecito-sms``), the parts its channel needs (:data:`CHANNEL_PARTS`): the text of an SMS; the
subject, text and HTML of an e-mail or a PEC; the subject and body of a letter or of a request to an
office. The group's defaults ship with the package (``default_templates``); the group and each company
may override any of them, and those overrides are a versioned document per scope, like the channel
configuration (who, when, why; ``expected_version``).

A template sees the variables of :data:`TEMPLATE_VARIABLES` — the customer, the supplies, the overdue
bills with their residuals, the total, the deadline, the company's letterhead and payment
instructions — drawn from the action's :class:`~creditbox.application.notices.Notice` and the
:class:`~creditbox.application.notices.Letterhead`, amounts and dates already written the Italian way.

A template is checked before it is saved (:func:`check_template`): a syntax error is refused with its
line; a variable or a field that does not exist is refused (read from the template's syntax tree, so a
branch that a sample would not take is checked too); then it is rendered on a sample notice, and an SMS
longer than the configured maximum of parts is refused. Rendering is sandboxed (no access to Python
internals) and strict (an undefined value is an error, never an empty string).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, nodes
from jinja2.meta import find_undeclared_variables
from jinja2.sandbox import ImmutableSandboxedEnvironment

from creditbox.application.channel_config import (
    ACTION_CHANNELS,
    DEFAULT_SMS_MAX_PARTS,
    ChannelConfigService,
    ChannelDocuments,
    DocumentCache,
    DocumentHistoryEntry,
    DocumentProblem,
    DocumentRevision,
    InvalidChannelDocument,
)
from creditbox.application.companies import CompanyDirectory
from creditbox.application.default_templates import DEFAULT_TEMPLATES
from creditbox.application.notices import Letterhead, Notice, NoticeBill, NoticeSupply, PostalAddress
from creditbox.application.ports import EventStore
from creditbox.clock import Clock
from creditbox.domain.channel_document import GROUP, TEMPLATES, DocumentVersion, normalise_scope
from creditbox.domain.codes import ActionCode, normalise_label
from creditbox.domain.errors import InvalidCommand, NotFound
from creditbox.domain.money import format_euro
from creditbox.domain.sms_length import sms_length


@dataclass(frozen=True)
class TemplateAction:
    """The actions templates are written for: an action code of the table, or the reactivation request."""

    slug: str
    label: str
    channel: str
    action_code: ActionCode

    @property
    def parts(self) -> tuple[str, ...]:
        return CHANNEL_PARTS.get(self.channel, ("subject", "text"))


REACTIVATION = "riattivazione"
_SLUGS: dict[ActionCode, str] = {
    ActionCode.SMS: "sollecito-sms",
    ActionCode.EMAIL: "sollecito-email",
    ActionCode.FRIENDLY_REMINDER: "sollecito-bonario",
    ActionCode.REGISTERED_LETTER: "sollecito-ar",
    ActionCode.PEC: "pec",
    ActionCode.COLLECTION_AGENCY: "agenzia",
    ActionCode.TECHNICAL_OFFICE: "ufficio-tecnico",
    ActionCode.WRITE_OFF_REQUEST: "richiesta-stralcio",
    ActionCode.REPAYMENT_PLAN: "piano-di-rientro",
    ActionCode.LITIGATION: "contenzioso",
}
TEMPLATE_ACTIONS: dict[str, TemplateAction] = {
    **{slug: TemplateAction(slug, code.label, ACTION_CHANNELS[code], code) for code, slug in _SLUGS.items()},
    REACTIVATION: TemplateAction(
        REACTIVATION, "Richiesta di riattivazione", "ufficio_tecnico", ActionCode.TECHNICAL_OFFICE
    ),
}
CHANNEL_PARTS: dict[str, tuple[str, ...]] = {
    "sms": ("text",),
    "email": ("subject", "text", "html"),
    "pec": ("subject", "text", "html"),
}
PART_LABELS = {"subject": "oggetto", "text": "testo", "html": "testo HTML"}
_PART_WORDS = {"oggetto": "subject", "testo": "text", "html": "html", "testohtml": "html"}


def template_action(action_code: ActionCode, *, reactivation: bool = False) -> TemplateAction:
    return TEMPLATE_ACTIONS[REACTIVATION if reactivation else _SLUGS[action_code]]


def parse_action(text: str) -> TemplateAction:
    """A slug (``sollecito-sms``), an action code (``1``) or its label (``Sollecito SMS``)."""
    wanted = text.strip().lower()
    if wanted in TEMPLATE_ACTIONS:
        return TEMPLATE_ACTIONS[wanted]
    if normalise_label(wanted) in {normalise_label(REACTIVATION), "riattivazionefornitura"}:
        return TEMPLATE_ACTIONS[REACTIVATION]
    try:
        return template_action(ActionCode.parse(text))
    except ValueError:
        known = ", ".join(TEMPLATE_ACTIONS)
        raise NotFound(f"azione sconosciuta {text!r} (modelli: {known}; o il codice dell'azione)") from None


def parse_part(action: TemplateAction, text: str) -> str:
    """``subject``/``oggetto``, ``text``/``testo``, ``html``: one of the parts of the action's channel."""
    word = text.strip().lower()
    part = word if word in PART_LABELS else _PART_WORDS.get(normalise_label(word), word)
    if part not in action.parts:
        allowed = ", ".join(f"{p} ({PART_LABELS[p]})" for p in action.parts)
        raise NotFound(f"il modello {action.slug} non ha la parte {text!r} (parti: {allowed})")
    return part


# ---- the variables ------------------------------------------------------------------------------

# The shape of what a template sees: an object is a dict of its fields, a list is [its item's shape],
# a plain value is None. Names in Italian: the people who write the templates read them.
_BILL = {"numero": None, "emissione": None, "scadenza": None, "importo": None, "residuo": None, "fornitura": None}
_SUPPLY = {"codice": None, "servizio": None, "indirizzo": None}
TEMPLATE_VARIABLES: dict[str, Any] = {
    "cliente": {
        "codice": None,
        "nome": None,
        "codice_fiscale": None,
        "indirizzo": [None],
        "cellulare": None,
        "email": None,
        "pec": None,
    },
    "forniture": [_SUPPLY],
    "bollette": [_BILL],
    "totale": None,
    "scadenza": None,
    "data": None,
    "azione": {"codice": None, "descrizione": None, "chiave": None, "pratica": None, "data": None},
    "parametri": {},  # the step's own parameters (``tech``): open
    "azienda": {
        "nome": None,
        "indirizzo": [None],
        "partita_iva": None,
        "iban": None,
        "telefono": None,
        "email": None,
        "pec": None,
        "sito": None,
        "istruzioni_pagamento": None,
    },
}


def italian_date(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day is not None else ""


def template_context(notice: Notice, letterhead: Letterhead) -> dict[str, Any]:
    """What a template sees of a notice and a letterhead (every key of :data:`TEMPLATE_VARIABLES`)."""
    return {
        "cliente": {
            "codice": notice.customer_code,
            "nome": notice.customer_name,
            "codice_fiscale": notice.tax_code,
            "indirizzo": list(notice.address.lines()) if notice.address is not None else [],
            "cellulare": notice.mobile or "",
            "email": notice.email or "",
            "pec": notice.pec or "",
        },
        "forniture": [{"codice": s.code, "servizio": s.service, "indirizzo": s.address} for s in notice.supplies],
        "bollette": [
            {
                "numero": b.number,
                "emissione": italian_date(b.issue_date),
                "scadenza": italian_date(b.due_date),
                "importo": format_euro(b.amount),
                "residuo": format_euro(b.residual),
                "fornitura": b.supply_code or "",
            }
            for b in notice.bills
        ],
        "totale": format_euro(notice.total),
        "scadenza": italian_date(notice.deadline),
        "data": italian_date(notice.business_date),
        "azione": {
            "codice": notice.action_code,
            "descrizione": notice.action_label,
            "chiave": notice.action_key,
            "pratica": notice.case_id,
            "data": italian_date(notice.business_date),
        },
        "parametri": dict(notice.parameters),
        "azienda": {
            "nome": letterhead.name,
            "indirizzo": list(letterhead.address),
            "partita_iva": letterhead.vat_number,
            "iban": letterhead.iban,
            "telefono": letterhead.phone,
            "email": letterhead.email,
            "pec": letterhead.pec,
            "sito": letterhead.website,
            "istruzioni_pagamento": letterhead.payment_instructions,
        },
    }


def sample_notice(action: TemplateAction, company: str = "ACQ") -> Notice:
    """The notice a template is tried on when saved: three bills, two supplies, long-ish names."""
    day = date(2026, 3, 2)
    return Notice(
        company=company,
        action_key=f"{company}/C000123/S1/1/2",
        action_code=str(action.action_code.code),
        action_label=action.label,
        case_id="S1/1",
        business_date=day,
        customer_code="C000123",
        customer_name="Maria Bianchi Esposito",
        tax_code="BNCMRA70A41F205X",
        address=PostalAddress("Via Giuseppe Garibaldi 123", "20121", "Milano", "MI"),
        mobile="+393331234567",
        email="maria.bianchi@example.it",
        pec="maria.bianchi@pec.example.it",
        supplies=(NoticeSupply("S1", "Acqua", "Via Giuseppe Garibaldi 123, Milano"), NoticeSupply("S2", "Gas")),
        bills=(
            NoticeBill("2025/000123", date(2025, 11, 3), date(2025, 12, 3), Decimal("123.45"), Decimal("123.45"), "S1"),
            NoticeBill("2025/000456", date(2025, 12, 2), date(2026, 1, 2), Decimal("1234.56"), Decimal("934.56"), "S1"),
            NoticeBill("2026/000012", date(2026, 1, 5), date(2026, 2, 4), Decimal("87.10"), Decimal("87.10"), "S2"),
        ),
        total=Decimal("1145.11"),
        deadline=date(2026, 3, 17),
        parameters={"tech": "suspend"} if action.action_code == ActionCode.TECHNICAL_OFFICE else {},
    )


SAMPLE_LETTERHEAD = Letterhead(
    name="Azienda Servizi Idrici S.p.A.",
    address=("Corso Italia 1", "20122 Milano (MI)"),
    vat_number="01234567890",
    iban="IT60X0542811101000000123456",
    phone="02 1234567",
    email="crediti@example.it",
    pec="crediti@pec.example.it",
    website="www.example.it",
    payment_instructions="Può pagare anche presso gli sportelli o con PagoPA.",
)


# ---- checking and rendering ---------------------------------------------------------------------


@lru_cache(maxsize=2)
def _environment(html: bool) -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=html, keep_trailing_newline=True, trim_blocks=False
    )


@lru_cache(maxsize=512)
def _compiled(source: str, html: bool) -> Any:
    return _environment(html).from_string(source)


def render(source: str, part: str, context: Mapping[str, Any]) -> str:
    """The template rendered (``InvalidCommand`` naming the line when rendering fails)."""
    try:
        return str(_compiled(source, part == "html").render(**context))
    except UndefinedError as error:
        raise InvalidCommand(f"modello non applicabile: valore mancante ({error.message})") from error
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        where = f" alla riga {line}" if line else ""
        raise InvalidCommand(f"modello non applicabile{where}: {error}") from error


def check_template(
    source: str, part: str, action: TemplateAction, *, sms_max_parts: int, where: str = "template"
) -> list[DocumentProblem]:
    """Every problem of a template: syntax (with its line), unknown variables and fields, a failure on
    the sample notice, an SMS over ``sms_max_parts`` parts."""
    environment = _environment(part == "html")
    try:
        tree = environment.parse(source)
    except TemplateSyntaxError as error:
        return [DocumentProblem(where, f"errore di sintassi alla riga {error.lineno}: {error.message}")]
    try:
        undeclared = find_undeclared_variables(tree)
    except TemplateError as error:  # an unknown filter or test, found when the tree is compiled
        line = getattr(error, "lineno", None)
        return [DocumentProblem(where, f"errore alla riga {line}: {error.message}")]
    problems = [
        DocumentProblem(where, f"variabile sconosciuta {name!r} (variabili: {', '.join(TEMPLATE_VARIABLES)})")
        for name in sorted(undeclared)
        if name not in TEMPLATE_VARIABLES
    ]
    problems.extend(DocumentProblem(where, message) for message in _unknown_fields(tree))
    if problems:
        return problems
    try:
        text = render(source, part, template_context(sample_notice(action), SAMPLE_LETTERHEAD))
    except InvalidCommand as error:
        return [DocumentProblem(where, f"{error} (provato su un avviso di esempio)")]
    if not text.strip():
        return [DocumentProblem(where, "il modello produce un testo vuoto")]
    if action.channel == "sms":
        length = sms_length(text)
        if length.parts > sms_max_parts:
            problems.append(
                DocumentProblem(
                    where,
                    f"SMS troppo lungo sull'avviso di esempio: {length.describe()}, al più {sms_max_parts} SMS",
                )
            )
    return problems


def _unknown_fields(tree: nodes.Template) -> Iterator[str]:
    """``cliente.nom`` or ``b.importo_x`` inside ``{% for b in bollette %}``: fields of the known
    objects that do not exist (the loop variables of known lists are followed)."""
    yield from _walk(tree, dict(TEMPLATE_VARIABLES))


def _walk(node: nodes.Node, names: dict[str, Any]) -> Iterator[str]:
    if isinstance(node, nodes.For):
        yield from _walk(node.iter, names)
        inner = dict(names)
        shape = _shape(node.iter, names)
        if isinstance(node.target, nodes.Name):
            inner[node.target.name] = shape[0] if isinstance(shape, list) and shape else _OPEN
        for child in (*node.body, *node.else_, *([node.test] if node.test is not None else [])):
            yield from _walk(child, inner)
        return
    if isinstance(node, nodes.Getattr | nodes.Getitem):
        yield from _check_access(node, names)
    for child in node.iter_child_nodes():
        yield from _walk(child, names)


_OPEN = object()  # a value whose fields are not checked (the step's parameters, ``loop``)


def _shape(expr: nodes.Node, names: dict[str, Any]) -> Any:
    if isinstance(expr, nodes.Name):
        return names.get(expr.name, _OPEN)
    if isinstance(expr, nodes.Getattr | nodes.Getitem):
        key = _key(expr)
        outer = _shape(expr.node, names)
        if isinstance(outer, dict) and outer and isinstance(key, str):
            return outer.get(key, _OPEN)
    return _OPEN


def _key(expr: nodes.Getattr | nodes.Getitem) -> object:
    if isinstance(expr, nodes.Getattr):
        return expr.attr
    return expr.arg.value if isinstance(expr.arg, nodes.Const) else None


def _check_access(expr: nodes.Getattr | nodes.Getitem, names: dict[str, Any]) -> Iterator[str]:
    key = _key(expr)
    outer = _shape(expr.node, names)
    if not isinstance(key, str) or outer is _OPEN or outer is None:
        return
    if isinstance(outer, dict) and outer and key not in outer:
        yield f"riga {expr.lineno}: campo sconosciuto {key!r} (campi: {', '.join(outer)})"
    elif isinstance(outer, list):
        yield f"riga {expr.lineno}: {key!r} su un elenco (usare {{% for … in … %}})"


# ---- the service --------------------------------------------------------------------------------

COMPANY, GROUP_ORIGIN, DEFAULT_ORIGIN = "azienda", "gruppo", "predefinito"


@dataclass(frozen=True)
class TemplateView:
    action: TemplateAction
    part: str
    source: str
    origin: str  # "azienda", "gruppo" or "predefinito": where the template in force comes from


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str | None


class MessageTemplates:
    """Use cases of the templates: list, show, set, reset, history, render, preview."""

    WHAT = "modelli dei messaggi"

    def __init__(
        self,
        companies: CompanyDirectory,
        store: EventStore,
        clock: Clock,
        configuration: ChannelConfigService,
        cache: DocumentCache | None = None,
    ) -> None:
        self.documents = ChannelDocuments(TEMPLATES, companies, store, clock, cache)
        self._configuration = configuration

    def current(self, scope: str) -> DocumentVersion:
        return self.documents.current(scope)

    def history(self, scope: str) -> list[DocumentHistoryEntry]:
        return self.documents.history(scope)

    def in_force(self, scope: str) -> list[TemplateView]:
        """Every template of every action as it applies to ``scope``, with where it comes from."""
        layers = self._layers(scope)
        return [_in_force(layers, action, part) for action in TEMPLATE_ACTIONS.values() for part in action.parts]

    def get(self, scope: str, slug: str, part: str) -> TemplateView:
        action = parse_action(slug)
        return _in_force(self._layers(scope), action, parse_part(action, part))

    def _layers(self, scope: str) -> list[tuple[str, dict[str, Any]]]:
        """The overrides that apply to ``scope``, the group's first."""
        scope = self.documents.scope(scope)
        layers = [(GROUP_ORIGIN, self.documents.current(GROUP).document)]
        if scope != GROUP:
            layers.append((COMPANY, self.documents.current(scope).document))
        return layers

    def set(
        self,
        scope: str,
        slug: str,
        part: str,
        source: str | None,
        *,
        by: str,
        note: str | None = None,
        origin: str = "manuale",
        expected_version: int | None = None,
    ) -> DocumentRevision:
        """Save one template of ``scope`` (checked first: nothing saved when refused); ``source``
        None removes the scope's own template (the group's or the package's applies again)."""
        action = parse_action(slug)
        part = parse_part(action, part)
        scope = self.documents.scope(scope)
        where = f"{action.slug}.{part}"
        if source is not None:
            problems = check_template(source, part, action, sms_max_parts=self._sms_max_parts(scope), where=where)
            if problems:
                raise InvalidChannelDocument(f"modello {where}", problems)
        document = {name: dict(parts) for name, parts in self.documents.current(scope).document.items()}
        if source is None:
            document.get(action.slug, {}).pop(part, None)
            if not document.get(action.slug):
                document.pop(action.slug, None)
        else:
            document.setdefault(action.slug, {})[part] = source
        return self.documents.save(
            scope, document, by=by, note=note, source=origin, expected_version=expected_version, what=self.WHAT
        )

    def _sms_max_parts(self, scope: str) -> int:
        if normalise_scope(scope) == GROUP:
            return int(self._configuration.current(GROUP).document.get("sms_max_parts", DEFAULT_SMS_MAX_PARTS))
        return self._configuration.effective(scope).sms_max_parts

    def render(
        self, notice: Notice, letterhead: Letterhead, action: TemplateAction, *, sms_max_parts: int
    ) -> RenderedMessage:
        """The message of ``action`` for ``notice`` with the company's templates in force. An SMS over
        ``sms_max_parts`` parts is refused (``InvalidCommand``): never sent cut or billed beyond it."""
        context = template_context(notice, letterhead)
        layers = self._layers(notice.company)
        parts = {part: render(_in_force(layers, action, part).source, part, context) for part in action.parts}
        text = parts["text"]
        if action.channel == "sms":
            length = sms_length(text)
            if length.parts > sms_max_parts:
                raise InvalidCommand(
                    f"SMS di {notice.action_key} troppo lungo: {length.describe()}, al più {sms_max_parts} SMS"
                )
        subject = parts.get("subject", notice.action_label).strip()
        return RenderedMessage(subject=subject, text=text, html=parts.get("html"))


def _in_force(layers: list[tuple[str, dict[str, Any]]], action: TemplateAction, part: str) -> TemplateView:
    view = TemplateView(action, part, DEFAULT_TEMPLATES[action.slug][part], DEFAULT_ORIGIN)
    for origin, document in layers:
        source = document.get(action.slug, {}).get(part)
        if source is not None:
            view = TemplateView(action, part, source, origin)
    return view
