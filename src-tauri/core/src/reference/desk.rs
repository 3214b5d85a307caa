//! The facts the desk's follow-up papers print, from `assets/reference/desk_papers.toml` of the content in
//! force (a content pack can correct them): the Questura's office (the place of the appointment on the
//! receipt), the calendar event's length and time zone, the desk that signs the reminder letters and
//! messages, where a permit's status is checked online and the window envelope the letters are folded
//! into. Each section carries its source, the day it was read and a `verify` flag.
//!
//! It must not hold a fact as a literal in code, and it holds no legal term: the days the papers count
//! (the dimora declaration, the tolerance after expiry) are the agenda's (`reference::agenda`), so the
//! agenda and the papers can never disagree.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::reference::content::Content;
use crate::reference::data::parse_toml;

const FILE: &str = "assets/reference/desk_papers.toml";

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskPapers {
    #[allow(dead_code)]
    table: toml::Table,
    pub questura: Questura,
    pub appointment: Appointment,
    pub desk: Desk,
    pub status: Status,
    pub envelope: Envelope,
}

/// Where the Questura's appointments are.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Questura {
    pub name: String,
    pub address: String,
    pub source: String,
    pub read_on: String,
    pub verify: bool,
    pub note: Option<String>,
}

/// The calendar event's length (the Questura gives only a time) and the zone its time is in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appointment {
    pub minutes: u32,
    pub timezone: String,
    pub source: String,
    pub read_on: String,
    pub verify: bool,
}

/// The desk that sends the letters: its sender block and contact line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desk {
    pub name: String,
    /// The name that opens an SMS: short, in GSM-7 characters.
    pub sms_name: String,
    pub street: String,
    pub town: String,
    pub phone: String,
    pub email: String,
    pub source: String,
    pub read_on: String,
    pub verify: bool,
    pub note: Option<String>,
}

/// Where the status of a permit is checked online.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    pub police_url: String,
    pub police_source: String,
    pub portal_url: String,
    pub portal_source: String,
    pub read_on: String,
    pub verify: bool,
    pub note: Option<String>,
}

/// A window envelope and how the A4 page folded in three sits in it (millimetres).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub name: String,
    pub width_mm: f32,
    pub height_mm: f32,
    pub window_left_mm: f32,
    pub window_bottom_mm: f32,
    pub window_width_mm: f32,
    pub window_height_mm: f32,
    /// The height of a folded panel (an A4 page folded in three: 99 mm).
    pub fold_mm: f32,
    /// Kept clear inside the window's edge.
    pub margin_mm: f32,
    pub source: String,
    pub format_source: String,
    pub read_on: String,
    pub verify: bool,
    pub note: Option<String>,
}

/// The part of an A4 page (210 mm wide) that shows through the window whatever way the folded page
/// slides inside the envelope, less the margin: `[x, y, width, height]` in millimetres from the page's
/// top-left corner. The page's top panel may sit anywhere from the envelope's top edge down to its
/// bottom; across, anywhere from its left edge to its right.
impl Envelope {
    pub fn address_area(&self) -> [f32; 4] {
        const A4_WIDTH_MM: f32 = 210.0;
        let slack_x = (self.width_mm - A4_WIDTH_MM).max(0.0);
        let slack_y = (self.height_mm - self.fold_mm).max(0.0);
        let window_top = self.height_mm - self.window_bottom_mm - self.window_height_mm;
        // Page coordinates are envelope coordinates less the page's offset (0 ..= slack).
        let left = self.window_left_mm + self.margin_mm;
        let right = self.window_left_mm + self.window_width_mm - slack_x - self.margin_mm;
        let top = window_top + self.margin_mm;
        let bottom = window_top + self.window_height_mm - slack_y - self.margin_mm;
        [left, top, (right - left).max(0.0), (bottom - top).max(0.0)]
    }
}

impl DeskPapers {
    pub fn from_content(content: &Content) -> Result<DeskPapers> {
        DeskPapers::parse(content.source(FILE)?)
    }

    /// Loads and checks `(file name, text)`: a problem names the file and the line.
    pub fn parse(source: (&str, &str)) -> Result<DeskPapers> {
        let file: DeskPapers = parse_toml(source)?;
        check(file)
    }
}

fn check(file: DeskPapers) -> Result<DeskPapers> {
    let [_, _, w, h] = file.envelope.address_area();
    if w < 40.0 || h < 15.0 {
        return Err(Error::Data {
            file: FILE.into(),
            line: 0,
            message: "the envelope's window leaves no room for an address".into(),
        });
    }
    if file.appointment.minutes == 0 {
        return Err(Error::Data {
            file: FILE.into(),
            line: 0,
            message: "an appointment lasts at least a minute".into(),
        });
    }
    Ok(file)
}
