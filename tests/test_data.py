"""kwhelpers.data: checksummed loading, clear errors, byte-reproducible rebuilds."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from kwhelpers import data
from kwhelpers.datasets import all_recipes, class_counts


@pytest.fixture
def private_data_dir(tmp_path, monkeypatch):
    """A copy of data/ that tests may damage."""
    copy = tmp_path / "data"
    shutil.copytree(data.data_dir(), copy)
    monkeypatch.setenv("KWHELPERS_DATA_DIR", str(copy))
    return copy


def test_every_manifest_entry_loads_and_matches_its_listed_shapes():
    assert data.names(), "the manifest lists no dataset"
    for name in data.names():
        arrays = data.load(name)
        listed = data.describe(name)["arrays"]
        assert sorted(arrays) == sorted(listed)
        for key, value in arrays.items():
            assert list(value.shape) == listed[key]["shape"], (name, key)
            assert str(value.dtype) == listed[key]["dtype"], (name, key)


def test_every_recipe_is_in_the_manifest_and_vice_versa():
    assert set(all_recipes()) == set(data.names())


@pytest.mark.parametrize("name", sorted(all_recipes()))
def test_rebuilding_reproduces_the_committed_file_byte_for_byte(name, tmp_path):
    entry = data.build(name, directory=tmp_path)
    assert entry["sha256"] == data.describe(name)["sha256"], (
        f"rebuilding {name} changed its bytes: the recipe or a dependency changed")


def test_changed_file_is_refused(private_data_dir):
    path = private_data_dir / data.describe("digits")["file"]
    content = bytearray(path.read_bytes())
    content[-1] ^= 0xFF
    path.write_bytes(bytes(content))
    with pytest.raises(ValueError, match=r"SHA-256 of digits\.npz is [0-9a-f]{64}, but manifest\.json expects"):
        data.load("digits")


def test_missing_file_is_refused_without_regeneration(private_data_dir):
    (private_data_dir / "digits.npz").unlink()
    with pytest.raises(FileNotFoundError, match="digits.npz listed in manifest.json is missing"):
        data.load("digits")
    assert not (private_data_dir / "digits.npz").exists()


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError, match=r"unknown dataset 'nope'; expected one of \[.*'digits'"):
        data.load("nope")


def test_name_must_be_a_string():
    with pytest.raises(TypeError, match="name must be a str, got int"):
        data.load(3)


def test_digits_splits_are_disjoint_and_complete():
    digits = data.load("digits")
    x = np.concatenate([digits["x_train"], digits["x_val"], digits["x_test"]])
    assert x.shape == (1797, 64)
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert len(np.unique(x, axis=0)) == len(np.unique(np.concatenate(
        [np.unique(digits[k], axis=0) for k in ("x_train", "x_val", "x_test")]), axis=0))


def test_write_npz_refuses_object_arrays(tmp_path):
    with pytest.raises(TypeError, match="object arrays"):
        data.write_npz(tmp_path / "x.npz", {"a": np.array([{}], dtype=object)})


def test_class_counts_uses_string_keys():
    assert class_counts(np.array([2, 0, 2])) == {"0": 1, "2": 2}
