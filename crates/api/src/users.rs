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
    /// The student's home IANA time zone (e.g. "Asia/Seoul") for showing the timetable in home time;
    /// `None` until they set it.
    #[serde(default)]
    pub home_time_zone: Option<String>,
    /// The student said they hold a student visa: timetables warn below the full-time minimum.
    #[serde(default)]
    pub student_visa: bool,
}

/// Body of `PATCH /api/v1/me`; absent fields stay as they are. Answer: the updated [`Me`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    /// New display name (same rules as at sign-up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New home time zone: an IANA name, or `""` to clear it. Unknown names are refused (422).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_time_zone: Option<String>,
    /// Whether the student holds a student visa.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub student_visa: Option<bool>,
}
