"""`python -m stats`: serve the stats service on PORT (default 8003)."""

from redgrid_shared.service import serve

from stats.settings import Settings

if __name__ == "__main__":
    serve(Settings(), "stats.main:create_app")
