"""The domain names fields in its own words (snake_case); the API's words are the schema's.

The error class refuses a camelCase field, and a scan of ``service/domain`` finds every
field name written there (``field=`` keywords, ``field`` defaults, the first argument
of ``UserError`` and ``not_found``), so that a camelCase name on a path no test runs is
caught as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from service.domain import validation as v
from service.domain.validation import FIELD_NAME, UserError

DOMAIN = Path(__file__).resolve().parents[2] / "service" / "domain"


def test_the_error_class_refuses_a_camelcase_field() -> None:
    with pytest.raises(ValueError, match="snake_case"):
        UserError("districtCode", "there is no district 99.99", "NOT_FOUND")
    assert UserError("district_code", "there is no district 99.99", "NOT_FOUND").field


def test_a_message_that_names_its_field_begins_with_it() -> None:
    with pytest.raises(ValueError, match="begin with its field"):
        UserError("notes", "the notes must be text", "INVALID_TYPE", subject=True)
    (error,) = v.free_text(7, field="model_version", max_length=40)
    assert error.subject and error.message == "model_version must be text"
    assert error.worded("modelVersion") == "modelVersion must be text"


def test_a_message_that_does_not_name_its_field_is_shown_as_it_is() -> None:
    # "areas" is a word of the message here, not the field's name: nothing is replaced.
    (error,) = v.intervention_areas(7)
    assert not error.subject and error.worded("interventionAreas") == "areas must be a list"


def _named(node: ast.AST) -> list[ast.AST | None]:
    """The expressions in ``node`` that name a field."""
    if isinstance(node, ast.Call):
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        first = node.args[:1] if name in {"UserError", "not_found"} else []
        return [*first, *(kw.value for kw in node.keywords if kw.arg == "field")]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        args = node.args
        pairs = zip(args.kwonlyargs, args.kw_defaults, strict=True)
        return [default for arg, default in pairs if arg.arg == "field"]
    return []


def _field_names(tree: ast.AST) -> list[tuple[int, str]]:
    return [
        (expr.lineno, expr.value)
        for node in ast.walk(tree)
        for expr in _named(node)
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str)
    ]


def test_no_domain_module_names_a_field_in_camelcase() -> None:
    checked, bad = 0, []
    for path in sorted(DOMAIN.rglob("*.py")):
        for line, name in _field_names(ast.parse(path.read_text(encoding="utf-8"))):
            checked += 1
            if not FIELD_NAME.match(name):
                bad.append(f"{path.relative_to(DOMAIN)}:{line}: {name!r}")
    assert checked > 30  # the scan sees the validators and the writes
    assert bad == []


def test_audit_entries_are_named_by_the_domain_action_not_spelled_out() -> None:
    spelled = [
        f"{path.relative_to(DOMAIN)}:{kw.value.lineno}"
        for path in sorted(DOMAIN.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg == "action" and isinstance(kw.value, ast.Constant)
    ]
    assert spelled == []  # Action.X.audit_name, the one stored spelling
