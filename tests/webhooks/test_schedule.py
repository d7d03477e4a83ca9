from datetime import timedelta

from django.utils import timezone

from onboarding.webhooks import schedule


def test_backoff_grows_exponentially_and_spans_about_a_day():
    delays = [schedule.backoff_seconds(n) for n in range(1, schedule.MAX_ATTEMPTS)]
    assert delays[:3] == [15, 45, 135]
    assert all(b >= a for a, b in zip(delays, delays[1:]))
    assert 20 * 3600 <= sum(delays) <= 30 * 3600


def test_jitter_stays_within_twenty_percent():
    now = timezone.now()
    waits = {(schedule.next_attempt_at(3, now=now) - now).total_seconds() for _ in range(50)}
    assert len(waits) > 1
    assert all(135 * 0.8 <= w <= 135 * 1.2 for w in waits)


def test_retry_after_is_honoured_in_seconds_and_as_a_date():
    now = timezone.now()
    assert schedule.next_attempt_at(1, "600", now=now) - now >= timedelta(seconds=600)
    date = (now + timedelta(hours=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert schedule.next_attempt_at(1, date, now=now) - now >= timedelta(minutes=59)
    assert schedule.next_attempt_at(1, "soon", now=now) - now < timedelta(seconds=30)


def test_no_attempt_after_the_last():
    assert schedule.next_attempt_at(schedule.MAX_ATTEMPTS) is None
