//! The one seam every protocol plugs into: [`Codec`] and [`Limits`].

use std::mem::MaybeUninit;

use bytes::{BufMut, BytesMut};

use crate::{Error, ErrorKind, Protocol, Result};

/// Decoder limits, checked from a frame's header before anything is allocated for it.
///
/// What "frame size" measures is each protocol's own length field (payload or body length, the
/// header not counted); see the module docs. Every codec documents its defaults, which are the
/// reference implementation's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Largest length a frame may declare.
    pub max_frame_size: u64,
    /// Largest total size of decompressed data in one frame. Protocols without compression
    /// ignore it.
    pub max_decompressed_size: u64,
}

impl Limits {
    /// `invalid_argument` unless `max_frame_size` fits the protocol's 32-bit length field.
    pub(crate) fn check_u32_lengths(self, protocol: Protocol) -> Result<Limits> {
        if self.max_frame_size > u64::from(u32::MAX) {
            return Err(Error::invalid_argument(
                protocol,
                "max_frame_size over 4294967295: the length fields are 32 bits",
            ));
        }
        Ok(self)
    }

    /// An encoder's `what` of `len` bytes, refused (`invalid_argument`) over `max_frame_size`:
    /// a peer with the same limits would refuse the frame.
    pub(crate) fn check_encode(self, protocol: Protocol, what: &str, len: usize) -> Result<usize> {
        if len as u64 > self.max_frame_size {
            return Err(Error::invalid_argument(
                protocol,
                format!(
                    "{what} of {len} bytes exceeds max_frame_size ({} bytes)",
                    self.max_frame_size
                ),
            ));
        }
        Ok(len)
    }
}

/// A frame codec, shaped like tokio-util's `Decoder`/`Encoder` pair.
///
/// Contract every implementation keeps (and the property tests check):
/// - `decode` returns `Ok(None)` when `src` holds a proper prefix of a frame and then leaves
///   `src` untouched; it never reserves memory for a length the frame declares;
/// - on `Ok(Some(frame))` exactly that frame's bytes have been removed from the front of `src`;
/// - error offsets count from the start of `src`; after an error the stream is broken (the
///   bytes of the offending frame may or may not have been removed from `src`);
/// - `encoded_len(f)` is exactly the number of bytes `encode(f)` appends.
pub trait Codec {
    /// The decoded frame (message) type.
    type Frame;

    /// Replace the limits; `invalid_argument` when a limit is outside what the protocol can
    /// express.
    fn set_limits(&mut self, limits: Limits) -> Result<()>;

    /// A default codec (the reference's limits and options) with the given limits.
    fn with_limits(limits: Limits) -> Result<Self>
    where
        Self: Sized + Default,
    {
        let mut codec = Self::default();
        codec.set_limits(limits)?;
        Ok(codec)
    }

    /// The protocol this codec speaks.
    fn protocol(&self) -> Protocol;

    /// The limits in force.
    fn limits(&self) -> Limits;

    /// Set a protocol option by name (`wire decode -o key=value`, the bindings' keyword
    /// arguments). Unknown keys and values are `invalid_argument`.
    fn set_option(&mut self, key: &str, value: &str) -> Result<()> {
        let _ = value;
        Err(Error::invalid_argument(
            self.protocol(),
            format!("unknown option {key:?}"),
        ))
    }

    /// Decode one frame from the front of `src`. A codec may keep how far it parsed between
    /// calls: after `Ok(None)` the next call must be given the same buffer with bytes appended
    /// (as [`crate::StreamDecoder`] does), or follow [`Codec::reset`].
    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Frame>>;

    /// Forget a partial parse left by a `decode` that returned `Ok(None)`, so the next call
    /// may be given an unrelated buffer. Codecs that keep no state between calls do nothing.
    fn reset(&mut self) {}

    /// Exact encoded size of `frame`.
    fn encoded_len(&self, frame: &Self::Frame) -> Result<usize>;

    /// Whether [`Codec::encoded_len`] has to encode the frame to know its size (a compressed
    /// size is only known by compressing): a caller wanting the bytes then encodes once into a
    /// growing buffer rather than sizing one first.
    fn encoded_len_encodes(&self) -> bool {
        false
    }

    /// Append the encoding of `frame` to `dst`. On error nothing is appended.
    fn encode(&mut self, frame: &Self::Frame, dst: &mut BytesMut) -> Result<()>;

    /// Write the encoding of `frame` into `dst`, which must be exactly
    /// [`Codec::encoded_len`] bytes long and may be uninitialised: a binding fills the buffer
    /// of its language's freshly allocated byte string in one pass, with no intermediate copy.
    /// Every byte of `dst` is written on success; `invalid_argument` if `dst` has another
    /// length. The default encodes into a temporary buffer and copies it; codecs that write
    /// their frames directly override it.
    fn encode_to_slice(&mut self, frame: &Self::Frame, dst: &mut [MaybeUninit<u8>]) -> Result<()> {
        let mut buf = BytesMut::with_capacity(dst.len());
        self.encode(frame, &mut buf)?;
        fill_slice(self.protocol(), dst, buf.len(), |out| out.put_slice(&buf))
    }

    /// The canonical JSON form of `frame`: `{"type": name, "fields": {...}}`, exactly the
    /// `type` and `fields` of an entry of `vectors/*.json` (see [`crate::json`]).
    #[cfg(feature = "json")]
    fn to_json(&self, frame: &Self::Frame) -> serde_json::Value;

    /// Parse the canonical JSON form; `invalid_argument` on anything else. Takes `&self` so
    /// codec options can apply (the name is the one every binding exposes).
    #[cfg(feature = "json")]
    #[allow(clippy::wrong_self_convention)]
    fn from_json(&self, value: &serde_json::Value) -> Result<Self::Frame>;
}

/// Decode exactly one frame from `input`: truncated input is `incomplete`, bytes after the
/// frame are `trailing_bytes`.
///
/// The codec parses `input` afresh and keeps no partial parse afterwards ([`Codec::reset`]).
pub fn decode_exact<C: Codec>(codec: &mut C, input: &[u8]) -> Result<C::Frame> {
    let protocol = codec.protocol();
    codec.reset();
    let result = exactly_one(protocol, input, |buf| codec.decode(buf));
    codec.reset();
    result
}

/// [`decode_exact`] over a buffer the caller owns: decoded byte fields are slices of `input`'s
/// allocation (no copy), so a binding can tell where each one lies in the caller's bytes.
pub fn decode_exact_owned<C: Codec>(codec: &mut C, input: BytesMut) -> Result<C::Frame> {
    let protocol = codec.protocol();
    codec.reset();
    let result = exactly_one_owned(protocol, input, |buf| codec.decode(buf));
    codec.reset();
    result
}

/// The one-frame rule shared by [`decode_exact`] and `AnyCodec::decode_exact`.
pub(crate) fn exactly_one<F>(
    protocol: Protocol,
    input: &[u8],
    decode: impl FnOnce(&mut BytesMut) -> Result<Option<F>>,
) -> Result<F> {
    exactly_one_owned(protocol, BytesMut::from(input), decode)
}

fn exactly_one_owned<F>(
    protocol: Protocol,
    mut buf: BytesMut,
    decode: impl FnOnce(&mut BytesMut) -> Result<Option<F>>,
) -> Result<F> {
    let len = buf.len();
    match decode(&mut buf)? {
        None => Err(Error::incomplete(
            protocol,
            len,
            "input ends before the frame does",
        )),
        Some(frame) if buf.is_empty() => Ok(frame),
        Some(_) => Err(Error::at(
            protocol,
            ErrorKind::TrailingBytes,
            len - buf.len(),
            format!("{} bytes after the end of the frame", buf.len()),
        )),
    }
}

/// Length of the complete, fully validated first frame of `input`; `None` if more bytes are
/// needed.
///
/// The codec parses `input` afresh and keeps no partial parse afterwards ([`Codec::reset`]).
pub fn frame_length<C: Codec>(codec: &mut C, input: &[u8]) -> Result<Option<usize>> {
    codec.reset();
    let result = measure_first(input, |buf| codec.decode(buf));
    codec.reset();
    result
}

/// Shared by [`frame_length`] and `AnyCodec::frame_length`.
pub(crate) fn measure_first<F>(
    input: &[u8],
    decode: impl FnOnce(&mut BytesMut) -> Result<Option<F>>,
) -> Result<Option<usize>> {
    let mut buf = BytesMut::from(input);
    Ok(decode(&mut buf)?.map(|_| input.len() - buf.len()))
}

/// Encode `frame` into a new vector of exactly [`Codec::encoded_len`] bytes.
pub fn encode_to_vec<C: Codec>(codec: &mut C, frame: &C::Frame) -> Result<Vec<u8>> {
    let capacity = if codec.encoded_len_encodes() {
        0
    } else {
        codec.encoded_len(frame)?
    };
    let mut buf = BytesMut::with_capacity(capacity);
    codec.encode(frame, &mut buf)?;
    Ok(buf.into())
}

/// The shared body of [`Codec::encode_to_slice`]: `dst` must be `len` bytes long, and `write`
/// must fill all of it (it writes through the slice's [`BufMut`], which panics rather than
/// overrun, so a wrong `len` can never write out of bounds).
pub(crate) fn fill_slice(
    protocol: Protocol,
    dst: &mut [MaybeUninit<u8>],
    len: usize,
    write: impl FnOnce(&mut &mut [MaybeUninit<u8>]),
) -> Result<()> {
    if dst.len() != len {
        return Err(Error::invalid_argument(
            protocol,
            format!(
                "output buffer of {} bytes for a frame of {len} bytes",
                dst.len()
            ),
        ));
    }
    let mut out = dst;
    write(&mut out);
    if !out.is_empty() {
        return Err(Error::invalid_argument(
            protocol,
            format!("{} bytes of the output buffer left unwritten", out.len()),
        ));
    }
    Ok(())
}

/// Set an option by name on any codec: the limits `max_frame_size` and `max_decompressed_size`
/// (decimal), else the codec's own [`Codec::set_option`]. `AnyCodec` and the bindings' keyword
/// options go through it.
pub fn set_option<C: Codec + ?Sized>(codec: &mut C, key: &str, value: &str) -> Result<()> {
    match limits_with_option(codec, key, value) {
        Some(limits) => codec.set_limits(limits?),
        None => codec.set_option(key, value),
    }
}

/// The codec's limits with the limit named `key` set to `value`, or `None` when `key` names no
/// limit.
pub(crate) fn limits_with_option<C: Codec + ?Sized>(
    codec: &C,
    key: &str,
    value: &str,
) -> Option<Result<Limits>> {
    let mut limits = codec.limits();
    let slot = match key {
        "max_frame_size" => &mut limits.max_frame_size,
        "max_decompressed_size" => &mut limits.max_decompressed_size,
        _ => return None,
    };
    match parse_u64_option(codec.protocol(), key, value) {
        Ok(v) => *slot = v,
        Err(e) => return Some(Err(e)),
    }
    Some(Ok(limits))
}

/// Parse a decimal option value.
pub(crate) fn parse_u64_option(protocol: Protocol, key: &str, value: &str) -> Result<u64> {
    value.parse().map_err(|_| {
        Error::invalid_argument(
            protocol,
            format!("option {key:?}: {value:?} is not a decimal integer"),
        )
    })
}
