//! [`StreamDecoder`]: push bytes in any chunking, pull frames. The only buffering code in the
//! project; every binding reuses it.

use bytes::BytesMut;

use crate::{Codec, Error, Result};

/// Buffers pushed bytes and decodes frames from them with a [`Codec`].
///
/// Any chunking of the same byte stream yields exactly the same frames and the same error.
/// Memory holds only bytes that were pushed and not yet decoded: a declared length is checked
/// against the codec's limits from the header, and nothing is reserved for it.
///
/// After an error the decoder is failed: every later call returns the same error (the
/// references close the connection on a framing error; there is no silent resync). Error
/// offsets count from the start of the stream.
#[derive(Debug)]
pub struct StreamDecoder<C: Codec> {
    codec: C,
    buf: BytesMut,
    position: u64,
    failed: Option<Error>,
}

impl<C: Codec> StreamDecoder<C> {
    /// A decoder using `codec`.
    pub fn new(codec: C) -> Self {
        StreamDecoder {
            codec,
            buf: BytesMut::new(),
            position: 0,
            failed: None,
        }
    }

    /// Append bytes to the buffer.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// The next complete frame, `Ok(None)` if more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<C::Frame>> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let before = self.buf.len();
        match self.codec.decode(&mut self.buf) {
            Ok(frame) => {
                self.position += (before - self.buf.len()) as u64;
                Ok(frame)
            }
            Err(e) => {
                let e = e.shifted(usize::try_from(self.position).unwrap_or(usize::MAX));
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Push `bytes` and return every frame now complete. If an error follows some frames, the
    /// frames are returned and the error comes from the next call, so no frame is lost.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<C::Frame>> {
        self.push(bytes);
        let mut frames = Vec::new();
        loop {
            match self.next_frame() {
                Ok(Some(frame)) => frames.push(frame),
                Ok(None) => return Ok(frames),
                Err(e) if frames.is_empty() => return Err(e),
                Err(_) => return Ok(frames),
            }
        }
    }

    /// Declare the end of the stream: `incomplete` if a partial frame is buffered.
    pub fn finish(&mut self) -> Result<()> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        let end = self.position + self.buf.len() as u64;
        Err(Error::incomplete(
            self.codec.protocol(),
            usize::try_from(end).unwrap_or(usize::MAX),
            format!(
                "stream ends inside a frame ({} bytes buffered)",
                self.buf.len()
            ),
        ))
    }

    /// The bytes pushed but not yet decoded (frames decoded next are slices of this memory).
    pub fn buffered_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Bytes pushed but not yet decoded.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Bytes consumed by decoded frames since the start of the stream.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The codec.
    pub fn codec(&self) -> &C {
        &self.codec
    }

    /// The codec, mutably (to change options between frames).
    pub fn codec_mut(&mut self) -> &mut C {
        &mut self.codec
    }
}

/// Decode every frame of a complete stream (one-shot form of [`StreamDecoder`]).
pub fn decode_all<C: Codec>(codec: C, input: &[u8]) -> Result<Vec<C::Frame>> {
    let mut decoder = StreamDecoder::new(codec);
    decoder.push(input);
    let mut frames = Vec::new();
    while let Some(frame) = decoder.next_frame()? {
        frames.push(frame);
    }
    decoder.finish()?;
    Ok(frames)
}
