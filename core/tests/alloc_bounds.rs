//! Hostile declared lengths allocate nothing proportional to the declared size: a counting
//! global allocator measures the bytes live during each decode.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use wire_core::{AnyCodec, Protocol, StreamDecoder};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(live, Ordering::SeqCst);
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak bytes allocated above the starting level while `f` runs.
fn peak_during(f: impl FnOnce()) -> usize {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    f();
    PEAK.load(Ordering::SeqCst) - base
}

/// (protocol, a prefix whose header declares a huge length, what it declares)
const HOSTILE: &[(Protocol, &str, &str)] = &[
    (
        Protocol::Chitchat,
        "53b000000000ffff616263",
        "Syn whose cluster_id declares 65535 bytes",
    ),
    (
        Protocol::Chitchat,
        "53b000000000ff00",
        "Syn whose cluster_id declares 255 bytes, none sent",
    ),
    (
        Protocol::Dnode,
        "20202024323031342420312033203020312031202a312064202a3236383433353435360d0a",
        "256 MiB payload (exactly the limit), nothing after",
    ),
    (
        Protocol::Dnode,
        "20202024323031342420312033203020312031202a312064202a343239343936373239350d0a",
        "4 GiB - 1 payload, over the limit",
    ),
    (
        Protocol::Dnode,
        "20202024323031342420312033203020312031202a32363834333534353620",
        "256 MiB data field, nothing after",
    ),
    (
        Protocol::Broker,
        "0100000001",
        "16 MiB body (exactly the limit), nothing after",
    ),
    (
        Protocol::Broker,
        "01ffffffff",
        "4 GiB - 1 body, over the limit",
    ),
    (
        Protocol::Replication,
        "00000004",
        "64 MiB message (exactly the limit), nothing after",
    ),
    (
        Protocol::Replication,
        "ffffffff",
        "4 GiB - 1 message, over the limit",
    ),
    (
        Protocol::Dataexchange,
        "0000000110000000",
        "256 MiB payload (exactly the limit) with no payload bytes",
    ),
    (
        Protocol::Dataexchange,
        "00000004ffffffff",
        "4 GiB - 1 payload, over the limit",
    ),
];

#[test]
fn declared_lengths_are_not_allocated() {
    for (protocol, hex, what) in HOSTILE {
        let bytes = hex::decode(hex).unwrap();
        let peak = peak_during(|| {
            let mut codec = AnyCodec::new(*protocol);
            let _ = codec.decode_exact(&bytes);
            let mut stream = StreamDecoder::new(AnyCodec::new(*protocol));
            for b in &bytes {
                let _ = stream.feed(std::slice::from_ref(b));
            }
            let _ = stream.finish();
        });
        assert!(
            peak < 64 * 1024,
            "{protocol}: {what}: {peak} bytes allocated"
        );
    }
}
