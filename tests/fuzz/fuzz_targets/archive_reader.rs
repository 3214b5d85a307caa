//! Fuzz target `archive_reader`: feeds arbitrary bytes to `mixite_core::exchange::archive::open_bytes`, mostly on
//! the plain-ZIP path (no passphrase); an age file gets the seeds' passphrase only when its scrypt cost
//! is trivial. It owns nothing but the entry point: the checks live in `mixite_fuzz::check`. It must not
//! touch the file system, a register or the clock, so an execution stays fast and repeatable.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mixite_fuzz::check(data);
});
