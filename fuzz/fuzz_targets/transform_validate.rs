#![no_main]
//! Every transformer and the validation on arbitrary records (one JSON object per input).

use libfuzzer_sys::fuzz_target;
use migrate::source::{Format, records};
use migrate::transform::{FirebaseHashConfig, TransformContext, TransformerKind, transform};
use migrate::user::{UnverifiedMode, ValidateOptions, validate};

fuzz_target!(|data: &[u8]| {
    let Ok(iter) = records(data, Format::Ndjson, false) else { return };
    let ctx = TransformContext {
        firebase: Some(FirebaseHashConfig {
            signer_key: "c2lnbmVy".into(),
            salt_separator: "Bw==".into(),
            rounds: 8,
            mem_cost: 14,
        }),
        auth0_passwords: None,
    };
    for record in iter.take(16).flatten() {
        for kind in TransformerKind::ALL {
            let draft = transform(kind, record.clone(), &ctx);
            for unverified in [UnverifiedMode::Reserve, UnverifiedMode::Attach, UnverifiedMode::Drop] {
                let options = ValidateOptions { unverified, require_password: false };
                if let Ok(prepared) = validate(draft.user.clone(), options) {
                    let _ = serde_json_len(&prepared.request);
                }
            }
        }
    }
});

fn serde_json_len(request: &migrate::clerk::types::CreateUserRequest) -> usize {
    format!("{request:?}").len()
}
