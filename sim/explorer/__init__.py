"""The interactive explorer (SolaraViz) and its front-end files."""
