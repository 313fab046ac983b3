"""Inside the sandbox only: a script's result turned into one checked shape, measured and exported.
"""
