"""OGC API - Features (Part 1 Core, Part 2 CRS by reference) over our domain functions.

Nothing here knows HTTP: ``cesp/api/routes/ogc.py`` parses the request and turns the
documents built here into responses. See ``cesp/ogc/catalog.py`` for why the protocol is
written here rather than delegated to pygeoapi or tipg.
"""
