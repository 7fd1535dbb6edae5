"""What the agent changes in the program: hooks and patches, nothing else.

- Crash hooks (sys.excepthook, threading.excepthook, Tk's
  report_callback_exception) report tracebacks to the grader, without the
  agent's own frames, and then print them as before.
- tkinter is patched when the program imports it (an import hook), so a
  program that never uses Tk pays nothing: every new root is adopted (its
  tkapp wrapped in a proxy that notices changes), images remember the bytes
  they were made from, messagebox and simpledialog become pseudo dialogs.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable

from . import dialogs, tracebacks
from .base import AgentLike, CommandError
from .snapshot import remember_image

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


def install_hooks(agent: AgentLike) -> None:
    """Install the crash hooks, patch what is imported already and watch imports."""
    _install_crash_hooks(agent)
    for name, patch in _patches(agent).items():
        if name in sys.modules:
            patch(sys.modules[name])
    sys.meta_path.insert(0, _ImportHook(agent))


def _install_crash_hooks(agent: AgentLike) -> None:
    previous_sys = sys.excepthook

    def excepthook(etype: Any, value: Any, tb: Any) -> None:
        tb = tracebacks.clean(value, tb)
        agent.crash('uncaught', etype, value, tb)
        previous_sys(etype, value, tb)

    sys.excepthook = excepthook
    previous_thread = threading.excepthook

    def thread_excepthook(args: Any) -> None:
        if args.exc_type is not SystemExit:
            tb = tracebacks.clean(args.exc_value, args.exc_traceback)
            args = threading.ExceptHookArgs([args.exc_type, args.exc_value, tb, args.thread])
            agent.crash('thread', args.exc_type, args.exc_value, tb)
        previous_thread(args)

    threading.excepthook = thread_excepthook


class _PatchingLoader:
    """Runs the real loader, then patches the fresh module."""

    def __init__(self, loader: Any, patch: Callable[[Any], None], agent: AgentLike) -> None:
        self._loader = loader
        self._patch = patch
        self._agent = agent

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        try:
            self._patch(module)
        except Exception:  # a broken patch must not break the program
            self._agent.internal_error('patching ' + module.__name__)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _ImportHook:
    """A meta-path finder that patches tkinter modules as they are imported."""

    def __init__(self, agent: AgentLike) -> None:
        self._patches = _patches(agent)
        self._agent = agent

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        patch = self._patches.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, 'exec_module'):
                    spec.loader = _PatchingLoader(spec.loader, patch, self._agent)
                return spec
        return None


def _patches(agent: AgentLike) -> dict[str, Callable[[Any], None]]:
    return {
        'tkinter': lambda module: _patch_tkinter(agent, module),
        'tkinter.messagebox': lambda module: _patch_messagebox(agent, module),
        'tkinter.simpledialog': lambda module: _patch_simpledialog(agent, module),
    }


def _patch_tkinter(agent: AgentLike, module: Any) -> None:
    if getattr(module, '_chatgrade_patched', False):
        return
    module._chatgrade_patched = True
    agent.tk = module

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
        tb = tracebacks.clean(val, tb)
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
            remember_image(agent, self.name, options)
        except Exception:
            agent.internal_error('recording an image')

    module.Image.__init__ = image_init

    original_configure = module.Image.configure

    def image_configure(self: Any, **kw: Any) -> Any:
        result = original_configure(self, **kw)
        try:
            remember_image(agent, self.name, kw, keep=True)
        except Exception:
            agent.internal_error('recording an image')
        return result

    module.Image.configure = module.Image.config = image_configure

    for method in ('copy', 'zoom', 'subsample', 'copy_replace'):
        original = getattr(module.PhotoImage, method, None)
        if original is not None:
            setattr(module.PhotoImage, method, _inheriting(original, agent))


def _inheriting(original: Callable[..., Any], agent: AgentLike) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kw: Any) -> Any:
        result = original(self, *args, **kw)
        sha = agent.image_sha.get(self.name)
        if sha is not None and result is not None and getattr(result, 'name', None):
            agent.image_sha[result.name] = sha
        return result

    method.__name__ = original.__name__
    method.__doc__ = original.__doc__
    return method


def _patch_messagebox(agent: AgentLike, module: Any) -> None:
    def show(self: Any, **options: Any) -> str:
        for key, value in options.items():
            self.options[key] = value
        opts = self.options
        kind = str(opts.get('type', 'ok'))
        text = str(opts.get('message', '') or '')
        if opts.get('detail'):
            text += '\n\n' + str(opts['detail'])
        buttons = dialogs.MESSAGE_BUTTONS.get(kind, [('ok', 'OK')])
        names = [b[0] for b in buttons]
        close = 'cancel' if 'cancel' in names else ('no' if 'no' in names else names[0])
        answer, _ = dialogs.show(agent, str(opts.get('title', '') or ''), text, buttons, close)
        return answer

    module.Message.show = show


def _patch_simpledialog(agent: AgentLike, module: Any) -> None:
    def make(convert: Callable[[str], Any], what: str) -> Callable[..., Any]:
        def ask(title: str, prompt: str, **kw: Any) -> Any:
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

            answer, text = dialogs.show(
                agent, str(title or ''), str(prompt or ''), [('ok', 'OK'), ('cancel', 'Cancel')],
                'cancel', entry='' if initial is None else str(initial), parse=parse)
            return None if answer != 'ok' else parse(text)

        return ask

    module.askstring = make(str, 'a string')
    module.askinteger = make(int, 'an integer')
    module.askfloat = make(float, 'a number')


class TkProxy:
    """Stands in for a root's tkapp: forwards everything, notices changes."""

    def __init__(self, raw: Any, agent: AgentLike) -> None:
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
