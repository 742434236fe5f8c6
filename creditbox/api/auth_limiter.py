"""Failed authentications counted per client address, and the address refused for a while past a limit.

Policy (documented in ``docs/api.md``): ``limit`` failures (no token, malformed header, unknown or
revoked token) from one address within ``window`` seconds block that address for ``window`` seconds
from the failure that reached the limit. While blocked, *every* request of that address to a
guarded route answers 429 with ``Retry-After`` — even with a valid token, so that guessing cannot go
on behind a good token — and those 429s neither count nor extend the block. A successful
authentication does not clear the count. When the block ends the count starts again from zero.

The state lives in the process: with several API processes each keeps its own count. At most
``max_addresses`` addresses are tracked; past that, addresses that are not blocked are forgotten first,
then the oldest entries.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Address:
    failures: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0


class AuthFailureLimiter:
    def __init__(
        self,
        limit: int,
        window: float,
        *,
        now: Callable[[], float] = time.monotonic,
        max_addresses: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self._now = now
        self._max = max_addresses
        self._addresses: dict[str, _Address] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.limit > 0 and self.window > 0

    def blocked_for(self, address: str) -> float:
        """Seconds the address is still refused (0 when it is not)."""
        if not self.enabled:
            return 0.0
        now = self._now()
        with self._lock:
            state = self._addresses.get(address)
            if state is None or state.blocked_until <= now:
                if state is not None and state.blocked_until:
                    del self._addresses[address]  # the block is over: start again from zero
                return 0.0
            return state.blocked_until - now

    def failed(self, address: str) -> bool:
        """Count a failure; ``True`` when it is the one that blocks the address."""
        if not self.enabled:
            return False
        now = self._now()
        with self._lock:
            state = self._addresses.get(address)
            if state is None:
                self._make_room(now)
                state = self._addresses[address] = _Address()
            if state.blocked_until > now:
                return False
            while state.failures and state.failures[0] <= now - self.window:
                state.failures.popleft()
            state.failures.append(now)
            if len(state.failures) < self.limit:
                return False
            state.failures.clear()
            state.blocked_until = now + self.window
            return True

    @property
    def tracked(self) -> int:
        """How many addresses are tracked now (at most ``max_addresses``)."""
        return len(self._addresses)

    def _make_room(self, now: float) -> None:
        if len(self._addresses) < self._max:
            return
        for address, state in list(self._addresses.items()):
            recent = state.failures and state.failures[-1] > now - self.window
            if state.blocked_until <= now and not recent:
                del self._addresses[address]
        if len(self._addresses) >= self._max:
            for address, state in list(self._addresses.items()):
                if state.blocked_until <= now:
                    del self._addresses[address]
        while len(self._addresses) >= self._max:  # all blocked: the oldest entries go first
            del self._addresses[next(iter(self._addresses))]
