"""``python -m bench similarity``: generated initiatives go through the real rule (no timings asserted)."""
from bench import similarity


def test_generated_initiatives_each_get_neighbours():
    report = similarity.run(300)
    assert report["initiatives"] == 300
    assert report["rows"] == 300 * 10  # the vocabulary repeats, so every item has ten neighbours
    assert report["characters"] > 300 * 50 and report["peak_mb"] > 0
