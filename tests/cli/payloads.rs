//! Golden payloads: the `CreateUser` body built for a representative record of each
//! transformer (from `samples/`).

use std::path::Path;

use migrate::prepare::{self, Item, PrepareOptions};
use migrate::transform::{FirebaseHashConfig, TransformContext, TransformerKind};
use migrate::user::ValidateOptions;

fn first_ready(file: &str, transformer: TransformerKind) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(file);
    let options = PrepareOptions {
        transformer,
        format: None,
        context: TransformContext {
            firebase: Some(FirebaseHashConfig {
                signer_key: "c2lnbmVy".into(),
                salt_separator: "Bw==".into(),
                rounds: 8,
                mem_cost: 14,
            }),
            auth0_passwords: None,
        },
        validate: ValidateOptions::default(),
    };
    for next in prepare::prepare(&path, options).expect("opens") {
        if let (Item::Ready { prepared, .. }, _) = next.expect("reads") {
            return serde_json::to_value(prepared.request).expect("serializes");
        }
    }
    panic!("{file} has no ready record");
}

#[test]
fn create_user_payloads() {
    insta::assert_json_snapshot!(
        "clerk_json",
        first_ready("clerk.json", TransformerKind::Clerk)
    );
    insta::assert_json_snapshot!(
        "clerk_csv",
        first_ready("clerk.csv", TransformerKind::Clerk)
    );
    insta::assert_json_snapshot!("auth0", first_ready("auth0.json", TransformerKind::Auth0));
    insta::assert_json_snapshot!(
        "authjs",
        first_ready("authjs.json", TransformerKind::Authjs)
    );
    insta::assert_json_snapshot!(
        "betterauth",
        first_ready("betterauth.json", TransformerKind::Betterauth)
    );
    insta::assert_json_snapshot!(
        "firebase",
        first_ready("firebase.json", TransformerKind::Firebase)
    );
    insta::assert_json_snapshot!(
        "supabase",
        first_ready("supabase.json", TransformerKind::Supabase)
    );
}
