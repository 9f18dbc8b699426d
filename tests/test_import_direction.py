"""Imports point one way: core <- models <- services <- webui / pages / cli, and no module imports itself
back through others. Read from the source (ast), including imports inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

from core.settings import PROJECT_ROOT

LAYERS = {"core": 0, "models": 1, "services": 2, "demo": 3, "webui": 3, "cli": 3, "pages": 4}
ALLOWED_BELOW = {  # what each layer may import from the project
    "core": {"core"},
    "models": {"core", "models"},
    "services": {"core", "models", "services"},
    "demo": {"core", "models", "services", "demo"},
    "webui": {"core", "models", "services", "webui"},
    "cli": {"core", "models", "services", "demo", "cli"},
    "pages": {"core", "models", "services", "webui"},
}
PROJECT = set(LAYERS)


def _modules() -> dict[str, Path]:
    out = {}
    for top in LAYERS:
        for path in (PROJECT_ROOT / top).rglob("*.py"):
            rel = path.relative_to(PROJECT_ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name.split(".")[0] in PROJECT:
                # the longest project module the name refers to
                while name and name not in modules:
                    name = name.rpartition(".")[0]
                if name:
                    found.add(name)
    return found


def test_no_module_imports_a_layer_above_it():
    modules = _modules()
    wrong = []
    for name, path in modules.items():
        layer = name.split(".")[0]
        for target in _imports(path, modules):
            if target.split(".")[0] not in ALLOWED_BELOW[layer]:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def test_services_and_models_never_import_streamlit():
    offenders = []
    for top in ("core", "models", "services", "demo"):
        for path in (PROJECT_ROOT / top).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                if any(n.split(".")[0] == "streamlit" for n in names):
                    offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert offenders == []


def test_there_is_no_import_cycle():
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert cycles == []


def test_migrations_import_no_application_code():
    offenders = []
    for path in (PROJECT_ROOT / "migrations" / "versions").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in PROJECT]
    assert offenders == []
