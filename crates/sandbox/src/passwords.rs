//! The sandbox's password oracle: parses a `password_digest` for its `password_hasher`
//! and checks a password against it, computing each hasher with RustCrypto's crates.
//!
//! It is written from the hashers' own definitions, never from the importer's code, so a
//! digest the importer builds wrongly fails here instead of passing on both sides.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest as _, Sha256, Sha512};

/// Why a digest cannot be used for its hasher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unparsable(pub String);

/// A digest taken apart, ready to check passwords against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A bcrypt hash over the password as it is, its SHA-256 hex (Django), or with a pepper.
    Bcrypt {
        hash: String,
        pre: BcryptInput,
    },
    /// A PHC string; the argon2 crate reads variant, version and costs from it.
    Argon2 {
        phc: String,
    },
    ScryptFirebase {
        hash: Vec<u8>,
        salt: Vec<u8>,
        signer_key: Vec<u8>,
        salt_separator: Vec<u8>,
        rounds: u32,
        mem_cost: u8,
    },
    ScryptWerkzeug {
        log_n: u8,
        r: u32,
        p: u32,
        salt: Vec<u8>,
        hash: Vec<u8>,
    },
    Pbkdf2 {
        prf: Prf,
        iterations: u32,
        salt: Vec<u8>,
        hash: Vec<u8>,
    },
    /// One round of MD5 or SHA-256 over `salt ‖ password`.
    Plain {
        alg: Plain,
        salt: Vec<u8>,
        hash: Vec<u8>,
    },
    Symfony {
        iterations: u32,
        salt: String,
        hash: Vec<u8>,
    },
    Phpass {
        setting: String,
        checksum: String,
    },
    Ssha {
        hash: Vec<u8>,
        salt: Vec<u8>,
    },
    /// Not a hash: Clerk asks Cognito at the user's first sign-in.
    Cognito,
    /// Accepted as Clerk accepts it, but with no published definition to compute.
    Opaque,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BcryptInput {
    Password,
    Sha256Hex,
    Pepper(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prf {
    Sha1,
    Sha256,
    Sha512,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plain {
    Md5,
    Sha256,
}

/// The answer to "does this password sign in?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordCheck {
    Match,
    NoMatch,
    /// The digest is not something a password can be checked against here.
    Unsupported(String),
}

fn bad(hasher: &str, what: &str) -> Unparsable {
    Unparsable(format!("not a valid {hasher} digest: {what}"))
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Base64 as the hashers' exporters write it: standard or URL-safe, padded or not, and
/// read as Clerk's Go decoder reads it, without checking the bits past the last byte.
fn b64(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() {
        return None;
    }
    let config = GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent);
    [&base64::alphabet::STANDARD, &base64::alphabet::URL_SAFE]
        .into_iter()
        .find_map(|alphabet| GeneralPurpose::new(alphabet, config).decode(s).ok())
}

fn is_bcrypt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('$').collect();
    parts.len() == 4
        && parts[0].is_empty()
        && matches!(parts[1], "2" | "2a" | "2b" | "2x" | "2y")
        && parts[2].len() == 2
        && parts[2].parse::<u32>().is_ok_and(|c| (4..=31).contains(&c))
        && parts[3].len() == 53
        && parts[3]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/')
}

const ITOA64: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Parses `digest` as `hasher` writes it (the formats Clerk's spec names for each `password_hasher`).
pub fn parse(hasher: &str, digest: &str) -> Result<Parsed, Unparsable> {
    let parts: Vec<&str> = digest.split('$').collect();
    let number = |s: &str, what: &str| -> Result<u32, Unparsable> {
        s.parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| bad(hasher, &format!("{what} is not a positive number")))
    };
    match hasher {
        "bcrypt" if is_bcrypt(digest) => Ok(Parsed::Bcrypt {
            hash: digest.to_owned(),
            pre: BcryptInput::Password,
        }),
        "bcrypt_sha256_django" => match digest.strip_prefix("bcrypt_sha256$") {
            Some(rest) if is_bcrypt(rest) => Ok(Parsed::Bcrypt {
                hash: rest.to_owned(),
                pre: BcryptInput::Sha256Hex,
            }),
            _ => Err(bad(
                hasher,
                "expected bcrypt_sha256$$2b$<cost>$<salt and hash>",
            )),
        },
        "bcrypt_peppered" if parts.len() == 5 && is_bcrypt(&parts[..4].join("$")) => {
            Ok(Parsed::Bcrypt {
                hash: parts[..4].join("$"),
                pre: BcryptInput::Pepper(parts[4].to_owned()),
            })
        }
        "bcrypt" | "bcrypt_peppered" => Err(bad(hasher, "expected $2b$<cost>$<53 characters>")),
        "argon2i" | "argon2id" => {
            let phc = argon2::PasswordHash::new(digest)
                .map_err(|e| bad(hasher, &format!("not a PHC string ({e})")))?;
            if phc.algorithm.as_str() != hasher || phc.hash.is_none() || phc.salt.is_none() {
                return Err(bad(
                    hasher,
                    &format!("expected ${hasher}$v=19$m=…,t=…,p=…$<salt>$<hash>"),
                ));
            }
            // Argon2's reference implementation refuses salts under 8 bytes.
            if phc
                .salt
                .and_then(|s| b64(s.as_str()))
                .is_none_or(|s| s.len() < 8)
            {
                return Err(bad(hasher, "the salt is under 8 bytes"));
            }
            Ok(Parsed::Argon2 {
                phc: digest.to_owned(),
            })
        }
        "scrypt_firebase" => {
            let [hash, salt, key, sep, rounds, mem] = parts[..] else {
                return Err(bad(hasher, "expected six $-separated parts"));
            };
            let decode = |s: &str, what: &str| {
                b64(s).ok_or_else(|| bad(hasher, &format!("{what} is not base64")))
            };
            let mem_cost = number(mem, "memory cost")?;
            let mem_cost = u8::try_from(mem_cost)
                .ok()
                .filter(|m| *m < 32)
                .ok_or_else(|| bad(hasher, "memory cost is over 31"))?;
            Ok(Parsed::ScryptFirebase {
                hash: decode(hash, "the hash")?,
                salt: decode(salt, "the salt")?,
                signer_key: decode(key, "the signer key")?,
                salt_separator: b64(sep).unwrap_or_default(),
                rounds: number(rounds, "rounds")?,
                mem_cost,
            })
        }
        "scrypt_werkzeug" => {
            let [method, salt, hash] = parts[..] else {
                return Err(bad(hasher, "expected scrypt:<n>:<r>:<p>$<salt>$<hash hex>"));
            };
            let mut method = method.split(':');
            if method.next() != Some("scrypt") {
                return Err(bad(hasher, "the method is not scrypt"));
            }
            let n = method.next().map_or(Ok(32768), |n| number(n, "n"))?;
            let r = method.next().map_or(Ok(8), |r| number(r, "r"))?;
            let p = method.next().map_or(Ok(1), |p| number(p, "p"))?;
            if !n.is_power_of_two() || n < 2 {
                return Err(bad(hasher, "n is not a power of two"));
            }
            Ok(Parsed::ScryptWerkzeug {
                log_n: n.trailing_zeros() as u8,
                r,
                p,
                salt: salt.as_bytes().to_vec(),
                hash: hex(hash).ok_or_else(|| bad(hasher, "the hash is not hex"))?,
            })
        }
        "pbkdf2_sha1"
        | "pbkdf2_sha256"
        | "pbkdf2_sha256_django"
        | "pbkdf2_sha512"
        | "pbkdf2_sha512_hex" => parse_pbkdf2(hasher, &parts, number),
        "md5" | "sha256" => {
            let (alg, len) = if hasher == "md5" {
                (Plain::Md5, 16)
            } else {
                (Plain::Sha256, 32)
            };
            match hex(digest) {
                Some(hash) if hash.len() == len => Ok(Parsed::Plain {
                    alg,
                    salt: Vec::new(),
                    hash,
                }),
                _ => Err(bad(hasher, &format!("expected {} hex characters", len * 2))),
            }
        }
        "md5_salted" | "sha256_salted" => {
            let (alg, len) = if hasher == "md5_salted" {
                (Plain::Md5, 16)
            } else {
                (Plain::Sha256, 32)
            };
            match parts[..] {
                [salt, hash] if !salt.is_empty() => match hex(hash) {
                    Some(hash) if hash.len() == len => Ok(Parsed::Plain {
                        alg,
                        salt: salt.as_bytes().to_vec(),
                        hash,
                    }),
                    _ => Err(bad(hasher, "the hash is not hex of the right length")),
                },
                _ => Err(bad(hasher, "expected <salt>$<hash hex>")),
            }
        }
        "sha512_symfony" => match parts[..] {
            ["sha512_symfony", iterations, salt, hash] => Ok(Parsed::Symfony {
                iterations: number(iterations, "iterations")?,
                salt: salt.to_owned(),
                hash: b64(hash)
                    .filter(|h| h.len() == 64)
                    .ok_or_else(|| bad(hasher, "the hash is not 64 bytes of base64"))?,
            }),
            _ => Err(bad(
                hasher,
                "expected sha512_symfony$<iterations>$<salt>$<hash>",
            )),
        },
        "phpass" | "md5_phpass" => {
            let prefix_ok = digest.starts_with("$P$") || digest.starts_with("$H$");
            let chars_ok = digest.bytes().skip(3).all(|b| ITOA64.contains(&b));
            let rounds_ok = digest
                .as_bytes()
                .get(3)
                .and_then(|c| ITOA64.iter().position(|x| x == c))
                .is_some_and(|n| (7..=30).contains(&n));
            if digest.len() == 34 && prefix_ok && chars_ok && rounds_ok {
                Ok(Parsed::Phpass {
                    setting: digest[..12].to_owned(),
                    checksum: digest[12..].to_owned(),
                })
            } else {
                Err(bad(
                    hasher,
                    "expected $P$ or $H$ and 31 characters of [./0-9A-Za-z]",
                ))
            }
        }
        "ldap_ssha" => {
            let body = digest
                .strip_prefix("{SSHA}")
                .or_else(|| digest.strip_prefix("{ssha}"))
                .ok_or_else(|| bad(hasher, "expected {SSHA}<base64>"))?;
            match b64(body) {
                Some(raw) if raw.len() > 20 => Ok(Parsed::Ssha {
                    hash: raw[..20].to_vec(),
                    salt: raw[20..].to_vec(),
                }),
                _ => Err(bad(hasher, "the base64 holds no SHA-1 and salt")),
            }
        }
        "awscognito" => {
            let parts: Vec<&str> = digest.split('#').collect();
            if parts.len() == 4
                && parts[0] == "awscognito"
                && parts[1..].iter().all(|p| !p.is_empty())
            {
                Ok(Parsed::Cognito)
            } else {
                Err(bad(
                    hasher,
                    "expected awscognito#<pool id>#<client id>#<identifier>",
                ))
            }
        }
        // No published definition to compute it from: stored, never verified.
        "hmac_sha256_utf16_b64" if !digest.is_empty() => Ok(Parsed::Opaque),
        _ => Err(bad(hasher, "empty or unknown")),
    }
}

fn parse_pbkdf2(
    hasher: &str,
    parts: &[&str],
    number: impl Fn(&str, &str) -> Result<u32, Unparsable>,
) -> Result<Parsed, Unparsable> {
    let prefix = if hasher == "pbkdf2_sha256_django" {
        "pbkdf2_sha256"
    } else {
        hasher
    };
    let (iterations, salt, hash, rest) = match parts {
        [p, i, s, h, rest @ ..] if *p == prefix && rest.len() <= 1 => (*i, *s, *h, rest),
        _ => {
            return Err(bad(
                hasher,
                &format!("expected {prefix}$<iterations>$<salt>$<hash>"),
            ));
        }
    };
    let iterations = number(iterations, "iterations")?;
    let not = |what: &str| bad(hasher, what);
    let (prf, salt, hash) = match hasher {
        // Clerk: a salt that is valid hex is decoded; the hash is hex.
        "pbkdf2_sha1" => (
            Prf::Sha1,
            hex(salt).unwrap_or_else(|| salt.as_bytes().to_vec()),
            hex(hash).ok_or_else(|| not("the hash is not hex"))?,
        ),
        "pbkdf2_sha256" => (
            Prf::Sha256,
            b64(salt).ok_or_else(|| not("the salt is not base64"))?,
            b64(hash).ok_or_else(|| not("the hash is not base64"))?,
        ),
        "pbkdf2_sha256_django" => (
            Prf::Sha256,
            salt.as_bytes().to_vec(),
            b64(hash).ok_or_else(|| not("the hash is not base64"))?,
        ),
        "pbkdf2_sha512" => (
            Prf::Sha512,
            salt.as_bytes().to_vec(),
            hex(hash).ok_or_else(|| not("the hash is not hex"))?,
        ),
        _ => (
            Prf::Sha512,
            hex(salt).ok_or_else(|| not("the salt is not hex"))?,
            hex(hash).ok_or_else(|| not("the hash is not hex"))?,
        ),
    };
    if let [len] = rest
        && len.parse::<usize>().ok() != Some(hash.len())
    {
        return Err(not("the key length does not match the hash"));
    }
    if salt.is_empty() || hash.is_empty() {
        return Err(not("the salt or hash is empty"));
    }
    Ok(Parsed::Pbkdf2 {
        prf,
        iterations,
        salt,
        hash,
    })
}

/// Constant-time comparison, as a real verifier would do it.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn verdict(ok: bool) -> PasswordCheck {
    if ok {
        PasswordCheck::Match
    } else {
        PasswordCheck::NoMatch
    }
}

fn hex_text(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Work the sandbox will do for one check: real hashers go far beyond these, but a test
/// double that a single crafted digest could stall for hours or run out of memory with is
/// no oracle. Clerk's own limits are not published.
const MAX_MEMORY: u64 = 512 << 20;
const MAX_ITERATIONS: u64 = 10_000_000;
const MAX_BCRYPT_COST: u32 = 16;
const MAX_PHPASS_LOG2: usize = 24;

impl Parsed {
    /// Why checking this digest would cost more than the sandbox spends, if it would.
    fn too_costly(&self) -> Option<String> {
        let cost = match self {
            Self::Bcrypt { hash, .. } => {
                let c = hash
                    .get(4..6)
                    .and_then(|c| c.parse::<u32>().ok())
                    .unwrap_or(0);
                (c > MAX_BCRYPT_COST).then(|| {
                    format!("bcrypt cost {c} (the sandbox checks up to {MAX_BCRYPT_COST})")
                })
            }
            Self::Argon2 { phc } => argon2::PasswordHash::new(phc)
                .ok()
                .and_then(|h| h.params.get_decimal("m"))
                .filter(|m| u64::from(*m) * 1024 > MAX_MEMORY)
                .map(|m| format!("argon2 memory {m} KiB")),
            Self::ScryptFirebase {
                rounds, mem_cost, ..
            } => {
                let bytes = 128u64
                    .saturating_mul(u64::from(*rounds))
                    .saturating_mul(1u64 << *mem_cost);
                (bytes > MAX_MEMORY).then(|| format!("scrypt needing {} MiB", bytes >> 20))
            }
            Self::ScryptWerkzeug { log_n, r, p, .. } => {
                let bytes = 128u64
                    .saturating_mul(u64::from(*r))
                    .saturating_mul(1u64 << *log_n)
                    .saturating_mul(u64::from(*p));
                (bytes > MAX_MEMORY).then(|| format!("scrypt needing {} MiB", bytes >> 20))
            }
            Self::Pbkdf2 { iterations, .. } | Self::Symfony { iterations, .. } => {
                (u64::from(*iterations) > MAX_ITERATIONS)
                    .then(|| format!("{iterations} iterations"))
            }
            Self::Phpass { setting, .. } => setting
                .as_bytes()
                .get(3)
                .and_then(|c| ITOA64.iter().position(|x| x == c))
                .filter(|n| *n > MAX_PHPASS_LOG2)
                .map(|n| format!("phpass 2^{n} rounds")),
            Self::Plain { .. } | Self::Ssha { .. } | Self::Cognito | Self::Opaque => None,
        };
        cost.map(|c| format!("the digest asks for {c}, more than the sandbox spends on one check"))
    }

    /// Checks `password`. Slow by design for the strong hashers: call it off the runtime.
    pub fn verify(&self, password: &str) -> PasswordCheck {
        if let Some(why) = self.too_costly() {
            return PasswordCheck::Unsupported(why);
        }
        let pw = password.as_bytes();
        match self {
            Self::Bcrypt { hash, pre } => {
                let input = match pre {
                    BcryptInput::Password => password.to_owned(),
                    BcryptInput::Sha256Hex => hex_text(&Sha256::digest(pw)),
                    BcryptInput::Pepper(p) => format!("{password}{p}"),
                };
                verdict(bcrypt::verify(input, hash).unwrap_or(false))
            }
            Self::Argon2 { phc } => {
                use argon2::PasswordVerifier as _;
                match argon2::PasswordHash::new(phc) {
                    Ok(h) => verdict(argon2::Argon2::default().verify_password(pw, &h).is_ok()),
                    Err(e) => PasswordCheck::Unsupported(e.to_string()),
                }
            }
            Self::ScryptFirebase {
                hash,
                salt,
                signer_key,
                salt_separator,
                rounds,
                mem_cost,
            } => {
                use aes::cipher::{KeyIvInit as _, StreamCipher as _};
                let Ok(params) = scrypt::Params::new(*mem_cost, *rounds, 1, 32) else {
                    return PasswordCheck::Unsupported("scrypt parameters out of range".into());
                };
                let mut full_salt = salt.clone();
                full_salt.extend_from_slice(salt_separator);
                let mut key = [0u8; 32];
                if scrypt::scrypt(pw, &full_salt, &params, &mut key).is_err() {
                    return PasswordCheck::Unsupported("scrypt failed".into());
                }
                let mut block = signer_key.clone();
                let mut cipher = ctr::Ctr128BE::<aes::Aes256>::new(&key.into(), &[0u8; 16].into());
                cipher.apply_keystream(&mut block);
                verdict(same(&block, hash))
            }
            Self::ScryptWerkzeug {
                log_n,
                r,
                p,
                salt,
                hash,
            } => {
                let Ok(params) = scrypt::Params::new(*log_n, *r, *p, 32) else {
                    return PasswordCheck::Unsupported("scrypt parameters out of range".into());
                };
                let mut out = vec![0u8; hash.len()];
                verdict(scrypt::scrypt(pw, salt, &params, &mut out).is_ok() && same(&out, hash))
            }
            Self::Pbkdf2 {
                prf,
                iterations,
                salt,
                hash,
            } => {
                let mut out = vec![0u8; hash.len()];
                match prf {
                    Prf::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>(pw, salt, *iterations, &mut out),
                    Prf::Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>(pw, salt, *iterations, &mut out),
                    Prf::Sha512 => pbkdf2::pbkdf2_hmac::<Sha512>(pw, salt, *iterations, &mut out),
                }
                verdict(same(&out, hash))
            }
            Self::Plain { alg, salt, hash } => {
                let out = match alg {
                    Plain::Md5 => Md5::new()
                        .chain_update(salt)
                        .chain_update(pw)
                        .finalize()
                        .to_vec(),
                    Plain::Sha256 => Sha256::new()
                        .chain_update(salt)
                        .chain_update(pw)
                        .finalize()
                        .to_vec(),
                };
                verdict(same(&out, hash))
            }
            Self::Symfony {
                iterations,
                salt,
                hash,
            } => {
                let salted = if salt.is_empty() {
                    password.to_owned()
                } else {
                    format!("{password}{{{salt}}}")
                };
                let mut digest = Sha512::digest(salted.as_bytes());
                for _ in 1..*iterations {
                    digest = Sha512::new()
                        .chain_update(digest)
                        .chain_update(salted.as_bytes())
                        .finalize();
                }
                verdict(same(&digest, hash))
            }
            Self::Phpass { setting, checksum } => verdict(phpass(setting, pw) == *checksum),
            Self::Ssha { hash, salt } => {
                let out = Sha1::new().chain_update(pw).chain_update(salt).finalize();
                verdict(same(&out, hash))
            }
            Self::Cognito => PasswordCheck::Unsupported(
                "awscognito is not a hash: Clerk checks the password against AWS Cognito at the \
                 user's first sign-in, which the sandbox cannot reach"
                    .into(),
            ),
            Self::Opaque => PasswordCheck::Unsupported(
                "the sandbox does not compute hmac_sha256_utf16_b64: Clerk documents no \
                 definition of it to check against"
                    .into(),
            ),
        }
    }
}

/// phpass's portable hash: MD5 over salt and password, then 2^count rounds of MD5 over
/// the previous digest and the password, encoded in phpass's own base64 order.
fn phpass(setting: &str, pw: &[u8]) -> String {
    let bytes = setting.as_bytes();
    let count_log2 = ITOA64.iter().position(|c| *c == bytes[3]).unwrap_or(0);
    let salt = &bytes[4..12];
    let mut digest = Md5::new().chain_update(salt).chain_update(pw).finalize();
    for _ in 0..(1u64 << count_log2) {
        digest = Md5::new().chain_update(digest).chain_update(pw).finalize();
    }
    let input = digest.as_slice();
    let mut out = String::new();
    let mut i = 0;
    let push = |out: &mut String, v: u32| out.push(ITOA64[(v & 0x3f) as usize] as char);
    while i < input.len() {
        let mut value = u32::from(input[i]);
        i += 1;
        push(&mut out, value);
        if i < input.len() {
            value |= u32::from(input[i]) << 8;
        }
        push(&mut out, value >> 6);
        if i >= input.len() {
            break;
        }
        i += 1;
        if i < input.len() {
            value |= u32::from(input[i]) << 16;
        }
        push(&mut out, value >> 12);
        if i >= input.len() {
            break;
        }
        i += 1;
        push(&mut out, value >> 18);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_of_the_wrong_shape_are_refused_with_what_was_expected() {
        let cases = [
            ("bcrypt", "$2a$10$short"),
            ("argon2id", "$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$aGFzaA"),
            ("scrypt_firebase", "h$s$k$Bw==$8"),
            ("scrypt_werkzeug", "pbkdf2:sha256:1000$salt$abcd"),
            ("pbkdf2_sha256_django", "pbkdf2_sha1$1000$salt$aGFzaA=="),
            ("md5", "5f4dcc3b5aa765d61d8327deb882cf9"),
            ("sha256_salted", "nosalt"),
            ("phpass", "$P$Bshort"),
            ("ldap_ssha", "{SHA}abc"),
            ("awscognito", "awscognito#pool"),
        ];
        for (hasher, digest) in cases {
            let err = parse(hasher, digest).expect_err(hasher);
            assert!(err.0.contains(hasher), "{hasher}: {}", err.0);
        }
    }

    #[test]
    fn plain_digests_check_the_password() {
        // MD5("password") and SHA-256("password"): the two published test vectors.
        let md5 = parse("md5", "5f4dcc3b5aa765d61d8327deb882cf99").unwrap();
        assert_eq!(md5.verify("password"), PasswordCheck::Match);
        assert_eq!(md5.verify("Password"), PasswordCheck::NoMatch);
        let sha = parse(
            "sha256",
            "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
        )
        .unwrap();
        assert_eq!(sha.verify("password"), PasswordCheck::Match);
    }

    #[test]
    fn digests_that_would_stall_the_sandbox_are_not_computed() {
        let huge = parse("scrypt_werkzeug", "scrypt:1073741824:8:1$salt$abcd").expect("parses");
        assert!(matches!(huge.verify("x"), PasswordCheck::Unsupported(m) if m.contains("MiB")));
        let slow = parse(
            "pbkdf2_sha256_django",
            "pbkdf2_sha256$4000000000$salt$aGFzaA==",
        )
        .expect("parses");
        assert!(
            matches!(slow.verify("x"), PasswordCheck::Unsupported(m) if m.contains("iterations"))
        );
        let bcrypt = parse(
            "bcrypt",
            "$2b$31$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
        )
        .expect("parses");
        assert!(
            matches!(bcrypt.verify("x"), PasswordCheck::Unsupported(m) if m.contains("cost 31"))
        );
    }

    #[test]
    fn cognito_is_never_verified_here() {
        let p = parse("awscognito", "awscognito#eu-west-1_x#client#sub").unwrap();
        assert!(
            matches!(p.verify("anything"), PasswordCheck::Unsupported(m) if m.contains("Cognito"))
        );
    }
}
