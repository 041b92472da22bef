"""Dispatch arithmetic: overlaps and the ranking of technicians (R11).

Pure functions: no environment, no ORM. The models gather the facts
(skills, areas, bookings) and own the records.
"""


def overlaps(start_a, end_a, start_b, end_b):
    """Whether [start_a, end_a) and [start_b, end_b) share some time.
    Touching intervals (one ends when the other starts) do not overlap."""
    if not (start_a and end_a and start_b and end_b):
        return False
    return start_a < end_b and start_b < end_a


def score(candidate):
    """A sort key, best first: free at that time, then the share of the
    needed skills they have, then in the customer's area, then the
    lightest day, then the name (stable)."""
    needed = candidate.get("skills_needed") or 0
    coverage = (candidate.get("skills_matched") or 0) / needed if needed else 1.0
    return (
        bool(candidate.get("conflict")),
        -coverage,
        not candidate.get("in_area"),
        candidate.get("load_hours") or 0.0,
        candidate.get("name") or "",
    )


def rank(candidates):
    """`candidates` (dicts with skills_matched, skills_needed, in_area,
    load_hours, conflict, name) sorted best first, each with its `rank`
    (1 = best) added."""
    ranked = sorted(candidates, key=score)
    return [dict(candidate, rank=i) for i, candidate in enumerate(ranked, start=1)]
