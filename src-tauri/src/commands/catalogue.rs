//! The responsabile's catalogue report (#/catalogue): procedures by last check date, their flagged lines
//! with the reason, their lines resting only on unofficial pages, and the shares of rows with a read date
//! and an official source. The report is the core's (`Catalogue::report`); this command only adds the
//! Italian titles and refuses other operators. It must not judge a line itself.

use std::collections::BTreeMap;

use mixite_core::reference::catalogue::CatalogueReport;
use serde::Serialize;
use tauri::State;

use crate::commands::audit::responsabile;
use crate::state::Desk;
use crate::wire::WireError;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shown {
    #[serde(flatten)]
    report: CatalogueReport,
    /// Text key → Italian text, for the procedures' titles and the lines listed.
    texts: BTreeMap<String, String>,
}

#[tauri::command(async)]
pub fn catalogue_report(desk: State<'_, Desk>) -> Result<Shown, WireError> {
    desk.acting(|r, actor, _| {
        responsabile(actor)?;
        let report = r.catalogue().report(r.fees());
        let title = |key: &str| r.texts().text(key, "it", &BTreeMap::new());
        let mut texts = BTreeMap::new();
        for p in &report.procedures {
            texts.insert(p.title.clone(), title(&p.title));
            for l in p.flagged.iter().chain(&p.unofficial) {
                texts
                    .entry(l.text.clone())
                    .or_insert_with(|| title(&l.text));
            }
        }
        Ok(Shown { report, texts })
    })
}
