"""Development token CLI: `python -m redgrid_shared.tokens --role resident --sub u-1001`."""

import argparse

from redgrid_shared.auth import mint_token
from redgrid_shared.settings import ServiceSettings


def main(argv: list[str] | None = None) -> None:
    """Print one HS256 development token signed with REDGRID_JWT_SECRET."""
    parser = argparse.ArgumentParser(description="Mint a RedGrid development token.")
    parser.add_argument("--sub", required=True, help="person id, e.g. u-1001 or s-01")
    parser.add_argument("--role", required=True,
                        choices=["resident", "steward", "repairer", "operator", "admin"])
    parser.add_argument("--community", default="erqiaoxi")
    parser.add_argument("--grid", action="append", default=[], help="grid id (staff); repeat")
    parser.add_argument("--ttl", type=int, default=86400, help="lifetime in seconds")
    args = parser.parse_args(argv)
    secret = ServiceSettings().jwt_secret
    print(mint_token(secret=secret, sub=args.sub, role=args.role, community=args.community,
                     grids=args.grid, ttl_seconds=args.ttl))


if __name__ == "__main__":
    main()
