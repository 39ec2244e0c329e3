//! Running the binary; a mock HWS (discovery, token endpoint that verifies the ES256
//! assertion with `ring`, API) on loopback.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub(crate) const CLIENT_ID: &str = "office-test-client";
pub(crate) const SCOPE: &str = "das-api/das-access";
pub(crate) const ACCESS_TOKEN: &str = "hws-test-access-token-0123456789";

/// The workspace root.
pub(crate) fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fixture of the workspace's `fixtures/` directory.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    workspace().join("fixtures").join(rel)
}

/// The pinned Python of `cargo xtask tools` (with `cryptography`, `jsonschema`), run
/// with a script: returns stdout, panics with stderr when it fails.
pub(crate) use test_support::tools::run_python;

/// The binary with a clean environment (no configuration file, no `HAGUE_*`).
pub(crate) fn hague() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hague"));
    c.env_clear().env("HOME", "/nonexistent-hague-test-home");
    c
}

pub(crate) use test_support::cli::Run;

/// What the tests check on every run of `hague`: one error and one hint line on failure,
/// never the access token nor a PEM block, and `--json` in the shape docs/cli.md gives.
/// A message may name the `-----BEGIN ...-----` line it did not find, but no PEM block
/// of a key is ever printed.
static TOOL: test_support::cli::Tool = test_support::cli::Tool {
    name: "hague",
    never_printed: &[
        ACCESS_TOKEN,
        "PRIVATE KEY-----",
        "PUBLIC KEY-----",
        "CERTIFICATE-----",
    ],
    quiet_failures: false,
    check_json: |args, value| {
        let doc = std::fs::read_to_string(workspace().join("docs/cli.md")).unwrap();
        let command = cli_support::testing::command_of(&doc, "hague", args)
            .unwrap_or_else(|| panic!("no documented --json shape for {args:?}"));
        cli_support::testing::check_json_shape(&doc, &command, value).unwrap();
    },
};

pub(crate) fn run(cmd: &mut Command) -> Run {
    test_support::cli::run(&TOOL, cmd)
}

/// A key pair made by `hague keygen`, with its public JWK.
pub(crate) struct Keys {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) jwk: serde_json::Value,
}

impl Keys {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let out = run(hague().args(["keygen", "--json", "--dir"]).arg(dir.path())).json();
        Self {
            dir,
            jwk: out["jwk"].clone(),
        }
    }

    pub(crate) fn private_key(&self) -> PathBuf {
        self.dir.path().join("hague4offices_private.pem")
    }
}

/// A sandbox started with `config`, and a key pair made by `hague keygen` registered
/// there as HWS client `client`.
pub(crate) fn sandbox_with_client(
    config: sandbox::SandboxConfig,
    client: &str,
) -> (test_support::sandbox::Running, Keys) {
    let sb = test_support::sandbox::Running::start(config);
    let keys = Keys::new();
    sb.register_key_file(client, &keys.private_key());
    (sb, keys)
}

/// `hague` pointed at the sandbox through the environment, as `client` with the key
/// of `keys`.
pub(crate) fn hague_on(sb: &sandbox::Sandbox, client: &str, keys: &Keys) -> Command {
    let mut c = hague();
    c.envs(test_support::sandbox::hague_env(
        sb,
        client,
        &keys.private_key(),
    ));
    c
}

/// A mock HWS on loopback: discovery, a token endpoint that verifies the client
/// assertion, and the API under `/hws`.
pub(crate) struct Hws {
    pub(crate) server: mockito::ServerGuard,
    pub(crate) keys: Keys,
    _token: mockito::Mock,
    _discovery: mockito::Mock,
}

/// Form fields of a token request (the values this test checks need no decoding).
fn form(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.replace("%2F", "/").replace("%3A", ":")))
        .collect()
}

/// Whether the token request is a `client_credentials` grant whose `private_key_jwt`
/// assertion verifies under `jwk` (P-256 `x`, `y`) with the expected claims.
fn assertion_ok(req: &mockito::Request, jwk: &serde_json::Value, token_url: &str) -> bool {
    let Ok(body) = req.body() else { return false };
    let fields = form(body);
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("grant_type") != Some("client_credentials")
        || get("client_assertion_type")
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return false;
    }
    let Some(jwt) = get("client_assertion") else {
        return false;
    };
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 {
        return false;
    }
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s).unwrap_or_default();
    let mut point = vec![4u8];
    point.extend(decode(jwk["x"].as_str().unwrap_or_default()));
    point.extend(decode(jwk["y"].as_str().unwrap_or_default()));
    let key =
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, point);
    let signed = format!("{}.{}", parts[0], parts[1]);
    if key.verify(signed.as_bytes(), &decode(parts[2])).is_err() {
        return false;
    }
    let header: serde_json::Value = serde_json::from_slice(&decode(parts[0])).unwrap_or_default();
    let claims: serde_json::Value = serde_json::from_slice(&decode(parts[1])).unwrap_or_default();
    header["alg"] == "ES256"
        && claims["iss"] == CLIENT_ID
        && claims["sub"] == CLIENT_ID
        && claims["aud"] == token_url
        && claims["jti"].as_str().is_some_and(|j| !j.is_empty())
}

impl Hws {
    /// A mock whose token endpoint accepts assertions signed by `keys`.
    pub(crate) fn new(keys: Keys) -> Self {
        let mut server = mockito::Server::new();
        let issuer = server.url();
        let token_url = format!("{issuer}/token");
        let discovery = server
            .mock("GET", "/.well-known/openid-configuration")
            .with_header("content-type", "application/json")
            .with_body(format!(
                r#"{{"issuer":"{issuer}","token_endpoint":"{token_url}",
                "token_endpoint_auth_methods_supported":["private_key_jwt"],
                "token_endpoint_auth_signing_alg_values_supported":["ES256"]}}"#
            ))
            .create();
        let jwk = Arc::new(keys.jwk.clone());
        let (j1, j2) = (Arc::clone(&jwk), jwk);
        let (u1, u2) = (token_url.clone(), token_url);
        let token = server
            .mock("POST", "/token")
            .with_header("content-type", "application/json")
            .with_status_code_from_request(move |req| {
                if assertion_ok(req, &j1, &u1) { 200 } else { 401 }
            })
            .with_body_from_request(move |req| {
                if assertion_ok(req, &j2, &u2) {
                    format!(
                        r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"Bearer","expires_in":3599,"scope":"{SCOPE}"}}"#
                    )
                    .into_bytes()
                } else {
                    br#"{"error":"invalid_client","error_description":"client assertion signature invalid"}"#.to_vec()
                }
            })
            .create();
        Self {
            server,
            keys,
            _token: token,
            _discovery: discovery,
        }
    }

    /// The binary configured for this mock through the environment.
    pub(crate) fn hague(&self) -> Command {
        let mut c = hague();
        c.env("HAGUE_API_BASE_URL", format!("{}/hws", self.server.url()))
            .env("HAGUE_ISSUER", self.server.url())
            .env("HAGUE_CLIENT_ID", CLIENT_ID)
            .env("HAGUE_SCOPE", SCOPE)
            .env("HAGUE_PRIVATE_KEY_FILE", self.keys.private_key());
        c
    }

    /// A mock of an API call that wants the bearer token.
    pub(crate) fn api(&mut self, method: &str, path: &str) -> mockito::Mock {
        self.server
            .mock(method, format!("/hws{path}").as_str())
            .match_header("authorization", format!("Bearer {ACCESS_TOKEN}").as_str())
    }
}
