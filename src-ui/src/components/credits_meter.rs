//! The plan's credits against the university's full-time minimum (`#credits-total`), with the
//! student-visa warning (`#visa-warning`) when even the plan's highest total falls short.

use crate::components::icons::{Glyph, Icon};
use crate::i18n::{Msg, t, use_i18n};
use leptos::prelude::*;
use pretzel_api::timetable::CreditSummary;

/// How full the meter is, in percent of the full-time minimum (capped at 100).
pub fn fill_percent(credits: u32, full_time: u32) -> u32 {
    credits.saturating_mul(100).checked_div(full_time).map_or(100, |percent| percent.min(100))
}

/// The total as a message: "12 credits" or "10–13 credits".
pub fn total_msg(summary: &CreditSummary) -> Msg {
    let msg = if summary.min == summary.max {
        Msg::new("timetable-credits-exact")
    } else {
        Msg::new("timetable-credits-range")
    };
    msg.arg("min", summary.min as usize).arg("max", summary.max as usize)
}

/// The credits card of the active plan.
#[component]
pub fn CreditsMeter(
    /// The plan's credits.
    #[prop(into)]
    credits: Signal<CreditSummary>,
) -> impl IntoView {
    let i18n = use_i18n();
    let total = move || credits.with(|summary| i18n.msg(&total_msg(summary)));
    let full_time = move || {
        credits
            .with(|summary| i18n.msg(&Msg::new("timetable-credits-full-time").arg("min", summary.full_time as usize)))
    };
    let reached = move || credits.with(|summary| summary.min >= summary.full_time);
    let low = move || credits.with(|summary| fill_percent(summary.min, summary.full_time));
    let high = move || credits.with(|summary| fill_percent(summary.max, summary.full_time));
    let warning = move || {
        credits.with(|summary| summary.visa_warning).then(|| {
            let text = credits.with(|summary| {
                i18n.msg(
                    &Msg::new("timetable-visa-warning")
                        .arg("min", summary.full_time as usize)
                        .arg("max", summary.max as usize),
                )
            });
            view! {
                <div id="visa-warning" class="banner tt-visa-warning" role="alert">
                    <Glyph icon=Icon::Alert />
                    <span>{text}</span>
                </div>
            }
        })
    };
    view! {
        <div class="tt-credits" class:tt-credits-full=reached>
            <div class="tt-credits-head">
                <span class="tt-credits-label">{t("timetable-credits")}</span>
                <strong id="credits-total" class="tt-credits-total">{total}</strong>
            </div>
            <div
                class="tt-meter"
                role="meter"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || low().to_string()
                aria-label=t("timetable-credits")
            >
                <span class="tt-meter-high" style=move || format!("width: {}%", high())></span>
                <span class="tt-meter-low" style=move || format!("width: {}%", low())></span>
            </div>
            <p class="tt-credits-full-time">{full_time}</p>
            {warning}
        </div>
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn test_meter_fill_is_capped_and_safe_without_a_minimum() {
        assert_eq!(fill_percent(6, 12), 50);
        assert_eq!(fill_percent(18, 12), 100);
        assert_eq!(fill_percent(3, 0), 100);
        let summary = CreditSummary { min: 10, max: 13, full_time: 12, visa_warning: false };
        assert_eq!(total_msg(&summary).key, "timetable-credits-range");
        let summary = CreditSummary { min: 12, max: 12, ..summary };
        assert_eq!(total_msg(&summary).key, "timetable-credits-exact");
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle, text};
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn test_credits_meter_shows_the_range_and_the_visa_warning() {
        let credits = RwSignal::new(CreditSummary { min: 7, max: 10, full_time: 12, visa_warning: false });
        let root = mount(move || view! { <CreditsMeter credits=credits /> });
        assert_eq!(text(&root, "#credits-total").as_deref(), Some("7–10 credits"));
        assert!(find(&root, "#visa-warning").is_none());
        credits.set(CreditSummary { min: 7, max: 10, full_time: 12, visa_warning: true });
        settle().await;
        let warning = text(&root, "#visa-warning").expect("warning");
        assert!(warning.contains("12") && warning.contains("10"), "{warning}");
    }
}
