"""The peer's window: every other peer it knows, with its URL and metadata.

Everything here runs on the Tk thread. net.py's reader thread fills a queue
that poll() drains; a peer that has not announced itself for three
intervals is forgotten, and one that says BYE at once.
"""

from __future__ import annotations

import queue
import time
import tkinter as tk
from dataclasses import dataclass

from net import Discovery, Event

POLL_MS = 50
EXPIRY = 3  # intervals of silence before a peer is forgotten


@dataclass
class Peer:
    url: str
    metadata: dict[str, str]
    last_seen: float

    def line(self, name: str) -> str:
        meta = " ".join(f"{key}={value}" for key, value in self.metadata.items())
        return f"{name}   {self.url}   {meta}".rstrip()


class PeerWindow:
    """The list of known peers, kept in step with the group."""

    def __init__(self, root: tk.Tk, discovery: Discovery, inbox: queue.Queue[Event]) -> None:
        self.root, self.discovery, self.inbox = root, discovery, inbox
        self.peers: dict[str, Peer] = {}
        self.shown: list[str] = []
        root.title(f"Peers of {discovery.name}")
        root.protocol("WM_DELETE_WINDOW", self.close)
        caption = f"{discovery.name} at {discovery.url}"
        tk.Label(root, text=caption, anchor="w").pack(fill="x", padx=5, pady=(5, 0))
        self.listbox = tk.Listbox(root, width=70, height=12)
        self.listbox.pack(fill="both", expand=True, padx=5, pady=5)

    def poll(self) -> None:
        while True:
            try:
                event = self.inbox.get_nowait()
            except queue.Empty:
                break
            if event[0] == "announce":
                _, name, url, metadata, at = event
                self.peers[name] = Peer(url, metadata, at)
            elif event[0] == "bye":
                self.peers.pop(event[1], None)
        limit = time.monotonic() - EXPIRY * self.discovery.interval
        self.peers = {n: p for n, p in self.peers.items() if p.last_seen >= limit}
        self.refresh()
        self.root.after(POLL_MS, self.poll)

    def refresh(self) -> None:
        lines = [self.peers[name].line(name) for name in sorted(self.peers)]
        if lines != self.shown:  # redraw only on change
            self.shown = lines
            self.listbox.delete(0, "end")
            for line in lines:
                self.listbox.insert("end", line)

    def close(self) -> None:
        self.discovery.stop()
        self.root.destroy()


def run(name: str, port: int, group: str, mport: int, interval: float) -> None:
    """Open the window, join the group, and run until the window is closed."""
    inbox: queue.Queue[Event] = queue.Queue()
    discovery = Discovery(name, port, group, mport, interval, inbox)
    root = tk.Tk()
    window = PeerWindow(root, discovery, inbox)
    discovery.start()
    window.poll()
    root.mainloop()
