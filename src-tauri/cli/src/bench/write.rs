//! `mixite bench write`: the speed of the app's own write path. Creates cases with `Register::create`
//! and records one step on each with `Register::add_step` (validation, one IMMEDIATE transaction with
//! `synchronous = FULL` each, the read-back of the case view), then reports cases/s, steps/s and the
//! database size per case. It must not take any shortcut the app does not take (no batching, no pragma
//! changes): the figures stand for an operator pressing Save.

use std::path::Path;
use std::time::Instant;

use mixite_core::model::StepInput;
use mixite_core::reference::Reference;
use mixite_core::{Clock, NewCase};
use mixite_demo::Generator;

use super::{checkpoint, db_bytes};
use crate::Result;

pub fn run(dir: &Path, count: usize, seed: u64) -> Result<()> {
    let (mut register, actor) = crate::sign_in::open(dir)?;
    let before = register.case_count()?;
    let clock = Clock::system();
    let reference: Reference = register.reference().clone();
    let mut generator = Generator::new(&reference, seed);
    let drafts: Vec<_> = (0..count).map(|_| generator.data(clock.today)).collect();

    let started = Instant::now();
    let mut created = Vec::with_capacity(count);
    for data in drafts {
        let view = register.create(
            &NewCase {
                data,
                ..NewCase::default()
            },
            &clock,
            &actor,
        )?;
        created.push((view.id, view.revision));
    }
    let create_secs = started.elapsed().as_secs_f64();

    let step = StepInput {
        kind: "documents_pending".into(),
        date: clock.today.format("%Y-%m-%d").to_string(),
        ..StepInput::default()
    };
    let started = Instant::now();
    for (id, revision) in created {
        register.add_step(id, revision, &step, &clock, &actor)?;
    }
    let step_secs = started.elapsed().as_secs_f64();

    let conn = register.store().conn();
    checkpoint(conn)?;
    let cases = register.case_count()?;
    let bytes = db_bytes(dir);
    let cases_per_s = count as f64 / create_secs.max(1e-9);
    let steps_per_s = count as f64 / step_secs.max(1e-9);
    let per_case = bytes as f64 / cases.max(1) as f64;
    println!(
        "created {count} cases in {create_secs:.2} s ({cases_per_s:.0} cases/s, {:.2} ms each); \
         {count} steps in {step_secs:.2} s ({steps_per_s:.0} steps/s, {:.2} ms each)",
        create_secs * 1e3 / count.max(1) as f64,
        step_secs * 1e3 / count.max(1) as f64,
    );
    println!(
        "folder: {cases} cases ({before} before), {bytes} bytes after checkpoint, {per_case:.0} bytes/case"
    );
    println!(
        "{}",
        serde_json::json!({
            "bench": "write", "count": count, "casesPerSecond": cases_per_s.round(),
            "stepsPerSecond": steps_per_s.round(), "cases": cases, "dbBytes": bytes,
            "bytesPerCase": per_case.round(),
        })
    );
    Ok(())
}
