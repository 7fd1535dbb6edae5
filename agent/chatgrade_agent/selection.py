"""Selecting the way a person does: clicks on list items, a drag over lines.

Real button events go to the widget, so every binding a program may have
(<Button-1>, <ButtonRelease-1>, <<ListboxSelect>>, <<Selection>>) fires: a
Listbox item is clicked (further items of an extended list Control-clicked,
items of a multiple list clicked to toggle), a Treeview row is clicked, the
lines of a Text (read-only or not) are dragged over. When the clicks do not
give the selection asked for, it is set directly and the reply says so.
"""

from __future__ import annotations

from typing import Any

from .base import AgentLike, CommandError
from .tkutil import centre, item_box, refuse_disabled, tree_items


def cmd_select(agent: AgentLike, message: dict) -> Any:
    """Select exactly `indices` of a Listbox, Treeview or Text (lines)."""
    path = str(message['path'])
    indices = [int(i) for i in message.get('indices', [])]
    raw, path, cls = agent.target(path)
    agent.dirty = True
    if cls == 'Listbox':
        refuse_disabled(raw, path, cls)
        return _select_listbox(agent, raw, path, indices)
    if cls == 'Treeview':
        refuse_disabled(raw, path, cls)
        return _select_treeview(agent, raw, path, indices)
    if cls == 'Text':
        return _select_lines(agent, raw, path, indices)
    raise CommandError(f'{path} is a {cls}, not a Listbox, Treeview or Text')


def _select_listbox(agent: AgentLike, raw: Any, path: str, indices: list[int]) -> Any:
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
        box = item_box(raw, path, 'Listbox', index)
        if box is None:
            break
        agent.mouse.click(raw, path, *centre(box), control=control)
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


def _select_treeview(agent: AgentLike, raw: Any, path: str, indices: list[int]) -> Any:
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
        box = item_box(raw, path, 'Treeview', index)
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


def _select_lines(agent: AgentLike, raw: Any, path: str, indices: list[int]) -> Any:
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
    top = item_box(raw, path, 'Text', first)
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
