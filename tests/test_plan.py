"""Plan arithmetic: months elapsed, 序时进度 and the plan-based expected execution (DOMAIN §3)."""

from __future__ import annotations

from datetime import date

import pytest

from perfwatch.plan import (
    expected_pct,
    expected_pct_at,
    month_end,
    months_elapsed,
    next_checkpoint,
    plan_curve,
    time_pct,
)

EVEN = [(3, 25.0), (6, 50.0), (10, 75.0), (12, 100.0)]   # 25/50/75/100
SLOW = [(3, 8.0), (6, 50.0), (10, 75.0), (12, 100.0)]    # 8/50/75/100


@pytest.mark.parametrize(
    ("as_of", "even", "slow"),
    [
        (date(2024, 1, 31), 8.33, 2.67),     # 1.0 month: 25/3 and 8/3
        (date(2024, 3, 31), 25.00, 8.00),    # exactly at the first checkpoint
        (date(2024, 5, 31), 41.67, 36.00),   # 5.0: 25 + 2/3×25 and 8 + 2/3×42
        (date(2024, 6, 30), 50.00, 50.00),   # second checkpoint, both plans meet
        (date(2024, 7, 31), 56.25, 56.25),   # 7.0: 50 + 1/4×25 (the October checkpoint, not September)
        (date(2024, 9, 30), 68.75, 68.75),   # 9.0: 50 + 3/4×25
        (date(2024, 10, 31), 75.00, 75.00),  # third checkpoint
    ],
)
def test_domain_table(as_of: date, even: float, slow: float) -> None:
    """Test that every figure of DOMAIN §3's table comes out to the cent."""
    assert round(expected_pct(EVEN, as_of), 2) == even
    assert round(expected_pct(SLOW, as_of), 2) == slow


@pytest.mark.parametrize(
    ("as_of", "months"),
    [
        (date(2024, 7, 31), 7.0),            # end of July
        (date(2024, 1, 1), 1 / 31),          # first day counts as a whole day
        (date(2024, 2, 29), 2.0),            # leap day is the end of February
        (date(2024, 2, 28), 1 + 28 / 29),    # leap year: February has 29 days
        (date(2023, 2, 28), 2.0),            # common year: the 28th is the month end
        (date(2024, 7, 15), 6 + 15 / 31),    # mid-month
        (date(2024, 12, 31), 12.0),          # year end
    ],
)
def test_months_elapsed(as_of: date, months: float) -> None:
    """Test that day d of month m is m − 1 + d / days-in-month."""
    assert months_elapsed(as_of) == pytest.approx(months, abs=1e-12)


def test_months_outside_the_fiscal_year() -> None:
    """Test that a date before the fiscal year is 0 months and after it 12."""
    assert months_elapsed(date(2023, 12, 31), 2024) == 0.0
    assert months_elapsed(date(2025, 1, 15), 2024) == 12.0
    assert expected_pct(EVEN, date(2025, 3, 1), fiscal_year=2024) == 100.0


def test_time_pct() -> None:
    """Test 序时进度: end of July = 7/12 = 58.33%; leap day = 2/12."""
    assert round(time_pct(date(2024, 7, 31)), 2) == 58.33
    assert round(time_pct(date(2024, 2, 29)), 2) == 16.67
    assert time_pct(date(2024, 12, 31)) == 100.0


def test_before_first_checkpoint_linear_and_step() -> None:
    """Test that before the first checkpoint linear rises from 0 and step is still 0."""
    assert round(expected_pct(SLOW, date(2024, 2, 29)), 4) == round(8 * 2 / 3, 4)  # 5.3333
    assert expected_pct(SLOW, date(2024, 2, 29), "step") == 0.0
    assert expected_pct(SLOW, date(2024, 3, 30), "step") == 0.0   # 2.967 months: not reached yet
    assert expected_pct(SLOW, date(2024, 3, 31), "step") == 8.0   # reached at the month end


@pytest.mark.parametrize(
    ("as_of", "pct"),
    [
        (date(2024, 5, 31), 8.0),     # after March, before June: March's 8%
        (date(2024, 7, 31), 50.0),    # June's 50% until the end of October
        (date(2024, 10, 31), 75.0),   # October reached
        (date(2024, 12, 31), 100.0),  # December reached
    ],
)
def test_step_reading(as_of: date, pct: float) -> None:
    """Test the step reading: the last checkpoint passed."""
    assert expected_pct(SLOW, as_of, "step") == pct


def test_other_checkpoint_months() -> None:
    """Test that any checkpoint months work (monthly, bimonthly, a single December)."""
    bimonthly = [(2, 10.0), (4, 30.0), (8, 60.0), (12, 100.0)]
    assert expected_pct(bimonthly, date(2024, 3, 31)) == 20.0          # halfway 2→4
    assert expected_pct(bimonthly, date(2024, 6, 30)) == 45.0          # halfway 4→8
    assert expected_pct([(12, 100.0)], date(2024, 7, 31)) == pytest.approx(700 / 12)
    unsorted = [(12, 100.0), (3, 25.0), (10, 75.0), (6, 50.0)]
    assert expected_pct(unsorted, date(2024, 7, 31)) == 56.25


def test_plan_ending_before_december_holds_flat() -> None:
    """Test that after the last checkpoint the expectation holds at its pct."""
    short = [(3, 30.0), (10, 90.0)]
    assert expected_pct(short, date(2024, 10, 31)) == 90.0
    assert expected_pct(short, date(2024, 11, 30)) == 90.0
    assert expected_pct(short, date(2024, 12, 31)) == 90.0
    assert expected_pct(short, date(2024, 12, 31), "step") == 90.0


def test_empty_plan_is_measured_against_time_elapsed() -> None:
    """Test that a project without checkpoints is measured against 序时 (12, 100%)."""
    assert expected_pct([], date(2024, 7, 31)) == pytest.approx(time_pct(date(2024, 7, 31)))
    assert next_checkpoint([], date(2024, 7, 31)) == (12, 100.0)


def test_unknown_method() -> None:
    with pytest.raises(ValueError):
        expected_pct(EVEN, date(2024, 7, 31), "quadratic")


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2024, 1, 31), (3, 8.0)),      # before March
        (date(2024, 3, 30), (3, 8.0)),      # the day before the checkpoint
        (date(2024, 3, 31), (6, 50.0)),     # at the checkpoint the next one is June
        (date(2024, 7, 31), (10, 75.0)),
        (date(2024, 11, 30), (12, 100.0)),
        (date(2024, 12, 31), None),         # nothing after December
    ],
)
def test_next_checkpoint(as_of: date, expected: tuple[int, float] | None) -> None:
    """Test that the next checkpoint is the first one strictly after the as-of date."""
    assert next_checkpoint(SLOW, as_of) == expected


def test_plan_curve() -> None:
    """Test the chart curves: linear through the checkpoints, step as a staircase."""
    assert plan_curve(SLOW) == [(0.0, 0.0), (3.0, 8.0), (6.0, 50.0), (10.0, 75.0), (12.0, 100.0)]
    assert plan_curve([(3, 30.0), (10, 90.0)]) == [(0.0, 0.0), (3.0, 30.0), (10.0, 90.0), (12.0, 90.0)]
    assert plan_curve(SLOW, "step") == [
        (0.0, 0.0), (3.0, 0.0), (3.0, 8.0), (6.0, 8.0), (6.0, 50.0), (10.0, 50.0), (10.0, 75.0),
        (12.0, 75.0), (12.0, 100.0),
    ]
    # every point of the linear curve agrees with expected_pct_at
    for m, p in plan_curve(SLOW):
        assert expected_pct_at(SLOW, m) == pytest.approx(p)


def test_month_end() -> None:
    assert month_end(2024, 2) == date(2024, 2, 29)
    assert month_end(2023, 2) == date(2023, 2, 28)
