"""The agent: one connection to the grader, the roots it watches, and what
the grader was last told.

How changes are seen: each adopted root's tkapp is wrapped (patches.TkProxy)
so that every Tcl call that may change the screen marks the tree dirty and
schedules one flush per Tk idle (coalescing bursts). Calls from other
threads wake the Tk thread through a pipe watched by a Tcl file handler.
A flush snapshots the widgets and sends what changed. Commands arrive on
the probe socket, also watched by a file handler, so they run on the Tk
thread inside whatever event loop is running.
"""

from __future__ import annotations

import _thread
import json
import os
import threading
import traceback
from collections import deque
from typing import Any, Optional

from . import dialogs
from .base import CommandError
from .commands import COMMANDS
from .dialogs import Dialog
from .patches import TkProxy
from .snapshot import snapshot
from .tkutil import Mouse, alive

_FLUSH_CMD = '::chatgrade_flush'
_EVENT_CMD = '::chatgrade_event'
_DESTROY_CMD = '::chatgrade_destroyed'
_READABLE = 2  # _tkinter.READABLE, without importing _tkinter


class Agent:
    """One connection to the grader and the state of what it was last told."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.send_lock = threading.Lock()
        self.connected = True
        self.tk: Any = None  # the tkinter module, once the program imports it
        self.roots: list[Any] = []
        self.handler_raw: Any = None
        self.tk_thread: Optional[int] = None
        self.dirty = False
        self.scheduled = False
        self.woken = False
        self.wake_r = -1
        self.wake_w = -1
        self.last: Optional[dict[str, dict]] = None
        self.force_tree = False
        self.seq = 0
        self.inbuf = b''
        self.queue: deque[bytes] = deque()
        self.inflight: list[list] = []
        self.dialogs: dict[str, Dialog] = {}
        self.dialog_count = 0
        self.image_sha: dict[str, str] = {}
        self.reported: set[str] = set()
        self.root_count = 0
        self.mouse = Mouse()

    # ---- sending

    def send(self, message: dict) -> None:
        """Send one JSON line; a vanished grader is not the program's problem."""
        if not self.connected:
            return
        data = json.dumps(message, separators=(',', ':')).encode('ascii') + b'\n'
        with self.send_lock:
            try:
                self.sock.sendall(data)
            except OSError:
                self.connected = False

    def crash(self, kind: str, etype: Any, value: Any, tb: Any) -> None:
        """Report crash evidence (a traceback) of the given kind."""
        try:
            text = ''.join(traceback.format_exception(etype, value, tb))
            self.send({'type': 'crash', 'kind': kind, 'text': text})
        except Exception:
            pass

    def internal_error(self, doing: str) -> None:
        """Report a fault of the agent itself; never raises."""
        try:
            self.send({'type': 'agent_error', 'text': f'{doing}: {traceback.format_exc()}'})
        except Exception:
            pass

    # ---- roots

    def adopt_root(self, root: Any) -> None:
        """Start watching a freshly loaded Tk root."""
        raw = root.tk
        if isinstance(raw, TkProxy):
            return
        root._chatgrade_raw = raw
        # A second Tk() alive at the same time also has the path ".": its
        # widgets are reported (and addressed) with a "#<n>" prefix.
        self.root_count += 1
        taken = {r._chatgrade_prefix for r in self.roots if alive(r)}
        root._chatgrade_prefix = '' if '' not in taken else f'#{self.root_count}'
        root._chatgrade_default_delete = str(raw.call('wm', 'protocol', '.', 'WM_DELETE_WINDOW'))
        raw.createcommand(_FLUSH_CMD, self._idle_flush)
        # Mapping and window-manager destruction change the tree without
        # any call from Python; the 'all' bindtag sees them for every widget.
        raw.createcommand(_EVENT_CMD, self._on_tk_event)
        for sequence in ('<Map>', '<Unmap>'):
            raw.call('bind', 'all', sequence, '+' + _EVENT_CMD)
        raw.createcommand(_DESTROY_CMD, lambda path: self._on_destroy(root, path))
        raw.call('bind', 'all', '<Destroy>', '+' + _DESTROY_CMD + ' %W')
        root.tk = TkProxy(raw, self)
        self.roots.append(root)
        if self.handler_raw is None:
            self._watch(raw)
        self.mark_dirty()

    def _watch(self, raw: Any) -> None:
        self.handler_raw = raw
        self.tk_thread = _thread.get_ident()
        self.scheduled = False  # a flush pending in a destroyed root may never run
        if self.wake_r < 0:
            self.wake_r, self.wake_w = os.pipe()
            os.set_blocking(self.wake_r, False)
            os.set_blocking(self.wake_w, False)
        raw.createfilehandler(self.wake_r, _READABLE, self._on_wake)
        if self.connected:
            raw.createfilehandler(self.sock.fileno(), _READABLE, self._on_readable)
            if self.queue:
                self._process_queue()

    def _unwatch(self) -> None:
        raw = self.handler_raw
        self.handler_raw = None
        if raw is None:
            return
        for fd in (self.wake_r, self.sock.fileno()):
            try:
                raw.deletefilehandler(fd)
            except Exception:
                pass

    def _on_destroy(self, root: Any, path: str) -> None:
        if not self.dirty:
            self.mark_dirty()
        # The root window itself is going, maybe without tkinter knowing
        # (a Tcl `destroy .`): its dialogs must not outlive it.
        if path == '.':
            self.root_destroyed(root)

    def root_destroyed(self, root: Any) -> None:
        """A Tk root was destroyed: its dialogs go with it, and it is reported now
        (the event loop may be over)."""
        try:
            raw = getattr(root, '_chatgrade_raw', None)
            if raw is not None:
                dialogs.close_all(self, raw)
            self.roots = [r for r in self.roots if r is not root and alive(r)]
            if not self.roots:
                dialogs.close_all(self)
            if raw is not None and self.handler_raw is raw:
                self._unwatch()
                if self.roots:
                    self._watch(self.roots[0]._chatgrade_raw)
            if self.tk_thread == _thread.get_ident():
                self.flush()
        except Exception:
            self.internal_error('after destroying a root')

    # ---- change tracking

    def mark_dirty(self) -> None:
        """Something may have changed: flush at the next Tk idle."""
        self.dirty = True
        if self.scheduled or not self.connected:
            return
        if _thread.get_ident() == self.tk_thread:
            raw = self.handler_raw
            if raw is None:
                return
            self.scheduled = True
            try:
                raw.call('after', 'idle', _FLUSH_CMD)
            except Exception:
                self.scheduled = False
        elif not self.woken and self.wake_w >= 0:
            self.woken = True
            try:
                os.write(self.wake_w, b'!')
            except OSError:
                pass

    def _on_wake(self, fd: Any, mask: Any) -> None:
        try:
            while True:
                if not os.read(self.wake_r, 4096):
                    break
        except (BlockingIOError, OSError):
            pass
        self.woken = False
        if self.dirty:
            self.dirty = False
            self.mark_dirty()

    def _on_tk_event(self, *args: Any) -> None:
        if not self.dirty:
            self.mark_dirty()

    def _idle_flush(self, *args: Any) -> None:
        self.scheduled = False
        if self.dirty or self.force_tree:
            self.flush()

    def flush(self) -> None:
        """Snapshot the widgets and send what changed since the last report."""
        try:
            self.dirty = False
            records = snapshot(self)
            current = {r['path']: r for r in records}
            if self.last is None or self.force_tree:
                if self.last is None and not records:
                    return
                self.force_tree = False
                self.seq += 1
                self.last = current
                self.send({'type': 'tree', 'seq': self.seq, 'widgets': records})
                return
            last = self.last
            changed = [r for r in records if last.get(r['path']) != r]
            removed = [p for p in last if p not in current]
            self.last = current
            if changed or removed:
                self.seq += 1
                self.send({'type': 'diff', 'seq': self.seq, 'set': changed, 'removed': removed})
        except Exception:
            self.internal_error('flushing the widget tree')

    def before_nested_loop(self) -> None:
        """The Tk thread is about to block in a nested event loop: answer the
        commands that led here now, or the grader would wait forever."""
        if not self.inflight or _thread.get_ident() != self.tk_thread:
            return
        self.flush()
        for entry in self.inflight:
            if not entry[1]:
                entry[1] = True
                self.send({'type': 'reply', 'id': entry[0], 'ok': True,
                           'result': {'blocked': True, 'seq': self.seq}})

    # ---- commands

    def _disconnected(self) -> None:
        # The grader is gone: stop watching, and let waiting dialogs return.
        self.connected = False
        self._unwatch()
        dialogs.close_all(self)

    def _on_readable(self, fd: Any, mask: Any) -> None:
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b''
        if not data:
            self._disconnected()
            return
        lines = (self.inbuf + data).split(b'\n')
        self.inbuf = lines.pop()
        self.queue.extend(lines)
        self._process_queue()

    def _process_queue(self) -> None:
        while self.queue:
            line = self.queue.popleft()
            if line.strip():
                self._handle(line)

    def _handle(self, line: bytes) -> None:
        try:
            message = json.loads(line)
            ident = message['id']
            name = message['cmd']
        except Exception:
            self.send({'type': 'agent_error', 'text': f'bad command line: {line[:200]!r}'})
            return
        entry = [ident, False]
        self.inflight.append(entry)
        result: Any = None
        error: Optional[str] = None
        try:
            handler = COMMANDS.get(str(name))
            if handler is None:
                raise CommandError(f'unknown command {name!r}')
            result = handler(self, message)
        except CommandError as exc:
            error = str(exc)
        except Exception as exc:
            error = f'{type(exc).__name__}: {exc}'
        finally:
            self.inflight = [e for e in self.inflight if e is not entry]
        if entry[1]:
            return
        self.flush()
        if name in ('sync', 'snapshot'):
            result = {'seq': self.seq}
        if error is None:
            reply: dict = {'type': 'reply', 'id': ident, 'ok': True}
            if result is not None:
                reply['result'] = result
        else:
            reply = {'type': 'reply', 'id': ident, 'ok': False, 'error': error}
        self.send(reply)

    def prefix_of(self, raw: Any) -> str:
        """The '#N' prefix of the root whose interpreter this is ('' for the first)."""
        for root in self.roots:
            if root._chatgrade_raw is raw:
                return str(root._chatgrade_prefix)
        return ''

    def target(self, path: str) -> tuple[Any, str, str]:
        """The interpreter, Tk path and class of the widget the grader names."""
        prefix, tkpath = '', path
        if path.startswith('#'):
            cut = path.find('.')
            prefix, tkpath = (path, '') if cut < 0 else (path[:cut], path[cut:])
        for root in self.roots:
            if root._chatgrade_prefix == prefix and alive(root):
                raw = root._chatgrade_raw
                break
        else:
            raise CommandError(f'no widget {path}' if self.roots else 'no Tk window exists')
        if not tkpath.startswith('.') or not raw.getboolean(raw.call('winfo', 'exists', tkpath)):
            raise CommandError(f'no widget {path}')
        cls = 'Tk' if tkpath == '.' else str(raw.call('winfo', 'class', tkpath))
        return raw, tkpath, cls
