"""Offline datasets in ``data/``, verified against a SHA-256 manifest.

Every dataset is one ``.npz`` file in ``data/`` plus an entry in
``data/manifest.json`` (file name, checksum, source, licence, how it was made,
array shapes). The checksum, ``arrays_sha256``, is the SHA-256 of the arrays'
canonical bytes (`arrays_sha256`: each array's name, dtype, shape and
little-endian C-order data, in name order), not of the file: the ``.npz`` is
DEFLATE-compressed, and another zlib build may compress identical arrays into
different bytes. `load` refuses a file whose arrays differ from the manifest
(or that cannot be read), and never regenerates anything silently: rebuilding
is an explicit command, ``python -m kwhelpers data build NAME``, so a rebuild
that changes the checksum is a real change of the data to review.

The recipes live in :mod:`kwhelpers.datasets`, one module per family.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

MANIFEST_NAME = "manifest.json"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class UnknownNameError(ValueError, KeyError):
    """A dataset name that the manifest or the recipes do not know.

    A ``ValueError`` like every other bad argument, and a ``KeyError`` for
    callers written when unknown names raised ``KeyError``.
    """

    __str__ = ValueError.__str__


def _directory(directory: object) -> Path:
    if directory is None:
        return data_dir()
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"directory must be a path (str or pathlib.Path) or None, got "
                        f"{type(directory).__name__}")
    return Path(directory)


def data_dir() -> Path:
    """Return the dataset folder (``$KWHELPERS_DATA_DIR`` or the repository's ``data/``)."""
    override = os.environ.get("KWHELPERS_DATA_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "data"


def sha256_of(path: str | os.PathLike) -> str:
    """Return the hex SHA-256 digest of a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_of(p)[:12]
    'ba7816bf8f01'
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a path (str or pathlib.Path), got {type(path).__name__}")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _canonical(array: np.ndarray) -> np.ndarray:
    """``array`` in little-endian byte order and C order (the bytes `arrays_sha256` hashes)."""
    array = np.asarray(array)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    return np.ascontiguousarray(array)


def arrays_sha256(arrays: Mapping[str, np.ndarray]) -> str:
    """Return the SHA-256 of a dataset's arrays, independent of how the file stores them.

    The digest covers, for every array in name order, a JSON header with its
    name, dtype (little-endian) and shape, then its C-order bytes. Two files
    with equal arrays have the same digest whatever their compression; any
    change to a value, a dtype, a shape or a name changes it.

    Examples
    --------
    >>> a = arrays_sha256({"x": np.arange(3, dtype=np.int64)})
    >>> a == arrays_sha256({"x": np.arange(3, dtype=">i8")})  # same values, other byte order
    True
    >>> a == arrays_sha256({"x": np.arange(3, dtype=np.int32)})
    False
    """
    if not isinstance(arrays, Mapping):
        raise TypeError(f"arrays must be a mapping of name to array, got {type(arrays).__name__}")
    digest = hashlib.sha256()
    for key in sorted(arrays):
        if not isinstance(key, str):
            raise TypeError(f"arrays: names must be str, got {key!r}")
        value = _canonical(arrays[key])
        if value.dtype == object:
            raise TypeError(f"arrays[{key!r}]: object arrays have no canonical bytes")
        header = {"name": key, "dtype": value.dtype.str, "shape": list(value.shape)}
        digest.update(json.dumps(header, sort_keys=True).encode() + b"\n")
        digest.update(value.tobytes())
    return digest.hexdigest()


def read_manifest(directory: Path | None = None) -> dict[str, dict[str, Any]]:
    """Return the manifest as ``{dataset name: entry}`` (empty if there is none yet)."""
    path = _directory(directory) / MANIFEST_NAME
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def write_manifest(manifest: Mapping[str, Mapping[str, Any]], directory: Path | None = None) -> Path:
    """Write the manifest sorted by name, with a trailing newline, and return its path."""
    if not isinstance(manifest, Mapping):
        raise TypeError(f"manifest must be a dict of dataset entries, got {type(manifest).__name__}")
    path = _directory(directory) / MANIFEST_NAME
    path.write_text(json.dumps(dict(sorted(manifest.items())), indent=2, sort_keys=True) + "\n")
    return path


def names() -> list[str]:
    """Return the names of the datasets listed in the manifest, sorted."""
    return sorted(read_manifest())


def describe(name: str) -> dict[str, Any]:
    """Return the manifest entry of one dataset (source, licence, how made, shapes...)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    manifest = read_manifest()
    if name not in manifest:
        raise UnknownNameError(f"name: unknown dataset {name!r}; expected one of {sorted(manifest)}")
    return dict(manifest[name])


def write_npz(path: str | os.PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Write arrays as a compressed ``.npz`` with a fixed timestamp and sorted member names.

    ``numpy.savez`` stamps the current time into the zip; this writer does not,
    so with one zlib build the same arrays give the same bytes. Another zlib
    build may compress differently, which is why the manifest checks
    `arrays_sha256`, not the file's bytes.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a path (str or pathlib.Path), got {type(path).__name__}")
    if not isinstance(arrays, Mapping) or not arrays:
        what = "an empty dict" if isinstance(arrays, Mapping) else type(arrays).__name__
        raise TypeError(f"arrays must be a non-empty dict of name to array, got {what}")
    values = {}
    for key in sorted(arrays, key=str):
        if not isinstance(key, str) or not key:
            raise TypeError(f"arrays: names must be non-empty str, got {key!r}")
        values[key] = np.asarray(arrays[key])
        if values[key].dtype == object:
            raise TypeError(f"arrays[{key!r}]: object arrays cannot be stored safely")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key in sorted(values):
            value = values[key]
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, value, allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue())


def load(name: str) -> dict[str, np.ndarray]:
    """Load a dataset after checking its SHA-256 against the manifest.

    Parameters
    ----------
    name : str
        A dataset name from the manifest (see `names`).

    Returns
    -------
    dict of str to numpy.ndarray
        The arrays of the dataset, for example ``x_train``, ``y_train``.

    Raises
    ------
    TypeError
        If ``name`` is not a str.
    UnknownNameError
        If ``name`` is not in the manifest (a ``ValueError``, also a ``KeyError``).
    FileNotFoundError
        If the manifest lists the dataset but its file is missing.
    ValueError
        If the file cannot be read as an ``.npz`` (damaged), or its arrays'
        checksum (`arrays_sha256`) differs from the manifest.

    Examples
    --------
    >>> import kwhelpers as kw
    >>> sorted(kw.data.load("digits"))[:2]
    ['x_test', 'x_train']
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    entry = describe(name)
    path = data_dir() / entry["file"]
    if not path.exists():
        raise FileNotFoundError(
            f"dataset {name!r}: file {entry['file']} listed in {MANIFEST_NAME} is missing from "
            f"data/; restore it from git or rebuild it with `python -m kwhelpers data build {name}`"
        )
    restore = (f"Restore it from git, or rebuild it with `python -m kwhelpers data build {name}` "
               "and review the difference")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise ValueError(f"dataset {name!r}: {entry['file']} cannot be read as an .npz file "
                         f"({reason}); the file is damaged. {restore}") from None
    actual = arrays_sha256(arrays)
    if actual != entry["arrays_sha256"]:
        raise ValueError(
            f"dataset {name!r}: the arrays in {entry['file']} have SHA-256 {actual}, but "
            f"{MANIFEST_NAME} expects {entry['arrays_sha256']}; the data changed. {restore}"
        )
    return arrays


def build(name: str, directory: Path | None = None) -> dict[str, Any]:
    """Rebuild one dataset from its recipe, write it and update the manifest.

    Returns the new manifest entry. Compare its ``arrays_sha256`` with the old
    one to see whether the rebuild changed the data.
    """
    from kwhelpers.datasets import recipe

    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    directory = _directory(directory)
    spec = recipe(name)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = spec.build()
    file_name = f"{name}.npz"
    write_npz(directory / file_name, arrays)
    entry = {
        "file": file_name,
        "arrays_sha256": arrays_sha256(arrays),
        "source": spec.source,
        "licence": spec.licence,
        "how_made": spec.how_made,
        "arrays": {key: {"shape": list(np.shape(v)), "dtype": str(np.asarray(v).dtype)}
                   for key, v in sorted(arrays.items())},
        "summary": spec.summarize(arrays),
    }
    manifest = read_manifest(directory)
    manifest[name] = entry
    write_manifest(manifest, directory)
    return entry
