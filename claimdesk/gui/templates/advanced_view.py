"""Advanced (template code): the template's Jinja text, with fields inserted by their path."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QVBoxLayout, QWidget

from claimdesk.gui.templates.source_edit import SourceEdit


def field_snippet(path: str) -> str:
    """What "Insert field" types for a field path: a value, or a loop over a list's items."""
    pieces = path.split("[]")
    opening = closing = ""
    source = pieces[0]
    for depth, rest in enumerate(pieces[1:], start=1):
        item = "item" if depth == 1 else f"item{depth}"
        opening += f"{{% for {item} in {source} %}}"
        closing = "{% endfor %}" + closing
        source = item + rest
    return f"{opening}{{{{ {source} }}}}{closing}"


class AdvancedView(QWidget):
    """The template code editor and its field menu; ``paths`` lists the case's field paths."""

    def __init__(self, paths: Callable[[], list[str] | None], parent: QWidget | None = None):
        super().__init__(parent)
        self._paths = paths
        note = QLabel(
            "The template code (Jinja). Fields are written {{ claimant.name }}; see the guide "
            "to letter templates for conditions and lists."
        )
        note.setWordWrap(True)
        self.insert_button = QPushButton("Insert field")
        self.insert_button.setAccessibleName("Insert a field from the case")
        self.insert_button.setToolTip(
            "Put a field of the case (the claimant's name, the denial date…) where the cursor is"
        )
        self.field_menu = QMenu(self)
        self.field_menu.aboutToShow.connect(self.fill_field_menu)
        # One connection for every field (submenus' choices reach their parent menu too).
        self.field_menu.triggered.connect(lambda action: self._field_chosen(action.data()))
        self.insert_button.setMenu(self.field_menu)
        self.source = SourceEdit()
        self.source.setAccessibleName("Template text")
        top = QHBoxLayout()
        top.addWidget(note, 1)
        top.addWidget(self.insert_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.source, 1)

    def insert_field(self, path: str) -> None:
        """Type a case field (or a loop over a list of them) where the cursor is."""
        self.source.insertPlainText(field_snippet(path))
        self.source.setFocus()

    def fill_field_menu(self) -> None:
        for submenu in self.field_menu.findChildren(QMenu):
            submenu.deleteLater()
        self.field_menu.clear()
        paths = self._paths()
        if paths is None:
            self.field_menu.addAction("Add a case to list its fields").setEnabled(False)
            return
        # A list of records is offered through its items' fields, not as a whole.
        paths = [
            p for p in paths if not (p.endswith("[]") and any(q.startswith(p + ".") for q in paths))
        ]
        groups: dict[str, list[str]] = {}
        for path in paths:
            groups.setdefault(path.split(".")[0].split("[")[0], []).append(path)
        for group, members in groups.items():
            if len(members) == 1 and members[0] == group:
                self._field_action(self.field_menu, group, group)
                continue
            submenu = self.field_menu.addMenu(group)
            for path in members:
                self._field_action(submenu, path[len(group) :].lstrip(".") or path, path)

    def _field_action(self, menu: QMenu, text: str, path: str) -> None:
        action = menu.addAction(text)
        action.setData(path)
        action.setToolTip(field_snippet(path))

    def _field_chosen(self, path: object) -> None:
        if isinstance(path, str) and path:
            self.insert_field(path)
