"""Where Docket keeps its data, and how private it is."""

from __future__ import annotations

import contextlib
import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import platformdirs

from core.i18n import _

DB_NAME = "docket.sqlite3"  # the database file in the data directory
KEY_NAME = "docket.key"  # a protected store's wrapped data key (core.store.crypto)
CONVERT_JOURNAL = "convert-journal.json"  # a change of protection being swapped in
SIDECAR = "docket.identity"  # the store's identity beside the database (core.store.identity)
IDENTITY_KEY = "docket.identity"  # the settings key of the identity in the database


def is_protected(data_dir: Path) -> bool:
    """Whether the store in ``data_dir`` is (or is becoming) protected with a passphrase: its
    database must not be read before it is unlocked."""
    return (data_dir / KEY_NAME).is_file() or (data_dir / CONVERT_JOURNAL).is_file()

# An automatic backup: backups/docket-<UTC time>Z-<reason>.sqlite3, its manifest beside it
# as .json (core.store.backup). The command line makes none when one is this recent.
BACKUP_NAME = re.compile(r"^docket-(\d{8}T\d{12})Z-([A-Za-z0-9._-]{1,80})\.sqlite3$")
BACKUP_INTERVAL = timedelta(minutes=30)


def automatic_backups(folder: Path) -> list[tuple[datetime, str, Path]]:
    """The automatic backups in ``folder``: (made at, reason, path), oldest first."""
    found = []
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            match = BACKUP_NAME.match(entry.name)
            if not match or not entry.is_file():
                continue
            with contextlib.suppress(ValueError):
                made = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
                found.append((made, match.group(2), entry))
    return sorted(found, key=lambda item: item[0])


def backup_fingerprint(backup: Path) -> str:
    """The fingerprint of the data an automatic backup holds, from its manifest ("" if unreadable)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        return str(json.loads(backup.with_suffix(".json").read_text("utf-8")).get("fingerprint", ""))
    return ""


APP_NAME = "Docket"


def default_data_dir() -> Path:
    """``DOCKET_DATA_DIR`` if set, else the platform's user data directory for Docket."""
    env = os.environ.get("DOCKET_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=True))


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the user alone (0700 on POSIX)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in the folder ``path`` durable (POSIX; elsewhere the file
    system does it)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Make the content of the file ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_private_file(path: Path) -> None:
    """Make an existing file readable and writable by the user alone (0600 on POSIX)."""
    if os.name == "posix" and path.exists():
        os.chmod(path, 0o600)


# Folder names that sync clients create; a path inside one is synced file by file, which can
# tear a SQLite database and its WAL apart.
_CLOUD_FOLDERS = {
    "dropbox": "Dropbox",
    "onedrive": "OneDrive",
    "icloud drive": "iCloud Drive",
    "iclouddrive": "iCloud Drive",  # iCloud for Windows
    "icloud": "iCloud",
    "mobile documents": "iCloud Drive",
    "com~apple~clouddocs": "iCloud Drive",
    "google drive": "Google Drive",
    "googledrive": "Google Drive",
    "my drive": "Google Drive",
    "cloudstorage": "a cloud storage provider",
}
_NETWORK_FS = {
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "lustre", "ncpfs",
    "davfs", "fuse.sshfs", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse", "fuse.davfs2",
    "fuse.glusterfs", "fuse.cephfs", "fuse.dropbox", "fuse.onedriver",
}


def _unescape_mount(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as octal escapes.
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def network_filesystem(path: Path, mounts_file: Path = Path("/proc/mounts")) -> str | None:
    """The file system type if ``path`` lies on a network file system (Linux), else None."""
    try:
        lines = mounts_file.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best, best_type = "", ""
    target = str(path)
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = _unescape_mount(parts[1])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, parts[2].lower()
    return best_type if best_type in _NETWORK_FS else None


def risky_location(path: Path | str, *, mounts_file: Path = Path("/proc/mounts")) -> str | None:
    """A warning when ``path`` is in a cloud-synced folder or on a network file system.

    SQLite relies on file locks and on its database and WAL files changing together; sync
    clients and network file systems break both. Returns None for an ordinary local folder.
    """
    path = Path(path).expanduser()
    with contextlib.suppress(OSError, RuntimeError):
        path = path.resolve()
    found: list[str] = []
    for part in path.parts:
        name = part.lower()
        service = _CLOUD_FOLDERS.get(name)
        if service is None and name.startswith(("onedrive - ", "onedrive-")):
            service = "OneDrive"
        if service is None and name.startswith(("dropbox (", "dropbox-")):
            service = "Dropbox"
        if service is None and name.startswith("googledrive-"):
            service = "Google Drive"
        if service:
            found.append(service)
    if found:
        # macOS keeps every provider under ~/Library/CloudStorage: name the provider if known.
        service = next((s for s in found if s != _CLOUD_FOLDERS["cloudstorage"]), found[0])
        return _("Docket's data folder {path} is inside a folder synced by {service}. Sync can damage the "
                 "database; move the data folder to a local folder and keep backups there instead (docket "
                 "backup FILE.zip).").format(path=path, service=service)
    kind = _windows_remote(path) if os.name == "nt" else network_filesystem(path, mounts_file)
    if kind:
        return _("Docket's data folder {path} is on a network file system ({kind}), where SQLite files can be "
                 "damaged. Move it to a local disk.").format(path=path, kind=kind)

    return None


def _windows_remote(path: Path) -> str | None:
    text = str(path)
    if text.startswith("\\\\") and not text.startswith("\\\\?\\"):
        return "network share"
    try:
        import ctypes

        drive_remote = 4
        if ctypes.windll.kernel32.GetDriveTypeW(path.anchor) == drive_remote:  # type: ignore[attr-defined]
            return "network drive"
    except (AttributeError, OSError):
        pass
    return None
