"""Import cycles among the Python modules under a folder, as JSON on stdout.

Every import counts wherever it stands: at the top, in a function, or under
`if TYPE_CHECKING:` (a type a module needs from its caller is still a
dependency on it). The folder is a sys.path root: `pkg/mod.py` is `pkg.mod`.
Prints {"modules": N, "cycles": [["a", "b", "a"], ...]}.
"""

import ast
import json
import os
import sys


def modules_under(root: str) -> dict[str, str]:
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != '__pycache__')
        for name in files:
            if name.endswith('.py'):
                parts = os.path.relpath(os.path.join(folder, name), root)[:-3].split(os.sep)
                if parts[-1] == '__init__':
                    parts.pop()
                found['.'.join(parts)] = os.path.join(folder, name)
    return found


def imports_of(name: str, path: str, known: dict[str, str]) -> set[str]:
    package = name if path.endswith('__init__.py') else name.rpartition('.')[0]
    out = set()
    for node in ast.walk(ast.parse(open(path, encoding='utf-8').read(), path)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                up = package.split('.')[:len(package.split('.')) - node.level + 1]
                base = '.'.join(p for p in up + [node.module or ''] if p)
            # `from pkg import mod` imports the module pkg.mod; `from pkg import name`, pkg itself.
            out.update(f'{base}.{a.name}' if f'{base}.{a.name}' in known else base for a in node.names)
    return {m for m in out if m in known and m != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(path_back(graph, v, set(component)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def path_back(graph: dict[str, set[str]], start: str, within: set[str]) -> list[str]:
    """A shortest way from start back to itself inside its component."""
    previous = {start: start}
    todo = [start]
    while todo:
        v = todo.pop(0)
        for w in sorted(graph[v] & within):
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return path[::-1] + [start]
            if w not in previous:
                previous[w] = v
                todo.append(w)
    return [start]


def main() -> None:
    known = modules_under(sys.argv[1])
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    json.dump({'modules': len(known), 'cycles': cycles(graph)}, sys.stdout)


if __name__ == '__main__':
    main()
