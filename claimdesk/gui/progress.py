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

    # QProgressDialog.setValue() runs the event loop itself while the dialog is modal, so the
    # work's end can be delivered *inside* setValue: closing and deleting the dialog there
    # deleted it under its own method (a segfault under load). The end waits for setValue.
    state: dict[str, Any] = {"updating": False, "ended": False, "pending": None}

    def progressed(done: int, total: int, text: str) -> None:
        if control.cancelled() or state["ended"] or state["updating"]:
            return  # (a step delivered inside setValue: the next one will show)
        if text:
            dialog.setLabelText(text)
        state["updating"] = True
        try:
            dialog.setMaximum(max(total, 0))
            dialog.setValue(min(done, total) if total else 0)
        finally:
            state["updating"] = False
        pending, state["pending"] = state["pending"], None
        if pending is not None:
            pending()

    def cancel() -> None:
        if state["ended"]:
            return
        control.cancel()
        dialog.setLabelText("Cancelling… (removing anything half-written)")
        dialog.setCancelButtonText("Cancelling…")
        dialog.show()

    def end(tell: Callable[[], None]) -> None:
        if state["updating"]:
            state["pending"] = lambda: end(tell)
            return
        if state["ended"]:
            return
        state["ended"] = True
        dialog.close()
        dialog.deleteLater()
        tell()

    def finished(result: Any) -> None:
        end(lambda: on_done(result))

    def failed(error: BaseException) -> None:
        end(lambda: on_error(error))

    control = env.tasks.run_controlled(work, finished, failed, progressed)
    dialog.canceled.connect(cancel)
    return dialog
