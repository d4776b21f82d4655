"""What the history says happened: which partnerships lasted, which were commitments.

Both rules read the history frame of :mod:`recommender.features` (``status,
duration_months, start_date, end_date``) and are shared by the features, the training
labels and the evaluation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.vocab import MIN_COMMITMENT_MONTHS


def lasted(history: pd.DataFrame) -> pd.Series:
    """Success label: lasted at least 6 months and not cancelled (NaN when unknown).

    Proposed partnerships and rows without a duration (e.g. real "reported" ones whose
    source gives none) have no label.
    """
    dur = pd.to_numeric(history["duration_months"], errors="coerce")
    ok = (dur >= MIN_COMMITMENT_MONTHS) & (history["status"] != "cancelled")
    out = ok.astype(float)
    out[dur.isna() & (history["status"] != "cancelled")] = np.nan
    out[history["status"] == "proposed"] = np.nan
    return out


def commitments_known(
    status: np.ndarray,
    duration_months: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    cut: np.datetime64,
) -> np.ndarray:
    """Which partnerships were campaign commitments as far as was known at ``cut``.

    The campaign (``service.domain.campaign``) counts active, completed and reported
    partnerships of at least 6 months. At a past ``cut`` the final status and duration of
    a partnership still running then are not known yet, so:

    * reported (real, no dates of their own): a stated duration of 6 months or more;
    * ended by ``cut``: completed (or active) and at least 6 months long;
    * still running at ``cut`` and still active today: its planned duration (a plan is
      known from the signing) is at least 6 months;
    * still running at ``cut`` but ended since (completed or cancelled later): it had
      already run 6 months at ``cut``.

    Proposed partnerships and partnerships starting after ``cut`` never count. With
    ``cut`` = today this is the campaign's rule.
    """
    dur = pd.to_numeric(pd.Series(duration_months), errors="coerce").to_numpy(float)
    long = np.nan_to_num(dur, nan=0.0) >= MIN_COMMITMENT_MONTHS
    finished = np.isin(status, ["completed", "cancelled"])
    # a finished partnership without an end date: only its final status is known
    ended = np.where(np.isnat(end), finished, end <= cut)
    ran_six = start + np.timedelta64(183, "D") <= cut
    running = np.where(status == "active", long, finished & ran_six)
    known = np.where(
        status == "reported",
        long,
        np.where(ended, np.isin(status, ["active", "completed"]) & long, running),
    )
    return np.asarray(known & ((start < cut) | (status == "reported")))


def as_days(s: pd.Series) -> np.ndarray:
    """Parse dates (unparseable ones as NaT) to ``datetime64[D]``."""
    return pd.to_datetime(s, errors="coerce").to_numpy("datetime64[D]")
