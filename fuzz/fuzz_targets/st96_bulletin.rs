//! The bulletin stream reader: never panics, always ends.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for record in st96_model::BulletinReader::new(data).take(10_000) {
        if record.is_err() {
            break;
        }
    }
});
