"""chatgrade's Tk agent: report a Tk program's widgets to the grader, and act.

run_client.py calls install() before the student's program runs. Nothing
here changes what the program does or prints; it only observes, and acts
when the grader asks (select, type, invoke, press a key, close a window,
answer a messagebox).

How changes are seen: once Tk is loaded, the root's interpreter object is
wrapped so that every Tcl call that may change what is on screen marks the
tree dirty and schedules one flush per Tk idle (coalescing bursts). Calls
from other threads wake the Tk thread through a pipe watched by a Tcl file
handler. A flush snapshots the widgets and sends what changed. Commands
from the grader arrive on the probe socket, also watched by a file handler,
so they run on the Tk thread inside whatever event loop is running.

The wire format is the JSON-lines protocol of src/probe/widgets.ts.
"""

from __future__ import annotations

import _socket
import _thread
import json
import os
import sys
import threading
from collections import deque
from typing import Any, Callable, Optional

# tkinter is imported by the student, not by us: patches are applied when
# it is (see _ImportHook), so a program that never uses Tk pays nothing.
tk: Any = None

_FLUSH_CMD = '::chatgrade_flush'
_EVENT_CMD = '::chatgrade_event'
_READABLE = 2  # _tkinter.READABLE, without importing _tkinter

# Tcl commands and widget subcommands that never change what is shown.
_QUIET_COMMANDS = frozenset({
    'winfo', 'after', 'info', 'bind', 'bindtags', 'focus', 'grab',
    'clipboard', 'tk', 'update', 'font', 'option', 'tkwait', 'vwait',
    'expr', 'string', 'ttk::style',
})
_QUIET_SUBCOMMANDS = frozenset({
    'cget', 'get', 'curselection', 'index', 'bbox', 'size', 'nearest',
    'compare', 'dump', 'search', 'count', 'instate', 'identify', 'coords',
    'find', 'itemcget', 'entrycget', 'type', 'exists', 'xview', 'yview',
    'see', 'dlineinfo', 'mark', 'parent', 'tag', 'bind',
})

_MESSAGE_BUTTONS = {
    'ok': [('ok', 'OK')],
    'okcancel': [('ok', 'OK'), ('cancel', 'Cancel')],
    'yesno': [('yes', 'Yes'), ('no', 'No')],
    'yesnocancel': [('yes', 'Yes'), ('no', 'No'), ('cancel', 'Cancel')],
    'retrycancel': [('retry', 'Retry'), ('cancel', 'Cancel')],
    'abortretryignore': [('abort', 'Abort'), ('retry', 'Retry'), ('ignore', 'Ignore')],
}

_BUTTONISH = frozenset({
    'Button', 'TButton', 'Radiobutton', 'TRadiobutton', 'Checkbutton', 'TCheckbutton',
})
_LABELISH = frozenset({
    'Label', 'TLabel', 'Message', 'Menubutton', 'TMenubutton',
    'Labelframe', 'TLabelframe',
}) | _BUTTONISH
_NO_IMAGE = frozenset({'Message', 'Labelframe', 'TLabelframe'})
_CLASSIC_STATEFUL = frozenset({
    'Label', 'Button', 'Radiobutton', 'Checkbutton', 'Menubutton',
    'Entry', 'Spinbox', 'Listbox', 'Text',
})
_ENTRYISH = frozenset({'Entry', 'TEntry', 'Spinbox', 'TSpinbox', 'TCombobox'})
_TTK_STATEFUL = frozenset({
    'TButton', 'TRadiobutton', 'TCheckbutton', 'TEntry', 'TSpinbox',
    'TCombobox', 'TMenubutton', 'TLabel',
})

_agent: Optional['Agent'] = None


class CommandError(Exception):
    """A grader command that cannot be carried out (reported as ok:false)."""


# --------------------------------------------------------------- installation

def install(address: str, token: str, argv: list[str]) -> 'Agent':
    """Connect to the grader at host:port, say hello and install the hooks."""
    global _agent
    host, _, port = address.rpartition(':')
    sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    sock.settimeout(5.0)
    sock.connect((host or '127.0.0.1', int(port)))
    sock.settimeout(None)
    sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
    agent = Agent(sock)
    agent.send({
        'type': 'hello', 'token': token, 'pid': os.getpid(),
        'python': sys.version.split()[0], 'tk': None, 'argv': list(argv),
    })
    _agent = agent
    _install_crash_hooks(agent)
    if 'tkinter' in sys.modules:
        _patch_tkinter(sys.modules['tkinter'])
    for name in ('tkinter.messagebox', 'tkinter.simpledialog'):
        if name in sys.modules:
            _PATCHES[name](sys.modules[name])
    sys.meta_path.insert(0, _ImportHook())
    return agent


def _install_crash_hooks(agent: 'Agent') -> None:
    previous_sys = sys.excepthook

    def excepthook(etype: Any, value: Any, tb: Any) -> None:
        agent.crash('uncaught', etype, value, tb)
        previous_sys(etype, value, tb)

    sys.excepthook = excepthook
    previous_thread = threading.excepthook

    def thread_excepthook(args: Any) -> None:
        if args.exc_type is not SystemExit:
            agent.crash('thread', args.exc_type, args.exc_value, args.exc_traceback)
        previous_thread(args)

    threading.excepthook = thread_excepthook


class _PatchingLoader:
    """Runs the real loader, then patches the fresh module."""

    def __init__(self, loader: Any, patch: Callable[[Any], None]) -> None:
        self._loader = loader
        self._patch = patch

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        try:
            self._patch(module)
        except Exception:  # a broken patch must not break the program
            if _agent is not None:
                _agent.internal_error('patching ' + module.__name__)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _ImportHook:
    """A meta-path finder that patches tkinter modules as they are imported."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        patch = _PATCHES.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, 'exec_module'):
                    spec.loader = _PatchingLoader(spec.loader, patch)
                return spec
        return None


# ------------------------------------------------------------------- patches

def _patch_tkinter(module: Any) -> None:
    global tk
    if getattr(module, '_chatgrade_patched', False):
        return
    module._chatgrade_patched = True
    tk = module
    agent = _agent
    assert agent is not None

    original_loadtk = module.Tk._loadtk

    def _loadtk(self: Any) -> None:
        original_loadtk(self)
        try:
            agent.adopt_root(self)
        except Exception:
            agent.internal_error('adopting a Tk root')

    module.Tk._loadtk = _loadtk

    original_destroy = module.Tk.destroy

    def destroy(self: Any) -> None:
        try:
            original_destroy(self)
        finally:
            agent.root_destroyed(self)

    module.Tk.destroy = destroy

    original_report = module.Tk.report_callback_exception

    def report_callback_exception(self: Any, exc: Any, val: Any, tb: Any) -> Any:
        agent.crash('tk_callback', exc, val, tb)
        return original_report(self, exc, val, tb)

    module.Tk.report_callback_exception = report_callback_exception

    original_image_init = module.Image.__init__

    def image_init(self: Any, imgtype: Any, name: Any = None, cnf: Any = {},
                   master: Any = None, **kw: Any) -> None:
        original_image_init(self, imgtype, name, cnf, master, **kw)
        try:
            options = dict(cnf) if cnf else {}
            options.update(kw)
            agent.image_source(self.name, options)
        except Exception:
            agent.internal_error('recording an image')

    module.Image.__init__ = image_init

    original_configure = module.Image.configure

    def image_configure(self: Any, **kw: Any) -> Any:
        result = original_configure(self, **kw)
        try:
            agent.image_source(self.name, kw, keep=True)
        except Exception:
            agent.internal_error('recording an image')
        return result

    module.Image.configure = module.Image.config = image_configure

    for method in ('copy', 'zoom', 'subsample', 'copy_replace'):
        original = getattr(module.PhotoImage, method, None)
        if original is not None:
            setattr(module.PhotoImage, method, _inheriting(original, agent))


def _inheriting(original: Callable[..., Any], agent: 'Agent') -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kw: Any) -> Any:
        result = original(self, *args, **kw)
        sha = agent.image_sha.get(self.name)
        if sha is not None and result is not None and getattr(result, 'name', None):
            agent.image_sha[result.name] = sha
        return result

    method.__name__ = original.__name__
    method.__doc__ = original.__doc__
    return method


def _patch_messagebox(module: Any) -> None:
    def show(self: Any, **options: Any) -> str:
        for key, value in options.items():
            self.options[key] = value
        opts = self.options
        kind = str(opts.get('type', 'ok'))
        text = str(opts.get('message', '') or '')
        if opts.get('detail'):
            text += '\n\n' + str(opts['detail'])
        buttons = _MESSAGE_BUTTONS.get(kind, [('ok', 'OK')])
        names = [b[0] for b in buttons]
        close = 'cancel' if 'cancel' in names else ('no' if 'no' in names else names[0])
        assert _agent is not None
        answer, _ = _agent.show_dialog(str(opts.get('title', '') or ''), text, buttons, close)
        return answer

    module.Message.show = show


def _patch_simpledialog(module: Any) -> None:
    def make(convert: Callable[[str], Any], what: str) -> Callable[..., Any]:
        def ask(title: str, prompt: str, **kw: Any) -> Any:
            assert _agent is not None
            initial = kw.get('initialvalue')

            def parse(text: str) -> Any:
                try:
                    value = convert(text)
                except ValueError:
                    raise CommandError(f'{text!r} is not {what}') from None
                low, high = kw.get('minvalue'), kw.get('maxvalue')
                if low is not None and value < low:
                    raise CommandError(f'{value} is below the minimum {low}')
                if high is not None and value > high:
                    raise CommandError(f'{value} is above the maximum {high}')
                return value

            answer, text = _agent.show_dialog(
                str(title or ''), str(prompt or ''), [('ok', 'OK'), ('cancel', 'Cancel')],
                'cancel', entry='' if initial is None else str(initial), parse=parse)
            return None if answer != 'ok' else parse(text)

        return ask

    module.askstring = make(str, 'a string')
    module.askinteger = make(int, 'an integer')
    module.askfloat = make(float, 'a number')


_PATCHES: dict[str, Callable[[Any], None]] = {
    'tkinter': _patch_tkinter,
    'tkinter.messagebox': _patch_messagebox,
    'tkinter.simpledialog': _patch_simpledialog,
}


# ---------------------------------------------------------------- the proxy

class _TkProxy:
    """Stands in for a root's tkapp: forwards everything, notices changes."""

    def __init__(self, raw: Any, agent: 'Agent') -> None:
        self._raw = raw
        self._agent = agent

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def call(self, *args: Any) -> Any:
        agent = self._agent
        first = args[0] if args else None
        if first == 'tkwait' or first == 'vwait':
            agent.before_nested_loop()
        try:
            return self._raw.call(*args)
        finally:
            if not agent.dirty and _may_change(args):
                agent.mark_dirty()

    def eval(self, script: str) -> Any:
        try:
            return self._raw.eval(script)
        finally:
            self._agent.mark_dirty()

    def setvar(self, *args: Any) -> Any:
        try:
            return self._raw.setvar(*args)
        finally:
            self._agent.mark_dirty()

    def globalsetvar(self, *args: Any) -> Any:
        try:
            return self._raw.globalsetvar(*args)
        finally:
            self._agent.mark_dirty()

    def mainloop(self, *args: Any) -> Any:
        self._agent.before_nested_loop()
        return self._raw.mainloop(*args)


def _may_change(args: tuple) -> bool:
    if not args:
        return False
    if type(args[0]) is tuple:
        args = args[0]
        if not args:
            return False
    first = args[0]
    if type(first) is str and first in _QUIET_COMMANDS:
        return False
    if len(args) > 1:
        second = args[1]
        if type(second) is str and second in _QUIET_SUBCOMMANDS:
            return False
    return True


# ------------------------------------------------------------------ dialogs

class _Dialog:
    """A messagebox or simpledialog shown as a pseudo window."""

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


# ---------------------------------------------------------------- the agent

class Agent:
    """One connection to the grader and the state of what it was last told."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.send_lock = threading.Lock()
        self.connected = True
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
        self.dialogs: dict[str, _Dialog] = {}
        self.dialog_count = 0
        self.image_sha: dict[str, str] = {}
        self.reported: set[str] = set()
        self.root_count = 0

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
            import traceback
            text = ''.join(traceback.format_exception(etype, value, tb))
            self.send({'type': 'crash', 'kind': kind, 'text': text})
        except Exception:
            pass

    def internal_error(self, doing: str) -> None:
        """Report a fault of the agent itself; never raises."""
        try:
            import traceback
            self.send({'type': 'agent_error', 'text': f'{doing}: {traceback.format_exc()}'})
        except Exception:
            pass

    # ---- roots

    def adopt_root(self, root: Any) -> None:
        """Start watching a freshly loaded Tk root."""
        raw = root.tk
        if isinstance(raw, _TkProxy):
            return
        root._chatgrade_raw = raw
        # A second Tk() alive at the same time also has the path ".": its
        # widgets are reported (and addressed) with a "#<n>" prefix.
        self.root_count += 1
        taken = {r._chatgrade_prefix for r in self.roots if _alive(r)}
        root._chatgrade_prefix = '' if '' not in taken else f'#{self.root_count}'
        root._chatgrade_default_delete = str(raw.call('wm', 'protocol', '.', 'WM_DELETE_WINDOW'))
        raw.createcommand(_FLUSH_CMD, self._idle_flush)
        # Mapping and window-manager destruction change the tree without
        # any call from Python; the 'all' bindtag sees them for every widget.
        raw.createcommand(_EVENT_CMD, self._on_tk_event)
        for sequence in ('<Map>', '<Unmap>', '<Destroy>'):
            raw.call('bind', 'all', sequence, '+' + _EVENT_CMD)
        root.tk = _TkProxy(raw, self)
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

    def root_destroyed(self, root: Any) -> None:
        """A Tk root was destroyed: report it now, the event loop may be over."""
        try:
            self.roots = [r for r in self.roots if r is not root and _alive(r)]
            if self.handler_raw is getattr(root, '_chatgrade_raw', None):
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
            records = self.snapshot()
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

    # ---- nested event loops

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

    def show_dialog(self, title: str, text: str, buttons: list[tuple[str, str]], close: str,
                    entry: Optional[str] = None,
                    parse: Optional[Callable[[str], Any]] = None) -> tuple[str, str]:
        """Show a pseudo dialog and block until the grader answers it."""
        self.dialog_count += 1
        dialog = _Dialog(self.dialog_count, title, text, buttons, close, entry, parse)
        if not self.connected:
            return close, entry or ''
        on_tk = _thread.get_ident() == self.tk_thread and self.handler_raw is not None
        temp_root = None
        if self.handler_raw is None and tk is not None:
            # Like the real messagebox: no live root, so make a hidden one
            # (its event loop is what lets the grader answer).
            temp_root = tk.Tk()
            temp_root.withdraw()
            on_tk = self.handler_raw is not None
        self.dialogs[dialog.path] = dialog
        try:
            if on_tk:
                raw = self.handler_raw
                dialog.raw = raw
                dialog.variable = f'::chatgrade_dialog{self.dialog_count}'
                raw.globalsetvar(dialog.variable, '0')
                self.before_nested_loop()
                self.mark_dirty()
                while not dialog.done and self.connected:
                    try:
                        raw.call('tkwait', 'variable', dialog.variable)
                    except Exception:
                        break
            else:
                dialog.event = threading.Event()
                self.mark_dirty()
                dialog.event.wait()
        finally:
            self.dialogs.pop(dialog.path, None)
            self.mark_dirty()
            if temp_root is not None:
                try:
                    temp_root.destroy()
                except Exception:
                    pass
        if not dialog.done:
            return close, dialog.entry or ''
        return dialog.answer or close, dialog.entry or ''

    def _answer(self, dialog: _Dialog, answer: str) -> None:
        if answer != dialog.close_answer and answer == 'ok' and dialog.parse is not None:
            dialog.parse(dialog.entry or '')  # raises CommandError and keeps the dialog open
        dialog.answer = answer
        dialog.done = True
        self.dialogs.pop(dialog.path, None)
        if dialog.event is not None:
            dialog.event.set()
        elif dialog.raw is not None:
            dialog.raw.globalsetvar(dialog.variable, '1')

    def _disconnected(self) -> None:
        # The grader is gone: stop watching, and let waiting dialogs return.
        self.connected = False
        self._unwatch()
        for dialog in list(self.dialogs.values()):
            try:
                self._answer(dialog, dialog.close_answer)
            except Exception:
                pass

    # ---- commands

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
            method = getattr(self, '_cmd_' + str(name), None)
            if method is None:
                raise CommandError(f'unknown command {name!r}')
            result = method(message)
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

    def _target(self, path: str) -> tuple[Any, str, str]:
        """The interpreter, Tk path and class of the widget the grader names."""
        prefix, tkpath = '', path
        if path.startswith('#'):
            cut = path.find('.')
            prefix, tkpath = (path, '') if cut < 0 else (path[:cut], path[cut:])
        for root in self.roots:
            if root._chatgrade_prefix == prefix and _alive(root):
                raw = root._chatgrade_raw
                break
        else:
            raise CommandError(f'no widget {path}' if self.roots else 'no Tk window exists')
        if not tkpath.startswith('.') or not raw.getboolean(raw.call('winfo', 'exists', tkpath)):
            raise CommandError(f'no widget {path}')
        cls = 'Tk' if tkpath == '.' else str(raw.call('winfo', 'class', tkpath))
        return raw, tkpath, cls

    def _is_disabled(self, raw: Any, path: str, cls: str) -> bool:
        if cls in _TTK_STATEFUL or cls == 'Treeview':
            return bool(raw.getboolean(raw.call(path, 'instate', 'disabled')))
        try:
            return str(raw.call(path, 'cget', '-state')) == 'disabled'
        except Exception:
            return False

    def _dialog_for(self, path: str) -> tuple[_Dialog, str]:
        base, _, part = path.partition('.')
        dialog = self.dialogs.get(base)
        if dialog is None:
            raise CommandError(f'no dialog {base} (answered already?)')
        return dialog, part

    def _cmd_sync(self, message: dict) -> None:
        self.dirty = True

    def _cmd_snapshot(self, message: dict) -> None:
        self.force_tree = True

    def _cmd_select(self, message: dict) -> None:
        path = str(message['path'])
        indices = [int(i) for i in message.get('indices', [])]
        raw, path, cls = self._target(path)
        if self._is_disabled(raw, path, cls):
            raise CommandError(f'{path} is disabled')
        if cls == 'Listbox':
            size = int(raw.call(path, 'size'))
            for i in indices:
                if not 0 <= i < size:
                    raise CommandError(f'{path} has {size} items, no index {i}')
            raw.call('focus', path)
            raw.call(path, 'selection', 'clear', 0, 'end')
            for i in indices:
                raw.call(path, 'selection', 'set', i)
            if indices:
                raw.call(path, 'activate', indices[0])
                raw.call(path, 'see', indices[0])
            raw.call('event', 'generate', path, '<<ListboxSelect>>')
        elif cls == 'Treeview':
            items = _tree_items(raw, path)
            for i in indices:
                if not 0 <= i < len(items):
                    raise CommandError(f'{path} has {len(items)} rows, no index {i}')
            raw.call('focus', path)
            raw.call(path, 'selection', 'set', [items[i] for i in indices])
            if indices:
                raw.call(path, 'focus', items[indices[0]])
                raw.call(path, 'see', items[indices[0]])
        else:
            raise CommandError(f'{path} is a {cls}, not a Listbox or Treeview')
        self.dirty = True

    def _cmd_set_text(self, message: dict) -> None:
        path = str(message['path'])
        text = str(message['text'])
        if path.startswith('dialog#'):
            dialog, part = self._dialog_for(path)
            if part != 'entry' or dialog.entry is None:
                raise CommandError(f'{path} is not a dialog entry')
            dialog.entry = text
            self.dirty = True
            return
        raw, path, cls = self._target(path)
        if self._is_disabled(raw, path, cls):
            raise CommandError(f'{path} is disabled')
        if cls in _ENTRYISH:
            if cls not in _TTK_STATEFUL and str(raw.call(path, 'cget', '-state')) == 'readonly':
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
        self.dirty = True

    def _cmd_invoke(self, message: dict) -> Any:
        path = str(message['path'])
        if path.startswith('dialog#'):
            dialog, part = self._dialog_for(path)
            if part not in [b[0] for b in dialog.buttons]:
                raise CommandError(f'{dialog.path} has no button {part!r}')
            self._answer(dialog, part)
            self.dirty = True
            return None
        raw, path, cls = self._target(path)
        if self._is_disabled(raw, path, cls):
            raise CommandError(f'{path} is disabled')
        self.dirty = True
        if cls in _BUTTONISH:
            raw.call(path, 'invoke')
            return None
        # Not a button: click it the way a person would (for bound labels).
        if not raw.getboolean(raw.call('winfo', 'viewable', path)):
            raise CommandError(f'{path} ({cls}) is not a button, nor on screen to be clicked')
        x = int(raw.call('winfo', 'width', path)) // 2
        y = int(raw.call('winfo', 'height', path)) // 2
        _click(raw, path, x, y, 1)
        return {'clicked': True}

    def _cmd_key(self, message: dict) -> None:
        path = str(message['path'])
        keysym = str(message['keysym'])
        if path.startswith('dialog#'):
            dialog, _ = self._dialog_for(path)
            if keysym == 'Return':
                self._answer(dialog, dialog.buttons[0][0])
            elif keysym == 'Escape':
                self._answer(dialog, dialog.close_answer)
            else:
                raise CommandError(f'key {keysym} means nothing to a dialog')
            self.dirty = True
            return
        raw, path, _ = self._target(path)
        raw.call('focus', '-force', path)
        raw.call('event', 'generate', path, '<KeyPress>', '-keysym', keysym)
        raw.call('event', 'generate', path, '<KeyRelease>', '-keysym', keysym)
        self.dirty = True

    def _cmd_double_click(self, message: dict) -> None:
        path = str(message['path'])
        index = message.get('index')
        raw, path, cls = self._target(path)
        if self._is_disabled(raw, path, cls):
            raise CommandError(f'{path} is disabled')
        raw.call('update', 'idletasks')
        if cls == 'Listbox':
            if index is None:
                selected = raw.splitlist(raw.call(path, 'curselection'))
                index = int(selected[0]) if selected else int(raw.call(path, 'index', 'active'))
            index = int(index)
            size = int(raw.call(path, 'size'))
            if not 0 <= index < size:
                raise CommandError(f'{path} has {size} items, no index {index}')
            raw.call(path, 'see', index)
            raw.call('update', 'idletasks')
            box = raw.splitlist(raw.call(path, 'bbox', index))
        elif cls == 'Treeview':
            items = _tree_items(raw, path)
            if index is None:
                selected = raw.splitlist(raw.call(path, 'selection'))
                index = items.index(str(selected[0])) if selected else 0
            index = int(index)
            if not 0 <= index < len(items):
                raise CommandError(f'{path} has {len(items)} rows, no index {index}')
            raw.call(path, 'see', items[index])
            raw.call('update', 'idletasks')
            box = raw.splitlist(raw.call(path, 'bbox', items[index]))
        elif cls == 'Text' and index is not None:
            # A user list shown in a Text: the index is a 0-based line.
            line = f'{int(index) + 1}.0'
            raw.call(path, 'see', line)
            raw.call('update', 'idletasks')
            box = raw.splitlist(raw.call(path, 'bbox', line))
        else:
            box = (0, 0, int(raw.call('winfo', 'width', path)),
                   int(raw.call('winfo', 'height', path)))
        if len(box) < 4:
            raise CommandError(f'item {index} of {path} is not visible')
        x0, y0, width, height = (int(v) for v in box[:4])
        raw.call('focus', path)
        _click(raw, path, x0 + min(max(width // 2, 1), 10), y0 + max(height // 2, 1), 2)
        self.dirty = True

    def _cmd_set_value(self, message: dict) -> None:
        path = str(message['path'])
        value = str(message['value'])
        raw, path, cls = self._target(path)
        if self._is_disabled(raw, path, cls):
            raise CommandError(f'{path} is disabled')
        if cls in ('Menubutton', 'TMenubutton'):
            menu = str(raw.call(path, 'cget', '-menu'))
            if not menu:
                raise CommandError(f'{path} has no menu')
            labels = _menu_labels(raw, menu)
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
        self.dirty = True

    def _cmd_close(self, message: dict) -> Any:
        window = str(message.get('window', message.get('path', '')))
        if window.startswith('dialog#'):
            dialog, _ = self._dialog_for(window)
            self._answer(dialog, dialog.close_answer)
            self.dirty = True
            return None
        raw, window, cls = self._target(window)
        if window != '.' and str(raw.call('winfo', 'toplevel', window)) != window:
            raise CommandError(f'{window} is a {cls}, not a window')
        self.dirty = True
        handler = str(raw.call('wm', 'protocol', window, 'WM_DELETE_WINDOW'))
        if handler:
            raw.eval(handler)
            return {'handler': True}
        raw.call('destroy', window)
        return {'handler': False}

    # ---- snapshot

    def snapshot(self) -> list[dict]:
        """Every live widget (and pseudo dialog) as a WidgetRecord, in tree order."""
        out: list[dict] = []
        alive = []
        for root in self.roots:
            if _alive(root):
                alive.append(root)
                prefix = root._chatgrade_prefix
                self._walk(root, root._chatgrade_raw, out, root, prefix, None, prefix + '.')
        self.roots = alive
        for dialog in list(self.dialogs.values()):
            out.extend(dialog.records())
        return out

    def _walk(self, widget: Any, raw: Any, out: list, root: Any, prefix: str,
              parent: Optional[str], window: str) -> None:
        path = widget._w
        name = prefix + path
        try:
            cls = str(raw.call('winfo', 'class', path))
        except Exception:
            return  # destroyed behind tkinter's back (e.g. by the window manager)
        is_window = widget is root or isinstance(widget, tk.Toplevel)
        if is_window:
            window = name
            cls = 'Tk' if widget is root else 'Toplevel'
        record: dict = {
            'path': name, 'cls': cls, 'parent': parent, 'window': window,
            'mapped': bool(raw.getboolean(raw.call('winfo', 'viewable', path))),
        }
        try:
            if is_window:
                self._describe_window(raw, path, record, root)
            else:
                self._describe(raw, path, cls, record, widget)
        except Exception:  # one odd widget must not hide the rest
            if path not in self.reported:
                self.reported.add(path)
                self.internal_error(f'describing {path} ({cls})')
        out.append(record)
        for child in list(widget.children.values()):
            self._walk(child, raw, out, root, prefix, name, window)

    def _describe_window(self, raw: Any, path: str, record: dict, root: Any) -> None:
        record['title'] = str(raw.call('wm', 'title', path))
        state = str(raw.call('wm', 'state', path))
        record['state'] = {'icon': 'iconic', 'zoomed': 'normal'}.get(state, state)
        handler = str(raw.call('wm', 'protocol', path, 'WM_DELETE_WINDOW'))
        default = root._chatgrade_default_delete if path == '.' else ''
        record['hasDeleteHandler'] = bool(handler) and handler != default

    def _describe(self, raw: Any, path: str, cls: str, record: dict, widget: Any) -> None:
        if cls in _LABELISH:
            record['text'] = str(raw.call(path, 'cget', '-text'))
            image = () if cls in _NO_IMAGE else raw.splitlist(raw.call(path, 'cget', '-image'))
            if image:
                info = self._image(raw, str(image[0]))
                if info is not None:
                    record['image'] = info
            if cls in _BUTTONISH:
                record['hasCommand'] = bool(str(raw.call(path, 'cget', '-command')))
                if cls in ('Radiobutton', 'TRadiobutton', 'Checkbutton', 'TCheckbutton'):
                    self._describe_choice(raw, path, cls, record)
            elif cls in ('Menubutton', 'TMenubutton'):
                menu = str(raw.call(path, 'cget', '-menu'))
                if menu:
                    record['items'] = [label for _, label in _menu_labels(raw, menu)]
                record['value'] = record['text']
        elif cls in _ENTRYISH:
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
            images = self._text_images(raw, path)
            if images:
                record['images'] = images
        elif cls == 'Treeview':
            items = _tree_items(raw, path)
            rows = []
            for item in items:
                parts = [str(raw.call(path, 'item', item, '-text'))]
                parts += [str(v) for v in raw.splitlist(raw.call(path, 'item', item, '-values'))]
                rows.append(' '.join(p for p in parts if p))
            record['items'] = rows
            selected = set(str(s) for s in raw.splitlist(raw.call(path, 'selection')))
            record['selection'] = [i for i, item in enumerate(items) if item in selected]
        elif cls == 'Canvas':
            self._describe_canvas(raw, path, record)
        elif cls == 'Menu':
            record['items'] = [label for _, label in _menu_labels(raw, path)]
        elif cls == 'TNotebook':
            tabs = raw.splitlist(raw.call(path, 'tabs'))
            record['items'] = [str(raw.call(path, 'tab', t, '-text')) for t in tabs]
        if cls in _TTK_STATEFUL:
            if raw.getboolean(raw.call(path, 'instate', 'disabled')):
                record['disabled'] = True
        elif cls in _CLASSIC_STATEFUL:
            if str(raw.call(path, 'cget', '-state')) == 'disabled':
                record['disabled'] = True

    def _describe_choice(self, raw: Any, path: str, cls: str, record: dict) -> None:
        variable = str(raw.call(path, 'cget', '-variable'))
        current = _getvar(raw, variable) if variable else None
        if cls in ('Radiobutton', 'TRadiobutton'):
            value = str(raw.call(path, 'cget', '-value'))
            record['value'] = value
            record['selected'] = current is not None and current == value
        else:
            on = str(raw.call(path, 'cget', '-onvalue'))
            record['selected'] = current is not None and current == on

    def _describe_canvas(self, raw: Any, path: str, record: dict) -> None:
        images = []
        texts = []
        for item in raw.splitlist(raw.call(path, 'find', 'all')):
            kind = str(raw.call(path, 'type', item))
            if kind == 'image':
                name = str(raw.call(path, 'itemcget', item, '-image'))
                info = self._image(raw, name) if name else None
                if info is not None:
                    images.append(info)
            elif kind == 'text':
                texts.append(str(raw.call(path, 'itemcget', item, '-text')))
        if images:
            record['images'] = images
        if texts:
            record['items'] = texts

    def _text_images(self, raw: Any, path: str) -> list[dict]:
        images = []
        dump = raw.splitlist(raw.call(path, 'dump', '-image', '1.0', 'end'))
        for i in range(0, len(dump) - 2, 3):
            name = str(raw.call(path, 'image', 'cget', dump[i + 2], '-image'))
            info = self._image(raw, name) if name else None
            if info is not None:
                images.append(info)
        return images

    def _image(self, raw: Any, name: str) -> Optional[dict]:
        try:
            kind = str(raw.call('image', 'type', name))
            info: dict = {
                'name': name, 'type': 'photo' if kind == 'photo' else 'bitmap',
                'width': int(raw.call('image', 'width', name)),
                'height': int(raw.call('image', 'height', name)),
            }
        except Exception:
            return None
        sha = self.image_sha.get(name)
        if sha is not None:
            info['sha256'] = sha
        return info

    # ---- images

    def image_source(self, name: str, options: dict, keep: bool = False) -> None:
        """Remember the sha256 of the bytes an image was made from."""
        data = options.get('data')
        source: Optional[bytes] = None
        if data is not None and data != '':
            source = _image_bytes(data)
        elif options.get('file'):
            try:
                with open(options['file'], 'rb') as handle:
                    source = handle.read()
            except OSError:
                source = None
        elif keep:
            return
        if source is None:
            self.image_sha.pop(name, None)
        else:
            self.image_sha[name] = _sha256(source)
        self.mark_dirty()


# ---------------------------------------------------------------- helpers

def _alive(root: Any) -> bool:
    raw = getattr(root, '_chatgrade_raw', None)
    if raw is None:
        return False
    try:
        return bool(raw.getboolean(raw.call('winfo', 'exists', '.')))
    except Exception:
        return False


def _getvar(raw: Any, name: str) -> Optional[str]:
    try:
        return str(raw.globalgetvar(name))
    except Exception:
        return None


def _menu_labels(raw: Any, menu: str) -> list[tuple[int, str]]:
    end = str(raw.call(menu, 'index', 'end'))
    if end == 'none' or end == '':
        return []
    labels = []
    for i in range(int(end) + 1):
        kind = str(raw.call(menu, 'type', i))
        if kind in ('command', 'radiobutton', 'checkbutton', 'cascade'):
            labels.append((i, str(raw.call(menu, 'entrycget', i, '-label'))))
    return labels


def _tree_items(raw: Any, path: str) -> list[str]:
    """Treeview item ids, depth first, as rows appear when expanded."""
    out: list[str] = []

    def visit(parent: str) -> None:
        for item in raw.splitlist(raw.call(path, 'children', parent)):
            out.append(str(item))
            visit(str(item))

    visit('')
    return out


def _click(raw: Any, path: str, x: int, y: int, times: int) -> None:
    for _ in range(times):
        raw.call('event', 'generate', path, '<ButtonPress-1>', '-x', x, '-y', y)
        raw.call('event', 'generate', path, '<ButtonRelease-1>', '-x', x, '-y', y)


_IMAGE_MAGIC = (b'\x89PNG', b'GIF8', b'P3', b'P6', b'P5', b'\xff\xd8')


def _image_bytes(data: Any) -> Optional[bytes]:
    """The bytes an image's data= option stands for (base64 is decoded)."""
    import binascii
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


def _sha256(data: bytes) -> str:
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found, no-redef]
        except ImportError:
            from hashlib import sha256  # type: ignore[no-redef]
    return sha256(data).hexdigest()
