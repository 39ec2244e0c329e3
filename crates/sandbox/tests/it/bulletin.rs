//! Bulletins and confidential copies as the sandbox serves them: the week's content with
//! image folders, the publication calendar (404 before the first bulletin, after the latest
//! published one and for weeks that do not exist), and `ETag` + `Range`/`If-Range`, which
//! the real `hague-client` uses to resume a cut download.

use std::io::Read as _;
use std::time::{Duration, UNIX_EPOCH};

use http::Method;

use crate::common::{Answer, call, manual_sandbox, wall_clock};
use crate::hws::bearer;

async fn get(
    sb: &sandbox::Sandbox,
    auth: &str,
    path: &str,
    extra: &[(&'static str, &str)],
) -> Answer {
    let mut h = vec![("authorization", auth)];
    h.extend_from_slice(extra);
    call(Method::GET, &format!("{}/{path}", sb.hws_api_url()), &h, "").await
}

#[tokio::test]
async fn the_publication_calendar_decides_what_exists() {
    let (sb, clock) = manual_sandbox().await;
    let auth = bearer(&sb).await;
    // Issue 46/2019 came out on Friday 15.11.2019: 18:00 CET is 1573837200 (date -u -d
    // '2019-11-15 17:00' +%s). The token stays valid: the clock only goes back.
    clock.set(UNIX_EPOCH + Duration::from_secs(1_573_837_199));
    for (path, status) in [
        ("publication/bulletin/201946", 404),
        ("publication/copy/confidential/201946", 404),
        ("publication/bulletin/201945", 200),
        ("publication/bulletin/201401", 200),
        ("publication/bulletin/201352", 404),
        ("publication/bulletin/202101", 404),
        ("publication/bulletin/201900", 404),
        ("publication/bulletin/201953", 404),
        ("publication/bulletin/2019-46", 400),
    ] {
        let a = get(&sb, &auth, path, &[]).await;
        assert_eq!(
            a.status,
            status,
            "{path}: {}",
            String::from_utf8_lossy(&a.body)
        );
        if status == 404 {
            assert_eq!(a.json()["error"]["code"], "NOT_FOUND", "{path}");
        }
    }
    clock.set(UNIX_EPOCH + Duration::from_secs(1_573_837_200));
    assert_eq!(
        get(&sb, &auth, "publication/bulletin/201946", &[])
            .await
            .status,
        200
    );
    // A week 53 where the year has one (2020) and where it has not (2021).
    clock.set(wall_clock());
    assert_eq!(
        get(&sb, &auth, "publication/bulletin/202053", &[])
            .await
            .status,
        200
    );
    let a = get(&sb, &auth, "publication/bulletin/202153", &[]).await;
    assert_eq!(a.status, 404);
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_bulletin_holds_the_weeks_xml_and_an_image_for_every_view() {
    let (sb, _) = manual_sandbox().await;
    let auth = bearer(&sb).await;
    for (path, xml_name) in [
        ("publication/bulletin/202447", "HE202447_ST96.xml"),
        ("publication/copy/confidential/202447", "CC202447_ST96.xml"),
    ] {
        let a = get(&sb, &auth, path, &[]).await;
        assert_eq!(a.status, 200);
        let mut b = hague_package::Bulletin::open(
            std::io::Cursor::new(a.body.to_vec()),
            &hague_package::Limits::default(),
        )
        .unwrap();
        assert_eq!(b.xml_name(), xml_name);
        let mut xml = String::new();
        b.open_entry(xml_name)
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        // Friday of 2024-W47 is 22 November 2024 (`date -d 2024-11-22 +%G-W%V`).
        assert!(xml.contains("<dgn:HagueBulletinNumber>47/2024</dgn:HagueBulletinNumber>"));
        assert!(xml.contains("<com:PublicationDate>2024-11-22</com:PublicationDate>"));
        let records: Vec<_> = b.records().unwrap().collect::<Result<_, _>>().unwrap();
        let mut views = 0;
        for r in &records {
            let Some(irn) = r.registration_number() else {
                continue;
            };
            let files = b.files_of(irn);
            for name in r.image_file_names() {
                let path = files
                    .iter()
                    .find(|f| f.ends_with(&format!("/{name}")))
                    .unwrap_or_else(|| panic!("{irn}: no {name} in {files:?}"));
                let mut bytes = Vec::new();
                b.open_entry(path).unwrap().read_to_end(&mut bytes).unwrap();
                let jpeg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
                let png = bytes.starts_with(b"\x89PNG\r\n\x1a\n");
                assert!(jpeg || png, "{path} is not a JPEG or PNG");
                views += 1;
            }
        }
        assert!(views > 10, "{views} views");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn etag_range_and_if_range() {
    let (sb, _) = manual_sandbox().await;
    let auth = bearer(&sb).await;
    let path = "publication/bulletin/202447";
    let whole = get(&sb, &auth, path, &[]).await;
    let etag = whole.header("etag").to_owned();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    assert_eq!(whole.header("accept-ranges"), "bytes");
    let len = whole.body.len();
    // The same week gives the same bytes and the same ETag.
    assert_eq!(get(&sb, &auth, path, &[]).await.header("etag"), etag);

    let part = get(
        &sb,
        &auth,
        path,
        &[("range", "bytes=100-"), ("if-range", &etag)],
    )
    .await;
    assert_eq!(part.status, 206);
    assert_eq!(part.body, whole.body.slice(100..));
    assert_eq!(
        part.header("content-range"),
        format!("bytes 100-{}/{len}", len - 1)
    );
    let tail = get(&sb, &auth, path, &[("range", "bytes=-10")]).await;
    assert_eq!(
        (tail.status, &tail.body[..]),
        (206, &whole.body[len - 10..])
    );

    let other = get(
        &sb,
        &auth,
        path,
        &[("range", "bytes=100-"), ("if-range", "\"old\"")],
    )
    .await;
    assert_eq!((other.status, other.body.len()), (200, len));
    let past = format!("bytes={len}-");
    let refused = get(&sb, &auth, path, &[("range", &past)]).await;
    assert_eq!(refused.status, 416);
    assert_eq!(refused.header("content-range"), format!("bytes */{len}"));
    sb.shutdown().await;
}

#[tokio::test]
async fn hague_client_resumes_a_cut_bulletin_from_the_sandbox() {
    use hague_client::{Config, Provider, SigningKey, WeekId};
    let (sb, _) = {
        let clock = std::sync::Arc::new(sandbox::ManualClock::new(wall_clock()));
        let mut config = sandbox::SandboxConfig::default();
        config.clock = clock.clone();
        config.bulletin_records = 2_000;
        (sandbox::Sandbox::start(config).await.unwrap(), clock)
    };
    let key = SigningKey::generate_p256().unwrap();
    sb.register_hws_client(crate::hws::CLIENT, key.public_jwk().clone());
    let config = Config::new(
        sb.hws_api_url(),
        Provider::Discovery {
            issuer: sb.issuer(),
        },
        crate::hws::CLIENT,
        key,
    )
    .unwrap()
    .scope(Some(crate::hws::SCOPE.to_owned()))
    .transport(http_transport::TransportConfig::default().allow_plain_http(true));
    let client = hague_client::Client::new(config).unwrap();
    let week: WeekId = "2024-W47".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bulletin-202447.zip");

    // Cut: drop the download once the first bytes are on their way to disk.
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut tx = Some(tx);
    tokio::select! {
        r = client.bulletin(week, &target, |p| {
            if p.received > 0 {
                if let Some(tx) = tx.take() { let _ = tx.send(()); }
            }
        }) => panic!("the download was not cut: {:?}", r.map(|d| d.bytes)),
        _ = rx => {}
    }
    tokio::time::sleep(Duration::from_millis(300)).await; // the writer flushes what it had
    let partial = dir.path().join(".bulletin-202447.zip.partial");
    let kept = std::fs::metadata(&partial).unwrap().len();
    assert!(kept > 0);
    assert!(!target.exists());

    let d = client.bulletin(week, &target, |_| {}).await.unwrap();
    assert_eq!((d.resumed_from, d.restart), (kept, None));
    assert_eq!(d.transferred, d.bytes - kept);
    // The whole file, as a fresh download gives it.
    let fresh = dir.path().join("fresh.zip");
    let f = client.bulletin(week, &fresh, |_| {}).await.unwrap();
    assert_eq!((f.resumed_from, f.bytes), (0, d.bytes));
    assert_eq!(d.sha256, f.sha256);
    assert_eq!(
        std::fs::read(&target).unwrap(),
        std::fs::read(&fresh).unwrap()
    );
    sb.shutdown().await;
}
