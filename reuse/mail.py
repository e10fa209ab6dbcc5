"""Sending e-mail over SMTP; with no MAIL_SERVER configured, messages go to the log instead,
and in development (`make run`) to the console, so a password reset link can be followed.

Headers are built from text people typed (item titles in subjects), so every header value is
folded onto one line first: a CR or LF in a subject can neither break the message nor add a
header (such as Bcc) of its own.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import sys
from email.headerregistry import Address
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("reuse.mail")

# Control characters (C0, DEL, C1) and Unicode line and paragraph separators: none belongs
# in a one-line header, and CR/LF would end it.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class MailUnavailable(OSError):
    """The mail server could not be reached or would not start a session, or MAIL_SENDER is
    no address: no message was at fault, and none will get through until it is fixed."""


def header_text(text: str) -> str:
    """Text for a subject or a display name: control characters and runs of blanks folded
    into single spaces, so the header stays one line."""
    return " ".join(_CONTROL.sub(" ", text).split())


# "Display name <address>", or a bare address.
_NAME_AND_ADDRESS = re.compile(r"(?s)(.*?)\s*<([^<>]*)>\s*")


def _sender(configured: str) -> Address:
    """MAIL_SENDER as a From address; its display name folded and quoted as needed."""
    found = _NAME_AND_ADDRESS.fullmatch(configured)
    name, address = found.groups() if found else ("", configured)
    return Address(display_name=header_text(name).strip('"'), addr_spec=address.strip())


def _build(to: str, subject: str, body: str) -> EmailMessage:
    """One plain-text message. Raises ValueError for an address that is no address."""
    if _CONTROL.search(to):
        raise ValueError("an e-mail address with control characters")
    try:
        sender = _sender(current_app.config["MAIL_SENDER"])
    except ValueError as exc:  # the setting is wrong, not this message
        raise MailUnavailable(f"MAIL_SENDER is not an e-mail address: {exc}") from exc
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = header_text(subject)
    message.set_content(body)
    return message


def _print(to: str, subject: str, body: str) -> None:
    """A message as the developer running the site reads it in the terminal."""
    rule = "-" * 72
    print(f"{rule}\nE-post (ikke sendt: MAIL_SERVER er ikke satt)\nTil: {to}\n"
          f"Emne: {subject}\n\n{body}\n{rule}", file=sys.stdout, flush=True)


def send(to: str, subject: str, body: str) -> None:
    """Send one plain-text message.

    Raises MailUnavailable when the server cannot be reached or refuses the session, and
    ValueError/SMTPException when this message cannot be built or is refused.
    """
    message = _build(to, subject, body)
    config = current_app.config
    server = config["MAIL_SERVER"]
    if not server and config["REUSE_ENV"] == "development":
        _print(message["To"], message["Subject"], body)
        return
    if not server:
        log.info("E-mail (no MAIL_SERVER set, not sent) to=%s subject=%s\n%s", to,
                 message["Subject"], body)
        return
    port = config["MAIL_PORT"]
    try:
        smtp = smtplib.SMTP(server, port, timeout=10)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailUnavailable(f"cannot reach mail server {server}:{port}: {exc}") from exc
    with smtp:
        try:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailable(f"mail server {server}:{port} refused the session: "
                                  f"{exc}") from exc
        smtp.send_message(message)
