//! Bounded in-memory memo tables for the print engine's costly pure steps: a paragraph's layout, a
//! face's subset for a set of glyphs, a page's content stream, and a stream's deflated bytes. The counter
//! prints the same texts again and again (a preview, then the print or the saved copy; the same
//! procedure's checklist for the next applicant), so, as typst does when it re-compiles, the engine
//! reuses what it already computed.
//!
//! Every key is the step's whole input, so a hit gives exactly what the step would compute again. It
//! must not persist anything: laid-out lines hold applicants' names, which stay in this process's memory
//! and go with the [`FontLibrary`]. It must not grow without bound: each table is an LRU of fixed
//! capacity.
//!
//! [`FontLibrary`]: super::FontLibrary

use std::collections::HashMap;
use std::hash::Hash;
use std::io::Write;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, MutexGuard};

use lru::LruCache;

use super::faces::FaceId;
use super::lines::{Line, ParagraphKey};

/// Paragraphs laid out: a checklist has about 150, a form 50; the tables below keep a few documents.
const PARAGRAPHS: usize = 2048;
/// Face subsets: a document embeds two to five faces.
const SUBSETS: usize = 32;
/// Page content streams: a checklist has two or three pages, a form one or two.
const PAGES: usize = 32;
/// Deflated streams (font programs and page contents).
const STREAMS: usize = 64;

/// A face and the glyphs a document draws with it, ascending.
type SubsetKey = (FaceId, Vec<u16>);

/// A face cut down to the glyphs one document uses, as printpdf embeds it.
pub(crate) struct Subset {
    /// The subset program parsed, with the full face's name and metrics (what printpdf's own subsetting
    /// writes in the font descriptor).
    pub font: printpdf::ParsedFont,
    /// Glyph id in the full face → glyph id in the subset.
    pub gids: HashMap<u16, u16>,
    /// The `ABCDEF+` tag of a subset font's name (ISO 32000-1, 9.6.4), derived from the face and the
    /// glyph set, so the same subset always has the same name.
    pub tag: String,
}

pub(crate) struct Memo {
    paragraphs: Mutex<LruCache<ParagraphKey, Arc<Vec<Line>>>>,
    subsets: Mutex<LruCache<SubsetKey, Arc<Subset>>>,
    /// A page's key (see `document::page_key`) → its content stream as printpdf wrote it, not deflated.
    pages: Mutex<LruCache<Vec<u8>, Arc<Vec<u8>>>>,
    /// A stream's content → its deflated bytes.
    streams: Mutex<LruCache<Vec<u8>, Arc<[u8]>>>,
}

fn table<K: Hash + Eq, V>(capacity: usize) -> Mutex<LruCache<K, V>> {
    Mutex::new(LruCache::new(
        NonZeroUsize::new(capacity).expect("a capacity"),
    ))
}

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            paragraphs: table(PARAGRAPHS),
            subsets: table(SUBSETS),
            pages: table(PAGES),
            streams: table(STREAMS),
        }
    }
}

/// A table, locked. A panic while the lock was held leaves a consistent table (the LRU is only touched
/// under the lock, by code that does not panic), so a poisoned lock is used as it is.
fn lock<K: Hash + Eq, V>(table: &Mutex<LruCache<K, V>>) -> MutexGuard<'_, LruCache<K, V>> {
    table.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `compute` on a miss and keeps its value; a failed computation is not kept.
fn get_or_try<K: Hash + Eq, V, E>(
    table: &Mutex<LruCache<K, Arc<V>>>,
    key: K,
    compute: impl FnOnce(&K) -> Result<V, E>,
) -> Result<Arc<V>, E> {
    if let Some(value) = lock(table).get(&key) {
        return Ok(Arc::clone(value));
    }
    // Computed without the lock: two threads may both compute a value, and the second keeps its own.
    let value = Arc::new(compute(&key)?);
    lock(table).put(key, Arc::clone(&value));
    Ok(value)
}

impl Memo {
    pub(crate) fn clear(&self) {
        lock(&self.paragraphs).clear();
        lock(&self.subsets).clear();
        lock(&self.pages).clear();
        lock(&self.streams).clear();
    }

    pub(crate) fn paragraph<E>(
        &self,
        key: ParagraphKey,
        compute: impl FnOnce(&ParagraphKey) -> Result<Vec<Line>, E>,
    ) -> Result<Arc<Vec<Line>>, E> {
        get_or_try(&self.paragraphs, key, compute)
    }

    pub(crate) fn subset<E>(
        &self,
        face: FaceId,
        gids: Vec<u16>,
        compute: impl FnOnce(&[u16]) -> Result<Subset, E>,
    ) -> Result<Arc<Subset>, E> {
        get_or_try(&self.subsets, (face, gids), |(_, gids)| compute(gids))
    }

    /// The content stream of the page with this key, when one was written before.
    pub(crate) fn page(&self, key: &[u8]) -> Option<Arc<Vec<u8>>> {
        lock(&self.pages).get(key).map(Arc::clone)
    }

    pub(crate) fn keep_page(&self, key: Vec<u8>, content: Vec<u8>) {
        lock(&self.pages).put(key, Arc::new(content));
    }

    /// `content` deflated (zlib, best compression, as lopdf does), from the table when the same bytes
    /// were deflated before.
    pub(crate) fn deflate(&self, content: &[u8]) -> std::io::Result<Arc<[u8]>> {
        if let Some(deflated) = lock(&self.streams).get(content) {
            return Ok(Arc::clone(deflated));
        }
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(content)?;
        let deflated: Arc<[u8]> = encoder.finish()?.into();
        lock(&self.streams).put(content.to_vec(), Arc::clone(&deflated));
        Ok(deflated)
    }
}
