"""The state kgbuild keeps under ``.kgbuild/`` (``[paths] store``): one home for it.

- ``lock``: the build lock ``store.lock`` (one build at a time in a checkout);
- ``versions``: the embedded store's versions ``store-<id>``, their manifest
  ``store.json`` and the input fingerprints it records.

Nothing outside this package reads or writes paths under ``.kgbuild/``.
Imports nothing but stdlib here (pyoxigraph only where a store is opened).
"""
