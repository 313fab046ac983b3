"""Example part scripts shipped with the engine."""
