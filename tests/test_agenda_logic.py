"""The agenda's planning logic on plain objects: clashes and their alternatives, free time,
now and next, and the day-by-day agenda; past midnight and across daylight saving time."""

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.agenda import Clash
from tracker.agenda import Gap
from tracker.agenda import Planned
from tracker.agenda import agenda_days
from tracker.agenda import backup_candidates
from tracker.agenda import clashes
from tracker.agenda import clashing_with
from tracker.agenda import gaps
from tracker.agenda import now_and_next

BERLIN = ZoneInfo("Europe/Berlin")
_ids = iter(range(1, 10_000))


@dataclass
class Session:
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str = "confirmed"
    video_url: str = ""

    def __post_init__(self):
        self.id = next(_ids)


@dataclass
class Entry:
    talk: Session
    status: str = "going"


def at(day: int, hour: int, minute: int = 0, *, fold: int = 0, month: int = 12, year: int = 2016) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN, fold=fold)


def session(title, start: datetime, minutes: int = 45, **fields) -> Session:
    return Session(title, start, start + timedelta(minutes=minutes), **fields)


def titles(talks) -> list[str]:
    return [talk.title for talk in talks]


def clash_map(going) -> dict[str, list[str]]:
    by_id = {talk.id: talk.title for talk in going}
    return {by_id[talk_id]: titles(others) for talk_id, others in clashing_with(going).items()}


# clashes

def test_overlapping_sessions_clash_and_back_to_back_ones_do_not():
    a = session("A", at(27, 11), 60)
    b = session("B", at(27, 11, 30), 60)
    c = session("C", at(27, 12, 30), 30)  # starts as B ends
    assert clash_map([c, b, a]) == {"A": ["B"], "B": ["A"]}


def test_a_session_clashes_with_each_it_overlaps_in_time_order():
    long = session("Long", at(27, 10), 180)
    early, late = session("Early", at(27, 10, 30)), session("Late", at(27, 12))
    assert clash_map([late, long, early]) == {"Long": ["Early", "Late"], "Early": ["Long"], "Late": ["Long"]}


def test_sessions_past_midnight_clash_across_the_date():
    party = session("Party", at(27, 23, 30), 60)
    night = session("Night talk", at(28, 0, 15), 45)
    assert clash_map([party, night]) == {"Party": ["Night talk"], "Night talk": ["Party"]}


def test_the_repeated_hour_when_daylight_saving_ends_is_told_apart():
    """On 27 October 2024 Berlin's clocks go from 03:00 CEST back to 02:00 CET: 02:15 CET
    comes after 02:00-02:45 CEST, though its wall clock reads earlier."""
    first = session("First 02:00 CEST", at(27, 2, month=10, year=2024), 45)
    second = Session("Second 02:15 CET", at(27, 2, 15, fold=1, month=10, year=2024),
                     at(27, 3, month=10, year=2024))
    assert second.starts_at.astimezone(UTC) == datetime(2024, 10, 27, 1, 15, tzinfo=UTC)
    assert clash_map([first, second]) == {}
    spanning = Session("Across the change", at(27, 1, 30, month=10, year=2024),
                       at(27, 2, 30, fold=1, month=10, year=2024))  # two real hours
    assert clash_map([spanning, second]) == {"Across the change": ["Second 02:15 CET"],
                                             "Second 02:15 CET": ["Across the change"]}


def test_cancelled_sessions_clash_with_nothing():
    a = session("A", at(27, 11), 60)
    assert clash_map([a, session("B", at(27, 11), 60, status="cancelled")]) == {}


def test_a_clash_lists_the_other_sessions_in_its_slot_with_their_recordings():
    a = session("A", at(27, 11), 60)
    b = session("B", at(27, 11, 30), 60, video_url="https://media.example.org/b")
    c = session("C", at(27, 12, 15), 30)  # overlaps B only: one clash from 11:00 to 12:45
    recorded = session("Recorded", at(27, 12), 30, video_url="https://media.example.org/r")
    plain = session("Plain", at(27, 10, 30), 45)
    before = session("Before", at(27, 10), 60)  # ends as the slot begins
    after = session("After", at(27, 12, 45), 30)  # starts as it ends
    gone = session("Gone", at(27, 11), 60, status="cancelled")
    programme = [a, b, c, recorded, plain, before, after, gone]
    (clash,) = clashes([c, a, b], programme)
    assert (clash.starts_at, clash.ends_at) == (at(27, 11), at(27, 12, 45))
    assert [(o.talk.title, o.has_recording) for o in clash.sessions] == [("A", False), ("B", True), ("C", False)]
    assert [(o.talk.title, o.has_recording) for o in clash.alternatives] == [("Plain", False), ("Recorded", True)]


def test_sessions_that_do_not_overlap_make_no_clash():
    a, b = session("A", at(27, 11)), session("B", at(27, 12))
    assert clashes([a, b], [a, b]) == []


def test_backup_candidates_are_the_other_sessions_overlapping_one():
    a = session("A", at(27, 11), 60)
    same = session("Same slot", at(27, 11), 60)
    partly = session("Partly", at(27, 11, 45), 60)
    touching = session("Touching", at(27, 12), 30)
    cancelled = session("Cancelled", at(27, 11), 60, status="cancelled")
    assert titles(backup_candidates(a, [partly, touching, cancelled, same, a])) == ["Same slot", "Partly"]


# free time

def test_gaps_between_going_sessions_of_one_day():
    going = [session("Morning", at(27, 10), 60), session("Overlapping", at(27, 10, 30), 60),
             session("Afternoon", at(27, 14), 60), session("Right after", at(27, 15), 60),
             session("Next day", at(28, 11), 60)]
    assert gaps(going, BERLIN) == [Gap(date(2016, 12, 27), at(27, 11, 30), at(27, 14))]
    assert gaps(going, BERLIN)[0].duration == timedelta(hours=2, minutes=30)


def test_short_pauses_are_not_free_time():
    going = [session("A", at(27, 10), 60), session("B", at(27, 11, 10), 50), session("C", at(27, 12, 30))]
    assert [(g.starts_at, g.ends_at) for g in gaps(going, BERLIN)] == [(at(27, 12), at(27, 12, 30))]
    assert len(gaps(going, BERLIN, shortest=timedelta(0))) == 2


def test_cancelled_sessions_leave_free_time():
    going = [session("A", at(27, 10), 60), session("Off", at(27, 11), 60, status="cancelled"),
             session("B", at(27, 12), 60)]
    assert [(g.starts_at, g.ends_at) for g in gaps(going, BERLIN)] == [(at(27, 11), at(27, 12))]


def test_a_session_past_midnight_belongs_to_the_day_before_when_the_day_changes_later():
    going = [session("Evening", at(27, 21), 60), session("Night", at(28, 1), 60)]
    assert gaps(going, BERLIN) == [], "at midnight the days change: two days, no gap"
    assert gaps(going, BERLIN, time(4)) == [Gap(date(2016, 12, 27), at(27, 22), at(28, 1))]


def test_free_time_counts_real_hours_across_daylight_saving_changes():
    # 27 October 2024: 03:00 CEST becomes 02:00 CET, the night is an hour longer
    going = [session("Before", at(27, 0, month=10, year=2024), 60),
             session("After", at(27, 2, 30, fold=1, month=10, year=2024), 30)]
    (gap,) = gaps(going, BERLIN)
    assert gap.duration == timedelta(hours=2, minutes=30), "the wall clock says 1 h 30"
    # 31 March 2024: 02:00 CET becomes 03:00 CEST, the night is an hour shorter
    going = [session("Before", at(31, 1, month=3, year=2024), 30),
             session("After", at(31, 3, month=3, year=2024), 30)]
    (gap,) = gaps(going, BERLIN)
    assert gap.duration == timedelta(minutes=30), "the wall clock says 1 h 30"


# now and next

def test_now_and_next():
    a = session("A", at(27, 11), 60)
    b, c = session("B", at(27, 12), 60), session("C", at(27, 12), 30)
    later = session("Later", at(27, 14))
    off = session("Off", at(27, 11, 30), 60, status="cancelled")
    talks = [later, off, c, b, a]
    result = now_and_next(talks, at(27, 11, 30))
    assert titles(result.now) == ["A"] and titles(result.next) == ["C", "B"]
    at_noon = now_and_next(talks, at(27, 12))
    assert titles(at_noon.now) == ["C", "B"], "A ended as they started"
    assert titles(at_noon.next) == ["Later"]
    assert now_and_next(talks, at(27, 10)).now == [] and titles(now_and_next(talks, at(27, 10)).next) == ["A"]
    over = now_and_next(talks, at(28, 9))
    assert over.now == [] and over.next == []


def test_now_and_next_past_midnight():
    party = session("Party", at(27, 22), 180)
    night = session("Night talk", at(28, 0, 30), 60)
    morning = session("Morning", at(28, 11))
    result = now_and_next([morning, night, party], at(28, 0, 45))
    assert titles(result.now) == ["Party", "Night talk"] and titles(result.next) == ["Morning"]


def test_now_and_next_in_the_repeated_hour():
    first = session("02:00 CEST", at(27, 2, month=10, year=2024), 45)
    second = Session("02:15 CET", at(27, 2, 15, fold=1, month=10, year=2024), at(27, 3, month=10, year=2024))
    moment = at(27, 2, 10, fold=1, month=10, year=2024)  # 01:10 UTC: the first is long over
    result = now_and_next([second, first], moment)
    assert result.now == [] and titles(result.next) == ["02:15 CET"]
    assert titles(now_and_next([second, first], at(27, 2, 30, month=10, year=2024)).now) == ["02:00 CEST"]


def test_now_must_be_aware():
    with pytest.raises(ValueError, match="naive"):
        now_and_next([session("A", at(27, 11))], datetime(2016, 12, 27, 11))


# the agenda day by day

def test_agenda_days_put_sessions_free_time_and_clashes_in_order():
    opening = session("Opening", at(27, 10), 60)
    left, right = session("Left", at(27, 11), 60), session("Right", at(27, 11, 30), 60)
    other = session("Other room", at(27, 11), 45, video_url="https://media.example.org/o")
    maybe = session("Perhaps", at(27, 13), 30)
    evening = session("Evening", at(27, 15), 60)
    late = session("Late", at(28, 1), 60)
    entries = [Entry(evening), Entry(late), Entry(right), Entry(opening), Entry(left), Entry(maybe, "maybe")]
    programme = [opening, left, right, other, maybe, evening, late]

    days = agenda_days(entries, programme, BERLIN, time(4))
    assert [day.day for day in days] == [date(2016, 12, 27)], "01:00 is still the 27th"
    items = days[0].items

    def describe(item):
        if isinstance(item, Planned):
            return item.talk.title
        if isinstance(item, Clash):
            return "clash " + "/".join(o.talk.title for o in item.sessions)
        return f"free {item.duration}"

    assert [describe(item) for item in items] == [
        "Opening", "Left", "Right", "clash Left/Right", "free 2:30:00", "Perhaps", "Evening",
        "free 9:00:00", "Late"]
    assert [item.kind for item in items[:5]] == ["session", "session", "session", "clash", "gap"]
    left_item = items[1]
    assert titles(left_item.clashes_with) == ["Right"]
    assert titles(left_item.backup_candidates) == ["Other room", "Right"]
    assert items[5].entry.status == "maybe" and items[5].backup_candidates == ()
    assert [(o.talk.title, o.has_recording) for o in items[3].alternatives] == [("Other room", True)]
    assert [day.day for day in agenda_days(entries, programme, BERLIN)] == [date(2016, 12, 27), date(2016, 12, 28)]


def test_an_empty_agenda_has_no_days():
    assert agenda_days([], [], BERLIN) == []
