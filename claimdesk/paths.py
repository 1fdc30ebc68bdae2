"""Where ClaimDesk keeps its data and finds its bundled files: resolved in one place."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "ClaimDesk"
APP_AUTHOR = "ClaimDesk"
DATA_DIR_ENV = "CLAIMDESK_DATA_DIR"
DB_FILE_NAME = "claimdesk.sqlite"

_PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class AppPaths:
    """The folders one ClaimDesk instance uses."""

    data_dir: Path
    log_dir: Path
    config_dir: Path

    @property
    def database_file(self) -> Path:
        return self.data_dir / DB_FILE_NAME

    @property
    def database_url(self) -> str:
        return sqlite_url(self.database_file)

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    """Paths from ``--data-dir``, else ``$CLAIMDESK_DATA_DIR``, else the platform's folders.

    An explicit data folder holds everything (logs and config too), so a portable install or a
    test can keep ClaimDesk entirely inside one folder.
    """
    chosen = data_dir or os.environ.get(DATA_DIR_ENV) or None
    if chosen:
        base = Path(chosen).expanduser().resolve()
        return AppPaths(data_dir=base, log_dir=base / "logs", config_dir=base / "config")
    return AppPaths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
    )


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file, escaped so any folder name survives the round trip.

    A path pasted into "sqlite:///..." loses everything after a '?' (read as options), turns
    '%25' into '%' and breaks at '#'; SQLAlchemy's URL object quotes what needs quoting.
    """
    from sqlalchemy.engine import URL  # imported here: resolving paths needs no SQLAlchemy

    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def _bundled_dir(installed_name: str, checkout_name: str) -> Path:
    """A bundled folder in a frozen build, a wheel install or a source checkout."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / checkout_name
    installed = _PACKAGE_DIR / installed_name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / checkout_name


def resources_dir() -> Path:
    """Icons, letter templates, rule data and demo data shipped with ClaimDesk."""
    return _bundled_dir("_resources", "resources")


def ui_dir() -> Path:
    """Qt Designer forms."""
    return _bundled_dir("_ui", "ui")


def migrations_dir() -> Path:
    """Alembic scripts (inside the package, so every kind of install carries them)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "claimdesk" / "migrations"
    return _PACKAGE_DIR / "migrations"
