//! The HWS status parsers: never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use st96_model::{ImportStatus, ProcessingStatus, ServiceRequestStatus};

fuzz_target!(|data: &[u8]| {
    let _ = ImportStatus::parse(data);
    let _ = ServiceRequestStatus::parse(data);
    let _ = ProcessingStatus::parse(&String::from_utf8_lossy(data));
});
