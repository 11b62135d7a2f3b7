//! The header scanner: a resumable state machine over the header text, so a header that
//! arrives a byte at a time costs one pass over its bytes.

use bytes::Bytes;

use super::{DmsgHeader, DmsgType, FLAGS_MASK, MAGIC, MAX_HEADER_TEXT_LEN, P};
use crate::{Error, ErrorKind, Limits, Result};

/// A scanned header: numeric fields, where the data field is, and the header length.
#[derive(Debug, Clone)]
pub(super) struct Scanned {
    id: u64,
    r#type: u8,
    flags: u8,
    version: u8,
    same_dc: bool,
    pub(super) data: std::ops::Range<usize>,
    pub(super) plen: u32,
    pub(super) len: usize,
}

impl Scanned {
    pub(super) fn into_header(self, data: Bytes) -> DmsgHeader {
        DmsgHeader {
            id: self.id,
            r#type: DmsgType::from_u8(self.r#type),
            flags: self.flags,
            version: self.version,
            same_dc: self.same_dc,
            data,
            plen: self.plen,
        }
    }
}

/// A resumable header scanner: an explicit state machine over the header bytes. Every field
/// lives here rather than on the stack, so a scan that ran out of bytes continues where it
/// stopped when it is given the same buffer with more bytes appended, and each byte is examined
/// once whatever the chunking. `Scanner::default()` starts at byte 0.
#[derive(Debug, Clone, Default)]
pub(super) struct Scanner {
    /// Offset of the next byte to examine.
    pub(super) pos: usize,
    /// Length of the data field once skipped (not counted as header text).
    data_len: usize,
    /// What the next byte must be.
    stage: Stage,
    /// id, type, flags and version, as read so far.
    values: [u64; 4],
    same_dc: bool,
    /// The decimal field being read (mlen, then plen once the data field is skipped).
    number: Number,
    /// Where the data field is, once mlen is known.
    data: std::ops::Range<usize>,
}

/// The parts of a header, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Stage {
    /// Leading spaces, up to the `$` that starts the magic.
    #[default]
    Spaces,
    /// The rest of the magic: how many of its bytes matched so far.
    Magic(usize),
    /// Exactly one space after the magic.
    MagicSpace,
    /// One of the numeric fields before same_dc.
    Field(Field),
    SameDc,
    /// The single space after same_dc.
    SameDcSpace,
    /// mlen, with any `*` before it.
    Mlen,
    /// The data field: skipped whole once all of it is buffered, never examined.
    Data,
    /// Spaces up to the `*` before plen.
    PlenStar,
    /// plen, ended by CR.
    Plen,
    /// The LF after the CR.
    Lf,
}

/// A decimal field being read: its value so far, its offset and whether the last byte was a
/// digit.
#[derive(Debug, Clone, Copy, Default)]
struct Number {
    value: u64,
    start: usize,
    prev_digit: bool,
}

/// How a decimal field is read: its name and maximum, the byte ending it, whether `*` is
/// skipped and whether the field may be empty.
struct NumberRule {
    what: &'static str,
    max: u64,
    end: u8,
    stars: bool,
    empty_ok: bool,
}

const MLEN: NumberRule = NumberRule {
    what: "mlen",
    max: u32::MAX as u64,
    end: b' ',
    stars: true,
    empty_ok: false,
};

const PLEN: NumberRule = NumberRule {
    what: "plen",
    max: u32::MAX as u64,
    end: b'\r',
    stars: false,
    empty_ok: true,
};

/// The numeric fields between the magic and same_dc, each ended by one space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Type,
    Flags,
    Version,
}

impl Field {
    fn rule(self) -> NumberRule {
        let (what, max) = match self {
            Field::Id => ("id", u64::MAX),
            Field::Type => ("type", u8::MAX.into()),
            Field::Flags => ("flags", u8::MAX.into()),
            Field::Version => ("version", u8::MAX.into()),
        };
        NumberRule {
            what,
            max,
            end: b' ',
            stars: false,
            empty_ok: false,
        }
    }

    /// Its slot in [`Scanner::values`].
    fn index(self) -> usize {
        self as usize
    }

    /// The field after this one; `None` after version (same_dc comes next).
    fn next(self) -> Option<Field> {
        match self {
            Field::Id => Some(Field::Type),
            Field::Type => Some(Field::Flags),
            Field::Flags => Some(Field::Version),
            Field::Version => None,
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Header bytes examined by [`Scanner::scan`] on this thread (tests measure the cost of a
    /// trickled header with it).
    static EXAMINED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Why a scan stopped on a bad header, kept small so the hot path passes it in registers;
/// [`Scanner::error`] builds the [`Error`] from it and the scanner's state (cold path).
#[derive(Debug, Clone, Copy)]
enum Fail {
    /// A byte other than a space or `$` before the magic.
    Magic(u8),
    /// A byte of the magic that does not match.
    BadMagic,
    /// Not a space after the magic.
    MagicSpace,
    /// same_dc other than `0` or `1`.
    SameDc,
    /// Not a space after same_dc.
    SameDcSpace,
    /// A decimal field (the current stage) over its maximum.
    Overflow,
    /// The end byte of a decimal field (the current stage) before any digit.
    NoDigit,
    /// Any other byte in a decimal field (the current stage).
    Byte(u8),
    /// mlen 0.
    MlenZero,
    /// mlen over the limit.
    MlenLimit,
    /// Not a space or `*` after the data field.
    PlenStar(u8),
    /// CR not followed by LF.
    Lf,
    /// plen over the limit.
    PlenLimit,
}

impl Scanner {
    /// Scan from where the last call stopped. `Ok(None)`: every byte of `input` is examined
    /// and more are needed; the state is kept for the next call, which must get the same
    /// bytes (and possibly more).
    #[inline]
    pub(super) fn scan(&mut self, input: &[u8], limits: &Limits) -> Result<Option<Scanned>> {
        loop {
            if self.stage == Stage::Data {
                let mlen = self.data.len();
                if input.len().saturating_sub(self.pos) < mlen {
                    return Ok(None);
                }
                self.pos += mlen;
                self.data_len = mlen;
                self.stage = Stage::PlenStar;
            }
            // The header text that may be examined: up to the end of the input or the text cap,
            // whichever comes first (so the cap is checked once per run, not per byte).
            let end = self
                .data_len
                .saturating_add(MAX_HEADER_TEXT_LEN)
                .min(input.len());
            let text = input.get(..end).unwrap_or(input);
            #[cfg(test)]
            let before = self.pos;
            let done = self.scan_text(text, limits);
            #[cfg(test)]
            EXAMINED.with(|n| n.set(n.get() + self.pos.saturating_sub(before) as u64));
            match done {
                Ok(true) => return Ok(Some(self.scanned())),
                Ok(false) if self.stage == Stage::Data => {}
                Ok(false) => return self.stop(input),
                Err(fail) => return Err(self.error(fail, limits)),
            }
        }
    }

    /// Why [`Scanner::scan_text`] stopped short of a header: need more bytes, or the header
    /// text is too long.
    fn stop<T>(&self, input: &[u8]) -> Result<Option<T>> {
        if self.pos < input.len() {
            return Err(Error::at(
                P,
                ErrorKind::TooLarge,
                self.pos,
                format!("header text exceeds the limit of {MAX_HEADER_TEXT_LEN} bytes"),
            ));
        }
        Ok(None)
    }

    /// The error for `fail`, the scanner being where it failed.
    #[cold]
    #[inline(never)]
    fn error(&self, fail: Fail, limits: &Limits) -> Error {
        let rule = match self.stage {
            Stage::Field(field) => field.rule(),
            Stage::Mlen => MLEN,
            _ => PLEN,
        };
        let what = rule.what;
        let Number { value, start, .. } = self.number;
        match fail {
            Fail::Magic(other) => self.bad(format!(
                "expected the magic $2014$, found byte 0x{other:02x}"
            )),
            Fail::BadMagic => self.bad("bad magic: expected $2014$"),
            Fail::MagicSpace => self.bad("expected one space after the magic"),
            Fail::SameDc => self.bad("same_dc must be 0 or 1"),
            Fail::SameDcSpace => self.bad("same_dc must be the single digit 0 or 1"),
            Fail::Overflow => self.bad(format!("{what} exceeds {}", rule.max)),
            Fail::NoDigit => self.bad(format!("{what}: a digit must come before the end")),
            Fail::Byte(other) => self.bad(format!(
                "{what}: unexpected byte 0x{other:02x} in a decimal field"
            )),
            Fail::MlenZero => Error::malformed(
                P,
                start,
                "mlen 0: the data field must have at least one byte",
            ),
            Fail::MlenLimit => {
                Error::too_large(P, start, "data field (mlen)", value, limits.max_frame_size)
            }
            Fail::PlenStar(other) => self.bad(format!(
                "expected ' *' and plen after the data field, found byte 0x{other:02x}"
            )),
            Fail::Lf => self.bad("CR not followed by LF at the end of the header"),
            Fail::PlenLimit => {
                Error::too_large(P, start, "payload (plen)", value, limits.max_frame_size)
            }
        }
    }

    /// Malformed at the byte just read.
    fn bad(&self, reason: impl Into<std::borrow::Cow<'static, str>>) -> Error {
        Error::malformed(P, self.pos.saturating_sub(1), reason)
    }

    /// Start reading a decimal field at the next byte.
    #[inline]
    fn begin_number(&mut self, stage: Stage) {
        self.number = Number {
            value: 0,
            start: self.pos,
            prev_digit: false,
        };
        self.stage = stage;
    }

    /// Skip a run of spaces from `self.pos` in `text`.
    #[inline]
    fn skip_spaces(&mut self, text: &[u8]) {
        let rest = text.get(self.pos..).unwrap_or_default();
        self.pos += rest.iter().take_while(|&&b| b == b' ').count();
    }

    /// Read a decimal field from `self.pos` as far as `text` goes, in one tight loop: at least
    /// one digit (leading zeros allowed, `*` skipped where the rule says), value at most the
    /// rule's maximum. The value once the field's end byte is read; `None` at the end of
    /// `text`, with the progress kept for the next call.
    #[inline(always)]
    fn number_run(
        &mut self,
        text: &[u8],
        max: u64,
        end: u8,
        stars: bool,
        empty_ok: bool,
    ) -> Result<Option<u64>, Fail> {
        let Number {
            mut value,
            mut prev_digit,
            ..
        } = self.number;
        let mut pos = self.pos;
        let outcome = loop {
            let Some(&b) = text.get(pos) else {
                break Ok(None);
            };
            pos += 1;
            let digit = b.wrapping_sub(b'0');
            if digit < 10 {
                match value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(digit)))
                    .filter(|&v| v <= max)
                {
                    Some(v) => value = v,
                    None => break Err(Fail::Overflow),
                }
                prev_digit = true;
            } else if b == b'*' && stars {
                prev_digit = false;
            } else if b == end {
                break if prev_digit || empty_ok {
                    Ok(Some(value))
                } else {
                    Err(Fail::NoDigit)
                };
            } else {
                break Err(Fail::Byte(b));
            }
        };
        self.pos = pos;
        self.number.value = value;
        self.number.prev_digit = prev_digit;
        outcome
    }

    /// Consume header text from `self.pos`, stage by stage, until the header is complete
    /// (`true`), the data field is reached ([`Stage::Data`]) or `text` runs out.
    fn scan_text(&mut self, text: &[u8], limits: &Limits) -> Result<bool, Fail> {
        loop {
            match self.stage {
                Stage::Field(field) => {
                    let rule = field.rule();
                    let Some(value) =
                        self.number_run(text, rule.max, rule.end, rule.stars, rule.empty_ok)?
                    else {
                        return Ok(false);
                    };
                    if let Some(slot) = self.values.get_mut(field.index()) {
                        *slot = value;
                    }
                    match field.next() {
                        Some(next) => self.begin_number(Stage::Field(next)),
                        None => self.stage = Stage::SameDc,
                    }
                    continue;
                }
                Stage::Mlen => {
                    let Some(mlen) =
                        self.number_run(text, MLEN.max, MLEN.end, MLEN.stars, MLEN.empty_ok)?
                    else {
                        return Ok(false);
                    };
                    if mlen == 0 {
                        return Err(Fail::MlenZero);
                    }
                    if mlen > limits.max_frame_size {
                        return Err(Fail::MlenLimit);
                    }
                    // mlen <= max_frame_size <= u32::MAX, so it fits usize on every supported
                    // target.
                    self.data = self.pos..self.pos.saturating_add(mlen as usize);
                    self.stage = Stage::Data;
                    return Ok(false);
                }
                Stage::Plen => {
                    // Checked against the limit once the header is whole, at its final LF.
                    if self
                        .number_run(text, PLEN.max, PLEN.end, PLEN.stars, PLEN.empty_ok)?
                        .is_none()
                    {
                        return Ok(false);
                    }
                    self.stage = Stage::Lf;
                    continue;
                }
                // `scan` skips the data field; no byte of it is examined.
                Stage::Data => return Ok(false),
                Stage::Spaces | Stage::PlenStar => self.skip_spaces(text),
                _ => {}
            }
            let Some(&b) = text.get(self.pos) else {
                return Ok(false);
            };
            self.pos += 1;
            match self.stage {
                Stage::Spaces => match b {
                    b'$' => {
                        // The whole magic at once when it is all there.
                        if text.get(self.pos..self.pos + 5) == Some(&MAGIC[1..]) {
                            self.pos += 5;
                            self.stage = Stage::MagicSpace;
                        } else {
                            self.stage = Stage::Magic(1);
                        }
                    }
                    other => return Err(Fail::Magic(other)),
                },
                Stage::Magic(matched) => {
                    if MAGIC.get(matched) != Some(&b) {
                        return Err(Fail::BadMagic);
                    }
                    self.stage = if matched + 1 < MAGIC.len() {
                        Stage::Magic(matched + 1)
                    } else {
                        Stage::MagicSpace
                    };
                }
                Stage::MagicSpace => {
                    if b != b' ' {
                        return Err(Fail::MagicSpace);
                    }
                    self.begin_number(Stage::Field(Field::Id));
                }
                Stage::SameDc => {
                    self.same_dc = match b {
                        b'0' => false,
                        b'1' => true,
                        _ => return Err(Fail::SameDc),
                    };
                    self.stage = Stage::SameDcSpace;
                }
                Stage::SameDcSpace => {
                    if b != b' ' {
                        return Err(Fail::SameDcSpace);
                    }
                    self.begin_number(Stage::Mlen);
                }
                Stage::PlenStar => match b {
                    b'*' => self.begin_number(Stage::Plen),
                    other => return Err(Fail::PlenStar(other)),
                },
                Stage::Lf => {
                    if b != b'\n' {
                        return Err(Fail::Lf);
                    }
                    if self.number.value > limits.max_frame_size {
                        return Err(Fail::PlenLimit);
                    }
                    return Ok(true);
                }
                // Decimal fields and the data field are read above and by `scan`.
                Stage::Field(_) | Stage::Mlen | Stage::Data | Stage::Plen => {}
            }
        }
    }

    /// The header, once its final LF is read (plen checked against the limit there).
    fn scanned(&self) -> Scanned {
        let [id, r#type, flags, version] = self.values;
        // Each value was range-checked against its field's maximum while it was read.
        Scanned {
            id,
            r#type: r#type as u8,
            // Dynomite's parser and the port keep only the low nibble (16 reads as 0).
            flags: (flags & FLAGS_MASK) as u8,
            version: version as u8,
            same_dc: self.same_dc,
            data: self.data.clone(),
            plen: self.number.value as u32,
            len: self.pos,
        }
    }
}

/// One fresh scan of a whole input (the header-only API).
#[inline]
pub(super) fn scan_header(input: &[u8], limits: &Limits) -> Result<Option<Scanned>> {
    Scanner::default().scan(input, limits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dnode::{decode, encode, parse_header, Dmsg, DnodeCodec, MAGIC_STR};
    use crate::{codec, Codec};

    fn header_err(input: &[u8]) -> Error {
        parse_header(input).unwrap_err()
    }

    #[test]
    fn overflow_and_range_errors_are_malformed() {
        for input in [
            &b"   $2014$ 18446744073709551616 3 0 1 1 *1 d *5\r\n"[..],
            b"   $2014$ 1 256 0 1 1 *1 d *5\r\n",
            b"   $2014$ 1 3 256 1 1 *1 d *5\r\n",
            b"   $2014$ 1 3 0 256 1 *1 d *5\r\n",
            b"   $2014$ 1 3 0 1 2 *1 d *5\r\n",
            b"   $2014$ 1 3 0 1 10 *1 d *5\r\n",
            b"   $2014$ 1 3 0 1 1 *4294967296 d *5\r\n",
            b"   $2014$ 1 3 0 1 1 *1 d *4294967296\r\n",
            b"   $2014$ 1 3 0 1 1 *0 *5\r\n",
            b"   $2014$ 1 3 0 1 1 * d *5\r\n",
        ] {
            let e = header_err(input);
            assert_eq!(e.kind(), ErrorKind::Malformed, "{e}");
        }
    }

    #[test]
    fn limits_are_checked_from_the_header() {
        let e = header_err(b"   $2014$ 1 3 0 1 1 *1 d *268435457\r\n");
        assert_eq!((e.kind(), e.offset()), (ErrorKind::TooLarge, Some(26)));
        let e = header_err(b"   $2014$ 1 3 0 1 1 *268435457 ");
        assert_eq!((e.kind(), e.offset()), (ErrorKind::TooLarge, Some(20)));
        assert!(parse_header(b"   $2014$ 1 3 0 1 1 *1 d *268435456\r\n")
            .unwrap()
            .is_some());
        let spaces = vec![b' '; MAX_HEADER_TEXT_LEN + 1];
        assert_eq!(header_err(&spaces).kind(), ErrorKind::TooLarge);
        assert_eq!(parse_header(&spaces[..MAX_HEADER_TEXT_LEN]).unwrap(), None);
        let mut codec = DnodeCodec::new();
        let too_big = Limits {
            max_frame_size: u64::from(u32::MAX) + 1,
            max_decompressed_size: 0,
        };
        assert!(codec.set_limits(too_big).is_err());
    }

    /// Feed `input` one byte at a time through a [`crate::StreamDecoder`]: the frames and the
    /// number of header bytes the scanner examined.
    fn trickle(input: &[u8]) -> (Vec<Dmsg>, u64) {
        EXAMINED.with(|n| n.set(0));
        let mut decoder = crate::StreamDecoder::new(DnodeCodec::default());
        let mut frames = Vec::new();
        for b in input {
            frames.extend(decoder.feed(std::slice::from_ref(b)).unwrap());
        }
        decoder.finish().unwrap();
        (frames, EXAMINED.with(|n| n.get()))
    }

    #[test]
    fn trickled_header_costs_linear_time() {
        let tail = b" 3 0 1 1 *1 d *5\r\nhello";
        let mut spaces = vec![b' '; 16_000];
        spaces.extend(b"$2014$ 7");
        spaces.extend(tail);
        let mut zeros = MAGIC_STR.to_vec();
        zeros.extend(vec![b'0'; 16_000]);
        zeros.push(b'7');
        zeros.extend(tail);
        for input in [spaces, zeros] {
            let header_text = input.len() - b"d".len() - b"hello".len();
            let (frames, examined) = trickle(&input);
            assert_eq!(frames, vec![decode(&input).unwrap()]);
            assert_eq!(frames[0].id, 7);
            assert_eq!(&frames[0].payload[..], b"hello");
            // Each header-text byte once (a scan restarted per byte would be ~128 million).
            assert_eq!(examined, header_text as u64);
            assert!(examined <= 2 * input.len() as u64);
        }
    }

    #[test]
    fn trickled_frames_examine_each_header_byte_once() {
        let mut input = Vec::new();
        let mut codec = DnodeCodec::new();
        for id in 0..20u64 {
            let mut msg = Dmsg::new(id, DmsgType::Res, Bytes::from(vec![b'p'; id as usize]));
            msg.data = Bytes::from(vec![b'k'; 1 + id as usize]);
            input.extend(codec::encode_to_vec(&mut codec, &msg).unwrap());
        }
        let (frames, examined) = trickle(&input);
        assert_eq!(frames.len(), 20);
        let text: u64 = frames
            .iter()
            .map(|m| (encode(m).unwrap().len() - m.data.len() - m.payload.len()) as u64)
            .sum();
        assert_eq!(examined, text);
    }
}
