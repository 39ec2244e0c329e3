//! Assertions signed by an independent implementation, PyJWT (pinned in
//! xtask/requirements.txt; run `cargo xtask tools`), for ES256, PS256 and RS256.

use http::Method;

use crate::common::{call, manual_sandbox, run_python, wall_clock};

const SCRIPT: &str = r#"
import json, sys, uuid
import jwt
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
aud, now = sys.argv[1], int(sys.argv[2])
out = []
for alg in ["ES256", "PS256", "RS256"]:
    if alg == "ES256":
        key = ec.generate_private_key(ec.SECP256R1())
        jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    cid = "py-" + alg.lower()
    claims = {"iss": cid, "sub": cid, "aud": aud, "iat": now, "exp": now + 60, "jti": uuid.uuid4().hex}
    out.append({"alg": alg, "client_id": cid, "jwk": jwk,
                "assertion": jwt.encode(claims, key, algorithm=alg, headers={"typ": "JWT"})})
print(json.dumps(out))
"#;

#[tokio::test]
async fn pyjwt_assertions_es256_ps256_rs256_are_accepted() {
    let (sb, _) = manual_sandbox().await;
    let now = wall_clock()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let out = run_python(SCRIPT, [sb.token_endpoint(), now.to_string()]);
    let cases: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(cases.len(), 3);
    for case in cases {
        let alg = case["alg"].as_str().unwrap();
        let client_id = case["client_id"].as_str().unwrap();
        let jwk: sandbox::PublicJwk = serde_json::from_value(case["jwk"].clone()).unwrap();
        sb.register_hws_client(client_id, jwk);
        let assertion = case["assertion"].as_str().unwrap();
        let body = format!(
            "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}"
        );
        let form = [("content-type", "application/x-www-form-urlencoded")];
        let a = call(Method::POST, &sb.token_endpoint(), &form, body.clone()).await;
        assert_eq!(a.status, 200, "{alg}: {}", String::from_utf8_lossy(&a.body));
        assert_eq!(a.json()["token_type"], "Bearer");
        // The same assertion again is a replay.
        let again = call(Method::POST, &sb.token_endpoint(), &form, body).await;
        assert_eq!(again.status, 401, "{alg}");
        assert_eq!(again.json()["error"], "invalid_client");
    }
    sb.shutdown().await;
}
