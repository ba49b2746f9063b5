//! The 22 `password_hasher` names Clerk accepts and the shape of each one's digest
//! (`bapi-contract.md` §14), so a bad digest fails its user here, with a clear reason,
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

fn is_b64(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'.')
        })
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
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

fn is_phpass_chars(s: &str) -> bool {
    s.bytes()
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
        "argon2i" | "argon2id" => {
            parts.len() >= 5
                && parts[0].is_empty()
                && parts[1] == hasher
                && parts.iter().skip(2).all(|p| !p.is_empty())
        }
        "scrypt_firebase" => {
            parts.len() == 6
                && parts[..4].iter().all(|p| is_b64(p))
                && is_digits(parts[4])
                && is_digits(parts[5])
        }
        "scrypt_werkzeug" => {
            let p: Vec<&str> = digest.trim_start_matches('$').split('$').collect();
            p.len() == 3 && p.iter().all(|s| !s.is_empty())
        }
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
                && is_digits(parts[1])
                && !parts[2].is_empty()
                && is_hex(parts[3])
                && parts.get(4).is_none_or(|k| is_digits(k))
        }
        "pbkdf2_sha256" | "pbkdf2_sha256_django" => {
            parts.len() == 4
                && parts[0] == "pbkdf2_sha256"
                && is_digits(parts[1])
                && !parts[2].is_empty()
                && is_b64(parts[3])
        }
        "pbkdf2_sha512" => {
            parts.len() == 4
                && parts[0] == "pbkdf2_sha512"
                && is_digits(parts[1])
                && !parts[2].is_empty()
                && is_hex(parts[3])
        }
        "pbkdf2_sha512_hex" => {
            parts.len() == 4
                && parts[0] == "pbkdf2_sha512_hex"
                && is_digits(parts[1])
                && is_hex(parts[2])
                && is_hex(parts[3])
        }
        "phpass" => {
            digest.len() == 34 && digest.starts_with("$P$") && is_phpass_chars(&digest[3..])
        }
        "md5_phpass" => {
            digest.len() == 34
                && (digest.starts_with("$P$") || digest.starts_with("$H$"))
                && is_phpass_chars(&digest[3..])
        }
        "sha512_symfony" => {
            parts.len() == 4
                && parts[0] == "sha512_symfony"
                && parts[1].parse::<u32>().is_ok_and(|n| n > 0)
                && is_b64(parts[3])
        }
        "hmac_sha256_utf16_b64" => {
            parts.len() == 3 && parts[0] == "hmac_sha256_utf16_b64" && !parts[1].is_empty()
        }
        "awscognito" => {
            let p: Vec<&str> = digest.split('#').collect();
            p.len() == 4 && p[0] == "awscognito" && p[1..].iter().all(|s| !s.is_empty())
        }
        // No documented format: anything non-empty.
        "ldap_ssha" => !digest.is_empty(),
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
            "expected a PHC string such as $argon2id$v=19$m=65536,t=3,p=4$salt$hash"
        }
        "scrypt_firebase" => "expected hash$salt$signerKey$saltSeparator$rounds$memCost",
        "scrypt_werkzeug" => "expected scrypt:N:r:p$salt$hash",
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
                "$argon2id$v=19$m=64,t=4,p=8$c2FsdA$aGFzaA".to_owned(),
            ),
            (
                "scrypt_firebase",
                "aGFzaA==$c2FsdA==$a2V5$Bw==$8$14".to_owned(),
            ),
            ("scrypt_werkzeug", "scrypt:32768:8:1$salt$hash".to_owned()),
            ("md5", "5f4dcc3b5aa765d61d8327deb882cf99".to_owned()),
            ("sha256_salted", format!("salt${}", "a".repeat(64))),
            (
                "pbkdf2_sha256_django",
                "pbkdf2_sha256$260000$salt$aGFzaA==".to_owned(),
            ),
            (
                "pbkdf2_sha1",
                "pbkdf2_sha1$1000$73616c74$abcdef$32".to_owned(),
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
        assert!(check_digest("rot13", "x").is_err());
        assert_eq!(HASHERS.len(), 22);
        assert_eq!(detect(BCRYPT), Some("bcrypt"));
    }
}
