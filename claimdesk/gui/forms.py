"""Loading Qt Designer forms from ui/ at run time (no generated code to keep in step)."""

from __future__ import annotations

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QWidget

from claimdesk.paths import ui_dir


def load_form(name: str, parent: QWidget | None = None) -> QWidget:
    path = ui_dir() / name
    handle = QFile(str(path))
    if not handle.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FileNotFoundError(f"the form {path} is missing from this installation")
    try:
        widget = QUiLoader().load(handle, parent)
    finally:
        handle.close()
    if widget is None:
        raise RuntimeError(f"the form {path} could not be loaded")
    return widget
