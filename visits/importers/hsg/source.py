"""Where the HSG records are read from: a given directory, the shared data folder, an earlier
download, or a fresh download of the public repositories' main branches."""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import TextIO

import requests
from django.conf import settings

REPOSITORIES = ("travels", "visits")


class HsgSourceError(Exception):
    """The data could not be found or downloaded."""


def _download(repo: str, target: Path, stdout: TextIO | None) -> None:
    """Fetch ``<HSG_DOWNLOAD_BASE>/<repo>/archive/refs/heads/main.tar.gz`` and unpack it as ``target``."""
    url = f"{settings.HSG_DOWNLOAD_BASE.rstrip('/')}/{repo}/archive/refs/heads/main.tar.gz"
    if stdout:
        stdout.write(f"Downloading {url} into {target}\n")
    try:
        response = requests.get(url, timeout=settings.HSG_DOWNLOAD_TIMEOUT, stream=True)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise HsgSourceError(
            f"could not download {url} ({exc}). When offline, pass the path of a local copy: "
            "python manage.py import_hsg /path/to/hsg (a directory holding travels/ and visits/)"
        ) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        archive = Path(tmp) / "archive.tar.gz"
        with archive.open("wb") as out:
            for chunk in response.iter_content(1 << 16):
                out.write(chunk)
        with tarfile.open(archive) as tar:
            tar.extractall(Path(tmp) / "x", filter="data")
        (top,) = (Path(tmp) / "x").iterdir()
        if target.exists():
            shutil.rmtree(target)
        top.rename(target)


def _has_data(path: Path) -> bool:
    return any((path / repo).is_dir() for repo in REPOSITORIES)


def resolve_source(path: str | Path | None = None, *, download: bool = False, stdout: TextIO | None = None) -> Path:
    """The directory holding ``travels/`` and ``visits/``.

    ``path`` when given; else settings.HSG_DATA_DIR (../shared/data/hsg) when it
    exists; else an earlier download in settings.HSG_CACHE_DIR; else (or with
    ``download``) the main branches of the public repositories, downloaded there.
    """
    if path is not None:
        root = Path(path)
        if not root.is_dir() or not _has_data(root):
            raise HsgSourceError(f"{root} is not a directory holding travels/ or visits/")
        return root
    local, cache = Path(settings.HSG_DATA_DIR), Path(settings.HSG_CACHE_DIR)
    if not download and _has_data(local):
        return local
    if not download and all((cache / repo).is_dir() for repo in REPOSITORIES):
        if stdout:
            stdout.write(f"Using the records downloaded earlier into {cache}\n")
        return cache
    for repo in REPOSITORIES:
        _download(repo, cache / repo, stdout)
    return cache
