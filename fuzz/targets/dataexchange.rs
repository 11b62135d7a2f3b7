// Fuzz body shared by `fuzz_targets/dataexchange.rs` (cargo fuzz) and core's corpus test.
use wire_core::{dataexchange, Codec};

pub fn run(data: &[u8]) {
    // One-shot decode must never panic; what it accepts must re-encode and decode the same.
    if let Ok(frame) = dataexchange::decode(data) {
        if let Ok(bytes) = dataexchange::encode(&frame) {
            assert_eq!(dataexchange::decode(&bytes).as_ref(), Ok(&frame));
        }
        let codec = dataexchange::DataexchangeCodec::default();
        assert_eq!(codec.from_json(&codec.to_json(&frame)).as_ref(), Ok(&frame));
    }
    // Streaming with a split point taken from the data equals one-shot streaming.
    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let whole = wire_core::decode_all(dataexchange::DataexchangeCodec::default(), data);
    let mut stream = wire_core::StreamDecoder::new(dataexchange::DataexchangeCodec::default());
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
