"""`python -m redgrid_dev run|demo|bench [args]`: local development commands."""

import importlib
import sys

USAGE = "usage: python -m redgrid_dev {run,demo,bench} [args...]"


def main(argv: list[str]) -> int:
    """Dispatch to redgrid_dev.<command>.main(args)."""
    if not argv or argv[0] not in ("run", "demo", "bench"):
        print(USAGE, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    try:
        module = importlib.import_module(f"redgrid_dev.{command}")
    except ModuleNotFoundError as err:
        if err.name != f"redgrid_dev.{command}":
            raise
        print(f"redgrid_dev.{command} is not written yet", file=sys.stderr)
        return 2
    return module.main(args) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
