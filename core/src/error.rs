//! One error vocabulary for every protocol and every binding.
//!
//! The string codes and numbers of [`ErrorKind`] are part of the public contract of all four
//! APIs (Rust, Python, Node, C): they are never renumbered and a retired number is never reused.

use std::borrow::Cow;
use std::fmt;

use crate::Protocol;

/// What went wrong, independent of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[repr(u32)]
pub enum ErrorKind {
    /// The input ends before the frame does. More bytes may complete it.
    Incomplete = 1,
    /// The bytes can never form a valid frame.
    Malformed = 2,
    /// A declared length or a decompressed size exceeds the configured limit.
    TooLarge = 3,
    /// A version or framing byte this codec does not speak.
    UnsupportedVersion = 4,
    /// A field that the protocol requires to be UTF-8 is not.
    InvalidUtf8 = 5,
    /// A one-shot decode found bytes after the one frame it expects.
    TrailingBytes = 6,
    /// A value handed to an encoder (or a JSON field) that the protocol cannot carry.
    InvalidArgument = 7,
}

impl ErrorKind {
    /// Every kind, in number order.
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::Incomplete,
        ErrorKind::Malformed,
        ErrorKind::TooLarge,
        ErrorKind::UnsupportedVersion,
        ErrorKind::InvalidUtf8,
        ErrorKind::TrailingBytes,
        ErrorKind::InvalidArgument,
    ];

    /// The stable string code (`"malformed"`, ...), shared by every binding.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::Incomplete => "incomplete",
            ErrorKind::Malformed => "malformed",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::UnsupportedVersion => "unsupported_version",
            ErrorKind::InvalidUtf8 => "invalid_utf8",
            ErrorKind::TrailingBytes => "trailing_bytes",
            ErrorKind::InvalidArgument => "invalid_argument",
        }
    }

    /// The stable number (the C `wire_status` value).
    pub const fn number(self) -> u32 {
        self as u32
    }

    /// Inverse of [`ErrorKind::code`].
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A codec error: kind, protocol, byte offset (where meaningful) and a one-line reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    protocol: Option<Protocol>,
    offset: Option<usize>,
    reason: Cow<'static, str>,
}

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error without an offset.
    pub fn new(protocol: Protocol, kind: ErrorKind, reason: impl Into<Cow<'static, str>>) -> Self {
        Error {
            kind,
            protocol: Some(protocol),
            offset: None,
            reason: reason.into(),
        }
    }

    /// An error of no protocol: a caller's argument that names none (an unknown protocol name,
    /// a handle of the wrong kind).
    pub fn without_protocol(kind: ErrorKind, reason: impl Into<Cow<'static, str>>) -> Self {
        Error {
            kind,
            protocol: None,
            offset: None,
            reason: reason.into(),
        }
    }

    /// A new error at byte `offset` of the input.
    pub fn at(
        protocol: Protocol,
        kind: ErrorKind,
        offset: usize,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::new(protocol, kind, reason).with_offset(offset)
    }

    /// Input ended at `offset` before the frame did.
    pub fn incomplete(
        protocol: Protocol,
        offset: usize,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::at(protocol, ErrorKind::Incomplete, offset, reason)
    }

    /// Structurally invalid bytes at `offset`.
    pub fn malformed(
        protocol: Protocol,
        offset: usize,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::at(protocol, ErrorKind::Malformed, offset, reason)
    }

    /// A value the protocol cannot carry (encoder input, JSON field).
    pub fn invalid_argument(protocol: Protocol, reason: impl Into<Cow<'static, str>>) -> Self {
        Error::new(protocol, ErrorKind::InvalidArgument, reason)
    }

    /// A declared size of `declared` bytes over the configured `limit`.
    pub fn too_large(
        protocol: Protocol,
        offset: usize,
        what: &str,
        declared: u64,
        limit: u64,
    ) -> Self {
        Error::at(
            protocol,
            ErrorKind::TooLarge,
            offset,
            format!("{what} of {declared} bytes exceeds the limit of {limit} bytes"),
        )
    }

    /// Replace the offset.
    pub fn with_offset(mut self, offset: usize) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Shift the offset by `base`: used when a nested decoder reports an offset relative to
    /// its own slice.
    pub fn shifted(mut self, base: usize) -> Self {
        self.offset = self.offset.map(|o| o + base);
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable string code of the kind.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The protocol whose codec raised the error; `None` for an error of no protocol.
    pub fn protocol(&self) -> Option<Protocol> {
        self.protocol
    }

    /// Byte offset into the input where the problem was found, if meaningful.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// One-line human reason, without protocol, kind or offset.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.protocol {
            Some(protocol) => write!(f, "{protocol} {}", self.kind)?,
            None => write!(f, "{}", self.kind)?,
        }
        if let Some(offset) = self.offset {
            write!(f, " at offset {offset}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for Error {}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        let kind = match e.kind {
            ErrorKind::Incomplete => std::io::ErrorKind::UnexpectedEof,
            ErrorKind::InvalidArgument => std::io::ErrorKind::InvalidInput,
            _ => std::io::ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_numbers_are_stable() {
        let table: Vec<(&str, u32)> = ErrorKind::ALL
            .iter()
            .map(|k| (k.code(), k.number()))
            .collect();
        assert_eq!(
            table,
            [
                ("incomplete", 1),
                ("malformed", 2),
                ("too_large", 3),
                ("unsupported_version", 4),
                ("invalid_utf8", 5),
                ("trailing_bytes", 6),
                ("invalid_argument", 7),
            ]
        );
        for k in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_code(k.code()), Some(k));
        }
    }

    #[test]
    fn display_names_protocol_kind_offset_and_reason() {
        let e = Error::malformed(Protocol::Dnode, 7, "bad magic");
        assert_eq!(e.to_string(), "dnode malformed at offset 7: bad magic");
        assert_eq!(e.shifted(3).offset(), Some(10));
    }
}
