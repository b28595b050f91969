"""``docket demo``: fill the store with the example cases."""

from __future__ import annotations

import argparse

from core.exchange import demo
from core.i18n import _, ngettext
from core.store.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help=_("load the example cases (realistic disputes with timelines and evidence)"))
    p.set_defaults(func=run_demo)


def run_demo(store: Store, args: argparse.Namespace) -> int:
    added = demo.load_examples(store)
    if added:
        print(ngettext("Loaded {n} example case into {folder}.", "Loaded {n} example cases into {folder}.",
                       len(added)).format(n=len(added), folder=store.data_dir))
    else:
        print(_("The example cases are already loaded."))

    return 0
