//! The OpenAPI document, generated from the handlers' annotations and the wire types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The whole REST API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Pretzel API", description = "Accounts, universities, the course catalog's terms and search, timetables with calendar export, and (soon) chat and the campus feed."),
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
        crate::routes::me::update_me,
        crate::routes::timetables::list,
        crate::routes::timetables::create,
        crate::routes::timetables::update,
        crate::routes::timetables::delete,
        crate::routes::timetables::add_sections,
        crate::routes::timetables::remove_section,
        crate::routes::timetables::create_block,
        crate::routes::timetables::remove_block,
        crate::routes::timetables::calendar,
        crate::routes::timetables::subscribe,
        crate::routes::timetables::unsubscribe,
        crate::routes::timetables::feed,
    ),
    components(schemas(
        pretzel_api::ErrorBody, pretzel_api::ErrorDetail, pretzel_api::FieldError, pretzel_api::ErrorCode,
        pretzel_api::UpdateMe, pretzel_api::TermTimetables, pretzel_api::Timetable, pretzel_api::TimetableSection,
        pretzel_api::Meeting, pretzel_api::CustomBlock, pretzel_api::Conflict, pretzel_api::ConflictItem,
        pretzel_api::CreditSummary, pretzel_api::MissingComponent, pretzel_api::CreateTimetable,
        pretzel_api::UpdateTimetable, pretzel_api::AddSections, pretzel_api::CreateCustomBlock,
        pretzel_api::ConflictRefusal, pretzel_api::CalendarSubscription,
    )),
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
