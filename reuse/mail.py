"""Sending e-mail over SMTP; with no MAIL_SERVER configured, messages go to the log instead."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("reuse.mail")


def send(to: str, subject: str, body: str) -> None:
    """Send one plain-text message. Raises OSError/SMTPException if the server refuses it."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)

    server = config.get("MAIL_SERVER")
    if not server:
        log.info("E-mail (no MAIL_SERVER set, not sent) to=%s subject=%s\n%s", to, subject, body)
        return
    port = int(config.get("MAIL_PORT") or 25)
    with smtplib.SMTP(server, port, timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
