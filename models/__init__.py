"""The model catalog, shipped with the engine as the package data `partsmith.models`."""
