"""A bridge between the grader and one multicast group, for datagram tests.

    python3 mcast_bridge.py --socket PATH --group ADDR --port N [--iface IP]

The grader listens on the Unix socket PATH. The bridge connects there, joins
the group on the interface (127.0.0.1 by default), says hello, and then:

- forwards every datagram heard on the group, except its own, with its
  source, the TTL it arrived with (IP_RECVTTL) and the kernel's receive time
  (SO_TIMESTAMPNS, the same clock as the grader's Date.now());
- sends the datagrams the grader hands it onto the group, with TTL 1;
- answers whether a TCP connection to host:port can be made from here.

It runs in the network namespace of the program under test (the grader
starts it there from outside the sandbox, as a uid of its own, where the
program cannot see, signal or trace it), so the grader never joins the
group itself. It makes itself non-dumpable first, so that nothing of the
program's uid could read its memory or copy its sockets even if it could
name it. It exits when the grader closes the socket, or on SIGTERM once it
has relayed every datagram waiting (what the program sent just before it
exited) and the group has been quiet for a moment.

Framing, both ways: a 4-byte big-endian length of what follows, then a
2-byte big-endian header length, the header (a UTF-8 JSON object), and the
payload bytes (possibly none). Headers are at most 4 KiB, payloads 64 KiB.
Documented with the grader's side in src/fake-server/udp.ts.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import socket
import struct
import sys
import threading
import time

MAX_HEADER = 4096
MAX_PAYLOAD = 65536
MAX_FRAME = 2 + MAX_HEADER + MAX_PAYLOAD
# Silence on the group that ends a drain (the sandbox waits 2 s at most).
QUIET = 0.2
# Linux values, for Pythons whose socket module lacks the names.
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)
IP_TTL = getattr(socket, "IP_TTL", 2)
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
IP_MULTICAST_ALL = getattr(socket, "IP_MULTICAST_ALL", 49)
ANCILLARY = socket.CMSG_SPACE(4) + socket.CMSG_SPACE(16)


class Link:
    """The framed connection to the grader; frames may be sent from any thread."""

    def __init__(self, path: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.lock = threading.Lock()
        self.buffer = b""

    def send(self, header: dict, payload: bytes = b"") -> None:
        head = json.dumps(header).encode("utf-8")
        frame = struct.pack(">H", len(head)) + head + payload[:MAX_PAYLOAD]
        with self.lock:
            self.sock.sendall(struct.pack(">I", len(frame)) + frame)

    def receive(self) -> list[tuple[dict, bytes]] | None:
        """The frames now complete; None once the grader has gone."""
        chunk = self.sock.recv(MAX_FRAME)
        if not chunk:
            return None
        self.buffer += chunk
        frames = []
        while len(self.buffer) >= 4:
            (size,) = struct.unpack(">I", self.buffer[:4])
            if size > MAX_FRAME or size < 2:
                raise ValueError(f"frame of {size} bytes")
            if len(self.buffer) < 4 + size:
                break
            frame, self.buffer = self.buffer[4:4 + size], self.buffer[4 + size:]
            (head_len,) = struct.unpack(">H", frame[:2])
            if head_len > MAX_HEADER or 2 + head_len > size:
                raise ValueError(f"header of {head_len} bytes")
            frames.append((json.loads(frame[2:2 + head_len]), frame[2 + head_len:]))
        return frames


def open_receiver(group: str, port: int, iface: str) -> socket.socket:
    """A socket on the group: shares the port with the program under test."""
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    rx.bind((group, port))
    membership = socket.inet_aton(group) + socket.inet_aton(iface)
    rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    rx.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
    try:
        rx.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        rx.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_ALL, 0)
    except OSError:
        pass  # receive times then come from time.time(); other groups stay filtered by the bind
    return rx


def open_sender(iface: str) -> socket.socket:
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(iface))
    tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
    tx.bind((iface, 0))
    return tx


def read_ancillary(ancdata: list) -> tuple[int | None, float]:
    """The TTL the datagram arrived with, and when the kernel received it."""
    ttl, at = None, time.time()
    for level, kind, data in ancdata:
        if level == socket.IPPROTO_IP and kind == IP_TTL and len(data) >= 4:
            ttl = struct.unpack("=i", data[:4])[0]
        elif level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            sec, nsec = struct.unpack("=qq", data[:16])
            at = sec + nsec / 1e9
    return ttl, at


def probe_tcp(link: Link, ident: int, host: str, port: int, within: float) -> None:
    """Reply whether a TCP connection to host:port can be made (then close it)."""
    try:
        with socket.create_connection((host, port), timeout=within):
            pass
        link.send({"type": "reply", "id": ident, "ok": True, "connected": True})
    except OSError as exc:
        link.send({"type": "reply", "id": ident, "ok": True, "connected": False,
                   "error": exc.strerror or str(exc)})


def relay(link: Link, rx: socket.socket, own: tuple) -> None:
    """Forward one datagram waiting on the group, unless it is our own."""
    data, ancdata, _flags, source = rx.recvmsg(MAX_PAYLOAD, ANCILLARY)
    if source != own:
        ttl, at = read_ancillary(ancdata)
        link.send({"type": "datagram", "src": source[0], "sport": source[1],
                   "ttl": ttl, "ts": at, "size": len(data)}, data)


def serve(link: Link, rx: socket.socket, tx: socket.socket, target: tuple[str, int],
          stop: int) -> None:
    own = tx.getsockname()
    while True:
        ready, _, _ = select.select([rx, link.sock, stop], [], [])
        if stop in ready:
            # Told to go: relay what is waiting first, and what is still on
            # its way (a loaded kernel may deliver late), until the group has
            # been quiet for QUIET seconds; then end.
            while select.select([rx], [], [], QUIET)[0]:
                relay(link, rx, own)
            return
        if rx in ready:
            relay(link, rx, own)
        if link.sock in ready:
            frames = link.receive()
            if frames is None:
                return
            for header, payload in frames:
                handle(link, tx, target, header, payload)


def handle(link: Link, tx: socket.socket, target: tuple[str, int],
           header: dict, payload: bytes) -> None:
    kind, ident = header.get("type"), header.get("id")
    if kind == "send":
        at = time.time()
        try:
            tx.sendto(payload, target)
            link.send({"type": "reply", "id": ident, "ok": True, "ts": at})
        except OSError as exc:
            link.send({"type": "reply", "id": ident, "ok": False, "error": str(exc)})
    elif kind == "connect":
        within = min(float(header.get("within", 1.0)), 10.0)
        args = (link, ident, str(header.get("host")), int(header.get("port", 0)), within)
        threading.Thread(target=probe_tcp, args=args, daemon=True).start()
    else:
        error = f"unknown request {kind!r}"
        link.send({"type": "reply", "id": ident, "ok": False, "error": error})


def not_dumpable() -> None:
    """prctl(PR_SET_DUMPABLE, 0): no ptrace, no /proc/<pid>/mem, no pidfd_getfd of our sockets."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
    except (OSError, AttributeError):
        pass  # not Linux: nothing of the kind to close


def main() -> None:
    not_dumpable()
    parser = argparse.ArgumentParser(description="multicast bridge for chatgrade")
    parser.add_argument("--socket", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--iface", default="127.0.0.1")
    args = parser.parse_args()
    link = Link(args.socket)
    try:
        rx = open_receiver(args.group, args.port, args.iface)
        tx = open_sender(args.iface)
    except OSError as exc:
        where = f"{args.group}:{args.port} on {args.iface}"
        link.send({"type": "error", "text": f"cannot join {where}: {exc}"})
        sys.exit(2)
    # SIGTERM wakes the select loop through this pipe (set_wakeup_fd), never mid-frame.
    stop, wake = os.pipe()
    os.set_blocking(wake, False)
    signal.set_wakeup_fd(wake)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
    source = tx.getsockname()
    link.send({"type": "hello", "version": 1, "pid": os.getpid(), "group": args.group,
               "port": args.port, "source": f"{source[0]}:{source[1]}"})
    try:
        serve(link, rx, tx, (args.group, args.port), stop)
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"mcast_bridge: {exc}\n")
        sys.exit(3)


if __name__ == "__main__":
    main()
