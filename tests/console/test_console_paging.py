"""A worklist's numbered pages: a page past the first (read through its keys first) holds exactly
the items the whole ordered list has at those places, for each order and direction."""

from __future__ import annotations

import pytest

from creditbox.projections.queries.worklist_views import WorklistFilters, worklist_screen
from tests.console.conftest import OWN, Console

pytestmark = pytest.mark.cli_or_api


@pytest.mark.postgres_smoke
@pytest.mark.parametrize("sort", ["importo", "anzianita"])
@pytest.mark.parametrize("ascending", [False, True])
def test_a_page_past_the_first_is_the_slice_of_the_whole_order(console: Console, sort: str, ascending: bool) -> None:
    filters = WorklistFilters()
    with console.container.projections.connect() as conn:
        whole = worklist_screen(conn, OWN, None, filters, sort=sort, ascending=ascending, offset=0, limit=50)
        pages = [
            worklist_screen(conn, OWN, None, filters, sort=sort, ascending=ascending, offset=n, limit=1)
            for n in range(len(whole) + 1)
        ]
    assert len(whole) == 2  # C1's proposal, C2's approval
    assert [item for page in pages for item in page] == whole
    assert pages[-1] == []
