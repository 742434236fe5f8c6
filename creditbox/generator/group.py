"""``generate_group``: a group's billing exports and bank files under one folder, and the manifest
``gruppo.json`` that says what is where (and how many customers behave in each way).

    DIR/gruppo.json
    DIR/ACQ1/ACQ1-export.xlsx                       our layout
    DIR/ENE2/ENE2-estrazione.xlsx                   the flat layout …
    DIR/ENE2/ENE2-profilo.json                      … and the import profile that reads it
    DIR/<company>/banca/<company>-estratto-2026-08.xml   camt.053.001.08, one a month
    DIR/<company>/banca/<company>-avviso-2026-08-31.xml  camt.054.001.08, the last days' credits
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from creditbox.generator.camt import BankFiles
from creditbox.generator.model import Behaviour, CompanyPlan, GroupSpec, Layout, companies, customers, months
from creditbox.generator.workbooks import FLAT_PROFILE, FlatExport, StandardExport

MANIFEST = "gruppo.json"
PROFILE_NAME = "piatto"


@dataclass
class CompanyFiles:
    plan: CompanyPlan
    export: Path
    profile: Path | None
    bank_files: list[Path] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    behaviours: Counter[str] = field(default_factory=Counter)

    def as_json(self, root: Path) -> dict[str, Any]:
        return {
            "code": self.plan.code,
            "name": self.plan.name,
            "services": list(self.plan.services),
            "layout": self.plan.layout.value,
            "export": self.export.relative_to(root).as_posix(),
            "profile": None if self.profile is None else self.profile.relative_to(root).as_posix(),
            "profile_name": None if self.profile is None else PROFILE_NAME,
            "bank_files": [p.relative_to(root).as_posix() for p in self.bank_files],
            "counts": dict(sorted(self.counts.items())),
            "behaviours": {b.value: self.behaviours[b.value] for b in Behaviour},
        }


def generate_group(spec: GroupSpec, out: Path, progress: Callable[[int], None] = lambda n: None) -> list[CompanyFiles]:
    """Write every company's files under ``out``; ``progress(n)`` after every ``n`` customers."""
    out.mkdir(parents=True, exist_ok=True)
    result = [_company(spec, plan, out, progress) for plan in companies(spec)]
    manifest = {
        "seed": spec.seed,
        "customers": spec.customers,
        "months": spec.months,
        "until": spec.until.isoformat(),
        "companies": [files.as_json(out) for files in result],
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


def _company(spec: GroupSpec, plan: CompanyPlan, out: Path, progress: Callable[[int], None]) -> CompanyFiles:
    folder = out / plan.code
    folder.mkdir(parents=True, exist_ok=True)
    flat = plan.layout is Layout.FLAT
    export_path = folder / (f"{plan.code}-estrazione.xlsx" if flat else f"{plan.code}-export.xlsx")
    profile_path = folder / f"{plan.code}-profilo.json" if flat else None
    files = CompanyFiles(plan, export_path, profile_path)
    bank = BankFiles(folder / "banca", plan.code, plan.account_iban, months(spec), spec.until)
    export = FlatExport(export_path) if flat else StandardExport(export_path)
    pending = 0
    for customer in customers(spec, plan):
        export.add(customer)
        for movement in customer.movements:
            bank.add(movement)
        files.behaviours[customer.behaviour.value] += 1
        files.counts["clienti"] += 1
        files.counts["forniture"] += len(customer.supplies)
        files.counts["bollette"] += len(customer.bills)
        files.counts["pagamenti"] += len(customer.payments)
        files.counts["accrediti_banca"] += sum(1 for m in customer.movements if m.credit)
        files.counts["addebiti_banca"] += sum(1 for m in customer.movements if not m.credit)
        pending += 1
        if pending == 500:
            progress(pending)
            pending = 0
    export.close()
    files.bank_files = bank.close()
    if profile_path is not None:
        profile_path.write_text(json.dumps(FLAT_PROFILE, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    progress(pending)
    return files
