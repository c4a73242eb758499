"""A lab's visit log: read and checked, described, synthesised from a run, turned into targets."""
