//! The indirect application (`dgn:HagueApplication`).

use serde::{Deserialize, Serialize};

use super::common::{
    DocumentKind, SupportingDocument, check_pdf, check_unique, parse_design_number, read_documents,
    read_wrapper, write_documents, write_wrapper,
};
use crate::tree::Element;
use crate::values::{check_code, check_text};
use crate::write::XmlOut;
use crate::{BuildError, Error, St96Version, check_relative_path};

/// A person's or an organisation's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartyName {
    /// `com:PersonName/com:PersonStructuredName`.
    Person {
        /// `com:FirstName`, if any.
        first: Option<String>,
        /// `com:LastName`.
        last: String,
    },
    /// `com:OrganizationName/com:OrganizationStandardName`.
    Organization(String),
}

/// A postal address (`com:PostalStructuredAddress`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// `com:AddressLineText`, in order.
    pub lines: Vec<String>,
    /// `com:CityName`.
    pub city: String,
    /// `com:PostalCode`, if any.
    pub postal_code: Option<String>,
    /// `com:CountryCode`, two capital letters.
    pub country: String,
}

/// An applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// The name.
    pub name: PartyName,
    /// The address.
    pub address: Address,
}

/// A text with its language (`com:languageCode`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalizedText {
    /// Two-letter lower-case language code, e.g. `en`.
    pub language: String,
    /// The text.
    pub text: String,
}

/// One view (image) of a design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// `dgn:ViewIdentifier`, e.g. `1.1`.
    pub identifier: String,
    /// The relative path of the JPG in the package (`com:FileName`).
    pub path: String,
    /// `dgn:ViewTypeCategory`, e.g. `Front`, if given.
    pub view_type: Option<String>,
}

/// One design with its product description and views.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Design {
    /// `dgn:DesignIdentifier`, numbered from 1.
    pub identifier: u32,
    /// `dgn:ProductDescriptionTextBag/dgn:ProductDescriptionText`.
    pub product: Vec<LocalizedText>,
    /// `dgn:ViewBag/dgn:View`.
    pub views: Vec<View>,
}

/// A valid indirect application, made by [`ApplicationBuilder`] or read with
/// [`Application::from_xml`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    office_reference: Option<String>,
    applicants: Vec<Applicant>,
    designated: Vec<String>,
    designs: Vec<Design>,
    documents: Vec<SupportingDocument>,
}

impl Application {
    /// Starts an indirect application.
    pub fn builder() -> ApplicationBuilder {
        ApplicationBuilder::default()
    }
    /// The office's own reference.
    pub fn office_reference(&self) -> Option<&str> {
        self.office_reference.as_deref()
    }
    /// The applicants.
    pub fn applicants(&self) -> &[Applicant] {
        &self.applicants
    }
    /// The designated contracting parties (two-letter codes).
    pub fn designated(&self) -> &[String] {
        &self.designated
    }
    /// The designs.
    pub fn designs(&self) -> &[Design] {
        &self.designs
    }
    /// The supporting documents.
    pub fn documents(&self) -> &[SupportingDocument] {
        &self.documents
    }

    /// Writes the application as an office-to-IB document.
    pub fn to_xml(&self, version: &St96Version) -> String {
        write_wrapper(version, |w| {
            w.open("dgn:HagueApplication", &[]);
            w.opt_leaf(
                "com:OfficeReferenceIdentifier",
                self.office_reference.as_deref(),
            );
            w.open("dgn:ApplicantBag", &[]);
            for (i, a) in self.applicants.iter().enumerate() {
                let seq = (i + 1).to_string();
                w.open("dgn:Applicant", &[("com:sequenceNumber", &seq)]);
                write_contact(w, &a.name, &a.address);
                w.close("dgn:Applicant");
            }
            w.close("dgn:ApplicantBag");
            w.open("dgn:DesignatedCountryBag", &[]);
            for code in &self.designated {
                w.open("dgn:DesignatedCountry", &[]);
                w.leaf("com:DesignatedCountryCode", code);
                w.close("dgn:DesignatedCountry");
            }
            w.close("dgn:DesignatedCountryBag");
            w.open("dgn:HagueDesignBag", &[]);
            for d in &self.designs {
                write_design(w, d);
            }
            w.close("dgn:HagueDesignBag");
            write_documents(w, &self.documents);
            w.close("dgn:HagueApplication");
        })
    }

    /// Reads an application back, with the builder's checks.
    ///
    /// Elements this model does not know are not kept here; use
    /// [`read_office_document`](crate::read_office_document) to see them.
    pub fn from_xml(bytes: &[u8]) -> Result<Self, Error> {
        let (_, tx) = read_wrapper(bytes)?;
        if tx.local != "HagueApplication" {
            return Err(Error::Unexpected {
                expected: "indirect application",
                message: format!("the transaction is `{}`, not `HagueApplication`", tx.local),
            });
        }
        let mut b = Self::builder();
        b.office_reference = tx
            .child("OfficeReferenceIdentifier")
            .map(|e| e.text.clone());
        for bag in tx.children_named("ApplicantBag") {
            for a in bag.children_named("Applicant") {
                b.applicants.push(read_applicant(a)?);
            }
        }
        for bag in tx.children_named("DesignatedCountryBag") {
            for c in bag.children_named("DesignatedCountry") {
                if let Some(code) = c.child("DesignatedCountryCode") {
                    b.designated.push(code.text.clone());
                }
            }
        }
        for bag in tx.children_named("HagueDesignBag") {
            for d in bag.children_named("HagueDesign") {
                b.designs.push(read_design(d)?);
            }
        }
        for (path, kind) in read_documents(&tx) {
            let kind = kind.ok_or_else(|| BuildError::DocumentKind {
                kind: String::new(),
                reason: format!(
                    "the document `{path}` has no com:DocumentKindCategory; every supporting \
                     document needs one"
                ),
            })?;
            b.documents.push(SupportingDocument { path, kind });
        }
        Ok(b.build()?)
    }
}

fn write_contact(w: &mut XmlOut, name: &PartyName, address: &Address) {
    w.open("com:Contact", &[]);
    w.open("com:Name", &[]);
    match name {
        PartyName::Person { first, last } => {
            w.open("com:PersonName", &[]);
            w.open("com:PersonStructuredName", &[]);
            w.opt_leaf("com:FirstName", first.as_deref());
            w.leaf("com:LastName", last);
            w.close("com:PersonStructuredName");
            w.close("com:PersonName");
        }
        PartyName::Organization(org) => {
            w.open("com:OrganizationName", &[]);
            w.leaf("com:OrganizationStandardName", org);
            w.close("com:OrganizationName");
        }
    }
    w.close("com:Name");
    w.open("com:PostalAddressBag", &[]);
    w.open("com:PostalAddress", &[]);
    w.open("com:PostalStructuredAddress", &[]);
    for (i, line) in address.lines.iter().enumerate() {
        let seq = (i + 1).to_string();
        w.leaf_attrs("com:AddressLineText", &[("com:sequenceNumber", &seq)], line);
    }
    w.leaf("com:CityName", &address.city);
    w.opt_leaf("com:PostalCode", address.postal_code.as_deref());
    w.leaf("com:CountryCode", &address.country);
    w.close("com:PostalStructuredAddress");
    w.close("com:PostalAddress");
    w.close("com:PostalAddressBag");
    w.close("com:Contact");
}

fn write_design(w: &mut XmlOut, d: &Design) {
    w.open("dgn:HagueDesign", &[]);
    w.leaf("dgn:DesignIdentifier", &d.identifier.to_string());
    w.open("dgn:ProductDescriptionTextBag", &[]);
    for t in &d.product {
        w.leaf_attrs(
            "dgn:ProductDescriptionText",
            &[("com:languageCode", &t.language)],
            &t.text,
        );
    }
    w.close("dgn:ProductDescriptionTextBag");
    if !d.views.is_empty() {
        w.open("dgn:ViewBag", &[]);
        for v in &d.views {
            w.open("dgn:View", &[]);
            w.leaf("dgn:ViewIdentifier", &v.identifier);
            w.leaf("com:FileName", &v.path);
            w.opt_leaf("dgn:ViewTypeCategory", v.view_type.as_deref());
            w.close("dgn:View");
        }
        w.close("dgn:ViewBag");
        w.leaf("dgn:ViewTotalQuantity", &d.views.len().to_string());
    }
    w.close("dgn:HagueDesign");
}

fn missing(what: &'static str) -> BuildError {
    BuildError::Missing(what)
}

fn read_applicant(a: &Element) -> Result<Applicant, BuildError> {
    let contact = a
        .child("Contact")
        .ok_or(missing("the applicant's com:Contact"))?;
    let name_el = contact
        .child("Name")
        .ok_or(missing("the applicant's com:Name"))?;
    let name = if let Some(org) = name_el.child("OrganizationName") {
        PartyName::Organization(
            org.child("OrganizationStandardName")
                .map(|e| e.text.clone())
                .ok_or(missing("com:OrganizationStandardName"))?,
        )
    } else {
        let person = name_el
            .child("PersonName")
            .and_then(|p| p.child("PersonStructuredName"))
            .ok_or(missing("the applicant's name"))?;
        PartyName::Person {
            first: person.child("FirstName").map(|e| e.text.clone()),
            last: person
                .child("LastName")
                .map(|e| e.text.clone())
                .ok_or(missing("com:LastName"))?,
        }
    };
    let addr = contact
        .child("PostalAddressBag")
        .and_then(|b| b.child("PostalAddress"))
        .and_then(|p| p.child("PostalStructuredAddress"))
        .ok_or(missing("the applicant's postal address"))?;
    Ok(Applicant {
        name,
        address: Address {
            lines: addr
                .children_named("AddressLineText")
                .map(|e| e.text.clone())
                .collect(),
            city: addr
                .child("CityName")
                .map(|e| e.text.clone())
                .ok_or(missing("com:CityName"))?,
            postal_code: addr.child("PostalCode").map(|e| e.text.clone()),
            country: addr
                .child("CountryCode")
                .map(|e| e.text.clone())
                .ok_or(missing("com:CountryCode"))?,
        },
    })
}

fn read_design(d: &Element) -> Result<Design, BuildError> {
    let id = d
        .child("DesignIdentifier")
        .ok_or(missing("dgn:DesignIdentifier"))?;
    let identifier = parse_design_number(&id.text)?;
    let product = d
        .children_named("ProductDescriptionTextBag")
        .flat_map(|b| b.children_named("ProductDescriptionText"))
        .map(|t| LocalizedText {
            language: t.attr("languageCode").unwrap_or_default().to_owned(),
            text: t.text.clone(),
        })
        .collect();
    let views = d
        .children_named("ViewBag")
        .flat_map(|b| b.children_named("View"))
        .map(|v| View {
            identifier: v
                .child("ViewIdentifier")
                .map(|e| e.text.clone())
                .unwrap_or_default(),
            path: v
                .child("FileName")
                .map(|e| e.text.clone())
                .unwrap_or_default(),
            view_type: v.child("ViewTypeCategory").map(|e| e.text.clone()),
        })
        .collect();
    Ok(Design {
        identifier,
        product,
        views,
    })
}

/// Builds an [`Application`]; [`build`](Self::build) refuses what cannot make a valid
/// transaction.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ApplicationBuilder {
    office_reference: Option<String>,
    applicants: Vec<Applicant>,
    designated: Vec<String>,
    designs: Vec<Design>,
    documents: Vec<SupportingDocument>,
}

impl ApplicationBuilder {
    /// The office's own reference (`com:OfficeReferenceIdentifier`).
    pub fn office_reference(mut self, reference: impl Into<String>) -> Self {
        self.office_reference = Some(reference.into());
        self
    }
    /// Adds an applicant (at least one).
    pub fn applicant(mut self, applicant: Applicant) -> Self {
        self.applicants.push(applicant);
        self
    }
    /// Adds a designated contracting party by its two-letter code (at least one).
    pub fn designate(mut self, code: impl Into<String>) -> Self {
        self.designated.push(code.into());
        self
    }
    /// Adds a design (at least one).
    pub fn design(mut self, design: Design) -> Self {
        self.designs.push(design);
        self
    }
    /// Adds a supporting PDF of kind `INTERNATIONAL_DESIGN_APPLICATION`,
    /// `POWER_OF_ATTORNEY` or `MISCELLANEOUS`.
    pub fn document(mut self, path: impl Into<String>, kind: DocumentKind) -> Self {
        self.documents.push(SupportingDocument {
            path: path.into(),
            kind,
        });
        self
    }

    /// Checks everything and makes the application.
    pub fn build(self) -> Result<Application, BuildError> {
        if let Some(r) = &self.office_reference {
            check_text("the office reference", r)?;
        }
        if self.applicants.is_empty() {
            return Err(missing("an applicant"));
        }
        for a in &self.applicants {
            match &a.name {
                PartyName::Person { first, last } => {
                    if let Some(f) = first {
                        check_text("the applicant's first name", f)?;
                    }
                    check_text("the applicant's last name", last)?;
                }
                PartyName::Organization(o) => check_text("the applicant's organisation name", o)?,
            }
            for l in &a.address.lines {
                check_text("an address line", l)?;
            }
            check_text("the city", &a.address.city)?;
            if let Some(p) = &a.address.postal_code {
                check_text("the postal code", p)?;
            }
            check_code("country code", &a.address.country)?;
        }
        if self.designated.is_empty() {
            return Err(missing("a designated contracting party"));
        }
        for c in &self.designated {
            check_code("designated contracting party", c)?;
        }
        if self.designs.is_empty() {
            return Err(missing("a design"));
        }
        let mut numbers = std::collections::HashSet::new();
        for d in &self.designs {
            if d.identifier == 0 || !numbers.insert(d.identifier) {
                return Err(BuildError::Value {
                    field: "design number",
                    value: d.identifier.to_string(),
                    reason: "designs are numbered from 1, each number once",
                });
            }
            if d.product.is_empty() {
                return Err(missing("the product description of a design"));
            }
            for t in &d.product {
                check_language(&t.language)?;
                check_text("a product description", &t.text)?;
            }
            for v in &d.views {
                check_text("a view identifier", &v.identifier)?;
                check_relative_path(&v.path)?;
                let lower = v.path.to_ascii_lowercase();
                if !(lower.ends_with(".jpg") || lower.ends_with(".jpeg")) {
                    return Err(BuildError::Path {
                        path: v.path.clone(),
                        reason: "design views are JPG files; the name must end in `.jpg` or `.jpeg`",
                    });
                }
                if let Some(t) = &v.view_type {
                    check_text("a view type", t)?;
                }
            }
        }
        for doc in &self.documents {
            check_pdf(&doc.path)?;
            if !doc.kind.is_application_kind() {
                return Err(BuildError::DocumentKind {
                    kind: doc.kind.as_str().to_owned(),
                    reason: "an indirect application carries INTERNATIONAL_DESIGN_APPLICATION, \
                             POWER_OF_ATTORNEY or MISCELLANEOUS documents"
                        .into(),
                });
            }
        }
        check_unique(
            self.designs
                .iter()
                .flat_map(|d| d.views.iter().map(|v| v.path.as_str()))
                .chain(self.documents.iter().map(|d| d.path.as_str())),
        )?;
        Ok(Application {
            office_reference: self.office_reference,
            applicants: self.applicants,
            designated: self.designated,
            designs: self.designs,
            documents: self.documents,
        })
    }
}

fn check_language(code: &str) -> Result<(), BuildError> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(())
    } else {
        Err(BuildError::Value {
            field: "language code",
            value: code.to_owned(),
            reason: "use a two-letter lower-case ISO 639-1 code, for example `en`",
        })
    }
}
