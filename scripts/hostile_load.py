#!/usr/bin/env python3
"""Hostile loads for scripts/bench.sh: what an attacker would send to exhaust memory.

  hostile_load.py URL signins N        N concurrent sign-in attempts (argon2 on the server)
  hostile_load.py URL streams N        N live-event requests for items that do not exist
  hostile_load.py URL bomb COOKIE      a small PNG that claims a 120 MB bitmap, as a photo
  hostile_load.py URL idle N PATH PID  N live streams of PATH held open and idle: the server's
                                       (PID) memory per stream, then how soon it comes back
                                       after they close

Prints one line per load: what was sent and how the server answered (status counts).
Standard library only.
"""
import http.client
import socket
import time
import struct
import sys
import threading
import urllib.parse
import zlib
from collections import Counter


def connect(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60)


def signins(url, n):
    statuses = Counter()
    lock = threading.Lock()
    start = threading.Barrier(n)

    def one(i):
        conn = connect(url)
        body = f"username=crowd{i % 50}&password=wrong-password-{i}"
        try:
            start.wait()
            conn.request("POST", "/api/auth/signin", body, {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "Origin": url,
            })
            status = conn.getresponse().status
        except Exception as e:  # noqa: BLE001 - report any failure as such
            status = type(e).__name__
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{n} concurrent sign-ins: {dict(statuses)}")


def streams(url, n):
    statuses = Counter()
    conn = connect(url)
    for i in range(n):
        conn.request("GET", f"/items/{1_000_000 + i * 7919}/events", headers={"Accept": "text/event-stream"})
        r = conn.getresponse()
        r.read()
        statuses[r.status] += 1
    print(f"{n} unknown event streams: {dict(statuses)}")


def png_bomb(width=5000, height=3000):
    """RGBA, 16 bits per channel, all zeros: 120 MB once decoded, ~120 KB as a file."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + b"\x00" * (width * 8)
    raw = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 16, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def bomb(url, cookie):
    png = png_bomb()
    boundary = "----rbaybench"
    parts = []
    for name, value in [("name", "Bomb"), ("description", "A small file"), ("category", "other"), ("price", "1"), ("duration", "1d")]:
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"b.png\"\r\nContent-Type: image/png\r\n\r\n".encode())
    body = b"".join(parts) + png + f"\r\n--{boundary}--\r\n".encode()
    conn = connect(url)
    conn.request("POST", "/api/items/create", body, {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Accept": "application/json",
        "Origin": url,
        "Cookie": cookie,
    })
    r = conn.getresponse()
    answer = r.read().decode(errors="replace")[:120]
    print(f"photo bomb ({len(png)} bytes, 5000x3000 RGBA16): {r.status} {answer}")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def idle(url, n, path, pid):
    u = urllib.parse.urlparse(url)
    before = rss_kib(pid)
    request = (f"GET {path} HTTP/1.1\r\nHost: {u.netloc}\r\nAccept: text/event-stream\r\n"
               "User-Agent: hostile_load\r\n\r\n").encode()
    socks, statuses = [], Counter()
    for _ in range(n):
        s = socket.create_connection((u.hostname, u.port), timeout=30)
        s.sendall(request)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
        statuses[head.split(b" ", 2)[1].decode() if head.count(b" ") >= 2 else "closed"] += 1
        socks.append(s)
    time.sleep(2)
    held = rss_kib(pid)
    per = (held - before) * 1024 / max(n, 1)
    print(f"{n} idle streams of {path}: {dict(statuses)}; server RSS {before / 1024:.1f} MiB before, "
          f"{held / 1024:.1f} MiB with them open: {per / 1000:.1f} KB per stream")
    for s in socks:
        s.close()
    start = time.time()
    while True:
        time.sleep(1)
        now = rss_kib(pid)
        if now <= 48 * 1024 or time.time() - start > 90:
            print(f"after they closed: {now / 1024:.1f} MiB after {time.time() - start:.0f} s")
            return


if __name__ == "__main__":
    url, what = sys.argv[1], sys.argv[2]
    if what == "signins":
        signins(url, int(sys.argv[3]))
    elif what == "streams":
        streams(url, int(sys.argv[3]))
    elif what == "idle":
        idle(url, int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    elif what == "bomb":
        bomb(url, sys.argv[3])
    else:
        sys.exit(__doc__)
