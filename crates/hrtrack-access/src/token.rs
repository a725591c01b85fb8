//! Secret tokens for sessions, CSRF protection and API access.
//!
//! A secret is a short prefix naming its purpose (for example `"hrs_"`)
//! followed by 32 random bytes from the operating system, written as 43
//! characters of URL-safe base64 without padding. Only the SHA-256 digest of a
//! secret is stored in the database, so a leaked table does not reveal usable
//! secrets; [`secrets_equal`] compares secrets without leaking through timing
//! where they first differ.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};

/// Number of random bytes in every secret.
pub const SECRET_RANDOM_BYTES: usize = 32;

/// Makes a new secret: `prefix` followed by 43 URL-safe base64 characters.
pub fn new_secret(prefix: &str) -> String {
    let mut random = [0u8; SECRET_RANDOM_BYTES];
    OsRng.fill_bytes(&mut random);
    let mut secret = String::from(prefix);
    secret.push_str(&Base64UrlUnpadded::encode_string(&random));
    secret
}

/// The lowercase hexadecimal SHA-256 digest of `secret`, as stored in the database.
pub fn secret_digest(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        hex.push(hex_digit(byte >> 4));
        hex.push(hex_digit(byte & 0x0f));
    }
    hex
}

/// Compares two secrets in time that depends only on their lengths.
///
/// Secrets of different lengths are never equal; for equal lengths every
/// byte is examined, whatever the position of the first difference.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let difference = a
        .iter()
        .zip(b)
        .fold(0u8, |accumulated, (x, y)| accumulated | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// The lowercase hexadecimal digit for a value below 16.
fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(nibble & 0x0f)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_secret_has_prefix_and_43_url_safe_characters() {
        let secret = new_secret("hrs_");
        let random_part = secret.strip_prefix("hrs_").expect("prefix kept");
        assert_eq!(random_part.len(), 43);
        assert!(
            random_part
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        );
    }

    #[test]
    fn new_secrets_differ() {
        assert_ne!(new_secret(""), new_secret(""));
    }

    #[test]
    fn digest_is_lowercase_hex_sha256() {
        assert_eq!(
            secret_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            secret_digest(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn secrets_equal_compares_whole_secrets() {
        assert!(secrets_equal("hrs_abc", "hrs_abc"));
        assert!(secrets_equal("", ""));
        assert!(!secrets_equal("hrs_abc", "hrs_abd"));
        assert!(!secrets_equal("xrs_abc", "hrs_abc"));
        assert!(!secrets_equal("hrs_abc", "hrs_abcd"));
        assert!(!secrets_equal("hrs_abc", ""));
    }
}
