"""The programmes served, found from the data: every folder data/<key>/ loads into graphs `{base}graph/<key>/…`."""

from __future__ import annotations

from dataclasses import dataclass

from service.store.embedded import Store


@dataclass(frozen=True)
class Programme:
    key: str  # the folder name, e.g. "soest-2009"
    graphs: tuple[str, ...]  # IRIs of its named graphs
    triples: int

    def dataset(self, base: str) -> str:
        """The dcat:Dataset: a hash IRI on its landing page, so the page itself stays a document."""
        return f"{self.landing_page(base)}#datensatz"

    def landing_page(self, base: str) -> str:
        return f"{base}data/{self.key}"

    def graph(self, base: str, suffix: str) -> str:
        return f"{base}graph/{self.key}/{suffix}"


def find_programmes(store: Store, base: str) -> list[Programme]:
    """One programme per key of the graphs `{base}graph/<key>/<part>`, sorted by key."""
    prefix = f"{base}graph/"
    found: dict[str, dict[str, int]] = {}
    for graph, count in store.graph_sizes().items():
        key, slash, part = graph.removeprefix(prefix).partition("/")
        if graph.startswith(prefix) and slash and part:
            found.setdefault(key, {})[graph] = count
    return [Programme(key, tuple(sorted(graphs)), sum(graphs.values())) for key, graphs in sorted(found.items())]
