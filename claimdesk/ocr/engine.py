"""The OCR engine: Tesseract through the ``tesserocr`` wheel, else the system ``tesseract``.

``tesserocr``'s wheels (Linux, Windows) carry Tesseract and Leptonica but no trained data: the
English model ships in ``resources/tessdata`` (tessdata_fast, Apache-2.0, see its NOTICE). An
office adds a language by putting its ``.traineddata`` beside a copy of ``eng.traineddata`` in
``<data folder>/tessdata``; that folder is then used with every language in it. Where no wheel
exists (macOS) the system ``tesseract`` is run through ``pytesseract``. Where neither is present
``find_engine`` raises ``OcrUnavailable`` saying how to add one; nothing else needs OCR.

No Qt, no database. One engine object reads one page at a time (keep one per thread).
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from claimdesk.errors import OcrUnavailable

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger(__name__)

HOW_TO_ADD = (
    "No OCR engine is installed, so scanned pages cannot be read (PDFs with text still can). "
    "Install ClaimDesk with its OCR extra (pip install 'claimdesk[ocr]'), or install Tesseract "
    "(macOS: brew install tesseract; Debian/Ubuntu: apt install tesseract-ocr), then start "
    "ClaimDesk again."
)

# Test hook and the environment's own switch: set to True, no engine is found.
DISABLED = False


@dataclass
class Line:
    """One line of text as read, with its box on the page image (left, top, right, bottom)."""

    text: str
    box: tuple[int, int, int, int]
    confidence: float = 100.0
    block: int = 0  # lines of one block (paragraph, address) share a number


@dataclass
class PageRead:
    lines: list[Line] = field(default_factory=list)
    confidence: float = 0.0  # mean word confidence, 0-100
    timed_out: bool = False


class Engine(Protocol):
    name: str

    def read(self, image: Image, seconds: float) -> PageRead: ...

    def close(self) -> None: ...


def bundled_tessdata() -> Path:
    from claimdesk.paths import resources_dir

    return resources_dir() / "tessdata"


def tessdata_for(data_dir: Path | None) -> tuple[Path, str]:
    """The trained-data folder and the languages ("eng+deu") to read with."""
    if data_dir is not None:
        office = data_dir / "tessdata"
        if (office / "eng.traineddata").is_file():
            others = sorted(p.stem for p in office.glob("*.traineddata") if p.stem != "eng")
            return office, "+".join(["eng", *others])
    return bundled_tessdata(), "eng"


_FOUND: dict[str, Callable[[Path, str], Engine]] = {}
_LOCK = threading.Lock()


def find_engine(data_dir: Path | None = None) -> Engine:
    """A ready engine; raises OcrUnavailable (with how to add one) when there is none."""
    if DISABLED:
        raise OcrUnavailable(HOW_TO_ADD)
    folder, languages = tessdata_for(data_dir)
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        pass
    else:
        if not (folder / "eng.traineddata").is_file():
            raise OcrUnavailable(
                f"The English OCR data ({folder / 'eng.traineddata'}) is missing; reinstall "
                "ClaimDesk to restore it."
            )
        return TesserocrEngine(folder, languages)
    if shutil.which("tesseract"):
        return CommandEngine(folder if (folder / "eng.traineddata").is_file() else None, languages)
    raise OcrUnavailable(HOW_TO_ADD)


def engine_available(data_dir: Path | None = None) -> str:
    """The engine's name, or "" when none is installed (cheap: nothing is loaded)."""
    try:
        engine = find_engine(data_dir)
    except OcrUnavailable:
        return ""
    engine.close()
    return engine.name


class TesserocrEngine:
    """Tesseract in-process through tesserocr's bundled library."""

    name = "Tesseract (tesserocr)"

    def __init__(self, folder: Path, languages: str) -> None:
        import tesserocr

        # Trailing separator: older Tesseracts append "tessdata" to a path without one.
        self._api = tesserocr.PyTessBaseAPI(path=str(folder) + "/", lang=languages)
        self._tesserocr = tesserocr

    def read(self, image: Image, seconds: float) -> PageRead:
        tesserocr = self._tesserocr
        api = self._api
        api.SetImage(image)
        finished = api.Recognize(timeout=max(1, int(seconds * 1000)))
        page = PageRead(timed_out=not finished)
        if not finished:
            return page
        iterator = api.GetIterator()
        level = tesserocr.RIL.TEXTLINE
        block = 0
        confidences: list[float] = []
        if iterator is not None:
            while True:
                if iterator.IsAtBeginningOf(tesserocr.RIL.BLOCK):
                    block += 1
                text = (iterator.GetUTF8Text(level) or "").strip()
                box = iterator.BoundingBox(level)
                if text and box is not None:
                    confidence = float(iterator.Confidence(level))
                    left, top, right, bottom = box
                    page.lines.append(Line(text, (left, top, right, bottom), confidence, block))
                    confidences.append(confidence)
                if not iterator.Next(level):
                    break
        page.confidence = float(api.MeanTextConf())
        return page

    def close(self) -> None:
        self._api.End()


class CommandEngine:
    """The system ``tesseract`` program, run through pytesseract (macOS, or no wheel)."""

    name = "Tesseract (system program)"

    def __init__(self, folder: Path | None, languages: str) -> None:
        import pytesseract

        self._pytesseract = pytesseract
        self._config = f'--tessdata-dir "{folder}"' if folder is not None else ""
        self._languages = languages if folder is not None else "eng"

    def read(self, image: Image, seconds: float) -> PageRead:
        pytesseract = self._pytesseract
        try:
            data: dict[str, list[Any]] = pytesseract.image_to_data(
                image,
                lang=self._languages,
                config=self._config,
                output_type=pytesseract.Output.DICT,
                timeout=max(1.0, seconds),
            )
        except RuntimeError as error:  # pytesseract's timeout
            if "timeout" in str(error).lower():
                return PageRead(timed_out=True)
            raise
        page = PageRead()
        grouped: dict[tuple[int, int, int], list[int]] = {}
        for index, word in enumerate(data["text"]):
            if str(word).strip():
                key = (data["block_num"][index], data["par_num"][index], data["line_num"][index])
                grouped.setdefault(key, []).append(index)
        confidences: list[float] = []
        for (block, _, _), indices in grouped.items():
            words = [str(data["text"][i]).strip() for i in indices]
            left = min(int(data["left"][i]) for i in indices)
            top = min(int(data["top"][i]) for i in indices)
            right = max(int(data["left"][i]) + int(data["width"][i]) for i in indices)
            bottom = max(int(data["top"][i]) + int(data["height"][i]) for i in indices)
            scores = [float(data["conf"][i]) for i in indices]
            confidences.extend(scores)
            page.lines.append(
                Line(" ".join(words), (left, top, right, bottom), sum(scores) / len(scores), block)
            )
        page.confidence = sum(confidences) / len(confidences) if confidences else 0.0
        return page

    def close(self) -> None:
        pass
