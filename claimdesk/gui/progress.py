"""Long work with a progress bar and a Cancel button, run through the one task runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from claimdesk.gui.env import GuiEnv
from claimdesk.gui.tasks import TaskControl


def run_with_progress(
    parent: QWidget,
    env: GuiEnv,
    title: str,
    work: Callable[[TaskControl], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
) -> QProgressDialog:
    """Run ``work`` off the GUI thread behind a window-modal progress dialog.

    Cancel asks the work to stop (it checks ``control.cancelled()`` between steps); the
    dialog stays up, saying so, until the work has actually stopped and cleaned up.
    """
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(460)
    dialog.setAccessibleName(title)

    def progressed(done: int, total: int, text: str) -> None:
        if control.cancelled():
            return
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        if text:
            dialog.setLabelText(text)

    def cancel() -> None:
        control.cancel()
        dialog.setLabelText("Cancelling… (removing anything half-written)")
        dialog.setCancelButtonText("Cancelling…")
        dialog.show()

    def finished(result: Any) -> None:
        dialog.close()
        dialog.deleteLater()
        on_done(result)

    def failed(error: BaseException) -> None:
        dialog.close()
        dialog.deleteLater()
        on_error(error)

    control = env.tasks.run_controlled(work, finished, failed, progressed)
    dialog.canceled.connect(cancel)
    return dialog
