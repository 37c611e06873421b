//! The plan switcher (`#plan-tabs`): one tab per plan of the term, the primary one starred, and the
//! plan actions: new (`#new-plan`, optionally copying the current plan), rename, make primary, and
//! delete behind a confirmation.

use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use pretzel_api::TimetableId;
use pretzel_api::timetable::{MAX_TIMETABLES_PER_TERM, TIMETABLE_NAME_MAX_CHARS, Timetable};

/// The first "<prefix> A", "<prefix> B", … not taken yet, as the suggested name of a new plan.
pub fn next_plan_name(prefix: &str, taken: &[String]) -> String {
    ('A'..='Z')
        .map(|letter| format!("{prefix} {letter}"))
        .find(|name| !taken.iter().any(|taken| taken.trim().eq_ignore_ascii_case(name)))
        .unwrap_or_else(|| format!("{prefix} {}", taken.len() + 1))
}

/// What the action row is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Idle,
    Creating,
    Renaming,
    ConfirmDelete,
}

/// Tabs and actions for a term's plans.
#[component]
pub fn PlanBar(
    /// The plans, primary first.
    #[prop(into)]
    plans: Signal<Vec<Timetable>>,
    /// The plan shown.
    #[prop(into)]
    active: Signal<Option<TimetableId>>,
    /// `true` while a change is being sent.
    #[prop(into)]
    busy: Signal<bool>,
    /// Shows another plan.
    on_select: Callback<TimetableId>,
    /// Creates a plan with this name, copying the shown plan when the flag is set.
    on_create: Callback<(String, bool)>,
    /// Renames a plan.
    on_rename: Callback<(TimetableId, String)>,
    /// Makes a plan the primary one.
    on_make_primary: Callback<TimetableId>,
    /// Deletes a plan.
    on_delete: Callback<TimetableId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let mode = RwSignal::new(Mode::Idle);
    let draft = RwSignal::new(String::new());
    let copy = RwSignal::new(false);
    let current = move || {
        let id = active.get()?;
        plans.with(|plans| plans.iter().find(|plan| plan.id == id).cloned())
    };
    let tabs = move || {
        plans
            .get()
            .into_iter()
            .map(|plan| {
                let id = plan.id;
                let selected = move || active.get() == Some(id);
                view! {
                    <button
                        type="button"
                        role="tab"
                        class="tt-plan-tab"
                        class:tt-plan-tab-on=selected
                        data-plan-id=id.to_string()
                        data-primary=plan.primary.to_string()
                        aria-selected=move || selected().to_string()
                        on:click=move |_| {
                            mode.set(Mode::Idle);
                            on_select.run(id);
                        }
                    >
                        {plan.primary.then(|| {
                            view! { <span class="tt-star" title=t("timetable-plan-primary")>"★"</span> }
                        })}
                        <span>{plan.name.clone()}</span>
                    </button>
                }
            })
            .collect_view()
    };
    let full = move || plans.with(|plans| plans.len() >= MAX_TIMETABLES_PER_TERM);
    let start_create = move |_| {
        let taken: Vec<String> = plans.with_untracked(|plans| plans.iter().map(|plan| plan.name.clone()).collect());
        draft.set(next_plan_name(&i18n.t("timetable-plan-prefix"), &taken));
        copy.set(false);
        mode.set(Mode::Creating);
    };
    let submit = move || {
        let name = draft.get_untracked().trim().to_owned();
        if name.is_empty() {
            return;
        }
        match mode.get_untracked() {
            Mode::Creating => on_create.run((name, copy.get_untracked())),
            Mode::Renaming => {
                if let Some(id) = active.get_untracked() {
                    on_rename.run((id, name));
                }
            }
            Mode::Idle | Mode::ConfirmDelete => return,
        }
        mode.set(Mode::Idle);
    };
    let editor = move || {
        let creating = mode.get() == Mode::Creating;
        view! {
            <form class="tt-plan-form" on:submit=move |event| {
                event.prevent_default();
                submit();
            }>
                <label class="visually-hidden" for="plan-name">{t("timetable-plan-name")}</label>
                <input
                    id="plan-name"
                    class="field-input"
                    type="text"
                    autocomplete="off"
                    maxlength=TIMETABLE_NAME_MAX_CHARS.to_string()
                    prop:value=move || draft.get()
                    on:input=move |event| draft.set(event_target_value(&event))
                />
                {creating.then(|| view! {
                    <label class="tt-check">
                        <input
                            id="plan-copy"
                            type="checkbox"
                            prop:checked=move || copy.get()
                            on:change=move |event| copy.set(event_target_checked(&event))
                        />
                        <span>{t("timetable-plan-copy")}</span>
                    </label>
                })}
                <div class="tt-plan-form-actions">
                    <button
                        id="plan-save"
                        type="submit"
                        class="btn btn-primary"
                        disabled=move || busy.get() || draft.with(|name| name.trim().is_empty())
                    >
                        {t(if creating { "timetable-plan-create" } else { "timetable-plan-save" })}
                    </button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| mode.set(Mode::Idle)>
                        {t("timetable-cancel")}
                    </button>
                </div>
            </form>
        }
    };
    let actions = move || {
        let plan = current()?;
        let id = plan.id;
        let only = plans.with(|plans| plans.len() <= 1);
        Some(match mode.get() {
            Mode::Creating | Mode::Renaming => editor().into_any(),
            Mode::ConfirmDelete => view! {
                <div id="delete-plan-confirm" class="banner form-error tt-confirm" role="alertdialog">
                    <span>{format!("{} “{}”", i18n.t("timetable-plan-delete-confirm"), plan.name)}</span>
                    <div class="tt-plan-form-actions">
                        <button
                            id="delete-plan-yes"
                            type="button"
                            class="btn btn-danger"
                            disabled=move || busy.get()
                            on:click=move |_| {
                                mode.set(Mode::Idle);
                                on_delete.run(id);
                            }
                        >
                            {t("timetable-plan-delete")}
                        </button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| mode.set(Mode::Idle)>
                            {t("timetable-cancel")}
                        </button>
                    </div>
                </div>
            }
            .into_any(),
            Mode::Idle => view! {
                <div class="tt-plan-actions">
                    <button
                        id="rename-plan"
                        type="button"
                        class="link-button"
                        on:click=move |_| {
                            draft.set(plan.name.clone());
                            mode.set(Mode::Renaming);
                        }
                    >
                        {t("timetable-plan-rename")}
                    </button>
                    {(!plan.primary).then(|| view! {
                        <button
                            id="make-primary"
                            type="button"
                            class="link-button"
                            disabled=move || busy.get()
                            on:click=move |_| on_make_primary.run(id)
                        >
                            {t("timetable-plan-make-primary")}
                        </button>
                    })}
                    {(!only).then(|| view! {
                        <button
                            id="delete-plan"
                            type="button"
                            class="link-button tt-danger-link"
                            on:click=move |_| mode.set(Mode::ConfirmDelete)
                        >
                            {t("timetable-plan-delete")}
                        </button>
                    })}
                </div>
            }
            .into_any(),
        })
    };
    view! {
        <div class="tt-plans">
            <div id="plan-tabs" class="tt-plan-tabs" role="tablist" aria-label=t("timetable-plans")>
                {tabs}
                <button
                    id="new-plan"
                    type="button"
                    class="tt-plan-tab tt-plan-new"
                    disabled=move || full() || busy.get()
                    title=move || full().then(|| i18n.t("timetable-plan-limit"))
                    on:click=start_create
                >
                    "+ "
                    {t("timetable-plan-new")}
                </button>
            </div>
            {actions}
        </div>
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn test_new_plans_get_the_next_free_letter() {
        assert_eq!(next_plan_name("Plan", &["Plan A".into()]), "Plan B");
        assert_eq!(next_plan_name("Plan", &["plan a".into(), "Plan C".into()]), "Plan B");
        assert_eq!(next_plan_name("플랜", &[]), "플랜 A");
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::components::test_support::{find, mount, settle, text};
    use pretzel_api::TermId;
    use pretzel_api::timetable::CreditSummary;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn plan(id: i64, name: &str, primary: bool) -> Timetable {
        Timetable {
            id: TimetableId(id),
            term_id: TermId(1),
            name: name.into(),
            primary,
            sections: Vec::new(),
            custom_blocks: Vec::new(),
            conflicts: Vec::new(),
            credits: CreditSummary { min: 0, max: 0, full_time: 12, visa_warning: false },
            missing_components: Vec::new(),
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    fn click(root: &web_sys::HtmlElement, selector: &str) {
        find(root, selector).expect(selector).dyn_into::<web_sys::HtmlElement>().expect("element").click();
    }

    #[wasm_bindgen_test]
    async fn test_plan_bar_stars_the_primary_creates_and_confirms_deletes() {
        let plans = RwSignal::new(vec![plan(1, "Plan A", true), plan(2, "Plan B", false)]);
        let active = RwSignal::new(Some(TimetableId(2)));
        let created = RwSignal::new(None::<(String, bool)>);
        let deleted = RwSignal::new(None::<TimetableId>);
        let root = mount(move || {
            view! {
                <PlanBar
                    plans=plans
                    active=active
                    busy=Signal::derive(|| false)
                    on_select=Callback::new(move |id| active.set(Some(id)))
                    on_create=Callback::new(move |request| created.set(Some(request)))
                    on_rename=Callback::new(|_| {})
                    on_make_primary=Callback::new(|_| {})
                    on_delete=Callback::new(move |id| deleted.set(Some(id)))
                />
            }
        });
        assert!(text(&root, "#plan-tabs [data-plan-id='1']").expect("tab").contains('★'));
        assert!(!text(&root, "#plan-tabs [data-plan-id='2']").expect("tab").contains('★'));
        assert!(find(&root, "#make-primary").is_some());

        click(&root, "#new-plan");
        settle().await;
        let name = find(&root, "#plan-name").expect("name").dyn_into::<web_sys::HtmlInputElement>().expect("input");
        assert_eq!(name.value(), "Plan C");
        click(&root, "#plan-save");
        settle().await;
        assert_eq!(created.get_untracked(), Some(("Plan C".to_owned(), false)));

        click(&root, "#delete-plan");
        settle().await;
        assert_eq!(deleted.get_untracked(), None, "deleting waits for the confirmation");
        click(&root, "#delete-plan-yes");
        assert_eq!(deleted.get_untracked(), Some(TimetableId(2)));
    }
}
