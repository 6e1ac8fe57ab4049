"""`python -m dispatch`: serve the dispatch API, relay and consumer on PORT (8002)."""

from redgrid_shared.service import serve

from dispatch.settings import Settings

if __name__ == "__main__":
    serve(Settings(), "dispatch.main:create_app")
