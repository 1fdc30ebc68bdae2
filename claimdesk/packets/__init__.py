"""Appeal packets: the letter, an exhibit index and the exhibits as one stamped PDF.

Pure document assembly: no database and no Qt. The services build a PacketSource; the GUI and
the CLI call export_packet and show what it returns or raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimdesk.packets.model import (
    ChronologyEntry,
    Exhibit,
    ExhibitProblem,
    ExhibitRange,
    ListedExhibit,
    PacketOptions,
    PacketResult,
    PacketSource,
    exhibit_letter,
    exhibit_list,
    stamp_text,
)

if TYPE_CHECKING:
    from claimdesk.packets.export import export_packet
    from claimdesk.packets.preflight import check_exhibits

__all__ = [
    "ChronologyEntry",
    "Exhibit",
    "ExhibitProblem",
    "ExhibitRange",
    "ListedExhibit",
    "PacketOptions",
    "PacketResult",
    "PacketSource",
    "check_exhibits",
    "exhibit_letter",
    "exhibit_list",
    "export_packet",
    "stamp_text",
]


def __getattr__(name: str) -> object:
    # fpdf2, pypdf and Pillow take over half a second to import; the services import this
    # package when the window opens, and only an export needs them.
    if name == "export_packet":
        from claimdesk.packets.export import export_packet

        return export_packet
    if name == "check_exhibits":
        from claimdesk.packets.preflight import check_exhibits

        return check_exhibits
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
