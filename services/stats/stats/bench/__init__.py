"""`python -m stats.bench`: load a community's year of events, rebuild, time the endpoints."""
