"""The follow-up of the workers' runs (read models caught up, outbox relayed): a burst of runs in one
process asks for one follow-up, not one a run; once it has started, the next run asks again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from creditbox.workers import runtime


@pytest.fixture(autouse=True)
def no_follow_up_waiting() -> Iterator[None]:
    runtime.follow_up_cancelled()
    yield
    runtime.follow_up_cancelled()


def test_a_burst_of_runs_asks_for_one_follow_up() -> None:
    asked = [runtime.follow_up_wanted() for _ in range(50)]
    assert asked == [True] + [False] * 49


def test_once_the_follow_up_started_the_next_run_asks_again() -> None:
    assert runtime.follow_up_wanted()
    runtime.follow_up_cancelled()  # the follow-up starts (or could not be enqueued)
    assert runtime.follow_up_wanted()
    assert not runtime.follow_up_wanted()


def test_a_request_older_than_the_renewal_is_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """With several worker processes another one may have taken the follow-up: after a while, ask again."""
    assert runtime.follow_up_wanted()
    monkeypatch.setattr(runtime, "FOLLOW_UP_RENEW_SECONDS", 0.0)
    assert runtime.follow_up_wanted()
