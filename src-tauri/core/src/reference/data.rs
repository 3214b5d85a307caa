//! Reading the bundled data files (`assets/`): TOML parsed into the loaders' types, and every problem as
//! an `Error::Data` naming the file and line a maintainer must fix; the check that a `source` is a web
//! address. Shared by the reference tables, the fees, the catalogue and the forms. It must not know what
//! any table means.

use toml::Spanned;

use crate::error::{Error, Result};

pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>((file, text): (&str, &str)) -> Result<T> {
    toml::from_str(text).map_err(|e| Error::Data {
        file: file.to_string(),
        line: e.span().map_or(0, |span| line_of(text, span.start)),
        message: e.message().to_string(),
    })
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

pub(crate) fn data_error(
    (file, text): (&str, &str),
    span: std::ops::Range<usize>,
    message: String,
) -> Error {
    Error::Data {
        file: file.to_string(),
        line: line_of(text, span.start),
        message,
    }
}

/// A source is a web address: `http(s)://host/…`, without spaces.
pub(crate) fn check_source(file: (&str, &str), source: &Spanned<String>) -> Result<()> {
    let s = source.get_ref();
    let host = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .map(|rest| rest.split('/').next().unwrap_or(""));
    if host.is_none_or(|h| !h.contains('.')) || s.chars().any(char::is_whitespace) {
        return Err(data_error(
            file,
            source.span(),
            format!("source must be a URL: {s}"),
        ));
    }
    Ok(())
}

/// When a row's source was read, as precisely as it is known: a day (`2026-12-05`), a month
/// (`2026-12`: the December 2026 content review) or a year (`2026`: the brief's compiler consulted its
/// copies in 2026 and gave no day). Never more precise than what is known: a day is not invented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReadOn {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
}

impl ReadOn {
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; `None` for anything else (an impossible day included).
    pub fn parse(s: &str) -> Option<ReadOn> {
        let parts: Vec<&str> = s.split('-').collect();
        let number = |p: &str, len: usize| {
            (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u32>().ok())
                .flatten()
        };
        let year = number(parts.first()?, 4)? as i32;
        let month = match parts.get(1) {
            Some(m) => Some(number(m, 2).filter(|m| (1..=12).contains(m))?),
            None => None,
        };
        let day = match parts.get(2) {
            Some(d) => {
                let d = number(d, 2)?;
                chrono::NaiveDate::from_ymd_opt(year, month?, d)?;
                Some(d)
            }
            None => None,
        };
        (parts.len() <= 3).then_some(ReadOn { year, month, day })
    }
}

impl std::fmt::Display for ReadOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl serde::Serialize for ReadOn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A `read_on` field of a data file, checked.
pub(crate) fn read_on(file: (&str, &str), raw: &Spanned<String>) -> Result<ReadOn> {
    ReadOn::parse(raw.get_ref()).ok_or_else(|| {
        data_error(
            file,
            raw.span(),
            format!(
                "read_on must be YYYY, YYYY-MM or YYYY-MM-DD: {}",
                raw.get_ref()
            ),
        )
    })
}

pub(crate) const SOURCES: (&str, &str) = (
    "assets/reference/sources.toml",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/reference/sources.toml"
    )),
);

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSources {
    official: RawOfficial,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOfficial {
    domains: Vec<String>,
    labels: Vec<String>,
}

/// The hosts whose pages are official (`assets/reference/sources.toml`): the strength of a row is derived
/// from its URL by this table, so it cannot drift from the source it names.
#[derive(Debug, Clone)]
pub struct OfficialHosts {
    domains: Vec<String>,
    labels: Vec<String>,
}

impl OfficialHosts {
    pub fn bundled() -> Result<OfficialHosts> {
        OfficialHosts::from_source(SOURCES)
    }

    /// The table read from `(file name, text)`: the built-in one or a content pack's.
    pub fn from_source(source: (&str, &str)) -> Result<OfficialHosts> {
        let raw: RawSources = parse_toml(source)?;
        Ok(OfficialHosts {
            domains: raw.official.domains,
            labels: raw.official.labels,
        })
    }

    /// Whether `url` is on an official host (a listed domain or its subdomain, or a host with a listed
    /// label such as `comune`).
    pub fn is_official(&self, url: &str) -> bool {
        let host = url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', '?', '#']).next())
            .unwrap_or("")
            .to_ascii_lowercase();
        self.domains
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
            || host.split('.').any(|l| self.labels.iter().any(|x| x == l))
    }
}
