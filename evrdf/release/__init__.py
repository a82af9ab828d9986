"""Releases: what one published release is (its id, its files, its changelog against the previous one) and the
index of every release a store has ever published. Build, SPARQL Update and remote publishing all describe
their releases through this package; it reads release directories and writes release files, never serves."""
