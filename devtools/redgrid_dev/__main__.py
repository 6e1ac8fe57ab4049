"""`python -m redgrid_dev run|demo|bench|chaos|import-ledger|fetch_probe [args]`: local
development commands."""

import importlib
import sys

COMMANDS = ("run", "demo", "bench", "chaos", "fetch_probe", "import-ledger")
USAGE = f"usage: python -m redgrid_dev {{{','.join(COMMANDS)}}} [args...]"


def main(argv: list[str]) -> int:
    """Dispatch to redgrid_dev.<command>.main(args)."""
    if not argv or argv[0] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    # Imported on demand: `run` should not pay for the bench's imports, nor the reverse.
    module = importlib.import_module(f"redgrid_dev.{command.replace('-', '_')}")
    return module.main(args) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
