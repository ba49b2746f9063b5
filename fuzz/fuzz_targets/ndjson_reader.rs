#![no_main]
//! The NDJSON reader on arbitrary bytes.

use libfuzzer_sys::fuzz_target;
use migrate::source::{Format, records};

fuzz_target!(|data: &[u8]| {
    if let Ok(iter) = records(data, Format::Ndjson, false) {
        for r in iter.take(100_000) {
            if r.is_err() {
                break;
            }
        }
    }
});
