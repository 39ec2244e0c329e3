//! What the foreground command prints: URLs, a test HWS client, FirmaDocumentos credentials.

use std::fmt::Write as _;

use fapi_jwt_assert::SigningKey;

use crate::{DEFAULT_SCOPE, Error, Sandbox};

/// The HWS client id [`Sandbox::register_test_client`] registers.
pub const TEST_CLIENT_ID: &str = "sandbox-office";

impl Sandbox {
    /// Generates a P-256 key, registers it as [`TEST_CLIENT_ID`], and returns it (a
    /// throw-away test key: it exists only for this run).
    ///
    /// # Errors
    /// [`Error::Key`] when the system's random source fails.
    pub fn register_test_client(&self) -> Result<SigningKey, Error> {
        let key = SigningKey::generate_p256().map_err(|e| Error::Key(e.to_string()))?;
        self.register_hws_client(TEST_CLIENT_ID, key.public_jwk().clone());
        Ok(key)
    }

    /// A readable description of the running sandbox: URLs, the test client's key (when
    /// given) and the FirmaDocumentos test credentials, secret included (it is a public test
    /// value; print this only for people, never into logs of a real system).
    pub fn banner(&self, test_client: Option<&SigningKey>) -> String {
        let mut s = String::new();
        let creds = self.firmadoc_credentials();
        let _ = match self.ca_pem() {
            None => writeln!(s, "Offline sandbox running on loopback (plain http).\n"),
            Some(pem) => writeln!(
                s,
                "Offline sandbox running on loopback (https).\nTrust this test CA (generated for this run) as an extra root:\n{pem}"
            ),
        };
        let _ = writeln!(s, "HWS (Hague System Web Services)");
        let _ = writeln!(s, "  issuer:         {}", self.issuer());
        let _ = writeln!(
            s,
            "  discovery:      {}/.well-known/openid-configuration",
            self.issuer()
        );
        let _ = writeln!(s, "  token endpoint: {}", self.token_endpoint());
        let _ = writeln!(s, "  API base:       {}", self.hws_api_url());
        let _ = writeln!(s, "  scope:          {DEFAULT_SCOPE}");
        if let Some(key) = test_client {
            let _ = writeln!(s, "  test client id: {TEST_CLIENT_ID}");
            let _ = writeln!(
                s,
                "  its P-256 key (a throw-away test key, registered for this run):"
            );
            let _ = write!(s, "{}", key.to_pkcs8_pem().expose_secret());
        }
        let _ = writeln!(
            s,
            "  more clients:   POST {{\"client_id\":\"...\",\"jwk\":{{...}}}} to {}/sandbox/clients\n",
            self.hws_url()
        );
        let _ = writeln!(s, "FirmaDocumentos 1.9");
        let _ = writeln!(s, "  base URL:        {}", self.firmadoc_url());
        let _ = writeln!(s, "  consumer key:    {}", creds.consumer_key);
        let _ = writeln!(s, "  consumer secret: {}", creds.expose_secret());
        s
    }
}
