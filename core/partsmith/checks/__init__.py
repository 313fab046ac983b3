"""Checks of a made part: against the sizes, counts and kinds the prompt states, and against
what the program's own features asked for.
"""
