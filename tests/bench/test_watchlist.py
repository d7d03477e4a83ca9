import json
from datetime import UTC, datetime
from types import SimpleNamespace

from bench.watchlist import load_rate_row

LOADED = SimpleNamespace(loaded_at=datetime(2026, 12, 3, 14, 20, tzinfo=UTC))


def test_a_run_that_reuses_entries_carries_over_the_load_rate_of_their_load(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_RESULTS", str(tmp_path))
    measured = load_rate_row(1000, LOADED, load_seconds=0.5)
    (tmp_path / "watchlist.json").write_text(json.dumps({"results": [measured]}))

    carried = load_rate_row(1000, LOADED, load_seconds=None)

    assert measured["name"] == "watchlist load rate" and measured["value"] == 2000
    assert carried["value"] == 2000 and carried["carried_over"] is True
    assert carried["name"] == "watchlist load rate (carried over from the load of 2026-12-03)"


def test_no_load_rate_is_carried_over_from_another_load(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_RESULTS", str(tmp_path))
    other = SimpleNamespace(loaded_at=datetime(2026, 12, 1, tzinfo=UTC))
    (tmp_path / "watchlist.json").write_text(json.dumps({"results": [load_rate_row(1000, other, 0.5)]}))

    assert load_rate_row(1000, LOADED, load_seconds=None) is None
