"""The grader's low-level commands, carried out the way a person would.

Selecting is clicking: list items get real button events (Control-click
for a second item of an extended list), lines of a Text are dragged over,
so every binding a program may have (<ButtonRelease-1>, <<ListboxSelect>>,
<<Selection>>) fires. When the clicks do not give the selection asked for,
the selection is set directly and the reply says so. Each handler takes
the agent and the command, and returns the reply's result (or None).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from . import dialogs
from .dialogs import CommandError
from .snapshot import BUTTONISH, ENTRYISH, TTK_STATEFUL
from .tkutil import menu_labels, tree_items

if TYPE_CHECKING:
    from .core import Agent


def _is_disabled(raw: Any, path: str, cls: str) -> bool:
    if cls in TTK_STATEFUL or cls == 'Treeview':
        return bool(raw.getboolean(raw.call(path, 'instate', 'disabled')))
    try:
        return str(raw.call(path, 'cget', '-state')) == 'disabled'
    except Exception:
        return False


def _refuse_disabled(raw: Any, path: str, cls: str) -> None:
    if _is_disabled(raw, path, cls):
        raise CommandError(f'{path} is disabled')


def _point(raw: Any, path: str, cls: str, index: int) -> Optional[tuple[int, int, int, int]]:
    """Box (x, y, width, height) of item/line `index`, scrolled into view; None when not shown."""
    if cls == 'Listbox':
        size = int(raw.call(path, 'size'))
        if not 0 <= index < size:
            raise CommandError(f'{path} has {size} items, no index {index}')
        where: Any = index
    elif cls == 'Treeview':
        items = tree_items(raw, path)
        if not 0 <= index < len(items):
            raise CommandError(f'{path} has {len(items)} rows, no index {index}')
        where = items[index]
    else:
        where = f'{index + 1}.0'
    raw.call(path, 'see', where)
    raw.call('update', 'idletasks')
    box = raw.splitlist(raw.call(path, 'bbox', where))
    if len(box) < 4 or not raw.getboolean(raw.call('winfo', 'viewable', path)):
        return None
    x, y, width, height = (int(v) for v in box[:4])
    return x, y, width, height


def _centre(box: tuple[int, int, int, int]) -> tuple[int, int]:
    x, y, width, height = box
    return x + min(max(width // 2, 1), 10), y + max(height // 2, 1)


def cmd_sync(agent: 'Agent', message: dict) -> None:
    agent.dirty = True


def cmd_snapshot(agent: 'Agent', message: dict) -> None:
    agent.force_tree = True


def cmd_select(agent: 'Agent', message: dict) -> Any:
    path = str(message['path'])
    indices = [int(i) for i in message.get('indices', [])]
    raw, path, cls = agent.target(path)
    agent.dirty = True
    if cls == 'Listbox':
        _refuse_disabled(raw, path, cls)
        return _select_listbox(agent, raw, path, indices)
    if cls == 'Treeview':
        _refuse_disabled(raw, path, cls)
        return _select_treeview(agent, raw, path, indices)
    if cls == 'Text':
        return _select_lines(agent, raw, path, indices)
    raise CommandError(f'{path} is a {cls}, not a Listbox, Treeview or Text')


def _select_listbox(agent: 'Agent', raw: Any, path: str, indices: list[int]) -> Any:
    mode = str(raw.call(path, 'cget', '-selectmode'))
    if len(indices) > 1 and mode in ('single', 'browse'):
        raise CommandError(f'{path} lets one item be selected at a time (selectmode {mode})')
    current = [int(i) for i in raw.splitlist(raw.call(path, 'curselection'))]
    raw.call('focus', path)
    clicks: list[tuple[int, bool]] = []
    if mode == 'multiple':
        clicks = [(i, False) for i in current if i not in indices]
        clicks += [(i, False) for i in indices if i not in current]
    elif indices:
        clicks = [(indices[0], False)] + [(i, True) for i in indices[1:]]
    for index, control in clicks:
        box = _point(raw, path, 'Listbox', index)
        if box is None:
            break
        agent.mouse.click(raw, path, *_centre(box), control=control)
    got = sorted(int(i) for i in raw.splitlist(raw.call(path, 'curselection')))
    if got == sorted(indices):
        return {'clicked': len(clicks)}
    raw.call(path, 'selection', 'clear', 0, 'end')
    for i in indices:
        raw.call(path, 'selection', 'set', i)
    if indices:
        raw.call(path, 'activate', indices[0])
        raw.call(path, 'see', indices[0])
    raw.call('event', 'generate', path, '<<ListboxSelect>>')
    return {'clicked': len(clicks), 'set': True}


def _select_treeview(agent: 'Agent', raw: Any, path: str, indices: list[int]) -> Any:
    mode = str(raw.call(path, 'cget', '-selectmode'))
    items = tree_items(raw, path)
    for i in indices:
        if not 0 <= i < len(items):
            raise CommandError(f'{path} has {len(items)} rows, no index {i}')
    if mode == 'none' and indices:
        raise CommandError(f'{path} allows no selection (selectmode none)')
    if len(indices) > 1 and mode == 'browse':
        raise CommandError(f'{path} lets one row be selected at a time (selectmode browse)')
    raw.call('focus', path)
    clicks = [(indices[0], False)] + [(i, True) for i in indices[1:]] if indices else []
    for index, control in clicks:
        box = _point(raw, path, 'Treeview', index)
        if box is None:
            break
        x, y, width, height = box
        agent.mouse.click(raw, path, x + width // 2, y + max(height // 2, 1), control=control)
    selected = set(str(s) for s in raw.splitlist(raw.call(path, 'selection')))
    got = sorted(i for i, item in enumerate(items) if item in selected)
    if got == sorted(indices):
        return {'clicked': len(clicks)}
    raw.call(path, 'selection', 'set', [items[i] for i in indices])
    if indices:
        raw.call(path, 'focus', items[indices[0]])
        raw.call(path, 'see', items[indices[0]])
    return {'clicked': len(clicks), 'set': True}


def _select_lines(agent: 'Agent', raw: Any, path: str, indices: list[int]) -> Any:
    """Drag over whole lines of a Text (read-only or not): one contiguous range."""
    if not indices:
        raw.call(path, 'tag', 'remove', 'sel', '1.0', 'end')
        return {'clicked': 0}
    first, last = min(indices), max(indices)
    if sorted(indices) != list(range(first, last + 1)):
        raise CommandError(f'lines {indices} of {path} are not next to each other: '
                           'a drag selects one run of lines')
    start = f'{first + 1}.0'
    end = str(raw.call(path, 'index', f'{last + 1}.0 lineend'))
    top = _point(raw, path, 'Text', first)
    bottom = None
    if top is not None and raw.getboolean(raw.call(path, 'compare', end, '>', f'{last + 1}.0')):
        raw.call(path, 'see', f'{end} -1c')
        raw.call('update', 'idletasks')
        box = raw.splitlist(raw.call(path, 'bbox', f'{end} -1c'))
        if len(box) >= 4:
            x, y, width, height = (int(v) for v in box[:4])
            bottom = (x + max(width - 1, 1), y + max(height // 2, 1))
    if top is not None and bottom is not None:
        agent.mouse.drag(raw, path, (top[0] + 1, top[1] + max(top[3] // 2, 1)), bottom)
    ranges = [str(r) for r in raw.splitlist(raw.call(path, 'tag', 'ranges', 'sel'))]
    # Past the end of a line, a drag takes its newline too: the same lines.
    ends = (end, str(raw.call(path, 'index', f'{end} +1c')))
    if len(ranges) == 2 and ranges[0] == str(raw.call(path, 'index', start)) and ranges[1] in ends:
        return {'dragged': True}
    raw.call(path, 'tag', 'remove', 'sel', '1.0', 'end')
    raw.call(path, 'tag', 'add', 'sel', start, end)
    raw.call('event', 'generate', path, '<<Selection>>')
    return {'dragged': bottom is not None, 'set': True}


def cmd_set_text(agent: 'Agent', message: dict) -> None:
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
    _refuse_disabled(raw, path, cls)
    if cls in ENTRYISH:
        if cls not in TTK_STATEFUL and str(raw.call(path, 'cget', '-state')) == 'readonly':
            raise CommandError(f'{path} is read-only')
        raw.call('focus', path)
        raw.call(path, 'delete', 0, 'end')
        raw.call(path, 'insert', 0, text)
    elif cls == 'Text':
        raw.call('focus', path)
        raw.call(path, 'delete', '1.0', 'end')
        raw.call(path, 'insert', '1.0', text)
    else:
        raise CommandError(f'{path} is a {cls}, not an Entry, Text or Combobox')
    agent.dirty = True


def cmd_invoke(agent: 'Agent', message: dict) -> Any:
    path = str(message['path'])
    if path.startswith('dialog#'):
        dialog, part = dialogs.lookup(agent, path)
        if part not in [b[0] for b in dialog.buttons]:
            raise CommandError(f'{dialog.path} has no button {part!r}')
        dialogs.answer(agent, dialog, part)
        agent.dirty = True
        return None
    raw, path, cls = agent.target(path)
    _refuse_disabled(raw, path, cls)
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


def cmd_key(agent: 'Agent', message: dict) -> None:
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
    raw.call('focus', '-force', path)
    raw.call('event', 'generate', path, '<KeyPress>', '-keysym', keysym)
    raw.call('event', 'generate', path, '<KeyRelease>', '-keysym', keysym)
    agent.dirty = True


def cmd_double_click(agent: 'Agent', message: dict) -> None:
    path = str(message['path'])
    index = message.get('index')
    raw, path, cls = agent.target(path)
    # A read-only Text or a disabled list still runs its bindings; a
    # disabled button or entry does not.
    if cls in BUTTONISH or cls in ENTRYISH:
        _refuse_disabled(raw, path, cls)
    raw.call('update', 'idletasks')
    if cls == 'Listbox' and index is None:
        selected = raw.splitlist(raw.call(path, 'curselection'))
        index = int(selected[0]) if selected else int(raw.call(path, 'index', 'active'))
    elif cls == 'Treeview' and index is None:
        selected = raw.splitlist(raw.call(path, 'selection'))
        index = tree_items(raw, path).index(str(selected[0])) if selected else 0
    if cls in ('Listbox', 'Treeview') or (cls == 'Text' and index is not None):
        box = _point(raw, path, cls, int(index))
        if box is None:
            raise CommandError(f'item {index} of {path} is not visible')
    else:
        box = (0, 0, int(raw.call('winfo', 'width', path)), int(raw.call('winfo', 'height', path)))
    raw.call('focus', path)
    agent.mouse.click(raw, path, *_centre(box), times=2)
    agent.dirty = True


def cmd_set_value(agent: 'Agent', message: dict) -> None:
    path = str(message['path'])
    value = str(message['value'])
    raw, path, cls = agent.target(path)
    _refuse_disabled(raw, path, cls)
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


def cmd_show(agent: 'Agent', message: dict) -> None:
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


def cmd_close(agent: 'Agent', message: dict) -> Any:
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


COMMANDS: dict[str, Callable[['Agent', dict], Any]] = {
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
}
