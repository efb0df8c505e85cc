"""kwhelpers.reproducibility: repeatable training and the TF32 emulation used in notebook 00."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kwhelpers import reproducibility

finite_float32 = st.floats(width=32, allow_nan=False, allow_infinity=False, min_value=-2.0**100, max_value=2.0**100)


@settings(max_examples=300, deadline=None)
@given(finite_float32)
def test_round_to_tf32_is_the_nearest_value_with_ten_mantissa_bits(value):
    x = np.float32(value)
    rounded = reproducibility.round_to_tf32(x)
    assert int(rounded.view(np.uint32)) & 0x1FFF == 0, "the low 13 mantissa bits must be zero"
    bits = int(x.view(np.uint32))
    below = np.uint32(bits & ~0x1FFF).view(np.float32)
    above = np.uint32((bits & ~0x1FFF) + 0x2000).view(np.float32)
    best = min(abs(float(below) - float(x)), abs(float(above) - float(x)))
    assert abs(float(rounded) - float(x)) == best


def test_round_to_tf32_ties_go_to_even():
    tie = np.float32(1.0 + 2.0**-11)  # exactly half-way between 1 and 1 + 2**-10
    assert float(reproducibility.round_to_tf32(tie)) == 1.0
    tie_odd = np.float32(1.0 + 3 * 2.0**-11)  # half-way between 1 + 2**-10 (odd) and 1 + 2**-9 (even)
    assert float(reproducibility.round_to_tf32(tie_odd)) == 1.0 + 2.0**-9


def test_same_seed_bit_identical_different_seed_not():
    first = reproducibility.train_digits_classifier(seed=0, epochs=1, hidden_units=8)
    second = reproducibility.train_digits_classifier(seed=0, epochs=1, hidden_units=8)
    third = reproducibility.train_digits_classifier(seed=1, epochs=1, hidden_units=8)
    assert reproducibility.max_abs_difference(first, second) == 0.0
    assert reproducibility.max_abs_difference(first, third) > 1e-3


def test_max_abs_difference_checks_shapes():
    with pytest.raises(ValueError, match=r"second\[0\]: expected shape \(2,\), got \(3,\)"):
        reproducibility.max_abs_difference([np.zeros(2)], [np.zeros(3)])
    with pytest.raises(ValueError, match="expected 1 arrays like first, got 2"):
        reproducibility.max_abs_difference([np.zeros(2)], [np.zeros(2), np.zeros(2)])


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_bad_sizes_are_refused(bad):
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        reproducibility.train_digits_classifier(seed=0, epochs=bad)


@pytest.mark.parametrize("bits", [0x7F800001, 0x7FBFFFFF, 0x7FFFFFFF, 0xFFFFFFFF])
def test_round_to_tf32_keeps_nan_with_any_payload(bits):
    nan = np.array([bits], dtype=np.uint32).view(np.float32)
    assert np.isnan(reproducibility.round_to_tf32(nan)).all()


def test_round_to_tf32_keeps_infinities():
    values = np.array([np.inf, -np.inf], dtype=np.float32)
    np.testing.assert_array_equal(reproducibility.round_to_tf32(values), values)


def test_max_abs_difference_refuses_empty_lists():
    with pytest.raises(ValueError, match="first: expected at least one array"):
        reproducibility.max_abs_difference([], [])
