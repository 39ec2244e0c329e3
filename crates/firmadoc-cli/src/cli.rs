//! The command line, declared with clap.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// `firmadoc`: every FirmaDocumentos 1.9 operation from the command line.
///
/// Configuration comes from flags, then the environment (FIRMADOC_CONSUMER_KEY,
/// FIRMADOC_CONSUMER_SECRET, FIRMADOC_ENV), then a profile of the TOML file
/// (~/.config/firmadoc/config.toml). The consumer secret is read only from the
/// environment or from a file named in the profile, never from the command line.
#[derive(Debug, Parser)]
#[command(name = "firmadoc", version, about, long_about = None)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: Global,
    /// The operation.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Machine-readable output: one JSON document on stdout; errors as one JSON line on stderr.
    #[arg(long, global = true)]
    pub json: bool,
    /// The profile of the configuration file to use (else FIRMADOC_PROFILE, else the file's
    /// `default_profile`).
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// The configuration file (else FIRMADOC_CONFIG, else ~/.config/firmadoc/config.toml).
    #[arg(value_parser = cli_support::args::path(), long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The environment: `test`, `prod`, or a base URL (else FIRMADOC_ENV, else the profile's `env`,
    /// else `test`).
    #[arg(value_parser = cli_support::args::text(), long = "env", global = true, value_name = "ENV")]
    pub environment: Option<String>,
    /// The consumer key (not a secret; else FIRMADOC_CONSUMER_KEY, else the profile's
    /// `consumer_key`).
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "KEY")]
    pub consumer_key: Option<String>,
    /// How oauth_signature is written: `unescaped` (default: the nonce is redrawn until the
    /// signature has no + or /, read alike by every server decoder), `rfc` (%2B %2F %3D) or
    /// `guide` (raw + and /, as the guide's Postman example). Else FIRMADOC_SIGNATURE_SHAPE,
    /// else the profile's `signature_shape`.
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "SHAPE")]
    pub signature_shape: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Templates: where signatures and the seal go.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Sends a PDF for signature (POST /send/Sending).
    Send(Box<SendArgs>),
    /// The state of a sending, or of one recipient (POST /send/Sending/{cod}).
    Status {
        /// The sending code (5 characters) or recipient code (7).
        #[arg(value_parser = cli_support::args::text())]
        code: String,
        /// Device information recorded in the trace.
        #[command(flatten)]
        device: DeviceArgs,
    },
    /// Downloads the document, signed when it is (POST /send/Document/{cod}).
    Document {
        /// The sending or recipient code.
        #[arg(value_parser = cli_support::args::text())]
        code: String,
        /// Where to write the PDF (written to a temporary file, renamed when
        /// complete); `-` for standard output, or a FIFO.
        #[arg(value_parser = cli_support::args::path(), short, long, value_name = "FILE")]
        output: PathBuf,
        /// Replace the file if it exists (else an existing file is refused).
        #[arg(long)]
        force: bool,
        /// Check the PDF against the sending's CodHash (MD5) before writing it; exit 4 on a
        /// mismatch, nothing written. Costs one more call (POST /send/Sending/{cod}), which on
        /// a pending sending is also written to the trace.
        #[arg(long)]
        verify_hash: bool,
        /// Device information recorded in the trace.
        #[command(flatten)]
        device: DeviceArgs,
    },
    /// Downloads the trace (audit) document of a sending (GET /send/Trace/{cod}).
    Trace {
        /// The sending code (5 characters).
        #[arg(value_parser = cli_support::args::text())]
        code: String,
        /// Where to write the trace (written to a temporary file, renamed when
        /// complete); `-` for standard output, or a FIFO.
        #[arg(value_parser = cli_support::args::path(), short, long, value_name = "FILE")]
        output: PathBuf,
        /// Replace the file if it exists (else an existing file is refused).
        #[arg(long)]
        force: bool,
    },
    /// Uploads one image of an attachment a recipient supplies (POST /send/Attachment/{cod}).
    Attach(AttachArgs),
    /// Answers as a recipient: sign, reject, sign with a certificate, or sign simply
    /// (POST /send/AddresseeResponse/{cod}).
    #[command(subcommand)]
    Respond(RespondCommand),
    /// Counts of sendings by state between two dates (GET /admin/Summary).
    Summary {
        /// First day, YYYY-MM-DD.
        #[arg(value_parser = cli_support::args::text(), long, value_name = "DATE")]
        from: String,
        /// Last day, YYYY-MM-DD.
        #[arg(value_parser = cli_support::args::text(), long, value_name = "DATE")]
        to: String,
    },
    /// Sendings left in the contracted plan (GET /admin/Budget).
    Budget,
    /// Check, step by step, everything a first call needs (configuration, DNS, TCP, TLS,
    /// clock, a signed read-only call) and say what to do.
    Doctor,
    /// Administrator users.
    #[command(subcommand)]
    User(UserCommand),
    /// Webhooks: subscribe, unsubscribe, test, serve, verify.
    #[command(subcommand)]
    Webhook(WebhookCommand),
}

/// `template` subcommands.
#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Creates or changes a template (POST /send/Template), from a JSON or TOML file, or flags.
    Set(Box<TemplateSetArgs>),
}

/// `template set` arguments.
#[derive(Debug, Args)]
pub struct TemplateSetArgs {
    /// A template file: JSON (the guide's body) or TOML (same keys), by its extension.
    #[arg(value_parser = cli_support::args::path(), long, short, value_name = "FILE", conflicts_with_all = ["truncate", "name", "orientation", "format", "signature_height", "signature_width", "seal", "multi_signature", "default", "placements", "user"])]
    pub file: Option<PathBuf>,
    /// `NomPlantilla`: the template's name (at most 40 characters).
    #[arg(value_parser = cli_support::args::text(), long, required_unless_present = "file")]
    pub name: Option<String>,
    /// `Orientacion`: V (vertical) or H (horizontal).
    #[arg(value_parser = cli_support::args::text(), long, default_value = "V")]
    pub orientation: Option<String>,
    /// `CodFormato`: A1 to A5.
    #[arg(value_parser = cli_support::args::text(), long, default_value = "A4")]
    pub format: Option<String>,
    /// `AltoFirma`: signature height, cm.
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true, value_parser = cli_support::args::decimal(0.1f32, 100.0, "cm"))]
    pub signature_height: f32,
    /// `AnchoFirma`: signature width, cm.
    #[arg(long, default_value_t = 5.0, allow_negative_numbers = true, value_parser = cli_support::args::decimal(0.1f32, 100.0, "cm"))]
    pub signature_width: f32,
    /// `Sello`: the company seal image file.
    #[arg(value_parser = cli_support::args::path(), long, value_name = "FILE")]
    pub seal: Option<PathBuf>,
    /// `AltoSello`: seal height, cm.
    #[arg(long, default_value_t = 0.0, requires = "seal", allow_negative_numbers = true, value_parser = cli_support::args::decimal(0.0f32, 100.0, "cm"))]
    pub seal_height: f32,
    /// `AnchoSello`: seal width, cm.
    #[arg(long, default_value_t = 0.0, requires = "seal", allow_negative_numbers = true, value_parser = cli_support::args::decimal(0.0f32, 100.0, "cm"))]
    pub seal_width: f32,
    /// `Multifirma` with `NumeroDestinatarios` = N recipients.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = cli_support::args::int(1u8, 255, "recipients"))]
    pub multi_signature: Option<u8>,
    /// `PlantillaPorDefecto`: make it the default template.
    #[arg(long)]
    pub default: bool,
    /// A placement (`UbicacionFirmas`), repeatable: `sig:RECIPIENT:PAGE:X:Y`, `seal:PAGE:X:Y`
    /// or `text:RECIPIENT:TEXT` (below a text). Recipient 0 for single-signature templates;
    /// page 0 is every page; X and Y in cm from the lower-left corner.
    #[arg(value_parser = cli_support::args::text(), long = "placement", value_name = "SPEC")]
    pub placements: Vec<String>,
    /// `Usuario`: the email of the user the template belongs to.
    #[arg(value_parser = cli_support::args::text(), long, value_name = "EMAIL")]
    pub user: Option<String>,
    /// Cut over-long texts to the service's limits instead of refusing them.
    #[arg(long)]
    pub truncate: bool,
}

/// `send` arguments: one option per field of the sending.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// `Documento`: the PDF to send.
    #[arg(value_parser = cli_support::args::path(), long, value_name = "FILE")]
    pub pdf: PathBuf,
    /// `Asunto`: subject (at most 40 characters).
    #[arg(value_parser = cli_support::args::text(), long)]
    pub subject: String,
    /// `Emisor`: the sender's name shown to recipients (at most 50 characters).
    #[arg(value_parser = cli_support::args::text(), long)]
    pub sender: String,
    /// `Id`: your own identifier for the sending.
    #[arg(value_parser = cli_support::args::text(), long, value_name = "ID")]
    pub customer_id: Option<String>,
    /// `Receptores`: a recipient (email or mobile number), repeatable, in signing order;
    /// a comma-separated list is split.
    #[arg(value_parser = cli_support::args::text(), long = "to", value_name = "RECIPIENT", required = true)]
    pub recipients: Vec<String>,
    /// `TipoEnvio`: email, sms or link (or E, S, L).
    #[arg(value_parser = cli_support::args::text(), long, default_value = "email")]
    pub kind: String,
    /// `TipoFirma`: handwritten, certificate, either, simple or otp (or M, C, A, S, O).
    #[arg(value_parser = cli_support::args::text(), long)]
    pub signature: Option<String>,
    /// `DiasCaducidad`: days before the sending expires (1 to 255).
    #[arg(long, default_value_t = 15, allow_negative_numbers = true, value_parser = cli_support::args::int(1i64, 255, "days"))]
    pub expiry_days: i64,
    /// `Multifirma`: one sending signed by every recipient (else one sending per recipient).
    #[arg(long)]
    pub multi_signature: bool,
    /// `ConPrioridad`: recipients sign in the order given (multi-signature only).
    #[arg(long)]
    pub priority: bool,
    /// `Pais`: España, Alemania, Colombia, Argentina, Brasil, México, Perú, EEUU, Canadá
    /// (or spain, germany, colombia, argentina, brazil, mexico, peru, us, canada).
    #[arg(value_parser = cli_support::args::text(), long, default_value = "spain")]
    pub country: String,
    /// `Plantilla`: the template's name.
    #[arg(value_parser = cli_support::args::text(), long, value_name = "NAME")]
    pub template: String,
    /// `Adjuntos`: an attachment the recipient must supply (its name), repeatable.
    #[arg(value_parser = cli_support::args::text(), long = "attachment", value_name = "NAME")]
    pub attachments: Vec<String>,
    /// `Usuario`: the email of the user sending.
    #[arg(value_parser = cli_support::args::text(), long, value_name = "EMAIL")]
    pub user: Option<String>,
    /// Cut over-long texts to the service's limits instead of refusing them.
    #[arg(long)]
    pub truncate: bool,
}

/// Device information (`DeviceInfo`), recorded in the sending's trace.
#[derive(Debug, Args, Default)]
pub struct DeviceArgs {
    /// `OsName`: operating system or browser.
    #[arg(value_parser = cli_support::args::text(), long)]
    pub os_name: Option<String>,
    /// `OSVersion`.
    #[arg(value_parser = cli_support::args::text(), long)]
    pub os_version: Option<String>,
    /// `Model`: the device model.
    #[arg(value_parser = cli_support::args::text(), long)]
    pub device_model: Option<String>,
    /// `Username`: the device's user name.
    #[arg(value_parser = cli_support::args::text(), long)]
    pub device_user: Option<String>,
    /// `DeviceID`: an IP address or device identifier.
    #[arg(value_parser = cli_support::args::text(), long)]
    pub device_id: Option<String>,
}

/// `attach` arguments.
#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The sending or recipient code.
    #[arg(value_parser = cli_support::args::text())]
    pub code: String,
    /// The image file to upload.
    #[arg(value_parser = cli_support::args::path())]
    pub image: PathBuf,
    /// `IdDocAdjunto`: the attachment's id (`DocsEnvio[].IdDocEnvio` of `firmadoc status`).
    #[arg(long, value_name = "ID", allow_negative_numbers = true, value_parser = cli_support::args::int(0i32, i32::MAX, ""))]
    pub attachment_id: i32,
    /// `Orden`: the place of this image in the attachment.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = cli_support::args::int(1u8, 255, ""))]
    pub order: u8,
    /// `NumFotos`: how many images make up the attachment.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = cli_support::args::int(1u8, 255, "images"))]
    pub photos: u8,
    /// `Archivo`: the file name sent (else the image's own file name).
    #[arg(value_parser = cli_support::args::text(), long, value_name = "NAME")]
    pub file_name: Option<String>,
}

/// `respond` subcommands.
#[derive(Debug, Subcommand)]
pub enum RespondCommand {
    /// Signs with a handwritten signature image (`Operacion` F).
    Sign {
        /// The sending or recipient code.
        #[arg(value_parser = cli_support::args::text())]
        code: String,
        /// The signature image (PNG).
        #[arg(value_parser = cli_support::args::path(), long, value_name = "FILE")]
        image: PathBuf,
        /// Device information recorded in the trace.
        #[command(flatten)]
        device: DeviceArgs,
    },
    /// Rejects the document (`Operacion` R).
    Reject {
        /// The sending or recipient code.
        #[arg(value_parser = cli_support::args::text())]
        code: String,
        /// Why.
        #[arg(value_parser = cli_support::args::text(), long)]
        reason: String,
        /// Device information recorded in the trace.
        #[command(flatten)]
        device: DeviceArgs,
    },
    /// Signs with a certificate (`Operacion` FC): a PKCS#12 file; its password from
    /// FIRMADOC_CERTIFICATE_PASSWORD or --password-file, never from the command line.
    Certificate {
        /// The sending or recipient code.
        #[arg(value_parser = cli_support::args::text())]
        code: String,
        /// The certificate and its private key, exported as PKCS#12 (.p12, .pfx).
        #[arg(value_parser = cli_support::args::path(), long, value_name = "FILE")]
        pkcs12: PathBuf,
        /// A file holding the certificate's password (mode 0600); else
        /// FIRMADOC_CERTIFICATE_PASSWORD.
        #[arg(value_parser = cli_support::args::path(), long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        /// Device information recorded in the trace.
        #[command(flatten)]
        device: DeviceArgs,
    },
    /// Signs simply, with the signer's name (`Operacion` FS).
    Simple {
        /// The sending or recipient code.
        #[arg(value_parser = cli_support::args::text())]
        code: String,
        /// The signer's name; without it the recipient as sent is used.
        #[arg(value_parser = cli_support::args::text(), long)]
        name: Option<String>,
        /// Device information recorded in the trace.
        #[command(flatten)]
        device: DeviceArgs,
    },
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Creates an administrator user (/admin/Users); prints the password the service generated.
    Add {
        /// `Nombre` (at most 50 characters).
        #[arg(value_parser = cli_support::args::text(), long)]
        name: String,
        /// `Email` (at most 50 characters).
        #[arg(value_parser = cli_support::args::text(), long)]
        email: String,
        /// Cut over-long texts to the service's limits instead of refusing them.
        #[arg(long)]
        truncate: bool,
    },
}

/// `webhook` subcommands.
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Sets the URL the service posts events to, and which events (POST /webhooks/Subscribe).
    Subscribe {
        /// The receiver's URL.
        #[arg(value_parser = cli_support::args::text(), long)]
        url: String,
        /// The events: letters A (opened), F (signed), R (rejected), C (expired), comma-separated.
        #[arg(value_parser = cli_support::args::text(), long, default_value = "A,F,R,C")]
        events: String,
    },
    /// Removes the webhook configuration (POST /webhooks/Unsubscribe).
    Unsubscribe,
    /// Makes the service send a test event: A, F, R or C (POST /webhooks/Test/{evento}).
    Test {
        /// The event: A (opened), F (signed), R (rejected) or C (expired).
        #[arg(value_parser = cli_support::args::text())]
        event: String,
    },
    /// Runs a receiver; writes each verified delivery as one JSON line.
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Append the JSON lines to this file (flushed per delivery) instead of stdout.
        #[arg(value_parser = cli_support::args::path(), long, short, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Stop after this many verified deliveries (default: run until Ctrl-C).
        #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = cli_support::args::int(1u64, u64::from(u32::MAX), "deliveries"))]
        max_events: Option<u64>,
        /// The de-duplication store: sqlite:PATH, postgres (connection string in
        /// FIRMADOC_WEBHOOK_STORE_URL or the file named by FIRMADOC_WEBHOOK_STORE_URL_FILE,
        /// never here) or memory. Default: postgres when one of those is set, else
        /// SQLite in the data directory ($XDG_DATA_HOME or ~/.local/share)/firmadoc/webhook-dedup.sqlite.
        #[arg(value_parser = cli_support::args::text(), long, value_name = "STORE")]
        store: Option<String>,
    },
    /// Verifies a saved delivery offline: exit 0 when the signature matches, 7 when not.
    Verify {
        /// The delivery body, exactly as received.
        #[arg(value_parser = cli_support::args::path(), long, value_name = "FILE", required_unless_present = "saved", requires = "signature")]
        body: Option<PathBuf>,
        /// The `ms-signature` header value (`sha256=<hex>`).
        #[arg(value_parser = cli_support::args::text(), long, value_name = "VALUE")]
        signature: Option<String>,
        /// A line `webhook serve` wrote (its `body` and `signature`), in a file; `-` for stdin.
        #[arg(value_parser = cli_support::args::path(), long, value_name = "FILE", conflicts_with_all = ["body", "signature"])]
        saved: Option<PathBuf>,
    },
}
