"""The publishers: the orchestration above the stages that turns sources into a published release.

`evrdf build` (build.py), SPARQL Update (update.py) and `evrdf import` (imports.py) each run build -> validate ->
release -> store in order; the stages below never call one another upwards, so this is where their order lives.
"""
