"""dates._plain_datetime (the dateutil-free path for the commonest date shapes) gives what
dateutil gives, over every month, day and hour and both reading flags; it declines (None) for
everything it does not handle, invalid dates included, and dateutil decides those."""

from __future__ import annotations

import calendar
import itertools

import pytest
from dateutil import parser as dateutil_parser

from etl.transform.dates import _plain_datetime

MONTHS = [calendar.month_abbr[k] for k in range(1, 13)]
FLAGS = list(itertools.product((False, True), repeat=2))  # (day_first, year_first)


def _dateutil(words, day_first, year_first):
    try:
        return dateutil_parser.parse(" ".join(words), dayfirst=day_first, yearfirst=year_first)
    except (ValueError, OverflowError):
        return None


def _check(words, counts):
    for day_first, year_first in FLAGS:
        try:
            fast = _plain_datetime(list(words), day_first, year_first)
        except ValueError:  # dateutil must fail too
            counts[2] += 1
            assert _dateutil(words, day_first, year_first) is None, (words, day_first, year_first)
            continue
        if fast is not None:
            counts[0] += 1
            assert fast == _dateutil(words, day_first, year_first), (words, day_first, year_first)
        else:
            counts[1] += 1


def _dates(year):
    for month, day in itertools.product(MONTHS, range(0, 33)):
        for d in {str(day), f"{day:02d}"}:
            yield [month, d, year]
            yield [d, month, year]


@pytest.mark.parametrize("year", ["2022", "2024", "1999", "2100"])
def test_every_day_of_every_month(year):
    counts = [0, 0, 0]
    for words in _dates(year):
        _check(words, counts)
        _check(words + ["17:52"], counts)
    assert counts[0] > 1000  # the fast path did the work
    assert counts[2] > 100  # and rejected the impossible dates


@pytest.mark.parametrize("time", [f"{h}:{m}{s}" for h in range(0, 26) for m in ("00", "07", "59", "60") for s in ("", ":00", ":31")]
                         + [f"{h:02d}:30" for h in range(0, 13)])
def test_every_hour_with_and_without_am_pm(time):
    counts = [0, 0, 0]
    for words in (["May", "19", "2022"], ["5", "Feb", "2024"], ["29", "Feb", "2023"], ["Dec", "31", "1999"]):
        for suffix in ([], ["AM"], ["PM"]):
            _check(words + [time] + suffix, counts)
    assert counts[0] + counts[2] > 0


def test_iso_dates_and_times():
    counts = [0, 0, 0]
    for month, day in itertools.product(range(0, 14), range(0, 33)):
        for iso in (f"2022-{month:02d}-{day:02d}", f"2024-{month}-{day}"):
            _check([iso], counts)
            _check([f"{iso} 09:15"], counts)
            _check([f"{iso}T23:59:59"], counts)
            _check([iso, "10:41", "PM"], counts)
            _check([iso, "10:41"], counts)
    for hour in range(0, 26):
        _check([f"2023-03-05 {hour}:05"], counts)
    assert counts[0] > 1000


@pytest.mark.parametrize(
    "words",
    [
        ["19", "2022", "May"], ["2022", "May", "19"], ["May", "2022"], ["05/06/2022"], ["May", "19th", "2022"],
        ["2022-05-19T10:00Z"], ["May", "19", "2022", "5", "PM"], ["May", "19", "2022", "10:41", "AM", "x"],
        ["May", "19", "22"], ["May", "123", "2022"], ["Mayo", "19", "2022"], [],
    ],
)
def test_other_shapes_are_left_to_dateutil(words):
    for day_first, year_first in FLAGS:
        assert _plain_datetime(list(words), day_first, year_first) is None


def test_impossible_named_dates_raise_like_dateutil():
    for words in (["Feb", "30", "2022"], ["21", "Aug", "2022", "21:27", "AM"], ["May", "0", "2022"], ["May", "19", "2022", "24:00"]):
        with pytest.raises(ValueError):
            _plain_datetime(words, True, False)
        assert _dateutil(words, True, False) is None


@pytest.mark.parametrize("iso", ["2022-13-05", "2022-05-32", "2022-00-05", "2022-05-19 24:00"])
def test_impossible_iso_dates_are_left_to_dateutil(iso):
    assert _plain_datetime([iso], False, True) is None


def test_iso_output_equals_strftime():
    from datetime import datetime, timedelta, timezone

    from etl.transform.dates import _ymd

    for year in (1000, 1990, 2024, 9999):
        for day in range(0, 366, 7):
            dt = datetime(year, 1, 1, 5, 7, 9) + timedelta(days=day)
            assert _ymd(dt) == dt.strftime("%Y-%m-%d")
            aware = dt.replace(tzinfo=timezone(timedelta(hours=3)))
            assert _ymd(aware) == aware.strftime("%Y-%m-%d")
