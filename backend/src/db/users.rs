//! Queries over the `users` table.

use super::{Db, DbError, classify, now_millis};
use pretzel_api::{UniversityId, UserId};
use sqlx::Row;

/// A stored account.
#[derive(Debug, Clone)]
pub struct UserRecord {
    /// The account's id.
    pub id: UserId,
    /// Normalised email.
    pub email: String,
    /// PHC-format argon2id hash.
    pub password_hash: String,
    /// Name shown to classmates.
    pub display_name: String,
    /// The student's university.
    pub university_id: UniversityId,
    /// Creation time, Unix milliseconds.
    pub created_at: i64,
    /// The student's home IANA time zone, when set.
    pub home_time_zone: Option<String>,
    /// The student said they hold a student visa.
    pub student_visa: bool,
}

/// A profile edit: `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ProfileChange<'a> {
    /// A validated, trimmed display name.
    pub display_name: Option<&'a str>,
    /// `Some(None)` clears the home time zone; `Some(Some(zone))` sets a validated IANA name.
    pub home_time_zone: Option<Option<&'a str>>,
    /// Whether the student holds a student visa.
    pub student_visa: Option<bool>,
}

/// What sign-up stores.
#[derive(Debug)]
pub struct NewUser<'a> {
    /// Normalised email.
    pub email: &'a str,
    /// PHC-format argon2id hash.
    pub password_hash: &'a str,
    /// Trimmed display name.
    pub display_name: &'a str,
    /// An existing university.
    pub university_id: UniversityId,
}

const USER_COLUMNS: &str =
    "id, email, password_hash, display_name, university_id, created_at, home_time_zone, student_visa";

fn row_to_user(row: &sqlx::any::AnyRow) -> Result<UserRecord, DbError> {
    Ok(UserRecord {
        id: UserId(row.try_get("id")?),
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        display_name: row.try_get("display_name")?,
        university_id: UniversityId(row.try_get("university_id")?),
        created_at: row.try_get("created_at")?,
        home_time_zone: row.try_get("home_time_zone")?,
        student_visa: row.try_get::<i64, _>("student_visa")? != 0,
    })
}

impl Db {
    /// Stores a new account; [`DbError::UniqueViolation`] if the email is taken.
    pub async fn insert_user(&self, user: &NewUser<'_>) -> Result<UserRecord, DbError> {
        let row = sqlx::query(&format!(
            "INSERT INTO users (email, password_hash, display_name, university_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING {USER_COLUMNS}"
        ))
        .bind(user.email)
        .bind(user.password_hash)
        .bind(user.display_name)
        .bind(user.university_id.0)
        .bind(now_millis())
        .fetch_one(self.pool())
        .await
        .map_err(classify)?;
        row_to_user(&row)
    }

    /// The account with this normalised email, if any.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, DbError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
            .bind(email)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(row_to_user).transpose()
    }

    /// The account with this id, if any.
    pub async fn user_by_id(&self, id: UserId) -> Result<Option<UserRecord>, DbError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(row_to_user).transpose()
    }

    /// Applies `change` to the account and returns it as stored now; `None` if there is no such
    /// account. One statement, so a concurrent edit of other fields is never lost.
    pub async fn update_profile(&self, id: UserId, change: &ProfileChange<'_>) -> Result<Option<UserRecord>, DbError> {
        let row = sqlx::query(&format!(
            "UPDATE users SET \
             display_name = CASE WHEN $2 = 1 THEN $3 ELSE display_name END, \
             home_time_zone = CASE WHEN $4 = 1 THEN $5 ELSE home_time_zone END, \
             student_visa = CASE WHEN $6 = 1 THEN $7 ELSE student_visa END \
             WHERE id = $1 RETURNING {USER_COLUMNS}"
        ))
        .bind(id.0)
        .bind(i64::from(change.display_name.is_some()))
        .bind(change.display_name.unwrap_or_default())
        .bind(i64::from(change.home_time_zone.is_some()))
        .bind(change.home_time_zone.flatten())
        .bind(i64::from(change.student_visa.is_some()))
        .bind(i64::from(change.student_visa.unwrap_or_default()))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(row_to_user).transpose()
    }
}
