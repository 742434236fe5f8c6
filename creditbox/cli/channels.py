"""``creditbox channels``: the channels' configuration, the message templates and the SMS reports.

- ``channels config show|set|history``: a company's (``--company C``) or the group's (``--group``)
  configuration as a JSON document — which adapter serves each channel, its options and sender, the
  references of its secrets, the letterhead, the days to pay, the longest SMS. ``set`` replaces the
  scope's document (a new version, with who/when/why); what it does not say comes from the group.
- ``channels templates list|show|set|history|preview``: the templates of each action.
- ``channels sms poll``: ask the company's SMS gateway for its delivery reports and record them.

Invalid documents and templates are refused with every problem, exit code 2, nothing saved.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from creditbox.application.channel_config import DocumentHistoryEntry, DocumentRevision, InvalidChannelDocument
from creditbox.application.inbound import InboundResult
from creditbox.application.templates import PART_LABELS, TemplateView, parse_action
from creditbox.cli.context import cli_user, console, container, fail, fail_listing, parse_date, print_json
from creditbox.cli.formats import moment
from creditbox.cli.options import AsJson, ChangeNote
from creditbox.domain.channel_document import GROUP, DocumentVersion, scope_label

app = typer.Typer(help="Canali: configurazione, modelli dei messaggi, esiti SMS.", no_args_is_help=True)
config_app = typer.Typer(help="Configurazione dei canali (versionata).", no_args_is_help=True)
templates_app = typer.Typer(help="Modelli dei messaggi per azione (versionati).", no_args_is_help=True)
sms_app = typer.Typer(help="SMS: esiti di consegna dal gateway.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(templates_app, name="templates")
app.add_typer(sms_app, name="sms")

ScopeCompany = Annotated[str | None, typer.Option("--company", help="Codice azienda")]
Group = Annotated[bool, typer.Option("--group", help="I valori predefiniti del gruppo (per tutte le aziende)")]
ExpectedVersion = Annotated[
    int | None,
    typer.Option(
        "--expected-version", help="Versione su cui si basa la modifica (rifiutata se nel frattempo è cambiata)"
    ),
]


def _scope(company: str | None, group: bool) -> str:
    if group == (company is not None):
        fail("indicare --company CODICE oppure --group", 2)
    return GROUP if group else str(company)


def version_as_json(version: DocumentVersion) -> dict[str, Any]:
    return {
        "scope": version.scope,
        "version": version.version,
        "by": version.by or None,
        "at": version.at.isoformat() if version.at is not None else None,
        "note": version.note,
        "source": version.source,
        "document": version.document,
    }


def _history_as_json(entry: DocumentHistoryEntry) -> dict[str, Any]:
    return {**version_as_json(entry.version), "changed": list(entry.fields)}


def _origin(version: DocumentVersion) -> str:
    if version.version == 0:
        return "nessuna versione salvata: valori del gruppo e predefiniti"
    when = moment(version.at) if version.at is not None else "—"
    text = f"{when}, {version.by} ({version.source})"
    return text + (f": {version.note}" if version.note else "")


def _read_document(file: str) -> Any:
    try:
        raw = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        return json.loads(raw)
    except OSError as error:
        fail(f"{file}: file non leggibile ({error.strerror})", 2)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"{file}: JSON non valido ({error})", 2)


def _report(what: str, revision: DocumentRevision, as_json: bool) -> None:
    if as_json:
        print_json({"changed": revision.changed, "fields": list(revision.fields), **version_as_json(revision.version)})
        return
    version = revision.version
    scope = scope_label(version.scope)
    if not revision.changed:
        console.print(f"{what} di {scope}: nessuna modifica (resta la versione {version.version})", highlight=False)
        return
    console.print(
        f"{what} di {scope}: salvata la versione {version.version} ({', '.join(revision.fields)})", highlight=False
    )


def _print_history(entries: list[DocumentHistoryEntry], as_json: bool) -> None:
    if as_json:
        print_json([_history_as_json(entry) for entry in entries])
        return
    if not entries:
        console.print("Nessuna versione salvata: valgono i valori del gruppo e quelli predefiniti.")
    for entry in entries:
        changes = "; ".join(entry.fields) or "—"
        console.print(
            f"versione {entry.version.version} — {_origin(entry.version)}\n    {changes}",
            highlight=False,
            soft_wrap=True,
        )


# ---- configuration ------------------------------------------------------------------------------


@config_app.command("show")
def config_show(
    company: ScopeCompany = None,
    group: Group = False,
    version: Annotated[int | None, typer.Option("--version", help="Versione (default: quella in vigore)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Output JSON (riutilizzabile con 'config set')")] = False,
) -> None:
    """Mostra la configurazione salvata e quella in vigore (con i valori del gruppo e predefiniti)."""
    scope = _scope(company, group)
    with container(follow=False) as c:
        service = c.channel_config()
        shown = service.current(scope) if version is None else service.version(scope, version)
        data = version_as_json(shown)
        if scope != GROUP:
            data["effective"] = service.effective(scope).document
        if as_json:
            print_json(data)
            return
        console.print(
            f"Configurazione dei canali di [bold]{scope_label(shown.scope)}[/] versione [bold]{shown.version}[/]"
            f" — {_origin(shown)}",
            highlight=False,
        )
        console.print_json(json.dumps(data.get("effective", shown.document), ensure_ascii=False))


@config_app.command("set")
def config_set(
    file: Annotated[str, typer.Argument(help="Documento JSON (file, o - per leggerlo dallo standard input)")],
    company: ScopeCompany = None,
    group: Group = False,
    note: ChangeNote = None,
    expected_version: ExpectedVersion = None,
    as_json: AsJson = False,
) -> None:
    """Sostituisce la configurazione (una nuova versione). Accetta anche l'output di 'config show --json'."""
    scope = _scope(company, group)
    data = _read_document(file)
    if isinstance(data, dict) and isinstance(data.get("document"), dict) and "version" in data:
        data = data["document"]
    source = "cli" if file == "-" else f"file:{Path(file).name}"
    with container() as c:
        try:
            revision = c.channel_config().change(
                scope, data, by=cli_user(), note=note, source=source, expected_version=expected_version
            )
        except InvalidChannelDocument as error:
            fail_listing(error.what + " non valida", error.problems, 2, markup=False)
        _report("Configurazione dei canali", revision, as_json)


@config_app.command("history")
def config_history(company: ScopeCompany = None, group: Group = False, as_json: AsJson = False) -> None:
    """Le versioni della configurazione: quando, chi, perché, cosa è cambiato."""
    scope = _scope(company, group)
    with container(follow=False) as c:
        _print_history(c.channel_config().history(scope), as_json)


# ---- templates ----------------------------------------------------------------------------------

ActionArgument = Annotated[str, typer.Argument(help="Azione: sollecito-sms, sollecito-email, … o il codice (1…10)")]
PartArgument = Annotated[str, typer.Argument(help="Parte: testo, oggetto, html")]


def _view_as_json(view: TemplateView) -> dict[str, Any]:
    return {
        "action": view.action.slug,
        "action_label": view.action.label,
        "channel": view.action.channel,
        "part": view.part,
        "origin": view.origin,
        "source": view.source,
    }


@templates_app.command("list")
def templates_list(company: ScopeCompany = None, group: Group = False, as_json: AsJson = False) -> None:
    """Elenca i modelli in vigore, azione per azione, e da dove vengono (azienda, gruppo, predefinito)."""
    scope = _scope(company, group)
    with container(follow=False) as c:
        views = c.message_templates().in_force(scope)
        if as_json:
            print_json([_view_as_json(v) for v in views])
            return
        table = Table("Modello", "Azione", "Canale", "Parte", "Origine", "Inizio del testo")
        for view in views:
            start = view.source.replace("\n", " ")[:50]
            table.add_row(
                view.action.slug, view.action.label, view.action.channel, PART_LABELS[view.part], view.origin, start
            )
        console.print(table)


@templates_app.command("show")
def templates_show(
    action: ActionArgument,
    part: PartArgument,
    company: ScopeCompany = None,
    group: Group = False,
    as_json: AsJson = False,
) -> None:
    """Mostra un modello in vigore (il testo Jinja2)."""
    scope = _scope(company, group)
    with container(follow=False) as c:
        view = c.message_templates().get(scope, action, part)
        if as_json:
            print_json(_view_as_json(view))
            return
        console.print(f"# {view.action.slug} — {PART_LABELS[view.part]} ({view.origin})", highlight=False, markup=False)
        console.print(view.source, highlight=False, markup=False)


@templates_app.command("set")
def templates_set(
    action: ActionArgument,
    part: PartArgument,
    file: Annotated[str | None, typer.Argument(help="File del modello (o - per lo standard input)")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Il modello come testo")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Toglie il modello proprio: torna quello del gruppo")] = False,
    company: ScopeCompany = None,
    group: Group = False,
    note: ChangeNote = None,
    expected_version: ExpectedVersion = None,
    as_json: AsJson = False,
) -> None:
    """Salva un modello (verificato prima: variabili sconosciute ed errori rifiutati). Una nuova versione."""
    scope = _scope(company, group)
    given = sum(x is not None for x in (file, text)) + int(reset)
    if given != 1:
        fail("indicare un FILE, --text o --reset", 2)
    source: str | None
    if reset:
        source = None
    elif text is not None:
        source = text
    else:
        try:
            source = sys.stdin.read() if file == "-" else Path(str(file)).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            fail(f"{file}: file non leggibile ({error})", 2)
    origin = "cli" if file in (None, "-") else f"file:{Path(str(file)).name}"
    with container() as c:
        try:
            revision = c.message_templates().set(
                scope, action, part, source, by=cli_user(), note=note, origin=origin, expected_version=expected_version
            )
        except InvalidChannelDocument as error:
            fail_listing(error.what + " non valido", error.problems, 2, markup=False)
        _report("Modelli dei messaggi", revision, as_json)


@templates_app.command("history")
def templates_history(company: ScopeCompany = None, group: Group = False, as_json: AsJson = False) -> None:
    """Le versioni dei modelli: quando, chi, perché, quali modelli sono cambiati."""
    scope = _scope(company, group)
    with container(follow=False) as c:
        _print_history(c.message_templates().history(scope), as_json)


@templates_app.command("preview")
def templates_preview(
    action: ActionArgument,
    company: Annotated[str, typer.Option("--company", help="Codice azienda")],
    customer: Annotated[str, typer.Option("--customer", help="Codice cliente (una posizione reale)")],
    case: Annotated[str | None, typer.Option("--case", help="Pratica (default: l'ultima)")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Data dell'azione (default: oggi)")] = None,
    as_json: AsJson = False,
) -> None:
    """Mostra il messaggio che l'azione produrrebbe per un cliente reale (nulla viene inviato)."""
    with container(follow=False) as c:
        day: date = parse_date(on, c.clock.today(), option="--date")
        message = c.composer().preview(company, customer, parse_action(action), day, case)
        if as_json:
            print_json(
                {
                    "action": parse_action(action).slug,
                    "channel": message.channel,
                    "recipient": message.recipient,
                    "subject": message.subject,
                    "text": message.text,
                    "html": message.html,
                }
            )
            return
        console.print(
            f"Canale: {message.channel}  Destinatario: {message.recipient or '—'}", highlight=False, markup=False
        )
        console.print(f"Oggetto: {message.subject}\n", highlight=False, markup=False)
        console.print(message.text, highlight=False, markup=False)


# ---- SMS ----------------------------------------------------------------------------------------


@sms_app.command("poll")
def sms_poll(
    company: Annotated[str, typer.Option("--company", help="Codice azienda")], as_json: AsJson = False
) -> None:
    """Chiede al gateway SMS dell'azienda gli esiti di consegna e li registra (esiti-sms)."""
    with container() as c:
        result: InboundResult = c.sms_reports().poll(company, by=cli_user())
        if as_json:
            print_json(result.as_json())
            return
        console.print(
            f"Esiti SMS di {result.company}: {result.accepted} registrati, {result.duplicates} già presenti,"
            f" {len(result.unmatched)} senza corrispondenza, {len(result.rejected)} scartati",
            highlight=False,
            soft_wrap=True,
        )
        for rejection in result.rejected:
            line = f"  - riga {rejection.row} {rejection.column or ''}: {rejection.reason}"
            console.print(line, highlight=False, markup=False, soft_wrap=True)
        if result.rejected:
            raise typer.Exit(1)
