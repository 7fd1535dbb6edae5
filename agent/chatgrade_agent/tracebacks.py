"""Tracebacks as the student should see them: without the agent's frames.

The agent sits between the student's code and Tk (its proxy forwards every
Tcl call), so an error raised by Tk passes through one of its frames. Those
frames are cut from the traceback before it is printed or reported, so a
report ends at the student's code (or the library it called), never here.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import Optional

_AGENT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def is_agent_file(filename: str) -> bool:
    """True for a file of the agent (the package or the runner beside it)."""
    try:
        return os.path.abspath(filename).startswith(_AGENT_DIR + os.sep)
    except (TypeError, ValueError):
        return False


def without_agent(tb: Optional[TracebackType]) -> Optional[TracebackType]:
    """The same traceback chain minus the agent's frames (relinked in place)."""
    kept: list[TracebackType] = []
    while tb is not None:
        if not is_agent_file(tb.tb_frame.f_code.co_filename):
            kept.append(tb)
        tb = tb.tb_next
    if not kept:
        return None
    for here, after in zip(kept, kept[1:]):
        here.tb_next = after
    kept[-1].tb_next = None
    return kept[0]


def clean(value: Optional[BaseException], tb: Optional[TracebackType]) -> Optional[TracebackType]:
    """Strip agent frames from an exception, its causes and contexts; return its new traceback."""
    original = value.__traceback__ if value is not None else None
    seen: set[int] = set()
    todo = [value]
    while todo:
        exc = todo.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        if exc.__traceback__ is not None:
            exc.__traceback__ = without_agent(exc.__traceback__)
        todo.extend((exc.__cause__, exc.__context__))
    if value is not None and tb is original:
        return value.__traceback__
    return without_agent(tb)
