"""Letter templates: the bundled ones in resources/letters, an office's own versions over them.

A template file is ``<kind>.jinja``. It opens with a Jinja comment holding its description in
TOML (title, version, recipient, summary), extends the shared layout ``_letter.jinja`` and
fills its blocks; docs/letter-templates.md is the guide for an office editing them.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import ChoiceLoader, DictLoader, FileSystemLoader

from claimdesk.errors import NotFoundError, StorageError, TemplateRenderError, ValidationError
from claimdesk.files import write_atomically
from claimdesk.letters.render import LetterEnvironment, check_syntax
from claimdesk.paths import resources_dir

SUFFIX = ".jinja"
_HEADER = re.compile(r"\A\{#-?-{3}\s*\n(.*?)\n-{3}-?#\}", re.S)
_KIND = re.compile(r"^[a-z][a-z0-9_]{1,60}$")


@dataclass(frozen=True)
class TemplateInfo:
    kind: str
    title: str
    summary: str
    recipient: str
    version: str
    # 'office' when the office's own version is used, else 'bundled'.
    origin: str
    layout: bool
    # When the office's version was saved (None for a bundled template).
    saved_on: date | None = None

    @property
    def file_name(self) -> str:
        return self.kind + SUFFIX

    @property
    def version_text(self) -> str:
        """'ClaimDesk's standard letter (2026.1)' or 'Office version of 3 Nov 2026'."""
        return describe_version(self.version, self.origin, self.saved_on)


def describe_version(version: str, origin: str, saved_on: date | None = None) -> str:
    """A template's version as a person says it."""
    if origin == "office":
        if saved_on is not None:
            return f"Office version of {saved_on.day} {saved_on:%b %Y}"
        return f"Office version ({version})" if version else "Office version"
    return f"ClaimDesk's standard letter ({version})" if version else "ClaimDesk's standard letter"


def describe_version_label(label: str) -> str:
    """What a letter record's version label ('2026.1 bundled 2de51225', '2026.1 office
    2026-11-03 1a2b3c4d') means, in words; a label of another shape is shown as it is."""
    parts = label.split()
    if len(parts) < 3 or parts[1] not in ("bundled", "office"):
        return label
    version = "" if parts[0] == "unversioned" else parts[0]
    saved_on = None
    if parts[1] == "office" and len(parts) >= 4:
        try:
            saved_on = date.fromisoformat(parts[2])
        except ValueError:
            saved_on = None
    return describe_version(version, parts[1], saved_on)


def bundled_letters_dir() -> Path:
    return resources_dir() / "letters"


def read_header(source: str) -> dict[str, str]:
    """The TOML description at the top of a template ({} when it has none or it is broken)."""
    match = _HEADER.match(source)
    if not match:
        return {}
    try:
        data = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError:
        return {}
    return {k: str(v) for k, v in data.items()}


class TemplateStore:
    """Where templates are found: the office's folder first, then the bundled ones."""

    def __init__(
        self,
        office_dir: Path | None,
        bundled_dir: Path | None = None,
        guard: Callable[[str], None] | None = None,
    ) -> None:
        """``guard``, given what is about to be done, refuses it if the signed-in account may
        not change the office's templates (services/accounts.py)."""
        self.office_dir = office_dir
        self.bundled_dir = bundled_dir or bundled_letters_dir()
        self._guard = guard

    def _allowed(self, doing: str) -> None:
        if self._guard is not None:
            self._guard(doing)

    def templates(self) -> list[TemplateInfo]:
        """Every template, letters first (in the bundled order), then the layouts."""
        names = {p.stem for p in self.bundled_dir.glob("*" + SUFFIX)}
        if self.office_dir is not None and self.office_dir.is_dir():
            names |= {
                p.stem
                for p in self.office_dir.glob("*" + SUFFIX)
                if _KIND.match(p.stem) or p.stem.startswith("_")
            }
        infos = [self.info(name) for name in names]
        return sorted(infos, key=lambda i: (i.layout, _order(i), i.kind))

    def letters(self) -> list[TemplateInfo]:
        return [info for info in self.templates() if not info.layout]

    def info(self, kind: str) -> TemplateInfo:
        source, origin = self._source(kind)
        header = read_header(source)
        return TemplateInfo(
            kind=kind,
            title=header.get("title", kind.replace("_", " ").capitalize()),
            summary=header.get("summary", ""),
            recipient=header.get("recipient", ""),
            version=header.get("version", ""),
            origin=origin,
            layout=kind.startswith("_"),
            saved_on=self._saved_on(kind) if origin == "office" else None,
        )

    def _saved_on(self, kind: str) -> date | None:
        """The day the office's version was last saved (the file's modification day)."""
        if self.office_dir is None:
            return None
        try:
            return date.fromtimestamp((self.office_dir / (kind + SUFFIX)).stat().st_mtime)
        except (OSError, ValueError, OverflowError):
            return None

    def source(self, kind: str) -> str:
        return self._source(kind)[0]

    def bundled_source(self, kind: str) -> str | None:
        path = self.bundled_dir / (kind + SUFFIX)
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def version_label(self, kind: str) -> str:
        """What a generated letter records: the template's version, who made it, a checksum."""
        source, origin = self._source(kind)
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:8]
        version = (read_header(source).get("version", "") or "unversioned").split()[0][:16]
        saved_on = self._saved_on(kind) if origin == "office" else None
        saved = f" {saved_on.isoformat()}" if saved_on else ""
        return f"{version} {origin}{saved} {digest}"[:40]

    def environment(self, unsaved: dict[str, str] | None = None) -> LetterEnvironment:
        """A sandbox that finds unsaved editor text first, then the office's, then bundled."""
        loaders: list[object] = []
        if unsaved:
            loaders.append(DictLoader({k + SUFFIX: v for k, v in unsaved.items()}))
        if self.office_dir is not None:
            loaders.append(FileSystemLoader(str(self.office_dir)))
        loaders.append(FileSystemLoader(str(self.bundled_dir)))
        return LetterEnvironment(ChoiceLoader(loaders))  # type: ignore[arg-type]

    def save(self, kind: str, source: str) -> TemplateInfo:
        """Keep the office's own version of a template (refused if it does not parse)."""
        self._allowed("change the letter templates")
        if not (_KIND.match(kind) or kind.startswith("_")) or "/" in kind or "\\" in kind:
            raise ValidationError(f"'{kind}' is not a template name ClaimDesk can use.")
        if self.office_dir is None:
            raise StorageError("There is no folder for the office's templates.")
        check_syntax(self.environment(), source, kind + SUFFIX)
        write_text_atomically(self.office_dir / (kind + SUFFIX), source)
        return self.info(kind)

    def reset(self, kind: str) -> None:
        """Drop the office's version, so the bundled one is used again."""
        self._allowed("change the letter templates")
        if self.office_dir is None:
            return
        path = self.office_dir / (kind + SUFFIX)
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            raise StorageError(f"'{path}' cannot be removed: {error.strerror}.") from None

    def _source(self, kind: str) -> tuple[str, str]:
        if not (_KIND.match(kind) or kind.startswith("_")):
            raise NotFoundError(f"There is no letter template called '{kind}'.")
        candidates = []
        if self.office_dir is not None:
            candidates.append((self.office_dir / (kind + SUFFIX), "office"))
        candidates.append((self.bundled_dir / (kind + SUFFIX), "bundled"))
        for path, origin in candidates:
            try:
                return path.read_text(encoding="utf-8"), origin
            except FileNotFoundError:
                continue
            except (OSError, UnicodeDecodeError) as error:
                raise TemplateRenderError(
                    path.name, None, f"the file cannot be read ({error})"
                ) from None
        raise NotFoundError(
            f"There is no letter template called '{kind}'. 'claimdesk letter --list' lists them."
        )


_BUNDLED_ORDER = (
    "records_request",
    "records_second_request",
    "specialist_briefing",
    "internal_appeal",
    "peer_to_peer_request",
    "second_opinion_authorization",
    "network_gap_exception",
    "ime_report_request",
    "call_confirmation",
    "external_review_request",
    "complaint_uk_fos",
    "complaint_au_afca",
    "complaint_ca_olhi",
    "complaint_in_ombudsman",
)


def _order(info: TemplateInfo) -> int:
    try:
        return _BUNDLED_ORDER.index(info.kind)
    except ValueError:
        return len(_BUNDLED_ORDER)


def write_text_atomically(path: Path, text: str) -> None:
    """Write a whole file or nothing (a full disk leaves the old file as it was)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(f"'{path.parent}' cannot be created: {error.strerror}.") from None
    write_atomically(path, text.encode("utf-8"))
