//! The 22 `password_hasher` names Clerk accepts and the shape of each one's digest
//! (Clerk's `password_hasher` list in its Backend API spec), so a bad digest fails its user here, with a clear reason,
//! instead of a 422 later.

/// Every hasher name Clerk accepts, in one place.
pub const HASHERS: [&str; 22] = [
    "argon2i",
    "argon2id",
    "awscognito",
    "bcrypt",
    "bcrypt_peppered",
    "bcrypt_sha256_django",
    "hmac_sha256_utf16_b64",
    "ldap_ssha",
    "md5",
    "md5_phpass",
    "md5_salted",
    "pbkdf2_sha1",
    "pbkdf2_sha256",
    "pbkdf2_sha256_django",
    "pbkdf2_sha512",
    "pbkdf2_sha512_hex",
    "phpass",
    "scrypt_firebase",
    "scrypt_werkzeug",
    "sha256",
    "sha256_salted",
    "sha512_symfony",
];

/// Whether `name` is a hasher Clerk knows.
pub fn is_known(name: &str) -> bool {
    HASHERS.contains(&name)
}

/// Guesses the hasher from a digest's shape, for sources whose hashes vary per user.
pub fn detect(digest: &str) -> Option<&'static str> {
    if is_bcrypt(digest) {
        Some("bcrypt")
    } else if digest.starts_with("$argon2id$") {
        Some("argon2id")
    } else if digest.starts_with("$argon2i$") {
        Some("argon2i")
    } else if digest.starts_with("bcrypt_sha256$") {
        Some("bcrypt_sha256_django")
    } else if digest.starts_with("pbkdf2_sha256$") {
        Some("pbkdf2_sha256_django")
    } else if digest.starts_with("$P$") && digest.len() == 34 {
        Some("phpass")
    } else {
        None
    }
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Base64 as exporters write it (standard or URL-safe, padded or not), decoded as Go's
/// decoder, which Clerk runs, reads it: bits past the last byte are not checked.
fn b64(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::alphabet::{STANDARD, URL_SAFE};
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    if s.is_empty() {
        return None;
    }
    let lenient = GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent);
    [STANDARD, URL_SAFE]
        .iter()
        .find_map(|a| GeneralPurpose::new(a, lenient).decode(s).ok())
}

fn is_b64(s: &str) -> bool {
    b64(s).is_some_and(|b| !b.is_empty())
}

/// Hex of whole bytes.
fn is_hex_bytes(s: &str) -> bool {
    is_hex(s) && s.len().is_multiple_of(2)
}

fn positive(s: &str) -> Option<u32> {
    s.parse::<u32>().ok().filter(|n| *n > 0)
}

/// A PHC argon2 string as argon2 libraries accept it: version 16 or 19, m/t/p, m at least
/// 8 per lane, a salt of 8 (argon2's minimum) to 48 bytes and a hash of 10 to 64 bytes
/// (the PHC string format's bounds).
fn is_argon2(hasher: &str, digest: &str) -> bool {
    let parts: Vec<&str> = digest.split('$').collect();
    let (version, params, salt, hash) = match parts[..] {
        ["", alg, v, params, salt, hash] if alg == hasher => (Some(v), params, salt, hash),
        ["", alg, params, salt, hash] if alg == hasher => (None, params, salt, hash),
        _ => return false,
    };
    if version.is_some_and(|v| !matches!(v, "v=16" | "v=19")) {
        return false;
    }
    let param = |k: &str| {
        params
            .split(',')
            .find_map(|kv| kv.strip_prefix(k)?.strip_prefix('='))
            .and_then(positive)
    };
    let (Some(m), Some(_t), Some(p)) = (param("m"), param("t"), param("p")) else {
        return false;
    };
    u64::from(m) >= 8 * u64::from(p)
        && b64(salt).is_some_and(|s| (8..=48).contains(&s.len()))
        && b64(hash).is_some_and(|h| (10..=64).contains(&h.len()))
}

/// Werkzeug's `scrypt[:n[:r[:p]]]$salt$hexhash`, n a power of two.
fn is_scrypt_werkzeug(digest: &str) -> bool {
    let [method, salt, hash] = digest.split('$').collect::<Vec<_>>()[..] else {
        return false;
    };
    let mut method = method.split(':');
    if method.next() != Some("scrypt") {
        return false;
    }
    let params: Vec<Option<u32>> = method.map(positive).collect();
    params.len() <= 3
        && params.iter().all(Option::is_some)
        && params
            .first()
            .copied()
            .flatten()
            .is_none_or(|n| n >= 2 && n.is_power_of_two())
        && !salt.is_empty()
        && is_hex_bytes(hash)
}

/// phpass: `$P$` (or phpBB's `$H$`), a cost character of 7 to 30, 8 salt characters and
/// 22 of hash, all from its own alphabet.
fn is_phpass(digest: &str, prefixes: &[&str]) -> bool {
    const ITOA64: &[u8] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    digest.len() == 34
        && prefixes.iter().any(|p| digest.starts_with(p))
        && digest.bytes().skip(3).all(|b| ITOA64.contains(&b))
        && digest
            .as_bytes()
            .get(3)
            .and_then(|c| ITOA64.iter().position(|x| x == c))
            .is_some_and(|n| (7..=30).contains(&n))
}

fn is_bcrypt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('$').collect();
    parts.len() == 4
        && parts[0].is_empty()
        && matches!(parts[1], "2" | "2a" | "2b" | "2x" | "2y")
        && parts[2].len() == 2
        && parts[2].parse::<u8>().is_ok_and(|c| (4..=31).contains(&c))
        && parts[3].len() == 53
        && parts[3]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/')
}

/// Checks a digest against its hasher's documented format; the error says what was
/// expected.
pub fn check_digest(hasher: &str, digest: &str) -> Result<(), String> {
    let parts: Vec<&str> = digest.split('$').collect();
    let ok = match hasher {
        "bcrypt" => is_bcrypt(digest),
        "bcrypt_peppered" => {
            parts.len() == 5 && is_bcrypt(&parts[..4].join("$")) && !parts[4].is_empty()
        }
        "bcrypt_sha256_django" => digest.strip_prefix("bcrypt_sha256$").is_some_and(is_bcrypt),
        "argon2i" | "argon2id" => is_argon2(hasher, digest),
        "scrypt_firebase" => {
            parts.len() == 6
                && parts[..3].iter().all(|p| is_b64(p))
                && b64(parts[3]).is_some()
                && positive(parts[4]).is_some()
                && positive(parts[5]).is_some_and(|m| m < 32)
        }
        "scrypt_werkzeug" => is_scrypt_werkzeug(digest),
        "md5" => digest.len() == 32 && is_hex(digest),
        "sha256" => digest.len() == 64 && is_hex(digest),
        "md5_salted" => {
            parts.len() == 2 && !parts[0].is_empty() && parts[1].len() == 32 && is_hex(parts[1])
        }
        "sha256_salted" => {
            parts.len() == 2 && !parts[0].is_empty() && parts[1].len() == 64 && is_hex(parts[1])
        }
        "pbkdf2_sha1" => {
            (parts.len() == 4 || parts.len() == 5)
                && parts[0] == "pbkdf2_sha1"
                && positive(parts[1]).is_some()
                && !parts[2].is_empty()
                && is_hex_bytes(parts[3])
                && parts
                    .get(4)
                    .is_none_or(|k| k.parse::<usize>().ok() == Some(parts[3].len() / 2))
        }
        "pbkdf2_sha256" | "pbkdf2_sha256_django" => {
            parts.len() == 4
                && parts[0] == "pbkdf2_sha256"
                && positive(parts[1]).is_some()
                && !parts[2].is_empty()
                && (hasher == "pbkdf2_sha256_django" || is_b64(parts[2]))
                && is_b64(parts[3])
        }
        "pbkdf2_sha512" => {
            parts.len() == 4
                && parts[0] == "pbkdf2_sha512"
                && positive(parts[1]).is_some()
                && !parts[2].is_empty()
                && is_hex_bytes(parts[3])
        }
        "pbkdf2_sha512_hex" => {
            parts.len() == 4
                && parts[0] == "pbkdf2_sha512_hex"
                && positive(parts[1]).is_some()
                && is_hex_bytes(parts[2])
                && is_hex_bytes(parts[3])
        }
        "phpass" => is_phpass(digest, &["$P$"]),
        "md5_phpass" => is_phpass(digest, &["$P$", "$H$"]),
        "sha512_symfony" => {
            parts.len() == 4
                && parts[0] == "sha512_symfony"
                && positive(parts[1]).is_some()
                && b64(parts[3]).is_some_and(|h| h.len() == 64)
        }
        "hmac_sha256_utf16_b64" => {
            parts.len() == 3 && parts[0] == "hmac_sha256_utf16_b64" && !parts[1].is_empty()
        }
        "awscognito" => {
            let p: Vec<&str> = digest.split('#').collect();
            p.len() == 4 && p[0] == "awscognito" && p[1..].iter().all(|s| !s.is_empty())
        }
        // `{SSHA}` and base64 of the SHA-1 (20 bytes) followed by the salt.
        "ldap_ssha" => digest
            .strip_prefix("{SSHA}")
            .or_else(|| digest.strip_prefix("{ssha}"))
            .and_then(b64)
            .is_some_and(|raw| raw.len() > 20),
        _ => return Err(format!("{hasher:?} is not a password hasher Clerk accepts")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "is not a valid {hasher} digest ({})",
            expected(hasher)
        ))
    }
}

fn expected(hasher: &str) -> &'static str {
    match hasher {
        "bcrypt" => "expected $2a$/$2b$ + cost + 53 characters, 60 in all",
        "bcrypt_peppered" => "expected a bcrypt digest followed by $pepper",
        "bcrypt_sha256_django" => "expected bcrypt_sha256$ + a bcrypt digest",
        "argon2i" | "argon2id" => {
            "expected a PHC string such as $argon2id$v=19$m=65536,t=3,p=4$salt$hash, with a salt of at least 8 bytes"
        }
        "scrypt_firebase" => {
            "expected hash$salt$signerKey$saltSeparator$rounds$memCost, in base64 and numbers (memCost under 32)"
        }
        "scrypt_werkzeug" => "expected scrypt:N:r:p$salt$hexhash, N a power of two",
        "md5" => "expected 32 hex digits",
        "sha256" => "expected 64 hex digits",
        "md5_salted" => "expected salt$ + 32 hex digits",
        "sha256_salted" => "expected salt$ + 64 hex digits",
        "pbkdf2_sha1" => "expected pbkdf2_sha1$iterations$salt$hexhash",
        "pbkdf2_sha256" | "pbkdf2_sha256_django" => {
            "expected pbkdf2_sha256$iterations$salt$base64hash"
        }
        "pbkdf2_sha512" => "expected pbkdf2_sha512$iterations$salt$hexhash",
        "pbkdf2_sha512_hex" => "expected pbkdf2_sha512_hex$iterations$hexsalt$hexhash",
        "phpass" => "expected $P$ + 31 characters",
        "md5_phpass" => "expected $P$ or $H$ + 31 characters",
        "sha512_symfony" => "expected sha512_symfony$iterations$salt$base64hash",
        "hmac_sha256_utf16_b64" => "expected hmac_sha256_utf16_b64$hash$key",
        "awscognito" => "expected awscognito#userPoolId#clientId#identifier",
        _ => "see Clerk's create-user documentation",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BCRYPT: &str = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

    #[test]
    fn examples_of_each_shape() {
        let good = [
            ("bcrypt", BCRYPT.to_owned()),
            ("bcrypt_peppered", format!("{BCRYPT}$pepper")),
            ("bcrypt_sha256_django", format!("bcrypt_sha256${BCRYPT}")),
            (
                "argon2id",
                "$argon2id$v=19$m=64,t=4,p=8$c29tZXNhbHQ$aGFzaGhhc2hoYXNo".to_owned(),
            ),
            (
                "scrypt_firebase",
                "aGFzaA==$c2FsdA==$a2V5$Bw==$8$14".to_owned(),
            ),
            ("scrypt_werkzeug", "scrypt:32768:8:1$salt$0a1b".to_owned()),
            ("md5", "5f4dcc3b5aa765d61d8327deb882cf99".to_owned()),
            ("sha256_salted", format!("salt${}", "a".repeat(64))),
            (
                "pbkdf2_sha256_django",
                "pbkdf2_sha256$260000$salt$aGFzaA==".to_owned(),
            ),
            (
                "pbkdf2_sha1",
                format!("pbkdf2_sha1$1000$73616c74${}$32", "ab".repeat(32)),
            ),
            ("phpass", format!("$P$B{}", "a".repeat(30))),
            (
                "awscognito",
                "awscognito#eu-west-1_abc#client#sub".to_owned(),
            ),
        ];
        for (h, d) in good {
            assert_eq!(check_digest(h, &d), Ok(()), "{h}");
        }
        assert!(check_digest("bcrypt", &BCRYPT[..59]).is_err());
        assert!(check_digest("scrypt_firebase", "h$s$k$sep$8").is_err());
        // Shapes a hasher's own library refuses.
        for (h, d) in [
            ("scrypt_werkzeug", "scrypt:32768:8:1$salt$not-hex"),
            ("scrypt_werkzeug", "scrypt:1000:8:1$salt$0a1b"),
            ("argon2id", "$argon2id$v=19$m=64,t=4,p=8$c2FsdA$aGFzaA"),
            (
                "argon2id",
                "$argon2id$v=18$m=64,t=4,p=8$c29tZXNhbHQ$aGFzaGhhc2hoYXNo",
            ),
            ("argon2id", "$argon2id$v=19$m=64,t=4,p=8$c29tZXNhbHQ$aGFzaA"),
            (
                "argon2i",
                "$argon2i$v=19$m=8,t=1,p=4$c29tZXNhbHQ$aGFzaGhhc2hoYXNo",
            ),
            ("scrypt_firebase", "aGFzaA==$c2FsdA==$a2V5$Bw==$8$40"),
            ("scrypt_firebase", "aGFzaA==$c2FsdA==$!!$Bw==$8$14"),
            ("pbkdf2_sha1", "pbkdf2_sha1$1000$73616c74$abcdef$4"),
            ("phpass", &format!("$P$!{}", "a".repeat(30))),
            ("ldap_ssha", "{SSHA}c2hvcnQ="),
            ("sha512_symfony", "sha512_symfony$5000$salt$c2hvcnQ="),
        ] {
            assert!(check_digest(h, d).is_err(), "{h} {d}");
        }
        assert!(check_digest("rot13", "x").is_err());
        assert_eq!(HASHERS.len(), 22);
        assert_eq!(detect(BCRYPT), Some("bcrypt"));
    }

    /// The sandbox's parser, which stands for Clerk, reads every digest the importer calls
    /// ready: a digest passed here and refused at create would be a lie in the dry run.
    fn sandbox_accepts(hasher: &str, digest: &str) -> bool {
        crate::sandbox::passwords::parse(hasher, digest).is_ok()
    }

    #[test]
    fn the_fixture_corpus_is_accepted_by_both() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/passwords/hashes.json");
        let text = std::fs::read_to_string(path).expect("hashes.json");
        let corpus: Vec<serde_json::Value> = serde_json::from_str(&text).expect("json");
        assert!(corpus.len() >= 20);
        for h in &corpus {
            let (hasher, digest) = (
                h["hasher"].as_str().expect("hasher"),
                h["digest"].as_str().expect("digest"),
            );
            assert_eq!(check_digest(hasher, digest), Ok(()), "{hasher} {digest}");
            assert!(sandbox_accepts(hasher, digest), "{hasher} {digest}");
        }
    }

    use proptest::prelude::*;

    /// Parts digests are made of, right and wrong.
    fn part() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9a-f]{0,80}",
            "[A-Za-z0-9+/]{0,60}={0,2}",
            "[A-Za-z0-9_-]{0,40}",
            "[0-9]{1,6}",
            Just("scrypt:16384:8:1".to_owned()),
            Just("scrypt:1000:8:1".to_owned()),
            Just("scrypt".to_owned()),
            Just("v=19".to_owned()),
            Just("v=16".to_owned()),
            Just("m=65536,t=3,p=4".to_owned()),
            Just("m=8,t=1,p=4".to_owned()),
            Just("argon2id".to_owned()),
            Just("argon2i".to_owned()),
            Just("pbkdf2_sha1".to_owned()),
            Just("pbkdf2_sha256".to_owned()),
            Just("pbkdf2_sha512".to_owned()),
            Just("pbkdf2_sha512_hex".to_owned()),
            Just("sha512_symfony".to_owned()),
            Just("{SSHA}".to_owned()),
            Just(String::new()),
            ".{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn whatever_the_importer_calls_ready_the_sandbox_reads(
            hasher in proptest::sample::select(HASHERS.to_vec()),
            parts in proptest::collection::vec(part(), 1..7),
            lead in proptest::bool::ANY,
        ) {
            let mut digest = parts.join("$");
            if lead {
                digest.insert(0, '$');
            }
            if check_digest(hasher, &digest).is_ok() {
                prop_assert!(sandbox_accepts(hasher, &digest), "{} {}", hasher, digest);
            }
        }
    }

    /// Digests built to each hasher's layout with random parts, many right and many a
    /// little wrong (costs, lengths, encodings): every one the importer accepts, the
    /// sandbox reads, and each hasher has some accepted, so the check is not vacuous.
    #[test]
    fn layout_built_digests_the_importer_accepts_the_sandbox_reads() {
        use base64::Engine;
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::SmallRng::seed_from_u64(18);
        let b64 = base64::engine::general_purpose::STANDARD;
        let b64n = base64::engine::general_purpose::STANDARD_NO_PAD;
        let mut accepted: std::collections::HashMap<&str, u32> = Default::default();
        for _ in 0..20_000 {
            let hasher = HASHERS[rng.random_range(0..HASHERS.len())];
            let bytes = |rng: &mut rand::rngs::SmallRng, n: std::ops::Range<usize>| -> Vec<u8> {
                let len = rng.random_range(n);
                (0..len).map(|_| rng.random()).collect()
            };
            let hexs = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
            let itoa = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
            let chars = |rng: &mut rand::rngs::SmallRng, n: std::ops::Range<usize>| -> String {
                let len = rng.random_range(n);
                (0..len)
                    .map(|_| itoa[rng.random_range(0..64)] as char)
                    .collect()
            };
            let num = |rng: &mut rand::rngs::SmallRng| -> String {
                match rng.random_range(0..4) {
                    0 => "0".to_owned(),
                    1 => rng.random_range(1..40u32).to_string(),
                    2 => (1u32 << rng.random_range(1..20)).to_string(),
                    _ => rng.random_range(1000..400_000u32).to_string(),
                }
            };
            let digest = match hasher {
                "bcrypt" | "bcrypt_peppered" | "bcrypt_sha256_django" => {
                    let cost = rng.random_range(2..34);
                    let body = chars(&mut rng, 52..55);
                    let core = format!("$2b${cost:02}${body}");
                    match hasher {
                        "bcrypt" => core,
                        "bcrypt_peppered" => format!("{core}$pepper"),
                        _ => format!("bcrypt_sha256${core}"),
                    }
                }
                "argon2i" | "argon2id" => {
                    let v = ["v=19", "v=16", "v=18"][rng.random_range(0..3)];
                    let (m, t, p) = (num(&mut rng), num(&mut rng), rng.random_range(0..9));
                    let salt = b64n.encode(bytes(&mut rng, 2..20));
                    let hash = b64n.encode(bytes(&mut rng, 0..40));
                    format!("${hasher}${v}$m={m},t={t},p={p}${salt}${hash}")
                }
                "scrypt_firebase" => format!(
                    "{}${}${}${}${}${}",
                    b64.encode(bytes(&mut rng, 0..64)),
                    b64.encode(bytes(&mut rng, 0..16)),
                    b64.encode(bytes(&mut rng, 0..64)),
                    b64.encode(bytes(&mut rng, 0..2)),
                    num(&mut rng),
                    num(&mut rng)
                ),
                "scrypt_werkzeug" => format!(
                    "scrypt:{}:{}:{}${}${}",
                    num(&mut rng),
                    num(&mut rng),
                    num(&mut rng),
                    chars(&mut rng, 0..17),
                    hexs(&bytes(&mut rng, 0..64))
                ),
                "pbkdf2_sha1" => format!(
                    "pbkdf2_sha1${}${}${}${}",
                    num(&mut rng),
                    hexs(&bytes(&mut rng, 1..16)),
                    hexs(&bytes(&mut rng, 0..40)),
                    rng.random_range(0..40)
                ),
                "pbkdf2_sha256" | "pbkdf2_sha256_django" => format!(
                    "pbkdf2_sha256${}${}${}",
                    num(&mut rng),
                    if rng.random() {
                        b64.encode(bytes(&mut rng, 0..16))
                    } else {
                        chars(&mut rng, 12..13)
                    },
                    b64.encode(bytes(&mut rng, 0..40))
                ),
                "pbkdf2_sha512" | "pbkdf2_sha512_hex" => format!(
                    "{hasher}${}${}${}",
                    num(&mut rng),
                    if rng.random() {
                        hexs(&bytes(&mut rng, 0..16))
                    } else {
                        chars(&mut rng, 9..10)
                    },
                    hexs(&bytes(&mut rng, 0..64))
                ),
                "md5" | "sha256" => hexs(&bytes(&mut rng, 15..33)),
                "md5_salted" | "sha256_salted" => {
                    format!(
                        "{}${}",
                        chars(&mut rng, 0..8),
                        hexs(&bytes(&mut rng, 15..33))
                    )
                }
                "phpass" | "md5_phpass" => {
                    let prefix = ["$P$", "$H$"][rng.random_range(0..2)];
                    format!("{prefix}{}", chars(&mut rng, 30..32))
                }
                "ldap_ssha" => format!("{{SSHA}}{}", b64.encode(bytes(&mut rng, 10..40))),
                "sha512_symfony" => format!(
                    "sha512_symfony${}${}${}",
                    num(&mut rng),
                    chars(&mut rng, 8..9),
                    b64.encode(bytes(&mut rng, 60..68))
                ),
                "hmac_sha256_utf16_b64" => format!(
                    "hmac_sha256_utf16_b64${}${}",
                    chars(&mut rng, 20..21),
                    chars(&mut rng, 8..9)
                ),
                _ => format!(
                    "awscognito#{}#{}#{}",
                    chars(&mut rng, 6..7),
                    chars(&mut rng, 6..7),
                    chars(&mut rng, 6..7)
                ),
            };
            if check_digest(hasher, &digest).is_ok() {
                assert!(sandbox_accepts(hasher, &digest), "{hasher} {digest}");
                *accepted.entry(hasher).or_default() += 1;
            }
        }
        for hasher in HASHERS {
            assert!(
                accepted.get(hasher).copied().unwrap_or(0) >= 5,
                "{hasher}: {accepted:?}"
            );
        }
    }
}
