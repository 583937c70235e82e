"""The real e-mail sender over SMTP, against a small SMTP server in the test process."""

import email
import socket
import socketserver
import threading
from email.header import decode_header, make_header

import pytest

from zhitong.notifications import conf
from zhitong.notifications.models import MessageStatus
from zhitong.notifications.senders import SmtpEmailSender


class SmtpStub(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for one message: records envelope and data."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        server = self.server
        self.reply("220 stub ESMTP")
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 stub")
            elif verb == "MAIL":
                server.envelope["from"] = command.split(":", 1)[1].strip()
                self.reply("250 ok")
            elif verb == "RCPT":
                if server.refuse_recipient:
                    self.reply(f"550 no such user {command.split(':', 1)[1].strip()}")
                else:
                    server.envelope.setdefault("to", []).append(command.split(":", 1)[1].strip())
                    self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                server.messages.append(data)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp_server(monkeypatch):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpStub)
    server.daemon_threads = True
    server.messages, server.envelope, server.refuse_recipient = [], {}, False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("NOTIFY_EMAIL_BACKEND", conf.SMTP_SENDER)
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(server.server_address[1]))
    monkeypatch.setenv("DEFAULT_FROM_EMAIL", "直通平台 <noreply@zhitong.example>")
    yield server
    server.shutdown()
    server.server_close()


def test_smtp_sender_delivers_one_email(db, smtp_server, notify_log, send):
    message = send(
        channel="email", to="citizen@example.com", subject="意见答复", body="您的意见已有答复。"
    )
    assert message.status == MessageStatus.SENT, message.error
    assert message.backend == "smtp"
    assert len(smtp_server.messages) == 1
    assert smtp_server.envelope["to"] == ["<citizen@example.com>"]
    assert smtp_server.envelope["from"] == "<noreply@zhitong.example>"
    parsed = email.message_from_bytes(smtp_server.messages[0])
    assert str(make_header(decode_header(parsed["Subject"]))) == "意见答复"
    assert parsed["To"] == "citizen@example.com"
    assert parsed.get_payload(decode=True).decode().strip() == "您的意见已有答复。"
    assert "citizen@example.com" not in notify_log.text


def test_smtp_refusal_is_recorded_with_the_address_masked(db, smtp_server, notify_log, send):
    smtp_server.refuse_recipient = True
    message = send(channel="email", to="citizen@example.com", body="正文")
    assert message.status == MessageStatus.QUEUED  # to be tried again
    assert "550" in message.error
    assert "citizen@example.com" not in message.error
    assert "c***@example.com" in message.error
    assert "citizen@example.com" not in notify_log.text


def test_an_unreachable_smtp_server_is_recorded(db, monkeypatch, send):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("NOTIFY_EMAIL_BACKEND", conf.SMTP_SENDER)
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(port))
    message = send(channel="email", to="a@example.com", body="正文")
    assert message.status == MessageStatus.QUEUED
    assert "ConnectionRefusedError" in message.error


def test_smtp_options_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.gov.cn")
    monkeypatch.setenv("EMAIL_PORT", "465")
    monkeypatch.setenv("EMAIL_HOST_USER", "notice")
    monkeypatch.setenv("EMAIL_HOST_PASSWORD", "s3cret")
    monkeypatch.setenv("EMAIL_USE_TLS", "false")
    monkeypatch.setenv("EMAIL_USE_SSL", "1")
    sender = SmtpEmailSender()
    assert sender.options == {
        "host": "smtp.example.gov.cn",
        "port": 465,
        "username": "notice",
        "password": "s3cret",
        "use_tls": False,
        "use_ssl": True,
        "timeout": 10.0,
    }
