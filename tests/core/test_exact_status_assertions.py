"""No test assertion accepts both a success and a refusal.

``assert answer.status_code in (302, 403)`` passes on FAB's redirect after a successful save
as well as on a refusal, so it cannot tell whether a refused write was refused.  Every
``assert`` in the test modules is read here; one fails the test when it compares a status
with a literal set of statuses holding a success (2xx/3xx) and a client error (4xx), or
with bounds that let both through (``status_code < 500``, ``status_code != 500``).
A refusal is asserted as the status the server gives (403 for a signed-in user without the
grant, 302 to the login page only when nobody is signed in) and with the data unchanged.
"""

from __future__ import annotations

import ast
import operator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
STATUSES = range(100, 600)
SUCCESS = range(200, 400)
REFUSAL = range(400, 500)
BOUNDS = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
          ast.Eq: operator.eq, ast.NotEq: operator.ne}


def _literal_statuses(node, names: dict) -> set[int] | None:
    """The statuses of a tuple/list/set literal (or a module constant naming one), else None."""
    if isinstance(node, ast.Name) and node.id in names:
        node = names[node.id]
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)) or not node.elts:
        return None
    values = [e.value for e in node.elts if isinstance(e, ast.Constant) and type(e.value) is int]
    if len(values) != len(node.elts) or not all(v in STATUSES for v in values):
        return None
    return set(values)


def _either_way(statuses) -> bool:
    return any(s in SUCCESS for s in statuses) and any(s in REFUSAL for s in statuses)


def _int(node) -> int | None:
    return node.value if isinstance(node, ast.Constant) and type(node.value) is int else None


def _bounded_statuses(compare: ast.Compare) -> set[int] | None:
    """What a comparison of a status expression with numbers lets through, else None."""
    operands = [compare.left, *compare.comparators]
    subjects = {ast.unparse(o) for o in operands if _int(o) is None}
    if len(subjects) != 1 or "status" not in next(iter(subjects)):
        return None
    passed, bounded = set(STATUSES), False
    for left, op, right in zip(operands[:-1], compare.ops, operands[1:], strict=True):
        test = BOUNDS.get(type(op))
        if test is None:
            return None
        if _int(right) is not None:
            passed = {s for s in passed if test(s, _int(right))}
        else:
            passed = {s for s in passed if test(_int(left), s)}
        bounded = True
    return passed if bounded else None


def _allowed_statuses(node, names: dict) -> set[int] | None:
    """The statuses an expression inside an assertion lets through, when it limits statuses."""
    allowed = None
    if isinstance(node, ast.Compare):
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.LtE, ast.Lt)):
            allowed = _literal_statuses(node.comparators[0], names)  # in (...), <= {...}
        if allowed is None:
            allowed = _bounded_statuses(node)
    elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "issubset" and node.args:
        allowed = _literal_statuses(node.args[0], names)
    return allowed


def either_way_assertions(source: str) -> list[tuple[int, str]]:
    """``(line, code)`` of each assertion in ``source`` that a success and a refusal both pass."""
    tree = ast.parse(source)
    names = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
    }
    found = []
    for statement in ast.walk(tree):
        if not isinstance(statement, ast.Assert):
            continue
        for node in ast.walk(statement.test):
            allowed = _allowed_statuses(node, names)
            if allowed is not None and _either_way(allowed):
                found.append((node.lineno, ast.unparse(node)))
    return found


@pytest.mark.parametrize(
    "source",
    [
        "assert answer.status_code in (302, 403)",
        "assert response.status_code in [200, 404]",
        "assert {a.status_code for a in answers} <= {201, 409}",
        "assert set(codes).issubset({201, 422})",
        "DENIED = (302, 403)\ndef test():\n    assert page.status_code in DENIED",
        "assert response.status_code < 500",
        "assert response.status_code != 500",
        "assert 200 <= response.status_code < 500",
        "assert ok and r.status_code >= 200",
    ],
)
def test_an_either_way_assertion_is_found(source):
    assert either_way_assertions(source), source


@pytest.mark.parametrize(
    "source",
    [
        "assert answer.status_code == 403",
        "assert answer.status_code in (401, 403)",
        "assert answer.status_code in (200, 201)",
        "assert 400 <= response.status_code < 500",
        "assert {s for s, _ in refused} <= {409}",
        "assert job.status in ('done', 'failed')",
        "assert len(statuses) == 50",
    ],
)
def test_an_exact_assertion_passes(source):
    assert either_way_assertions(source) == [], source


def test_no_test_accepts_both_a_success_and_a_refusal():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        for line, code in either_way_assertions(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(TESTS.parent)}:{line}: {code}")
    advice = "assert the one status the server gives (and that nothing changed):"
    assert not found, "\n".join([advice, *found])
