"""Tests for issue 3's datasets: recipes, stored files and their documented properties."""

from __future__ import annotations

import numpy as np
import pytest

from kwhelpers import data
from kwhelpers.datasets import anomaly, quality, sequences

# Rebuilding each stored file from its recipe (same arrays, same manifest entry) is
# tests/test_data.py::test_rebuilding_reproduces_the_committed_data_exactly.


def test_anomaly_rate_and_no_leakage_between_splits():
    from kwhelpers.datasets.digits import digits_pixels

    d = data.load("digits_anomaly")
    for split in ("train", "val", "test"):
        rate = d[f"y_{split}"].mean()
        assert 0.008 < rate < 0.012, (split, rate)
        np.testing.assert_array_equal(d[f"y_{split}"], (d[f"y_digit_{split}"] == anomaly.ANOMALY_DIGIT))
    parts = anomaly.split_originals(digits_pixels()[1])
    train, val, test = (set(parts[s].tolist()) for s in ("train", "val", "test"))
    assert not (train & val or train & test or val & test)
    assert len(d["y_test"]) == len(anomaly.SHIFTS) * len(test)
    train_rows = {row.tobytes() for row in d["x_train"]}
    assert not any(row.tobytes() in train_rows for row in d["x_test"])


def test_shift_images_moves_pixels_and_validates():
    image = np.arange(64, dtype=np.float32).reshape(1, 64)
    down = anomaly.shift_images(image, 1, 0).reshape(8, 8)
    np.testing.assert_array_equal(down[1:], image.reshape(8, 8)[:-1])
    assert np.all(down[0] == 0)
    with pytest.raises(ValueError, match=r"images must have shape \(N, 64\)"):
        anomaly.shift_images(np.zeros((1, 10)), 0, 1)
    with pytest.raises(ValueError, match="smaller than side"):
        anomaly.shift_images(image, 8, 0)


def test_quality_corruption_is_exactly_as_documented():
    d = data.load("digits_quality")
    trusted = d["trusted_train"] == 1
    wrong = d["y_train"] != d["y_train_true"]
    assert trusted.sum() == (~trusted).sum() == len(trusted) // 2
    assert not wrong[trusted].any()
    assert wrong[~trusted].sum() == round(quality.CORRUPTION_RATE * (~trusted).sum())
    np.testing.assert_array_equal(d["y_train"][wrong], (d["y_train_true"][wrong] + 1) % 10)
    digits = data.load("digits")
    np.testing.assert_array_equal(d["x_test"], digits["x_test"])
    np.testing.assert_array_equal(d["y_test"], digits["y_test"])


def test_sequences_follow_the_rule_and_padding():
    d = data.load("running_mean_sequences")
    for split in ("train", "val", "test"):
        x, y, lengths = d[f"x_{split}"], d[f"y_{split}"], d[f"lengths_{split}"]
        assert x.shape[1] == sequences.MAXLEN and lengths.min() >= sequences.MIN_LENGTH
        valid = np.arange(sequences.MAXLEN)[None, :] < lengths[:, None]
        assert np.all((x > 0) == valid)
        for row, label, n in zip(x[:20], y[:20], lengths[:20]):
            running_mean = np.cumsum(row[:n]) / np.arange(1, n + 1)
            np.testing.assert_array_equal(label[:n], np.sign(running_mean - 2) + 1)
            assert np.all(label[n:] == 0)


def test_running_mean_labels_validates():
    with pytest.raises(ValueError, match="tokens must be"):
        sequences.running_mean_labels(np.zeros(3), np.zeros(3))
