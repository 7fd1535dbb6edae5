"""The widget tree as flat records (the WidgetRecord of src/probe/widgets.ts).

snapshot() walks every live root depth first and describes each widget by
asking Tk (never tkinter's Python-side caches, which a program may bypass):
captions, list items, texts, selections, images with the sha256 of the
bytes they were built from, notebook tabs. Pseudo dialogs come last.
"""

from __future__ import annotations

from typing import Any, Optional

from .base import AgentLike
from .tkutil import (BUTTONISH, ENTRYISH, TTK_STATEFUL, alive, getvar, image_bytes, menu_labels,
                     sha256_hex, tree_items)

_LABELISH = frozenset({
    'Label', 'TLabel', 'Message', 'Menubutton', 'TMenubutton',
    'Labelframe', 'TLabelframe',
}) | BUTTONISH
_NO_IMAGE = frozenset({'Message', 'Labelframe', 'TLabelframe'})
# Widgets whose own bindings tell the grader how a person uses them (a
# double-click or right-click on a list, the key that sends an input).
_BINDABLE = frozenset({
    'Listbox', 'Treeview', 'Text', 'Entry', 'TEntry', 'Label', 'TLabel',
    'Canvas', 'Frame', 'TFrame', 'Checkbutton', 'TCheckbutton', 'Button', 'TButton',
})
_CLASSIC_STATEFUL = frozenset({
    'Label', 'Button', 'Radiobutton', 'Checkbutton', 'Menubutton',
    'Entry', 'Spinbox', 'Listbox', 'Text',
})


def snapshot(agent: AgentLike) -> list[dict]:
    """Every live widget (and pseudo dialog) as a record, in tree order."""
    out: list[dict] = []
    live = []
    for root in agent.roots:
        if alive(root):
            live.append(root)
            prefix = root._chatgrade_prefix
            _walk(agent, root, root._chatgrade_raw, out, root, prefix, None, prefix + '.')
    agent.roots = live
    for dialog in list(agent.dialogs.values()):
        out.extend(dialog.records())
    return out


def _walk(agent: AgentLike, widget: Any, raw: Any, out: list, root: Any, prefix: str,
          parent: Optional[str], window: str) -> None:
    path = widget._w
    name = prefix + path
    try:
        cls = str(raw.call('winfo', 'class', path))
    except Exception:
        return  # destroyed behind tkinter's back (e.g. by the window manager)
    is_window = widget is root or isinstance(widget, agent.tk.Toplevel)
    if is_window:
        window = name
        cls = 'Tk' if widget is root else 'Toplevel'
    record: dict = {
        'path': name, 'cls': cls, 'parent': parent, 'window': window,
        'mapped': bool(raw.getboolean(raw.call('winfo', 'viewable', path))),
    }
    try:
        if is_window:
            _describe_window(raw, path, record, root)
        else:
            _describe(agent, raw, path, cls, record, prefix)
    except Exception:  # one odd widget must not hide the rest
        if path not in agent.reported:
            agent.reported.add(path)
            agent.internal_error(f'describing {path} ({cls})')
    out.append(record)
    for child in list(widget.children.values()):
        _walk(agent, child, raw, out, root, prefix, name, window)


# What the agent itself binds on 'all' (core.py): not the program's.
_AGENT_SEQUENCES = frozenset({'<Map>', '<Unmap>', '<Destroy>'})


def bindings(raw: Any, path: str, cls: str) -> list[str]:
    """The event sequences the program bound for this widget: on its own tag
    and any tag of its own making, not its class's standard behaviour; for a
    window, also what it bound on 'all'. Normalised by Tk ('<Control-Key-Return>')."""
    window = str(raw.call('winfo', 'toplevel', path)) if path != '.' else '.'
    is_window = path == window
    own = [str(t) for t in raw.splitlist(raw.call('bindtags', path))
           if str(t) != cls and (str(t) != 'all' or is_window) and (str(t) != window or is_window)]
    out: set[str] = set()
    for tag in own:
        for sequence in raw.splitlist(raw.call('bind', tag)):
            out.add(str(sequence))
    return sorted(out - _AGENT_SEQUENCES)


def _describe_window(raw: Any, path: str, record: dict, root: Any) -> None:
    binds = bindings(raw, path, 'Toplevel' if path != '.' else 'Tk')
    if binds:
        record['binds'] = binds
    record['title'] = str(raw.call('wm', 'title', path))
    state = str(raw.call('wm', 'state', path))
    record['state'] = {'icon': 'iconic', 'zoomed': 'normal'}.get(state, state)
    handler = str(raw.call('wm', 'protocol', path, 'WM_DELETE_WINDOW'))
    default = root._chatgrade_default_delete if path == '.' else ''
    record['hasDeleteHandler'] = bool(handler) and handler != default


def _describe(agent: AgentLike, raw: Any, path: str, cls: str, record: dict, prefix: str) -> None:
    if cls in _LABELISH:
        record['text'] = str(raw.call(path, 'cget', '-text'))
        image = () if cls in _NO_IMAGE else raw.splitlist(raw.call(path, 'cget', '-image'))
        if image:
            info = image_info(agent, raw, str(image[0]))
            if info is not None:
                record['image'] = info
        if cls in BUTTONISH:
            record['hasCommand'] = bool(str(raw.call(path, 'cget', '-command')))
            if cls in ('Radiobutton', 'TRadiobutton', 'Checkbutton', 'TCheckbutton'):
                _describe_choice(raw, path, cls, record)
        elif cls in ('Menubutton', 'TMenubutton'):
            menu = str(raw.call(path, 'cget', '-menu'))
            if menu:
                record['items'] = [label for _, label in menu_labels(raw, menu)]
            record['value'] = record['text']
    elif cls in ENTRYISH:
        value = str(raw.call(path, 'get'))
        record['text'] = value
        record['value'] = value
        if cls == 'TCombobox':
            values = raw.splitlist(raw.call(path, 'cget', '-values'))
            record['items'] = [str(v) for v in values]
    elif cls == 'Listbox':
        record['items'] = [str(v) for v in raw.splitlist(raw.call(path, 'get', 0, 'end'))]
        record['selection'] = [int(i) for i in raw.splitlist(raw.call(path, 'curselection'))]
        record['selectmode'] = str(raw.call(path, 'cget', '-selectmode'))
    elif cls == 'Text':
        record['text'] = str(raw.call(path, 'get', '1.0', 'end-1c'))
        images = _text_images(agent, raw, path)
        if images:
            record['images'] = images
    elif cls == 'Treeview':
        items = tree_items(raw, path)
        rows = []
        images = []
        for item in items:
            parts = [str(raw.call(path, 'item', item, '-text'))]
            parts += [str(v) for v in raw.splitlist(raw.call(path, 'item', item, '-values'))]
            rows.append(' '.join(p for p in parts if p))
            images += _row_images(agent, raw, path, item)
        record['items'] = rows
        if images:
            record['images'] = images
        selected = set(str(s) for s in raw.splitlist(raw.call(path, 'selection')))
        record['selection'] = [i for i, item in enumerate(items) if item in selected]
        record['selectmode'] = str(raw.call(path, 'cget', '-selectmode'))
    elif cls == 'Canvas':
        _describe_canvas(agent, raw, path, record)
    elif cls == 'Menu':
        record['items'] = [label for _, label in menu_labels(raw, path)]
    elif cls == 'TNotebook':
        tabs = [str(t) for t in raw.splitlist(raw.call(path, 'tabs'))]
        record['items'] = [str(raw.call(path, 'tab', t, '-text')) for t in tabs]
        record['tabs'] = [prefix + t for t in tabs]
        current = str(raw.call(path, 'select'))
        if current:
            record['value'] = prefix + current
    if cls in _BINDABLE:
        binds = bindings(raw, path, cls)
        if binds:
            record['binds'] = binds
    if cls in TTK_STATEFUL:
        if raw.getboolean(raw.call(path, 'instate', 'disabled')):
            record['disabled'] = True
    elif cls in _CLASSIC_STATEFUL:
        if str(raw.call(path, 'cget', '-state')) == 'disabled':
            record['disabled'] = True


def _describe_choice(raw: Any, path: str, cls: str, record: dict) -> None:
    variable = str(raw.call(path, 'cget', '-variable'))
    current = getvar(raw, variable) if variable else None
    if cls in ('Radiobutton', 'TRadiobutton'):
        value = str(raw.call(path, 'cget', '-value'))
        record['value'] = value
        record['selected'] = current is not None and current == value
    else:
        on = str(raw.call(path, 'cget', '-onvalue'))
        record['selected'] = current is not None and current == on


def _describe_canvas(agent: AgentLike, raw: Any, path: str, record: dict) -> None:
    images = []
    texts = []
    for item in raw.splitlist(raw.call(path, 'find', 'all')):
        kind = str(raw.call(path, 'type', item))
        if kind == 'image':
            name = str(raw.call(path, 'itemcget', item, '-image'))
            info = image_info(agent, raw, name) if name else None
            if info is not None:
                images.append(info)
        elif kind == 'text':
            texts.append(str(raw.call(path, 'itemcget', item, '-text')))
    if images:
        record['images'] = images
    if texts:
        record['items'] = texts


def _row_images(agent: AgentLike, raw: Any, path: str, item: str) -> list[dict]:
    """A Treeview row's icon: its own -image, else the image of one of its tags."""
    values = [raw.call(path, 'item', item, '-image')]
    for tag in raw.splitlist(raw.call(path, 'item', item, '-tags')):
        values.append(raw.call(path, 'tag', 'configure', tag, '-image'))
    for value in values:
        image = raw.splitlist(value) if value else ()
        info = image_info(agent, raw, str(image[0])) if image else None
        if info is not None:
            return [info]
    return []


def _text_images(agent: AgentLike, raw: Any, path: str) -> list[dict]:
    images = []
    dump = raw.splitlist(raw.call(path, 'dump', '-image', '1.0', 'end'))
    for i in range(0, len(dump) - 2, 3):
        name = str(raw.call(path, 'image', 'cget', dump[i + 2], '-image'))
        info = image_info(agent, raw, name) if name else None
        if info is not None:
            images.append(info)
    return images


def image_info(agent: AgentLike, raw: Any, name: str) -> Optional[dict]:
    """An image's record: name, type, size and, when known, the sha256 of its source."""
    try:
        kind = str(raw.call('image', 'type', name))
        info: dict = {
            'name': name, 'type': 'photo' if kind == 'photo' else 'bitmap',
            'width': int(raw.call('image', 'width', name)),
            'height': int(raw.call('image', 'height', name)),
        }
    except Exception:
        return None
    sha = agent.image_sha.get(name)
    if sha is not None:
        info['sha256'] = sha
    return info


def remember_image(agent: AgentLike, name: str, options: dict, keep: bool = False) -> None:
    """Remember the sha256 of the bytes an image was made from (data= or file=)."""
    data = options.get('data')
    source: Optional[bytes] = None
    if data is not None and data != '':
        source = image_bytes(data)
    elif options.get('file'):
        try:
            with open(options['file'], 'rb') as handle:
                source = handle.read()
        except OSError:
            source = None
    elif keep:
        return
    if source is None:
        agent.image_sha.pop(name, None)
    else:
        agent.image_sha[name] = sha256_hex(source)
    agent.mark_dirty()
