//! Device information, the body of the sending-detail and document calls.

use serde::{Deserialize, Serialize};

/// The device or browser a recipient uses (body of `POST /send/Sending/{cod}` and
/// `POST /send/Document/{cod}`, and part of `/AddresseeResponse/{cod}`).
///
/// The service stores it in the sending's trace record while the sending is pending. The
/// guide gives no length limits or formats; every property is free text.
///
/// Every property is optional: the guide says `Model` "no tiene sentido" from a browser, and
/// `Username` is available only "en algunos dispositivos". A missing property reads as empty,
/// and an empty one is sent as `""` (the guide's bodies always list all five).
///
/// **Spelling:** every body of the guide writes `OSVersion`; its property tables write
/// `OsVersion`. The crate sends `OSVersion` and reads either.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceInfo {
    /// `OsName`: operating system, or browser name ("android", "Chrome").
    #[serde(rename = "OsName")]
    #[doc(alias = "OsName")]
    pub os_name: String,
    /// `OSVersion`: its version ("7.0", "72.0").
    #[serde(rename = "OSVersion", alias = "OsVersion")]
    #[doc(alias = "OSVersion", alias = "OsVersion")]
    pub os_version: String,
    /// `Model`: the device model ("samsung SM-G935F"); empty from a browser.
    #[serde(rename = "Model")]
    pub model: String,
    /// `Username`: the device's user name ("iPhone de Sandra"), where available.
    #[serde(rename = "Username")]
    pub username: String,
    /// `DeviceID`: the IP address from a browser, or a device identifier.
    #[serde(rename = "DeviceID")]
    #[doc(alias = "DeviceID")]
    pub device_id: String,
}

impl DeviceInfo {
    /// A browser: its name and version, and the IP address it connects from; `Model` and
    /// `Username` stay empty, as the guide says they mean nothing there.
    pub fn browser(
        name: impl Into<String>,
        version: impl Into<String>,
        ip: impl Into<String>,
    ) -> Self {
        Self {
            os_name: name.into(),
            os_version: version.into(),
            device_id: ip.into(),
            ..Self::default()
        }
    }
}
