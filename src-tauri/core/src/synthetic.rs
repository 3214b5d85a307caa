//! Synthetic demo data (filled in later).
