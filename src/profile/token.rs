//! The token, kept in a newtype that never prints its value (`***` in `Debug` and `Display`).
//! A stand-in until the shared `auth::Secret` type is merged.

use std::fmt;

/// A credential. Its value leaves only through [`Token::expose`], at the HTTP boundary.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_value() {
        let t = Token::new("s3cret");
        assert_eq!(format!("{t:?} {t}"), "*** ***");
        assert_eq!(t.expose(), "s3cret");
    }
}
