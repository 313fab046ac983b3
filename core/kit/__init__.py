"""Parametric part families in build123d, for generated scripts and the structured route."""
