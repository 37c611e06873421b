//! The OpenAPI document, generated from the handlers' annotations and the wire types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The whole REST API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Pretzel API", description = "Accounts, universities, the course catalog's terms and search, and (soon) timetables, chat and the campus feed."),
    paths(
        crate::routes::health::healthz,
        crate::routes::health::readyz,
        crate::routes::universities::list,
        crate::routes::catalog::terms,
        crate::routes::catalog::search,
        crate::routes::auth::signup,
        crate::routes::auth::login,
        crate::routes::auth::refresh,
        crate::routes::auth::logout,
        crate::routes::me::get_me,
    ),
    components(schemas(pretzel_api::ErrorBody, pretzel_api::ErrorDetail, pretzel_api::FieldError, pretzel_api::ErrorCode)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
