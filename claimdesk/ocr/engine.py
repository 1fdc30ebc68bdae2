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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

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

# Test hooks: DISABLED, no engine is found; PREFER_COMMAND, the system program is used even
# where the tesserocr wheel is installed.
DISABLED = False
PREFER_COMMAND = False


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


def find_engine(data_dir: Path | None = None) -> Engine:
    """A ready engine; raises OcrUnavailable (with how to add one) when there is none."""
    if DISABLED:
        raise OcrUnavailable(HOW_TO_ADD)
    folder, languages = tessdata_for(data_dir)
    try:
        if PREFER_COMMAND:
            raise ImportError("the system program was asked for")
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
    if shutil.which(_tesseract_command()):
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
    """The system ``tesseract`` program (macOS, or wherever no wheel installs).

    The page goes to it on its standard input and the words come back on its standard output,
    so no picture of a health document is ever written to a temporary file (pytesseract writes
    one; it is used here only for the program's path when it is configured, and is otherwise
    not needed).
    """

    name = "Tesseract (system program)"

    def __init__(self, folder: Path | None, languages: str) -> None:
        self._command = _tesseract_command()
        self._folder = folder
        self._languages = languages if folder is not None else "eng"

    def read(self, image: Image, seconds: float) -> PageRead:
        import io
        import subprocess

        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        command = [self._command, "stdin", "stdout", "-l", self._languages]
        if self._folder is not None:
            command += ["--tessdata-dir", str(self._folder)]
        # As a variable, not the "tsv" config file: our tessdata folder has no configs/.
        command += ["-c", "tessedit_create_tsv=1"]
        try:
            done = subprocess.run(
                command,
                input=buffer.getvalue(),
                capture_output=True,
                timeout=max(0.05, seconds),
                check=False,
            )
        except subprocess.TimeoutExpired:
            return PageRead(timed_out=True)
        except OSError as error:
            raise OcrUnavailable(f"{HOW_TO_ADD} ({self._command}: {error.strerror})") from None
        if done.returncode != 0:
            log.info("tesseract exited with %s", done.returncode)
            return PageRead()
        return _from_tsv(done.stdout.decode("utf-8", "replace"))

    def close(self) -> None:
        pass


def _tesseract_command() -> str:
    try:
        import pytesseract

        configured = str(pytesseract.pytesseract.tesseract_cmd)
    except ImportError:
        configured = "tesseract"
    return shutil.which(configured) or configured


def _from_tsv(tsv: str) -> PageRead:
    """Lines with their boxes from Tesseract's TSV (one row per word)."""
    page = PageRead()
    grouped: dict[tuple[int, int, int], list[list[str]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) == 12 and cells[0] == "5" and cells[11].strip():
            grouped.setdefault((int(cells[2]), int(cells[3]), int(cells[4])), []).append(cells)
    confidences: list[float] = []
    for (block, _, _), words in grouped.items():
        left = min(int(w[6]) for w in words)
        top = min(int(w[7]) for w in words)
        right = max(int(w[6]) + int(w[8]) for w in words)
        bottom = max(int(w[7]) + int(w[9]) for w in words)
        scores = [float(w[10]) for w in words]
        confidences.extend(scores)
        text = " ".join(w[11].strip() for w in words)
        page.lines.append(Line(text, (left, top, right, bottom), sum(scores) / len(scores), block))
    page.confidence = sum(confidences) / len(confidences) if confidences else 0.0
    return page
