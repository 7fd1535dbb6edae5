"""The chat client's windows: the main window, invitations, conversations.

Everything here runs on the Tk thread. Lines from the server arrive through
the queue that net.py's reader thread fills; poll() drains it and hands each
line to the handler named by its command (table-based dispatch).
"""

from __future__ import annotations

import queue
import tkinter as tk
from collections.abc import Callable
from tkinter import simpledialog
from tkinter.scrolledtext import ScrolledText

from net import Connection, Event

POLL_MS = 30
STATUSES = ("available", "away", "busy")


class ChatWindow:
    """One conversation's Toplevel: members, transcript and an input line."""

    def __init__(self, root: tk.Tk, conv: str, members: list[str],
                 on_send: Callable[[str, str], None],
                 on_leave: Callable[[str], None]) -> None:
        self.conv = conv
        self.top = tk.Toplevel(root)
        self.top.title(f"Conversation {conv}")
        self.top.protocol("WM_DELETE_WINDOW", lambda: on_leave(conv))
        self.members = tk.Label(self.top, anchor="w")
        self.members.pack(fill="x", padx=5, pady=(5, 0))
        self.set_members(members)
        self.transcript = ScrolledText(self.top, width=50, height=15,
                                       wrap="word", state="disabled")
        self.transcript.pack(fill="both", expand=True, padx=5, pady=5)
        bar = tk.Frame(self.top)
        bar.pack(fill="x", padx=5, pady=(0, 5))
        self.entry = tk.Entry(bar)
        self.entry.pack(side="left", fill="x", expand=True)
        self.entry.bind("<Return>", lambda _event: self.submit())
        self.entry.focus_set()
        tk.Button(bar, text="Send", command=self.submit).pack(side="left")
        tk.Button(bar, text="Leave",
                  command=lambda: on_leave(conv)).pack(side="left")
        self._on_send = on_send

    def set_members(self, members: list[str]) -> None:
        self.members.config(text="Members: " + ", ".join(members))

    def show(self, line: str) -> None:
        self.transcript.config(state="normal")
        self.transcript.insert("end", line + "\n")
        self.transcript.config(state="disabled")
        self.transcript.see("end")

    def submit(self) -> None:
        text = self.entry.get()
        if text.strip():
            self._on_send(self.conv, text)
            self.entry.delete(0, "end")


class ChatApp:
    """The main window and the protocol logic behind all the windows."""

    def __init__(self, root: tk.Tk, user: str, host: str, port: int) -> None:
        self.root, self.user, self.host, self.port = root, user, host, port
        self.inbox: queue.Queue[Event] = queue.Queue()
        self.conn = Connection(self.inbox)
        self.users: list[str] = []  # online users except ourselves
        self.statuses: dict[str, str] = {}
        self.icons: dict[str, tk.PhotoImage] = {}  # keeps the images alive
        self.members: dict[str, list[str]] = {}  # from the last CONVERSATIONS
        self.chats: dict[str, ChatWindow] = {}
        self.handlers: dict[str, Callable[[str], None]] = {
            "ONLINE_USERS": self.on_online_users,
            "INVITATION": self.on_invitation,
            "CONVERSATIONS": self.on_conversations,
            "SEND_MESSAGE": self.on_message,
            "STATUS": self.on_status,
            "ICON": self.on_icon,
            "ERROR": self.on_error,
        }
        self.build()
        self.root.after_idle(self.connect)

    def build(self) -> None:
        self.root.title(f"Chat — {self.user}")
        self.root.protocol("WM_DELETE_WINDOW", self.quit)
        tk.Label(self.root, text="Online users", anchor="w").pack(
            fill="x", padx=5, pady=(5, 0))
        self.user_list = tk.Listbox(self.root, selectmode=tk.MULTIPLE,
                                    width=30, height=12)
        self.user_list.pack(fill="both", expand=True, padx=5, pady=5)
        self.user_list.bind("<Double-Button-1>", self.on_double_click)
        self.icon_bar = tk.Frame(self.root)
        self.icon_bar.pack(fill="x", padx=5)
        bar = tk.Frame(self.root)
        bar.pack(fill="x", padx=5, pady=5)
        tk.Button(bar, text="Chat", command=self.start_chat).pack(side="left")
        self.status_var = tk.StringVar(self.root, value=STATUSES[0])
        tk.OptionMenu(bar, self.status_var, *STATUSES).pack(side="left")
        self.status_var.trace_add("write", self.on_status_chosen)
        tk.Button(bar, text="Quit", command=self.quit).pack(side="right")
        self.status_bar = tk.Label(self.root, anchor="w", relief="sunken")
        self.status_bar.pack(fill="x", side="bottom")

    # --- connection -------------------------------------------------------

    def connect(self) -> None:
        try:
            self.conn.connect(self.host, self.port)
        except OSError as exc:
            self.set_status(f"Cannot connect to {self.host}:{self.port}: "
                            f"{exc.strerror or exc}")
            return
        self.send(f"REGISTER {self.user}")
        self.poll()
        self.set_status(f"Connected to {self.host}:{self.port}")

    def send(self, line: str) -> None:
        if not self.conn.send(line):
            self.set_status("Not connected to the server.")

    def poll(self) -> None:
        """Handle every event the reader thread has queued, then look again."""
        try:
            while True:
                self.handle(*self.inbox.get_nowait())
        except queue.Empty:
            pass
        self.root.after(POLL_MS, self.poll)

    def handle(self, kind: str, text: str) -> None:
        if kind == "closed":
            self.set_status(f"Disconnected: {text}.")
            return
        command, _, args = text.partition(" ")
        handler = self.handlers.get(command)
        if handler is None:
            return  # unknown command: ignored, as the protocol asks
        try:
            handler(args)
        except (ValueError, tk.TclError):
            pass  # malformed line (wrong arguments, bad image): ignored

    def set_status(self, text: str) -> None:
        self.status_bar.config(text=text)

    def quit(self) -> None:
        self.send("GOODBYE")
        self.conn.close()
        self.root.destroy()

    # --- user actions -----------------------------------------------------

    def start_chat(self) -> None:
        users = [self.users[i] for i in self.user_list.curselection()]
        if not users:
            self.set_status("Select one or more users to chat with.")
            return
        self.send("INVITE " + " ".join(users))
        self.user_list.selection_clear(0, "end")

    def on_double_click(self, event: tk.Event) -> None:
        index = self.user_list.nearest(event.y)
        if 0 <= index < len(self.users):
            self.send(f"INVITE {self.users[index]}")

    def on_status_chosen(self, *_trace: object) -> None:
        self.send(f"STATUS {self.status_var.get()}")

    def say(self, conv: str, text: str) -> None:
        # No local echo: the server relays our text back to us.
        self.send(f"SEND_MESSAGE {conv} {text}")

    def leave(self, conv: str) -> None:
        self.send(f"LEAVE {conv}")
        self.chats.pop(conv).top.destroy()

    def open_chat(self, conv: str) -> None:
        if conv in self.chats:
            self.chats[conv].top.lift()
            return
        self.chats[conv] = ChatWindow(self.root, conv,
                                      self.members.get(conv, []),
                                      self.say, self.leave)

    def show_invitation(self, conv: str, inviter: str) -> None:
        top = tk.Toplevel(self.root)
        top.title("Invitation")
        tk.Label(top, text=f"{inviter} invites you to a conversation").pack(
            padx=20, pady=10)

        def accept() -> None:
            top.destroy()
            self.send(f"JOIN {conv}")
            self.open_chat(conv)

        buttons = tk.Frame(top)
        buttons.pack(pady=(0, 10))
        tk.Button(buttons, text="Accept", command=accept).pack(side="left")
        tk.Button(buttons, text="Decline", command=top.destroy).pack(
            side="left", padx=(10, 0))
        top.protocol("WM_DELETE_WINDOW", top.destroy)

    # --- server messages --------------------------------------------------

    def on_online_users(self, args: str) -> None:
        names = args.split()
        if not names:
            raise ValueError("ONLINE_USERS without users")
        self.users = [name for name in names if name != self.user]
        for gone in set(self.icons) - set(names):
            del self.icons[gone]
        self.refresh_users()
        self.refresh_icons()

    def on_invitation(self, args: str) -> None:
        conv, inviter = args.split(" ")
        if inviter == self.user:
            self.open_chat(conv)  # the server confirms our own INVITE
        else:
            self.show_invitation(conv, inviter)

    def on_conversations(self, args: str) -> None:
        members: dict[str, list[str]] = {}
        for entry in args.split():
            conv, colon, names = entry.partition(":")
            if not conv or not colon:
                raise ValueError(f"bad CONVERSATIONS entry {entry!r}")
            members[conv] = [name for name in names.split(",") if name]
        self.members = members
        for conv, window in self.chats.items():
            if conv in members:
                window.set_members(members[conv])

    def on_message(self, args: str) -> None:
        conv, sender, text = args.split(" ", 2)
        window = self.chats.get(conv)
        if window is not None:
            window.show(f"{sender}: {text}")

    def on_status(self, args: str) -> None:
        user, status = args.split(" ")
        self.statuses[user] = status
        self.refresh_users()

    def on_icon(self, args: str) -> None:
        user, data = args.split(" ")
        self.icons[user] = tk.PhotoImage(master=self.root, data=data)
        self.refresh_icons()

    def on_error(self, args: str) -> None:
        self.set_status(f"Server: {args}")

    # --- redrawing --------------------------------------------------------

    def refresh_users(self) -> None:
        selected = {self.user_list.get(i).split()[0]
                    for i in self.user_list.curselection()}
        self.user_list.delete(0, "end")
        for index, name in enumerate(self.users):
            status = self.statuses.get(name)
            self.user_list.insert("end", f"{name} ({status})" if status else name)
            if name in selected:
                self.user_list.selection_set(index)

    def refresh_icons(self) -> None:
        for label in self.icon_bar.winfo_children():
            label.destroy()
        for name, image in sorted(self.icons.items()):
            tk.Label(self.icon_bar, image=image, text=name,
                     compound="left").pack(side="left", padx=(0, 8))


def run(host: str, port: int, user: str | None) -> None:
    """Open the main window and run the client until the user quits."""
    root = tk.Tk()
    if not user:
        root.withdraw()
        user = simpledialog.askstring("Chat", "Your user name:", parent=root)
        if not user:
            root.destroy()
            return
        root.deiconify()
    ChatApp(root, user, host, port)
    root.mainloop()
