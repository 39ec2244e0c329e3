//! ST.96 office-to-IB reading: never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = st96_model::read_office_document(data);
});
