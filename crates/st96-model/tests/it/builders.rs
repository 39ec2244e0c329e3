//! Builders: golden files, round trips, and what they refuse.

use st96_model::{
    Address, Applicant, Application, BuildError, Date, Decision, DecisionKind, Design,
    DocumentKind, Error, LocalizedText, PartyName, St96Version, View,
};

use crate::common::{assert_same_xml, fixture};

fn refusal_all() -> Decision {
    Decision::refusal()
        .registration_number("DM/081234")
        .office_reference("ES-REF-2024-001")
        .notifying_office("ES")
        .decision_date(Date::new(2024, 3, 1).unwrap())
        .all_designs()
        .document("refusal.pdf")
        .build()
        .unwrap()
}

pub(crate) fn sample_application() -> Application {
    Application::builder()
        .office_reference("US-IND-0001")
        .applicant(Applicant {
            name: PartyName::Organization("Müller & Søn Möbel GmbH".into()),
            address: Address {
                lines: vec!["Königstraße 12".into()],
                city: "Köln".into(),
                postal_code: Some("50667".into()),
                country: "DE".into(),
            },
        })
        .applicant(Applicant {
            name: PartyName::Person {
                first: Some("José".into()),
                last: "Núñez".into(),
            },
            address: Address {
                lines: vec!["12 Elm Street".into()],
                city: "Springfield".into(),
                postal_code: None,
                country: "US".into(),
            },
        })
        .designate("CH")
        .designate("JP")
        .design(Design {
            identifier: 1,
            product: vec![
                LocalizedText {
                    language: "en".into(),
                    text: "Chair".into(),
                },
                LocalizedText {
                    language: "fr".into(),
                    text: "Chaise".into(),
                },
            ],
            views: vec![
                View {
                    identifier: "1.1".into(),
                    path: "designs/1/1.1.jpg".into(),
                    view_type: Some("Front".into()),
                },
                View {
                    identifier: "1.2".into(),
                    path: "designs/1/1.2.jpg".into(),
                    view_type: None,
                },
            ],
        })
        .design(Design {
            identifier: 2,
            product: vec![LocalizedText {
                language: "en".into(),
                text: "Table & bench".into(),
            }],
            views: vec![View {
                identifier: "2.1".into(),
                path: "designs/2/2.1.jpeg".into(),
                view_type: Some("Perspective".into()),
            }],
        })
        .document("docs/DM1.pdf", DocumentKind::InternationalDesignApplication)
        .document("docs/power of attorney.pdf", DocumentKind::PowerOfAttorney)
        .document("docs/misc.PDF", DocumentKind::Miscellaneous)
        .build()
        .unwrap()
}

#[test]
fn refusal_all_designs_matches_golden_and_round_trips() {
    let d = refusal_all();
    let xml = d.to_xml(&St96Version::V4_0);
    assert_same_xml(xml.as_bytes(), &fixture("office/refusal_all_designs.xml"));
    assert_eq!(Decision::from_xml(xml.as_bytes()).unwrap(), d);
    assert_eq!(
        Decision::from_xml(&fixture("office/refusal_all_designs.xml")).unwrap(),
        d
    );
}

#[test]
fn refusal_some_designs_v7_matches_golden() {
    let d = Decision::refusal()
        .registration_number("DM/204567")
        .designs([5, 2, 5])
        .document("docs/DM204567/refusal-2-5.pdf")
        .build()
        .unwrap();
    let xml = d.to_xml(&St96Version::V7_0);
    assert!(xml.contains(r#"com:st96Version="V7_0""#));
    assert_same_xml(xml.as_bytes(), &fixture("office/refusal_some_designs.xml"));
    assert_eq!(Decision::from_xml(xml.as_bytes()).unwrap(), d);
}

#[test]
fn grants_match_golden() {
    let after = Decision::grant_protection(true)
        .registration_number("DM/081234")
        .office_reference("KR/2024/77")
        .notifying_office("KR")
        .decision_date(Date::parse("2024-09-30").unwrap())
        .all_designs()
        .document("grant.pdf")
        .build()
        .unwrap();
    assert_eq!(
        after.document().kind,
        DocumentKind::GrantOfProtectionAfterRefusal
    );
    let xml = after.to_xml(&St96Version::default());
    assert_same_xml(xml.as_bytes(), &fixture("office/grant_after_refusal.xml"));
    assert_eq!(Decision::from_xml(xml.as_bytes()).unwrap(), after);

    let plain = Decision::grant_protection(false)
        .registration_number("DM/099001")
        .designs([1])
        .document("grant/DM099001.pdf")
        .build()
        .unwrap();
    let xml = plain.to_xml(&St96Version::V4_0);
    assert!(!xml.contains("priorRefusalIndicator"));
    assert_same_xml(
        xml.as_bytes(),
        &fixture("office/grant_no_prior_refusal.xml"),
    );
    let back = Decision::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(
        back.kind(),
        DecisionKind::GrantProtection {
            prior_refusal: false
        }
    );
    assert_eq!(back, plain);
}

#[test]
fn withdrawal_matches_golden_and_needs_a_kind() {
    let w = Decision::refusal_withdrawal()
        .registration_number("DM/081234")
        .notifying_office("ES")
        .all_designs()
        .document_of_kind("withdrawal.pdf", DocumentKind::RefusalWithdrawalCorrection)
        .build()
        .unwrap();
    let xml = w.to_xml(&St96Version::V4_0);
    assert_same_xml(xml.as_bytes(), &fixture("office/refusal_withdrawal.xml"));
    assert_eq!(Decision::from_xml(xml.as_bytes()).unwrap(), w);
    let no_kind = Decision::refusal_withdrawal()
        .registration_number("DM/081234")
        .all_designs()
        .document("withdrawal.pdf")
        .build();
    assert!(matches!(no_kind, Err(BuildError::DocumentKind { .. })));
}

#[test]
fn application_matches_golden_and_round_trips() {
    let app = sample_application();
    let xml = app.to_xml(&St96Version::V4_0);
    assert_same_xml(xml.as_bytes(), &fixture("office/indirect_application.xml"));
    assert_eq!(Application::from_xml(xml.as_bytes()).unwrap(), app);
    assert_eq!(
        Application::from_xml(&fixture("office/indirect_application.xml")).unwrap(),
        app
    );
}

#[test]
fn decisions_refuse_invalid_input() {
    let base = || Decision::refusal().all_designs();
    // no registration number
    assert_eq!(
        base().document("a.pdf").build().unwrap_err(),
        BuildError::Missing("the international registration number")
    );
    // empty or malformed registration number
    assert!(
        base()
            .registration_number("")
            .document("a.pdf")
            .build()
            .is_err()
    );
    assert!(
        base()
            .registration_number("DM 1")
            .document("a.pdf")
            .build()
            .is_err()
    );
    // no document, two documents
    assert_eq!(
        base().registration_number("DM/1").build().unwrap_err(),
        BuildError::DocumentCount(0)
    );
    assert_eq!(
        base()
            .registration_number("DM/1")
            .document("a.pdf")
            .document("b.pdf")
            .build()
            .unwrap_err(),
        BuildError::DocumentCount(2)
    );
    // unsafe paths
    for bad in [
        "/etc/refusal.pdf",
        "../refusal.pdf",
        "docs/../../refusal.pdf",
        "C:/refusal.pdf",
        "docs\\refusal.pdf",
        "docs//refusal.pdf",
        "./refusal.pdf",
        "",
        "refusal.txt",
    ] {
        let r = base().registration_number("DM/1").document(bad).build();
        assert!(
            matches!(r, Err(BuildError::Path { .. })),
            "{bad:?} gave {r:?}"
        );
    }
    // a refusal's document must be REFUSAL_DECISION
    let r = base()
        .registration_number("DM/1")
        .document_of_kind("a.pdf", DocumentKind::Division)
        .build();
    assert!(matches!(r, Err(BuildError::DocumentKind { .. })));
    // affected designs are required, and numbered from 1
    assert!(matches!(
        Decision::refusal()
            .registration_number("DM/1")
            .document("a.pdf")
            .build(),
        Err(BuildError::Missing(_))
    ));
    assert!(
        Decision::refusal()
            .registration_number("DM/1")
            .designs([0])
            .document("a.pdf")
            .build()
            .is_err()
    );
    assert!(
        Decision::refusal()
            .registration_number("DM/1")
            .designs([])
            .document("a.pdf")
            .build()
            .is_err()
    );
    // a bad office code
    assert!(
        base()
            .registration_number("DM/1")
            .notifying_office("es")
            .document("a.pdf")
            .build()
            .is_err()
    );
}

#[test]
fn application_refuses_invalid_input() {
    let ok = sample_application();
    let rebuild = |f: &dyn Fn(st96_model::ApplicationBuilder) -> st96_model::ApplicationBuilder| {
        let mut b = Application::builder();
        for a in ok.applicants() {
            b = b.applicant(a.clone());
        }
        for c in ok.designated() {
            b = b.designate(c.clone());
        }
        for d in ok.designs() {
            b = b.design(d.clone());
        }
        f(b).build()
    };
    assert!(rebuild(&|b| b).is_ok());
    assert!(Application::builder().build().is_err());
    // a decision document kind in an application
    assert!(matches!(
        rebuild(&|b| b.document("x.pdf", DocumentKind::RefusalDecision)),
        Err(BuildError::DocumentKind { .. })
    ));
    // duplicate paths
    assert!(matches!(
        rebuild(&|b| b
            .document("x.pdf", DocumentKind::Miscellaneous)
            .document("x.pdf", DocumentKind::Miscellaneous)),
        Err(BuildError::DuplicatePath(_))
    ));
    // a view that climbs out, or is not a JPG
    for bad in ["../x.jpg", "/x.jpg", "x.png"] {
        let r = rebuild(&|b| {
            b.design(Design {
                identifier: 9,
                product: vec![LocalizedText {
                    language: "en".into(),
                    text: "Lamp".into(),
                }],
                views: vec![View {
                    identifier: "9.1".into(),
                    path: bad.into(),
                    view_type: None,
                }],
            })
        });
        assert!(matches!(r, Err(BuildError::Path { .. })), "{bad}");
    }
    // a repeated design number
    let r = rebuild(&|b| b.design(ok.designs()[0].clone()));
    assert!(matches!(r, Err(BuildError::Value { .. })));
}

#[test]
fn from_xml_checks_what_the_builder_checks() {
    let xml = String::from_utf8(fixture("office/refusal_all_designs.xml")).unwrap();
    let two_docs = xml.replace(
        "</com:DocumentBag>",
        "<com:Document><com:DocumentKindCategory>REFUSAL_DECISION</com:DocumentKindCategory>\
         <com:FileName>second.pdf</com:FileName></com:Document></com:DocumentBag>",
    );
    assert!(matches!(
        Decision::from_xml(two_docs.as_bytes()),
        Err(Error::Invalid(BuildError::DocumentCount(2)))
    ));
    let climbing = xml.replace("refusal.pdf", "../../refusal.pdf");
    assert!(matches!(
        Decision::from_xml(climbing.as_bytes()),
        Err(Error::Invalid(BuildError::Path { .. }))
    ));
    let no_irn = xml.replace(
        "<com:InternationalRegistrationNumber>DM/081234</com:InternationalRegistrationNumber>",
        "",
    );
    assert!(matches!(
        Decision::from_xml(no_irn.as_bytes()),
        Err(Error::Invalid(BuildError::Missing(_)))
    ));
}

#[test]
fn relative_path_rules() {
    use st96_model::check_relative_path;
    for good in [
        "a.pdf",
        "docs/DM1.pdf",
        "designs/1/1.1.jpg",
        "résumé des faits.pdf",
        "東京/図1.jpg",
        "a..b.pdf",
        "..a/b",
    ] {
        assert_eq!(check_relative_path(good), Ok(()), "{good}");
    }
    for bad in [
        "",
        "/a.pdf",
        "\\a.pdf",
        "a\\b.pdf",
        "//server/share/a.pdf",
        "C:a.pdf",
        "c:/a.pdf",
        "..",
        "../a.pdf",
        "a/../../b.pdf",
        "a/..",
        "./a.pdf",
        "a/./b.pdf",
        "a//b.pdf",
        "a/",
        " a.pdf",
        "a.pdf ",
        "a /b.pdf",
        "a\nb.pdf",
        "a\0b.pdf",
    ] {
        assert!(
            matches!(check_relative_path(bad), Err(BuildError::Path { .. })),
            "{bad:?} was accepted"
        );
    }
    assert!(check_relative_path(&"a/".repeat(600)).is_err());
}
