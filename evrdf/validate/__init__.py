"""Validate: SHACL shapes (shapes/) checked against evrdf data, a report model, renderers and a history.

Two engines answer the same shapes: ``oxigraph`` compiles them to SPARQL and runs them on Oxigraph (the default:
fast enough for the build gate and for millions of triples), ``pyshacl`` is the reference implementation used on
small inputs and in the tests that keep the two in agreement.
"""

from evrdf.validate.report import Report, Result, Severity
from evrdf.validate.run import validate_dataset, validate_files, validate_store

__all__ = ["Report", "Result", "Severity", "validate_dataset", "validate_files", "validate_store"]
