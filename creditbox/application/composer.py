"""The composer: what an outbox entry says, as a :class:`~creditbox.application.ports.ChannelMessage`.

For each action handed to a channel it reads the position from the event store and builds the
:class:`~creditbox.application.notices.Notice` — the customer, the postal address and contacts, the
supply of the case, the case's overdue bills with their residuals and the total, all *as of the
action's business date* (so that a retry says exactly what the first attempt said), and the deadline
to pay (the business date plus the company's configured days) — then the company's
:class:`~creditbox.application.notices.Letterhead`, and renders the company's templates for the
action (``templates.MessageTemplates``).

When the position or its case cannot be read the composer raises: the outbox retries and, in the end,
records the failure. A message is never sent with content made up in their place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from creditbox.application.channel_config import ChannelConfigService, EffectiveConfiguration
from creditbox.application.notices import Notice, NoticeBill, NoticeSupply, PostalAddress
from creditbox.application.ports import BulkLoader, ChannelMessage, EventStore, OutboxEntry, SendWithdrawn
from creditbox.application.templates import MessageTemplates, TemplateAction, template_action
from creditbox.domain.codes import ActionCode
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import position_id
from creditbox.domain.money import ZERO, money
from creditbox.domain.position import Position
from creditbox.domain.workflow.cases import CaseStatus

PREVIEW_KEY = "ANTEPRIMA"
# A ladder step's notice is withdrawn when its case closed like this before the send: the debt is paid.
# (A write-off, a settlement or a litigation outcome is a person's decision, taken with the case's
# actions in view: what was already decided for it still goes out.)
PAID_OFF = frozenset({CaseStatus.CLOSED_PAID, CaseStatus.CLOSED_PLAN_COMPLETED})


class UnreadablePosition(RuntimeError):
    """The position or the case of an action cannot be read: nothing is composed (the outbox retries)."""


@dataclass(frozen=True)
class ActionFacts:
    """What the composer needs of an action besides its position."""

    action_key: str
    company: str
    case_id: str
    action_code: ActionCode
    description: str
    parameters: dict[str, str]
    business_date: date
    reactivation: bool


class Composer:
    def __init__(
        self,
        events: EventStore,
        configuration: ChannelConfigService,
        templates: MessageTemplates,
        loader: BulkLoader | None = None,
    ) -> None:
        """``loader``: reads the positions of a chunk of entries in a few queries (:meth:`for_entries`)."""
        self._events = events
        self._configuration = configuration
        self._templates = templates
        self._loader = loader

    def message_of(self, entry: OutboxEntry) -> ChannelMessage:
        """The message of an outbox entry (raises :class:`UnreadablePosition` when its position or
        case cannot be read, ``InvalidCommand`` when a template cannot be applied)."""
        return self._message(entry, self._events.get_or_none(entry.position_id))

    def for_entries(self, entries: Sequence[OutboxEntry]) -> Callable[[OutboxEntry], ChannelMessage]:
        """:meth:`message_of` for a chunk of entries about to be sent (the outbox's ``send_many``):
        their positions read at once with the bulk loader, not one query each. Each message is composed
        exactly as :meth:`message_of` composes it, from the position as stored now; an entry whose
        position the bulk read did not give (or any entry, when the bulk read fails) is read alone."""
        if self._loader is None or len(entries) < 2:
            return self.message_of
        try:
            loaded: dict[UUID, Any] = self._loader.load_many(e.position_id for e in entries)
        except Exception:  # the chunk's sends go on one read each; a real failure shows up there
            return self.message_of

        def compose(entry: OutboxEntry) -> ChannelMessage:
            position = loaded.get(entry.position_id)
            if position is None:
                return self.message_of(entry)
            return self._message(entry, position)

        return compose

    def _message(self, entry: OutboxEntry, position: Any) -> ChannelMessage:
        if not isinstance(position, Position):
            raise UnreadablePosition(f"{entry.action_key}: posizione {entry.position_id} non leggibile")
        case = position.dunning.cases.get(entry.case_id)
        if entry.seq is not None and case is not None and case.status in PAID_OFF:  # reactivations: always sent
            raise SendWithdrawn(f"pratica {case.status.label} prima dell'invio: avviso annullato")
        payload = entry.payload
        parameters = payload.get("parameters") or {}
        facts = ActionFacts(
            action_key=entry.action_key,
            company=entry.company,
            case_id=entry.case_id,
            action_code=entry.action_code,
            description=str(payload.get("description") or entry.action_code.label),
            parameters={str(k): str(v) for k, v in dict(parameters).items()},
            business_date=entry.business_date,
            reactivation=entry.seq is None,
        )
        return self._compose(position, facts, entry.channel, entry.recipient)

    def preview(
        self, company: str, customer_code: str, action: TemplateAction, on: date, case_id: str | None = None
    ) -> ChannelMessage:
        """The message ``action`` would carry for a real position on ``on`` (its latest case unless
        ``case_id`` is given), with the templates in force; nothing is sent nor recorded."""
        position = self._events.get_or_none(position_id(company, customer_code))
        if not isinstance(position, Position):
            raise NotFound(f"cliente {customer_code!r} sconosciuto per l'azienda {company}")
        cases = position.dunning.cases
        if case_id is None:
            if not cases:
                raise NotFound(
                    f"il cliente {customer_code} non ha pratiche: l'anteprima mostra le bollette di una pratica"
                )
            case_id = list(cases)[-1]
        position.case(case_id)  # NotFound naming the case
        step = next((s for s in reversed(cases[case_id].steps) if s.action_code == action.action_code), None)
        facts = ActionFacts(
            action_key=f"{position.company}/{PREVIEW_KEY}",
            company=position.company,
            case_id=case_id,
            action_code=action.action_code,
            description=step.description if step is not None else action.label,
            parameters=dict(step.parameters) if step is not None else {},
            business_date=on,
            reactivation=action.slug == "riattivazione",
        )
        return self._compose(position, facts, action.channel, None)

    def _compose(self, position: Position, facts: ActionFacts, channel: str, recipient: str | None) -> ChannelMessage:
        config = self._configuration.effective(facts.company)
        notice = self.notice(position, facts, config)
        letterhead = config.letterhead()
        action = template_action(facts.action_code, reactivation=facts.reactivation)
        rendered = self._templates.render(notice, letterhead, action, sms_max_parts=config.sms_max_parts)
        return ChannelMessage(
            action_key=facts.action_key,
            company=facts.company,
            channel=channel,
            recipient=recipient or _contact(notice, channel),
            subject=rendered.subject,
            text=rendered.text,
            notice=notice,
            letterhead=letterhead,
            html=rendered.html,
        )

    def notice(self, position: Position, facts: ActionFacts, config: EffectiveConfiguration) -> Notice:
        case = position.dunning.cases.get(facts.case_id)
        if case is None:
            raise UnreadablePosition(f"{facts.action_key}: pratica {facts.case_id} assente dalla posizione")
        on = facts.business_date
        overdue = [item for item in position.open_items(on, case.supply_code) if item.due_date < on]
        of_case = [item for item in overdue if item.bill_number in case.bills]
        items = of_case or overdue
        bills = tuple(
            NoticeBill(i.bill_number, i.issue_date, i.due_date, i.amount, i.residual, i.supply_code) for i in items
        )
        supply = position.supplies.get(case.supply_code)
        supplies = (
            (NoticeSupply(supply.code, supply.service.label, supply.address or ""),) if supply is not None else ()
        )
        details = position.details
        address = (
            PostalAddress(details.address, details.postcode or "", details.city or "", details.province or "")
            if details.address
            else None
        )
        return Notice(
            company=position.company,
            action_key=facts.action_key,
            action_code=str(facts.action_code.code),
            action_label=facts.description,
            case_id=facts.case_id,
            business_date=on,
            customer_code=position.customer_code,
            customer_name=details.name,
            tax_code=details.fiscal_code or details.vat_number or "",
            address=address,
            mobile=details.mobile,
            email=details.email,
            pec=details.pec,
            supplies=supplies,
            bills=bills,
            total=money(sum((b.residual for b in bills), ZERO)),
            deadline=on + timedelta(days=config.payment_days),
            parameters=facts.parameters,
        )


_CONTACT_OF: dict[str, str] = {"sms": "mobile", "email": "email", "pec": "pec"}


def _contact(notice: Notice, channel: str) -> str | None:
    """The recipient when the action did not name one: the customer's contact for the channel."""
    name = _CONTACT_OF.get(channel)
    value: Any = getattr(notice, name) if name is not None else None
    return str(value) if value else None
