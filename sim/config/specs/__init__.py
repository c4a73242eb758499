"""Input files as declared models: what each kind of file may hold, and the one formatter of its problems."""
