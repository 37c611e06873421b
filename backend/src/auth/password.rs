//! Password policy and hashing (argon2id with OWASP's recommended parameters).
//!
//! Hashing runs on the blocking pool: it is deliberately slow. Unknown emails are verified against
//! a dummy hash so that a wrong email and a wrong password cost the same time.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use pretzel_api::{FieldError, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

const COMMON_PASSWORDS_TXT: &str = include_str!("../../../assets/common-passwords.txt");

static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| COMMON_PASSWORDS_TXT.lines().map(str::trim).filter(|l| !l.is_empty()).collect());

/// A failure of the hashing machinery itself (never a wrong password).
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// argon2 refused its input or parameters.
    #[error("password hashing failed: {0}")]
    Argon2(String),
    /// The blocking task was cancelled or panicked.
    #[error("password hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

fn argon2() -> Argon2<'static> {
    // 19 MiB, 2 passes, 1 lane: OWASP's argon2id baseline. These constants are valid, so the
    // fallback to the library defaults can only happen if argon2 changes its bounds.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks a new password against the policy; `email` is the normalised email it would protect.
pub fn check_policy(password: &str, email: &str) -> Option<FieldError> {
    let chars = password.chars().count();
    let problem =
        |code: &str, message: String| Some(FieldError { field: "password".into(), code: code.into(), message });
    if chars < PASSWORD_MIN_CHARS {
        return problem("too_short", format!("Use at least {PASSWORD_MIN_CHARS} characters."));
    }
    if chars > PASSWORD_MAX_CHARS {
        return problem("too_long", format!("Use at most {PASSWORD_MAX_CHARS} characters."));
    }
    let lower = password.to_lowercase();
    let local_part = email.split('@').next().unwrap_or_default();
    if COMMON_PASSWORDS.contains(lower.as_str()) || lower == email || (!local_part.is_empty() && lower == local_part) {
        return problem("too_common", "This password is too easy to guess; choose another.".into());
    }
    None
}

/// Hashes and verifies passwords.
#[derive(Clone)]
pub struct PasswordHasherPool {
    /// A hash of a random password, verified against when the email is unknown.
    dummy_hash: Arc<String>,
}

impl std::fmt::Debug for PasswordHasherPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHasherPool")
    }
}

impl PasswordHasherPool {
    /// Prepares the dummy hash (one argon2 run).
    pub async fn new() -> Result<Self, HashError> {
        let random: String = {
            use rand::Rng;
            let bytes: [u8; 16] = rand::thread_rng().r#gen();
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        };
        let dummy_hash = Self::hash(random).await?;
        Ok(Self { dummy_hash: Arc::new(dummy_hash) })
    }

    /// Hashes `password` into a PHC string.
    pub async fn hash(password: String) -> Result<String, HashError> {
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError::Argon2(e.to_string()))
        })
        .await?
    }

    /// Verifies `password` against `stored` (a PHC string), or against the dummy hash when there is
    /// no account, so both paths take the same time. Returns `false` for no account.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, HashError> {
        let account_exists = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.as_str().to_owned());
        let matches = tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&hash).map_err(|e| HashError::Argon2(e.to_string()))?;
            Ok::<_, HashError>(argon2().verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await??;
        Ok(account_exists && matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_policy_accepts_good_and_long_passwords() {
        assert_eq!(check_policy("maple-syrup-in-seoul", "a@b.edu"), None);
        let long = "correct horse battery staple ".repeat(3);
        assert!(long.chars().count() >= 64);
        assert_eq!(check_policy(&long, "a@b.edu"), None);
    }

    #[test]
    fn test_policy_refuses_short_long_and_common_passwords() {
        let code = |p: &str| check_policy(p, "jimin@illinois.edu").map(|e| e.code);
        assert_eq!(code("short1!").as_deref(), Some("too_short"));
        assert_eq!(code(&"x".repeat(PASSWORD_MAX_CHARS + 1)).as_deref(), Some("too_long"));
        assert_eq!(code("password123").as_deref(), Some("too_common"));
        assert_eq!(code("PassWord123").as_deref(), Some("too_common"));
        assert_eq!(code("12345678").as_deref(), Some("too_common"));
        assert_eq!(code("jimin@illinois.edu").as_deref(), Some("too_common"));
        // characters, not bytes: 8 Hangul syllables are long enough
        assert_eq!(code("비밀번호를잘지켜"), None);
    }

    #[tokio::test]
    async fn test_hash_verifies_only_the_right_password() {
        let pool = PasswordHasherPool::new().await.expect("pool");
        let hash = PasswordHasherPool::hash("maple-syrup-in-seoul".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(pool.verify("maple-syrup-in-seoul".into(), Some(hash.clone())).await.expect("verify"));
        assert!(!pool.verify("maple-syrup-in-busan".into(), Some(hash)).await.expect("verify"));
        assert!(!pool.verify("anything at all".into(), None).await.expect("verify"));
    }
}
