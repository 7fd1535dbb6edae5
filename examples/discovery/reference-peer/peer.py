"""Peer discovery entry point.

    python3 peer.py --name N --port P [--group G] [--mport M] [--interval S]
"""

from __future__ import annotations

import argparse
import re

import gui

DEFAULT_GROUP = "239.255.42.99"
DEFAULT_MPORT = 4299
DEFAULT_INTERVAL = 2.0


def peer_name(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", text):
        raise argparse.ArgumentTypeError("1-32 letters, digits, '_' or '-'")
    return text


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Peer discovery over multicast")
    parser.add_argument("--name", type=peer_name, required=True, help="this peer's name")
    parser.add_argument("--port", type=int, required=True,
                        help="TCP port this peer listens on")
    parser.add_argument("--group", default=DEFAULT_GROUP,
                        help=f"multicast group (default {DEFAULT_GROUP})")
    parser.add_argument("--mport", type=int, default=DEFAULT_MPORT,
                        help=f"multicast UDP port (default {DEFAULT_MPORT})")
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL,
                        help=f"seconds between ANNOUNCEs (default {DEFAULT_INTERVAL})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    gui.run(args.name, args.port, args.group, args.mport, args.interval)


if __name__ == "__main__":
    main()
