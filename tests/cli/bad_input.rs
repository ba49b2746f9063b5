//! A corpus of broken files, built here: each must give a clear error naming the file and
//! position (exit 1), or mark the record invalid and go on (exit 3) — never a panic.

use super::util::TestEnv;

enum Expect {
    /// Exit 1 with these words on stderr.
    Fatal(&'static str),
    /// Exit 2 (the flags do not fit the file) with these words on stderr.
    Usage(&'static str),
    /// Exit 3: the file reads, some records are invalid.
    Invalid(u64),
    /// Exit 0.
    Fine(u64),
}

fn check(env: &TestEnv, name: &str, bytes: &[u8], transformer: &str, expect: Expect) {
    std::fs::write(env.path().join(name), bytes).expect("write");
    let out = env
        .cmd()
        .args(["-y", "--dry-run", "--json", "-t", transformer, "-f", name])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{name}: {stderr}"
    );
    match expect {
        Expect::Fatal(words) | Expect::Usage(words) => {
            let code = if matches!(expect, Expect::Fatal(_)) {
                1
            } else {
                2
            };
            assert_eq!(out.status.code(), Some(code), "{name}: {stderr}");
            assert!(
                stderr.contains(name) && stderr.contains(words),
                "{name}: {stderr}"
            );
        }
        Expect::Invalid(n) | Expect::Fine(n) => {
            let report: serde_json::Value =
                serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{name}: {stderr}"));
            let code = if matches!(expect, Expect::Invalid(_)) {
                3
            } else {
                0
            };
            assert_eq!(out.status.code(), Some(code), "{name}: {report}");
            assert_eq!(report["invalid"].as_u64(), Some(n), "{name}: {report}");
        }
    }
}

#[test]
fn broken_files_are_reported_not_crashed_on() {
    let env = TestEnv::new();
    let nested = format!("[{}{}]", "[".repeat(10_000), "]".repeat(10_000));
    let nested_field = format!(
        "[{{\"user_id\": \"a\", \"email\": \"a@example.com\", \"app_metadata\": {}1{}}}]",
        "{\"k\":".repeat(10_000),
        "}".repeat(10_000)
    );
    let big_field = format!(
        "[{{\"user_id\": \"a\", \"email\": \"a@example.com\", \"nickname\": \"{}\"}}]",
        "x".repeat(10 << 20)
    );
    // Past the 64 MiB a record may take: an unclosed string, an endless line, an unclosed quote.
    let endless = "x".repeat(65 << 20);
    let unclosed_json = format!("[{{\"user_id\": \"a\", \"nickname\": \"{endless}");
    let long_line = format!("{{\"user_id\": \"a\", \"nickname\": \"{endless}\"}}\n");
    let unclosed_csv = format!("user_id,nickname\nu1,ok\nu2,\"{endless}\n");
    let wide_header: Vec<String> = (0..100_000).map(|i| format!("c{i}")).collect();
    let wide = format!(
        "user_id,{}\nu1,{}\n",
        wide_header.join(","),
        vec!["v"; 100_000].join(",")
    );
    let cases: Vec<(&str, Vec<u8>, &str, Expect)> = vec![
        ("empty.json", vec![], "auth0", Expect::Fatal("empty")),
        ("header-only.csv", b"id,primary_email_address\n".to_vec(), "clerk", Expect::Fatal("holds no users")),
        ("bom.csv", b"\xef\xbb\xbfid,primary_email_address\n1,a@example.com\n".to_vec(), "clerk", Expect::Fine(0)),
        ("crlf.csv", b"id,primary_email_address\r\n1,a@example.com\r\n2,b@example.com\r\n".to_vec(), "clerk", Expect::Fine(0)),
        ("latin1.csv", b"id,first_name,primary_email_address\n1,Jos\xe9,a@example.com\n2,Ana,b@example.com\n".to_vec(), "clerk", Expect::Invalid(1)),
        ("nul.json", b"[{\"user_id\": \"a\0\"}]".to_vec(), "auth0", Expect::Fatal("binary")),
        ("big-field.json", big_field.into_bytes(), "auth0", Expect::Fine(0)),
        ("wide.csv", wide.into_bytes(), "auth0", Expect::Invalid(1)),
        ("nested.json", nested.into_bytes(), "auth0", Expect::Invalid(1)),
        ("nested-field.json", nested_field.into_bytes(), "auth0", Expect::Fatal("recursion")),
        ("dup-keys.json", br#"[{"user_id": "a", "email": "a@example.com", "email": "b@example.com"}]"#.to_vec(), "auth0", Expect::Invalid(1)),
        ("numbers.json", br#"[{"user_id": 42, "email": "a@example.com", "email_verified": true, "given_name": 7}]"#.to_vec(), "auth0", Expect::Fine(0)),
        ("wrong-types.json", br#"[{"user_id": "a", "email": {"x": 1}, "blocked": "perhaps"}]"#.to_vec(), "auth0", Expect::Invalid(1)),
        ("top-level.json", br#""users""#.to_vec(), "auth0", Expect::Fatal("array of users")),
        ("truncated.json", br#"[{"user_id": "a", "email": "a@example.com"}, {"user_id": "b", "em"#.to_vec(), "auth0", Expect::Fatal("record 2")),
        ("truncated.ndjson", b"{\"user_id\": \"a\", \"email\": \"a@example.com\"}\n{\"user_id\": \"b\"".to_vec(), "auth0", Expect::Fatal("record 2")),
        ("unclosed.json", unclosed_json.into_bytes(), "auth0", Expect::Fatal("line 1 is over 64 MiB")),
        ("long-line.ndjson", long_line.into_bytes(), "auth0", Expect::Fatal("line 1 is over 64 MiB")),
        ("unclosed.csv", unclosed_csv.into_bytes(), "auth0", Expect::Fatal("line 3 is over 64 MiB")),
        ("gzip.json", vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3], "auth0", Expect::Fatal("gzip")),
        ("zip.json", b"PK\x03\x04rest".to_vec(), "auth0", Expect::Fatal("zip")),
        ("firebase-as-clerk.csv", b"abc123,a@example.com,true,hash,salt,Ann\n".to_vec(), "clerk", Expect::Usage("no \"id\" field in the CSV header")),
        ("clerk-as-firebase.csv", b"id,primary_email_address\nu1,a@example.com\n".to_vec(), "firebase", Expect::Usage("Firebase CSV exports have none")),
        ("auth0-as-supabase.ndjson", b"{\"user_id\": \"a\", \"email\": \"a@example.com\"}\n".to_vec(), "supabase", Expect::Usage("did you mean -t auth0 or -t betterauth?")),
    ];
    for (name, bytes, transformer, expect) in cases {
        check(&env, name, &bytes, transformer, expect);
    }
}
