//! Tests of the catalogue (schemas/ and fixtures/): meta-validation, examples, errata, traceability.
