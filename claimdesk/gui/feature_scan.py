"""PySide6's import hook, told at once that no ClaimDesk module switches on a ``__feature__``.

Once PySide6 is imported, its hook reads the source of every module imported after it, looking
for the word "PySide6" (a module that mentions it may switch on a feature such as
snake_case; PYSIDE-2029): 15-20% of the time of everything imported after PySide6, the
sign-in window's and the main window's modules among them. No ClaimDesk module uses a feature
(tests/test_gui_startup.py checks), so every module is marked "ignore" at once, as PySide6
marks one whose source lacks the word; a marked module behaves as PySide6's default does.

Importing this module applies it when PySide6 is loaded already: gui/app.py imports it
straight after PySide6 and before its own Qt modules. A PySide6 without the hook keeps its own
behaviour.
"""

from __future__ import annotations

import sys


def mark_every_module_featureless() -> None:
    feature = sys.modules.get("PySide6.support.feature")
    scan = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or scan is None or getattr(scan, "narrowed", False):
        return

    def uses_pyside(module: object) -> bool:
        return False

    uses_pyside.narrowed = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]


mark_every_module_featureless()
