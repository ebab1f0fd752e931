"""The whole library read strictly from one folder: the first problem is a DataError naming the
file, the key and the problem."""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..catalogue_file import read_catalogue
from ..data import toml_files
from ..errors import DataError
from ..news2 import Chart, read_chart
from ..policy import Policy, read_policy
from ..products import Product, UsualDose, read_library, read_usual_doses
from ..protocols import Protocol, read_protocol
from ..reactions import Catalogue
from .identity import content_hash
from .manifest import MANIFEST, Manifest, read_manifest


@dataclass(frozen=True)
class Library:
    folder: str
    products: dict[str, Product]
    protocols: dict[str, Protocol]
    policies: dict[str, Policy]
    catalogue: Catalogue
    news2: Chart
    usual_doses: dict[str, UsualDose]
    manifest: Manifest | None  # None: the folder has no library.toml (a copy made before versions)
    content_hash: str

    def path(self, name: str) -> str:
        return os.path.join(self.folder, name)

    @property
    def version_text(self) -> str:
        """'version 3 (sha256:1a2b3c4d5e6f)': how a person names it."""
        number = f"version {self.manifest.version}" if self.manifest else "unversioned"
        return f"{number} ({self.content_hash[:19]})"


def _protocols(folder: str) -> dict[str, Protocol]:
    out = {}
    for path in toml_files(folder):
        proto = read_protocol(path)
        out[proto.id] = proto
    return out


def _policies(folder: str) -> dict[str, Policy]:
    out = {}
    for path in toml_files(folder):
        policy = read_policy(path)
        out[policy.id] = policy
    return out


def load(folder: str) -> Library:
    """Read every file of the library in `folder` strictly (no caches: a file edited a moment ago
    is read as it is now)."""
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        what = "is not a folder" if os.path.exists(folder) else "not found"
        raise DataError(folder, "(folder)", f"{what}: give the folder that holds products.toml")
    protocols = _protocols(os.path.join(folder, "protocols"))
    products_path = os.path.join(folder, "products.toml")
    products = read_library(products_path, protocols)
    manifest_path = os.path.join(folder, MANIFEST)
    manifest = read_manifest(manifest_path) if os.path.exists(manifest_path) else None
    return Library(folder, products, protocols, _policies(os.path.join(folder, "policies")),
                   read_catalogue(os.path.join(folder, "symptoms.toml")),
                   read_chart(os.path.join(folder, "news2.toml")), read_usual_doses(products_path),
                   manifest, content_hash(folder))
