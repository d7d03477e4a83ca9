from bench.common import interleaved, paired_result


def test_pairs_alternate_which_side_runs_first():
    calls = []
    interleaved(lambda: calls.append("measure") or 1.0, lambda: calls.append("baseline") or 1.0, pairs=4)
    firsts = [calls[index] for index in range(0, len(calls), 2)]
    assert firsts == ["baseline", "measure", "baseline", "measure"]


def test_row_reports_medians_ranges_and_the_median_of_per_pair_ratios():
    times = iter([10, 20, 40, 20, 12, 30])  # baseline, measure, measure, baseline, baseline, measure
    paired = interleaved(lambda: next(times), lambda: next(times), pairs=3)
    row = paired_result("check vs bare OCR", paired, target=1.5, unit=" ms")
    assert paired.values == [20, 40, 30] and paired.baselines == [10, 20, 12]
    assert (row["value"], row["value_range"]) == (30, [20, 40])
    assert (row["baseline"], row["baseline_range"]) == (12, [10, 20])
    assert row["ratio"] == 2.0 and row["ratio_range"] == [2.0, 2.5]
    assert row["pairs"] == 3 and row["met"] is False


def test_higher_is_better_targets_are_met_from_above():
    paired = interleaved(lambda: 80.0, lambda: 100.0, pairs=3)
    row = paired_result("documents per minute vs bare OCR", paired, target=0.7, higher_is_better=True)
    assert row["met"] is True and row["higher_is_better"] is True
