"""The arrows point one way: gui -> services -> models/storage, and Qt stays in gui."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "claimdesk"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(*, inside_gui: bool) -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py"))
    gui = PACKAGE / "gui"
    return [f for f in files if (gui in f.parents) == inside_gui]


def test_nothing_outside_gui_imports_pyside6() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in python_files(inside_gui=False)
        for name in imported_modules(path)
        if name.split(".")[0] in {"PySide6", "shiboken6", "PyQt5", "PyQt6"}
    ]
    assert offenders == []
    assert len(python_files(inside_gui=False)) > 20  # the scan really saw the package


# The enums are plain value types (no SQLAlchemy), shared by every layer.
VALUE_TYPES = "claimdesk.models.enums"


def test_gui_never_touches_sessions_or_sql() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in python_files(inside_gui=True)
        for name in imported_modules(path)
        if name.split(".")[0] in {"sqlalchemy", "alembic"}
        or (name.startswith("claimdesk.models") and name != VALUE_TYPES)
        or name.startswith("claimdesk.storage")
    ]
    assert offenders == []


def test_gui_reaches_the_cli_never() -> None:
    """The CLI is a front end beside the window, not a library for it."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in python_files(inside_gui=True)
        for name in imported_modules(path)
        if name == "claimdesk.cli" or name.startswith(("claimdesk.cli_", "claimdesk.cli."))
    ]
    assert offenders == []


def test_the_core_never_imports_the_gui() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in python_files(inside_gui=False)
        for name in imported_modules(path)
        if name.startswith("claimdesk.gui")
    ]
    # The entry point starts the window when no command is given: it is the one exception.
    assert offenders == ["claimdesk/cli.py imports claimdesk.gui.app"] or offenders == []


def test_value_types_need_no_database() -> None:
    enums = PACKAGE / "models" / "enums.py"
    assert not any(n.startswith(("sqlalchemy", "claimdesk")) for n in imported_modules(enums))


def test_the_scan_would_catch_a_qt_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from PySide6.QtCore import QObject\nimport os\n")
    assert "PySide6.QtCore" in imported_modules(sample)


def test_the_scan_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def later():\n    from claimdesk.storage.backup import backup\n")
    assert "claimdesk.storage.backup" in imported_modules(sample)
