#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd, installed into .venv by scripts/setup.sh).

    .venv/bin/python3 scripts/mail_sink.py PORT DIR [--refuse N]
        [--tls starttls|implicit --cert PEM --key PEM] [--login USER:PASSWORD]

Listens on 127.0.0.1:PORT and writes every message it accepts to DIR as one JSON file:
the envelope (`mail_from`, `rcpt_tos`), the headers, the subject and the decoded plain-text and
HTML parts, whether it came over TLS and who logged in, so tests in any language read what a
mail client would show. `--refuse N` answers the first N messages with a temporary failure
(451), as a relay that is down for a while does: the sender must retry. `--tls starttls`
refuses every command but EHLO/STARTTLS/QUIT before TLS (a relay on port 587); `--tls implicit`
speaks TLS from the first byte (port 465). `--login` requires AUTH with that user and password,
only over TLS. Prints `ready` once listening; runs until killed."""
import argparse
import email
import email.policy
import json
import os
import signal
import ssl
import threading
import time
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out, refuse, implicit_tls):
        self.out = out
        self.refuse = refuse
        self.implicit_tls = implicit_tls
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return '451 4.3.0 try again later'
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {}
        for part in msg.walk():
            kind = part.get_content_type()
            if kind in ('text/plain', 'text/html') and kind not in parts:
                parts[kind] = part.get_content()
        record = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'headers': {name: str(value) for name, value in msg.items()},
            'subject': str(msg['subject'] or ''),
            'text': parts.get('text/plain', ''),
            'html': parts.get('text/html', ''),
            'tls': self.implicit_tls or session.ssl is not None,
            'login': session.auth_data if session.authenticated else None,
        }
        name = f'{time.time_ns()}-{uuid.uuid4().hex}.json'
        temporary = os.path.join(self.out, '.' + name)
        with open(temporary, 'w') as f:
            json.dump(record, f)
        os.rename(temporary, os.path.join(self.out, name))
        return '250 OK'


class Login:
    """Accepts exactly one user and password (AUTH PLAIN or LOGIN)."""

    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.user
              and auth_data.password == self.password)
        return AuthResult(success=ok, auth_data=self.user.decode() if ok else None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('port', type=int)
    parser.add_argument('dir')
    parser.add_argument('--refuse', type=int, default=0)
    parser.add_argument('--tls', choices=['starttls', 'implicit'])
    parser.add_argument('--cert')
    parser.add_argument('--key')
    parser.add_argument('--login')
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    options = {}
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.tls == 'starttls':
            options.update(tls_context=context, require_starttls=True)
        else:
            options.update(ssl_context=context)
    if args.login:
        user, password = args.login.split(':', 1)
        # aiosmtpd knows of STARTTLS only: on an implicit-TLS port every byte is over TLS
        # already, and its own check would hide AUTH there.
        options.update(authenticator=Login(user, password), auth_required=True,
                       auth_require_tls=args.tls != 'implicit')
    sink = Sink(args.dir, args.refuse, args.tls == 'implicit')
    controller = Controller(sink, hostname='127.0.0.1', port=args.port, **options)
    controller.start()
    print('ready', flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == '__main__':
    main()
