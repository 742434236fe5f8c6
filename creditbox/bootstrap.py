"""The composition root: wires settings, clock, event store and services.

Used by the CLI, the API, the workers and the tests (which pass their own settings and a
fixed clock). Nothing connects to a database at import time.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from creditbox.application.actions_tables import ActionsTables
from creditbox.application.agency import AgencyAnswers, AgencyBatches
from creditbox.application.bank_import import BankImporter
from creditbox.application.case_commands import CaseCommands
from creditbox.application.channel_config import ChannelConfigService, DocumentCache
from creditbox.application.channel_outcomes import ChannelOutcomes
from creditbox.application.channel_router import AdapterFactory, ChannelRouter
from creditbox.application.companies import CompanyDirectory
from creditbox.application.company_settings import CompanySettingsService
from creditbox.application.composer import Composer
from creditbox.application.console_accounts import ConsoleAccounts
from creditbox.application.date_policy import DatePolicy
from creditbox.application.dossier import DossierBuilder
from creditbox.application.dossier_check import DossierVerifier
from creditbox.application.dossier_ports import LegalDocumentSource
from creditbox.application.dunning import CachingLoader, DunningService
from creditbox.application.import_profiles import ImportProfiles
from creditbox.application.import_results import ImportResult
from creditbox.application.imports import ImportService
from creditbox.application.inbound import InboundFiles
from creditbox.application.inbox import Inbox
from creditbox.application.ingest import Ingestor, InProcessSaver
from creditbox.application.integrity import Integrity
from creditbox.application.legal_documents import LegalDocuments
from creditbox.application.legal_proceedings import LegalProceedings
from creditbox.application.office_batches import BatchFacts
from creditbox.application.operators import OperatorDirectory
from creditbox.application.outbox import OutboxService, RetryPolicy
from creditbox.application.passwords import DEFAULT_COST, ScryptCost
from creditbox.application.pec_receipts import PecReceiptImporter
from creditbox.application.ports import (
    AdapterSpec,
    BatchSaver,
    BulkLoader,
    Channel,
    Dispatcher,
    InboxFolder,
    WorkQueue,
)
from creditbox.application.positions import PositionReader
from creditbox.application.receipt_polling import PollResult, ReceiptPolling
from creditbox.application.scheduler import InlineQueue, Scheduler
from creditbox.application.simulation import ROUND_TIMEOUT_SECONDS, SimulatedWorld, Simulator, Workers
from creditbox.application.sms_reports import SmsDeliveryReports, SmsReportsImporter
from creditbox.application.statement import StatementFormat, StatementService
from creditbox.application.technical_office import TechnicalBatches, TechnicalOfficeAnswers
from creditbox.application.templates import MessageTemplates
from creditbox.application.tokens import TokenService
from creditbox.clock import Clock, SystemClock
from creditbox.domain.import_profile import ProfileVersion
from creditbox.infrastructure.actions_csv import standard_rows
from creditbox.infrastructure.background_writer import BackgroundEventWriter
from creditbox.infrastructure.bank_ledger import SqlBankLedger
from creditbox.infrastructure.bulk_loader import RepositoryBulkLoader, SqlBulkLoader
from creditbox.infrastructure.camt_reader import CamtReader
from creditbox.infrastructure.chain.store import SqlChainStorage
from creditbox.infrastructure.channels.files import FileChannel
from creditbox.infrastructure.channels.office_batches import (
    LocalBatchFolder,
    agency_from_spec,
    technical_office_from_spec,
)
from creditbox.infrastructure.channels.posta import PostaChannel
from creditbox.infrastructure.channels.sms_http import SmsHttpChannel
from creditbox.infrastructure.channels.smtp import SmtpChannel
from creditbox.infrastructure.console_store import SqlConsoleStore
from creditbox.infrastructure.database_url import DatabaseUrl
from creditbox.infrastructure.dossier.archive import read_archive, write_archive
from creditbox.infrastructure.dossier.sent_files import ChannelFolderFiles
from creditbox.infrastructure.dossier.timeline_pdf import render_timeline
from creditbox.infrastructure.due_index_store import SqlDueIndex
from creditbox.infrastructure.event_store import CreditBoxApplication
from creditbox.infrastructure.evidence_store import FileEvidenceStore, SqlReceiptIndex
from creditbox.infrastructure.excel.answer_tables import AnswerTableReader
from creditbox.infrastructure.excel.import_report import ExcelImportReport
from creditbox.infrastructure.excel.isolated_parser import IsolatedParser, ReaderLimits
from creditbox.infrastructure.excel.office_lists import assignment_files, technical_list
from creditbox.infrastructure.excel.profile_reader import check_profile_value
from creditbox.infrastructure.excel.workbook_guard import WorkbookLimits
from creditbox.infrastructure.health_checks import Check, StateCollector, readiness
from creditbox.infrastructure.inbox_folder import DEFAULT_MIN_AGE, LocalInboxFolder
from creditbox.infrastructure.interest_rates import load_rates
from creditbox.infrastructure.letters.batches import PostalBatches
from creditbox.infrastructure.letters.outcomes import PostalOutcomesImporter
from creditbox.infrastructure.letters.pdf import render_letter
from creditbox.infrastructure.office_notes_store import SqlOfficeNotes
from creditbox.infrastructure.outbox_store import SqlOutboxStore
from creditbox.infrastructure.pec.mailbox import ImapMailbox, ImapSettings
from creditbox.infrastructure.pec.receipts import parse_receipt
from creditbox.infrastructure.recording_dispatcher import EventLogOutbox, RecordingDispatcher
from creditbox.infrastructure.schema_lock import schema_lock
from creditbox.infrastructure.secrets import read_secret
from creditbox.infrastructure.statement.pdf import render_pdf
from creditbox.infrastructure.statement.xlsx import render_xlsx
from creditbox.infrastructure.unmatched_store import SqlUnmatchedAnswers
from creditbox.infrastructure.write_gate import WriteGate
from creditbox.observability import metrics
from creditbox.projections.service import ReadModels
from creditbox.settings import Settings


class _ImportMetrics:
    def imported(self, result: ImportResult, seconds: float) -> None:
        metrics.observe_import(result, seconds)

    def refused(self) -> None:
        metrics.observe_refused_import()


IMPORT_METRICS = _ImportMetrics()


@dataclass
class Container:
    settings: Settings
    clock: Clock
    database: DatabaseUrl
    app: CreditBoxApplication
    companies: CompanyDirectory
    positions: PositionReader
    actions_tables: ActionsTables
    loader: RepositoryBulkLoader | SqlBulkLoader
    # Read models: catch_up() after commands when running inline (the embedded mode).
    projections: ReadModels
    # Dunning: actions are handed to this dispatcher (channels come with the workers issue).
    dispatcher: Dispatcher = field(default_factory=RecordingDispatcher)
    _work_queue: Any = field(default=None, init=False, repr=False)
    _router: ChannelRouter | None = field(default=None, init=False, repr=False)
    _document_cache: DocumentCache | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # The channel configuration and templates every send reads, kept a few seconds.
        self._document_cache = DocumentCache(self.settings.channel_documents_cache_seconds, time.monotonic)

    def ingestor(self, **options: Any) -> Ingestor:
        options = {"savers": self.batch_saver, "dates": self.date_policy(), **options}
        return Ingestor(self.app, self.loader, **options)

    def importer(self, **options: Any) -> ImportService:
        """Import of billing-system files (default Excel profile), for the CLI, API and inbox."""
        tolerance = self.settings.future_date_tolerance_days
        options = {
            "savers": self.batch_saver,
            "future_tolerance_days": tolerance,
            "observer": IMPORT_METRICS,
            **options,
        }
        return ImportService(self.app, self.loader, self.workbook_parser(), self.clock, **options)

    def readiness(self) -> list[Check]:
        """The checks of ``/readyz`` (database, migrations, projections' lag, broker)."""
        return readiness(self)

    def metrics_exposition(self) -> bytes:
        """This process's metrics and the gauges read now from the database and the broker."""
        return metrics.exposition([StateCollector(self)])

    def reader_limits(self) -> ReaderLimits:
        """What a workbook may hold and what reading it may take (the ``import_*`` settings)."""
        s = self.settings
        workbook = WorkbookLimits(
            max_rows=s.import_max_rows,
            max_columns=s.import_max_columns,
            max_cells=s.import_max_cells,
            max_total_bytes=s.import_max_uncompressed_mb << 20,
            max_member_bytes=min(WorkbookLimits.max_member_bytes, s.import_max_uncompressed_mb << 20),
            max_ratio=s.import_max_ratio,
        )
        return ReaderLimits(
            memory_bytes=s.import_reader_memory_mb << 20, seconds=s.import_reader_seconds, workbook=workbook
        )

    def workbook_parser(self, version: ProfileVersion | None = None) -> IsolatedParser:
        """The parser of the default layout (``version`` None) or of a profile version: checked,
        then read in a child process within ``reader_limits()``."""
        return IsolatedParser(version, self.reader_limits())

    def import_profiles(self) -> ImportProfiles:
        """The companies' import profiles (*convertitore*) and the parser an import uses with one."""
        return ImportProfiles(
            self.app,
            self.clock,
            default_parser=self.workbook_parser,
            make_parser=self.workbook_parser,
            check_value=check_profile_value,
        )

    def inbox(
        self, root: str | None = None, *, min_age: float = DEFAULT_MIN_AGE, folder: InboxFolder | None = None
    ) -> Inbox:
        """The inbox under ``root`` (default: the ``inbox_dir`` setting); a file is imported once it
        has not changed for ``min_age`` seconds; a company's profile folders are read through its
        import profiles. ``folder``: another implementation of the folder (tests)."""
        folder = folder or LocalInboxFolder(root or self.settings.inbox_dir, min_age=min_age)
        return Inbox(
            folder,
            self.importer(),
            self.companies,
            ExcelImportReport(),
            self.clock,
            profiles=self.import_profiles(),
            make_parser=self.workbook_parser,
            inbound=self.inbound_files(),
        )

    def batch_saver(self, records: int) -> AbstractContextManager[BatchSaver]:
        """How a run of ``records`` records saves its batches: on PostgreSQL a big run overlaps
        its writes in a writer process; otherwise the event store saves each batch in process."""
        threshold = self.settings.background_write_threshold
        big = bool(threshold) and records >= threshold
        # A daemonic process (a worker's child) may not start processes of its own.
        if big and self.database.is_postgres and not multiprocessing.current_process().daemon:
            return BackgroundEventWriter(self.app)
        return InProcessSaver(self.app)

    def integrity(self) -> Integrity:
        """The hash chains of the event store: seal and verify (``docs/audit.md``)."""
        self.projections.ensure_schema()  # the seal's leaves table; migration 0015 seals an older store
        return Integrity(SqlChainStorage.of(self.app, self.projections.engine))

    def chain_records(self) -> SqlChainStorage:
        """One aggregate's stored events and chain links, as stored (the evidence dossier's check)."""
        self.projections.ensure_schema()
        return SqlChainStorage.of(self.app, self.projections.engine)

    def dossier_verifier(self) -> DossierVerifier:
        """Checks a dossier's archive against itself and the live store (``audit verify-dossier``)."""
        return DossierVerifier(read_archive, self.chain_records())

    def dossiers(self, *, legal_documents: LegalDocumentSource | None = None) -> DossierBuilder:
        """The evidence dossier of a position (``creditbox export dossier``, ``docs/audit.md``);
        ``legal_documents``: where the documents of the legal milestones are read (default: the
        store of ``legal_documents()``)."""
        self.projections.ensure_schema()
        engine = self.projections.engine
        return DossierBuilder(
            clock=self.clock,
            company_name=lambda code: self.companies.get(code).name,
            require_company=self.companies.require,
            positions=self.positions,
            chain=self.chain_records(),
            statements=self.statements,
            notices=SqlOutboxStore(engine, self.write_gate),
            sent_files=ChannelFolderFiles(self.settings.channel_dir, self.postal_batches()),
            compose=self.composer().message_of,
            render_letter=lambda message: render_letter(message).content,
            receipts=self.receipt_index(),
            evidence=self.evidence(),
            office_records=self.office_notes(),
            timeline=render_timeline,
            pack=write_archive,
            legal_documents=legal_documents if legal_documents is not None else self.legal_documents(),
        )

    def company_settings(self) -> CompanySettingsService:
        """The companies' settings: version in force, past versions, changes, history."""
        return CompanySettingsService(self.companies, self.app, self.clock)

    def date_policy(self) -> DatePolicy:
        """The dates commands and records may carry now (the clock's today plus the tolerance)."""
        return DatePolicy(self.clock, self.settings.future_date_tolerance_days)

    @property
    def write_gate(self) -> WriteGate:
        """The process's turns for writes (serialised on SQLite, open on PostgreSQL)."""
        return self.app.write_gate

    def tokens(self) -> TokenService:
        """API tokens (issue, revoke, list, authenticate)."""
        return TokenService(self.app)

    def operators(self) -> OperatorDirectory:
        """The operators of the command line (name, company, role, authorisation level)."""
        return OperatorDirectory(self.app)

    def console_accounts(self, *, cost: ScryptCost = DEFAULT_COST) -> ConsoleAccounts:
        """The console's passwords and sessions (``cost``: scrypt's, for the passwords set from now on)."""
        self.projections.ensure_schema()
        s = self.settings
        return ConsoleAccounts(
            SqlConsoleStore(self.projections.engine, self.write_gate),
            self.operators(),
            self.clock,
            idle=timedelta(minutes=s.console_session_idle_minutes),
            max_age=timedelta(hours=s.console_session_max_hours),
            cost=cost,
        )

    def dunning(self, *, loader: BulkLoader | None = None) -> DunningService:
        """The dunning workflow runner (``run_due``, ``run_positions``) for ticks, the scheduler and
        simulations: on the due index, caught up first when the read models run inline."""
        return DunningService(
            self.app,
            loader or self.loader,
            self.companies,
            self.actions_tables,
            self.dispatcher,
            self.clock,
            future_tolerance_days=self.settings.future_date_tolerance_days,
            due=self.due_index(),
            catch_up=self.projections.after_command,
            lease_seconds=self.settings.scheduler_lease_seconds,
            claimer=claimer_name("tick"),
        )

    def due_index(self) -> SqlDueIndex:
        """The durable timers: the ``due_index`` table, claimed with leases."""
        return SqlDueIndex(self.projections.engine, self.clock, ensure_schema=self.projections.ensure_schema)

    def scheduler(
        self,
        *,
        queue: WorkQueue | None = None,
        company: str | None = None,
        relay: Callable[[WorkQueue], object] | None = None,
        inbox: Callable[[], object] | None = None,
    ) -> Scheduler:
        """The scheduler: catches up the read models when they run inline, claims the positions due
        and hands them to ``queue`` (default: run in this process); then ``relay`` (the outbox's, which
        enqueues the pending sends) and ``inbox`` (a pass over the inbox folder) when given."""
        return Scheduler(
            self.due_index(),
            queue or InlineQueue(self.dunning()),
            catch_up=self.projections.after_command,
            company=company,
            chunk_size=self.settings.scheduler_chunk_size,
            lease_seconds=self.settings.scheduler_lease_seconds,
            claimer=claimer_name("scheduler"),
            relay=relay,
            inbox=inbox,
        )

    def statements(self, *, rates_file: str | None = None) -> StatementService:
        """Statements of account (Excel, PDF, JSON) with the late-payment rates of ``rates_file``, else
        of the ``interest_rates_file`` setting, else the shipped table."""
        path = rates_file or self.settings.interest_rates_file
        renderers = {StatementFormat.XLSX: render_xlsx, StatementFormat.PDF: render_pdf}
        return StatementService(
            self.positions,
            self.companies,
            lambda code: self.companies.get(code).name,
            lambda: load_rates(path),
            renderers,
        )

    def case_commands(self) -> CaseCommands:
        """Operator and supervisor commands on dunning cases."""
        return CaseCommands(self.dunning())

    def legal_documents(self) -> LegalDocuments:
        """The documents of the legal proceedings: checked, kept content-addressed under the
        ``legal_documents_dir`` setting, read back by company and SHA-256 (``read``)."""
        store = FileEvidenceStore(self.settings.legal_documents_dir, suffix="")
        return LegalDocuments(store, self.settings.legal_document_max_bytes)

    def legal_proceedings(self) -> LegalProceedings:
        """The milestones of the cases in litigation: record (with documents) and list."""
        return LegalProceedings(self.dunning(), self.legal_documents(), self.clock, self.date_policy())

    def recorded_actions(self) -> EventLogOutbox:
        """The actions recorded for the channels, read from the event log (as they were decided)."""
        return EventLogOutbox(self.app)

    def channel(self) -> Channel:
        """Where the messages go: the file channel under the ``channel_dir`` setting."""
        return FileChannel(self.settings.channel_dir, self.clock)

    def adapter_factories(self) -> dict[str, AdapterFactory]:
        """The channel adapters by the name a configuration gives them (``AdapterSpec.adapter``)."""
        files = self.channel()
        root, clock = self.settings.channel_dir, self.clock
        factories: dict[str, AdapterFactory] = {
            "file": lambda _spec: files,
            "sms-http": lambda spec: SmsHttpChannel.from_spec(spec, clock, root),
            "smtp": lambda spec: SmtpChannel.from_spec(spec, clock, root),
            "pec": lambda spec: SmtpChannel.from_spec(spec, clock, root),
            "posta": lambda spec: PostaChannel.from_spec(spec, clock, root),
        }
        for name, build in OFFICE_ADAPTERS.items():
            factories[name] = partial(_office_adapter, build, clock=clock, root=root)
        return factories

    def channel_config(self) -> ChannelConfigService:
        """The channels' configuration per company, over the group's defaults (versioned)."""
        return ChannelConfigService(
            self.companies, self.app, self.clock, lambda: self.adapter_factories(), self._document_cache
        )

    def message_templates(self) -> MessageTemplates:
        """The message templates per company and action (versioned, checked when saved)."""
        return MessageTemplates(self.companies, self.app, self.clock, self.channel_config(), self._document_cache)

    def composer(self) -> Composer:
        """What an outbox entry says: its position, the company's letterhead and templates."""
        return Composer(self.app, self.channel_config(), self.message_templates(), self.loader)

    def channel_router(self) -> ChannelRouter:
        """The channel the outbox talks to: each message through its company's adapter."""
        if self._router is None:
            self.projections.ensure_schema()
            store = SqlOutboxStore(self.projections.engine, self.write_gate)

            def channel_of(action_key: str) -> str | None:
                entry = store.get(action_key)
                return entry.channel if entry is not None else None

            self._router = ChannelRouter(self.channel_config(), self.adapter_factories(), read_secret, channel_of)
        return self._router

    def sms_reports(self) -> SmsDeliveryReports:
        """The SMS delivery reports: the gateway's signed callback and polling."""
        return SmsDeliveryReports(
            self.inbound_files(), self.channel_config(), self.channel_router().adapter, read_secret, self.clock
        )

    def outbox(self, *, channel: Channel | None = None) -> OutboxService:
        """The outbox: hands the executed actions to the channels (through the router, with the
        composer's messages), retries, reconciles (``channel``: another channel, for tests)."""
        self.projections.ensure_schema()
        s = self.settings
        composer = self.composer()
        return OutboxService(
            SqlOutboxStore(self.projections.engine, self.write_gate),
            channel or self.channel_router(),
            self.app,
            self.clock,
            retry=RetryPolicy(s.outbox_max_attempts, s.outbox_first_retry_seconds, s.outbox_max_retry_seconds),
            hold_seconds=s.outbox_hold_seconds,
            composer=composer.message_of,
            chunk_composer=composer.for_entries,
        )

    def channel_outcomes(self) -> ChannelOutcomes:
        """What comes back from the channels, recorded as the outcomes of their actions."""
        self.projections.ensure_schema()
        return ChannelOutcomes(SqlOutboxStore(self.projections.engine, self.write_gate), self.case_commands())

    def inbound_files(self) -> InboundFiles:
        """The importers of the files that come back from the channels and the bank, by kind (the
        one entry point of the CLI, the API and the inbox); what matches nothing is kept in the
        ``unmatched_answers`` table."""
        self.projections.ensure_schema()
        unmatched = SqlUnmatchedAnswers(self.projections.engine, self.write_gate)
        return InboundFiles(
            [
                self.bank_files(),
                PostalOutcomesImporter(self.channel_outcomes(), self.postal_batches()),
                TechnicalOfficeAnswers(AnswerTableReader(), self.channel_outcomes(), self.office_notes(), self.clock),
                AgencyAnswers(
                    AnswerTableReader(), self.channel_outcomes(), self.office_notes(), self.ingestor, self.clock
                ),
                self.pec_receipts(),
                SmsReportsImporter(self.channel_outcomes()),
            ],
            unmatched=unmatched,
            clock=self.clock,
        )

    def office_notes(self) -> SqlOfficeNotes:
        """The technical office's planned dates and the agency's promises to pay."""
        self.projections.ensure_schema()
        return SqlOfficeNotes(self.projections.engine, self.write_gate)

    def batch_facts(self) -> BatchFacts:
        self.projections.ensure_schema()
        return BatchFacts(SqlOutboxStore(self.projections.engine, self.write_gate), self.app)

    def technical_batches(self) -> TechnicalBatches:
        """The day's lists for the technical office (under the ``channel_dir`` setting)."""
        return TechnicalBatches(LocalBatchFolder(self.settings.channel_dir), self.batch_facts(), technical_list)

    def agency_batches(self) -> AgencyBatches:
        """The day's assignment batches for the collection agencies (under ``channel_dir``)."""
        return AgencyBatches(LocalBatchFolder(self.settings.channel_dir), self.batch_facts(), assignment_files)

    def postal_batches(self) -> PostalBatches:
        """The daily postal batches of the letters, under the ``channel_dir`` setting (the ``posta`` adapter's)."""
        return PostalBatches(self.settings.channel_dir, self.clock)

    def bank_files(self) -> BankImporter:
        """The bank's files (``camt.053`` statements, ``camt.054`` notifications): import, the
        *incassi da abbinare* worklist and its allocation by hand."""
        self.projections.ensure_schema()
        ledger = SqlBankLedger(self.projections.engine, self.write_gate)
        return BankImporter(
            CamtReader(), ledger, self.loader, self.ingestor(), self.clock, require_company=self.companies.require
        )

    def pec_receipts(self) -> PecReceiptImporter:
        """PEC receipts (``ricevute``): outcomes of their notices, kept as evidence."""
        return PecReceiptImporter(
            parse_receipt, self.evidence(), self.receipt_index(), self.channel_outcomes(), self.clock
        )

    def evidence(self) -> FileEvidenceStore:
        """The raw receipts, content-addressed under the ``evidence_dir`` setting."""
        return FileEvidenceStore(self.settings.evidence_dir)

    def receipt_index(self) -> SqlReceiptIndex:
        """The index of the receipts kept as evidence (``receipt_evidence``)."""
        self.projections.ensure_schema()
        return SqlReceiptIndex(self.projections.engine, self.write_gate)

    def poll_receipts(self, spec: AdapterSpec) -> PollResult:
        """One poll of the PEC mailbox of ``spec`` (the ``pec`` adapter's ``imap_*`` options): its new
        messages imported as the company's receipts, then flagged (or moved) in the mailbox."""
        settings = ImapSettings.from_options(spec.options)
        password = spec.options.get("imap_password_secret") or "password"
        with ImapMailbox.opened(settings, lambda: spec.secret(str(password))) as mailbox:
            return ReceiptPolling(self.inbound_files()).poll(spec.company, mailbox)

    def mail_channel(self, spec: AdapterSpec) -> SmtpChannel:
        """The e-mail or PEC adapter (``smtp``, ``pec``) of ``spec``, its sent-log under ``channel_dir``."""
        return SmtpChannel.from_spec(spec, self.clock, self.settings.channel_dir)

    def work_queue(self) -> WorkQueue:
        """The workers' queue on the broker of ``CREDITBOX_BROKER_URL``. In the embedded mode
        (``memory://``) the actors run on this container, in worker threads of this process."""
        if self._work_queue is None:
            from creditbox.workers import runtime
            from creditbox.workers.broker import Queues, embedded_worker, is_embedded, setup_broker
            from creditbox.workers.queue import DramatiqQueue

            broker = setup_broker(self.settings.broker_url)
            if is_embedded(self.settings.broker_url):
                runtime.use_settings(self.settings)
                runtime.use_container(self)
                import creditbox.workers.actors  # noqa: F401  (declares the actors on the broker)

                embedded_worker(broker, self.settings.embedded_worker_threads)
            self._work_queue = DramatiqQueue(
                broker,
                Queues(self.settings.queue_prefix),
                position_chunk=self.settings.worker_position_chunk,
                action_chunk=self.settings.worker_action_chunk,
            )
        return self._work_queue

    def simulator(
        self,
        company: str,
        world: SimulatedWorld,
        set_today: Callable[[date], None],
        *,
        operator: bool = True,
    ) -> Simulator:
        """A simulation of ``company`` on the embedded machinery: each day a round of the scheduler
        (``scheduler(queue=work_queue(), relay=outbox().relay)``) whose positions are run by the
        ``run_position`` actor and whose actions are sent by ``send_action`` through the channel, in
        worker threads of this process, waited for before the simulated world answers. Needs the
        in-process broker (``memory://``): the simulation waits for its workers, which it can only do
        for its own."""
        if not self._embedded():
            raise NotEmbedded(
                f"la simulazione gira sul broker in memoria (memory://), non su {self.settings.broker_url!r}"
            )
        from creditbox.workers.queue import DramatiqQueue

        queue = self.work_queue()
        assert isinstance(queue, DramatiqQueue)
        outbox = self.outbox()
        # The simulator's own reads (the operator's scan, payments, the commands) load each position
        # once and again only after the log shows it changed.
        loader = CachingLoader(self.loader)
        service = self.dunning(loader=loader)
        workers = Workers(
            scheduler=self.scheduler(queue=queue, company=company, relay=outbox.relay),
            outbox=outbox,
            wait=lambda: queue.wait(ROUND_TIMEOUT_SECONDS),
            catch_up=self.projections.after_command,
            log=self.app,
            forget=loader.forget,
        )
        return Simulator(service, CaseCommands(service), world, set_today, workers, operator=operator)

    def _embedded(self) -> bool:
        from creditbox.workers.broker import is_embedded

        return is_embedded(self.settings.broker_url)

    def close(self) -> None:
        self.projections.close()
        self.app.close()

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# The adapters of the outside offices by name (``AdapterSpec.adapter``): each builds a ``Channel`` from
# its spec, the clock and the channel folder (``channel_dir``).
def _office_adapter(
    build: Callable[[AdapterSpec, Clock, str], Channel], spec: AdapterSpec, *, clock: Clock, root: str
) -> Channel:
    return build(spec, clock, root)


OFFICE_ADAPTERS: dict[str, Callable[[AdapterSpec, Clock, str], Channel]] = {
    "ufficio-tecnico": technical_office_from_spec,
    "agenzia": agency_from_spec,
}


class NotEmbedded(RuntimeError):
    """A use that needs the in-process broker (``memory://``) on another one."""


def claimer_name(role: str) -> str:
    """Who holds a lease on the due index: the role, the host and the process."""
    return f"{role}@{socket.gethostname()}:{os.getpid()}"


# eventsourcing's plain-old-Python-objects recorders: the events held in this process's memory.
IN_MEMORY_EVENTS = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def bootstrap(
    settings: Settings | None = None, clock: Clock | None = None, *, events_in_memory: bool = False
) -> Container:
    """The container on ``settings`` (read from the environment by default).

    ``events_in_memory``: the events are kept in memory (eventsourcing's POPO store) instead of the
    database, which then holds only the read models; nothing is durable. The tests of the use cases
    run on it: they need the event store's behaviour, not a database's.
    """
    settings = settings or Settings()
    clock = clock or SystemClock(settings.timezone)
    database = DatabaseUrl(settings.database_url)
    # PostgreSQL: the schema's owner, when the application connects as a role of its own.
    separate_owner = bool(settings.migration_database_url) and database.is_postgres
    owner = DatabaseUrl(settings.migration_database_url or "") if separate_owner else database
    env = (
        dict(IN_MEMORY_EVENTS)
        if events_in_memory
        else database.eventsourcing_env(pool_size=settings.pool_size, lock_timeout=settings.lock_timeout_seconds)
    )
    if owner != database and not events_in_memory:
        create_event_store_tables(owner)
        env["CREATE_TABLE"] = "no"  # the application's role may not create tables
    with schema_lock(database):  # constructing the application creates the event store tables
        app = CreditBoxApplication(env=env)
    app.write_gate = WriteGate(serialise=database.is_sqlite, wait=settings.write_wait_seconds)
    return Container(
        settings=settings,
        clock=clock,
        database=database,
        app=app,
        companies=CompanyDirectory(app, standard_actions=standard_rows, clock=clock),
        positions=PositionReader(app),
        actions_tables=ActionsTables(app, clock),
        loader=SqlBulkLoader(app),
        projections=ReadModels(
            app, database, clock, mode=settings.projections, pool_size=settings.pool_size, owner=owner
        ),
    )


def create_event_store_tables(owner: DatabaseUrl) -> None:
    """Create the event store tables connected as the schema's owner (a no-op when they exist), for a
    process that works as the application's role (``migration_database_url`` set)."""
    with schema_lock(owner):
        CreditBoxApplication(env=owner.eventsourcing_env(pool_size=1)).close()
