"""The console's *contenzioso*: each case in litigation with its court and next deadline, sortable by it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from creditbox.application.legal_proceedings import MilestoneDraft
from creditbox.domain.workflow.legal import LegalMilestoneKind
from tests.console.conftest import OWN, Console

pytestmark = pytest.mark.cli_or_api


def test_the_contenzioso_shows_the_court_and_the_next_deadline_nearest_first(console: Console) -> None:
    container = console.container
    commands, legal = container.case_commands(), container.legal_proceedings()
    today = container.clock.today()
    for code, deadline in (("C1", today + timedelta(days=5)), ("C2", today + timedelta(days=30))):
        commands.hand_over_to_litigation(OWN, code, f"S{code}/1", 3, by="anna.verdi")
        draft = MilestoneDraft(LegalMilestoneKind.JUDGMENT, today, court=f"Tribunale {code}", next_deadline=deadline)
        legal.record(OWN, code, f"S{code}/1", draft, by="anna.verdi")
    container.projections.catch_up()
    client = console.sign_in("revisore")

    page = client.get(f"/console/{OWN}/liste/litigation", params={"ordina": "scadenza", "crescente": "1"})
    by_amount = client.get(f"/console/{OWN}/liste/litigation")

    assert page.status_code == 200, page.text
    assert 'id="ordina-scadenza"' in page.text
    assert page.text.index("Tribunale C1") < page.text.index("Tribunale C2")  # the nearest deadline first
    assert f"{today + timedelta(days=5):%d/%m/%Y}" in page.text
    assert by_amount.text.index("Tribunale C2") < by_amount.text.index("Tribunale C1")  # 800 € before 120,50 €
