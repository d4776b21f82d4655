"""What a seed run did, per table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableCount:
    table: str
    total: int  # rows in the table after the run
    inserted: int = 0
    updated: int = 0
    deleted: int = 0


@dataclass(frozen=True)
class SeedReport:
    """Counts per table after a seed run, what this run wrote, and what it could not load."""

    seed: int
    tables: tuple[TableCount, ...]
    facts: tuple[tuple[str, int], ...] = ()  # labelled counts, e.g. imputed measurements
    skipped: tuple[str, ...] = ()  # source rows not loaded, with the reason
    synthetic: bool = True  # whether the synthetic generator ran
    seconds: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        """Rows per table after the run."""
        return {t.table: t.total for t in self.tables}

    @property
    def written(self) -> int:
        return sum(t.inserted + t.updated + t.deleted for t in self.tables)

    def __str__(self) -> str:
        width = max(len(t.table) for t in self.tables) if self.tables else 5
        lines = [
            f"seed {self.seed}: {self.written} rows written in {self.seconds:.1f} s"
            + ("" if self.synthetic else " (synthetic generator not available: skipped)"),
            f"  {'table':<{width}}  {'rows':>7}  {'inserted':>8}  {'updated':>7}  {'deleted':>7}",
        ]
        for t in self.tables:
            counts = f"{t.total:>7}  {t.inserted:>8}  {t.updated:>7}  {t.deleted:>7}"
            lines.append(f"  {t.table:<{width}}  {counts}")
        lines += [f"  {label}: {value}" for label, value in self.facts]
        if self.skipped:
            lines.append(f"  not loaded ({len(self.skipped)}):")
            lines += [f"    {s}" for s in self.skipped]
        return "\n".join(lines)
