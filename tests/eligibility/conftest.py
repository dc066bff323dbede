"""Fixtures of the engine tests: the zoning fixtures of ``tests/zones`` (Paris and the
petite couronne, decree 12-209, the drawn decree 17-1000, two regions)."""

from tests.zones.conftest import decree_2012, decree_2018, two_regions_engine

__all__ = ["decree_2012", "decree_2018", "two_regions_engine"]
