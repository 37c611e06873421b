//! The signed-in student's own profile.

use crate::ids::UserId;
use crate::universities::University;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Body of `GET /api/v1/me`, also embedded in every token response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// The account's id.
    pub id: UserId,
    /// The normalised (trimmed, lower-case) email address.
    pub email: String,
    /// Name shown to classmates.
    pub display_name: String,
    /// The university the student belongs to.
    pub university: University,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}
