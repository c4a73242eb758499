"""Hypothesis strategies shared by the unit and integration tests (importable: `pythonpath = ["tests"]`)."""

from hypothesis import strategies as st


def valid_value(p):
    """A hypothesis strategy for valid values of one scenario key (sim.config.schema.Param)."""
    if p.choices:
        return st.sampled_from(p.choices)
    if p.kind is tuple:  # a profile: `length` numbers in [low, high], not all 0 (the lab opens some day)
        number = st.floats(p.low, p.high, allow_nan=False, allow_infinity=False)
        return st.tuples(*[number] * p.length).filter(any)
    if p.kind is bool:
        return st.booleans()
    if p.kind is int:
        return st.integers(int(p.low), int(p.high))
    return st.floats(p.low, p.high, allow_nan=False, allow_infinity=False)
