"""``creditbox companies settings``: a company's settings — show, set, import (JSON), history.

Every change is a new version (who, when, why); invalid values are refused with every problem,
exit code 2, nothing saved.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from creditbox.application.company_settings import SettingsHistoryEntry, SettingsRevision
from creditbox.cli.context import cli_user, console, container, fail, fail_listing, print_json
from creditbox.cli.formats import moment
from creditbox.cli.options import AsJson, ChangeNote, Company
from creditbox.domain.company_settings import FIELD_LABELS, WEEKDAY_NAMES, CompanySettings, SettingsVersion
from creditbox.domain.company_settings_document import InvalidCompanySettings, company_day
from creditbox.domain.money import format_euro

app = typer.Typer(help="Impostazioni dell'azienda (versionate).", no_args_is_help=True)

NONE_WORDS = {"nessuno", "nessuna", "none", "-"}


def version_as_json(version: SettingsVersion) -> dict[str, Any]:
    return {
        "company": version.company,
        "version": version.version,
        "by": version.by,
        "at": version.at.isoformat() if version.at is not None else None,
        "note": version.note,
        "source": version.source,
        "settings": version.settings.document(),
    }


def history_as_json(entry: SettingsHistoryEntry) -> dict[str, Any]:
    data = version_as_json(entry.version)
    data["changed"] = list(entry.fields)
    return data


@app.command("show")
def show(
    company: Company,
    version: Annotated[int | None, typer.Option("--version", help="Versione (default: quella in vigore)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Output JSON (importabile con 'settings import')")] = False,
) -> None:
    """Mostra le impostazioni in vigore (o una versione passata)."""
    with container(follow=False) as c:
        service = c.company_settings()
        shown = service.current(company) if version is None else service.version(company, version)
        if as_json:
            print_json(version_as_json(shown))
            return
        console.print(f"Impostazioni [bold]{shown.company}[/] versione [bold]{shown.version}[/] — {_origin(shown)}")
        for label, value in describe(shown.settings):
            console.print(f"  {label}: {value}", highlight=False)


@app.command("set")
def set_settings(
    company: Company,
    grace_days: str | None = typer.Option(
        None, "--grace-days", help="Giorni dopo la scadenza prima di aprire una pratica"
    ),
    forbidden_days: list[str] | None = typer.Option(
        None,
        "--forbidden-day",
        help="Giorno senza sospensioni (ripetibile; sostituisce l'elenco): venerdì, sab, 4 … o «nessuno»",
    ),
    holidays: bool | None = typer.Option(None, "--holidays/--no-holidays", help="Niente sospensioni nei festivi"),
    holiday_eves: bool | None = typer.Option(
        None, "--holiday-eves/--no-holiday-eves", help="Niente sospensioni nei prefestivi"
    ),
    add_days: list[str] | None = typer.Option(
        None, "--add-day", help="Giorno dell'azienda DATA=DESCRIZIONE: 24/06=Santo patrono (ogni anno), 07/12/2026=…"
    ),
    remove_days: list[str] | None = typer.Option(None, "--remove-day", help="Toglie un giorno dell'azienda (24/06)"),
    ceilings: list[str] | None = typer.Option(
        None, "--ceiling", help="Massimale di stralcio LIVELLO=IMPORTO, ad es. 2=5000.00 (ripetibile)"
    ),
    remove_ceilings: list[str] | None = typer.Option(
        None, "--remove-ceiling", help="Toglie il massimale di un livello"
    ),
    instalment_days: str | None = typer.Option(None, "--instalment-days", help="Tolleranza sulle rate (giorni)"),
    instalment_amount: str | None = typer.Option(None, "--instalment-amount", help="Tolleranza sulle rate (euro)"),
    litigation_level: str | None = typer.Option(None, "--litigation-level", help="Livello per il contenzioso"),
    note: ChangeNote = None,
    expected_version: int | None = typer.Option(
        None, "--expected-version", help="Versione su cui si basa la modifica (rifiutata se nel frattempo è cambiata)"
    ),
    as_json: AsJson = False,
) -> None:
    """Modifica alcune impostazioni: le altre restano come sono. Salva una nuova versione."""
    with container() as c:
        service = c.company_settings()
        current = service.current(company).settings.document()
        patch: dict[str, Any] = {}
        simple = {
            "grace_period_days": grace_days,
            "suspension_forbidden_on_holidays": holidays,
            "suspension_forbidden_on_holiday_eves": holiday_eves,
            "instalment_tolerance_days": instalment_days,
            "instalment_tolerance_amount": instalment_amount,
            "litigation_approval_level": litigation_level,
        }
        patch.update({name: value for name, value in simple.items() if value is not None})
        if forbidden_days:
            patch["suspension_forbidden_weekdays"] = [d for d in forbidden_days if d.strip().lower() not in NONE_WORDS]
        if add_days or remove_days:
            patch["company_days"] = _company_days(current["company_days"], add_days or [], remove_days or [])
        if ceilings or remove_ceilings:
            given, removed = ceilings or [], remove_ceilings or []
            patch["write_off_ceilings"] = _ceilings(current["write_off_ceilings"], given, removed)
        if not patch:
            fail("nessuna modifica indicata (vedere 'companies settings set --help')", 2)
        revision = _change(c, company, patch, note, "cli", expected_version)
        _report(revision, as_json)


@app.command("import")
def import_settings(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="File .json")],
    company: Company,
    note: ChangeNote = None,
    expected_version: Annotated[
        int | None, typer.Option("--expected-version", help="Versione su cui si basa la modifica")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Importa le impostazioni da un file JSON (tutte o solo alcune: le altre restano come sono).
    Accetta anche l'output di 'settings show --json'."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"{file.name}: file JSON non valido ({error})", 2)
    if isinstance(data, dict) and isinstance(data.get("settings"), dict):
        data = data["settings"]
    with container() as c:
        c.company_settings().current(company)  # an unknown company first
        revision = _change(c, company, data, note, f"file:{file.name}", expected_version)
        _report(revision, as_json)


@app.command("history")
def history(company: Company, as_json: AsJson = False) -> None:
    """Elenca le versioni delle impostazioni: quando, chi, perché, cosa è cambiato."""
    with container(follow=False) as c:
        entries = c.company_settings().history(company)
        if as_json:
            print_json([history_as_json(entry) for entry in entries])
            return
        for entry in entries:
            version = entry.version
            changes = (
                "impostazioni iniziali"
                if version.version == 1
                else "; ".join(FIELD_LABELS[name] for name in entry.fields)
            )
            console.print(
                f"versione {version.version} — {_origin(version)}\n    {changes}", highlight=False, soft_wrap=True
            )


def describe(settings: CompanySettings) -> list[tuple[str, str]]:
    """The settings in Italian, one line per field."""
    weekdays = ", ".join(WEEKDAY_NAMES[d] for d in settings.suspension_forbidden_weekdays) or "nessuno"
    days = "; ".join(
        f"{d.italian} {d.label} ({'ogni anno' if d.recurring else 'una volta'})" for d in settings.company_days
    )
    ceilings = "; ".join(
        f"livello {level} {format_euro(amount)}" for level, amount in sorted(settings.write_off_ceilings.items())
    )
    return [
        (FIELD_LABELS["grace_period_days"], f"{settings.grace_period_days}"),
        (FIELD_LABELS["suspension_forbidden_weekdays"], weekdays),
        (FIELD_LABELS["suspension_forbidden_on_holidays"], _yes(settings.suspension_forbidden_on_holidays)),
        (FIELD_LABELS["suspension_forbidden_on_holiday_eves"], _yes(settings.suspension_forbidden_on_holiday_eves)),
        (FIELD_LABELS["company_days"], days or "nessuno"),
        (FIELD_LABELS["write_off_ceilings"], ceilings or "nessuno"),
        (FIELD_LABELS["instalment_tolerance_days"], f"{settings.instalment_tolerance_days}"),
        (FIELD_LABELS["instalment_tolerance_amount"], format_euro(settings.instalment_tolerance_amount)),
        (FIELD_LABELS["litigation_approval_level"], f"{settings.litigation_approval_level}"),
    ]


def _change(
    c: Any, company: str, patch: Any, note: str | None, source: str, expected_version: int | None
) -> SettingsRevision:
    try:
        revision: SettingsRevision = c.company_settings().change(
            company, patch, by=cli_user(), note=note, source=source, expected_version=expected_version
        )
    except InvalidCompanySettings as error:
        fail_listing("impostazioni non valide", error.problems, 2, markup=False)
    return revision


def _report(revision: SettingsRevision, as_json: bool) -> None:
    if as_json:
        print_json({"changed": revision.changed, "fields": list(revision.fields), **version_as_json(revision.version)})
        return
    version = revision.version
    if not revision.changed:
        console.print(f"Impostazioni {version.company}: nessuna modifica (resta la versione {version.version})")
        return
    fields = ", ".join(FIELD_LABELS[f] for f in revision.fields)
    console.print(f"Impostazioni {version.company}: salvata la versione {version.version} ({fields})", highlight=False)


def _company_days(current: list[dict[str, str]], add: list[str], remove: list[str]) -> list[dict[str, str]]:
    days = list(current)
    for text in remove:
        try:
            key = company_day(text).key
        except ValueError:
            fail(f"--remove-day: data non valida {text!r} (GG/MM o GG/MM/AAAA)", 2)
        kept = [d for d in days if d["date"] != key]
        if len(kept) == len(days):
            fail(f"--remove-day: {text} non è tra i giorni dell'azienda", 2)
        days = kept
    for text in add:
        when, sep, label = text.partition("=")
        if not sep:
            fail(f"--add-day: usare DATA=DESCRIZIONE, ad es. 24/06=Santo patrono (ricevuto {text!r})", 2)
        days.append({"date": when.strip(), "label": label.strip()})
    return days


def _ceilings(current: dict[str, str], given: list[str], remove: list[str]) -> dict[str, Any]:
    ceilings: dict[str, Any] = dict(current)
    for level in remove:
        if ceilings.pop(_level_key(level), None) is None:
            fail(f"--remove-ceiling: nessun massimale per il livello {level!r}", 2)
    for text in given:
        level, sep, amount = text.partition("=")
        if not sep:
            fail(f"--ceiling: usare LIVELLO=IMPORTO, ad es. 2=5000.00 (ricevuto {text!r})", 2)
        ceilings[_level_key(level)] = amount.strip()
    return ceilings


def _level_key(text: str) -> str:
    text = text.strip()
    return str(int(text)) if text.isascii() and text.isdigit() else text


def _origin(version: SettingsVersion) -> str:
    text = f"{_when(version)}, {version.by} ({version.source})"
    return text + (f": {version.note}" if version.note else "")


def _when(version: SettingsVersion) -> str:
    return moment(version.at) if version.at is not None else "—"


def _yes(flag: bool) -> str:
    return "sì" if flag else "no"
