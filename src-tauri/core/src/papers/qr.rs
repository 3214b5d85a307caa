//! A QR code drawn into a paper as vectors: each row's run of dark modules one filled rectangle of a
//! `Document::figure`, inside the quiet zone of four modules ISO/IEC 18004 asks for, so the code prints as
//! sharp as the text at any printer's resolution. Shared by the recovery sheet (the recovery key) and the
//! receipt (the Questura appointment as an iCalendar event).
//!
//! It must not decide what a code holds nor its error correction: the paper that prints it does.

use qrcode::bits::Bits;
use qrcode::{Color, EcLevel, QrCode, Version};

use crate::error::{Error, Result};
use crate::papers::print::{Align, Document, Paint};

/// The quiet zone around the code, in modules (ISO/IEC 18004 asks for four).
pub const QUIET_MODULES: usize = 4;

/// The side of a code for `data` at `level`, in modules with its quiet zone; an error when the data do
/// not fit any QR version.
pub fn side_modules(data: &[u8], level: EcLevel) -> Result<usize> {
    Ok(code(data, level)?.width() + 2 * QUIET_MODULES)
}

/// The ECI designator of UTF-8 (ISO/IEC 18004, AIM ECI 26).
const ECI_UTF8: u32 = 26;

/// The smallest code for `data`. Text that is not ASCII is announced as UTF-8 by an ECI designator: a
/// reader left to guess takes byte data for Latin-1 or Shift JIS (zbar read the `é` of `carné` as
/// `矇`); ASCII (the recovery key) needs none.
fn code(data: &[u8], level: EcLevel) -> Result<QrCode> {
    let failed = |e: qrcode::types::QrError| Error::Print(format!("QR code: {e}"));
    if data.is_ascii() {
        return QrCode::with_error_correction_level(data, level).map_err(failed);
    }
    let mut last = qrcode::types::QrError::DataTooLong;
    for version in 1..=40 {
        let mut bits = Bits::new(Version::Normal(version));
        let pushed = bits
            .push_eci_designator(ECI_UTF8)
            .and_then(|()| bits.push_byte_data(data))
            .and_then(|()| bits.push_terminator(level));
        match pushed {
            Ok(()) => return QrCode::with_bits(bits, level).map_err(failed),
            Err(e) => last = e,
        }
    }
    Err(failed(last))
}

/// Draws `data` as a QR code at error correction `level`, each module `module_mm` square, placed at the
/// cursor like a paragraph (`align` on the content width), the cursor moved below it.
pub fn draw(
    doc: &mut Document,
    data: &[u8],
    level: EcLevel,
    module_mm: f32,
    align: Align,
) -> Result<()> {
    let code = code(data, level)?;
    let width = code.width();
    let colors = code.to_colors();
    let mut rects = Vec::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Light {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            let at = |modules: usize| (QUIET_MODULES + modules) as f32 * module_mm;
            rects.push([at(start), at(y), (x - start) as f32 * module_mm, module_mm]);
        }
    }
    let side = (width + 2 * QUIET_MODULES) as f32 * module_mm;
    doc.figure(side, side, align, &rects, Paint::Fill(0.0));
    Ok(())
}
