"""The checks of a graph: the build's and ``kgbuild validate``'s (``build``) and the contribution check's."""
