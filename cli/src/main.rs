//! `wire`: decode, encode and detect frames of five peer-to-peer protocols from the shell.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use bytes::BytesMut;
use clap::{Args, Parser, Subcommand};
use serde_json::{json, Value};
use wire_core::{AnyCodec, Codec, Error, ErrorKind, Protocol, StreamDecoder};

/// Decode, encode and detect frames of five peer-to-peer wire protocols.
///
/// Protocols: dnode, chitchat, replication, broker, dataexchange. Frames are shown in their
/// canonical JSON form: {"type": ..., "fields": {...}} with the reference implementation's
/// field names, bytes as lowercase hex and enums by name. Errors print one JSON object on
/// stderr ({"code", "protocol", "offset", "message"}) and exit with status 1.
#[derive(Parser)]
#[command(name = "wire", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode frames and print their canonical JSON.
    ///
    /// Without --stream the input must hold exactly one frame. With --stream it may hold any
    /// number of concatenated frames; each is printed as one JSON line.
    #[command(after_help = "Examples:\n  \
        wire decode dataexchange --hex 000000010000000568656c6c6f\n  \
        wire decode broker --file frame.bin\n  \
        wire decode broker --message LifecycleEvent --file event.bin\n  \
        cat capture.bin | wire decode dnode --stream")]
    Decode {
        /// Protocol name.
        protocol: Protocol,
        #[command(flatten)]
        input: Input,
        /// Decode every frame of a stream, one JSON object per line.
        #[arg(long, conflicts_with = "message")]
        stream: bool,
        /// Decode one bare message (no framing) of this type instead of a frame: dnode
        /// DmsgHeader or Handshake, replication ProtocolMessage, any broker message type
        /// (Hello, LifecycleEvent, ...).
        #[arg(long, value_name = "TYPE")]
        message: Option<String>,
        #[command(flatten)]
        options: Options,
    },
    /// Encode a frame from its canonical JSON and print it as hex (or raw bytes).
    #[command(after_help = "Examples:\n  \
        wire encode dataexchange --json '{\"type\":\"TypeText\",\"fields\":{\"type\":1,\"payload\":\"68656c6c6f\"}}'\n  \
        wire decode broker --hex 0100000000 | wire encode broker --json -")]
    Encode {
        /// Protocol name.
        protocol: Protocol,
        /// The frame's canonical JSON, or `-` to read it from stdin. Several JSON documents
        /// (one per line, as `wire decode --stream` prints them) encode to concatenated frames.
        #[arg(long, value_name = "JSON|-")]
        json: String,
        /// Write raw bytes to stdout instead of hex.
        #[arg(long)]
        raw: bool,
        /// Encode bare messages (no framing) of this type instead of frames (see `decode
        /// --message`).
        #[arg(long, value_name = "TYPE")]
        message: Option<String>,
        #[command(flatten)]
        options: Options,
    },
    /// Guess the protocol of a stream from its first bytes (best effort) and print its name.
    #[command(after_help = "Examples:\n  \
        wire detect --hex 0116000000080118e3f401220470696e67\n  \
        wire detect --file capture.bin")]
    Detect {
        #[command(flatten)]
        input: Input,
    },
    /// Print the description of every message type, field, enum, operation, option and
    /// constant of every protocol (JSON): what the bindings are generated from.
    Schema,
}

/// Where the input bytes come from (default: raw bytes on stdin).
#[derive(Args)]
#[group(multiple = false)]
struct Input {
    /// The input as hex.
    #[arg(long, value_name = "HEX")]
    hex: Option<String>,
    /// Read the input from a file.
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
}

#[derive(Args)]
struct Options {
    /// Protocol option or limit, repeatable: max_frame_size=N, max_decompressed_size=N, or a
    /// protocol's own option (see the README).
    #[arg(short = 'o', long = "option", value_name = "KEY=VALUE")]
    options: Vec<String>,
}

/// A failure to report: a codec error, or a CLI-level problem (bad hex, unreadable file).
struct Failure {
    code: &'static str,
    protocol: Option<Protocol>,
    offset: Option<usize>,
    message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            code: e.code(),
            protocol: e.protocol(),
            offset: e.offset(),
            message: e.reason().to_string(),
        }
    }
}

impl Failure {
    fn usage(protocol: Option<Protocol>, message: impl Into<String>) -> Self {
        Failure {
            code: ErrorKind::InvalidArgument.code(),
            protocol,
            offset: None,
            message: message.into(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let report = json!({
                "code": f.code,
                "protocol": f.protocol.map(Protocol::name),
                "offset": f.offset,
                "message": f.message,
            });
            eprintln!("{report}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    let write_err = |e: std::io::Error| Failure::usage(None, format!("writing output: {e}"));
    match command {
        Command::Decode {
            protocol,
            input,
            stream,
            message,
            options,
        } => {
            let bytes = input.read(Some(protocol))?;
            let codec = codec(protocol, &options)?;
            if let Some(name) = message {
                let doc = wire_core::json::decode_bare(&codec, &name, &bytes.into())?;
                let text = serde_json::to_string_pretty(&doc).expect("JSON value");
                writeln!(out, "{text}").map_err(write_err)?;
            } else if stream {
                let mut decoder = StreamDecoder::new(codec);
                decoder.push(&bytes);
                while let Some(frame) = decoder.next_frame()? {
                    writeln!(out, "{}", decoder.codec().to_json(&frame)).map_err(write_err)?;
                }
                decoder.finish()?;
            } else {
                let mut codec = codec;
                let frame = codec.decode_exact(&bytes)?;
                let doc = codec.to_json(&frame);
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&doc).expect("JSON value")
                )
                .map_err(write_err)?;
            }
        }
        Command::Encode {
            protocol,
            json,
            raw,
            message,
            options,
        } => {
            let text = if json == "-" {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .map_err(|e| Failure::usage(Some(protocol), format!("reading stdin: {e}")))?;
                s
            } else {
                json
            };
            let mut codec = codec(protocol, &options)?;
            let mut buf = BytesMut::new();
            for doc in serde_json::Deserializer::from_str(&text).into_iter::<Value>() {
                let doc = doc.map_err(|e| {
                    Failure::usage(Some(protocol), format!("--json is not valid JSON: {e}"))
                })?;
                match &message {
                    Some(name) => {
                        buf.extend_from_slice(&wire_core::json::encode_bare(&codec, name, &doc)?)
                    }
                    None => {
                        let frame = codec.from_json(&doc)?;
                        codec.encode(&frame, &mut buf)?;
                    }
                }
            }
            if raw {
                out.write_all(&buf).map_err(write_err)?;
            } else {
                writeln!(out, "{}", hex::encode(&buf)).map_err(write_err)?;
            }
        }
        Command::Detect { input } => {
            let bytes = input.read(None)?;
            let protocol = wire_core::detect(&bytes).ok_or_else(|| {
                Failure::usage(None, "no protocol recognised from the first bytes")
            })?;
            writeln!(out, "{protocol}").map_err(write_err)?;
        }
        Command::Schema => {
            let text = serde_json::to_string_pretty(&wire_core::schema::schema_json())
                .expect("JSON value");
            writeln!(out, "{text}").map_err(write_err)?;
        }
    }
    Ok(())
}

fn codec(protocol: Protocol, options: &Options) -> Result<AnyCodec, Failure> {
    let mut codec = AnyCodec::new(protocol);
    for option in &options.options {
        let (key, value) = option.split_once('=').ok_or_else(|| {
            Failure::usage(
                Some(protocol),
                format!("option {option:?} is not KEY=VALUE"),
            )
        })?;
        codec.set_option(key, value)?;
    }
    Ok(codec)
}

impl Input {
    fn read(&self, protocol: Option<Protocol>) -> Result<Vec<u8>, Failure> {
        if let Some(h) = &self.hex {
            let cleaned: String = h.chars().filter(|c| !c.is_whitespace()).collect();
            return hex::decode(cleaned)
                .map_err(|e| Failure::usage(protocol, format!("--hex: {e}")));
        }
        if let Some(path) = &self.file {
            return std::fs::read(path)
                .map_err(|e| Failure::usage(protocol, format!("{}: {e}", path.display())));
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::usage(protocol, format!("reading stdin: {e}")))?;
        Ok(bytes)
    }
}
