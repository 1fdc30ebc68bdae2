"""Loading Qt Designer forms from ui/ at run time (no generated code to keep in step).

A form is loaded either as a new widget (``load_form("main_window.ui")``) or into a widget
that already exists (``load_form("settings_dialog.ui", base=self)``), the way PyQt's
``uic.loadUi`` does: the form's top-level properties and layout go onto ``base``, so a
dialog class keeps its Python overrides (``accept``, ``showEvent``...) and its form stays
editable in Qt Designer. Widgets the code needs are then looked up by object name with
``child``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QFile, QIODevice, QObject
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QWidget

from claimdesk.paths import ui_dir

T = TypeVar("T", bound=QObject)

WidgetFactory = Callable[[QWidget | None], QWidget]


class _Loader(QUiLoader):
    """QUiLoader that builds the top level into ``base`` and makes ClaimDesk's own classes."""

    def __init__(self, base: QWidget | None, classes: Mapping[str, WidgetFactory]) -> None:
        # Made with no folder to look for Qt Designer plugins in: QUiLoader loads every one it
        # finds (QQuickWidget's, QWebEngineView's, PySide6's), 8-10 ms of the first window and
        # the QtQuick libraries in memory, for widgets no form of ours uses. ClaimDesk's own
        # classes come from ``classes``; Qt's standard widgets are built into the loader.
        folders = QCoreApplication.libraryPaths()
        QCoreApplication.setLibraryPaths([])
        try:
            super().__init__()
        finally:
            QCoreApplication.setLibraryPaths(folders)
        self._base = base
        self._classes = dict(classes)

    def createWidget(
        self, class_name: str, parent: QWidget | None = None, name: str = ""
    ) -> QWidget:
        if parent is None and self._base is not None:
            base, self._base = self._base, None  # only the top level is the existing widget
            base.setObjectName(name)
            return base
        factory = self._classes.get(class_name)
        if factory is None:
            return super().createWidget(class_name, parent, name)
        widget = factory(parent)
        widget.setObjectName(name)
        return widget


def load_form(
    name: str,
    parent: QWidget | None = None,
    *,
    base: QWidget | None = None,
    classes: Mapping[str, WidgetFactory] | None = None,
) -> QWidget:
    """The form ``ui/name``, new or built into ``base``.

    ``classes`` maps a class name used in the form (a custom widget declared in its
    <customwidgets>, or a Qt class such as QWizardPage) to the Python class to create instead.
    """
    if base is not None and parent is not None:
        raise ValueError("give a parent for a new form, or a base to load into, not both")
    path = ui_dir() / name
    handle = QFile(str(path))
    if not handle.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FileNotFoundError(f"the form {path} is missing from this installation")
    try:
        widget = _Loader(base, classes or {}).load(handle, parent)
    finally:
        handle.close()
    if widget is None:
        raise RuntimeError(f"the form {path} could not be loaded")
    return widget


def child(form: QObject, kind: type[T], name: str) -> T:
    """The form's ``kind`` called ``name``: a clear error when the .ui and the code disagree."""
    found = form.findChild(kind, name)
    if found is None:
        owner = form.objectName() or type(form).__name__
        raise LookupError(f"the form {owner} has no {kind.__name__} named {name!r}")
    return found


def fit_height(window: QWidget) -> None:
    """Size a window with wrapped labels to the height its layout needs at its width.

    Qt sizes a window from its layout's hint, whose height is worked out for the hinted width;
    when a minimum width then makes the window wider, the labels wrap less but the height stays,
    leaving a gap.
    """
    layout = window.layout()
    if layout is None or not layout.hasHeightForWidth():
        return
    width = max(window.sizeHint().width(), window.minimumWidth())
    window.resize(width, max(layout.heightForWidth(width), window.minimumHeight()))
