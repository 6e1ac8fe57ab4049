"""Deadlines as stored rows and the worker that fires them."""
