"""Partners for a district: the logit, the district-side walk and a rank blend, compared.

Builds the real record from the seed's reference files (as the seed loads it) and prints
:func:`recommender.partner_candidates.compare` for the source-blocked and leak-free
variants, with what each outer fold's training holds chose. A diagnostic, not part of
``mitra evaluate`` (about 80 s of CPU per variant; run it with ``nice``).

``python -m service.tools.partner_candidates [--variant source_blocked|leak_free]``
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence

import pandas as pd

from recommender.partner_candidates import compare
from recommender.real_training import LEAK_FREE, SOURCE_BLOCKED
from recommender.simulation import load_reference_districts
from service.seed.partners import real_partner_frames
from service.settings import REFERENCE_DIR


def reference_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Districts, real partners and real partnerships (with sources) from the seed files."""
    d = load_reference_districts(REFERENCE_DIR)
    p, h = real_partner_frames(d)
    return d, p, h


def main(argv: Sequence[str] | None = None) -> None:
    """Print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variant", choices=(SOURCE_BLOCKED, LEAK_FREE), action="append")
    args = ap.parse_args(argv)
    frames = reference_frames()
    for variant in args.variant or (SOURCE_BLOCKED, LEAK_FREE):
        table, choices = compare(*frames, variant=variant, as_of=dt.date(2026, 1, 1))
        with pd.option_context("display.width", 250, "display.max_columns", 40):
            print(table.to_string(float_format=lambda v: f"{v:.3f}"), flush=True)
        for i, ch in enumerate(choices):
            print(f"fold {i}: walk {ch.walk}; blend (logit, walk, geography) {ch.weights}")


if __name__ == "__main__":
    main()
