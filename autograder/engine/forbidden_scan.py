"""Forbidden APIs, read from the submission's source: the layer a kernel cannot tamper with.

The kernel watches calls at run time (:class:`autograder.student.calls.ForbiddenWatch`);
this module reads the code the student submitted, outside the kernel. For each graded
symbol it takes the definition (a function, or a class with its bases and methods), and
every top-level function or class of the notebook that definition names, transitively,
and looks in them for a forbidden module: by dotted name through any import alias
(``import torch.optim as o; o.Adam``), through ``importlib.import_module`` or
``__import__`` with a constant string (also one glued from pieces, ``"to" + "rch.optim"``),
and through ``getattr(module, "name")``. An import alone is not a use, so a lazy
``import torch`` inside a graded function is never a hit; neither is a forbidden module
used outside the graded definitions (an experiment cell that compares with torch.optim).
"""

from __future__ import annotations

import ast
import importlib
import sys
from dataclasses import dataclass

from autograder.notebooks import parsed_cells

IMPORTERS = ("importlib.import_module", "__import__")


@dataclass(frozen=True)
class Hit:
    """A forbidden module found in the source of a graded definition."""

    module: str
    symbol: str
    line: int


def _constant_text(node: ast.AST) -> str | None:
    """A string the expression always evaluates to, if it is built from constants."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant_text(node.left), _constant_text(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(str(v.value) for v in node.values)
    is_join = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join"
    if is_join and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple)):
        glue, parts = _constant_text(node.func.value), [_constant_text(e) for e in node.args[0].elts]
        return glue.join(parts) if glue is not None and None not in parts else None
    return None


class _Names:
    """What each local name stands for: a module path (aliases) or a top-level definition."""

    def __init__(self):
        self.modules: dict[str, str] = {}
        self.definitions: dict[str, ast.AST] = {}

    def learn(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.modules[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.modules[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                self.modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            path = self.dotted(node.value)
            if path is not None:
                self.modules[node.targets[0].id] = path
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.definitions[node.name] = node

    def dotted(self, node: ast.AST) -> str | None:
        """The module path an expression denotes (``o.Adam`` -> ``torch.optim.Adam``), if any."""
        if isinstance(node, ast.Name):
            return self.modules.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):
            return self._called_path(node)
        return None

    def _called_path(self, node: ast.Call) -> str | None:
        function = self.dotted(node.func) or (node.func.id if isinstance(node.func, ast.Name) else None)
        if function in IMPORTERS and node.args:
            return _constant_text(node.args[0])
        if function == "getattr" and len(node.args) >= 2:
            base, attribute = self.dotted(node.args[0]), _constant_text(node.args[1])
            return f"{base}.{attribute}" if base and attribute else None
        return None


def _forbids(path: str, forbidden: tuple[str, ...]) -> str | None:
    for name in forbidden:
        if path == name or path.startswith(name + "."):
            return name
        if name.startswith(path + ".") or "." not in path:
            continue
        home = _defining_module(path)
        if home and (home == name or home.startswith(name + ".")):
            return name
    return None


def _defining_module(path: str) -> str | None:
    """Where an object of an already-imported package is defined (``torch.optim.SGD`` -> ``torch.optim.sgd``)."""
    parent, _, attribute = path.rpartition(".")
    if parent.split(".")[0] not in sys.modules:
        return None  # importing torch to find out would cost seconds; the run-time watch covers it
    try:
        value = getattr(importlib.import_module(parent), attribute, None)
    except ImportError:
        return None
    return getattr(value, "__module__", None)


def _reachable(symbol: str, names: _Names) -> list[ast.AST]:
    """The symbol's definition and every top-level definition it names, transitively."""
    pending, seen = [symbol], {}
    while pending:
        name = pending.pop()
        node = names.definitions.get(name)
        if node is None or name in seen:
            continue
        seen[name] = node
        pending += [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in names.definitions]
    return list(seen.values())


def scan(sources: list[str], symbols: list[str], forbidden: tuple[str, ...]) -> list[Hit]:
    """Forbidden modules the graded symbols' code refers to, with the line of each."""
    names = _Names()
    trees = parsed_cells(sources)
    for tree in trees:
        for node in tree.body:
            names.learn(node)
    hits = []
    for symbol in symbols:
        for definition in _reachable(symbol, names):
            hits += _hits_in(definition, symbol, names, forbidden)
    return hits


def _hits_in(definition: ast.AST, symbol: str, module_names: _Names, forbidden: tuple[str, ...]) -> list[Hit]:
    """Uses of a forbidden module inside one definition (its own imports and aliases included)."""
    local = _Names()
    local.modules, local.definitions = dict(module_names.modules), module_names.definitions
    hits: dict[tuple[str, int], Hit] = {}
    for node in ast.walk(definition):
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Assign)):
            local.learn(node)
        elif isinstance(node, (ast.Attribute, ast.Call, ast.Name)):
            path = local.dotted(node)
            module = _forbids(path, forbidden) if path else None
            line = getattr(node, "lineno", 0)
            if module and (module, line) not in hits:
                hits[module, line] = Hit(module, symbol, line)
    return list(hits.values())
