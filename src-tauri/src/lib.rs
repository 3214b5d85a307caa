//! The Tauri shell of Sportello Mixitè: reads the command line, opens the data folder, registers the IPC
//! commands and starts the window. It must not hold domain logic (that is `mixite-core`) and must not
//! log applicants' data.

pub mod catalog;
pub mod commands;
pub mod state;
pub mod wire;

use std::path::PathBuf;
use std::time::Instant;

rust_i18n::i18n!("locales", fallback = "it");

pub const DATA_DIR_ENV: &str = "MIXITE_DATA_DIR";

/// The data folder: `--data-dir DIR` (or `--data-dir=DIR`), else `MIXITE_DATA_DIR`, else the platform's
/// data folder for the app (Linux: `~/.local/share/sportello-mixite`).
pub fn data_dir(args: &[String]) -> PathBuf {
    let mut given = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--data-dir" {
            given = it.next().cloned();
        } else if let Some(dir) = arg.strip_prefix("--data-dir=") {
            given = Some(dir.to_string());
        }
    }
    given
        .or_else(|| std::env::var(DATA_DIR_ENV).ok().filter(|d| !d.is_empty()))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            directories::ProjectDirs::from("it", "Comune di Lucca", "sportello-mixite")
                .map(|dirs| dirs.data_dir().to_path_buf())
                .unwrap_or_else(|| PathBuf::from("sportello-mixite-data"))
        })
}

/// The UI is forms and tables: WebKitGTK's GPU paths buy nothing here and cost memory, and they are the
/// usual cause of blank windows on some GPU drivers. Measured with tests/bench/launch.sh (PSS of the
/// process tree under Xvfb): accelerated compositing ~85 MB; then the DMA-BUF renderer, GTK's own GL and
/// Skia's GPU painting together ~20 MB more (Mesa's software rasteriser pulls in LLVM in two
/// processes). The page's script is a few form handlers: JavaScriptCore's interpreter runs them without
/// a visible difference, and without its JIT tiers the web process needs ~9 MB less (and has no
/// writable-and-executable memory). Set before GTK starts and before any thread exists; an operator's
/// own setting of any of these variables wins.
#[cfg(target_os = "linux")]
fn prefer_software_rendering() {
    for (var, value) in [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
        ("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1"),
        ("GDK_GL", "disable"),
        ("JSC_useJIT", "0"),
    ] {
        if std::env::var_os(var).is_none() {
            std::env::set_var(var, value);
        }
    }
    let set = |var: &str, value: &str| std::env::var(var).is_ok_and(|v| v == value);
    if set("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        && set("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        && set("GDK_GL", "disable")
    {
        keep_egl_drivers_out_of_the_window_process();
    }
}

/// Painted as above, the window's process shows the page from shared memory and never draws with GL, but
/// WebKit still opens an EGL display there, and Mesa's software driver brings LLVM with it: 23 MB of that
/// process, 16 MB of the process tree (tests/bench/launch.sh: PSS 233 → 217 MiB). The web process does need a display (WebKit aborts without
/// one), so only this process is kept from finding a driver. libglvnd reads its list of drivers once, at
/// the first EGL call: that call is made here with the list pointed at nothing, and the variable is then
/// removed again before GTK starts and WebKit launches its processes, which find Mesa as usual. An
/// operator's own `__EGL_VENDOR_LIBRARY_FILENAMES` wins.
#[cfg(target_os = "linux")]
fn keep_egl_drivers_out_of_the_window_process() {
    const VENDORS: &str = "__EGL_VENDOR_LIBRARY_FILENAMES";
    if std::env::var_os(VENDORS).is_some() {
        return;
    }
    std::env::set_var(VENDORS, "/dev/null");
    // SAFETY: loads the system's libEGL (already mapped: WebKitGTK links it) and calls one of its
    // functions with the arguments EGL 1.5 defines for it; no pointer outlives the call.
    if let Ok(egl) = unsafe { khronos_egl::DynamicInstance::<khronos_egl::EGL1_0>::load_required() }
    {
        // Without any driver there are no extensions to list: the answer does not matter, the call does.
        let _ = egl.query_string(None, khronos_egl::EXTENSIONS);
    }
    std::env::remove_var(VENDORS);
}

/// Adds the app's state and commands to a builder of any runtime (the real one, or the mock one of
/// `tauri::test` in the IPC tests).
pub fn setup<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    desk: state::Desk,
) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(desk)
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::app_set_locale,
            commands::access::access_state,
            commands::access::access_set_up,
            commands::access::access_sign_in,
            commands::access::access_recover,
            commands::access::access_switch,
            commands::access::access_lock,
            commands::access::access_unlock_pin,
            commands::access::access_unlock_passphrase,
            commands::access::access_sign_out,
            commands::access::access_activity,
            commands::access::access_set_idle,
            commands::access::access_recovery_done,
            commands::access::access_recovery_sheet,
            commands::access::operators_list,
            commands::access::operators_add,
            commands::access::operators_disable,
            commands::access::operators_enable,
            commands::access::operators_set_role,
            commands::access::operators_change_passphrase,
            commands::access::operators_reissue_recovery,
            commands::app::app_first_paint,
            commands::app::i18n_ui,
            commands::app::reference_get,
            commands::audit::audit_actions,
            commands::audit::audit_list,
            commands::audit::audit_case,
            commands::audit::audit_verify,
            commands::audit::audit_export,
            commands::catalogue::catalogue_report,
            commands::archive::archive_drives,
            commands::archive::archive_export,
            commands::archive::archive_import,
            commands::archive::backup_run,
            commands::archive::backup_status,
            commands::archive::archive_files,
            commands::archive::archive_pick_folder,
            commands::archive::archive_pick_file,
            commands::content::content_info,
            commands::content::content_inspect,
            commands::content::content_apply,
            commands::content::content_restore,
            commands::archive::backup_set_reminder,
            commands::archive::backup_restore,
            commands::cases::cases_search,
            commands::cases::cases_get,
            commands::cases::cases_check_duplicates,
            commands::cases::cases_household,
            commands::cases::cases_create,
            commands::cases::cases_update,
            commands::cases::cases_renew_draft,
            commands::cases::cases_read_mrz,
            commands::cases::cases_codice_fiscale_hint,
            commands::papers::checklist_options,
            commands::papers::checklist_preview,
            commands::papers::forms_list,
            commands::papers::forms_preview,
            commands::papers::papers_render,
            commands::papers::papers_print,
            commands::papers::papers_save,
            commands::papers::papers_open,
            commands::papers::papers_list,
            commands::reminders::reminders_letter,
            commands::reminders::reminders_batch_print,
            commands::reminders::reminders_batch_open,
            commands::reminders::reminders_messages,
            commands::agenda::agenda_today,
            commands::agenda::agenda_set_days,
            commands::agenda::agenda_consent,
            commands::agenda::agenda_set_consent,
            commands::agenda::agenda_contacts,
            commands::agenda::agenda_record_contact,
            commands::reports::reports_codes,
            commands::reports::reports_record_contact,
            commands::reports::reports_case_contacts,
            commands::reports::reports_record_staff_time,
            commands::reports::reports_record_satisfaction,
            commands::reports::reports_satisfaction_question,
            commands::reports::reports_definitions,
            commands::reports::reports_build,
            commands::reports::reports_export,
            commands::reports::reports_print,
            commands::referrals::partners_needs,
            commands::referrals::partners_list,
            commands::referrals::partners_proposals,
            commands::referrals::partners_add,
            commands::referrals::partners_update,
            commands::referrals::partners_retire,
            commands::referrals::partners_export,
            commands::referrals::partners_import,
            commands::referrals::referrals_make,
            commands::referrals::referrals_case,
            commands::referrals::referrals_follow_up,
            commands::referrals::referrals_set_open_days,
            commands::referrals::referrals_slip_print,
            commands::referrals::referrals_slip_open,
            commands::retention::retention_policy,
            commands::retention::retention_set_months,
            commands::retention::retention_set_funder,
            commands::retention::retention_due,
            commands::retention::retention_restricted,
            commands::retention::retention_apply,
            commands::retention::retention_case,
            commands::retention::retention_clear_contacts,
            commands::retention::retention_minimise_notes,
            commands::retention::retention_anonymise,
            commands::retention::retention_restrict,
            commands::retention::retention_lift,
            commands::retention::retention_erasure_request,
            commands::retention::retention_access_report,
            commands::retention::retention_deletion_receipt,
            commands::steps::steps_add,
            commands::steps::steps_correct,
        ])
}

pub fn run() {
    let started = Instant::now();
    #[cfg(target_os = "linux")]
    prefer_software_rendering();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let context = tauri::generate_context!();
    // Where the bundle put its resources (the print engine's fonts), by Tauri's own rule for this
    // platform and install, so the package's layout and the lookup cannot drift apart.
    let resources =
        tauri::utils::platform::resource_dir(context.package_info(), &tauri::Env::default()).ok();
    let fonts = state::fonts_dir(resources.as_deref());
    let desk = state::Desk::open_with_fonts(data_dir(&args), fonts, started);
    setup(tauri::Builder::default(), desk)
        .build(context)
        .expect("error while running the Sportello Mixitè window")
        .run(|app, event| {
            // The process ends without dropping its state: the viewer's plain copies go here.
            if let tauri::RunEvent::Exit = event {
                use tauri::Manager;
                app.state::<state::Desk>().forget_viewer_copies();
            }
        });
}
