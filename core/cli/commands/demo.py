"""``docket demo``: fill the store with the example cases."""

from __future__ import annotations

import argparse

from core.exchange import demo
from core.store.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="load the example cases (realistic disputes with timelines and evidence)")
    p.set_defaults(func=run_demo)


def run_demo(store: Store, args: argparse.Namespace) -> int:
    added = demo.load_examples(store)
    if added:
        print(f"Loaded {len(added)} example cases into {store.data_dir}.")
    else:
        print("The example cases are already loaded.")
    return 0
