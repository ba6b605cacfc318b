"""A loopback SMTP server for the tests of e-mail: reminders, escalations, chasing and meeting changes."""

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    messages: list = field(default_factory=list)
    refuse: bool = False
    refused_recipients: set = field(default_factory=set)

    async def handle_DATA(self, server, session, envelope):
        if self.refuse or self.refused_recipients & set(envelope.rcpt_tos):
            return "554 Transaction failed"
        self.messages.append(
            (sorted(envelope.rcpt_tos), message_from_bytes(envelope.original_content, policy=policy.default))
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()
