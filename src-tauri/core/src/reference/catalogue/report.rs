//! The catalogue report for the responsabile: every procedure with the date this team last checked it,
//! its lines flagged "to verify" (with the reason) and its lines resting only on unofficial pages, plus the
//! shares of document, note and fee rows that carry a read date and an official source. It owns computing
//! that from the loaded catalogue and fee tables. It must not load or check files (that is `load`), print
//! or translate anything (the CLI and the screen render it), nor judge a source itself (the strength comes
//! from `assets/reference/sources.toml` through `Row::official`).

use super::*;

/// One line of a procedure worth the responsabile's attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportLine {
    /// Text key (under `checklist.`).
    pub text: String,
    pub source: String,
    pub read_on: ReadOn,
    pub official: bool,
    pub verify: bool,
    /// Why it is flagged (both readings of a conflict), for the operator.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcedureReport {
    pub id: String,
    /// Text key of the title.
    pub title: String,
    pub file: String,
    pub checked_on: ReadOn,
    pub verify: bool,
    pub maintainer_note: Option<String>,
    /// Document and note lines, included groups' first.
    pub lines: usize,
    /// Lines marked "to verify".
    pub flagged: Vec<ReportLine>,
    /// Lines whose only source is an unofficial page.
    pub unofficial: Vec<ReportLine>,
}

/// Counts over distinct rows (a group's row counts once however many procedures include it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowCounts {
    pub rows: usize,
    /// Rows with a `read_on` date (every row, since the loader requires it).
    pub with_read_on: usize,
    pub official: usize,
    pub flagged: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueReport {
    /// Oldest check first: what to look at next.
    pub procedures: Vec<ProcedureReport>,
    /// Document and note rows of procedures and groups.
    pub lines: RowCounts,
    /// Amount and exempt rows of the fee tables.
    pub fees: RowCounts,
}

impl Catalogue {
    /// The report of the whole catalogue and fee tables.
    pub fn report(&self, fees: &FeeTables) -> CatalogueReport {
        let line = |r: &Row| ReportLine {
            text: r.text.clone(),
            source: r.source.clone(),
            read_on: r.read_on,
            official: r.official,
            verify: r.verify,
            note: r.note.clone(),
        };
        let mut procedures: Vec<ProcedureReport> = self
            .procedures
            .iter()
            .map(|p| {
                let rows: Vec<&Row> = p
                    .include
                    .iter()
                    .flat_map(|g| &self.groups[g].documents)
                    .chain(&p.documents)
                    .chain(p.include.iter().flat_map(|g| &self.groups[g].notes))
                    .chain(&p.notes)
                    .collect();
                ProcedureReport {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    file: p.file.clone(),
                    checked_on: p.checked_on,
                    verify: p.verify,
                    maintainer_note: p.maintainer_note.clone(),
                    lines: rows.len(),
                    flagged: rows.iter().filter(|r| r.verify).map(|r| line(r)).collect(),
                    unofficial: rows
                        .iter()
                        .filter(|r| !r.official)
                        .map(|r| line(r))
                        .collect(),
                }
            })
            .collect();
        procedures.sort_by(|a, b| a.checked_on.cmp(&b.checked_on).then(a.id.cmp(&b.id)));

        let mut lines = RowCounts::default();
        let own = self
            .procedures
            .iter()
            .flat_map(|p| p.documents.iter().chain(&p.notes));
        let grouped = self
            .groups
            .values()
            .flat_map(|g| g.documents.iter().chain(&g.notes));
        for r in own.chain(grouped) {
            lines.count(true, r.official, r.verify);
        }
        let mut fee_rows = RowCounts::default();
        for fee in &fees.fees {
            let amounts = fee
                .amounts
                .iter()
                .chain(fee.bands.iter().flat_map(|b| &b.amounts));
            for a in amounts {
                fee_rows.count(true, self.is_official(&a.source), a.verify);
            }
            for e in &fee.exempt {
                fee_rows.count(true, self.is_official(&e.source), e.verify);
            }
        }
        CatalogueReport {
            procedures,
            lines,
            fees: fee_rows,
        }
    }
}

impl RowCounts {
    fn count(&mut self, read_on: bool, official: bool, flagged: bool) {
        self.rows += 1;
        self.with_read_on += usize::from(read_on);
        self.official += usize::from(official);
        self.flagged += usize::from(flagged);
    }
}
