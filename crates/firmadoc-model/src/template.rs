//! The template body (`POST /send/Template`).

use serde::{Deserialize, Serialize, Serializer};

use crate::base64_text::Base64Text;
use crate::enums::{Orientation, PageFormat, PlacementKind};
use crate::error::ModelError;
use crate::text::{Checks, LengthPolicy, user_and_length_policy_setters};
use crate::warning::ModelWarning;

/// Longest template name (`NomPlantilla`).
pub const TEMPLATE_NAME_MAX: usize = 40;
/// Longest placement search text (`UbicacionFirmas[].Texto`).
pub const PLACEMENT_TEXT_MAX: usize = 100;

/// A length in centimetres (the guide's `Single`): finite and not negative.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize)]
#[serde(transparent)]
pub struct Centimetres(f32);

impl Centimetres {
    /// Zero, the guide's value for "no seal" and for text placements.
    pub const ZERO: Self = Self(0.0);

    /// A length, or `None` when `value` is negative, infinite or NaN.
    pub fn new(value: f32) -> Option<Self> {
        (value.is_finite() && value >= 0.0).then_some(Self(value))
    }

    /// The length in cm.
    pub fn get(self) -> f32 {
        self.0
    }
}

fn measure(field: &'static str, value: f32) -> Result<Centimetres, ModelError> {
    Centimetres::new(value).ok_or(ModelError::InvalidMeasure { field, value })
}

/// The page of a placement (`NumPagina`, a 16-bit integer): 0 means every page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(transparent)]
pub struct Page(i16);

impl Page {
    /// Every page of the document (`NumPagina` 0).
    pub const ALL: Self = Self(0);

    /// Page `number` (1-based), or every page for 0.
    ///
    /// # Errors
    /// [`ModelError::NegativePage`] for a negative number.
    pub fn new(number: i16) -> Result<Self, ModelError> {
        if number < 0 {
            Err(ModelError::NegativePage { page: number })
        } else {
            Ok(Self(number))
        }
    }

    /// The page number; 0 for every page.
    pub fn get(self) -> i16 {
        self.0
    }
}

/// Where a placement goes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Position {
    /// At coordinates on a page; (0, 0) is the lower-left corner.
    At {
        /// The page, or every page.
        page: Page,
        /// X in cm.
        x: Centimetres,
        /// Y in cm.
        y: Centimetres,
    },
    /// Below the first occurrence of a text (case-sensitive search), at most 100 characters;
    /// sent with `NumPagina`, `X` and `Y` at 0.
    BelowText(String),
}

/// One signature or seal placement of a template (`UbicacionFirmas[]`).
#[doc(alias = "UbicacionFirmas")]
#[doc(alias = "UbicacionFirma")]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "PlacementParts")]
pub struct SignaturePlacement {
    recipient: u8,
    kind: PlacementKind,
    position: Position,
}

impl SignaturePlacement {
    /// A signature of `recipient` (1.. in a multi-signature template, 0 otherwise) at (x, y) cm.
    ///
    /// # Errors
    /// [`ModelError::InvalidMeasure`] for a negative or non-finite coordinate.
    pub fn signature_at(recipient: u8, page: Page, x: f32, y: f32) -> Result<Self, ModelError> {
        Self::at(recipient, PlacementKind::Signature, page, x, y)
    }

    /// The company seal at (x, y) cm.
    ///
    /// # Errors
    /// [`ModelError::InvalidMeasure`] for a negative or non-finite coordinate.
    pub fn seal_at(page: Page, x: f32, y: f32) -> Result<Self, ModelError> {
        Self::at(0, PlacementKind::Seal, page, x, y)
    }

    fn at(
        recipient: u8,
        kind: PlacementKind,
        page: Page,
        x: f32,
        y: f32,
    ) -> Result<Self, ModelError> {
        Ok(Self {
            recipient,
            kind,
            position: Position::At {
                page,
                x: measure("UbicacionFirmas.X", x)?,
                y: measure("UbicacionFirmas.Y", y)?,
            },
        })
    }

    /// A signature of `recipient` below `text`. The 100-character limit is checked when the
    /// template is built, under its [`LengthPolicy`].
    pub fn signature_below_text(recipient: u8, text: impl Into<String>) -> Self {
        Self {
            recipient,
            kind: PlacementKind::Signature,
            position: Position::BelowText(text.into()),
        }
    }

    /// The recipient id (`IdDestinatario`); 0 for seals and single-signature templates.
    #[doc(alias = "IdDestinatario")]
    pub fn recipient(&self) -> u8 {
        self.recipient
    }

    /// Signature or seal (`TipoFirma`).
    #[doc(alias = "TipoFirma")]
    pub fn kind(&self) -> PlacementKind {
        self.kind
    }

    /// Where it goes (`NumPagina`, `X`, `Y`, `Texto`).
    pub fn position(&self) -> &Position {
        &self.position
    }
}

/// A placement as the wire carries it, before its rules are checked: what
/// [`TemplateBuilder::placement`] takes, and what `UbicacionFirmas[]` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlacementParts {
    /// `IdDestinatario`.
    #[serde(rename = "IdDestinatario")]
    #[doc(alias = "IdDestinatario")]
    pub recipient: u8,
    /// `NumPagina`; 0 is every page.
    #[serde(rename = "NumPagina")]
    #[doc(alias = "NumPagina")]
    pub page: i16,
    /// `TipoFirma`.
    #[serde(rename = "TipoFirma")]
    #[doc(alias = "TipoFirma")]
    pub kind: PlacementKind,
    /// `X`, in cm.
    #[serde(rename = "X")]
    pub x: f32,
    /// `Y`, in cm.
    #[serde(rename = "Y")]
    pub y: f32,
    /// `Texto`: empty, or the text to place the signature below.
    #[serde(rename = "Texto", default)]
    #[doc(alias = "Texto")]
    pub text: String,
}

impl PlacementParts {
    /// The wire values of a placement.
    pub fn new(recipient: u8, kind: PlacementKind, page: i16, x: f32, y: f32, text: &str) -> Self {
        Self {
            recipient,
            page,
            kind,
            x,
            y,
            text: text.to_owned(),
        }
    }

    fn check(self, index: usize, checks: &mut Checks) -> Result<SignaturePlacement, ModelError> {
        let position = if self.text.is_empty() {
            Position::At {
                page: Page::new(self.page)?,
                x: measure("UbicacionFirmas.X", self.x)?,
                y: measure("UbicacionFirmas.Y", self.y)?,
            }
        } else {
            // "cuando se indica una ubicación por texto NumPagina, X e Y deben valer cero"
            if self.page != 0 || self.x != 0.0 || self.y != 0.0 {
                return Err(ModelError::TextPlacementNotAtZero {
                    index,
                    page: self.page,
                    x: self.x,
                    y: self.y,
                });
            }
            // "La longitud máxima del parámetro es de 100 caracteres. Si se indica un texto más
            // largo quedará recortado a 100 caracteres."
            Position::BelowText(checks.text(
                "UbicacionFirmas.Texto",
                self.text,
                PLACEMENT_TEXT_MAX,
            )?)
        };
        Ok(SignaturePlacement {
            recipient: self.recipient,
            kind: self.kind,
            position,
        })
    }
}

impl From<SignaturePlacement> for PlacementParts {
    fn from(p: SignaturePlacement) -> Self {
        let (page, x, y, text) = match p.position {
            Position::At { page, x, y } => (page.get(), x.get(), y.get(), String::new()),
            Position::BelowText(text) => (0, 0.0, 0.0, text),
        };
        Self {
            recipient: p.recipient,
            page,
            kind: p.kind,
            x,
            y,
            text,
        }
    }
}

/// A template (`POST /send/Template`): page layout, signature and seal sizes, and where each
/// signature goes. Sending a template with an existing name modifies that template.
///
/// Build one with [`Template::builder`]; reading one from JSON applies the same checks.
///
/// The guide's table describes `AnchoFirma` as "Ancho del sello" (seal width), a copy slip:
/// by its name and place it is the signature width, and the crate treats it so.
#[doc(alias = "Plantilla")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TemplateBuilder")]
pub struct Template {
    #[serde(rename = "NomPlantilla")]
    name: String,
    #[serde(rename = "Orientacion")]
    orientation: Orientation,
    #[serde(rename = "CodFormato")]
    page_format: PageFormat,
    #[serde(rename = "Sello", serialize_with = "serialize_seal")]
    seal: Option<Base64Text>,
    #[serde(rename = "AltoFirma")]
    signature_height: Centimetres,
    #[serde(rename = "AnchoFirma")]
    signature_width: Centimetres,
    #[serde(rename = "AltoSello")]
    seal_height: Centimetres,
    #[serde(rename = "AnchoSello")]
    seal_width: Centimetres,
    #[serde(rename = "Multifirma")]
    multi_signature: bool,
    #[serde(rename = "NumeroDestinatarios")]
    recipient_count: u8,
    #[serde(rename = "PlantillaPorDefecto")]
    default: bool,
    #[serde(rename = "UbicacionFirmas")]
    placements: Vec<SignaturePlacement>,
    #[serde(rename = "Usuario", skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    #[serde(skip)]
    warnings: Vec<ModelWarning>,
}

fn serialize_seal<S: Serializer>(seal: &Option<Base64Text>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(seal.as_ref().map_or("", Base64Text::as_str))
}

impl Template {
    /// Starts a template named `name` (`NomPlantilla`, at most 40 characters).
    pub fn builder(name: impl Into<String>) -> TemplateBuilder {
        TemplateBuilder {
            name: name.into(),
            ..TemplateBuilder::default()
        }
    }

    /// `NomPlantilla`.
    #[doc(alias = "NomPlantilla")]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// `Orientacion`.
    #[doc(alias = "Orientacion")]
    pub fn orientation(&self) -> Orientation {
        self.orientation
    }
    /// `CodFormato`.
    #[doc(alias = "CodFormato")]
    pub fn page_format(&self) -> PageFormat {
        self.page_format
    }
    /// `Sello`: the company seal image, if any.
    #[doc(alias = "Sello")]
    pub fn seal(&self) -> Option<&Base64Text> {
        self.seal.as_ref()
    }
    /// (`AltoFirma`, `AnchoFirma`): signature height and width.
    #[doc(alias = "AltoFirma", alias = "AnchoFirma")]
    pub fn signature_size(&self) -> (Centimetres, Centimetres) {
        (self.signature_height, self.signature_width)
    }
    /// (`AltoSello`, `AnchoSello`): seal height and width; 0 without a seal.
    #[doc(alias = "AltoSello", alias = "AnchoSello")]
    pub fn seal_size(&self) -> (Centimetres, Centimetres) {
        (self.seal_height, self.seal_width)
    }
    /// `Multifirma`.
    #[doc(alias = "Multifirma")]
    pub fn is_multi_signature(&self) -> bool {
        self.multi_signature
    }
    /// `NumeroDestinatarios`: how many people sign a multi-signature sending.
    #[doc(alias = "NumeroDestinatarios")]
    pub fn recipient_count(&self) -> u8 {
        self.recipient_count
    }
    /// `PlantillaPorDefecto`.
    #[doc(alias = "PlantillaPorDefecto")]
    pub fn is_default(&self) -> bool {
        self.default
    }
    /// `UbicacionFirmas`.
    #[doc(alias = "UbicacionFirmas")]
    pub fn placements(&self) -> &[SignaturePlacement] {
        &self.placements
    }
    /// `Usuario`: the email of the user owning the template; `None` for the account admin.
    #[doc(alias = "Usuario")]
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }
    /// What the template does that the guide does not forbid but the caller should know
    /// (texts cut as asked). Never part of the body.
    pub fn warnings(&self) -> &[ModelWarning] {
        &self.warnings
    }
}

/// Builds a [`Template`]; [`TemplateBuilder::build`] checks every rule.
///
/// Its fields are the wire form, so it is also what a template body is read into.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TemplateBuilder {
    #[serde(rename = "NomPlantilla")]
    name: String,
    #[serde(rename = "Orientacion")]
    orientation: Option<Orientation>,
    #[serde(rename = "CodFormato")]
    page_format: Option<PageFormat>,
    #[serde(rename = "Sello", default)]
    seal: Base64Text,
    #[serde(rename = "AltoFirma")]
    signature_height: Option<f32>,
    #[serde(rename = "AnchoFirma")]
    signature_width: Option<f32>,
    #[serde(rename = "AltoSello", default)]
    seal_height: f32,
    #[serde(rename = "AnchoSello", default)]
    seal_width: f32,
    #[serde(rename = "Multifirma", default)]
    multi_signature: bool,
    #[serde(rename = "NumeroDestinatarios", default)]
    recipient_count: u8,
    #[serde(rename = "PlantillaPorDefecto", default)]
    default: bool,
    #[serde(rename = "UbicacionFirmas", default)]
    placements: Vec<PlacementParts>,
    #[serde(rename = "Usuario", default)]
    user: Option<String>,
    #[serde(skip)]
    policy: LengthPolicy,
}

impl TemplateBuilder {
    /// `Orientacion`.
    pub fn orientation(mut self, orientation: Orientation) -> Self {
        self.orientation = Some(orientation);
        self
    }
    /// `CodFormato`.
    pub fn page_format(mut self, format: PageFormat) -> Self {
        self.page_format = Some(format);
        self
    }
    /// `AltoFirma` and `AnchoFirma`, in cm.
    pub fn signature_size(mut self, height: f32, width: f32) -> Self {
        self.signature_height = Some(height);
        self.signature_width = Some(width);
        self
    }
    /// `Sello`, `AltoSello`, `AnchoSello`: the company seal image (encoded to base64 here)
    /// and its size in cm.
    pub fn seal(mut self, image: impl AsRef<[u8]>, height: f32, width: f32) -> Self {
        self.seal = Base64Text::encode(image);
        self.seal_height = height;
        self.seal_width = width;
        self
    }
    /// `Multifirma` true, with `NumeroDestinatarios` = `recipients` (at most 255).
    pub fn multi_signature(mut self, recipients: u8) -> Self {
        self.multi_signature = true;
        self.recipient_count = recipients;
        self
    }
    /// `PlantillaPorDefecto`.
    pub fn default_template(mut self, default: bool) -> Self {
        self.default = default;
        self
    }
    /// Adds a placement to `UbicacionFirmas`.
    pub fn placement(mut self, placement: impl Into<PlacementParts>) -> Self {
        self.placements.push(placement.into());
        self
    }
    user_and_length_policy_setters!("template", "`NomPlantilla`, `Texto`");

    /// Checks every rule and builds the template.
    ///
    /// # Errors
    /// The first broken rule, as a [`ModelError`]: a missing orientation, page format or
    /// signature size; an over-long name or text; a negative or non-finite size; no
    /// placements; a text placement off (0, 0, 0); a placement recipient that does not fit
    /// the template (0 for seals and single-signature templates, 1 to `NumeroDestinatarios`
    /// for signatures of a multi-signature template); a `Usuario` that is not an email.
    pub fn build(self) -> Result<Template, ModelError> {
        let mut checks = Checks::new(self.policy);
        // "La longitud máxima del parámetro es de 40 caracteres. Si se indica un texto más
        // largo quedará recortado a 40 caracteres."
        let name = checks.text("NomPlantilla", self.name, TEMPLATE_NAME_MAX)?;
        let orientation = self.orientation.ok_or(ModelError::Missing {
            field: "Orientacion",
        })?;
        let page_format = self.page_format.ok_or(ModelError::Missing {
            field: "CodFormato",
        })?;
        let signature_height = measure(
            "AltoFirma",
            self.signature_height
                .ok_or(ModelError::Missing { field: "AltoFirma" })?,
        )?;
        let signature_width = measure(
            "AnchoFirma",
            self.signature_width.ok_or(ModelError::Missing {
                field: "AnchoFirma",
            })?,
        )?;
        let seal_height = measure("AltoSello", self.seal_height)?;
        let seal_width = measure("AnchoSello", self.seal_width)?;
        // "puede haber de 1 a N elementos"
        if self.placements.is_empty() {
            return Err(ModelError::NoPlacements);
        }
        let multi = self.multi_signature;
        let count = self.recipient_count;
        let placements = self
            .placements
            .into_iter()
            .enumerate()
            .map(|(index, parts)| {
                let p = parts.check(index, &mut checks)?;
                check_placement_recipient(index, &p, multi, count)?;
                Ok(p)
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        checks.user(self.user.as_deref())?;
        Ok(Template {
            name,
            orientation,
            page_format,
            seal: (!self.seal.is_empty()).then_some(self.seal),
            signature_height,
            signature_width,
            seal_height,
            seal_width,
            multi_signature: multi,
            recipient_count: count,
            default: self.default,
            placements,
            user: self.user,
            warnings: checks.finish(),
        })
    }
}

/// "Si la plantilla es multifirma indicaremos el nº de destinatario a quien corresponde la
/// ubicación, si es un envío no multifirma o es una ubicación para el sello de la empresa, el
/// valor será cero." Recipients are numbered from 1 ("el primer destinatario será el 1").
fn check_placement_recipient(
    index: usize,
    p: &SignaturePlacement,
    multi: bool,
    count: u8,
) -> Result<(), ModelError> {
    let expected = match (p.kind, multi) {
        (PlacementKind::Seal, _) if p.recipient != 0 => "a seal placement has IdDestinatario 0",
        (PlacementKind::Signature, false) if p.recipient != 0 => {
            "a single-signature template has IdDestinatario 0"
        }
        (PlacementKind::Signature, true) if p.recipient == 0 || p.recipient > count => {
            "a signature of a multi-signature template names a recipient from 1 to NumeroDestinatarios"
        }
        _ => return Ok(()),
    };
    Err(ModelError::PlacementRecipient {
        index,
        recipient: p.recipient,
        expected,
    })
}

impl TryFrom<TemplateBuilder> for Template {
    type Error = ModelError;
    fn try_from(builder: TemplateBuilder) -> Result<Self, Self::Error> {
        builder.build()
    }
}
