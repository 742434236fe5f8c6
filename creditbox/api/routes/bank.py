"""Bank files (*file della banca*): upload a ``camt.053`` / ``camt.054``, the *incassi da abbinare*
worklist, and the allocation of one by hand. The same use case as ``creditbox bank``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from creditbox.api.deps import Commit, CompanyCode, ContainerDep, CurrentPrincipal
from creditbox.api.guard import GuardedRoute
from creditbox.api.permissions import Permission, needs
from creditbox.api.problems import ApiProblem, FieldError, problem_responses
from creditbox.api.schemas.bank import AllocationIn, BankImportOut, BankTransactionOut
from creditbox.application.records import UnreadableFile

router = APIRouter(prefix="/api/v1/companies/{company}/bank-files", tags=["bank"], route_class=GuardedRoute)


@router.post(
    "",
    response_model=BankImportOut,
    responses=problem_responses(400, 401, 403, 404, 413, 422),
    **needs(Permission.FEED_WRITE),
)
def upload(
    file: Annotated[UploadFile, File(description="File della banca: camt.054 (avvisi) o camt.053 (estratto)")],
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> BankImportOut:
    """Importa un file della banca (ISO 20022 camt.053 o camt.054, versioni 001.02, 001.04, 001.08): gli
    incassi abbinati diventano pagamenti, gli addebiti diretti respinti stornano il pagamento, gli altri
    vanno tra gli incassi da abbinare; commissioni riportate, saldi verificati. Lo stesso movimento in due
    file è registrato una volta; lo stesso file due volte non aggiunge nulla. Un file non sicuro o non
    valido: 422, nulla registrato."""
    name = file.filename or "banca.xml"
    content = file.file.read()
    bank = container.bank_files()
    try:
        result = commit(lambda: bank.import_file(company, name, content, by=principal.name))
    except UnreadableFile as error:
        raise ApiProblem(
            422, str(error), errors=[FieldError(field="file", location="body", message=str(error))]
        ) from None
    return BankImportOut.model_validate(result.as_json())


@router.get(
    "/unmatched",
    response_model=list[BankTransactionOut],
    responses=problem_responses(401, 403, 404),
    **needs(Permission.POSITIONS_READ),
)
def unmatched(company: CompanyCode, container: ContainerDep) -> list[BankTransactionOut]:
    """Incassi da abbinare: accrediti non abbinati, ambigui o rifiutati dalla posizione, e storni senza
    incasso originale, dal più vecchio."""
    return [BankTransactionOut.model_validate(e.as_json()) for e in container.bank_files().unmatched(company)]


@router.post(
    "/allocations",
    response_model=BankTransactionOut,
    responses=problem_responses(401, 403, 404, 409, 422),
    **needs(Permission.CASES_WORK),
)
def allocate(
    body: AllocationIn,
    company: CompanyCode,
    principal: CurrentPrincipal,
    container: ContainerDep,
    commit: Commit,
) -> BankTransactionOut:
    """Abbina a mano un incasso da abbinare a un cliente (e a una bolletta): il pagamento è registrato sulla
    posizione. Movimento o cliente sconosciuti: 404; movimento non da abbinare (già registrato altrove): 409;
    la posizione rifiuta il pagamento (bolletta di un altro cliente): 422. Ripetere lo stesso abbinamento
    non cambia nulla."""
    bank = container.bank_files()
    entry = commit(lambda: bank.allocate(company, body.credit_id, body.customer, body.bill, by=principal.name))
    return BankTransactionOut.model_validate(entry.as_json())
