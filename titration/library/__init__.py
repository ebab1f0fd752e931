"""The drug library: products, protocols, reaction policies and the symptom catalogue, as one
versioned thing (resources/library.toml gives its version number, effective date and changelog
line; its identity is a hash of its content).

    manifest    library.toml, read strictly
    identity    the canonical content hash, and the version an infusion records
    load        the whole library read strictly from a folder (a Library)
    checks      the invariants across files (`library check`)
    diff        what changed between two libraries, in words, safety-lowering changes first
    resources   every resource file checked at start (the library and the unit's other files)

This package stays light to import: a session records the version through `identity` alone.
"""
