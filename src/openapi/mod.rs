//! OpenAPI 3.1 export of the catalogue, so other tools (Schemathesis, Prism, Postman) can use the
//! same documented contract. Provenance (`x-source`) is kept throughout.

mod document;

pub use document::{component_name, openapi_document, openapi_json};
