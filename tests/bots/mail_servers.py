"""Real mail servers for the e-mail tests, on 127.0.0.1: Debian's Dovecot (IMAP, passwd-file
users, maildirs in a temporary directory, started by the test with a config of its own; as
root its mail user is `dovecot`, since Dovecot serves no mail as root), and an aiosmtpd
SMTP server that delivers each mail into the recipient's Dovecot INBOX by IMAP APPEND. The
desk's support mailbox and each client's mailbox are Dovecot users."""

from __future__ import annotations

import asyncio
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

DOVECOT = "/usr/sbin/dovecot"
PASSWORD = "secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Dovecot:
    """Its files live in a directory of their own under the system's temporary directory
    (pytest's is private to root, and Dovecot's own processes run as other users)."""

    def __init__(self, users: list[str], tls: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="chatdesk-dovecot-"))
        self.users = users
        self.port = free_port()
        self.tls_port = free_port() if tls else 0  # IMAPS; STARTTLS on `port` then too
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.root.chmod(0o755)
        for name in ("run", "state", "mail"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        (self.root / "passwd").write_text(
            "".join(f"{user}:{{PLAIN}}{PASSWORD}\n" for user in self.users))
        if os.geteuid() == 0:
            owner = pwd.getpwnam("dovecot")
            internal, login = "dovecot", "dovenull"
            uid, gid = owner.pw_uid, owner.pw_gid
            os.chown(self.root / "mail", uid, gid)
        else:
            me = pwd.getpwuid(os.getuid())
            internal = login = me.pw_name
            uid, gid = me.pw_uid, me.pw_gid
        tls = "ssl = no"
        if self.tls_port:
            self._certificate()
            tls = TLS.format(root=self.root)
        (self.root / "dovecot.conf").write_text(CONFIG.format(
            root=self.root, port=self.port, internal=internal, login=login, uid=uid,
            gid=gid, tls_port=self.tls_port, tls=tls))
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot stopped: {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"dovecot did not listen: {self.log()}")

    def _certificate(self) -> None:
        """A self-signed certificate for 127.0.0.1, which the client is told to trust."""
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(self.root / "key.pem"),
             "-out", str(self.certificate)], check=True, capture_output=True)

    @property
    def certificate(self) -> Path:
        return self.root / "cert.pem"

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, user: str, folder: str = "INBOX", scheme: str = "imap") -> str:
        port = self.tls_port if scheme == "imaps" else self.port
        return f"{scheme}://{user.replace('@', '%40')}:{PASSWORD}@127.0.0.1:{port}/{folder}"

    # --- as a mail program would, for the tests (blocking: run in a thread) -------------
    def imap(self, user: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(user, PASSWORD)
        return client

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        client = self.imap(user)
        try:
            client.append(folder, None, None, raw)
        finally:
            client.logout()

    def messages(self, user: str, folder: str = "INBOX") -> list[tuple[set[str], bytes]]:
        """Every message of the folder: its flags and bytes."""
        client = self.imap(user)
        try:
            client.select(folder, readonly=True)
            _, data = client.uid("SEARCH", None, "ALL")
            found = []
            for uid in data[0].split():
                _, parts = client.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
                head, body = parts[0]  # type: ignore[misc]
                flags = head.decode().split("FLAGS (")[1].split(")")[0].split()
                found.append((set(flags), body))
            return found
        finally:
            client.logout()


CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{tls}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {internal}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%u
imap_idle_notify_interval = 1 secs
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""

TLS = """ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem"""


@dataclass
class Delivery:
    """The SMTP server's handler: a mail for a known user goes into their INBOX."""

    dovecot: Dovecot
    received: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # addresses answered 550

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,  # noqa: N802
                          address: str, options: list[str]) -> str:
        if address.lower() in self.refuse or address.lower() not in self.dovecot.users:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address.lower())
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session,  # noqa: N802
                          envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        for user in envelope.rcpt_tos:
            await asyncio.to_thread(self.dovecot.append, user, raw)
        return "250 delivered"


class SmtpServer:
    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery
        self.port = free_port()
        self.controller = Controller(delivery, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


def mail_bytes(message: EmailMessage | Any) -> bytes:
    return bytes(message.as_bytes(policy=policy.SMTP))
