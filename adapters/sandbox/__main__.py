"""Run the sandbox networks: ``python -m adapters.sandbox [--host H] [--port P] [--knobs JSON]``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from adapters.sandbox.knobs import ENV_VAR, knobs_from_env, parse_knob_sets
from adapters.sandbox.server import serve


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m adapters.sandbox", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("POSTILLON_SANDBOX_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("POSTILLON_SANDBOX_PORT", "8025")))
    parser.add_argument(
        "--knobs", help=f'start knobs as JSON, e.g. \'{{"x": {{"latency_ms": 200}}}}\' (overrides ${ENV_VAR})'
    )
    parser.add_argument("--quiet", action="store_true", help="do not log every request")
    args = parser.parse_args(argv)
    try:
        knobs = parse_knob_sets(json.loads(args.knobs)) if args.knobs else knobs_from_env(os.environ)
    except ValueError as error:  # KnobError and bad JSON alike
        parser.error(str(error))
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    serve(args.host, args.port, knobs=knobs, quiet=args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
