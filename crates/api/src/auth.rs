//! Sign-up, login, token refresh and logout.

use crate::ids::UniversityId;
use crate::users::Me;
use serde::{Deserialize, Serialize};

/// Body of `POST /api/v1/auth/signup`; answered with [`TokenResponse`] (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupRequest {
    /// Email address; compared case-insensitively.
    pub email: String,
    /// At least 8 characters, not among the most common passwords.
    pub password: String,
    /// Name shown to classmates, 1 to 64 characters.
    pub display_name: String,
    /// The student's university, from `GET /api/v1/universities`.
    pub university_id: UniversityId,
}

/// Body of `POST /api/v1/auth/login`; answered with [`TokenResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// Email address; compared case-insensitively.
    pub email: String,
    /// The account's password.
    pub password: String,
}

/// Body of `POST /api/v1/auth/refresh`; answered with a new [`TokenResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    /// The refresh token from the last token response. It is single-use: presenting it again after
    /// it was rotated revokes the whole session.
    pub refresh_token: String,
}

/// Answer to sign-up, login and refresh: a fresh token pair and the profile it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// Short-lived bearer token for `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `"Bearer"`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Single-use token that buys the next pair from `POST /api/v1/auth/refresh`.
    pub refresh_token: String,
    /// Seconds until the refresh token expires if unused.
    pub refresh_expires_in: u64,
    /// The signed-in student.
    pub user: Me,
}

/// Answer to `POST /api/v1/auth/logout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogoutResponse {
    /// `true` once the session and all its tokens are revoked.
    pub revoked: bool,
}
