"""messagebox and simpledialog questions, shown to the grader as pseudo windows.

A real messagebox is a native dialog the agent cannot look into, so the
patched messagebox and simpledialog functions call show() instead: it
reports a pseudo window `dialog#N` (class Dialog) with one button per answer
(and an entry for a simpledialog), then waits in a nested event loop, as the
real dialog does, until the grader answers it. A dialog never outlives the
root it was shown over: when that root is destroyed the dialog gets its close
answer, so a question left open cannot keep a finished program alive.
"""

from __future__ import annotations

import _thread
import threading
from typing import Any, Callable, Optional

from .base import AgentLike, CommandError

# Answers of each messagebox type, in the order its buttons show.
MESSAGE_BUTTONS = {
    'ok': [('ok', 'OK')],
    'okcancel': [('ok', 'OK'), ('cancel', 'Cancel')],
    'yesno': [('yes', 'Yes'), ('no', 'No')],
    'yesnocancel': [('yes', 'Yes'), ('no', 'No'), ('cancel', 'Cancel')],
    'retrycancel': [('retry', 'Retry'), ('cancel', 'Cancel')],
    'abortretryignore': [('abort', 'Abort'), ('retry', 'Retry'), ('ignore', 'Ignore')],
}


class Dialog:
    """One open question, shown as the pseudo window `dialog#N`."""

    def __init__(self, number: int, title: str, text: str, buttons: list[tuple[str, str]],
                 close: str, entry: Optional[str],
                 parse: Optional[Callable[[str], Any]]) -> None:
        self.path = f'dialog#{number}'
        self.title = title
        self.text = text
        self.buttons = buttons
        self.close_answer = close
        self.entry = entry
        self.parse = parse
        self.answer: Optional[str] = None
        self.done = False
        self.variable: Optional[str] = None
        self.raw: Any = None
        self.event: Optional[threading.Event] = None

    def records(self) -> list[dict]:
        """The widget records the grader sees for this dialog."""
        path = self.path
        out: list[dict] = [{
            'path': path, 'cls': 'Dialog', 'parent': None, 'window': path, 'mapped': True,
            'title': self.title, 'state': 'normal', 'hasDeleteHandler': True, 'text': self.text,
        }]
        if self.entry is not None:
            out.append({'path': path + '.entry', 'cls': 'Entry', 'parent': path, 'window': path,
                        'mapped': True, 'text': self.entry, 'value': self.entry})
        for name, label in self.buttons:
            out.append({'path': f'{path}.{name}', 'cls': 'Button', 'parent': path, 'window': path,
                        'mapped': True, 'text': label, 'hasCommand': True})
        return out


def show(agent: AgentLike, title: str, text: str, buttons: list[tuple[str, str]], close: str,
         entry: Optional[str] = None,
         parse: Optional[Callable[[str], Any]] = None) -> tuple[str, str]:
    """Show a pseudo dialog and block until it is answered; (answer, entry text)."""
    agent.dialog_count += 1
    dialog = Dialog(agent.dialog_count, title, text, buttons, close, entry, parse)
    if not agent.connected:
        return close, entry or ''
    on_tk = _thread.get_ident() == agent.tk_thread and agent.handler_raw is not None
    temp_root = None
    if agent.handler_raw is None and agent.tk is not None:
        # Like the real messagebox: no live root, so make a hidden one
        # (its event loop is what lets the grader answer).
        temp_root = agent.tk.Tk()
        temp_root.withdraw()
        on_tk = agent.handler_raw is not None
    agent.dialogs[dialog.path] = dialog
    try:
        if on_tk:
            raw = agent.handler_raw
            dialog.raw = raw
            dialog.variable = f'::chatgrade_dialog{agent.dialog_count}'
            raw.globalsetvar(dialog.variable, '0')
            agent.before_nested_loop()
            agent.mark_dirty()
            while not dialog.done and agent.connected:
                try:
                    raw.call('tkwait', 'variable', dialog.variable)
                except Exception:
                    break
        else:
            dialog.event = threading.Event()
            agent.mark_dirty()
            dialog.event.wait()
    finally:
        agent.dialogs.pop(dialog.path, None)
        agent.mark_dirty()
        if temp_root is not None:
            try:
                temp_root.destroy()
            except Exception:
                pass
    if not dialog.done:
        return close, dialog.entry or ''
    return dialog.answer or close, dialog.entry or ''


def answer(agent: AgentLike, dialog: Dialog, choice: str) -> None:
    """Answer a dialog; an unparsable simpledialog entry raises CommandError and keeps it open."""
    if choice != dialog.close_answer and choice == 'ok' and dialog.parse is not None:
        dialog.parse(dialog.entry or '')
    dialog.answer = choice
    dialog.done = True
    agent.dialogs.pop(dialog.path, None)
    if dialog.event is not None:
        dialog.event.set()
    elif dialog.raw is not None:
        try:
            dialog.raw.globalsetvar(dialog.variable, '1')
        except Exception:
            pass  # its interpreter is gone: the wait loop ends on `done`


def close_all(agent: AgentLike, raw: Any = None) -> None:
    """Give open dialogs their close answer: those over `raw`, or all of them."""
    for dialog in list(agent.dialogs.values()):
        if raw is None or dialog.raw is raw:
            try:
                answer(agent, dialog, dialog.close_answer)
            except Exception:
                pass


def lookup(agent: AgentLike, path: str) -> tuple[Dialog, str]:
    """The dialog a `dialog#N[.part]` path names, and the part."""
    base, _, part = path.partition('.')
    dialog = agent.dialogs.get(base)
    if dialog is None:
        raise CommandError(f'no dialog {base} (answered already?)')
    return dialog, part
