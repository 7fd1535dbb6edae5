"""chatgrade's Tk agent: report a Tk program's widgets to the grader, and act.

run_client.py calls install() before the student's program runs. Nothing
here changes what the program does or prints; it only observes, and acts
when the grader asks (select, type, invoke, press a key, close a window,
answer a messagebox). Standard library only.

- core.py: the Agent (connection, roots, change tracking, command dispatch)
- base.py: the Agent as the other modules know it (AgentLike), and CommandError
- patches.py: crash hooks, the tkinter import hook and patches, the tkapp proxy
- dialogs.py: messagebox/simpledialog questions as pseudo windows
- commands.py: the grader's commands, done the way a person would
- snapshot.py: the widget tree as flat records
- tkutil.py, tracebacks.py: helpers

The wire format is the JSON-lines protocol of src/probe/widgets.ts.
"""

from __future__ import annotations

import _socket
import os
import sys
from typing import Optional

from .base import CommandError
from .core import Agent
from .patches import install_hooks

__all__ = ['Agent', 'CommandError', 'install']

_agent: Optional[Agent] = None


def install(address: str, token: str, argv: list[str]) -> Agent:
    """Connect to the grader at host:port, say hello and install the hooks.

    Once connected, the probe variables leave the environment, so the
    program (and anything it starts) cannot read the token.
    """
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
    for name in ('CHAT_PROBE_TOKEN', 'CHAT_PROBE'):
        os.environ.pop(name, None)
    _agent = agent
    install_hooks(agent)
    return agent
