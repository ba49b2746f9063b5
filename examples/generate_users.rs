//! Writes a synthetic export of N users, for benchmarks and soak tests.
//!
//! `cargo run --release --example generate_users -- <N> <OUT> [clerk-json|clerk-csv|auth0-ndjson|auth0-passwords-ndjson]`
//!
//! Users are unique by ID, email, phone and username; every 10th has a bcrypt digest,
//! every 7th a second (unverified) email.

use std::fs::File;
use std::io::{BufWriter, Write};

const BCRYPT: &str = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let out = args.next().unwrap_or_else(|| "users.json".to_owned());
    let kind = args.next().unwrap_or_else(|| "clerk-json".to_owned());
    let mut w = BufWriter::with_capacity(1 << 20, File::create(&out)?);
    match kind.as_str() {
        "clerk-csv" => {
            writeln!(
                w,
                "id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher"
            )?;
            for i in 0..n {
                let (digest, hasher) = if i % 10 == 0 {
                    (BCRYPT, "bcrypt")
                } else {
                    ("", "")
                };
                let unverified = if i % 7 == 0 {
                    format!("alt{i}@example.org")
                } else {
                    String::new()
                };
                writeln!(
                    w,
                    "user_{i:027},First{i},Last{i},user{i},user{i}@example.com,+1415{:07},user{i}@example.com,{unverified},,,,{digest},{hasher}",
                    i % 10_000_000
                )?;
            }
        }
        "auth0-ndjson" => {
            for i in 0..n {
                writeln!(
                    w,
                    r#"{{"user_id":"auth0|{i:024}","email":"user{i}@example.com","email_verified":{},"given_name":"First{i}","family_name":"Last{i}","created_at":"2024-01-15T10:30:00.000Z","user_metadata":{{"n":{i}}}}}"#,
                    i % 7 != 0
                )?;
            }
        }
        // Auth0 support's hash export for the `auth0-ndjson` users: every 5th matches by
        // email only, every 50th has no user.
        "auth0-passwords-ndjson" => {
            for i in 0..n {
                let oid = if i % 5 == 0 {
                    format!("f{i:023}")
                } else {
                    format!("{i:024}")
                };
                let email = if i % 50 == 0 {
                    format!("gone{i}@example.com")
                } else {
                    format!("user{i}@example.com")
                };
                writeln!(
                    w,
                    r#"{{"_id":{{"$oid":"{oid}"}},"email":"{email}","email_verified":true,"passwordHash":"{BCRYPT}","password_set_date":{{"$date":"2024-01-02T03:04:05.000Z"}},"tenant":"acme","connection":"Username-Password-Authentication"}}"#
                )?;
            }
        }
        _ => {
            writeln!(w, "[")?;
            for i in 0..n {
                let sep = if i + 1 == n { "" } else { "," };
                let (digest, hasher) = if i % 10 == 0 {
                    (format!("\"{BCRYPT}\""), "\"bcrypt\"")
                } else {
                    ("null".to_owned(), "null")
                };
                let extra = if i % 7 == 0 {
                    format!("\"alt{i}@example.org\"")
                } else {
                    String::new()
                };
                writeln!(
                    w,
                    r#"  {{"id": "user_{i:027}", "first_name": "First{i}", "last_name": "Last{i}", "username": "user{i}", "primary_email_address": "user{i}@example.com", "email_addresses": ["user{i}@example.com"], "unverified_email_addresses": [{extra}], "primary_phone_number": "+1415{:07}", "password_digest": {digest}, "password_hasher": {hasher}, "public_metadata": {{"plan": "pro", "seq": {i}}}, "private_metadata": {{}}, "unsafe_metadata": {{}}, "created_at": 1704067200000}}{sep}"#,
                    i % 10_000_000
                )?;
            }
            writeln!(w, "]")?;
        }
    }
    w.flush()
}
