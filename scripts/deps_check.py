"""Which pins of the lock files are behind the newest patch release of their line.

    python scripts/deps_check.py                 # every lock under requirements/
    python scripts/deps_check.py --refresh       # re-lock with those patch releases (uv)

A pin ``X.Y.Z`` is *behind* when the package index has a release ``X.Y.W`` with ``W > Z``
(not a pre-release, not yanked): the same line, so the upgrade is a fix, not a change of
features. Django's patch releases are its security releases. Newer lines (``X.Y+1``) are
shown for information only.

The index is the one pip is configured with (``--index-url``/``--extra-index-url`` here,
else ``PIP_INDEX_URL``/``PIP_EXTRA_INDEX_URL``, else ``pip config``, else PyPI), read through
the simple repository API (PEP 691 JSON, or PEP 503 HTML; ``file://`` indexes too). Exit
status 1 when some pin is behind (for a scheduled CI job), 0 otherwise.

``--refresh`` runs, for each lock file, the ``uv pip compile`` command written in its header,
with ``--upgrade-package NAME==VERSION`` for each pin behind: only those pins move.
"""

from __future__ import annotations

import argparse
import html.parser
import json
import os
import re
import shlex
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
PYPI = "https://pypi.org/simple"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")
JSON_TYPE = "application/vnd.pypi.simple.v1+json"


@dataclass
class Pin:
    name: str  # canonical
    version: Version
    locks: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Release:
    version: Version
    yanked: bool = False


@dataclass(frozen=True)
class Behind:
    pin: Pin
    newest_patch: Version
    newest: Version


def read_pins(locks: Iterable[Path]) -> dict[str, Pin]:
    """Every ``name==version`` of the lock files, by canonical name (one version each)."""
    pins: dict[str, Pin] = {}
    for lock in locks:
        for line in lock.read_text(encoding="utf-8").splitlines():
            found = PIN.match(line.strip())
            if not found:
                continue
            name, version = canonicalize_name(found.group(1)), Version(found.group(2))
            pin = pins.setdefault(name, Pin(name, version))
            if pin.version != version:
                # Two locks disagree: check the older pin, it is the one at risk.
                pin.version = min(pin.version, version)
            pin.locks.append(lock)
    return pins


class _Anchors(html.parser.HTMLParser):
    """The file names (anchor texts) of a PEP 503 page, and whether each is yanked."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[tuple[str, bool]] = []
        self._yanked: bool | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._yanked = any(key == "data-yanked" for key, _value in attrs)

    def handle_data(self, data: str) -> None:
        if self._yanked is not None and data.strip():
            self.files.append((data.strip(), self._yanked))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._yanked = None


def version_of(filename: str, name: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            wheel_name, version, _build, _tags = parse_wheel_filename(filename)
            return version if wheel_name == name else None
        sdist_name, version = parse_sdist_filename(filename)
        return version if sdist_name == name else None
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def _page(index: str, name: str) -> tuple[str, str] | None:
    """(content type, body) of the project's page on ``index``, or None if it has none."""
    url = f"{index.rstrip('/')}/{name}/"
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "file":
        folder = Path(urllib.request.url2pathname(parsed.path))
        for candidate, kind in (("index.json", JSON_TYPE), ("index.html", "text/html")):
            if (folder / candidate).is_file():
                return kind, (folder / candidate).read_text(encoding="utf-8")
        return None
    accept = {"Accept": f"{JSON_TYPE}, text/html;q=0.1"}
    request = urllib.request.Request(url, headers=accept)  # noqa: S310 - the index
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the index
            return response.headers.get_content_type(), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def releases(index: str, name: str) -> list[Release]:
    """The releases of ``name`` that ``index`` offers (one per version; yanked if all its
    files are)."""
    page = _page(index, name)
    if page is None:
        return []
    kind, body = page
    if kind == JSON_TYPE:
        files = [(f["filename"], bool(f.get("yanked"))) for f in json.loads(body)["files"]]
    else:
        parser = _Anchors()
        parser.feed(body)
        files = parser.files
    found: dict[Version, bool] = {}
    for filename, yanked in files:
        version = version_of(filename, name)
        if version is not None:
            found[version] = found.get(version, True) and yanked
    return [Release(version, yanked) for version, yanked in found.items()]


def newest_patch(pinned: Version, available: Iterable[Release]) -> Version | None:
    """The newest final, not yanked release of ``pinned``'s line (same major.minor) above it."""
    line = pinned.release[:2]
    candidates = [
        r.version
        for r in available
        if not r.yanked
        and not r.version.is_prerelease
        and not r.version.is_devrelease
        and r.version.release[:2] == line
        and r.version > pinned
    ]
    return max(candidates, default=None)


def behind(pins: dict[str, Pin], indexes: list[str], workers: int = 8) -> list[Behind]:
    def one(pin: Pin) -> Behind | None:
        available = [r for index in indexes for r in releases(index, pin.name)]
        patch = newest_patch(pin.version, available)
        if patch is None:
            return None
        final = [r.version for r in available if not r.yanked and not r.version.is_prerelease]
        return Behind(pin, patch, max(final))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, sorted(pins.values(), key=lambda p: p.name)))
    return [r for r in results if r is not None]


def configured_indexes(index_url: str | None, extra: list[str]) -> list[str]:
    """The indexes pip would use: arguments, then the environment, then ``pip config``."""
    if index_url or extra:
        return [index_url or PYPI, *extra]
    main = os.environ.get("PIP_INDEX_URL", "")
    extras = os.environ.get("PIP_EXTRA_INDEX_URL", "").split()
    if not main and not extras:
        config = _pip_config()
        main = config.get("global.index-url", "")
        extras = config.get("global.extra-index-url", "").split()
    return [main or PYPI, *extras]


def _pip_config() -> dict[str, str]:
    try:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "config", "list"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    values = {}
    for line in out.splitlines():
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def compile_command(lock: Path) -> list[str]:
    """The ``uv pip compile …`` command from the header uv wrote into ``lock``."""
    for line in lock.read_text(encoding="utf-8").splitlines()[:5]:
        text = line.lstrip("#").strip()
        if text.startswith("uv pip compile"):
            return shlex.split(text)
    raise SystemExit(f"{lock}: no 'uv pip compile' command in its header")


def refresh(found: list[Behind], locks: list[Path], uv: str) -> None:
    """Re-lock each lock file with only the pins that are behind moved to their patch."""
    for lock in locks:
        moves = [b for b in found if lock in b.pin.locks]
        if not moves:
            continue
        argv = [uv, *compile_command(lock)[1:]]
        for item in moves:
            argv += ["--upgrade-package", f"{item.pin.name}=={item.newest_patch}"]
        print("+", shlex.join(argv))
        subprocess.run(argv, cwd=ROOT, check=True)  # noqa: S603 - the lock's own command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("locks", nargs="*", type=Path, help="default: requirements/*.lock")
    parser.add_argument("--index-url", default=None)
    parser.add_argument("--extra-index-url", action="append", default=[])
    parser.add_argument("--refresh", action="store_true", help="re-lock the pins behind (uv)")
    parser.add_argument("--uv", default=str(Path(sys.executable).with_name("uv")))
    args = parser.parse_args(argv)

    locks = args.locks or sorted((ROOT / "requirements").glob("*.lock"))
    # The load lock is compiled against the dev one: base and dev first.
    locks.sort(key=lambda p: ("load" in p.name, p.name))
    indexes = configured_indexes(args.index_url, args.extra_index_url)
    found = behind(read_pins(locks), indexes)
    for item in found:
        newer_line = f" (newest: {item.newest})" if item.newest != item.newest_patch else ""
        where = ", ".join(sorted({p.name for p in item.pin.locks}))
        print(f"{item.pin.name} {item.pin.version} -> {item.newest_patch}{newer_line}  [{where}]")
    if not found:
        print(f"deps-check: every pin is at the newest patch of its line ({', '.join(indexes)})")
        return 0
    print(f"deps-check: {len(found)} pin(s) behind the newest patch release of their line")
    if args.refresh:
        refresh(found, locks, args.uv)
        return 0
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
