"""The peer's network side: discovery over multicast, and its TCP listener.

All socket code lives here. A reader thread parses what the group says and
puts it on a queue that the GUI thread polls; an announcer thread sends
ANNOUNCE every interval; an answer to a REQUEST goes out after a short
random delay, so that many peers do not answer at the same instant.
"""

from __future__ import annotations

import queue
import random
import re
import socket
import threading
import time

IFACE = "127.0.0.1"  # multicast stays on the loopback interface
MAX_DATAGRAM = 1024
REPLY_DELAY = 0.5  # seconds, at most
NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
URL = re.compile(r"tcp://[A-Za-z0-9.-]+:[0-9]{1,5}")
META = re.compile(r"([a-z]+)=(\S{1,64})")

# What the reader thread queues:
#   ("announce", name, url, metadata, received_at) and ("bye", name, received_at)
Event = tuple


def parse(data: bytes) -> tuple | None:
    """The message in a datagram as a tuple, or None for anything malformed."""
    if len(data) > MAX_DATAGRAM:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    words = text.removesuffix("\n").split(" ")
    if len(words) < 2 or not NAME.fullmatch(words[1]):
        return None
    kind, name, rest = words[0], words[1], words[2:]
    if kind in ("REQUEST", "BYE") and not rest:
        return (kind, name)
    if kind == "ANNOUNCE" and rest and URL.fullmatch(rest[0]):
        metas = [META.fullmatch(token) for token in rest[1:]]
        if all(metas) and int(rest[0].rsplit(":", 1)[1]) <= 65535:
            return (kind, name, rest[0], dict(m.groups() for m in metas))
    return None


def open_group(group: str, port: int) -> socket.socket:
    """A UDP socket that hears the group on loopback and sends to it with TTL 1."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    # Other peers on this machine listen on the same port.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((group, port))
    membership = socket.inet_aton(group) + socket.inet_aton(IFACE)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(IFACE))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
    sock.settimeout(0.25)  # so the reader notices stop()
    return sock


class Discovery:
    """This peer on the group: announces itself and reports the others."""

    def __init__(self, name: str, port: int, group: str, mport: int,
                 interval: float, inbox: queue.Queue[Event]) -> None:
        self.name, self.port, self.interval = name, port, interval
        self.target = (group, mport)
        self.url = f"tcp://{IFACE}:{port}"
        self.status = "online"
        self._inbox = inbox
        self._stopped = threading.Event()
        self._listener = socket.create_server((IFACE, port))
        self._sock = open_group(group, mport)

    def start(self) -> None:
        """Say who's there and that we are here, then keep announcing."""
        for loop in (self._accept_loop, self._read_loop, self._announce_loop):
            threading.Thread(target=loop, daemon=True).start()
        self._send(f"REQUEST {self.name}")
        self.announce()

    def announce(self) -> None:
        self._send(f"ANNOUNCE {self.name} {self.url} status={self.status}")

    def stop(self) -> None:
        """Say BYE, leave the group and close everything."""
        if self._stopped.is_set():
            return
        self._send(f"BYE {self.name}")
        self._stopped.set()
        group = socket.inet_aton(self.target[0]) + socket.inet_aton(IFACE)
        try:
            self._sock.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, group)
        except OSError:
            pass  # already gone
        self._sock.close()
        self._listener.close()

    def _send(self, text: str) -> None:
        try:
            self._sock.sendto(text.encode("utf-8"), self.target)
        except OSError:
            pass  # a lost datagram is normal on UDP; the next ANNOUNCE follows

    def _announce_loop(self) -> None:
        # Deadlines rather than sleeps, so the rhythm does not drift.
        deadline = time.monotonic() + self.interval
        while not self._stopped.wait(max(0.0, deadline - time.monotonic())):
            self.announce()
            deadline = max(deadline + self.interval, time.monotonic())

    def _read_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                data = self._sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return  # closed by stop()
            message = parse(data)
            if message is None or message[1] == self.name:
                continue  # malformed, or our own message come back
            if message[0] == "REQUEST":
                delay = random.uniform(0, REPLY_DELAY)
                threading.Timer(delay, self.announce).start()
            else:
                self._inbox.put((message[0].lower(), *message[1:], time.monotonic()))

    def _accept_loop(self) -> None:
        # Nothing is spoken on the TCP port yet: accept and hang up.
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            conn.close()
