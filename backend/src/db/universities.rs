//! Queries over the `universities` table and its seed from `assets/universities.json`.

use super::{Db, DbError};
use pretzel_api::{University, UniversityId};
use serde::Deserialize;
use sqlx::Row;

/// The universities shipped with the server, seeded (and updated) on every start.
const SEED_JSON: &str = include_str!("../../../assets/universities.json");

#[derive(Deserialize)]
struct SeedUniversity {
    short_name: String,
    name: String,
    time_zone: String,
    email_domains: Vec<String>,
    /// Fewest credits per term that count as full-time; the usual US minimum when not given.
    #[serde(default = "default_full_time_credits")]
    full_time_credits: u32,
}

fn default_full_time_credits() -> u32 {
    pretzel_api::universities::DEFAULT_FULL_TIME_CREDITS
}

const UNIVERSITY_COLUMNS: &str = "id, name, short_name, time_zone, email_domains, full_time_credits";

fn row_to_university(row: &sqlx::any::AnyRow) -> Result<University, DbError> {
    let domains: String = row.try_get("email_domains")?;
    let email_domains =
        serde_json::from_str(&domains).map_err(|e| DbError::Corrupt(format!("universities.email_domains: {e}")))?;
    let full_time: i64 = row.try_get("full_time_credits")?;
    Ok(University {
        id: UniversityId(row.try_get("id")?),
        name: row.try_get("name")?,
        short_name: row.try_get("short_name")?,
        time_zone: row.try_get("time_zone")?,
        email_domains,
        full_time_credits: u32::try_from(full_time)
            .map_err(|_| DbError::Corrupt(format!("universities.full_time_credits {full_time}")))?,
    })
}

impl Db {
    /// Inserts or updates the shipped universities, keyed by short name. Idempotent.
    pub async fn seed_universities(&self) -> Result<usize, DbError> {
        let seeds: Vec<SeedUniversity> =
            serde_json::from_str(SEED_JSON).map_err(|e| DbError::Corrupt(format!("assets/universities.json: {e}")))?;
        let mut tx = self.pool().begin().await?;
        for seed in &seeds {
            let domains = serde_json::to_string(&seed.email_domains)
                .map_err(|e| DbError::Corrupt(format!("email domains: {e}")))?;
            sqlx::query(
                "INSERT INTO universities (short_name, name, time_zone, email_domains, full_time_credits) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (short_name) DO UPDATE SET name = excluded.name, \
                 time_zone = excluded.time_zone, email_domains = excluded.email_domains, \
                 full_time_credits = excluded.full_time_credits",
            )
            .bind(&seed.short_name)
            .bind(&seed.name)
            .bind(&seed.time_zone)
            .bind(domains)
            .bind(i64::from(seed.full_time_credits))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(seeds.len())
    }

    /// Every university, by name.
    pub async fn list_universities(&self) -> Result<Vec<University>, DbError> {
        let rows = sqlx::query(&format!("SELECT {UNIVERSITY_COLUMNS} FROM universities ORDER BY name"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(row_to_university).collect()
    }

    /// The university a person means by `key`: its short name in any case (`umd`, `Purdue`) or its
    /// numeric id.
    pub async fn find_university(&self, key: &str) -> Result<Option<University>, DbError> {
        let key = key.trim();
        if let Ok(id) = key.parse::<i64>() {
            return self.university(UniversityId(id)).await;
        }
        let row =
            sqlx::query(&format!("SELECT {UNIVERSITY_COLUMNS} FROM universities WHERE lower(short_name) = lower($1)"))
                .bind(key)
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(row_to_university).transpose()
    }

    /// One university, if it exists.
    pub async fn university(&self, id: UniversityId) -> Result<Option<University>, DbError> {
        let row = sqlx::query(&format!("SELECT {UNIVERSITY_COLUMNS} FROM universities WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(row_to_university).transpose()
    }
}
