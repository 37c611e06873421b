//! The home time zone picker of Me (`select#home-zone-picker`, filtered by `#home-zone-search`):
//! a list of the IANA zones international students most often come from, searchable by city or
//! region, plus "Not set". The shell checks the name; this only offers common ones.

use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

/// Common IANA zones, grouped roughly west to east.
pub const COMMON_ZONES: &[&str] = &[
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Vancouver",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/Mexico_City",
    "America/New_York",
    "America/Toronto",
    "America/Bogota",
    "America/Lima",
    "America/Caracas",
    "America/Santiago",
    "America/Halifax",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Africa/Lagos",
    "Africa/Casablanca",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Europe/Athens",
    "Europe/Kyiv",
    "Europe/Istanbul",
    "Asia/Jerusalem",
    "Europe/Moscow",
    "Africa/Nairobi",
    "Asia/Riyadh",
    "Asia/Tehran",
    "Asia/Dubai",
    "Asia/Baku",
    "Asia/Karachi",
    "Asia/Tashkent",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Dhaka",
    "Asia/Almaty",
    "Asia/Yangon",
    "Asia/Bangkok",
    "Asia/Ho_Chi_Minh",
    "Asia/Jakarta",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Manila",
    "Australia/Perth",
    "Asia/Ulaanbaatar",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Pacific/Guam",
    "Pacific/Auckland",
    "Pacific/Fiji",
    "UTC",
];

/// The zones matching `filter` (case-insensitive, `_` and spaces alike), keeping `current` listed
/// so the select can always show the stored choice.
pub fn matching_zones(filter: &str, current: Option<&str>) -> Vec<String> {
    let needle = filter.trim().to_lowercase().replace(' ', "_");
    let mut zones: Vec<String> = COMMON_ZONES
        .iter()
        .filter(|zone| needle.is_empty() || zone.to_lowercase().contains(&needle))
        .map(|zone| (*zone).to_owned())
        .collect();
    if let Some(current) = current.filter(|current| !current.is_empty())
        && !zones.iter().any(|zone| zone == current)
    {
        zones.insert(0, current.to_owned());
    }
    zones
}

/// A searchable select of time zones.
#[component]
pub fn TimeZonePicker(
    /// The stored zone.
    #[prop(into)]
    value: Signal<Option<String>>,
    /// Greys the picker out while saving.
    #[prop(into)]
    disabled: Signal<bool>,
    /// Called with the new zone (`None` clears it).
    on_change: Callback<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(String::new());
    let options = move || {
        let current = value.get();
        matching_zones(&filter.get(), current.as_deref())
            .into_iter()
            .map(|zone| {
                let selected = current.as_deref() == Some(zone.as_str());
                view! { <option value=zone.clone() prop:selected=selected>{zone.replace('_', " ")}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="field tt-zone-picker">
            <label class="field-label" for="home-zone-picker">{t("me-home-zone")}</label>
            <input
                id="home-zone-search"
                class="field-input"
                type="search"
                autocomplete="off"
                placeholder=move || i18n.t("me-home-zone-search")
                aria-controls="home-zone-picker"
                prop:value=move || filter.get()
                on:input=move |event| filter.set(event_target_value(&event))
            />
            <select
                id="home-zone-picker"
                class="field-input select"
                disabled=move || disabled.get()
                on:change=move |event| {
                    let zone = event_target_value(&event);
                    on_change.run(Some(zone).filter(|zone| !zone.is_empty()));
                }
            >
                <option value="" prop:selected=move || value.with(Option::is_none)>{t("me-home-zone-unset")}</option>
                {options}
            </select>
            <p class="field-hint">{t("me-home-zone-hint")}</p>
        </div>
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn test_zone_search_matches_cities_and_keeps_the_stored_zone() {
        assert_eq!(matching_zones("seoul", None), vec!["Asia/Seoul".to_owned()]);
        assert!(matching_zones("new york", None).contains(&"America/New_York".to_owned()));
        assert_eq!(matching_zones("", None).len(), COMMON_ZONES.len());
        let kept = matching_zones("seoul", Some("Asia/Novosibirsk"));
        assert_eq!(kept.first().map(String::as_str), Some("Asia/Novosibirsk"));
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn test_zone_picker_filters_and_reports_the_zone() {
        let zone = RwSignal::new(None::<String>);
        let root = mount(move || {
            view! {
                <TimeZonePicker
                    value=zone
                    disabled=Signal::derive(|| false)
                    on_change=Callback::new(move |picked| zone.set(picked))
                />
            }
        });
        let search =
            find(&root, "#home-zone-search").expect("search").dyn_into::<web_sys::HtmlInputElement>().expect("input");
        search.set_value("seo");
        search.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
        settle().await;
        let select =
            find(&root, "#home-zone-picker").expect("select").dyn_into::<web_sys::HtmlSelectElement>().expect("select");
        assert_eq!(select.length(), 2, "Not set + Asia/Seoul");
        select.set_value("Asia/Seoul");
        select.dispatch_event(&web_sys::Event::new("change").expect("event")).expect("dispatch");
        settle().await;
        assert_eq!(zone.get_untracked().as_deref(), Some("Asia/Seoul"));
    }
}
