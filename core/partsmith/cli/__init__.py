"""The `partsmith` command: thin commands, what they print, and their way to the engine.
"""
