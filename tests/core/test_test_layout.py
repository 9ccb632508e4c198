"""The test suite's own layout: shared helpers come from the tests.support package."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_test_module_edits_sys_path():
    offenders = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if re.search(r"sys\.path\.(insert|append)", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_helpers_are_imported_from_the_support_package():
    loose = re.compile(r"^\s*(from|import) (conftest|\w+_helpers|\w+_support|mt_fixtures)\b", re.M)
    offenders = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if loose.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
