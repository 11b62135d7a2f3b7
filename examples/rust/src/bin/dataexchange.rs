//! dataexchange: a file frame and a trace frame, encoded, decoded and shown as canonical JSON.

use wire_core::dataexchange::{self, DataexchangeCodec, Frame};
use wire_core::Codec;

fn main() -> Result<(), wire_core::Error> {
    let file = Frame::File {
        filename: "report.csv".into(),
        payload: "id,value\n1,42\n".into(),
    };
    let bytes = dataexchange::encode(&file)?;
    assert_eq!(dataexchange::decode(&bytes)?, file);

    // A trace wraps an inner frame type with the sender's clock.
    let trace = Frame::trace_now(dataexchange::TYPE_TEXT, "ping".into());
    let codec = DataexchangeCodec::default();
    for frame in [file, trace] {
        println!("{}", codec.to_json(&frame));
    }
    Ok(())
}
