//! Package validation on arbitrary ZIP bytes: never panics.
#![no_main]
use hague_package::{St96Inspector, ValidationOptions, validate_package};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = validate_package(&mut std::io::Cursor::new(data), &ValidationOptions::default(), &St96Inspector::default());
});
