"""The shared shape of the workspace's record panels: tables of records above their actions.

A record panel reads its rows through the services off the GUI thread (``CasePanel.reads``),
shows them in ``RecordTableModel`` tables,
keeps the selected record selected across a refresh, lays its action buttons out in one row and
runs every dialog through one hook, ``run_dialog``, that tests replace to fill a dialog instead
of showing it. Messages and file choices go through ``env.prompts`` (gui/prompts.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QTableView, QWidget

from claimdesk.gui.dialogs import run_modal
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.panels.base import CasePanel
from claimdesk.gui.table_model import RecordTableModel, reselect, selected_record


class RecordPanel(CasePanel):
    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(env, claim_id, parent)
        # The one test hook: tests fill the dialog and answer for the user.
        self.run_dialog: Callable[[QDialog], bool] = run_modal

    def fill(self, view: QTableView, rows: Sequence[Any]) -> None:
        """Show rows read anew, keeping the selected record selected."""
        model = view.model()
        assert isinstance(model, RecordTableModel)
        current = selected_record(view)
        model.set_rows(list(rows))
        reselect(view, current)

    def act(self, failure: str, work: Callable[[], object]) -> bool:
        """Do ``work`` (a service call); a refusal is shown under ``failure``. True when done."""
        try:
            work()
        except Exception as error:
            self.report(failure, error)
            return False
        return True


def button_row(*buttons: QPushButton) -> QHBoxLayout:
    """The panel's actions, left-aligned in one row."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row
