#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd, installed into .venv by scripts/setup.sh).

    .venv/bin/python3 scripts/mail_sink.py PORT DIR [--refuse N]

Listens on 127.0.0.1:PORT and writes every message it accepts to DIR as one JSON file:
the envelope (`mail_from`, `rcpt_tos`), the headers, the subject and the decoded plain-text and
HTML parts, so tests in any language read what a mail client would show. `--refuse N` answers
the first N messages with a temporary failure (451), as a relay that is down for a while does:
the sender must retry. Prints `ready` once listening; runs until killed."""
import argparse
import email
import email.policy
import json
import os
import signal
import threading
import time
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out, refuse):
        self.out = out
        self.refuse = refuse
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
        }
        name = f'{time.time_ns()}-{uuid.uuid4().hex}.json'
        temporary = os.path.join(self.out, '.' + name)
        with open(temporary, 'w') as f:
            json.dump(record, f)
        os.rename(temporary, os.path.join(self.out, name))
        return '250 OK'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('port', type=int)
    parser.add_argument('dir')
    parser.add_argument('--refuse', type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    controller = Controller(Sink(args.dir, args.refuse), hostname='127.0.0.1', port=args.port)
    controller.start()
    print('ready', flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == '__main__':
    main()
