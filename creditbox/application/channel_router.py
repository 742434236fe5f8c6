"""The router: the one :class:`~creditbox.application.ports.Channel` the outbox talks to, which sends
each message through the adapter its company's configuration names for the message's channel.

Adapters are built by name from an :class:`~creditbox.application.ports.AdapterSpec` (the registry of
factories is the composition root's: ``file``, ``sms-http``, ...) and kept per company, channel and
version of the configuration: a change of the configuration (the company's or the group's) builds the
adapter again, otherwise the same one serves every message. An adapter name nobody registered is a
clear error (the outbox retries, then records the failure), never a silent fallback.

``status(action_key)`` (the outbox's reconciliation) asks the adapter of the action's channel; when
the channel cannot be found it asks every adapter configured for the company. An adapter that cannot
answer (unreachable, misconfigured) counts as not knowing the message: the entry is left *incerto*
for a person, never sent again blindly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence

from creditbox.application.channel_config import CHANNEL_NAMES, ChannelConfigService
from creditbox.application.ports import (
    CHANNEL_SENT,
    CHANNEL_UNKNOWN,
    AdapterSpec,
    BatchChannel,
    Channel,
    ChannelError,
    ChannelMessage,
    Receipt,
)

AdapterFactory = Callable[[AdapterSpec], Channel]
log = logging.getLogger(__name__)


class UnknownAdapter(ChannelError):
    """The configuration names an adapter that does not exist in this installation."""


class ChannelRouter:
    def __init__(
        self,
        configuration: ChannelConfigService,
        factories: Mapping[str, AdapterFactory],
        secret: Callable[[str], str],
        channel_of: Callable[[str], str | None] = lambda _key: None,
    ) -> None:
        self._configuration = configuration
        self._factories = dict(factories)
        self._secret = secret
        self._channel_of = channel_of
        self._adapters: dict[tuple[str, str], tuple[tuple[int, int], Channel]] = {}
        self._lock = threading.Lock()

    @property
    def adapter_names(self) -> list[str]:
        return sorted(self._factories)

    def adapter(self, company: str, channel: str) -> Channel:
        """The adapter serving ``company``'s ``channel`` under its configuration in force."""
        config = self._configuration.effective(company)
        key = (config.company, channel)
        with self._lock:
            cached = self._adapters.get(key)
            if cached is not None and cached[0] == config.stamp:
                return cached[1]
        spec = config.adapter_spec(channel, self._secret)
        factory = self._factories.get(spec.adapter)
        if factory is None:
            raise UnknownAdapter(
                f"canale {channel} di {config.company}: adattatore sconosciuto {spec.adapter!r}"
                f" (disponibili: {', '.join(self.adapter_names)})"
            )
        adapter = factory(spec)
        with self._lock:
            self._adapters[key] = (config.stamp, adapter)
        return adapter

    def send(self, message: ChannelMessage) -> Receipt:
        return self.adapter(message.company, message.channel).send(message)

    def send_many(self, messages: Sequence[ChannelMessage]) -> list[Receipt | Exception]:
        """Each message through its adapter, answered in order with its receipt or the error its
        ``send`` would have raised; an adapter that takes chunks (``BatchChannel``) gets its
        messages of the chunk at once, any other one message after the other."""
        results: list[Receipt | Exception | None] = [None] * len(messages)
        groups: dict[int, tuple[Channel, list[int]]] = {}
        for index, message in enumerate(messages):
            try:
                adapter = self.adapter(message.company, message.channel)
            except Exception as error:
                results[index] = error
                continue
            groups.setdefault(id(adapter), (adapter, []))[1].append(index)
        for adapter, indexes in groups.values():
            if isinstance(adapter, BatchChannel):
                try:
                    answers = adapter.send_many([messages[i] for i in indexes])
                except Exception as error:
                    answers = [error] * len(indexes)
                for index, answer in zip(indexes, answers, strict=True):
                    results[index] = answer
                continue
            for index in indexes:
                try:
                    results[index] = adapter.send(messages[index])
                except Exception as error:
                    results[index] = error
        return [r if r is not None else ChannelError("messaggio non inviato") for r in results]

    def status(self, action_key: str) -> str:
        company = action_key.split("/", 1)[0]
        channel = self._channel_of(action_key)
        channels = [channel] if channel is not None else list(CHANNEL_NAMES)
        seen: set[int] = set()
        for name in channels:
            try:
                adapter = self.adapter(company, name)
                if id(adapter) in seen:
                    continue
                seen.add(id(adapter))
                if adapter.status(action_key) == CHANNEL_SENT:
                    return CHANNEL_SENT
            except Exception as error:  # a channel that cannot answer does not know the message
                log.warning("stato di %s sul canale %s non disponibile: %s", action_key, name, error)
        return CHANNEL_UNKNOWN
