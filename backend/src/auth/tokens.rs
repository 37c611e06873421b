//! Access tokens (short-lived, HMAC-SHA256 signed, naming their session) and refresh tokens
//! (256 random bits, stored only as their SHA-256).
//!
//! An access token reads `pa1.<base64url claims JSON>.<base64url signature>`. Its signature proves
//! the server issued it; the session it names is still looked up on every request.

use crate::error::ApiError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use pretzel_api::UserId;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const PREFIX: &str = "pa1";

/// What an access token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The session (token family) it belongs to.
    #[serde(rename = "sid")]
    pub session_id: i64,
    /// The student.
    #[serde(rename = "uid")]
    pub user_id: UserId,
    /// Expiry, Unix milliseconds.
    #[serde(rename = "exp")]
    pub expires_at: i64,
}

/// Signs and verifies access tokens with the server's key.
#[derive(Clone)]
pub struct TokenSigner {
    key: [u8; 32],
    /// Lifetime of an access token, milliseconds.
    pub access_ttl_ms: i64,
    /// Lifetime of a refresh token, milliseconds.
    pub refresh_ttl_ms: i64,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner").field("access_ttl_ms", &self.access_ttl_ms).finish_non_exhaustive()
    }
}

/// A new random secret for [`TokenSigner::from_encoded_key`], base64url.
pub fn generate_key() -> String {
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    URL_SAFE_NO_PAD.encode(key)
}

impl TokenSigner {
    /// Builds a signer from a key made by [`generate_key`]; `None` if the key is not 32 bytes of base64url.
    pub fn from_encoded_key(encoded: &str, access_ttl_ms: i64, refresh_ttl_ms: i64) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
        let key: [u8; 32] = bytes.try_into().ok()?;
        Some(Self { key, access_ttl_ms, refresh_ttl_ms })
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }

    /// Issues an access token for `session_id` expiring `access_ttl_ms` after `now`.
    pub fn issue_access(&self, session_id: i64, user_id: UserId, now: i64) -> String {
        let claims = AccessClaims { session_id, user_id, expires_at: now + self.access_ttl_ms };
        // Serialising three integers cannot fail.
        let json = serde_json::to_vec(&claims).unwrap_or_default();
        let body = format!("{PREFIX}.{}", URL_SAFE_NO_PAD.encode(json));
        let mut mac = self.mac();
        mac.update(body.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{body}.{signature}")
    }

    /// Checks the signature and expiry of `token` (the session is checked by the caller).
    pub fn verify_access(&self, token: &str, now: i64) -> Result<AccessClaims, ApiError> {
        let (body, signature) = token.rsplit_once('.').ok_or(ApiError::InvalidToken)?;
        let (prefix, claims_b64) = body.split_once('.').ok_or(ApiError::InvalidToken)?;
        if prefix != PREFIX {
            return Err(ApiError::InvalidToken);
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| ApiError::InvalidToken)?;
        let mut mac = self.mac();
        mac.update(body.as_bytes());
        mac.verify_slice(&signature).map_err(|_| ApiError::InvalidToken)?;
        let json = URL_SAFE_NO_PAD.decode(claims_b64).map_err(|_| ApiError::InvalidToken)?;
        let claims: AccessClaims = serde_json::from_slice(&json).map_err(|_| ApiError::InvalidToken)?;
        if claims.expires_at <= now {
            return Err(ApiError::TokenExpired);
        }
        Ok(claims)
    }
}

/// A new refresh token: 256 random bits, base64url.
pub fn generate_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores for a refresh token: its SHA-256, hex.
pub fn hash_refresh_token(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_signer() -> TokenSigner {
        TokenSigner::from_encoded_key(&generate_key(), 60_000, 3_600_000).expect("valid key")
    }

    #[test]
    fn test_issued_token_verifies_until_it_expires() {
        let signer = new_signer();
        let token = signer.issue_access(7, UserId(42), 1_000);
        let claims = signer.verify_access(&token, 1_001).expect("valid");
        assert_eq!(claims, AccessClaims { session_id: 7, user_id: UserId(42), expires_at: 61_000 });
        assert!(matches!(signer.verify_access(&token, 61_000), Err(ApiError::TokenExpired)));
    }

    #[test]
    fn test_forged_and_foreign_tokens_are_refused() {
        let signer = new_signer();
        let token = signer.issue_access(7, UserId(42), 1_000);
        // another server's key
        assert!(matches!(new_signer().verify_access(&token, 1_001), Err(ApiError::InvalidToken)));
        // claims edited to another user, signature kept
        let (_, rest) = token.split_once('.').expect("prefix");
        let (_, sig) = rest.split_once('.').expect("sig");
        let forged_claims = URL_SAFE_NO_PAD.encode(br#"{"sid":7,"uid":1,"exp":99999999999999}"#);
        let forged = format!("pa1.{forged_claims}.{sig}");
        assert!(matches!(signer.verify_access(&forged, 1_001), Err(ApiError::InvalidToken)));
        for junk in ["", "pa1", "pa1..", "abc.def.ghi", "pa1.!!!.???"] {
            assert!(matches!(signer.verify_access(junk, 1_001), Err(ApiError::InvalidToken)), "{junk}");
        }
    }

    #[test]
    fn test_refresh_tokens_are_random_and_hashed() {
        let a = generate_refresh_token();
        let b = generate_refresh_token();
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).expect("b64").len(), 32);
        assert_eq!(hash_refresh_token(&a).len(), 64);
        assert_ne!(hash_refresh_token(&a), a);
    }
}
