"""The chat client's network side: one TCP connection to the chat server.

All socket code lives here. A daemon reader thread turns the byte stream into
lines and puts them on a queue that the GUI thread polls; sending happens on
the caller's thread, one whole line at a time.
"""

from __future__ import annotations

import queue
import socket
import threading

MAX_LINE = 4096  # bytes per line, newline excluded (protocol limit)
CONNECT_TIMEOUT = 5.0  # seconds

# What the reader thread queues: ("line", text) for every line received, and
# ("closed", reason) once when the server ends the connection.
Event = tuple[str, str]


class Connection:
    """A line-based connection to the chat server."""

    def __init__(self, inbox: queue.Queue[Event]) -> None:
        self._inbox = inbox
        self._sock: socket.socket | None = None
        self._closing = False

    def connect(self, host: str, port: int) -> None:
        """Connect and start the reader thread; raises OSError on failure."""
        sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
        sock.settimeout(None)  # the timeout was for connecting only
        self._sock = sock
        reader = threading.Thread(target=self._read_loop, args=(sock,),
                                  name="net-reader", daemon=True)
        reader.start()

    def send(self, line: str) -> bool:
        """Send one line; False when there is no working connection."""
        if self._sock is None:
            return False
        try:
            self._sock.sendall(line.encode("utf-8") + b"\n")
        except OSError:
            return False
        return True

    def close(self) -> None:
        """Close the connection; the reader thread then ends quietly."""
        self._closing = True
        if self._sock is None:
            return
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already disconnected
        self._sock.close()
        self._sock = None

    def _read_loop(self, sock: socket.socket) -> None:
        reason = "the server closed the connection"
        buffer = b""
        too_long = False  # inside an over-long line: drop it up to its newline
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError as exc:
                reason = f"connection lost ({exc.strerror or exc})"
                break
            if not chunk:
                break
            *lines, buffer = (buffer + chunk).split(b"\n")
            for raw in lines:
                if too_long:
                    too_long = False
                else:
                    self._deliver(raw)
            if len(buffer) > MAX_LINE + 1:
                buffer, too_long = b"", True
        if not self._closing:
            self._inbox.put(("closed", reason))

    def _deliver(self, raw: bytes) -> None:
        raw = raw.removesuffix(b"\r")
        if len(raw) <= MAX_LINE:
            self._inbox.put(("line", raw.decode("utf-8", errors="replace")))
