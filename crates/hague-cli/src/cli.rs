//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// `hague`: WIPO's Hague System Web Services (HWS) from the command line.
///
/// Configuration comes from flags, then `HAGUE_*` environment variables, then a
/// profile of `~/.config/hague/config.toml`. The private key is only ever read
/// from a file (mode 0600), never from the command line.
#[derive(Debug, Parser)]
#[command(name = "hague", version, about, long_about = None)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Print results (and errors) as one JSON line.
    #[arg(long, global = true)]
    pub json: bool,
    /// The configuration file (default `$XDG_CONFIG_HOME/hague/config.toml`, or `HAGUE_CONFIG`).
    #[arg(value_parser = cli_support::args::path(), long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The profile of the configuration file (or `HAGUE_PROFILE`).
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// A preset environment: `wipo-dev` (or `HAGUE_PRESET`).
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "NAME")]
    pub preset: Option<String>,
    /// The HWS API base URL WIPO gave (or `HAGUE_API_BASE_URL`).
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "URL")]
    pub api_base_url: Option<String>,
    /// The OpenID issuer (or `HAGUE_ISSUER`).
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "URL")]
    pub issuer: Option<String>,
    /// A token endpoint; skips discovery (or `HAGUE_TOKEN_ENDPOINT`).
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "URL")]
    pub token_endpoint: Option<String>,
    /// The client id WIPO registered (or `HAGUE_CLIENT_ID`).
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "ID")]
    pub client_id: Option<String>,
    /// The scope to request (or `HAGUE_SCOPE`).
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "SCOPE")]
    pub scope: Option<String>,
    /// The path of the private key, PEM, mode 0600 (or `HAGUE_PRIVATE_KEY_FILE`).
    #[arg(value_parser = cli_support::args::path(), long, global = true, value_name = "PATH")]
    pub private_key_file: Option<PathBuf>,
    /// The assertion audience: `token-endpoint`, `issuer` or a literal (or `HAGUE_AUDIENCE`).
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "AUD")]
    pub audience: Option<String>,
    /// The client assertion's lifetime in seconds, 1 to 300 (default 60; or
    /// `HAGUE_ASSERTION_LIFETIME`).
    #[arg(long, global = true, value_name = "SECS", allow_negative_numbers = true, value_parser = cli_support::args::int(1u64, 300, "seconds"))]
    pub assertion_lifetime: Option<u64>,
    /// The assertion's `kid` header: `none` (default), `thumbprint` or a literal (or
    /// `HAGUE_ASSERTION_KID`).
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "KID")]
    pub assertion_kid: Option<String>,
    /// The assertion's `typ` header: `JWT` (default, as the guide), `none` or a literal (or
    /// `HAGUE_ASSERTION_TYP`).
    #[arg(value_parser = cli_support::args::text(), long, global = true, value_name = "TYP")]
    pub assertion_typ: Option<String>,
    /// Extra trusted root certificates, PEM (or `HAGUE_EXTRA_ROOT_CA_FILE`).
    #[arg(value_parser = cli_support::args::path(), long, global = true, value_name = "PATH")]
    pub extra_root_ca_file: Option<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate the ES256 key pair and X.509 certificate of the guide's Appendix A, and
    /// print the public JWK, its thumbprint and the Appendix B form data.
    Keygen(KeygenArgs),
    /// Get an access token and show its expiry and scope.
    Token {
        /// Also print the token itself (keep it out of logs).
        #[arg(long)]
        show: bool,
    },
    /// Check the connection and the credentials (`GET /pingMe`).
    Ping,
    /// Check, step by step, everything a first call needs (configuration, DNS, TCP, TLS,
    /// clock, discovery, token, pingMe, the keygen certificate) and say what to do.
    Doctor,
    /// Build or validate an import package.
    #[command(subcommand)]
    Package(PackageCommand),
    /// Validate and submit an import package (`POST /request`).
    Submit {
        /// The package (ZIP).
        #[arg(value_parser = cli_support::args::path())]
        package: PathBuf,
    },
    /// Show the state of an import (`GET /request/import/{importId}`).
    ImportStatus {
        /// The import id `submit` printed.
        #[arg(value_parser = cli_support::args::text())]
        import_id: String,
    },
    /// Show the status of a service request (`GET /request/{serviceRequestId}`).
    Status {
        /// The service request number.
        #[arg(value_parser = cli_support::args::text())]
        service_request: String,
    },
    /// Wait for an import's service request number, and optionally for a processing status.
    Wait(WaitArgs),
    /// Bulletins: fetch, inspect, extract.
    #[command(subcommand)]
    Bulletin(BulletinCommand),
    /// Confidential copies (examining offices).
    #[command(subcommand)]
    Confidential(ConfidentialCommand),
}

/// `hague keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The directory to write the three files into (created if missing).
    #[arg(value_parser = cli_support::args::path(), long, short = 'd', default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// The client name of the certificate's CN (`<name> private_key_jwt authentication`).
    #[arg(value_parser = cli_support::args::text(), long, default_value = "DAS", value_name = "NAME")]
    pub client_name: String,
    /// Validity of the certificate in days (OpenSSL's default is 30).
    #[arg(long, default_value_t = 30, value_name = "DAYS", allow_negative_numbers = true, value_parser = cli_support::args::int(1u32, 3650, "days"))]
    pub days: u32,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

/// `hague package ...`.
#[derive(Debug, Subcommand)]
pub enum PackageCommand {
    /// Build a package from the ST.96 XML and the directory holding the files it references.
    Build {
        /// The ST.96 XML file.
        #[arg(value_parser = cli_support::args::path())]
        xml: PathBuf,
        /// The directory the XML's relative file names are read from (default: the XML's).
        #[arg(value_parser = cli_support::args::path(), long, value_name = "DIR")]
        files: Option<PathBuf>,
        /// The package to write: a new file, `-` for standard output, or a FIFO.
        #[arg(value_parser = cli_support::args::path(), long, short = 'o', value_name = "ZIP")]
        output: PathBuf,
        /// Replace the package if it exists (else an existing file is refused).
        #[arg(long)]
        force: bool,
    },
    /// Validate a package; exits 5 when it is invalid, one line per problem.
    Validate {
        /// The package (ZIP).
        #[arg(value_parser = cli_support::args::path())]
        package: PathBuf,
    },
}

/// `hague wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The import id `submit` printed.
    #[arg(value_parser = cli_support::args::text())]
    pub import_id: String,
    /// Then wait until the service request has one of these processing statuses
    /// (repeat or separate with commas; e.g. `Registered`).
    #[arg(value_parser = cli_support::args::text(), long, value_delimiter = ',', value_name = "STATUS")]
    pub until: Vec<String>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 3600, value_name = "SECS", allow_negative_numbers = true, value_parser = cli_support::args::int(1u64, 31_536_000, "seconds"))]
    pub timeout: u64,
    /// First interval between polls, in seconds (doubling up to --max-interval).
    #[arg(long, default_value_t = 5.0, value_name = "SECS", allow_negative_numbers = true, value_parser = cli_support::args::seconds(0.01, 86_400.0))]
    pub interval: f64,
    /// Longest interval between polls, in seconds.
    #[arg(long, default_value_t = 300.0, value_name = "SECS", allow_negative_numbers = true, value_parser = cli_support::args::seconds(0.01, 86_400.0))]
    pub max_interval: f64,
}

/// Which week to download.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The week: `202447`, `2024-W47` or `47/2024`.
    #[arg(value_parser = cli_support::args::text(), required_unless_present = "latest", conflicts_with = "latest")]
    pub week: Option<String>,
    /// The newest published week (the current ISO week from Saturday on, else the previous one).
    #[arg(long)]
    pub latest: bool,
    /// The file to write (default `bulletin-<week>.zip` or `confidential-<week>.zip`);
    /// `-` for standard output, or a FIFO.
    #[arg(value_parser = cli_support::args::path(), long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the file if it exists (else an existing file is refused).
    #[arg(long)]
    pub force: bool,
}

/// `hague bulletin ...`.
#[derive(Debug, Subcommand)]
pub enum BulletinCommand {
    /// Download the bulletin of a week (`GET /publication/bulletin/{weekId}`).
    Fetch(FetchArgs),
    /// Count the records per kind, and list registrations with their images.
    Inspect {
        /// The bulletin (ZIP).
        #[arg(value_parser = cli_support::args::path())]
        file: PathBuf,
    },
    /// Export the records as JSON lines or CSV, one line per record, streamed.
    Export(crate::export::ExportArgs),
    /// The registrations designating an office, nearest refusal deadline first (fetches
    /// the missing weeks into the cache).
    Worklist(crate::worklist::WorklistArgs),
    /// Extract a bulletin safely into a new directory.
    Extract {
        /// The bulletin (ZIP).
        #[arg(value_parser = cli_support::args::path())]
        file: PathBuf,
        /// The directory to create.
        #[arg(value_parser = cli_support::args::path(), long, short = 'o', value_name = "DIR")]
        output: PathBuf,
    },
}

/// `hague confidential ...`.
#[derive(Debug, Subcommand)]
pub enum ConfidentialCommand {
    /// Download the confidential copies of a week (`GET /publication/copy/confidential/{weekId}`).
    Fetch(FetchArgs),
}
