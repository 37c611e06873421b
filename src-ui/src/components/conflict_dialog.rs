//! The "these overlap" dialog (`#conflict-dialog`): shown when a change would make the plan overlap
//! itself. It lists each overlap, the two items (course labels or block names, as the catalog and
//! the student wrote them) with the localised day and times, and lets the student add anyway
//! (`#confirm-conflicts`) or cancel (`#cancel-conflicts`).

use crate::components::icons::{Glyph, Icon};
use crate::components::timetable_format::day_key;
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use pretzel_api::timetable::Conflict;

/// A modal listing `conflicts`, or nothing while it is `None`.
#[component]
pub fn ConflictDialog(
    /// The overlaps the change would create; `None` hides the dialog.
    #[prop(into)]
    conflicts: Signal<Option<Vec<Conflict>>>,
    /// `true` while the confirmed change is being sent.
    #[prop(into)]
    busy: Signal<bool>,
    /// The student wants the change anyway.
    on_confirm: Callback<()>,
    /// The student changed their mind.
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let conflicts = conflicts.get()?;
        let rows = conflicts
            .into_iter()
            .map(|conflict| {
                let day = conflict.day.chars().next().and_then(day_key);
                let when = move || {
                    let day = day.map(|key| i18n.t(key)).unwrap_or_else(|| conflict.day.clone());
                    format!("{day} {}–{}", conflict.start, conflict.end)
                };
                view! {
                    <li class="tt-conflict-row" title=conflict.message.clone()>
                        <span class="tt-conflict-pair">
                            <strong>{conflict.first.label().to_owned()}</strong>
                            <span class="tt-conflict-vs" aria-hidden="true">"⇄"</span>
                            <strong>{conflict.second.label().to_owned()}</strong>
                        </span>
                        <span class="tt-conflict-when">{when}</span>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <div class="tt-overlay">
                <div
                    id="conflict-dialog"
                    class="card tt-dialog"
                    role="alertdialog"
                    aria-modal="true"
                    aria-labelledby="conflict-dialog-title"
                >
                    <h2 id="conflict-dialog-title" class="card-title tt-dialog-title">
                        <Glyph icon=Icon::Alert />
                        {t("timetable-conflict-title")}
                    </h2>
                    <p class="tt-dialog-body">{t("timetable-conflict-body")}</p>
                    <ul class="tt-conflict-list">{rows}</ul>
                    <div class="tt-dialog-actions">
                        <button
                            id="cancel-conflicts"
                            type="button"
                            class="btn btn-secondary"
                            disabled=move || busy.get()
                            on:click=move |_| on_cancel.run(())
                        >
                            {t("timetable-conflict-cancel")}
                        </button>
                        <button
                            id="confirm-conflicts"
                            type="button"
                            class="btn btn-danger"
                            disabled=move || busy.get()
                            on:click=move |_| on_confirm.run(())
                        >
                            {t("timetable-conflict-confirm")}
                        </button>
                    </div>
                </div>
            </div>
        })
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle, text};
    use pretzel_api::SectionId;
    use pretzel_api::timetable::ConflictItem;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn conflict() -> Conflict {
        Conflict {
            first: ConflictItem::Section { section_id: SectionId(1), label: "CS 225 AL1".into() },
            second: ConflictItem::Section { section_id: SectionId(2), label: "MATH 241 BL2".into() },
            day: "T".into(),
            start: "10:00".into(),
            end: "10:50".into(),
            message: "CS 225 AL1 overlaps MATH 241 BL2 on Tue 10:00–10:50".into(),
        }
    }

    fn click(root: &web_sys::HtmlElement, selector: &str) {
        find(root, selector).expect(selector).dyn_into::<web_sys::HtmlElement>().expect("element").click();
    }

    #[wasm_bindgen_test]
    async fn test_conflict_dialog_lists_overlaps_and_reports_the_choice() {
        let conflicts = RwSignal::new(None::<Vec<Conflict>>);
        let confirmed = RwSignal::new(0);
        let cancelled = RwSignal::new(0);
        let root = mount(move || {
            view! {
                <ConflictDialog
                    conflicts=conflicts
                    busy=Signal::derive(|| false)
                    on_confirm=Callback::new(move |()| confirmed.update(|n| *n += 1))
                    on_cancel=Callback::new(move |()| cancelled.update(|n| *n += 1))
                />
            }
        });
        assert!(find(&root, "#conflict-dialog").is_none());
        conflicts.set(Some(vec![conflict()]));
        settle().await;
        let row = text(&root, ".tt-conflict-row").expect("a row");
        assert!(row.contains("CS 225 AL1") && row.contains("MATH 241 BL2"), "{row}");
        assert!(row.contains("Tue 10:00–10:50"), "{row}");
        click(&root, "#confirm-conflicts");
        click(&root, "#cancel-conflicts");
        assert_eq!((confirmed.get_untracked(), cancelled.get_untracked()), (1, 1));
    }
}
