"""The engine: the composition root and the object the service and the command line drive.
"""
