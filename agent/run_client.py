"""Run a student's Python program under chatgrade's Tk agent.

    python3 run_client.py ENTRY.py [ARGS...]

With CHAT_PROBE (host:port) and CHAT_PROBE_TOKEN (or CHAT_PROBE_TOKEN_FILE,
a file read once and removed) set, the agent connects to the grader and
installs its hooks first; without them nothing is installed.
Either way the entry file then runs as __main__ exactly as `python3 ENTRY.py
ARGS...` would: same sys.argv, sys.path[0] is the entry's folder, same
output and the same exit status.
"""

from __future__ import annotations

import os
import sys


_HERE = os.path.dirname(os.path.abspath(__file__))


def _probe_token() -> str | None:
    """The probe token: in CHAT_PROBE_TOKEN, or (in a sandbox) read once
    from the file named by CHAT_PROBE_TOKEN_FILE, which only this uid may
    read and which is removed before the program starts, so that neither
    /proc nor a later process of the program finds it."""
    path = os.environ.pop('CHAT_PROBE_TOKEN_FILE', None)
    if not path:
        return os.environ.get('CHAT_PROBE_TOKEN')
    try:
        with open(path, encoding='utf-8') as f:
            return f.read().strip()
    except OSError:
        return None
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def _install_agent(argv: list[str]) -> None:
    address = os.environ.get('CHAT_PROBE')
    token = _probe_token()
    if not address or not token:
        return
    # The agent package lives beside this file; import it from there alone
    # (whatever the interpreter's flags), then leave sys.path as it was.
    sys.path.insert(0, _HERE)
    try:
        import chatgrade_agent
        chatgrade_agent.install(address, token, argv)
    except Exception:
        # The program must run even when the grader cannot be reached.
        if os.environ.get('CHATGRADE_AGENT_DEBUG'):
            import traceback
            traceback.print_exc()
    finally:
        sys.path.remove(_HERE)


def main() -> None:
    """Install the agent (when asked to) and run the entry file as __main__."""
    if len(sys.argv) < 2:
        sys.stderr.write('usage: run_client.py ENTRY.py [ARGS...]\n')
        sys.exit(2)
    entry = sys.argv[1]
    args = sys.argv[2:]
    _install_agent([entry, *args])
    path = os.path.abspath(entry)
    sys.argv = [entry, *args]
    # As `python3 ENTRY.py` would: the entry's folder first on sys.path, in
    # place of this runner's own.
    if sys.path and os.path.abspath(sys.path[0] or '.') == _HERE:
        sys.path[0] = os.path.dirname(path)
    else:
        sys.path.insert(0, os.path.dirname(path))
    import runpy
    try:
        runpy.run_path(path, run_name='__main__')
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as exc:
        # Report as the interpreter would, without this runner's frames.
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != path:
            tb = tb.tb_next
        if tb is not None:
            exc.__traceback__ = tb
        sys.excepthook(type(exc), exc, exc.__traceback__)
        sys.exit(1)


if __name__ == '__main__':
    main()
