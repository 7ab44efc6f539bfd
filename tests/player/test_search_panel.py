"""The Player's search panel on a real library: approximate hits are marked as such."""

from __future__ import annotations

from player.ui.search_panel import SearchPanel
from shared.library import Library
from tests.shared.test_library import make_package


def _labels(panel: SearchPanel) -> list[str]:
    return [
        panel.results.itemWidget(panel.results.item(row)).text()
        for row in range(panel.results.count())
    ]


def test_approximate_hits_are_marked_and_exact_ones_are_not(qtbot, tmp_path):
    with Library.open(tmp_path / "library") as library:
        library.import_course(make_package(tmp_path / "packages"))
        panel = SearchPanel(library)
        qtbot.addWidget(panel)
        panel.set_query("mitocondria")  # misheard: one letter missing
        panel.run()
        assert [hit.approximate for hit in panel.hits] == [True, True]
        assert all("≈" in text and "approximate" in text for text in _labels(panel))
        assert "no exact match" in panel.summary.text()
        panel.set_query("mitochondria")
        panel.run()
        assert len(panel.hits) == 2 and not any("≈" in text for text in _labels(panel))
        assert "no exact match" not in panel.summary.text()
