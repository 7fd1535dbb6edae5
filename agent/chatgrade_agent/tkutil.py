"""Small helpers over a raw Tcl interpreter (a root's tkapp), used everywhere."""

from __future__ import annotations

import binascii
from typing import Any, Optional

from .base import CommandError

try:
    from _sha256 import sha256 as _sha256_new  # type: ignore[import-not-found]
except ImportError:
    try:
        from _sha2 import sha256 as _sha256_new  # type: ignore[import-not-found, no-redef]
    except ImportError:
        from hashlib import sha256 as _sha256_new  # type: ignore[no-redef]

# Widget classes by what a person can do with them.
BUTTONISH = frozenset({
    'Button', 'TButton', 'Radiobutton', 'TRadiobutton', 'Checkbutton', 'TCheckbutton',
})
ENTRYISH = frozenset({'Entry', 'TEntry', 'Spinbox', 'TSpinbox', 'TCombobox'})
TTK_STATEFUL = frozenset({
    'TButton', 'TRadiobutton', 'TCheckbutton', 'TEntry', 'TSpinbox',
    'TCombobox', 'TMenubutton', 'TLabel',
})

_IMAGE_MAGIC = (b'\x89PNG', b'GIF8', b'P3', b'P6', b'P5', b'\xff\xd8')


def alive(root: Any) -> bool:
    """True while the root the agent adopted still has its '.' window."""
    raw = getattr(root, '_chatgrade_raw', None)
    if raw is None:
        return False
    try:
        return bool(raw.getboolean(raw.call('winfo', 'exists', '.')))
    except Exception:
        return False


def getvar(raw: Any, name: str) -> Optional[str]:
    """A global Tcl variable's value, or None when it is unset."""
    try:
        return str(raw.globalgetvar(name))
    except Exception:
        return None


def menu_labels(raw: Any, menu: str) -> list[tuple[int, str]]:
    """(index, label) of every choosable entry of a Menu."""
    end = str(raw.call(menu, 'index', 'end'))
    if end in ('none', ''):
        return []
    labels = []
    for i in range(int(end) + 1):
        kind = str(raw.call(menu, 'type', i))
        if kind in ('command', 'radiobutton', 'checkbutton', 'cascade'):
            labels.append((i, str(raw.call(menu, 'entrycget', i, '-label'))))
    return labels


def posted_menus(raw: Any) -> list[str]:
    """Menus on screen now (posted by tk_popup or post), depth first from '.'."""
    out: list[str] = []
    todo = ['.']
    while todo:
        path = todo.pop(0)
        for child in raw.splitlist(raw.call('winfo', 'children', path)):
            child = str(child)
            todo.append(child)
            if str(raw.call('winfo', 'class', child)) == 'Menu' and \
                    raw.getboolean(raw.call('winfo', 'ismapped', child)):
                out.append(child)
    return out


def unpost(raw: Any, menu: str) -> None:
    """Take a posted menu down and give back any grab it took, as Tk's own release does."""
    try:
        raw.call('tk::MenuUnpost', menu)
    except Exception:
        raw.call(menu, 'unpost')
    if str(raw.call('grab', 'current')) == menu:
        raw.call('grab', 'release', menu)


def tree_items(raw: Any, path: str) -> list[str]:
    """Treeview item ids, depth first, as rows appear when expanded."""
    out: list[str] = []

    def visit(parent: str) -> None:
        for item in raw.splitlist(raw.call(path, 'children', parent)):
            out.append(str(item))
            visit(str(item))

    visit('')
    return out


class Mouse:
    """Clicks made of real button events, so every binding fires.

    Generated events carry a time: clicks that are not meant as a double
    click are spaced far apart, the two of a double click close together.
    """

    CONTROL = 4
    BUTTON1 = 256

    def __init__(self) -> None:
        self.time = 1_000_000

    def click(self, raw: Any, path: str, x: int, y: int, times: int = 1,
              control: bool = False, button: int = 1) -> None:
        """Press and release a mouse button at (x, y) of the widget, `times` times."""
        self.time += 10_000
        state = self.CONTROL if control else 0
        held = self.BUTTON1 << (button - 1)
        for _ in range(times):
            self.time += 40
            raw.call('event', 'generate', path, f'<ButtonPress-{button}>', '-x', x, '-y', y,
                     '-state', state, '-time', self.time)
            self.time += 40
            raw.call('event', 'generate', path, f'<ButtonRelease-{button}>', '-x', x, '-y', y,
                     '-state', state | held, '-time', self.time)

    def drag(self, raw: Any, path: str, start: tuple[int, int], end: tuple[int, int]) -> None:
        """Press at start, move with button 1 held to end, release there."""
        self.time += 10_000
        raw.call('event', 'generate', path, '<ButtonPress-1>', '-x', start[0], '-y', start[1],
                 '-state', 0, '-time', self.time)
        self.time += 40
        raw.call('event', 'generate', path, '<Motion>', '-x', end[0], '-y', end[1],
                 '-state', self.BUTTON1, '-time', self.time)
        self.time += 40
        raw.call('event', 'generate', path, '<ButtonRelease-1>', '-x', end[0], '-y', end[1],
                 '-state', self.BUTTON1, '-time', self.time)


def image_bytes(data: Any) -> Optional[bytes]:
    """The bytes an image's data= option stands for (base64 is decoded)."""
    if isinstance(data, str):
        try:
            return binascii.a2b_base64(data)
        except (binascii.Error, ValueError):
            return data.encode('latin-1', 'replace')
    if isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
        if not raw.startswith(_IMAGE_MAGIC):
            try:
                decoded = binascii.a2b_base64(raw)
                if decoded.startswith(_IMAGE_MAGIC):
                    return decoded
            except (binascii.Error, ValueError):
                pass
        return raw
    return None


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of the bytes."""
    return _sha256_new(data).hexdigest()


def is_disabled(raw: Any, path: str, cls: str) -> bool:
    """True when the widget's state is disabled (ttk or classic)."""
    if cls in TTK_STATEFUL or cls == 'Treeview':
        return bool(raw.getboolean(raw.call(path, 'instate', 'disabled')))
    try:
        return str(raw.call(path, 'cget', '-state')) == 'disabled'
    except Exception:
        return False


def refuse_disabled(raw: Any, path: str, cls: str) -> None:
    """Raise CommandError for a disabled widget: a person cannot use it."""
    if is_disabled(raw, path, cls):
        raise CommandError(f'{path} is disabled')


def item_box(raw: Any, path: str, cls: str, index: int) -> Optional[tuple[int, int, int, int]]:
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


def centre(box: tuple[int, int, int, int]) -> tuple[int, int]:
    """Where a person clicks an item: near its left, half way down."""
    x, y, width, height = box
    return x + min(max(width // 2, 1), 10), y + max(height // 2, 1)
