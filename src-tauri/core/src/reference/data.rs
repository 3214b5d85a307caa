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
