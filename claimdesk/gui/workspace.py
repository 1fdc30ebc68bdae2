"""One open case: a header and a tab per part of the case, each panel owning its model."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from claimdesk.errors import ClaimDeskError
from claimdesk.gui import theme
from claimdesk.gui.case_source import CaseSource
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.guide import help_button
from claimdesk.gui.panels.base import CasePanel
from claimdesk.services import ChangeSet
from claimdesk.services.dto import ClaimDetail


def panel_classes() -> list[type[CasePanel]]:
    """The workspace's tabs, in order (imported here so each panel module stays independent)."""
    from claimdesk.gui.panels import registry

    return registry.PANELS


class CaseWorkspace(QWidget):
    """A case opens in steps: the heading and the panel in front are read first (off the GUI
    thread), every other panel only when it is first shown. A change refreshes the panel in
    front; a hidden panel it concerns is marked stale and read again when shown. The panels
    share one ``CaseSource``, so a list two tabs show is read once per change."""

    # The heading was read: the window names the case's tab from it.
    titled = Signal()

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.claim_id = claim_id
        self.source = CaseSource(env.services, claim_id)
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setAccessibleName("Case heading")
        self.heading.setMinimumHeight(self.heading.fontMetrics().height() * 2)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # Each tab holds a blank page until it is first shown (or asked for): building all
        # nine panels was most of the time a case took to open.
        self.panels = Panels(self, panel_classes())
        for cls in panel_classes():
            self.tabs.addTab(QWidget(), cls.title)
        # One "?" beside the tabs: the guide's page of the tab in front.
        self.tabs.setCornerWidget(help_button(self.guide_page, self.tabs))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        env.bus.changed.connect(self._on_change)
        self.detail: ClaimDetail | None = None
        self._gone = False
        self._heading_asked = 0
        # The subtitle's colour is baked into the label's HTML: redo it when the theme flips.
        theme.follow(self.heading, self._show_heading)
        self.refresh_heading()
        self.tabs.currentChanged.connect(lambda _index: self._refresh_shown())
        # From the event loop: whoever opened the case may bring another panel forward first.
        QTimer.singleShot(0, self, self._refresh_shown)

    def refresh_heading(self) -> None:
        self._heading_asked += 1
        asked = self._heading_asked
        records = self.source.records()

        def done(detail: ClaimDetail) -> None:
            if shiboken6.isValid(self) and asked == self._heading_asked:
                self.detail, self._gone = detail, False
                self._show_heading()
                self.titled.emit()

        def failed(error: BaseException) -> None:
            if not shiboken6.isValid(self) or asked != self._heading_asked:
                return
            if not isinstance(error, ClaimDeskError):
                raise error
            self._gone = True
            self._show_heading()

        self.env.tasks.read(records.claim, done, failed)

    def _build(self, cls: type[CasePanel]) -> CasePanel:
        """Put the panel in place of its tab's blank page, keeping the tab in front."""
        panel = cls(self.env, self.claim_id, self)
        panel.source = self.source
        index = self.panels.index(cls.key)
        blank = self.tabs.widget(index)
        front = self.tabs.currentIndex()
        self.tabs.blockSignals(True)  # the same tab stays in front: nothing to announce
        try:
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, panel, cls.title)
            self.tabs.setCurrentIndex(front)
        finally:
            self.tabs.blockSignals(False)
        if blank is not None:
            blank.deleteLater()
        return panel

    def _front(self) -> CasePanel:
        return self.panels[self.panels.key_at(self.tabs.currentIndex())]

    def showEvent(self, event: QShowEvent) -> None:
        self._front()  # built before it is first painted
        super().showEvent(event)

    def _refresh_shown(self) -> None:
        """Read the panel in front if it is out of date."""
        panel = self._front()
        if panel.stale:
            panel.refresh()

    @property
    def reading_now(self) -> bool:
        """Some part of the workspace waits for what it asked to read."""
        front = self.tabs.currentWidget()
        return (
            (self.detail is None and not self._gone)
            or not isinstance(front, CasePanel)
            or front.stale
            or any(p.reading_now for p in self.panels.built())
        )

    def _show_heading(self) -> None:
        if self._gone:
            self.heading.setText("<b>This case no longer exists.</b>")
            return
        claim = self.detail
        if claim is None:
            return
        where = "-".join(p for p in (claim.country, claim.region) if p)
        muted = theme.MUTED.hex(self.heading.palette())
        self.heading.setText(
            f"<span style='font-size:15pt; font-weight:600'>{_esc(claim.claimant_name)}</span>"
            f"&nbsp;&nbsp;<span style='color:{muted}'>{_esc(claim.case_number)} · "
            f"{_esc(claim.insurer_name)} · {_esc(claim.plan_type.label)} · {where} · "
            f"{_esc(claim.stage.label)}</span>"
        )

    @property
    def tab_title(self) -> str:
        if self.detail is None:
            return "Case"
        return f"{self.detail.case_number} {self.detail.claimant_name.split(' ')[0]}"

    def show_panel(self, key: str) -> CasePanel | None:
        panel = self.panels.get(key)
        if panel is not None:
            self.tabs.setCurrentWidget(panel)
        return panel

    def guide_page(self) -> str:
        """The user guide's page of the tab in front (the guide names pages by panel key)."""
        return self.panels.key_at(self.tabs.currentIndex())

    def has_unsaved_edits(self) -> bool:
        return any(p.has_unsaved_edits() for p in self.panels.built())

    def _on_change(self, changes: ChangeSet) -> None:
        self.source.forget(changes)
        if any(c.claim_id == self.claim_id and c.entity == "claim" for c in changes):
            self.refresh_heading()
        front = self.tabs.currentWidget()
        for panel in self.panels.built():  # one not built yet reads when it is
            if panel.concerns(changes):
                if panel is front:
                    panel.refresh()
                else:
                    panel.stale = True


class Panels(Mapping[str, CasePanel]):
    """The workspace's panels by key, in tab order; a panel is built the first time it is
    asked for (shown, or named by code that works on it)."""

    def __init__(self, workspace: CaseWorkspace, classes: list[type[CasePanel]]) -> None:
        self._workspace = workspace
        self._classes = {cls.key: cls for cls in classes}
        self._keys = list(self._classes)
        self._built: dict[str, CasePanel] = {}

    def __getitem__(self, key: str) -> CasePanel:
        panel = self._built.get(key)
        if panel is None:
            panel = self._workspace._build(self._classes[key])  # KeyError: no such panel
            self._built[key] = panel
        return panel

    def __contains__(self, key: object) -> bool:
        return key in self._classes  # without building it

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def index(self, key: str) -> int:
        return self._keys.index(key)

    def key_at(self, index: int) -> str:
        return self._keys[max(index, 0)]

    def built(self) -> list[CasePanel]:
        return list(self._built.values())


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
