"""Generation: the attempt loop, the router, the prompt styles, and salvage of a failed program.
"""
