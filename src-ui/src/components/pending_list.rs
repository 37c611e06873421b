//! Timetable changes still waiting in the shell's outbox (`#pending-changes`): each says what it
//! does and whether it is waiting to be sent or was refused (with why, and a Discard button).
//! Also home of [`change_error`], the one mapping from a failed timetable command to a message.

use crate::components::icons::{Glyph, Icon};
use crate::form_errors::FormErrors;
use crate::i18n::{Msg, t, use_i18n};
use leptos::prelude::*;
use pretzel_api::shell::{CommandError, CommandErrorKind, PendingChange, PendingState, TimetableChange};
use pretzel_api::{ErrorCode, SectionId};

/// The message for a failed timetable command: the timetable-specific server refusals get their
/// own sentence, everything else the app's usual banner.
pub fn change_error(error: &CommandError) -> Msg {
    if error.kind == CommandErrorKind::Server {
        match error.code {
            Some(ErrorCode::SectionGone) => return Msg::new("timetable-error-section-gone"),
            Some(ErrorCode::StateConflict) => return Msg::new("timetable-error-state"),
            Some(ErrorCode::NotFound) => return Msg::new("timetable-error-not-found"),
            Some(ErrorCode::ScheduleConflict) => return Msg::new("timetable-conflict-title"),
            _ => {}
        }
    }
    FormErrors::from_command_error(error, &[]).banner.unwrap_or_else(|| Msg::new("error-generic"))
}

/// What a queued change does, in words.
pub fn change_msg(change: &TimetableChange) -> Msg {
    match change {
        TimetableChange::Create { .. } => Msg::new("timetable-pending-create"),
        TimetableChange::Rename { .. } => Msg::new("timetable-pending-rename"),
        TimetableChange::MakePrimary { .. } => Msg::new("timetable-pending-primary"),
        TimetableChange::Delete { .. } => Msg::new("timetable-pending-delete"),
        TimetableChange::AddSections { section_ids, .. } => {
            Msg::new("timetable-pending-add").arg("min", section_ids.len())
        }
        TimetableChange::RemoveSection { .. } => Msg::new("timetable-pending-remove"),
        TimetableChange::AddBlock { .. } => Msg::new("timetable-pending-add-block"),
        TimetableChange::RemoveBlock { .. } => Msg::new("timetable-pending-remove-block"),
    }
}

/// A detail that tells two queued changes apart: a plan's new name, a block's label, or the sections'
/// "CS 225 AL1" labels when `section_labels` knows them.
fn change_detail(change: &TimetableChange, section_labels: &[(SectionId, String)]) -> Option<String> {
    let label_of =
        |id: &SectionId| section_labels.iter().find(|(known, _)| known == id).map(|(_, label)| label.clone());
    match change {
        TimetableChange::Create { name, .. } | TimetableChange::Rename { name, .. } => Some(name.clone()),
        TimetableChange::AddBlock { label, days, start, end, .. } => Some(format!("{label} · {days} {start}–{end}")),
        TimetableChange::AddSections { section_ids, .. } => {
            let labels: Vec<String> = section_ids.iter().filter_map(label_of).collect();
            (!labels.is_empty()).then(|| labels.join(", "))
        }
        TimetableChange::RemoveSection { section_id, .. } => label_of(section_id),
        _ => None,
    }
}

/// The outbox entries of the term, or nothing when there are none.
#[component]
pub fn PendingList(
    /// Queued changes, oldest first.
    #[prop(into)]
    pending: Signal<Vec<PendingChange>>,
    /// `true` while a discard is being sent.
    #[prop(into)]
    busy: Signal<bool>,
    /// Discards a failed change.
    on_discard: Callback<i64>,
    /// "CS 225 AL1"-style labels of the sections the changes name, where known.
    #[prop(optional, into)]
    section_labels: Signal<Vec<(SectionId, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let pending = pending.get();
        let section_labels = section_labels.get();
        (!pending.is_empty()).then(|| {
            let rows = pending
                .into_iter()
                .map(|entry| {
                    let id = entry.id;
                    let what = change_msg(&entry.change);
                    let detail = change_detail(&entry.change, &section_labels);
                    let failed = entry.state == PendingState::Failed;
                    let why = entry.error.as_ref().map(change_error);
                    view! {
                        <li
                            class="tt-pending-row"
                            data-pending-id=id.to_string()
                            data-pending-state=if failed { "failed" } else { "waiting" }
                        >
                            <span class="tt-pending-what">
                                {move || i18n.msg(&what)}
                                {detail.map(|detail| view! { <span class="tt-muted">{format!(" · {detail}")}</span> })}
                            </span>
                            {if failed {
                                view! {
                                    <span class="badge tt-badge-failed">{t("timetable-pending-failed")}</span>
                                    <span class="tt-pending-error">
                                        {move || why.as_ref().map(|why| i18n.msg(why))}
                                    </span>
                                    <button
                                        type="button"
                                        class="btn btn-secondary discard-pending"
                                        disabled=move || busy.get()
                                        on:click=move |_| on_discard.run(id)
                                    >
                                        {t("timetable-pending-discard")}
                                    </button>
                                }
                                    .into_any()
                            } else {
                                view! { <span class="badge badge-offline">{t("timetable-pending-waiting")}</span> }
                                    .into_any()
                            }}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div id="pending-changes" class="tt-pending">
                    <h3 class="tt-subheading"><Glyph icon=Icon::Offline />{t("timetable-pending-title")}</h3>
                    <ul>{rows}</ul>
                </div>
            }
        })
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, text};
    use pretzel_api::{SectionId, TimetableId};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn test_pending_changes_show_their_state_and_failed_ones_can_be_discarded() {
        let add = TimetableChange::AddSections {
            timetable_id: TimetableId(1),
            section_ids: vec![SectionId(3)],
            confirm_conflicts: false,
        };
        let gone = CommandError {
            kind: CommandErrorKind::Server,
            code: Some(ErrorCode::SectionGone),
            message: "gone".into(),
            fields: Vec::new(),
        };
        let pending = RwSignal::new(vec![
            PendingChange { id: 7, change: add.clone(), state: PendingState::Waiting, error: None },
            PendingChange { id: 8, change: add, state: PendingState::Failed, error: Some(gone) },
        ]);
        let discarded = RwSignal::new(None::<i64>);
        let root = mount(move || {
            view! {
                <PendingList
                    pending=pending
                    busy=Signal::derive(|| false)
                    on_discard=Callback::new(move |id| discarded.set(Some(id)))
                    section_labels=Signal::derive(|| vec![(SectionId(3), "CS 225 AL1".to_owned())])
                />
            }
        });
        assert!(find(&root, "[data-pending-id='7'][data-pending-state=waiting]").is_some());
        let waiting = text(&root, "[data-pending-id='7']").expect("waiting row");
        assert!(waiting.contains("CS 225 AL1"), "the queued section is named: {waiting}");
        assert!(find(&root, "[data-pending-id='7'] .discard-pending").is_none());
        let failed = text(&root, "[data-pending-id='8']").expect("failed row");
        assert!(failed.contains("dropped"), "{failed}");
        find(&root, "[data-pending-id='8'] .discard-pending")
            .expect("discard")
            .dyn_into::<web_sys::HtmlElement>()
            .expect("button")
            .click();
        assert_eq!(discarded.get_untracked(), Some(8));
    }
}
