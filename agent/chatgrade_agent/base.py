"""What the agent's parts know of the Agent, below all of them.

core.py defines the Agent and dispatches the grader's commands to the
modules that act for it (commands, selection, dialogs, snapshot, patches).
Those receive the agent as an argument and know it only as AgentLike, so
none of them imports core, its caller. CommandError lives here too: every
part raises it and the dispatcher reports it.
"""

from __future__ import annotations

from typing import Any, Optional, Protocol


class CommandError(Exception):
    """A grader command that cannot be carried out (reported as ok:false)."""


class AgentLike(Protocol):
    """The Agent as its parts use it (core.Agent is the one implementation)."""

    tk: Any  # the tkinter module, once the program imports it
    roots: list[Any]
    connected: bool
    handler_raw: Any
    tk_thread: Optional[int]
    dirty: bool
    force_tree: bool
    dialogs: dict[str, Any]  # dialogs.Dialog by its path
    dialog_count: int
    image_sha: dict[str, str]
    reported: set[str]
    mouse: Any  # tkutil.Mouse

    def crash(self, kind: str, etype: Any, value: Any, tb: Any) -> None: ...

    def internal_error(self, doing: str) -> None: ...

    def adopt_root(self, root: Any) -> None: ...

    def root_destroyed(self, root: Any) -> None: ...

    def mark_dirty(self) -> None: ...

    def before_nested_loop(self) -> None: ...

    def prefix_of(self, raw: Any) -> str: ...

    def target(self, path: str) -> tuple[Any, str, str]: ...
