"""The layout rules a newcomer relies on, checked with the standard library's ast.

Small modules, short functions, imports that never go round in a circle, and an engine that
stays free of Django: each is easy to break without noticing, and costly to repair later.
"""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ROOT / "guides"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# A module over MAX_MODULE_LINES says why in its docstring, in a sentence with these words.
LONG_MODULE_PHRASE = "long because"

# Long functions and modules in folders whose split is under way in other branches. Each entry names
# one function or module exactly; empty this list as they are split, never add to it.
ALLOWED_LONG: set[str] = set()  # a function or module named here may stay long; keep it empty


def modules() -> dict[str, Path]:
    """Every Python module of the guides app by dotted name, migrations left out (Django writes them)."""
    found = {}
    for path in sorted(GUIDES.rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        found[".".join(parts)] = path
    assert len(found) > 30, "the guides app was not found"
    return found


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def functions(node: ast.AST, prefix: str = ""):
    """(qualified name, node) of every function and method, nested ones included."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield f"{prefix}{child.name}", child
            yield from functions(child, f"{prefix}{child.name}.")
        elif isinstance(child, ast.ClassDef):
            yield from functions(child, f"{prefix}{child.name}.")
        else:
            yield from functions(child, prefix)


def imported(module: str, path: Path) -> set[str]:
    """The modules that ``module`` imports, anywhere in it (a function-level import can close a circle too)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}  # `from guides import engine`
    return names


def test_no_module_is_long_without_saying_why():
    long = []
    for path in modules().values():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES and name(path) not in ALLOWED_LONG:
            docstring = ast.get_docstring(tree(path)) or ""
            if LONG_MODULE_PHRASE not in docstring:
                long.append(f"{name(path)} ({lines} lines)")
    assert long == [], f"over {MAX_MODULE_LINES} lines with no '{LONG_MODULE_PHRASE}' sentence in the docstring"


def test_no_function_is_over_sixty_lines():
    long = []
    seen = 0
    for path in modules().values():
        for qualified, node in functions(tree(path)):
            seen += 1
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES and f"{name(path)}:{qualified}" not in ALLOWED_LONG:
                long.append(f"{name(path)}:{qualified} ({lines} lines)")
    assert seen > 200
    assert long == []


def test_every_allowed_long_entry_still_names_something_long():
    """An entry left behind after a split would let the next long function through unnoticed."""
    found = {name(path): path for path in modules().values()}
    stale = []
    for entry in ALLOWED_LONG:
        file, _, function = entry.partition(":")
        assert file in found, f"{entry}: no such module"
        if not function:
            if len(found[file].read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES:
                stale.append(entry)
            continue
        nodes = dict(functions(tree(found[file])))
        assert function in nodes, f"{entry}: no such function"
        if nodes[function].end_lineno - nodes[function].lineno + 1 <= MAX_FUNCTION_LINES:
            stale.append(entry)
    assert stale == []


def test_no_import_cycles_among_guides_modules():
    found = modules()
    graph = {module: sorted(imported(module, path) & found.keys() - {module}) for module, path in found.items()}
    assert any(graph.values()), "no imports between guides modules were found"
    cycles = []
    state: dict[str, str] = {}  # "open" while on the current path, "done" once all it reaches is explored

    def explore(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in graph[module]:
            if state.get(target) == "open":
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                explore(target, [*trail, target])
        state[module] = "done"

    for module in graph:
        if module not in state:
            explore(module, [module])
    assert cycles == []


@pytest.mark.parametrize("path", sorted((GUIDES / "engine").glob("*.py")), ids=lambda path: path.name)
def test_engine_imports_only_the_standard_library_and_itself(path):
    outside = {
        module
        for module in imported(f"guides.engine.{path.stem}", path)
        if module.split(".")[0] not in sys.stdlib_module_names
        and module != "guides.engine"
        and not module.startswith("guides.engine.")
    }
    assert outside == set()


def test_the_engine_has_modules_to_check():
    assert len(list((GUIDES / "engine").glob("*.py"))) >= 5
