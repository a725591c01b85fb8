//! Password hashing and password rules for hrtrack accounts.
//!
//! Passwords are hashed with Argon2id using the OWASP recommended parameters
//! (19 456 KiB of memory, 2 iterations, 1 lane) and a random salt taken from
//! the operating system. The result is a self-describing PHC string
//! (`$argon2id$v=19$m=19456,t=2,p=1$...`) that is stored as is, so the
//! parameters can be raised later without breaking existing hashes.
//!
//! A server hashes and verifies through a [`PasswordPool`]: the work (about 15 ms of CPU and
//! 19 MiB each) runs on tokio's blocking threads, a few at a time, never on the threads that
//! answer requests.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Semaphore;

/// Fewest characters (Unicode scalar values, not bytes) a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Most characters a new password may have; bounds the hashing work per login.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Argon2 memory cost in KiB (OWASP recommendation for Argon2id).
const MEMORY_KIB: u32 = 19_456;
/// Argon2 number of passes over the memory.
const ITERATIONS: u32 = 2;
/// Argon2 degree of parallelism.
const LANES: u32 = 1;

/// Most memory, in KiB, a stored hash may ask for when verifying.
const MAX_VERIFY_MEMORY_KIB: u32 = 262_144;
/// Most passes a stored hash may ask for when verifying.
const MAX_VERIFY_ITERATIONS: u32 = 16;
/// Most lanes a stored hash may ask for when verifying.
const MAX_VERIFY_LANES: u32 = 16;

/// Why a password could not be accepted or hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// The new password is empty or only whitespace.
    #[error(
        "the password is blank: it needs at least {minimum} characters, not counting spaces at its ends"
    )]
    Blank { minimum: usize },
    /// The new password is shorter than [`MIN_PASSWORD_CHARS`] without the whitespace at its
    /// ends.
    #[error(
        "the password is too short: it has {actual} characters not counting spaces at its ends, at least {minimum} are required"
    )]
    TooShort { actual: usize, minimum: usize },
    /// The new password is longer than [`MAX_PASSWORD_CHARS`].
    #[error("the password is too long: it has {actual} characters, at most {maximum} are allowed")]
    TooLong { actual: usize, maximum: usize },
    /// The new password is the user name (ignoring letter case).
    #[error("the password must not be the same as the user name")]
    SameAsUserName,
    /// The hashing library reported an error (for example no randomness was available).
    #[error("the password could not be hashed: {0}")]
    Hashing(String),
}

/// The Argon2id hasher with the parameters used for every new hash.
fn owasp_argon2id() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .map_err(|error| PasswordError::Hashing(error.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes `password` with Argon2id and a fresh random salt, returning a PHC string.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = owasp_argon2id()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|error| PasswordError::Hashing(error.to_string()))?;
    Ok(hash.to_string())
}

/// Tells whether `password` matches the stored PHC string `phc`.
///
/// The parameters recorded in `phc` are used, so hashes made with other
/// parameters still verify, up to a cost limit (256 MiB, 16 passes, 16
/// lanes) that keeps a tampered hash from exhausting the server. A
/// malformed, unsupported or too costly hash gives `false`.
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let affordable = params.m_cost() <= MAX_VERIFY_MEMORY_KIB
        && params.t_cost() <= MAX_VERIFY_ITERATIONS
        && params.p_cost() <= MAX_VERIFY_LANES;
    if !affordable {
        return false;
    }
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Checks the rules a new password must follow for the account `user_name`: at least
/// [`MIN_PASSWORD_CHARS`] characters without the whitespace at its ends (so never blank), at
/// most [`MAX_PASSWORD_CHARS`], and not the user name.
pub fn check_new_password(password: &str, user_name: &str) -> Result<(), PasswordError> {
    let length = password.trim().chars().count();
    if length == 0 {
        return Err(PasswordError::Blank {
            minimum: MIN_PASSWORD_CHARS,
        });
    }
    if length < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort {
            actual: length,
            minimum: MIN_PASSWORD_CHARS,
        });
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(PasswordError::TooLong {
            actual: length,
            maximum: MAX_PASSWORD_CHARS,
        });
    }
    if password.to_lowercase() == user_name.trim().to_lowercase() {
        return Err(PasswordError::SameAsUserName);
    }
    Ok(())
}

/// Hashing and verification off the async runtime: each runs on tokio's blocking threads,
/// at most `workers` at once (the others wait their turn without holding a thread), and the
/// verifications are counted.
#[derive(Debug)]
pub struct PasswordPool {
    permits: Arc<Semaphore>,
    verifications: AtomicU64,
}

impl PasswordPool {
    /// A pool running at most `workers` (at least one) hashes at a time.
    pub fn new(workers: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(workers.max(1))),
            verifications: AtomicU64::new(0),
        }
    }

    /// A pool running as many hashes at a time as the machine has cores.
    pub fn sized_to_machine() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
    }

    /// [`hash_password`] on a blocking thread.
    pub async fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|e| PasswordError::Hashing(e.to_string()))?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let hashed = hash_password(&password);
            drop(permit);
            hashed
        })
        .await
        .map_err(|e| PasswordError::Hashing(e.to_string()))?
    }

    /// [`verify_password`] against `phc` on a blocking thread; with `None` (an unknown or
    /// archived account) the password is checked against a hash of a random secret, as slowly
    /// as a real one, and the answer is `false`: the time taken does not tell them apart.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> bool {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let Ok(permit) = Arc::clone(&self.permits).acquire_owned().await else {
            return false;
        };
        let password = password.to_owned();
        let phc = phc.map(str::to_owned);
        tokio::task::spawn_blocking(move || {
            let verified = match &phc {
                Some(phc) => verify_password(&password, phc),
                None => {
                    let _ = verify_password(&password, &DUMMY_HASH);
                    false
                }
            };
            drop(permit);
            verified
        })
        .await
        .unwrap_or(false)
    }

    /// How many verifications this pool was asked for.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

/// A hash of a random secret with the parameters of every new hash, made on first use (on a
/// blocking thread, by [`PasswordPool::verify`]).
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let secret = SaltString::generate(&mut OsRng);
    hash_password(secret.as_str()).unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_argon2id_phc_with_owasp_parameters() {
        let phc = hash_password("correct horse battery").expect("hashing works");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    }

    #[test]
    fn hash_verifies_only_the_right_password() {
        let phc = hash_password("Zürich-Genève 2025").expect("hashing works");
        assert!(verify_password("Zürich-Genève 2025", &phc));
        assert!(!verify_password("zürich-genève 2025", &phc));
        assert!(!verify_password("", &phc));
    }

    #[test]
    fn two_hashes_of_one_password_use_different_salts() {
        let first = hash_password("same password here").expect("hashing works");
        let second = hash_password("same password here").expect("hashing works");
        assert_ne!(first, second);
    }

    #[test]
    fn malformed_hashes_do_not_verify() {
        for phc in [
            "",
            "$",
            "plain text",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$",
            "$argon2id$v=19$m=1,t=0,p=0$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
            "$bcrypt$whatever",
            "$argon2id$v=19$m=19456,t=2,p=1$!!!$???",
            "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$argon2id$v=19$m=19456,t=4000000000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2g",
        ] {
            assert!(!verify_password("password1234", phc), "{phc:?}");
        }
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // Nine characters, but far more than ten bytes.
        assert_eq!(
            check_new_password("ééééééééé", "someone"),
            Err(PasswordError::TooShort {
                actual: 9,
                minimum: MIN_PASSWORD_CHARS
            })
        );
        assert_eq!(check_new_password("éééééééééé", "someone"), Ok(()));
    }

    #[test]
    fn blank_passwords_are_refused_and_end_spaces_do_not_count() {
        let blank = check_new_password(&" ".repeat(10), "someone");
        assert_eq!(blank, Err(PasswordError::Blank { minimum: 10 }));
        let message = blank.unwrap_err().to_string();
        assert!(message.contains("not counting spaces"), "{message}");
        assert_eq!(
            check_new_password("\t\n \u{a0}\u{3000}          ", "someone"),
            Err(PasswordError::Blank { minimum: 10 })
        );
        assert_eq!(
            check_new_password("   abc      ", "someone"),
            Err(PasswordError::TooShort {
                actual: 3,
                minimum: 10
            })
        );
        // Spaces inside count.
        assert_eq!(check_new_password("  a b c d e f  ", "someone"), Ok(()));
    }

    #[tokio::test]
    async fn the_pool_hashes_and_verifies_off_the_runtime_and_counts() {
        let pool = PasswordPool::new(2);
        let phc = pool.hash("correct horse battery").await.expect("hash");
        assert!(pool.verify("correct horse battery", Some(&phc)).await);
        assert!(!pool.verify("wrong horse battery", Some(&phc)).await);
        assert!(!pool.verify("correct horse battery", None).await);
        assert_eq!(pool.verifications(), 3);
        assert!(DUMMY_HASH.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }

    #[test]
    fn too_long_password_is_refused() {
        let long = "a".repeat(MAX_PASSWORD_CHARS + 1);
        assert!(matches!(
            check_new_password(&long, "someone"),
            Err(PasswordError::TooLong { actual: 257, .. })
        ));
        assert_eq!(
            check_new_password(&"a".repeat(MAX_PASSWORD_CHARS), "someone"),
            Ok(())
        );
    }

    #[test]
    fn password_equal_to_user_name_is_refused_ignoring_case() {
        assert_eq!(
            check_new_password("Maria.Silva", "maria.silva"),
            Err(PasswordError::SameAsUserName)
        );
        assert_eq!(check_new_password("Maria.Silva!", "maria.silva"), Ok(()));
    }

    #[test]
    fn error_messages_are_readable() {
        let message = PasswordError::TooShort {
            actual: 3,
            minimum: 10,
        }
        .to_string();
        assert!(message.contains("at least 10"), "{message}");
    }
}
