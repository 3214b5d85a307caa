// The IPC layer: the ONLY file that touches window.__TAURI__. One async function per backend command
// (see ARCHITECTURE.md, "IPC commands"). Every rejection is normalised to {kind, code, message, fields}, and a
// refusal of kind `access` (no session, session locked…) is also reported to whoever listens through
// onAccessRefused. This file must not render anything nor decide what the UI does with an error.

import { t } from './i18n.js';

const KINDS = new Set([
  'invalid', 'not_found', 'conflict', 'db_too_new', 'locked', 'damaged', 'data', 'archive', 'access', 'internal',
]);

function normalise(err) {
  if (err && typeof err === 'object' && typeof err.kind === 'string') {
    return {
      kind: KINDS.has(err.kind) ? err.kind : 'internal',
      // Which refusal, for the kinds that have one (`access`: session_locked, pin_exhausted, refused…).
      code: typeof err.code === 'string' ? err.code : '',
      message: typeof err.message === 'string' && err.message ? err.message : t('errors.internal'),
      fields: Array.isArray(err.fields) ? err.fields : [],
    };
  }
  // A plain string (e.g. the IPC layer could not deserialize the arguments) or anything unexpected:
  // the operator gets a generic translated message; the original text is kept for developers only.
  return { kind: 'internal', code: '', message: t('errors.internal'), fields: [], detail: String(err) };
}

const accessListeners = new Set();

/** `listener(err, command)` runs whenever a command other than `access_state` is refused with kind
 *  `access` (e.g. the backend locked an idle session); the command's caller still gets the error. */
export function onAccessRefused(listener) {
  accessListeners.add(listener);
}

async function call(command, args) {
  try {
    return await window.__TAURI__.core.invoke(command, args);
  } catch (raw) {
    const err = normalise(raw);
    if (err.kind === 'access' && command !== 'access_state') {
      for (const listener of accessListeners) listener(err, command);
    }
    throw err;
  }
}

export const appInfo = () => call('app_info');
export const appSetLocale = (locale) => call('app_set_locale', { locale });
export const appFirstPaint = (screen) => call('app_first_paint', { screen });
export const i18nUi = (locale) => call('i18n_ui', { locale });
export const referenceGet = () => call('reference_get');

export const casesSearch = (query, offset, limit) => call('cases_search', { query, offset, limit });
export const casesGet = (id) => call('cases_get', { id });
export const casesHousehold = (id) => call('cases_household', { id });
export const casesCheckDuplicates = (data) => call('cases_check_duplicates', { data });
export const casesCreate = (data, requestId, renewedFrom) =>
  call('cases_create', { data, requestId, renewedFrom: renewedFrom ?? null });
export const casesUpdate = (id, revision, data) => call('cases_update', { id, revision, data });
export const casesRenewDraft = (id) => call('cases_renew_draft', { id });
export const casesReadMrz = (text) => call('cases_read_mrz', { text });
export const casesCodiceFiscaleHint = (applicant) => call('cases_codice_fiscale_hint', { applicant });

export const stepsAdd = (caseId, revision, step) => call('steps_add', { caseId, revision, step });
export const stepsCorrect = (caseId, revision, stepId, reason) =>
  call('steps_correct', { caseId, revision, stepId, reason });

export const checklistOptions = (caseId) => call('checklist_options', { caseId });
export const checklistPreview = (args) => call('checklist_preview', { args });
export const formsList = (procedure) => call('forms_list', { procedure });
export const formsPreview = (args) => call('forms_preview', { args });

// Every paper ({ caseId, paper: { kind, options } }) is filed, printed, saved and opened the same way.
export const papersRender = (args) => call('papers_render', { args });
export const papersPrint = (args) => call('papers_print', { args });
export const papersSave = (args) => call('papers_save', { args });
export const papersOpen = (file) => call('papers_open', { file });
export const papersList = (caseId) => call('papers_list', { caseId });

export const archiveDrives = () => call('archive_drives');
export const archiveFiles = (folder) => call('archive_files', { folder: folder ?? null });
export const archivePickFolder = () => call('archive_pick_folder');
export const archivePickFile = (kind) => call('archive_pick_file', { kind });
// The content in force (about screen), and content packs: what one would change, applying, going back.
export const contentInfo = () => call('content_info');
export const contentInspect = (path) => call('content_inspect', { path });
export const contentApply = (path) => call('content_apply', { path });
export const contentRestore = () => call('content_restore');
export const archiveExport = (args) => call('archive_export', { args });
export const archiveImport = (args) => call('archive_import', { args });
export const backupStatus = () => call('backup_status');
export const backupSetReminder = (days) => call('backup_set_reminder', { days });
export const backupRun = (args) => call('backup_run', { args });
export const backupRestore = (args) => call('backup_restore', { args });

// Who is at the desk. Every answer named AccessState is { needsSetup, plainRegister, keysMissing, operators,
// session, startupError } (ARCHITECTURE.md, "IPC commands").
export const accessState = () => call('access_state');
export const accessSetUp = (name, passphrase, pin) => call('access_set_up', { name, passphrase, pin });
export const accessRecoverySheet = (action) => call('access_recovery_sheet', { action });
export const accessRecoveryDone = () => call('access_recovery_done');
export const accessSignIn = (operatorId, passphrase, pin) => call('access_sign_in', { operatorId, passphrase, pin });
export const accessRecover = (recoveryKey, operatorId, newPassphrase, pin) =>
  call('access_recover', { recoveryKey, operatorId, newPassphrase, pin });
export const accessLock = () => call('access_lock');
export const accessUnlockPin = (pin) => call('access_unlock_pin', { pin });
export const accessUnlockPassphrase = (passphrase) => call('access_unlock_passphrase', { passphrase });
export const accessSwitch = (operatorId, passphrase, pin) => call('access_switch', { operatorId, passphrase, pin });
export const accessSignOut = () => call('access_sign_out');
export const accessActivity = () => call('access_activity');
export const accessSetIdle = (minutes) => call('access_set_idle', { minutes });

export const operatorsList = () => call('operators_list');
export const operatorsAdd = (name, role, passphrase) => call('operators_add', { name, role, passphrase });
export const operatorsDisable = (id) => call('operators_disable', { id });
export const operatorsEnable = (id, passphrase) => call('operators_enable', { id, passphrase });
export const operatorsSetRole = (id, role) => call('operators_set_role', { id, role });
/** `current` is the operator's own passphrase when they change it; null when a responsabile resets another's. */
export const operatorsChangePassphrase = (id, current, newPassphrase) =>
  call('operators_change_passphrase', { id, current: current ?? null, newPassphrase });
export const operatorsReissueRecovery = () => call('operators_reissue_recovery');

export const auditActions = () => call('audit_actions');
export const auditList = (filter, offset, limit) => call('audit_list', { filter, offset, limit });
export const auditVerify = () => call('audit_verify');
export const auditExport = (filter) => call('audit_export', { filter });
export const auditCase = (caseId) => call('audit_case', { caseId });
export const catalogueReport = () => call('catalogue_report');

// The desk's activity and the funder's reports (register::activity, register::report).
export const reportsCodes = () => call('reports_codes');
export const reportsRecordContact = (contact) => call('reports_record_contact', { contact });
export const reportsCaseContacts = (caseId) => call('reports_case_contacts', { caseId });
export const reportsRecordStaffTime = (time) => call('reports_record_staff_time', { time });
export const reportsRecordSatisfaction = (answer) => call('reports_record_satisfaction', { answer });
export const reportsSatisfactionQuestion = (language) => call('reports_satisfaction_question', { language });
export const reportsDefinitions = () => call('reports_definitions');
export const reportsBuild = (definition, from, to) => call('reports_build', { definition, from, to });
export const reportsExport = (definition, from, to, format) => call('reports_export', { definition, from, to, format });
export const reportsPrint = (definition, from, to, action) => call('reports_print', { definition, from, to, action });

// The partner network and the referrals (register::partners, register::referrals, papers::referral).
export const partnersNeeds = () => call('partners_needs');
export const partnersList = (retired) => call('partners_list', { retired });
export const partnersProposals = (need, language) => call('partners_proposals', { need, language });
export const partnersAdd = (partner) => call('partners_add', { partner });
export const partnersUpdate = (id, partner) => call('partners_update', { id, partner });
export const partnersRetire = (id, retire) => call('partners_retire', { id, retire });
export const partnersExport = () => call('partners_export');
export const partnersImport = () => call('partners_import', { path: null });
export const referralsMake = (referral) => call('referrals_make', { referral });
export const referralsCase = (caseId) => call('referrals_case', { caseId });
export const referralsFollowUp = (id, step) => call('referrals_follow_up', { id, step });
export const referralsSetOpenDays = (days) => call('referrals_set_open_days', { days });
export const referralsSlipPrint = (id, name) => call('referrals_slip_print', { id, name: name ?? null });
export const referralsSlipOpen = (id, name) => call('referrals_slip_open', { id, name: name ?? null });

// Retention and the applicant's rights (ARCHITECTURE.md, "Retention and the applicant's rights"). A Policy is
// { periods: [{ purpose, anchor, months, defaultMonths, overridden, minMonths, maxMonths, basis, source,
// verify }], funder: { kind, date? }, funderKeptUntil }; the settings, the due list, the restricted list,
// a run, anonymising, restricting and lifting are a responsabile's (the backend refuses anyone else).
export const agendaToday = () => call('agenda_today');
export const agendaSetDays = (setting, days) => call('agenda_set_days', { setting, days: days ?? null });
export const agendaConsent = (caseId) => call('agenda_consent', { caseId });
export const agendaSetConsent = (caseId, consent) => call('agenda_set_consent', { caseId, consent });
export const agendaContacts = (caseId) => call('agenda_contacts', { caseId });
export const agendaRecordContact = (caseId, contact) => call('agenda_record_contact', { caseId, contact });
// A reminder is { caseId, reason, dueDate }. The letter is filed with its case ({ file, suggestedName }: open it
// with papersOpen); the batch answers { letters, pages, printed, reason } (printed null when opened).
export const remindersLetter = (args) => call('reminders_letter', { args });
export const remindersBatchPrint = (inputs) => call('reminders_batch_print', { inputs });
export const remindersBatchOpen = (inputs) => call('reminders_batch_open', { inputs });
export const remindersMessages = (args) => call('reminders_messages', { args });

export const retentionPolicy = () => call('retention_policy');
/** `months` null: back to the bundled default. */
export const retentionSetMonths = (purpose, months) => call('retention_set_months', { purpose, months: months ?? null });
/** `funder`: { kind: 'final_payment', date } | { kind: 'no_funder' } | { kind: 'unknown' }. */
export const retentionSetFunder = (funder) => call('retention_set_funder', { funder });
export const retentionDue = () => call('retention_due');
export const retentionRestricted = () => call('retention_restricted');
export const retentionApply = () => call('retention_apply');
export const retentionCase = (caseId) => call('retention_case', { caseId });
export const retentionClearContacts = (caseId) => call('retention_clear_contacts', { caseId });
export const retentionMinimiseNotes = (caseId) => call('retention_minimise_notes', { caseId });
export const retentionAnonymise = (caseId) => call('retention_anonymise', { caseId });
export const retentionRestrict = (caseId, reason) => call('retention_restrict', { caseId, reason });
export const retentionLift = (caseId) => call('retention_lift', { caseId });
/** { outcome: 'anonymised', …Anonymised } or { outcome: 'restricted', keptUntil, why, cleared, whyText }. */
export const retentionErasureRequest = (caseId) => call('retention_erasure_request', { caseId });
// The two papers handed to the applicant, never filed: `action` 'print' (→ { printed, reason }) or 'open'.
export const retentionAccessReport = (caseId, language, action) =>
  call('retention_access_report', { caseId, language, action });
export const retentionDeletionReceipt = (caseId, language, action) =>
  call('retention_deletion_receipt', { caseId, language, action });
