//! `mixite catalogue-report`: the responsabile's view of the procedure catalogue on the terminal —
//! procedures by last check date (oldest first), their flagged lines with the reason, their lines resting
//! only on unofficial pages, and the shares of rows with a read date and an official source; `--json` gives
//! the same report as data. It owns formatting only: the report is computed by `mixite-core` from the
//! bundled catalogue, and this command reads no data folder and writes nothing.

use mixite_core::papers::checklist::{read_on_text, title};
use mixite_core::reference::catalogue::{Catalogue, RowCounts};
use mixite_core::reference::fees::FeeTables;

pub fn report(json: bool) -> crate::Result<()> {
    let fees = FeeTables::bundled()?;
    let catalogue = Catalogue::bundled()?;
    let report = catalogue.report(&fees);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let share = |c: &RowCounts| {
        let pct = |n: usize| (n * 100).checked_div(c.rows).unwrap_or(0);
        format!(
            "{} rows, {} with a read date ({}%), {} official ({}%), {} flagged",
            c.rows,
            c.with_read_on,
            pct(c.with_read_on),
            c.official,
            pct(c.official),
            c.flagged
        )
    };
    println!("Procedures: {}", report.procedures.len());
    println!("Document and note rows: {}", share(&report.lines));
    println!("Fee rows: {}", share(&report.fees));
    for p in &report.procedures {
        println!();
        println!(
            "{} — {} (checked {}{}; {} lines, {} flagged, {} unofficial only)",
            p.id,
            title(&p.title),
            read_on_text(p.checked_on),
            if p.verify {
                ", procedure to verify"
            } else {
                ""
            },
            p.lines,
            p.flagged.len(),
            p.unofficial.len()
        );
        if let Some(note) = &p.maintainer_note {
            println!("  note: {note}");
        }
        for l in &p.flagged {
            println!(
                "  * {} [{}; read {}]{}",
                l.text,
                if l.official { "official" } else { "unofficial" },
                read_on_text(l.read_on),
                l.note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            );
        }
        for l in p.unofficial.iter().filter(|l| !l.verify) {
            println!("  ~ {} (unofficial only: {})", l.text, l.source);
        }
    }
    Ok(())
}
