import json

from bench import readme


def test_readme_benchmark_table_is_the_one_the_results_generate():
    current = readme.README.read_text()
    assert readme.rewritten(current) == current, "README.md's benchmark table is stale: run python -m bench.readme"


def test_a_row_shows_medians_ranges_the_target_and_why_it_is_missed():
    row = {
        "name": "documents per minute at concurrency 2 vs two bare Tesseract processes",
        "value": 71.0,
        "baseline": 100.0,
        "ratio": 0.71,
        "target": 1.0,
        "unit": " docs/min",
        "higher_is_better": True,
        "met": False,
        "note": "one page is read twice",
        "value_range": [66.5, 74.25],
        "baseline_range": [96.0, 1210.0],
        "ratio_range": [0.667, 0.8],
    }
    assert readme.line(json.loads(json.dumps(row))) == (
        "| documents per minute at concurrency 2 vs two bare Tesseract processes | 71 docs/min (66.5–74.2) "
        "| 100 docs/min (96–1,210) | 0.71 (0.667–0.8) | ≥ 1 | **missed**: one page is read twice |"
    )
