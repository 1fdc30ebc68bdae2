"""Today's first-run face: with no case at all, say what ClaimDesk does and how to begin."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.env import GuiEnv
from claimdesk.services import ChangeSet

# Adding, importing or removing cases (samples too) announces itself as a 'claim' change.
WATCHED = frozenset({"claim"})


class WelcomeView(QWidget):
    """A heading, one sentence, and the two ways to begin; the window connects the signals to
    the same actions as the File menu's."""

    start_case = Signal()
    start_from_letter = Signal()
    load_samples = Signal()
    import_case = Signal()

    def _link(self, link: str) -> None:
        if link == "guide":
            from claimdesk.gui.guide import show_guide

            show_guide("first-steps", self)
        else:
            self.import_case.emit()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Welcome")
        heading = QLabel("Welcome to ClaimDesk")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        heading.setFont(font)
        about = QLabel(
            "ClaimDesk keeps the whole record of an insurance denial — calls, letters, "
            "documents and deadlines — and helps you write and send the appeal in time."
        )
        about.setWordWrap(True)
        self.start = QPushButton("Start your first case…")
        self.start.setDefault(True)
        self.start.setAccessibleName("Start your first case")
        # Most cases start with a letter in hand: read it instead of typing it.
        self.from_letter = QPushButton("Start from the denial letter…")
        self.from_letter.setAccessibleName("Start a case from the denial letter")
        self.from_letter.setToolTip(
            "Read the letter (PDF, scan or photo) on this computer and fill in the new case"
        )
        self.from_letter.clicked.connect(self.start_from_letter)
        self.samples = QPushButton("Explore with sample cases")
        self.samples.setAccessibleName("Explore with sample cases")
        self.start.clicked.connect(self.start_case)
        self.samples.clicked.connect(self.load_samples)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start)
        buttons.addWidget(self.from_letter)
        buttons.addWidget(self.samples)
        buttons.addStretch(1)
        # A link, not a third button: importing is for the few who have a case file already.
        self.import_line = QLabel(
            "Have a case file from another ClaimDesk? "
            "<a href='import'>Import case file…</a> (File ▸ Import case file, Ctrl+I)<br>"
            "New to appeals? <a href='guide'>Read the first steps</a> in the user guide (F1)."
        )
        self.import_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.import_line.linkActivated.connect(self._link)
        self.import_line.setWordWrap(True)

        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(heading)
        column.addSpacing(8)
        column.addWidget(about)
        column.addSpacing(16)
        column.addLayout(buttons)
        column.addSpacing(12)
        column.addWidget(self.import_line)
        column.addStretch(2)
        # A readable measure in a wide window: the text keeps to a column in the middle.
        holder = QWidget()
        holder.setMaximumWidth(640)
        holder.setLayout(column)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(holder, 4)
        outer.addStretch(1)


class WelcomeStack(QStackedWidget):
    """Shows ``agenda`` once there is a case, the welcome while there is none."""

    def __init__(self, env: GuiEnv, agenda: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.agenda = agenda
        self.welcome = WelcomeView()
        self.addWidget(agenda)  # first: what shows until the count says otherwise
        self.addWidget(self.welcome)
        self._busy = False
        self._again = False
        # Loading the samples commits six cases in a row: count once they have settled.
        self._timer = QTimer(self, singleShot=True, interval=200)
        self._timer.timeout.connect(self.check)
        env.bus.changed.connect(self._on_change)

    @property
    def welcoming(self) -> bool:
        return self.currentWidget() is self.welcome

    def check(self) -> None:
        """Count the cases off the GUI thread, then show the welcome or the agenda."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        self.env.tasks.run(
            lambda: self.env.services.samples.tally().cases,
            on_done=self._show,
            on_error=self._failed,
        )

    def _show(self, cases: int) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self.check()
            return
        self.setCurrentWidget(self.welcome if cases == 0 else self.agenda)

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        if not isinstance(error, ClaimDeskError):
            raise error
        self.setCurrentWidget(self.agenda)  # the agenda reports the same problem itself

    def _on_change(self, changes: ChangeSet) -> None:
        if changes.touches(*WATCHED):
            self._timer.start()
