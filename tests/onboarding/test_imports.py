"""The import graph of onboarding/, portal/ and dashboard/ (module-level imports, read with ast) has no cycle,
and the layers keep to their side: services schedule tasks, tasks call services only from inside."""

import ast
from pathlib import Path

from django.conf import settings

PACKAGES = ("onboarding", "portal", "dashboard")


def _module_name(path, root):
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph():
    """{module: the project modules it imports at module level}. Importing a.b.c runs a.b's __init__ too."""
    root = Path(settings.BASE_DIR)
    paths = {
        _module_name(path, root): path
        for package in PACKAGES
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts
    }
    graph = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        filter(
                            None, [package.rsplit(".", node.level - 1)[0] if node.level > 1 else package, node.module]
                        )
                    )
                imported = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
            for target in imported:
                while target and target not in paths:
                    target = target.rpartition(".")[0]
                while target and target != name and not name.startswith(target + "."):
                    targets.add(target)
                    target = target.rpartition(".")[0]
        graph[name] = targets
    return graph


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, found = {}, {}, [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle():
    assert cycles(import_graph()) == []


def test_a_cycle_is_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_layers_import_downwards_only():
    graph = import_graph()
    assert not any(t.startswith("onboarding.services") for t in graph["onboarding.tasks"])
    assert graph["onboarding.selectors"] <= {
        "onboarding",
        "onboarding.models",
        "onboarding.tenancy",
        "onboarding.errors",
    }
    dashboard = {t for name, targets in graph.items() if name.startswith("dashboard") for t in targets}
    assert not any(t.startswith("onboarding.api") for t in dashboard)
