//! Secrets never print: consumer secret, token secret, signature.

use oauth1_sign::Configure as _;
use oauth1_sign::{Credentials, Placement, Request, Signer, SigningParams, sign};

#[test]
fn debug_output_hides_every_secret() {
    let creds = Credentials::new("public-key", "very-secret-consumer")
        .unwrap()
        .with_token("tok", "very-secret-token");
    let dbg = format!("{creds:?}");
    assert!(!dbg.contains("very-secret"), "{dbg}");
    assert!(dbg.contains("[redacted]"), "{dbg}");

    for placement in [Placement::Query, Placement::Header] {
        let req = Request::new("POST", "https://apitest.firmadocumentos.es/send/Template");
        let signed = sign(
            &req,
            &creds,
            &SigningParams::new(1588868100, "s8xbzILkavi").placement(placement),
        )
        .unwrap();
        let sig = signed.signature().expose().to_owned();
        let encoded = oauth1_sign::percent_encode(&sig);
        let dbg = format!("{signed:?}");
        assert!(!dbg.contains(&encoded) && !dbg.contains(&sig), "{dbg}");
        assert!(!dbg.contains("very-secret"), "{dbg}");
        assert!(dbg.contains("[redacted]"));
    }
    let signer = Signer::new(creds);
    let dbg = format!("{signer:?}");
    assert!(!dbg.contains("very-secret"), "{dbg}");
    assert_eq!(format!("{}", oauth1_sign::Secret::new("x")), "[redacted]");
}
