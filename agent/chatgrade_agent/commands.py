"""The grader's low-level commands, carried out the way a person would.

Each handler takes the agent and the command, and returns the reply's
result (or None); a command that cannot be done raises CommandError.
Selecting lives in selection.py.
"""

from __future__ import annotations

from typing import Any, Callable

from . import dialogs
from .base import AgentLike, CommandError
from .selection import cmd_select
from .tkutil import (BUTTONISH, ENTRYISH, TTK_STATEFUL, centre, item_box, menu_labels,
                     posted_menus, refuse_disabled, tree_items, unpost)


def cmd_sync(agent: AgentLike, message: dict) -> None:
    agent.dirty = True
    # A person sees the screen once it has drawn: let the work the GUI left
    # for idle time run first (a list rebuilt with after_idle after a click),
    # so that the reply, and the tree sent before it, follow it.
    raw = agent.handler_raw
    if raw is not None:
        try:
            raw.call('update', 'idletasks')
        except Exception:
            pass


def cmd_snapshot(agent: AgentLike, message: dict) -> None:
    agent.force_tree = True


def cmd_set_text(agent: AgentLike, message: dict) -> None:
    path = str(message['path'])
    text = str(message['text'])
    if path.startswith('dialog#'):
        dialog, part = dialogs.lookup(agent, path)
        if part != 'entry' or dialog.entry is None:
            raise CommandError(f'{path} is not a dialog entry')
        dialog.entry = text
        agent.dirty = True
        return
    raw, path, cls = agent.target(path)
    refuse_disabled(raw, path, cls)
    if cls in ENTRYISH:
        if cls not in TTK_STATEFUL and str(raw.call(path, 'cget', '-state')) == 'readonly':
            raise CommandError(f'{path} is read-only')
        raw.call('focus', path)
        raw.call(path, 'delete', 0, 'end')
        raw.call(path, 'insert', 0, text)
        shown = str(raw.call(path, 'get'))
    elif cls == 'Text':
        raw.call('focus', path)
        raw.call(path, 'delete', '1.0', 'end')
        raw.call(path, 'insert', '1.0', text)
        shown = str(raw.call(path, 'get', '1.0', 'end-1c'))
    else:
        raise CommandError(f'{path} is a {cls}, not an Entry, Text or Combobox')
    agent.dirty = True
    # A person sees whether the text went in: a Text made read-only by
    # intercepting its insert (idlelib's redirector) claims to be editable.
    if shown != text:
        raise CommandError(f'{path} did not take the typed text (it shows {shown[:60]!r})')


def cmd_invoke(agent: AgentLike, message: dict) -> Any:
    path = str(message['path'])
    if path.startswith('dialog#'):
        dialog, part = dialogs.lookup(agent, path)
        if part not in [b[0] for b in dialog.buttons]:
            raise CommandError(f'{dialog.path} has no button {part!r}')
        dialogs.answer(agent, dialog, part)
        agent.dirty = True
        return None
    raw, path, cls = agent.target(path)
    refuse_disabled(raw, path, cls)
    agent.dirty = True
    if cls in BUTTONISH:
        raw.call(path, 'invoke')
        return None
    # Not a button: click it the way a person would (for bound labels).
    if not raw.getboolean(raw.call('winfo', 'viewable', path)):
        raise CommandError(f'{path} ({cls}) is not a button, nor on screen to be clicked')
    x = int(raw.call('winfo', 'width', path)) // 2
    y = int(raw.call('winfo', 'height', path)) // 2
    agent.mouse.click(raw, path, x, y)
    return {'clicked': True}


def cmd_key(agent: AgentLike, message: dict) -> None:
    path = str(message['path'])
    keysym = str(message['keysym'])
    if path.startswith('dialog#'):
        dialog, _ = dialogs.lookup(agent, path)
        if keysym == 'Return':
            dialogs.answer(agent, dialog, dialog.buttons[0][0])
        elif keysym == 'Escape':
            dialogs.answer(agent, dialog, dialog.close_answer)
        else:
            raise CommandError(f'key {keysym} means nothing to a dialog')
        agent.dirty = True
        return
    raw, path, _ = agent.target(path)
    *modifiers, key = keysym.split('-')
    state = 0
    for modifier in modifiers:
        if modifier not in _MODIFIERS:
            raise CommandError(f'unknown modifier {modifier!r} in {keysym!r}')
        state |= _MODIFIERS[modifier]
    raw.call('focus', '-force', path)
    raw.call('event', 'generate', path, '<KeyPress>', '-keysym', key, '-state', state)
    raw.call('event', 'generate', path, '<KeyRelease>', '-keysym', key, '-state', state)
    agent.dirty = True


_MODIFIERS = {'Shift': 1, 'Control': 4, 'Alt': 8}


def cmd_double_click(agent: AgentLike, message: dict) -> None:
    path = str(message['path'])
    index = message.get('index')
    raw, path, cls = agent.target(path)
    # A read-only Text or a disabled list still runs its bindings; a
    # disabled button or entry does not.
    if cls in BUTTONISH or cls in ENTRYISH:
        refuse_disabled(raw, path, cls)
    raw.call('update', 'idletasks')
    if cls == 'Listbox' and index is None:
        selected = raw.splitlist(raw.call(path, 'curselection'))
        index = int(selected[0]) if selected else int(raw.call(path, 'index', 'active'))
    elif cls == 'Treeview' and index is None:
        selected = raw.splitlist(raw.call(path, 'selection'))
        index = tree_items(raw, path).index(str(selected[0])) if selected else 0
    if cls in ('Listbox', 'Treeview') or (cls == 'Text' and index is not None):
        box = item_box(raw, path, cls, int(index))
        if box is None:
            raise CommandError(f'item {index} of {path} is not visible')
    else:
        box = (0, 0, int(raw.call('winfo', 'width', path)), int(raw.call('winfo', 'height', path)))
    raw.call('focus', path)
    agent.mouse.click(raw, path, *centre(box), times=2)
    agent.dirty = True


def cmd_context_menu(agent: AgentLike, message: dict) -> Any:
    """Right-click an item of a list (or a line of a Text, or the widget) and
    say which menus that posted, with their entries."""
    path = str(message['path'])
    index = message.get('index')
    raw, path, cls = agent.target(path)
    raw.call('update', 'idletasks')
    if cls in ('Listbox', 'Treeview', 'Text') and index is not None:
        box = item_box(raw, path, cls, int(index))
        if box is None:
            raise CommandError(f'item {index} of {path} is not visible')
    else:
        box = (0, 0, int(raw.call('winfo', 'width', path)), int(raw.call('winfo', 'height', path)))
    agent.mouse.click(raw, path, *centre(box), button=3)
    raw.call('update', 'idletasks')
    prefix = agent.prefix_of(raw)
    menus = [{'path': prefix + menu, 'items': [label for _, label in menu_labels(raw, menu)]}
             for menu in posted_menus(raw)]
    agent.dirty = True
    return {'menus': menus}


def cmd_menu_invoke(agent: AgentLike, message: dict) -> None:
    """Choose an entry of a posted menu as a release over it does: unpost, then
    invoke. Without a label, only take the menu down (a person pressing Escape)."""
    raw, menu, cls = agent.target(str(message['path']))
    if cls != 'Menu':
        raise CommandError(f'{menu} is a {cls}, not a Menu')
    agent.dirty = True
    if message.get('label') is None:
        unpost(raw, menu)
        return
    label = str(message['label'])
    for index, entry in menu_labels(raw, menu):
        if entry == label:
            break
    else:
        raise CommandError(f'{menu} has no entry {label!r}')
    unpost(raw, menu)
    raw.call(menu, 'invoke', index)


def cmd_set_value(agent: AgentLike, message: dict) -> None:
    path = str(message['path'])
    value = str(message['value'])
    raw, path, cls = agent.target(path)
    refuse_disabled(raw, path, cls)
    if cls in ('Menubutton', 'TMenubutton'):
        menu = str(raw.call(path, 'cget', '-menu'))
        if not menu:
            raise CommandError(f'{path} has no menu')
        labels = menu_labels(raw, menu)
        for index, label in labels:
            if label == value:
                raw.call(menu, 'invoke', index)
                break
        else:
            raise CommandError(f'{path} offers {[lab for _, lab in labels]}, not {value!r}')
    elif cls in ('TCombobox', 'Spinbox', 'TSpinbox'):
        raw.call(path, 'set', value)
        if cls == 'TCombobox':
            raw.call('event', 'generate', path, '<<ComboboxSelected>>')
    elif cls in ('Scale', 'TScale'):
        raw.call(path, 'set', value)
    else:
        raise CommandError(f'{path} is a {cls}, not an OptionMenu or Combobox')
    agent.dirty = True


def cmd_show(agent: AgentLike, message: dict) -> None:
    """Bring a notebook tab to the front, as clicking its label does."""
    raw, notebook, cls = agent.target(str(message['path']))
    if cls != 'TNotebook':
        raise CommandError(f'{notebook} is a {cls}, not a ttk.Notebook')
    tab = str(message['tab'])
    tabs = [str(t) for t in raw.splitlist(raw.call(notebook, 'tabs'))]
    tk_tab = tab[tab.find('.'):] if tab.startswith('#') else tab
    if tk_tab not in tabs:
        raise CommandError(f'{tab} is not a tab of {notebook}')
    if str(raw.call(notebook, 'tab', tk_tab, '-state')) == 'disabled':
        raise CommandError(f'the tab {tab} is disabled')
    raw.call(notebook, 'select', tk_tab)
    raw.call('update', 'idletasks')
    agent.dirty = True


def cmd_close(agent: AgentLike, message: dict) -> Any:
    window = str(message.get('window', message.get('path', '')))
    if window.startswith('dialog#'):
        dialog, _ = dialogs.lookup(agent, window)
        dialogs.answer(agent, dialog, dialog.close_answer)
        agent.dirty = True
        return None
    raw, window, cls = agent.target(window)
    if window != '.' and str(raw.call('winfo', 'toplevel', window)) != window:
        raise CommandError(f'{window} is a {cls}, not a window')
    agent.dirty = True
    handler = str(raw.call('wm', 'protocol', window, 'WM_DELETE_WINDOW'))
    if handler:
        raw.eval(handler)
        return {'handler': True}
    raw.call('destroy', window)
    return {'handler': False}


COMMANDS: dict[str, Callable[[AgentLike, dict], Any]] = {
    'sync': cmd_sync,
    'snapshot': cmd_snapshot,
    'select': cmd_select,
    'set_text': cmd_set_text,
    'invoke': cmd_invoke,
    'key': cmd_key,
    'double_click': cmd_double_click,
    'set_value': cmd_set_value,
    'show': cmd_show,
    'close': cmd_close,
    'context_menu': cmd_context_menu,
    'menu_invoke': cmd_menu_invoke,
}
