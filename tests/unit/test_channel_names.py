"""The channel names and action → channel map the application keeps agree with the outbox's, and every
action of the standard table has its default templates, valid by the checks a saved template passes."""

from __future__ import annotations

import pytest

from creditbox.application.channel_config import ACTION_CHANNELS, CHANNEL_LABELS, DEFAULT_SMS_MAX_PARTS
from creditbox.application.default_templates import DEFAULT_TEMPLATES
from creditbox.application.templates import TEMPLATE_ACTIONS, check_template
from creditbox.domain.channel_document import changed_paths
from creditbox.projections.outbox import CHANNEL_LABELS as OUTBOX_LABELS
from creditbox.projections.outbox import CHANNELS


def test_the_channels_are_the_outboxs() -> None:
    assert ACTION_CHANNELS == CHANNELS
    assert CHANNEL_LABELS == OUTBOX_LABELS


@pytest.mark.parametrize("slug", sorted(TEMPLATE_ACTIONS))
def test_every_default_template_passes_the_checks_of_a_saved_one(slug: str) -> None:
    action = TEMPLATE_ACTIONS[slug]
    assert set(DEFAULT_TEMPLATES[slug]) == set(action.parts)
    for part, source in DEFAULT_TEMPLATES[slug].items():
        assert check_template(source, part, action, sms_max_parts=DEFAULT_SMS_MAX_PARTS) == []


def test_changed_paths_name_what_differs() -> None:
    before = {"channels": {"sms": {"sender": "A", "options": {"url": "x"}}}, "payment_days": 15}
    after = {"channels": {"sms": {"sender": "B", "options": {"url": "x"}}, "pec": {}}, "sms_max_parts": 2}
    assert changed_paths(before, after) == ("channels.pec", "channels.sms.sender", "payment_days", "sms_max_parts")
