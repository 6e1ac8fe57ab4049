"""`python -m intake`: serve the intake API on PORT (default 8001)."""

from intake.settings import Settings
from redgrid_shared.service import serve

if __name__ == "__main__":
    serve(Settings(), "intake.main:create_app")
