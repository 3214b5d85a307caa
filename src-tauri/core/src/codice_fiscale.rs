//! Checks the form of a codice fiscale (DM 23 Dec 1976, brief §5.1): 16 characters with a valid check
//! character, accepting the omocodia letters in the digit positions, or the 11-digit provisional numeric
//! code. It must not compute a code from personal data (that belongs to the forms work) nor decide that
//! a well-formed code belongs to the person: only the Agenzia's certificate proves that.

/// Positions (0-based) that hold digits, which omocodia may replace with letters L..V.
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
const OMOCODIA: &str = "LMNPQRSTUV";
const MONTHS: &str = "ABCDEHLMPRST";
/// Values of characters in odd positions (1st, 3rd, …), indexed by digit or letter (brief §5.1).
const ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Wrong length or a character out of place.
    Format,
    /// Well formed but the check character does not match.
    CheckCharacter,
}

/// Validates an upper-case code (callers normalise with `text::code_key`).
pub fn check(code: &str) -> Result<(), Problem> {
    let bytes = code.as_bytes();
    if bytes.len() == 11 && bytes.iter().all(u8::is_ascii_digit) {
        return check_numeric(bytes);
    }
    if bytes.len() != 16
        || !bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Err(Problem::Format);
    }
    for (i, &b) in bytes[..15].iter().enumerate() {
        let ok = if DIGIT_POSITIONS.contains(&i) {
            b.is_ascii_digit() || OMOCODIA.as_bytes().contains(&b)
        } else if i == 8 {
            MONTHS.as_bytes().contains(&b)
        } else {
            b.is_ascii_uppercase()
        };
        if !ok {
            return Err(Problem::Format);
        }
    }
    if !bytes[15].is_ascii_uppercase() {
        return Err(Problem::Format);
    }
    if check_character(&code[..15]) == bytes[15] as char {
        Ok(())
    } else {
        Err(Problem::CheckCharacter)
    }
}

/// The check character of the first 15 characters.
pub fn check_character(first15: &str) -> char {
    let sum: u32 = first15
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let index = if b.is_ascii_digit() {
                (b - b'0') as usize
            } else {
                (b - b'A') as usize
            };
            // Positions are counted from 1 in the decree, so index 0 is "odd".
            if i % 2 == 0 {
                ODD[index]
            } else {
                index as u32
            }
        })
        .sum();
    (b'A' + (sum % 26) as u8) as char
}

/// The provisional numeric code uses the same check digit as a partita IVA.
fn check_numeric(digits: &[u8]) -> Result<(), Problem> {
    let value = |i: usize| u32::from(digits[i] - b'0');
    let sum: u32 = (0..10)
        .map(|i| {
            if i % 2 == 0 {
                value(i)
            } else {
                let doubled = value(i) * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            }
        })
        .sum();
    if (10 - sum % 10) % 10 == value(10) {
        Ok(())
    } else {
        Err(Problem::CheckCharacter)
    }
}
