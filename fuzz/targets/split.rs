// Shared by every fuzz body: stream decoding with the input split at `split` yields exactly what
// stream decoding of the whole input yields (the same frames, or an error of the same kind).
use std::fmt::Debug;

use wire_core::{decode_all, Codec, StreamDecoder};

pub fn check<C>(codec: C, data: &[u8], split: usize)
where
    C: Codec + Clone,
    C::Frame: PartialEq + Debug,
{
    let split = split.min(data.len());
    let whole = decode_all(codec.clone(), data);
    let mut stream = StreamDecoder::new(codec);
    let mut frames = Vec::new();
    let outcome = stream
        .feed(&data[..split])
        .and_then(|f| {
            frames.extend(f);
            stream.feed(&data[split..])
        })
        .and_then(|f| {
            frames.extend(f);
            stream.finish()
        })
        .map(|()| frames);
    assert_eq!(whole.map_err(|e| e.kind()), outcome.map_err(|e| e.kind()));
}
