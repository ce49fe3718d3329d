"""The package's architecture, checked: imports go one way through the layers, the engine stays small.

Layers, lowest first: dtypes/device/printing <- tensor <- autograd <- ops (and the Tensor method modules,
creation, random) <- nn / optim / utils / serialization <- viz <- demo / command line / the package root.
A module may import from its own layer or a lower one, never from a higher one, with one exception: the
block at the end of tensor.py that attaches Tensor's methods (Tensor's methods -> ops). Inside a layer the
imports form no cycle. Imports are read from the source (module level and inside functions alike), and
importing ``a.b.c`` counts as importing the packages ``a`` and ``a.b`` too, because Python runs them.
"""

from __future__ import annotations

import ast
import io
import pathlib
import tempfile
import tokenize

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "tinygrad_bp"

LAYERS = [  # module-name prefixes (relative to tinygrad_bp), lowest layer first
    ("dtypes", "device", "printing", "size"),
    ("tensor",),
    ("autograd",),
    ("ops", "tensor_math", "tensor_shape", "tensor_inplace", "tensor_methods", "creation", "random", "functions",
     "functional", "legacy"),
    ("nn", "optim", "utils", "serialization", "safetensors_format"),
    ("viz",),
    ("demo", "__main__", ""),
]
BACK_EDGE_SOURCE = "tinygrad_bp.tensor"  # its final import block may reach up: Tensor's methods -> ops

# The engine: tensor.py and the autograd modules that record the graph and run backward (gradcheck included).
# Not counted: the tools built on its public API (tb.autograd.grad) that issue 12 added later, jacobian & co.
# (functional.py) and the profiler (profiler.py); the closing notes state both totals.
AUTOGRAD_TOOLS = ("functional.py", "profiler.py")
ENGINE_BUDGET = 1100  # code lines (no blank lines, comments or docstrings)
LONGEST_FUNCTION = 50  # lines, in the engine


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    base = name.split(".") if is_package else name.split(".")[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(name: str, path: pathlib.Path, modules: dict) -> list:
    """[(imported module, line)] for every tinygrad_bp module ``name`` imports, with the packages on the way."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, name, path.name == "__init__.py") if node.level else (node.module or "")
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        for target in targets:
            if not target.startswith("tinygrad_bp"):
                continue
            parts = target.split(".")
            for k in range(1, len(parts) + 1):
                prefix = ".".join(parts[:k])
                if prefix in modules and prefix != name and not name.startswith(prefix + "."):
                    found.append((prefix, node.lineno))
    return found


def _layer(name: str) -> int:
    rel = name.removeprefix("tinygrad_bp").removeprefix(".")
    for i, prefixes in enumerate(LAYERS):
        if any(rel == p or (p and rel.startswith(p + ".")) for p in prefixes):
            return i
    raise AssertionError(f"{name} is in no layer: add it to LAYERS in {__file__}")


def _back_edge_start() -> int:
    """The line where tensor.py's final import block (the allowed back-edge) begins."""
    tree = ast.parse((PACKAGE / "tensor.py").read_text())
    last_other = max(n.end_lineno for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom)))
    return last_other + 1


def _graph() -> dict:
    modules = _modules()
    start = _back_edge_start()
    graph = {}
    for name, path in modules.items():
        edges = _imports(name, path, modules)
        if name == BACK_EDGE_SOURCE:
            edges = [(t, line) for t, line in edges if line < start]
        graph[name] = edges
    return graph


def test_imports_never_reach_a_higher_layer():
    wrong = [f"{src} (layer {_layer(src)}) imports {dst} (layer {_layer(dst)}) at line {line}"
             for src, edges in _graph().items() for dst, line in edges if _layer(dst) > _layer(src)]
    assert not wrong, "imports against the layering (move the code down, or the import into a higher layer):\n" + \
        "\n".join(sorted(wrong))


def test_tensor_reaches_up_only_in_its_final_block():
    modules = _modules()
    start = _back_edge_start()
    late = [(t, line) for t, line in _imports(BACK_EDGE_SOURCE, modules[BACK_EDGE_SOURCE], modules) if line >= start]
    assert late, "tensor.py should attach its methods in one import block at its end"
    assert all(_layer(t) >= _layer(BACK_EDGE_SOURCE) for t, _ in late)


def _cycle(graph: dict) -> list | None:
    """One import cycle (a list of modules), or None; iterative depth-first search."""
    color: dict = {}
    for root in graph:
        if root in color:
            continue
        stack = [(root, iter(graph[root]))]
        color[root] = 1
        path = [root]
        while stack:
            node, edges = stack[-1]
            nxt = next(edges, None)
            if nxt is None:
                color[node] = 2
                stack.pop()
                path.pop()
                continue
            target = nxt[0]
            if color.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in color:
                color[target] = 1
                path.append(target)
                stack.append((target, iter(graph[target])))
    return None


def test_no_import_cycle_besides_the_back_edge():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": [("b", 1)], "b": [("c", 2)], "c": [("a", 3)]}) == ["a", "b", "c", "a"]
    assert _cycle({"a": [("b", 1)], "b": []}) is None


def _code_lines(path: pathlib.Path) -> int:
    source = path.read_text()
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body and \
                isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and \
                isinstance(body[0].value.value, str):
            docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines = set()
    skip = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in skip:
            lines.update(n for n in range(tok.start[0], tok.end[0] + 1) if n not in docstrings)
    return len(lines)


def _engine_paths() -> list:
    autograd = sorted(p for p in (PACKAGE / "autograd").glob("*.py") if p.name not in AUTOGRAD_TOOLS)
    return [PACKAGE / "tensor.py", *autograd]


def test_engine_fits_its_line_budget():
    counts = {p.name: _code_lines(p) for p in _engine_paths()}
    total = sum(counts.values())
    assert total <= ENGINE_BUDGET, f"engine has {total} code lines > {ENGINE_BUDGET}: {counts}"


def test_code_line_count_ignores_docstrings_comments_and_blank_lines():
    sample = '"""Doc."""\n\n# a comment\ndef f(x):\n    """Doc\n    more."""\n    return (x +\n            1)  # note\n'
    path = pathlib.Path(tempfile.mkdtemp()) / "sample.py"
    path.write_text(sample)
    assert _code_lines(path) == 3


@pytest.mark.parametrize("path", _engine_paths(), ids=lambda p: p.name)
def test_no_engine_function_is_longer_than_fifty_lines(path):
    tree = ast.parse(path.read_text())
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    long = [f"{n.name} ({n.end_lineno - n.lineno + 1} lines, line {n.lineno})" for n in functions
            if n.end_lineno - n.lineno + 1 > LONGEST_FUNCTION]
    assert not long, f"{path.name}: split these: {long}"
