"""The infusion record as HL7 FHIR R4 (built and validated with fhir.resources' R4B models, the R4
resources used here being the same in R4B): a collection Bundle, or a transaction Bundle whose
entries are created only if no resource with the same identifier exists (ifNoneExist).

codes.py: the code systems, codes and units used; ids.py: stable ids and identifiers;
resources.py: one function per resource; bundle.py: the Bundle, validated; rules.py: the checks
the models do not make (mad-1, per-1, reference targets, required codes, UCUM units).
"""
