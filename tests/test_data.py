"""kwhelpers.data and `python -m kwhelpers data`: checksummed loading, clear errors, reproducible rebuilds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from kwhelpers import data
from kwhelpers.__main__ import main
from kwhelpers.datasets import all_recipes, class_counts

ROOT = Path(__file__).resolve().parent.parent
DIGIT_SETS = ("digits", "digits_anomaly", "digits_multilabel", "digits_quality")


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
def test_rebuilding_reproduces_the_committed_data_exactly(name, tmp_path):
    entry = data.build(name, directory=tmp_path)
    assert entry["arrays_sha256"] == data.describe(name)["arrays_sha256"], (
        f"rebuilding {name} changed its arrays: the recipe or a dependency changed")
    stored = data.load(name)
    with np.load(tmp_path / entry["file"]) as rebuilt:
        assert sorted(rebuilt.files) == sorted(stored)
        for key in stored:
            np.testing.assert_array_equal(rebuilt[key], stored[key], err_msg=f"{name}/{key}")
            assert rebuilt[key].dtype == stored[key].dtype
    assert {k: v for k, v in entry.items() if k != "arrays_sha256"} == {
        k: v for k, v in data.describe(name).items() if k != "arrays_sha256"}


def _rewrite(path, arrays, compression, level=None):
    """Write ``arrays`` as an .npz with another compressor setting (bytes differ, arrays equal)."""
    import io

    with zipfile.ZipFile(path, "w", compression=compression, compresslevel=level) as archive:
        for key in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, arrays[key], allow_pickle=False)
            archive.writestr(f"{key}.npy", buffer.getvalue())


@pytest.mark.parametrize("compression, level", [(zipfile.ZIP_STORED, None),
                                                (zipfile.ZIP_DEFLATED, 1)])
def test_checksum_is_independent_of_the_compressor(private_data_dir, compression, level):
    path = private_data_dir / "digits.npz"
    before = path.read_bytes()
    arrays = data.load("digits")
    _rewrite(path, arrays, compression, level)
    assert path.read_bytes() != before
    reloaded = data.load("digits")
    for key in arrays:
        np.testing.assert_array_equal(reloaded[key], arrays[key])


def test_arrays_sha256_sees_values_dtypes_shapes_and_names():
    base = {"x": np.arange(6, dtype=np.float32).reshape(2, 3), "y": np.array([0, 1])}
    digest = data.arrays_sha256(base)
    assert digest == data.arrays_sha256(dict(reversed(base.items())))
    assert digest == data.arrays_sha256({"x": base["x"].astype(">f4"), "y": base["y"]})
    assert digest == data.arrays_sha256({"x": np.asfortranarray(base["x"]), "y": base["y"]})
    changed = [
        {"x": np.where(base["x"] == 5, np.nextafter(np.float32(5), np.float32(6)), base["x"]),
         "y": base["y"]},  # one value moved by one ulp
        {"x": base["x"].astype(np.float64), "y": base["y"]},
        {"x": base["x"].reshape(3, 2), "y": base["y"]},
        {"x2": base["x"], "y": base["y"]},
        {"x": base["x"]},
    ]
    for other in changed:
        assert data.arrays_sha256(other) != digest, sorted(other)


def test_changed_data_is_refused(private_data_dir):
    arrays = data.load("digits")
    arrays["y_train"] = arrays["y_train"].copy()
    arrays["y_train"][0] = (arrays["y_train"][0] + 1) % 10
    data.write_npz(private_data_dir / "digits.npz", arrays)
    with pytest.raises(ValueError, match=r"the arrays in digits\.npz have SHA-256 [0-9a-f]{64}, but "
                                         r"manifest\.json expects [0-9a-f]{64}; the data changed"):
        data.load("digits")


@pytest.mark.parametrize("where", [0.02, 0.5, 0.9])
def test_damaged_file_is_refused(private_data_dir, where):
    """A flipped byte in the stored arrays makes the file unreadable (zip CRC, zlib) or changes them."""
    path = private_data_dir / data.describe("digits")["file"]
    content = bytearray(path.read_bytes())
    content[int(where * len(content))] ^= 0xFF
    path.write_bytes(bytes(content))
    with pytest.raises(ValueError, match=r"dataset 'digits': (digits\.npz cannot be read as an \.npz "
                                         r"file .*damaged|the arrays in digits\.npz have SHA-256)"):
        data.load("digits")


def test_missing_file_is_refused_without_regeneration(private_data_dir):
    (private_data_dir / "digits.npz").unlink()
    with pytest.raises(FileNotFoundError, match="digits.npz listed in manifest.json is missing"):
        data.load("digits")
    assert not (private_data_dir / "digits.npz").exists()


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown dataset 'nope'; expected one of \[.*'digits'"):
        data.load("nope")
    with pytest.raises(KeyError, match="unknown dataset 'nope'"):  # also a KeyError, as before
        data.load("nope")


def test_name_must_be_a_string():
    with pytest.raises(TypeError, match="name must be a str, got int"):
        data.load(3)


def _rows(array):
    return {row.tobytes() for row in array}


@pytest.mark.parametrize("name", DIGIT_SETS)
def test_splits_share_no_image(name):
    """No image (row) of one split occurs in another: no leakage between train, val and test."""
    arrays = data.load(name)
    splits = {k: _rows(arrays[f"x_{k}"]) for k in ("train", "val", "test")}
    for first, second in (("train", "val"), ("train", "test"), ("val", "test")):
        shared = splits[first] & splits[second]
        assert not shared, f"{name}: {len(shared)} images are in both {first} and {second}"


def test_digits_splits_are_complete():
    from kwhelpers.datasets.digits import digits_pixels

    digits = data.load("digits")
    x = np.concatenate([digits["x_train"], digits["x_val"], digits["x_test"]])
    y = np.concatenate([digits["y_train"], digits["y_val"], digits["y_test"]])
    assert x.shape == (1797, 64)
    assert 0.0 <= x.min() and x.max() <= 1.0
    original_x, original_y = digits_pixels()
    order, original_order = np.lexsort(x.T), np.lexsort(original_x.T)
    np.testing.assert_array_equal(x[order], original_x[original_order])
    np.testing.assert_array_equal(y[order], original_y[original_order])


def test_the_leakage_check_can_fail():
    """The disjointness test above is not vacuous: a split copied into another is caught."""
    arrays = data.load("digits")
    assert _rows(arrays["x_train"]) & _rows(np.concatenate([arrays["x_test"], arrays["x_train"][:1]]))


def test_write_npz_refuses_object_arrays(tmp_path):
    with pytest.raises(TypeError, match="object arrays"):
        data.write_npz(tmp_path / "x.npz", {"a": np.array([{}], dtype=object)})


def test_class_counts_uses_string_keys():
    assert class_counts(np.array([2, 0, 2])) == {"0": 1, "2": 2}


# ----------------------------------------------------------------------------- python -m kwhelpers data
def test_cli_list_prints_every_dataset_with_its_checksum(private_data_dir, capsys):
    assert main(["data", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == data.names()
    for line in lines:
        name, file_name, digest = line.split()
        assert file_name == data.describe(name)["file"]
        assert digest == data.describe(name)["arrays_sha256"][:12]


def test_cli_verify_passes_on_good_data_and_exits_1_naming_a_damaged_file(private_data_dir, capsys):
    assert main(["data", "verify"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"ok      {name}" for name in data.names()]
    path = private_data_dir / "digits_quality.npz"
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))
    (private_data_dir / "running_mean_sequences.npz").unlink()
    assert main(["data", "verify"]) == 1
    out = capsys.readouterr().out.splitlines()
    failed = [line for line in out if line.startswith("FAILED")]
    assert [line.split()[1] for line in failed] == ["digits_quality:", "running_mean_sequences:"]
    assert "is missing" in failed[1]
    assert sum(line.startswith("ok") for line in out) == len(data.names()) - 2


def test_cli_build_rebuilds_into_the_data_dir_and_reports_unchanged(private_data_dir, capsys):
    (private_data_dir / "digits.npz").unlink()
    assert main(["data", "build", "digits"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("built digits: arrays_sha256 ") and out.rstrip().endswith("unchanged")
    assert (private_data_dir / "digits.npz").exists()
    assert data.load("digits")["x_train"].shape == (1078, 64)


def test_cli_build_reports_a_changed_dataset(private_data_dir, capsys):
    manifest = data.read_manifest(private_data_dir)
    manifest["digits"]["arrays_sha256"] = "0" * 64
    data.write_manifest(manifest, private_data_dir)
    assert main(["data", "build", "digits"]) == 0
    assert f"changed (was {'0' * 64})" in capsys.readouterr().out
    assert data.describe("digits")["arrays_sha256"] != "0" * 64


@pytest.mark.parametrize("argv, message", [
    (["data", "build", "nope"], "no recipe for 'nope'"),
    (["data", "list", "digits"], "takes no dataset names"),
    (["data", "verify", "digits"], "takes no dataset names"),
])
def test_cli_refuses_bad_arguments_with_exit_2(private_data_dir, capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_cli_refuses_an_unknown_action(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "rebuild"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'rebuild'" in capsys.readouterr().err


def test_python_m_kwhelpers_data_verify_exit_status(private_data_dir):
    """The real entry point: exit status 0, then 1 once a file is damaged (in a copy of data/)."""
    env = {**os.environ, "KWHELPERS_DATA_DIR": str(private_data_dir),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "kwhelpers", "data", "verify"]
    good = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stdout + good.stderr
    path = private_data_dir / "digits.npz"
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))
    bad = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "FAILED  digits:" in bad.stdout
