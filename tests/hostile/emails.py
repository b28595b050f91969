"""Hostile emails, made on demand: codecs that are not text encodings, thousands of tiny
attachments, mailboxes of thousands of messages, unescaped ``From `` lines in bodies."""

from __future__ import annotations

import base64

NOT_TEXT_CODECS = ["rot13", "zlib_codec", "hex_codec", "base64_codec", "uu_codec", "punycode", "bz2_codec",
                   "quopri_codec", "undefined", "idna", "unicode_escape"]


def with_charset(charset: str) -> bytes:
    """A plain message whose body and subject declare ``charset``."""
    return (f"From: Shop <help@shop.example>\r\nTo: me@example.org\r\n"
            f"Subject: =?{charset}?q?Your_refund?=\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\n"
            f"Message-ID: <cs-{charset}@shop.example>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=\"{charset}\"\r\n\r\nWe will refund you by Friday.\r\n").encode()


def many_attachments(count: int) -> bytes:
    """One message with ``count`` tiny attachments (a few bytes each)."""
    boundary = "b0undary"
    parts = [f"From: Shop <help@shop.example>\r\nTo: me@example.org\r\nSubject: Receipts\r\n"
             f"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <many@shop.example>\r\nMIME-Version: 1.0\r\n"
             f"Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
             f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nYour receipts.\r\n"]
    for i in range(count):
        data = base64.b64encode(f"r{i}".encode()).decode()
        parts.append(f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
                     f"Content-Disposition: attachment; filename=\"r{i}.bin\"\r\n"
                     f"Content-Transfer-Encoding: base64\r\n\r\n{data}\r\n")
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode()


def mbox_of(count: int) -> bytes:
    """An mbox of ``count`` short messages."""
    out = []
    for i in range(count):
        out.append(f"From shop@example.com Mon Mar  2 10:00:00 2026\n"
                   f"From: Shop <help@shop.example>\nTo: me@example.org\nSubject: Note {i}\n"
                   f"Date: Mon, 02 Mar 2026 10:{i % 60:02d}:00 +0000\nMessage-ID: <m{i}@shop.example>\n\n"
                   f"Message {i}.\n\n")
    return "".join(out).encode()


def mbox_with_from_lines() -> tuple[bytes, list[bytes]]:
    """Five messages whose bodies hold ``From `` lines, and the five originals as written.

    Messages 1 and 4 were written by an mboxrd writer (every ``>*From `` body line gets one more
    ``>``); messages 0 and 3 by a careless one that escaped nothing."""
    bodies = [
        (b"Hello,\n\nFrom the start you promised a refund.\n", False),
        (b"Quote:\n>From your last letter: nothing.\nFrom me, again.\n", True),
        (b"Plain message.\n", True),
        (b"\nFrom now on I will write by post.\n\nFrom me\n", False),
        (b"Forwarded:\n>>From deep quote\n", True),
    ]
    originals, box = [], []
    for i, (body, escaped) in enumerate(bodies):
        head = (f"From: Me <me@example.org>\nTo: shop@example.com\nSubject: Letter {i}\n"
                f"Date: Mon, 02 Mar 2026 1{i}:00:00 +0000\nMessage-ID: <f{i}@example.org>\n\n").encode()
        originals.append(head + body)
        if escaped:
            body = b"\n".join(b">" + line if line.lstrip(b">").startswith(b"From ") else line
                               for line in body.split(b"\n"))
        box.append(b"From me@example.org Mon Mar  2 10:00:00 2026\n" + head + body + b"\n")
    return b"".join(box), originals
