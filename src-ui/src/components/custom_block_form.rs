//! The student's own weekly blocks (work shifts, commute): the list of the plan's blocks with a
//! remove button each, and the form that adds one (`#block-form`: label, days, start, end). The
//! form checks what it can before the shell is asked; overlaps are the shell's to report.

use crate::components::timetable_format::{DAY_LETTERS, day_key, meeting_line, parse_clock};
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use pretzel_api::CustomBlockId;
use pretzel_api::timetable::{CUSTOM_BLOCK_LABEL_MAX_CHARS, CustomBlock};

/// A block the student filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBlock {
    /// Its label, trimmed.
    pub label: String,
    /// Banner day letters, Monday first.
    pub days: String,
    /// "HH:MM".
    pub start: String,
    /// "HH:MM".
    pub end: String,
}

/// The form's contents as a [`NewBlock`], or the message id of what is wrong.
pub fn validate(label: &str, days: &str, start: &str, end: &str) -> Result<NewBlock, &'static str> {
    let label = label.trim();
    if label.is_empty() {
        return Err("timetable-block-need-label");
    }
    if label.chars().count() > CUSTOM_BLOCK_LABEL_MAX_CHARS {
        return Err("field-too-long");
    }
    let days: String = DAY_LETTERS.iter().filter(|letter| days.contains(**letter)).collect();
    if days.is_empty() {
        return Err("timetable-block-need-day");
    }
    match (parse_clock(start), parse_clock(end)) {
        (Some(from), Some(to)) if from < to => Ok(NewBlock {
            label: label.to_owned(),
            days,
            start: crate::components::timetable_format::clock(from),
            end: crate::components::timetable_format::clock(to),
        }),
        _ => Err("timetable-block-need-times"),
    }
}

/// The plan's custom blocks and the form adding one.
#[component]
pub fn CustomBlocks(
    /// The plan's blocks.
    #[prop(into)]
    blocks: Signal<Vec<CustomBlock>>,
    /// `true` while a change is being sent.
    #[prop(into)]
    busy: Signal<bool>,
    /// Adds a block.
    on_add: Callback<NewBlock>,
    /// Removes a block.
    on_remove: Callback<CustomBlockId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    let start = RwSignal::new(String::from("12:00"));
    let end = RwSignal::new(String::from("13:00"));
    let error = RwSignal::new(None::<&'static str>);
    let list = move || {
        let locale = i18n.locale();
        blocks
            .get()
            .into_iter()
            .map(|block| {
                let id = block.id;
                let when = meeting_line(locale, &block.days, Some(&block.start), Some(&block.end), None);
                view! {
                    <li class="tt-block-row" data-block-id=id.to_string()>
                        <span class="tt-swatch tt-color-12" aria-hidden="true"></span>
                        <strong>{block.label}</strong>
                        <span class="tt-muted">{when}</span>
                        <button
                            type="button"
                            class="link-button tt-danger-link remove-block"
                            disabled=move || busy.get()
                            on:click=move |_| on_remove.run(id)
                        >
                            {t("timetable-remove")}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let day_boxes = DAY_LETTERS
        .iter()
        .map(|letter| {
            let letter = *letter;
            let on = move || days.with(|days| days.contains(letter));
            view! {
                <button
                    type="button"
                    class="tt-chip"
                    class:tt-chip-on=on
                    data-day=letter.to_string()
                    aria-pressed=move || on().to_string()
                    on:click=move |_| {
                        error.set(None);
                        days.update(|days| {
                            if days.contains(letter) {
                                days.retain(|day| day != letter);
                            } else {
                                days.push(letter);
                            }
                        });
                    }
                >
                    {move || day_key(letter).map(|key| i18n.t(key)).unwrap_or_default()}
                </button>
            }
        })
        .collect_view();
    let submit = move || match validate(
        &label.get_untracked(),
        &days.get_untracked(),
        &start.get_untracked(),
        &end.get_untracked(),
    ) {
        Ok(block) => {
            error.set(None);
            on_add.run(block);
            label.set(String::new());
        }
        Err(key) => error.set(Some(key)),
    };
    view! {
        <ul id="custom-blocks" class="tt-block-list">{list}</ul>
        <form id="block-form" class="tt-block-form" on:submit=move |event| {
            event.prevent_default();
            submit();
        }>
            <label class="tt-filter tt-block-label">
                <span>{t("timetable-block-label")}</span>
                <input
                    id="block-label"
                    class="field-input"
                    type="text"
                    autocomplete="off"
                    maxlength=CUSTOM_BLOCK_LABEL_MAX_CHARS.to_string()
                    placeholder=t("timetable-block-placeholder")
                    prop:value=move || label.get()
                    on:input=move |event| {
                        error.set(None);
                        label.set(event_target_value(&event));
                    }
                />
            </label>
            <div class="tt-chip-row" role="group" aria-label=t("timetable-filter-days")>{day_boxes}</div>
            <div class="tt-block-times">
                <label class="tt-filter">
                    <span>{t("timetable-block-start")}</span>
                    <input id="block-start" class="field-input" type="time" prop:value=move || start.get()
                        on:input=move |event| start.set(event_target_value(&event)) />
                </label>
                <label class="tt-filter">
                    <span>{t("timetable-block-end")}</span>
                    <input id="block-end" class="field-input" type="time" prop:value=move || end.get()
                        on:input=move |event| end.set(event_target_value(&event)) />
                </label>
                <button id="block-add" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                    {t("timetable-block-add")}
                </button>
            </div>
            {move || {
                error.get().map(|key| {
                    view! { <p class="field-error" data-field="block" role="alert">{i18n.t(key)}</p> }
                })
            }}
        </form>
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn test_block_form_checks_label_days_and_times() {
        let ok = validate(" Library shift ", "RM", "17:00", "21:30").expect("valid");
        assert_eq!((ok.label.as_str(), ok.days.as_str(), ok.start.as_str()), ("Library shift", "MR", "17:00"));
        assert_eq!(validate("", "M", "09:00", "10:00"), Err("timetable-block-need-label"));
        assert_eq!(validate("Gym", "", "09:00", "10:00"), Err("timetable-block-need-day"));
        assert_eq!(validate("Gym", "M", "10:00", "09:00"), Err("timetable-block-need-times"));
        assert_eq!(validate("Gym", "M", "", "09:00"), Err("timetable-block-need-times"));
        assert_eq!(validate(&"x".repeat(61), "M", "09:00", "10:00"), Err("field-too-long"));
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
    async fn test_block_form_refuses_a_block_without_days_then_adds_it() {
        let added = RwSignal::new(None::<NewBlock>);
        let root = mount(move || {
            view! {
                <CustomBlocks
                    blocks=Signal::derive(Vec::new)
                    busy=Signal::derive(|| false)
                    on_add=Callback::new(move |block| added.set(Some(block)))
                    on_remove=Callback::new(|_| {})
                />
            }
        });
        let label = find(&root, "#block-label").expect("label").dyn_into::<web_sys::HtmlInputElement>().expect("input");
        label.set_value("Library shift");
        label.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
        let submit = find(&root, "#block-add").expect("add").dyn_into::<web_sys::HtmlElement>().expect("button");
        submit.click();
        settle().await;
        assert!(find(&root, ".field-error[data-field=block]").is_some());
        assert_eq!(added.get_untracked(), None);
        find(&root, "#block-form [data-day=T]").expect("Tue").dyn_into::<web_sys::HtmlElement>().expect("chip").click();
        submit.click();
        settle().await;
        let block = added.get_untracked().expect("added");
        assert_eq!((block.days.as_str(), block.start.as_str(), block.end.as_str()), ("T", "12:00", "13:00"));
    }
}
