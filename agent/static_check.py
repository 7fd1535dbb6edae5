"""Static checks of a submission, run by the grader in a child Python.

Usage: static_check.py import <module> | sockets
  import <module>: import the module (not as __main__) with sockets and Tk
      windows intercepted; report whether it returned, opened a connection
      or a window, or raised.
  sockets: list every module other than net.py that imports socket.

The grader writes a nonce on stdin; the report is JSON lines written on
fd 3, which is moved out of the way before any student code runs:
{"nonce": ..., "started": true} before the student's code runs, then
{"nonce": ..., "result": ...}. A started line without a result means the
student's code ended the process (os._exit, a signal): its failure, not
ours. Nothing the module prints on stdout counts, so printing a fake
report gains nothing.
"""
import ast
import json
import os
import sys
import traceback


def _import(module: str) -> dict:
    report: dict = {"returned": False, "sockets": [], "windows": 0, "error": None}

    import socket

    class _Refused(Exception):
        pass

    real_connect = socket.socket.connect

    def connect(self, address):  # type: ignore[no-untyped-def]
        report["sockets"].append(repr(address))
        raise _Refused(f"chatgrade: connection to {address!r} intercepted")

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect  # type: ignore[method-assign]
    socket.create_connection = lambda address, *a, **k: connect(None, address)  # type: ignore[assignment]

    try:
        import tkinter

        def no_window(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            report["windows"] += 1
            raise _Refused("chatgrade: window creation intercepted")

        tkinter.Tk.__init__ = no_window  # type: ignore[method-assign]
    except ImportError:
        pass

    try:
        __import__(module)
        report["returned"] = True
    except _Refused:
        report["returned"] = True
        report["error"] = "stopped at an intercepted connection or window"
    except SystemExit as exc:
        report["error"] = f"SystemExit({exc.code!r}) during import"
    except BaseException:  # noqa: BLE001 - anything the module raises is the finding
        report["error"] = traceback.format_exc(limit=8)
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
    return report


def _sockets() -> dict:
    offenders = []
    for name in sorted(os.listdir(".")):
        if not name.endswith(".py") or name == "net.py":
            continue
        try:
            with open(name, encoding="utf-8", errors="replace") as f:
                tree = ast.parse(f.read(), filename=name)
        except SyntaxError as exc:
            offenders.append({"file": name, "line": exc.lineno or 0, "text": "syntax error"})
            continue
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(n == "socket" or n.startswith("socket.") for n in names):
                offenders.append({"file": name, "line": node.lineno, "text": ast.unparse(node)})
    return {"offenders": offenders}


def _report_channel() -> tuple[int, str]:
    """The report's descriptor (fd 3, moved to a non-inheritable one) and the grader's nonce."""
    nonce = sys.stdin.readline().strip()
    sys.stdin.close()
    fd = os.dup(3)
    os.close(3)
    return fd, nonce


def _write(fd: int, record: dict) -> None:
    data = json.dumps(record).encode() + b"\n"
    while data:
        data = data[os.write(fd, data):]


def main() -> None:
    fd, nonce = _report_channel()
    sys.path.insert(0, os.getcwd())
    sys.dont_write_bytecode = True
    _write(fd, {"nonce": nonce, "started": True})
    if sys.argv[1:2] == ["import"]:
        result = _import(sys.argv[2])
    else:
        result = _sockets()
    _write(fd, {"nonce": nonce, "result": result})
    os.close(fd)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
