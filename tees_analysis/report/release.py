"""What every page of the site says about the release: version, release date, contact.

The version is the package's (``pyproject.toml`` when the site is built from a checkout, else the
installed package's metadata); the release date, the authors and any repository, web or contact
address come from ``CITATION.cff``, the file that says how to cite the project. Nothing here
depends on when the site is built, so builds stay byte-identical.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..paths import ROOT

CITATION = ROOT / "CITATION.cff"
PYPROJECT = ROOT / "pyproject.toml"
DISTRIBUTION = "tees-analysis"


@dataclass(frozen=True)
class Release:
    version: str
    released: dt.date | None
    authors: tuple[str, ...]
    # (label, address) pairs in the order a reader should try them, e.g. the issue tracker
    addresses: tuple[tuple[str, str], ...]

    @property
    def released_text(self) -> str:
        """The release date as readers write it (``25 November 2026``), or "not released"."""
        if self.released is None:
            return "not yet released"
        return f"{self.released.day} {self.released:%B %Y}"

    @property
    def contact_text(self) -> str:
        """Who to contact, from ``CITATION.cff``: its authors (never an invented address)."""
        return "; ".join(self.authors) if self.authors else "the project's authors"


def package_version(pyproject: Path = PYPROJECT) -> str:
    """The version in ``pyproject.toml`` (the checkout's own), else the installed metadata."""
    if pyproject.is_file():
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        if isinstance(project.get("version"), str):
            return project["version"]
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _person(entry: object) -> str | None:
    """A CFF person or entity as a name: ``name``, or given and family names."""
    if not isinstance(entry, dict):
        return None
    if entry.get("name"):
        return str(entry["name"]).strip()
    parts = [str(entry[k]).strip() for k in ("given-names", "family-names") if entry.get(k)]
    return " ".join(parts) or None


def read_citation(path: Path = CITATION) -> dict:
    """``CITATION.cff`` as a mapping (empty when the file is absent)."""
    import yaml  # PyYAML, installed with Jupyter

    if not path.is_file():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def release(citation: Path = CITATION, pyproject: Path = PYPROJECT) -> Release:
    """The release that the site describes."""
    cff = read_citation(citation)
    authors = tuple(n for n in (_person(a) for a in cff.get("authors") or []) if n)
    addresses: list[tuple[str, str]] = []
    for entry in cff.get("contact") or []:
        if isinstance(entry, dict) and entry.get("email"):
            addresses.append((_person(entry) or "contact", f"mailto:{entry['email']}"))
    if cff.get("repository-code"):
        code = str(cff["repository-code"]).rstrip("/")
        addresses.append(("source code", code))
        if code.startswith(("https://github.com/", "https://gitlab.com/")):
            addresses.append(("issue tracker", f"{code}/issues"))
    if cff.get("url"):
        addresses.append(("project page", str(cff["url"])))
    return Release(
        version=package_version(pyproject),
        released=_date(cff.get("date-released")),
        authors=authors,
        addresses=tuple(addresses),
    )
