#![no_main]
//! The CSV reader, with a header and in Firebase's headerless layout.

use libfuzzer_sys::fuzz_target;
use migrate::source::{Format, records};

fuzz_target!(|data: &[u8]| {
    for firebase in [false, true] {
        if let Ok(iter) = records(data, Format::Csv, firebase) {
            for r in iter.take(100_000) {
                if r.is_err() {
                    break;
                }
            }
        }
    }
});
