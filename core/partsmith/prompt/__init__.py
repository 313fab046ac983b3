"""The user's words to facts: units, sizes, counts and kinds, spelling, edits, prompt checks.

Pure text: nothing here loads a model or OCCT.
"""
