"""Records → RDF: one named graph per source, the ontology, provenance; then publish into the store."""
