//! The little-endian field reader shared by the chitchat and replication decoders: a cursor
//! over a byte slice whose reads stop at its end. What running out means (need more bytes,
//! a frame limit, a truncated stream or message) differs per caller, so each one brings its
//! own error through [`Short`]; the reads themselves are written once.

/// The error of a read that reaches past the reader's bytes.
pub(crate) trait Short {
    /// The error type of the reads.
    type Error;

    /// `n` bytes from offset `at` were asked for and are not all there.
    fn short(&self, at: usize, n: usize) -> Self::Error;
}

/// Reads fields in order from `buf`, starting at `pos`.
pub(crate) struct Reader<'a, S> {
    /// Everything the reader may read.
    pub(crate) buf: &'a [u8],
    /// Offset of the next field.
    pub(crate) pos: usize,
    /// Builds the error of a read past `buf`.
    pub(crate) short: S,
}

impl<'a, S: Short> Reader<'a, S> {
    /// A reader at the start of `buf`.
    #[inline]
    pub(crate) fn new(buf: &'a [u8], short: S) -> Self {
        Reader { buf, pos: 0, short }
    }

    /// The next `n` bytes; past the end, the caller's error for the read at `pos` (which is
    /// left unchanged).
    #[inline(always)]
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], S::Error> {
        let start = self.pos;
        match start
            .checked_add(n)
            .and_then(|end| self.buf.get(start..end))
        {
            Some(bytes) => {
                self.pos = start + n;
                Ok(bytes)
            }
            None => Err(self.fail(start, n)),
        }
    }

    /// Kept out of line so that every read's fast path stays small.
    #[cold]
    #[inline(never)]
    fn fail(&self, at: usize, n: usize) -> S::Error {
        self.short.short(at, n)
    }

    /// The next `N` bytes as an array.
    #[inline(always)]
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], S::Error> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    #[inline(always)]
    pub(crate) fn u8(&mut self) -> Result<u8, S::Error> {
        Ok(self.array::<1>()?[0])
    }

    #[inline(always)]
    pub(crate) fn u16(&mut self) -> Result<u16, S::Error> {
        self.array().map(u16::from_le_bytes)
    }

    #[inline(always)]
    pub(crate) fn u32(&mut self) -> Result<u32, S::Error> {
        self.array().map(u32::from_le_bytes)
    }

    #[inline(always)]
    pub(crate) fn u64(&mut self) -> Result<u64, S::Error> {
        self.array().map(u64::from_le_bytes)
    }

    /// Whether every byte has been read.
    #[inline]
    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }
}
