//! Every firmadoc-model response type: parsing never panics.
#![no_main]
use firmadoc_model::{Budget, CreatedUser, SendingDetail, SendingReply, UsageSummary, WebhookDelivery};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<SendingReply>(data);
    let _ = serde_json::from_slice::<SendingDetail>(data);
    let _ = serde_json::from_slice::<UsageSummary>(data);
    let _ = serde_json::from_slice::<Budget>(data);
    let _ = serde_json::from_slice::<CreatedUser>(data);
    let _ = serde_json::from_slice::<WebhookDelivery>(data);
});
